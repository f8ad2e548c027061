"""Feast's infrastructure-level API over feast_core's stores: providers, inference on its own, and the
conversions of feast.type_map."""

from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest

from feast_core import Entity, FeatureStore, FeatureView, Field, FileSource
from feast_core.errors import ConfigError
from feast_core.protos.feast.types.EntityKey_pb2 import EntityKey
from feast_core.protos.feast.types.Value_pb2 import Value
from feast_core.types import Array, Float64, Int64, String, ValueType

NOW = pd.Timestamp.now(tz="UTC").floor("s")


@pytest.fixture
def store(tmp_path) -> FeatureStore:
    (tmp_path / "data").mkdir()
    (tmp_path / "feature_store.yaml").write_text(
        "project: infra\nregistry: data/registry.db\nprovider: local\nonline_store:\n  path: data/online.db\n"
    )
    pd.DataFrame({
        "rider_id": [1, 2], "score": [0.5, 0.7], "tags": [["a"], ["b", "c"]],
        "event_timestamp": [NOW - pd.Timedelta("1h"), NOW - pd.Timedelta("30min")],
    }).to_parquet(tmp_path / "data" / "scores.parquet")
    store = FeatureStore(repo_path=tmp_path)
    yield store
    store.close()


RIDER = Entity(name="rider", join_keys=["rider_id"], value_type=ValueType.INT64)
SOURCE = FileSource(name="scores_source", path="data/scores.parquet", timestamp_field="event_timestamp")


def _view() -> FeatureView:
    return FeatureView(name="scores", entities=[RIDER], ttl=timedelta(days=1), source=SOURCE,
                       schema=[Field(name="rider_id", dtype=Int64), Field(name="score", dtype=Float64),
                               Field(name="tags", dtype=Array(String))])


def _key(rider: int) -> EntityKey:
    return EntityKey(join_keys=["rider_id"], entity_values=[Value(int64_val=rider)])


def test_a_provider_writes_and_reads_value_messages_in_the_stores_rows(store):
    store.apply([RIDER, _view()])
    view = store.get_feature_view("scores")
    provider = store._get_provider()
    written = []
    provider.online_write_batch(store.config, view, [
        (_key(7), {"score": Value(double_val=0.9), "tags": Value(string_list_val={"val": ["x", "y"]})},
         NOW.to_pydatetime(), None),
    ], progress=written.append)
    assert written == [1]
    online = store.get_online_features(["scores:score", "scores:tags"], [{"rider_id": 7}]).to_dict()
    assert online["score"] == [0.9] and online["tags"] == [["x", "y"]]

    rows = provider.online_read(store.config, view, [_key(7), _key(8)], ["score", "tags"])
    moment, values = rows[0]
    assert moment == NOW.to_pydatetime() and values["score"] == Value(double_val=0.9)
    assert list(values["tags"].string_list_val.val) == ["x", "y"]
    assert rows[1] == (None, None)  # no row for rider 8


def test_a_provider_from_the_config_materializes_one_view(store):
    from feast_core.infra.provider import get_provider

    store.apply([RIDER, _view()])
    provider = get_provider(store.config)
    provider.materialize_single_feature_view(store.config, store.get_feature_view("scores"),
                                             NOW - pd.Timedelta("1D"), NOW, store.registry, store.project)
    assert store.get_online_features(["scores:score"], [{"rider_id": 2}]).to_dict()["score"] == [0.7]


def test_inference_on_its_own_fills_in_entity_columns_and_features(store):
    from feast_core.inference import update_feature_views_with_inferred_features_and_entities

    rider = Entity(name="rider", join_keys=["rider_id"], value_type=ValueType.INT64)
    inferred = FeatureView(name="inferred", entities=[rider], source=SOURCE)
    assert inferred.features == [] and inferred.entity_columns == []
    update_feature_views_with_inferred_features_and_entities(store._get_provider(), [inferred], [rider], store.config)
    assert inferred.entity_columns == [Field(name="rider_id", dtype=Int64)]
    assert [(f.name, f.dtype) for f in inferred.features] == [("score", Float64), ("tags", Array(String))]
    assert store.list_feature_views() == []  # nothing was written

    # a schema of join keys only: the features come from the source, as in Feast
    keyed = FeatureView(name="keyed", entities=[rider], source=SOURCE, schema=[Field(name="rider_id", dtype=Int64)])
    update_feature_views_with_inferred_features_and_entities(store._get_provider(), [keyed], [rider], store.config)
    assert [f.name for f in keyed.features] == ["score", "tags"]
    # a declared view needs nothing from its source here, so a source without data yet is fine
    later = FeatureView(name="later", entities=[rider], source=FileSource(name="later", path="data/later.parquet"),
                        schema=[Field(name="rider_id", dtype=Int64), Field(name="score", dtype=Float64)])
    update_feature_views_with_inferred_features_and_entities(store._get_provider(), [later], [rider], store.config)
    assert later.entity_columns == [Field(name="rider_id", dtype=Int64)]


