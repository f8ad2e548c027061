"""FeatureStore end to end on the embedded default: apply, historical, materialize, online, push."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from feast_core import (
    Entity,
    FeatureService,
    FeatureStore,
    FeatureView,
    Field,
    FileSource,
    PushMode,
    PushSource,
    RequestSource,
)
from feast_core.errors import (
    DataSourceError,
    EntityDataError,
    FeatureNameCollisionError,
    FeatureReferenceError,
    FeatureViewNotFoundError,
    PushSourceNotFoundError,
    RegistryInferenceFailure,
    RepoError,
)
from feast_core.on_demand_feature_view import on_demand_feature_view
from feast_core.types import Float64, Int64, String

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def ts(hours_ago: float) -> datetime:
    return NOW - timedelta(hours=hours_ago)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "feature_store.yaml").write_text(
        "project: shop\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n"
    )
    pd.DataFrame({
        "driver_id": [1, 1, 2, 3, 3],
        "trips": [10, 11, 20, 30, None],
        "rating_src": [4.0, 4.5, 3.0, 5.0, 2.0],
        "ts": [ts(30), ts(5), ts(80), ts(10), ts(1)],
        "created": [ts(30), ts(5), ts(80), ts(10), ts(1)],
    }).to_parquet(tmp_path / "data" / "drivers.parquet")
    pd.DataFrame({
        "customer": ["a", "b"],
        "spend": [100.0, 200.0],
        "ts": [ts(2), ts(3)],
    }).to_parquet(tmp_path / "data" / "customers.parquet")
    return tmp_path


def definitions(repo):
    driver = Entity(name="driver", join_keys=["driver_id"])
    customer = Entity(name="customer")
    drivers_src = FileSource(
        name="drivers_src", path=str(repo / "data" / "drivers.parquet"), timestamp_field="ts",
        created_timestamp_column="created", field_mapping={"rating_src": "rating"},
    )
    driver_stats = FeatureView(
        name="driver_stats", entities=[driver], ttl=timedelta(hours=24), source=drivers_src,
        schema=[Field(name="trips", dtype=Int64), Field(name="rating", dtype=Float64)],
    )
    customers = FeatureView(
        name="customers", entities=[customer], ttl=timedelta(0),
        source=FileSource(name="customers_src", path=str(repo / "data" / "customers.parquet"), timestamp_field="ts"),
        schema=[Field(name="spend", dtype=Float64)],
    )
    extra = RequestSource(name="extra", schema=[Field(name="bonus", dtype=Float64)])

    @on_demand_feature_view(sources=[driver_stats, extra], schema=[Field(name="boosted", dtype=Float64)])
    def boosted_rating(inputs: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"boosted": inputs["rating"] + inputs["bonus"]})

    service = FeatureService(name="driver_service", features=[driver_stats[["rating"]], boosted_rating])
    push = PushSource(name="driver_push", batch_source=drivers_src)
    pushed = FeatureView(
        name="driver_pushed", entities=[driver], ttl=timedelta(0), source=push,
        schema=[Field(name="trips", dtype=Int64)],
    )
    return [driver, customer, drivers_src, driver_stats, customers, extra, boosted_rating, service, push, pushed]


@pytest.fixture
def store(repo):
    store = FeatureStore(repo_path=repo)
    store.apply(definitions(repo))
    return store


def test_apply_registers_objects_and_infers_entity_types(store):
    assert [v.name for v in store.list_feature_views()] == ["customers", "driver_pushed", "driver_stats"]
    assert store.get_entity("driver").value_type.name == "INT64"
    assert store.get_entity("customer").value_type.name == "STRING"
    assert store.get_feature_view("driver_stats").join_keys == ["driver_id"]
    assert store.get_feature_service("driver_service").feature_references == [
        "driver_stats:rating", "boosted_rating:boosted"
    ]


def test_reapplying_the_same_objects_changes_nothing(store, repo):
    before = (repo / "data" / "registry.db").read_bytes()
    assert not store.apply(definitions(repo))
    assert (repo / "data" / "registry.db").read_bytes() == before


def test_historical_features_one_row_per_input_in_order_with_ttl_and_mapping(store):
    entity_df = pd.DataFrame({
        "driver_id": [3, 1, 1, 2, 9, 1],
        "event_timestamp": [ts(0), ts(4), ts(29), ts(0), ts(0), ts(4)],
        "label": [1, 2, 3, 4, 5, 6],
    })
    df = store.get_historical_features(entity_df=entity_df, features=["driver_stats:trips", "driver_stats:rating"]).to_df()
    assert list(df["label"]) == [1, 2, 3, 4, 5, 6]
    assert list(df.columns) == ["driver_id", "event_timestamp", "label", "trips", "rating"]
    # driver 3 at now: latest row (1h ago) has trips null but rating 2.0
    assert pd.isna(df["trips"][0]) and df["rating"][0] == 2.0
    # driver 1 four hours ago sees the 5h-old row; 29h ago sees the 30h-old row
    assert df["trips"][1] == 11 and df["trips"][2] == 10
    # driver 2's only row is 80h old: outside the 24h ttl
    assert pd.isna(df["trips"][3])
    # unknown driver: kept, with nulls; duplicate entity rows both get values
    assert pd.isna(df["trips"][4]) and df["trips"][5] == 11


def test_historical_on_demand_and_service_with_full_names(store):
    entity_df = pd.DataFrame({"driver_id": [1], "event_timestamp": [ts(0)], "bonus": [0.5]})
    service = store.get_feature_service("driver_service")
    df = store.get_historical_features(entity_df=entity_df, features=service, full_feature_names=True).to_df()
    assert list(df.columns) == ["driver_id", "event_timestamp", "bonus", "driver_stats__rating", "boosted_rating__boosted"]
    assert df["boosted_rating__boosted"][0] == pytest.approx(5.0)


def test_historical_bad_input_names_the_fault(store):
    entity_df = pd.DataFrame({"driver_id": [1], "event_timestamp": [ts(0)]})
    with pytest.raises(FeatureReferenceError, match="'driver_stats' has no feature 'nope'"):
        store.get_historical_features(entity_df=entity_df, features=["driver_stats:nope"])
    with pytest.raises(FeatureViewNotFoundError, match="'ghost'"):
        store.get_historical_features(entity_df=entity_df, features=["ghost:trips"])
    with pytest.raises(EntityDataError, match="customer"):
        store.get_historical_features(entity_df=entity_df, features=["customers:spend"])
    with pytest.raises(EntityDataError, match="event_timestamp"):
        store.get_historical_features(entity_df=pd.DataFrame({"driver_id": [1]}), features=["driver_stats:trips"])
    with pytest.raises(EntityDataError, match="'driver_id' holds .* keys it as Int64"):
        store.get_historical_features(
            entity_df=pd.DataFrame({"driver_id": ["1"], "event_timestamp": [ts(0)]}), features=["driver_stats:trips"]
        )
    with pytest.raises(FeatureNameCollisionError, match="trips"):
        store.get_historical_features(entity_df=entity_df, features=["driver_stats:trips", "driver_pushed:trips"])


def test_materialize_then_online_statuses(store):
    store.materialize(NOW - timedelta(days=10), NOW, progress=False)
    response = store.get_online_features(
        features=["driver_stats:trips", "driver_stats:rating", "customers:spend"],
        entity_rows=[{"driver_id": 3, "customer": "a"}, {"driver_id": 2, "customer": "zz"},
                     {"driver_id": 1, "customer": "b"}],
    )
    values = response.to_dict()
    statuses = response.statuses_dict()
    assert values["driver_id"] == [3, 2, 1] and values["customer"] == ["a", "zz", "b"]
    assert values["trips"] == [None, None, 11]
    assert statuses["trips"] == ["NULL_VALUE", "OUTSIDE_MAX_AGE", "PRESENT"]
    assert values["rating"] == [2.0, None, 4.5]
    assert statuses["spend"] == ["PRESENT", "NOT_FOUND", "PRESENT"]


def test_online_on_demand_and_wrong_entity_type(store):
    store.materialize(NOW - timedelta(days=10), NOW, progress=False)
    result = store.get_online_features(
        features=store.get_feature_service("driver_service"), entity_rows=[{"driver_id": 1, "bonus": 1.0}]
    ).to_dict()
    assert result == {"driver_id": [1], "bonus": [1.0], "rating": [4.5], "boosted": [5.5]}
    with pytest.raises(EntityDataError, match="'driver_id' expects Int64.*'1'"):
        store.get_online_features(features=["driver_stats:trips"], entity_rows=[{"driver_id": "1"}])
    with pytest.raises(EntityDataError, match="driver_id"):
        store.get_online_features(features=["driver_stats:trips"], entity_rows=[{"customer": "a"}])


@pytest.mark.parametrize("key", [2**70, -(2**63) - 1, 2**63])
def test_an_entity_key_too_large_for_its_type_is_named(store, key):
    with pytest.raises(EntityDataError) as caught:
        store.get_online_features(features=["driver_stats:trips"], entity_rows=[{"driver_id": 1}, {"driver_id": key}])
    assert "'driver_id' is Int64; row 1 has" in str(caught.value) and "does not fit in Int64" in str(caught.value)


def test_incremental_materialization_does_not_regress_newer_values(store):
    store.materialize_incremental(NOW, progress=False)
    store.materialize(NOW - timedelta(hours=40), NOW - timedelta(hours=20), progress=False)  # older window
    assert store.get_online_features(features=["driver_stats:trips"], entity_rows=[{"driver_id": 1}]).to_dict()[
        "trips"] == [11]
    state = store.get_materialization("driver_stats")
    # the two windows overlap: recorded as the one interval they cover together
    assert state.most_recent_end == NOW and state.intervals == [(NOW - timedelta(hours=40), NOW)]
    store.materialize(NOW - timedelta(days=9), NOW - timedelta(days=8), progress=False)  # apart: its own interval
    assert store.get_materialization("driver_stats").intervals == [
        (NOW - timedelta(days=9), NOW - timedelta(days=8)), (NOW - timedelta(hours=40), NOW)]


def test_push_online_and_offline(store, repo):
    pushed = pd.DataFrame({"driver_id": [7], "trips": [70], "rating_src": [1.0], "ts": [ts(0.5)], "created": [ts(0.5)]})
    store.push("driver_push", pushed, to=PushMode.ONLINE_AND_OFFLINE)
    online = store.get_online_features(features=["driver_pushed:trips"], entity_rows=[{"driver_id": 7}]).to_dict()
    assert online["trips"] == [70]
    entity_df = pd.DataFrame({"driver_id": [7], "event_timestamp": [ts(0)]})
    offline = store.get_historical_features(entity_df=entity_df, features=["driver_stats:trips"]).to_df()
    assert offline["trips"][0] == 70
    with pytest.raises(PushSourceNotFoundError, match="'nope'"):
        store.push("nope", pushed)


def test_older_push_does_not_overwrite_newer_online_value(store):
    newer = pd.DataFrame({"driver_id": [7], "trips": [2], "rating_src": [1.0], "ts": [ts(1)], "created": [ts(1)]})
    older = pd.DataFrame({"driver_id": [7], "trips": [1], "rating_src": [1.0], "ts": [ts(2)], "created": [ts(0)]})
    store.push("driver_push", newer)
    store.push("driver_push", older)
    assert store.get_online_features(features=["driver_pushed:trips"], entity_rows=[{"driver_id": 7}]).to_dict()[
        "trips"] == [2]


def test_failed_apply_leaves_registry_unchanged(store, repo):
    registry = repo / "data" / "registry.db"
    before = registry.read_bytes()
    objects = definitions(repo)
    broken = FeatureView(
        name="broken", entities=[objects[0]], source=objects[2], schema=[Field(name="missing_col", dtype=String)]
    )
    with pytest.raises(DataSourceError, match="missing_col"):
        store.apply(objects + [broken], skip_source_validation=False)
    missing_file = FileSource(name="gone", path=str(repo / "nope.parquet"), timestamp_field="ts")
    with pytest.raises(RegistryInferenceFailure, match="nope.parquet"):  # the join key's type is read from the data
        store.apply([FeatureView(name="gone", entities=[objects[0]], source=missing_file,
                                 schema=[Field(name="x", dtype=Int64)])])
    duplicate = Entity(name="driver", join_keys=["other_id"])
    with pytest.raises(RepoError, match="'driver'"):
        store.apply([objects[0], duplicate])
    assert registry.read_bytes() == before


def test_repo_apply_resolves_references_within_the_repo_only(store, repo):
    objects = [o for o in definitions(repo) if not (isinstance(o, Entity) and o.name == "customer")]
    customers = next(o for o in objects if getattr(o, "name", "") == "customers")
    customers.entity_objects = []  # as if the repo file declared the view by entity name only
    with pytest.raises(RepoError, match="entity 'customer', which is not defined"):
        store.apply_repo(objects)
    assert store.get_entity("customer").name == "customer"


def test_entity_rows_whose_keys_differ_from_the_first_are_refused_naming_the_row(store):
    store.materialize(NOW - timedelta(days=10), NOW, progress=False)
    rows = [{"driver_id": 3, "note": "a"}, {"note": "b", "driver_id": 1}]  # key order may differ
    assert store.get_online_features(features=["driver_stats:rating"], entity_rows=rows).to_dict()["rating"] == [2.0, 4.5]
    for bad in ([{"driver_id": 1}, {"driverid": 3}], [{"driver_id": 1}, {"driver_id": 3, "x": 1}],
                [{"driver_id": 1}, [3]], [{"driver_id": 1, "x": 2}, {"driver_id": 3, "y": 2}]):
        with pytest.raises(EntityDataError, match="entity row 1 has keys"):
            store.get_online_features(features=["driver_stats:rating"], entity_rows=bad)


def test_entity_rows_as_columns_and_a_string_column_is_refused(store):
    store.materialize(NOW - timedelta(days=10), NOW, progress=False)
    by_column = store.get_online_features(features=["driver_stats:rating"], entity_rows={"driver_id": [1, 3]})
    assert by_column.to_dict()["rating"] == [4.5, 2.0]
    with pytest.raises(EntityDataError, match="'customer' must be a list"):
        store.get_online_features(features=["customers:spend"], entity_rows={"customer": "ab"})
