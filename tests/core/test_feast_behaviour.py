"""Behaviour a Feast user relies on, beyond import paths: applying repos whose data does not exist yet,
field-mapped timestamps, retrieval by date range, async writes, and the Feast CLI's flags."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml

from feast_core import Entity, FeatureStore, FeatureView, Field, FileSource
from feast_core.errors import DataSourceError, EntityDataError, RegistryInferenceFailure
from feast_core.types import Float64, Int64

NOW = pd.Timestamp.now(tz="UTC").floor("s")  # online reads honour ttl against the clock


@pytest.fixture
def store(tmp_path) -> FeatureStore:
    (tmp_path / "data").mkdir()
    (tmp_path / "feature_store.yaml").write_text(
        "project: behaviour\nregistry: data/registry.db\nprovider: local\nonline_store:\n  path: data/online.db\n"
    )
    store = FeatureStore(repo_path=tmp_path)
    yield store
    store.close()


def _rider() -> Entity:
    return Entity(name="rider", join_keys=["rider_id"])


def _view(view_name: str, path: str, **source) -> FeatureView:
    return FeatureView(
        name=view_name, entities=[_rider()], ttl=timedelta(hours=2),
        schema=[Field(name="rider_id", dtype=Int64), Field(name="score", dtype=Float64)],
        source=FileSource(path=path, **{"timestamp_field": "event_timestamp", **source}),
    )


def _run(coroutine):
    """Run a coroutine to the end on a thread of its own (another test may leave an event loop running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _write(repo: Path, name: str, frame: dict) -> None:
    pd.DataFrame(frame).to_parquet(repo / "data" / name)


def test_a_repo_applies_before_its_data_exists_and_is_checked_once_it_does(store):
    view = _view("scores", "data/scores.parquet")
    store.apply([_rider(), view])  # no file yet: nothing to check, as in Feast
    assert store.get_feature_view("scores").features[0].name == "score"

    _write(store.repo_path, "scores.parquet", {"rider_id": [1], "points": [1.0], "event_timestamp": [NOW]})
    with pytest.raises(DataSourceError, match="score"):  # data now exists and lacks the declared column
        store.apply([_rider(), view], skip_source_validation=False)  # the check feast apply makes
    store.apply([_rider(), view])  # as in Feast, FeatureStore.apply does not check columns

    inferred = FeatureView(name="inferred", entities=[_rider()],
                           source=FileSource(path="data/later.parquet", timestamp_field="event_timestamp"))
    with pytest.raises(RegistryInferenceFailure, match="'inferred'.*schema"):  # inference needs the data
        store.apply([_rider(), inferred])


def test_timestamp_field_names_the_column_after_field_mapping(store):
    _write(store.repo_path, "mapped.parquet", {"id": [1, 2], "score": [0.5, 0.7], "ts": [NOW - pd.Timedelta("1h"), NOW]})
    view = _view("mapped", "data/mapped.parquet", field_mapping={"ts": "event_timestamp", "id": "rider_id"})
    store.apply([_rider(), view])
    store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    assert store.get_online_features(["mapped:score"], [{"rider_id": 1}, {"rider_id": 2}]).to_dict()["score"] == [0.5, 0.7]
    rows = store.get_historical_features(pd.DataFrame({"rider_id": [2], "event_timestamp": [NOW]}), ["mapped:score"])
    assert rows.to_df()["score"].tolist() == [0.7]
    # rows written with the mapped names (Feast's form) take the mapped timestamp column
    store.write_to_online_store("mapped", pd.DataFrame({"rider_id": [1], "score": [0.9],
                                                        "event_timestamp": [NOW + pd.Timedelta("1s")]}))
    assert store.get_online_features(["mapped:score"], [{"rider_id": 1}]).to_dict()["score"] == [0.9]


def test_historical_retrieval_by_date_range_takes_every_row_of_the_window(store):
    _write(store.repo_path, "scores.parquet", {
        "rider_id": [1, 1, 2, 3],
        "score": [0.1, 0.2, 0.3, 0.4],
        "event_timestamp": [NOW - pd.Timedelta("3h"), NOW - pd.Timedelta("1h"), NOW - pd.Timedelta("30min"),
                            NOW - pd.Timedelta("5D")],
    })
    store.apply([_rider(), _view("scores", "data/scores.parquet")])

    # no start: end minus the longest ttl (2 hours) -> rider 1's older row and rider 3 fall outside
    frame = store.get_historical_features(features=["scores:score"], end_date=NOW).to_df()
    assert frame[["rider_id", "score"]].values.tolist() == [[1, 0.2], [2, 0.3]]
    assert list(frame["event_timestamp"]) == [NOW - pd.Timedelta("1h"), NOW - pd.Timedelta("30min")]

    wide = store.get_historical_features(features=["scores:score"], start_date=NOW - pd.Timedelta("10D"),
                                         end_date=NOW).to_df()
    assert wide["score"].tolist() == [0.4, 0.1, 0.2, 0.3]  # by event time

    with pytest.raises(ValueError, match="not both"):
        store.get_historical_features(pd.DataFrame({"rider_id": [1], "event_timestamp": [NOW]}),
                                      ["scores:score"], start_date=NOW)
    with pytest.raises(ValueError, match="after"):
        store.get_historical_features(features=["scores:score"], start_date=NOW, end_date=NOW - pd.Timedelta("1h"))


def test_async_writes_land_like_the_sync_ones(store):
    from feast_core import PushSource

    _write(store.repo_path, "scores.parquet", {"rider_id": [1], "score": [0.1], "event_timestamp": [NOW]})
    view = _view("scores", "data/scores.parquet")
    push = PushSource(name="scores_push", batch_source=view.batch_source)
    pushed = FeatureView(name="pushed", entities=[_rider()], schema=view.schema, source=push, ttl=timedelta(0))
    store.apply([_rider(), view, push, pushed])
    _run(store.write_to_online_store_async(
        "scores", pd.DataFrame({"rider_id": [5], "score": [0.5], "event_timestamp": [NOW]})))
    _run(store.push_async(
        "scores_push", pd.DataFrame({"rider_id": [6], "score": [0.6], "event_timestamp": [NOW]})))
    online = store.get_online_features(["scores:score", "pushed:score"], [{"rider_id": 5}, {"rider_id": 6}],
                                       full_feature_names=True).to_dict()
    assert online["scores__score"][0] == 0.5 and online["pushed__score"][1] == 0.6
    with pytest.raises(EntityDataError):
        _run(store.write_to_online_store_async("scores", pd.DataFrame({"score": [1.0]})))


def test_cli_configuration_and_materialize_without_dates(demo_copy, feast):
    shown = yaml.safe_load(feast("configuration", cwd=demo_copy).stdout)
    assert shown["project"] == "demo" and shown["online_store"]["type"] == "sqlite"
    assert shown["offline_store"]["type"] == "file" and shown["registry"]["cache_ttl_seconds"] == 600

    feast("materialize", "--disable-event-timestamp", cwd=demo_copy)
    store = FeatureStore(repo_path=demo_copy)
    try:
        assert store.get_online_features(["driver_hourly_stats:conv_rate"], [{"driver_id": 1001}]).to_dict()[
            "conv_rate"][0] is not None
    finally:
        store.close()

    both = feast("materialize", "--disable-event-timestamp", "2021-01-01T00:00:00", "2021-01-02T00:00:00",
                 cwd=demo_copy, ok=False)
    assert both.returncode == 2 and "Cannot specify START_TS or END_TS" in feast.error_line(both)
    neither = feast("materialize", cwd=demo_copy, ok=False)
    assert neither.returncode == 2 and "START_TS and END_TS are required" in feast.error_line(neither)
    assert feast("entities", "describe", "nobody", cwd=demo_copy, ok=False).returncode == 1  # not a usage error


def test_writing_nothing_warns_and_writes_nothing(store):
    _write(store.repo_path, "scores.parquet", {"rider_id": [1], "score": [0.1], "event_timestamp": [NOW]})
    store.apply([_rider(), _view("scores", "data/scores.parquet")])
    store.write_to_online_store("scores", pd.DataFrame({"rider_id": [1], "score": [0.5], "event_timestamp": [NOW]}))
    with pytest.warns(UserWarning, match="Cannot write empty dataframe to online store.*'scores'"):
        store.write_to_online_store("scores", pd.DataFrame())
    with pytest.warns(UserWarning, match="Cannot write empty dataframe"):
        store.write_to_online_store("scores", inputs={"rider_id": [], "score": []})
    with pytest.warns(UserWarning, match="Cannot write dataframe with empty feature columns"):
        store.write_to_online_store("scores", pd.DataFrame({
            "rider_id": [1], "score": [None], "event_timestamp": [NOW + pd.Timedelta("1s")]}))
    # the all-null row did not replace the value
    assert store.get_online_features(["scores:score"], [{"rider_id": 1}]).to_dict()["score"] == [0.5]


def test_feature_view_names_are_unique_across_kinds_and_case(store):
    from feast_core import OnDemandFeatureView, RequestSource
    from feast_core.errors import ConflictingFeatureViewNames, DataSourceRepeatNamesException

    first, second = _view("Scores", "data/a.parquet"), _view("scores", "data/b.parquet")
    with pytest.raises(ConflictingFeatureViewNames, match="scores"):
        store.apply([_rider(), first, second])
    request = RequestSource(name="req", schema=[Field(name="bonus", dtype=Float64)])
    odfv = OnDemandFeatureView(name="SCORES", sources=[request], schema=[Field(name="out", dtype=Float64)],
                               udf=lambda df: df.rename(columns={"bonus": "out"}))
    with pytest.raises(ConflictingFeatureViewNames, match="FeatureView.*OnDemandFeatureView"):
        store.apply([_rider(), first, odfv])
    view = _view("scores", "data/a.parquet")
    store.apply([_rider(), view, view])  # the same object twice is one view
    a = _view("a", "data/a.parquet", name="shared")
    b = _view("b", "data/b.parquet", name="Shared")
    with pytest.raises(DataSourceRepeatNamesException, match="Shared"):
        store.apply([_rider(), a, b])
    assert [v.name for v in store.list_feature_views()] == ["scores"]


def test_apply_fills_in_the_objects_passed_to_it(store):
    _write(store.repo_path, "scores.parquet", {"rider_id": [1], "score": [0.1], "event_timestamp": [NOW]})
    rider = _rider()
    view = FeatureView(name="scores", entities=[rider], schema=[Field(name="score", dtype=Float64)],
                       source=FileSource(path="data/scores.parquet", timestamp_field="event_timestamp"))
    inferred = FeatureView(name="inferred", entities=[rider],
                           source=FileSource(path="data/scores.parquet", timestamp_field="event_timestamp"))
    assert view.join_keys == [] and view.entity_columns == [] and inferred.features == []
    store.apply([rider, view, inferred])
    assert view.join_keys == ["rider_id"] and view.entity_columns == [Field(name="rider_id", dtype=Int64)]
    assert [f.name for f in inferred.features] == ["score"] and inferred.projection.feature_names == ["score"]
    assert rider.value_type.name == "INT64"


def test_apply_tries_on_demand_functions_on_a_made_up_row(store):
    from feast_core import RequestSource
    from feast_core.on_demand_feature_view import on_demand_feature_view
    from feast_core.types import String

    request = RequestSource(name="req", schema=[Field(name="driver_name", dtype=String)])

    @on_demand_feature_view(sources=[request], schema=[Field(name="lower", dtype=String)], mode="pandas")
    def returns_nothing(inputs: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"lower": []})

    with pytest.raises(TypeError, match="no items were returned by the UDF.*'returns_nothing'"):
        store.apply([request, returns_nothing])
    store.apply([request, returns_nothing], skip_feature_view_validation=True)

    @on_demand_feature_view(sources=[request], schema=[Field(name="lower", dtype=String)], mode="python")
    def forgets_a_feature(inputs: dict) -> dict:
        return {"upper": [n.upper() for n in inputs["driver_name"]]}

    from feast_core.transform import TransformationError

    with pytest.raises(TransformationError, match="'forgets_a_feature' did not return.*lower"):
        store.apply([request, forgets_a_feature])


