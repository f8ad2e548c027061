"""Materialization computed in Spark (``batch_engine: spark.engine``) into real SQLite and PostgreSQL online
stores, through FeatureStore as a user runs it; and a Spark offline store under the local engine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import spark_support
import yaml

from feast_core import Entity, FeatureStore, FeatureView, Field
from feast_core.definitions import SparkSource
from feast_core.errors import FeastError
from feast_core.spark.engine import SparkMaterializationEngine
from feast_core.types import Float64, Int64

UTC = timezone.utc
T0 = datetime(2024, 5, 1, tzinfo=UTC)
H = timedelta(hours=1)
TS = pa.timestamp("us", "UTC")

# (driver, event hour, created hour, trips, rate)
ROWS = [
    (1, 0, 0, 10, 1.0), (1, 2, 2, 12, 1.2), (1, 2, 5, 13, 1.3),  # a tie at hour 2: the later created wins
    (2, 1, 1, 20, 2.0), (2, 9, 9, 29, 2.9),  # hour 9 is after the first window
    (3, -3, -3, 30, None),  # before the first window; a null feature
] + [(k, 4, 4, k, float(k)) for k in range(100, 160)]  # enough keys for several partitions


def write_rows(folder: Path, rows) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "driver_id": pa.array([r[0] for r in rows], pa.int64()),
        "event_timestamp": pa.array([T0 + r[1] * H for r in rows], TS),
        "created": pa.array([T0 + r[2] * H for r in rows], TS),
        "trips": pa.array([r[3] for r in rows], pa.int64()),
        "rate": pa.array([r[4] for r in rows], pa.float64()),
    }), folder / f"part-{len(list(folder.iterdir()))}.parquet")


def make_store(repo: Path, online: dict, engine: dict | None) -> tuple[FeatureStore, FeatureView]:
    write_rows(repo / "data" / "stats", ROWS)
    config = {
        "project": "sparkmat", "registry": "data/registry.db", "provider": "local", "online_store": online,
        "offline_store": {"type": "spark", "spark_conf": spark_support.LEAN_CONF},
        "entity_key_serialization_version": 3,
    }
    if engine is not None:
        config["batch_engine"] = engine
    (repo / "feature_store.yaml").write_text(yaml.safe_dump(config))
    driver = Entity(name="driver", join_keys=["driver_id"])
    source = SparkSource(name="stats", path="data/stats", file_format="parquet", timestamp_field="event_timestamp",
                         created_timestamp_column="created")
    view = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(0), source=source,
                       schema=[Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64)])
    store = FeatureStore(repo_path=repo)
    store.apply([driver, source, view])
    return store, view


def online(store: FeatureStore, keys) -> list[tuple]:
    result = store.get_online_features(
        features=["driver_stats:trips", "driver_stats:rate"], entity_rows=[{"driver_id": k} for k in keys]
    ).to_dict()
    return list(zip(result["driver_id"], result["trips"], result["rate"]))


def check_materialization(store: FeatureStore) -> None:
    store.materialize(T0 - H, T0 + 4 * H, progress=False)
    assert online(store, [1, 2, 3, 100, 159, 7]) == [
        (1, 13, 1.3), (2, 20, 2.0), (3, None, None), (100, 100, 100.0), (159, 159, 159.0), (7, None, None)]
    # an older window after a newer one changes nothing: driver 1's hour-0 row is older than what is stored
    store.materialize(T0 - 5 * H, T0 + H, progress=False)
    assert online(store, [1, 2, 3]) == [(1, 13, 1.3), (2, 20, 2.0), (3, 30, None)]
    # the next window brings driver 2's newer row; a second identical run converges to the same rows
    for _ in range(2):
        store.materialize(T0 + 4 * H, T0 + 10 * H, progress=False)
        assert online(store, [1, 2, 3]) == [(1, 13, 1.3), (2, 29, 2.9), (3, 30, None)]
    intervals = store.get_materialization("driver_stats").intervals
    assert [tuple(i) for i in intervals] == [(T0 - 5 * H, T0 + 10 * H)]  # the three windows touch: one interval


@pytest.fixture
def engine_block():
    return {"type": "spark.engine", "partitions": 3}


def test_spark_engine_materializes_into_sqlite_from_executors(spark_session, tmp_path, engine_block):
    store, _ = make_store(tmp_path, {"type": "sqlite", "path": "data/online.db"}, engine_block)
    engine = store._materialization_engine()
    assert isinstance(engine, SparkMaterializationEngine) and engine.writes_from_executors
    check_materialization(store)
    store.close()


def test_spark_engine_materializes_into_postgresql_from_executors(spark_session, postgres_db, tmp_path, engine_block):
    store, _ = make_store(tmp_path, {"type": "postgres", **postgres_db.store_config()}, engine_block)
    assert store._materialization_engine().writes_from_executors
    check_materialization(store)
    store.close()


def test_spark_engine_streams_to_the_driver_when_executors_cannot_reach_sqlite(
    spark_session, tmp_path, engine_block, monkeypatch
):
    # what a remote cluster gets with a SQLite online store: the driver writes, one chunk at a time
    monkeypatch.setattr(SparkMaterializationEngine, "writes_from_executors", property(lambda self: False))
    store, _ = make_store(tmp_path, {"type": "sqlite", "path": "data/online.db"}, engine_block)
    check_materialization(store)
    store.close()


def test_the_local_engine_pulls_from_the_spark_offline_store(spark_session, tmp_path):
    store, _ = make_store(tmp_path, {"type": "sqlite", "path": "data/online.db"}, None)
    check_materialization(store)
    store.close()


def test_a_failed_write_in_spark_names_the_view_and_records_no_interval(spark_session, tmp_path, engine_block):
    store, _ = make_store(tmp_path, {"type": "sqlite", "path": "data/online.db"}, engine_block)
    store.online_store.close()
    for suffix in ("", "-wal", "-shm"):  # the online database becomes a directory: every partition's write fails
        Path(f"{tmp_path}/data/online.db{suffix}").unlink(missing_ok=True)
    (tmp_path / "data" / "online.db").mkdir()
    with pytest.raises(FeastError) as error:
        store.materialize(T0 - H, T0 + 4 * H, progress=False)
    message = str(error.value)
    assert "driver_stats" in message and "\n" not in message
    for noise in ("at org.apache", "Traceback", "JVM stacktrace"):
        assert noise not in message
    assert store.get_materialization("driver_stats", allow_cache=False).intervals == []
    store.close()


def test_the_spark_engine_refuses_postgresql_sources(spark_session, tmp_path):
    from feast_core.definitions import PostgreSQLSource

    store, _ = make_store(tmp_path, {"type": "sqlite", "path": "data/online.db"}, {"type": "spark.engine"})
    driver = Entity(name="driver", join_keys=["driver_id"])
    source = PostgreSQLSource(name="pg", table="stats", timestamp_field="event_timestamp")
    view = FeatureView(name="pg_stats", entities=[driver], source=source,
                       schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64)])
    store.apply([driver, source, view], skip_source_validation=True)
    with pytest.raises(FeastError, match="pg_stats.*PostgreSQLSource"):
        store.materialize(T0, T0 + H, feature_views=["pg_stats"], progress=False)
    store.close()


def test_entity_rows_as_pandas_a_spark_sql_string_or_a_spark_dataframe_give_one_answer(spark_session, tmp_path):
    store, _ = make_store(tmp_path, {"type": "sqlite", "path": "data/online.db"}, None)
    rows = pd.DataFrame({"driver_id": [3, 1, 2, 8], "event_timestamp": [T0 + 3 * H] * 3 + [T0]})
    features = ["driver_stats:trips", "driver_stats:rate"]
    frame = spark_session.createDataFrame(pa.Table.from_pandas(rows, preserve_index=False))
    frame.createOrReplaceGlobalTempView("spark_engine_entity_rows")
    answers = [
        store.get_historical_features(entity_df=entity, features=features).to_arrow().select(["driver_id", "trips", "rate"])
        for entity in (rows, frame, "SELECT * FROM global_temp.spark_engine_entity_rows")
    ]
    assert answers[0].to_pylist() == [
        {"driver_id": 3, "trips": 30, "rate": None}, {"driver_id": 1, "trips": 13, "rate": 1.3},
        {"driver_id": 2, "trips": 20, "rate": 2.0}, {"driver_id": 8, "trips": None, "rate": None}]
    assert answers[1].to_pylist() == answers[0].to_pylist() == answers[2].to_pylist()
    store.close()