def test_value_messages_from_python_values_and_back():
    from feast_core.type_map import feast_value_type_to_python_type, python_values_to_proto_values

    moment = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    cases = [
        ([3, None], ValueType.INT64, [3, None]),
        ([0.25], ValueType.DOUBLE, [0.25]),
        (["a"], ValueType.STRING, ["a"]),
        ([moment], ValueType.UNIX_TIMESTAMP, [moment]),
        ([[1, 2]], ValueType.INT64_LIST, [[1, 2]]),
        ([{"k": "v", "n": 1}], ValueType.MAP, [{"k": "v", "n": 1}]),
        ([{"a", "b"}], ValueType.STRING_SET, [{"a", "b"}]),
    ]
    for values, value_type, expected in cases:
        protos = python_values_to_proto_values(values, value_type)
        assert [feast_value_type_to_python_type(p) for p in protos] == expected, value_type
    inferred = python_values_to_proto_values([None, 1.5])  # the type comes from the first non-null value
    assert inferred[1] == Value(double_val=1.5) and inferred[0] == Value()
    with pytest.raises(TypeError, match="not an integer"):
        python_values_to_proto_values([1.5], ValueType.INT64)


def test_value_types_of_python_values_and_column_types():
    import numpy as np

    from feast_core.type_map import (
        arrow_to_pg_type,
        feast_value_type_to_pa,
        pa_to_feast_value_type,
        pg_type_to_feast_value_type,
        python_type_to_feast_value_type,
        spark_to_feast_value_type,
    )

    assert python_type_to_feast_value_type("x", np.array([1, 2])) is ValueType.INT64_LIST
    assert python_type_to_feast_value_type("x", ["a", None, "b"]) is ValueType.STRING_LIST
    with pytest.raises(ValueError, match="different types"):
        python_type_to_feast_value_type("x", [1, "a"])
    assert pa_to_feast_value_type(str(pa.list_(pa.int64()))) is ValueType.INT64_LIST
    assert pa_to_feast_value_type(str(pa.timestamp("us", tz="UTC"))) is ValueType.UNIX_TIMESTAMP
    assert feast_value_type_to_pa(ValueType.STRING_LIST) == pa.list_(pa.string())
    assert arrow_to_pg_type(str(pa.list_(pa.string()))) == "text[]"
    assert pg_type_to_feast_value_type("bigint[]") is ValueType.INT64_LIST
    assert spark_to_feast_value_type("array<double>") is ValueType.DOUBLE_LIST
    with pytest.raises(ValueError, match="geometry"):
        pg_type_to_feast_value_type("geometry")


def test_auth_types_stores_feast_core_lacks_and_filters():
    from feast_core.filter_models import ComparisonFilter, CompoundFilter, convert_dict_to_filter
    from feast_core.infra.online_stores.dynamodb import DynamoDBOnlineStore
    from feast_core.permissions.auth.auth_type import AuthType
    from feast_core.permissions.auth_model import OidcAuthConfig

    assert OidcAuthConfig(auth_discovery_url="https://idp/.well-known", client_id="feast").type == AuthType.OIDC.value
    with pytest.raises(ConfigError, match="DynamoDB.*sqlite, postgres and remote"):
        DynamoDBOnlineStore()
    parsed = convert_dict_to_filter({"type": "and", "filters": [{"type": "eq", "key": "lang", "value": "en"}]})
    assert parsed == CompoundFilter(type="and", filters=[ComparisonFilter(type="eq", key="lang", value="en")])
    with pytest.raises(ValueError):
        convert_dict_to_filter({"type": "like", "key": "lang", "value": "en"})


def test_an_online_response_from_feasts_message_and_back(store):
    from feast_core.online_response import OnlineResponse

    store.apply([RIDER, _view()])
    store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    read = store.get_online_features(["scores:score", "scores:tags"], [{"rider_id": 1}, {"rider_id": 9}])
    again = OnlineResponse(read.proto)  # Feast's constructor: one GetOnlineFeaturesResponse message
    assert again.to_dict() == read.to_dict() == {
        "rider_id": [1, 9], "score": [0.5, None], "tags": [["a"], None],
    }
    assert again.statuses_dict()["score"] == ["PRESENT", "NOT_FOUND"]
    assert again.event_timestamps("score")[0] == (NOW - pd.Timedelta("1h")).to_pydatetime()
    with pytest.raises(TypeError, match="GetOnlineFeaturesResponse"):
        OnlineResponse(["score"], [[1.0]])


def test_a_filter_translator_turns_filters_into_a_stores_expression():
    from feast_core import FilterTranslator
    from feast_core.filter_models import convert_dict_to_filter

    class ToSql(FilterTranslator):
        def empty(self):
            return "TRUE"

        def translate_comparison(self, comparison):
            return f"{comparison.key} {dict(eq='=', gt='>')[comparison.type]} {comparison.value!r}"

        def translate_compound(self, compound):
            return "(" + f" {compound.type.upper()} ".join(self.dispatch(f) for f in compound.filters) + ")"

    tree = convert_dict_to_filter({"type": "or", "filters": [{"type": "eq", "key": "lang", "value": "en"},
                                                             {"type": "gt", "key": "year", "value": 2020}]})
    assert ToSql().translate(tree) == "(lang = 'en' OR year > 2020)" and ToSql().translate(None) == "TRUE"