def test_on_demand_functions_see_their_sources_join_keys_and_nothing_else(store):
    from feast_core.on_demand_feature_view import on_demand_feature_view
    from feast_core.types import Bool

    _write(store.repo_path, "scores.parquet", {"rider_id": [1], "score": [0.1], "other": [5], "event_timestamp": [NOW]})
    scores = _view("scores", "data/scores.parquet")
    others = FeatureView(name="others", entities=[_rider()], schema=[Field(name="other", dtype=Int64)],
                         source=scores.batch_source, ttl=timedelta(days=1))

    @on_demand_feature_view(sources=[scores], schema=[Field(name="saw_key", dtype=Bool),
                                                      Field(name="saw_other", dtype=Bool)])
    def looks(inputs: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"saw_key": ["rider_id" in inputs.columns] * len(inputs),
                             "saw_other": ["other" in inputs.columns] * len(inputs)})

    store.apply([_rider(), scores, others, looks])
    store.materialize(NOW - pd.Timedelta("1D"), NOW, progress=False)
    refs = ["others:other", "looks:saw_key", "looks:saw_other"]
    online = store.get_online_features(refs, [{"rider_id": 1}]).to_dict()
    assert (online["saw_key"], online["saw_other"]) == ([True], [False])
    offline = store.get_historical_features(pd.DataFrame({"rider_id": [1], "event_timestamp": [NOW]}), refs).to_df()
    assert offline[["saw_key", "saw_other"]].values.tolist() == [[True, False]]


def test_apply_rereads_the_registry_only_in_sync_cache_mode(store):
    from unittest import mock

    with mock.patch.object(store, "refresh_registry", wraps=store.refresh_registry) as refresh:
        store.apply(_rider())
    assert refresh.call_count == 1
    store.config.registry.cache_mode = "thread"
    with mock.patch.object(store, "refresh_registry") as refresh:
        store.apply(Entity(name="driver", join_keys=["driver_id"]))
    assert refresh.call_count == 0
    assert {e.name for e in store.list_entities()} == {"rider", "driver"}  # an uncached read sees it


def test_update_by_expression_is_refused_by_name(store):
    with pytest.raises(NotImplementedError, match="does not support async update expressions.*DynamoDB"):
        _run(store.update_online_store("scores", pd.DataFrame({"rider_id": [1]}), {"score": "score + 1"}))
