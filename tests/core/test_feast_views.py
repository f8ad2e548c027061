"""Feast's kinds of feature views and how they are selected: views without entities, batch and stream feature
views, projections under another name, empty feature services."""

from datetime import timedelta

import pandas as pd
import pytest

from feast_core import (
    BatchFeatureView,
    Entity,
    FeatureService,
    FeatureStore,
    FeatureView,
    Field,
    FileSource,
    PushSource,
    StreamFeatureView,
)
from feast_core.errors import DataSourceError, FeatureViewNotFoundException
from feast_core.types import Float64, Int64, String, ValueType

NOW = pd.Timestamp.now(tz="UTC").floor("s")  # online reads honour ttl against the clock


@pytest.fixture
def store(tmp_path) -> FeatureStore:
    (tmp_path / "data").mkdir()
    (tmp_path / "feature_store.yaml").write_text(
        "project: views\nregistry: data/registry.db\nprovider: local\nonline_store:\n  path: data/online.db\n"
    )
    pd.DataFrame({
        "rider_id": [1, 2, 1], "score": [0.1, 0.2, 0.3],
        "event_timestamp": [NOW - pd.Timedelta("2h"), NOW - pd.Timedelta("1h"), NOW - pd.Timedelta("30min")],
    }).to_parquet(tmp_path / "data" / "scores.parquet")
    store = FeatureStore(repo_path=tmp_path)
    yield store
    store.close()


RIDER = Entity(name="rider", join_keys=["rider_id"], value_type=ValueType.INT64)
SOURCE = FileSource(name="scores_source", path="data/scores.parquet", timestamp_field="event_timestamp")
SCHEMA = [Field(name="rider_id", dtype=Int64), Field(name="score", dtype=Float64)]


def test_a_view_without_entities_materializes_and_serves_its_latest_row(store):
    totals = FeatureView(name="totals", entities=[], schema=[Field(name="score", dtype=Float64)], source=SOURCE,
                         ttl=timedelta(days=1))
    assert totals.entities == ["__dummy"]  # Feast's placeholder, until and after an apply
    store.apply([totals])
    store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    # every entity row reads the one row stored under the placeholder key: the latest of the source
    online = store.get_online_features(["totals:score"], [{"rider_id": 1}, {"rider_id": 7}]).to_dict()
    assert online["score"] == [0.3, 0.3]
    history = store.get_historical_features(
        pd.DataFrame({"rider_id": [5], "event_timestamp": [NOW - pd.Timedelta("50min")]}), ["totals:score"]
    ).to_df()
    assert history["score"].tolist() == [0.2]
    stored = store.get_feature_view("totals")
    assert stored.entities == [] and stored.join_keys == ["__dummy_id"]


def test_a_batch_feature_view_without_a_function_reads_like_a_feature_view(store):
    plain = BatchFeatureView(name="plain", entities=[RIDER], schema=SCHEMA, source=SOURCE, ttl=timedelta(days=1),
                             online=True)
    store.apply([RIDER, plain])
    assert [v.name for v in store.list_batch_feature_views()] == ["plain"]
    # as upstream Feast 0.67 reads it back from its registry: without a function it is a plain feature view
    assert type(store.get_feature_view("plain")) is FeatureView
    store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    assert store.get_online_features(["plain:score"], [{"rider_id": 1}]).to_dict()["score"] == [0.3]


def test_a_batch_feature_view_with_a_function_is_stored_but_never_served_untransformed(store):
    doubled = BatchFeatureView(name="doubled", entities=[RIDER], schema=SCHEMA, source=SOURCE,
                               ttl=timedelta(days=1), online=True, mode="pandas",
                               udf=lambda df: df.assign(score=df["score"] * 2))
    store.apply([RIDER, doubled])
    stored = store.get_feature_view("doubled")
    assert stored.mode == "pandas" and "df[\"score\"] * 2" in stored.udf_string
    with pytest.raises(DataSourceError, match="'doubled'.*function"):
        store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    with pytest.raises(DataSourceError, match="'doubled'.*function"):
        store.get_historical_features(pd.DataFrame({"rider_id": [1], "event_timestamp": [NOW]}), ["doubled:score"])


def test_stream_feature_views_are_listed_apart_and_served_from_pushes(store):
    push = PushSource(name="scores_push", batch_source=SOURCE)
    stream = StreamFeatureView(name="live", entities=[RIDER], schema=SCHEMA, source=push, ttl=timedelta(days=1))
    plain = FeatureView(name="plain", entities=[RIDER], schema=SCHEMA, source=SOURCE, ttl=timedelta(days=1))
    store.apply([RIDER, push, stream, plain])
    assert [v.name for v in store.list_stream_feature_views()] == ["live"]
    assert [v.name for v in store.list_feature_views()] == ["plain"]
    assert sorted(v.name for v in store.list_all_feature_views()) == ["live", "plain"]
    assert isinstance(store.get_stream_feature_view("live"), StreamFeatureView)
    with pytest.raises(FeatureViewNotFoundException):
        store.get_stream_feature_view("plain")
    store.push("scores_push", pd.DataFrame({"rider_id": [4], "score": [0.4], "event_timestamp": [NOW]}))
    assert store.get_online_features(["live:score"], [{"rider_id": 4}]).to_dict()["score"] == [0.4]


def test_with_name_keeps_the_view_name_and_serves_under_the_alias(store):
    scores = FeatureView(name="scores", entities=[RIDER], schema=SCHEMA, source=SOURCE, ttl=timedelta(days=1))
    aliased = scores.with_name("recent")
    assert aliased.projection.name == "scores" and aliased.projection.name_alias == "recent"
    assert scores.projection.name_alias is None  # the original is untouched
    service = FeatureService(name="both", features=[scores, aliased])
    store.apply([RIDER, scores, service])
    store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    online = store.get_online_features(store.get_feature_service("both"), [{"rider_id": 2}],
                                       full_feature_names=True).to_dict()
    assert online["scores__score"] == [0.2] and online["recent__score"] == [0.2]
    with pytest.raises(ValueError, match="twice"):
        FeatureService(name="twice", features=[scores, scores])


def test_an_empty_feature_service_applies(store):
    store.apply([FeatureService(name="nothing_yet", features=[])])
    assert store.get_feature_service("nothing_yet").feature_view_projections == []


def test_a_stream_source_is_applied_with_its_batch_source(store):
    from feast_core import KafkaSource
    from feast_core.data_format import JsonFormat

    kafka = KafkaSource(name="rides", timestamp_field="event_timestamp", kafka_bootstrap_servers="broker:9092",
                        topic="rides", message_format=JsonFormat(schema_json="rider_id integer"),
                        batch_source=SOURCE)
    store.apply([kafka])
    assert sorted(s.name for s in store.list_data_sources()) == ["rides", "scores_source"]


def test_an_on_demand_view_infers_its_features_by_running_its_function():
    from feast_core import RequestSource
    from feast_core.errors import SpecifiedFeaturesNotPresentError
    from feast_core.on_demand_feature_view import on_demand_feature_view

    request = RequestSource(name="req", schema=[Field(name="x", dtype=Int64)])

    @on_demand_feature_view(sources=[request], schema=[Field(name="doubled", dtype=Int64)])
    def doubles(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"doubled": df["x"] * 2})

    doubles.infer_features()  # returns what it declares

    @on_demand_feature_view(sources=[request], schema=[Field(name="doubled", dtype=Int64),
                                                       Field(name="tripled", dtype=Int64)])
    def forgets(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"doubled": df["x"] * 2})

    with pytest.raises(SpecifiedFeaturesNotPresentError, match="tripled"):
        forgets.infer_features()

    with pytest.raises(TypeError, match="mode 'pandas'.*dict"):
        @on_demand_feature_view(sources=[request], schema=[Field(name="doubled", dtype=Int64)], mode="pandas")
        def returns_a_dict(inputs: dict) -> dict:
            return {"doubled": [v * 2 for v in inputs["x"]]}


def test_an_integer_given_for_a_string_key_is_its_text_as_in_feast(store):
    from feast_core.errors import EntityDataError

    city = Entity(name="city", join_keys=["city_id"], value_type=ValueType.STRING)
    weather = FeatureView(name="weather", entities=[city], ttl=timedelta(days=1), source=SOURCE,
                          schema=[Field(name="city_id", dtype=String), Field(name="score", dtype=Float64)])
    store.apply([city, weather])
    store.write_to_online_store("weather", pd.DataFrame({"city_id": ["5"], "score": [0.5], "event_timestamp": [NOW]}))
    online = store.get_online_features(["weather:score"], [{"city_id": 5}, {"city_id": "5"}]).to_dict()
    assert online == {"city_id": ["5", "5"], "score": [0.5, 0.5]}
    with pytest.raises(EntityDataError, match="'city_id' expects String"):
        store.get_online_features(["weather:score"], [{"city_id": 5.5}])


def test_definitions_feast_rejects_are_rejected_when_declared():
    with pytest.raises(ValueError, match="timestamp_field and created_timestamp_column are both 'ts'"):
        FileSource(path="data/scores.parquet", timestamp_field="ts", created_timestamp_column="ts")
    with pytest.raises(ValueError, match="entity 'rider' has type INT64, but its join key 'rider_id' is declared String"):
        FeatureView(name="clash", entities=[RIDER], source=SOURCE,
                    schema=[Field(name="rider_id", dtype=String), Field(name="score", dtype=Float64)])


def test_parameters_are_never_silently_dropped():
    with pytest.raises(TypeError, match="batch_source"):  # not a FeatureView parameter, in Feast either
        FeatureView(name="old_style", entities=[RIDER], batch_source=SOURCE, schema=SCHEMA)
    with pytest.raises(ValueError, match="'versioned': version is not modeled by feast_core.*'latest'"):
        FeatureView(name="versioned", entities=[RIDER], source=SOURCE, schema=SCHEMA, version="v2")
    FeatureView(name="defaults", entities=[RIDER], source=SOURCE, schema=SCHEMA, version="latest", enabled=True)
    with pytest.raises(ValueError, match="precompute_online"):
        FeatureService(name="precomputed", features=[], precompute_online=True)
