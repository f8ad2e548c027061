"""The Spark offline store on a real local Spark: SparkSource kinds, SQL entity rows, pulls, appends, bad input.

The point-in-time semantics it shares with the other engines are tested in test_offline_pit.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import spark_support

from feast_core.config import SparkOfflineStoreConfig
from feast_core.definitions import FileSource, SparkSource
from feast_core.errors import DataSourceError, EntityDataError
from feast_core.offline.base import PullQuery, ViewQuery
from feast_core.offline.spark import SparkOfflineStore

UTC = timezone.utc
T0 = datetime(2024, 5, 1, tzinfo=UTC)
H = timedelta(hours=1)
TS = pa.timestamp("us", "UTC")

ROWS = pa.table({
    "driver_id": pa.array([1, 1, 1, 2, 2, 3], pa.int64()),
    "city": ["a", "a", "a", "a", "b", "a"],
    "trips": pa.array([10, 11, 12, 20, 21, 30], pa.int64()),
    "rate": [1.0, 1.1, 1.2, 2.0, 2.1, 3.0],
    "ts": pa.array([T0, T0 + H, T0 + H, T0 - 2 * H, T0, T0 + 5 * H], TS),
    "created": pa.array([T0, T0, T0 + H, T0, T0, T0], TS),
})


@pytest.fixture
def store(spark_session, tmp_path):
    offline = SparkOfflineStore(SparkOfflineStoreConfig(type="spark", spark_conf=spark_support.LEAN_CONF), tmp_path)
    yield offline
    offline.close()


@pytest.fixture
def table_name(spark_session):
    """A Spark catalog table holding ROWS (in the tests' temporary warehouse), dropped afterwards."""
    name = f"stats_{uuid.uuid4().hex[:8]}"
    spark_session.createDataFrame(ROWS).write.saveAsTable(name)
    yield name
    spark_session.sql(f"DROP TABLE IF EXISTS {name}")


def query(source, ttl=0.0, keys=("driver_id",), features=(("trips", "trips"),), name="fv", created="created"):
    return ViewQuery(name=name, source=source, join_keys=keys, entity_columns=keys, features=features,
                     timestamp_field=source.timestamp_field, created_timestamp_column=created, ttl_seconds=ttl)


def clean(message: str) -> None:
    """A message for a person: one line, no JVM or Python stack."""
    assert "\n" not in message
    for noise in ("at org.apache", "Traceback", "py4j", "JVM stacktrace", "java.lang"):
        assert noise not in message, message


def test_a_table_source_and_a_query_source_join_like_files(store, table_name):
    table = SparkSource(name="stats", table=table_name, timestamp_field="ts", created_timestamp_column="created")
    recent = SparkSource(name="recent", query=f"SELECT * FROM {table_name} WHERE city = 'a' AND trips <> 12", timestamp_field="ts",
                         field_mapping={"trips": "a_trips"})
    entity = pd.DataFrame({"driver_id": [2, 1, 9], "event_timestamp": [T0 + H, T0 + H, T0]})
    out = store.get_historical_features(entity, "event_timestamp", [
        query(table), query(recent, features=(("trips", "a_trips"),), name="recent", created=""),
    ])
    assert out.to_pylist() == [
        {"driver_id": 2, "event_timestamp": T0 + H, "trips": 21, "a_trips": 20},
        {"driver_id": 1, "event_timestamp": T0 + H, "trips": 12, "a_trips": 11},
        {"driver_id": 9, "event_timestamp": T0, "trips": None, "a_trips": None},
    ]


def test_the_broadcast_plan_and_the_window_plan_give_the_same_answers(store, tmp_path, monkeypatch):
    """With a ttl, few rows per key and entity rows from a DataFrame, the join runs as a broadcast hash join;
    otherwise as one window over the keys. Ties, a missing created time, both ttl bounds, null keys and values,
    duplicate and unmatched entity rows: the same answers from both."""
    import feast_core.offline.spark as spark_store

    rows = pa.table({
        "driver_id": pa.array([1, 1, 1, 2, 2, None, 3, 4, 4], pa.int64()),
        "ts": pa.array([T0, T0, T0, T0 - 2 * H, T0 - 3 * H, T0, T0, T0, T0 - H], TS),
        "created": pa.array([T0, T0 + 2 * H, T0 + H, None, T0, T0, T0, None, T0], TS),
        "rate": pa.array([1.0, 1.2, 1.1, 2.0, 2.1, 9.0, None, 4.0, 4.1], pa.float64()),
    })
    (tmp_path / "tricky").mkdir()
    pq.write_table(rows, tmp_path / "tricky" / "part-0.parquet")
    source = SparkSource(name="tricky", path="tricky", file_format="parquet", timestamp_field="ts",
                         created_timestamp_column="created")
    entity = pd.DataFrame({
        "driver_id": pd.array([1, 1, 2, 2, None, 3, 4, 5, 1], dtype="Int64"),
        "event_timestamp": [T0, T0 - timedelta(microseconds=1), T0, T0 + timedelta(microseconds=1), T0,
                            T0 + H, T0, T0, T0],
    })
    fv = query(source, ttl=2 * 3600, features=(("rate", "rate"),))
    expected = [1.2, None, 2.0, None, None, None, 4.0, None, 1.2]
    bounded = store.get_historical_features(entity, "event_timestamp", [fv])
    assert bounded["rate"].to_pylist() == expected
    monkeypatch.setattr(spark_store, "BROADCAST_ROWS_PER_KEY", 1)  # driver 1 has three entity rows: the window plan
    windowed = store.get_historical_features(entity, "event_timestamp", [fv])
    assert windowed.equals(bounded)


def test_the_bucketed_broadcast_plan_gives_the_answers_of_the_other_plans(store, tmp_path, monkeypatch):
    """Entity rows spanning many ttls: the broadcast join also matches on ttl-wide time buckets. Event times on
    bucket edges, exactly at T - ttl and at T, before 1970 (negative µs), ties and missing created times: the
    same answers as the plain broadcast plan and the window plan, and as worked out here."""
    import random

    import feast_core.offline.spark as spark_store

    ttl = 2 * H  # the buckets start at multiples of 2 h since 1970: every even hour below is on an edge
    rng = random.Random(5)
    origins = [T0, datetime(1969, 12, 31, 20, tzinfo=UTC)]  # the second puts rows on both sides of 1970
    rows, uncreated = [], set()
    for key in range(1, 7):
        origin = origins[key % 2]
        for i in range(12):
            ts = origin + rng.randrange(0, 48) * H + rng.choice([0, 0, 1, -1]) * timedelta(microseconds=1)
            created = ts + i * timedelta(microseconds=1)  # distinct within a key: every tie has one answer
            if rng.random() < 0.3 and (key, ts) not in uncreated:
                created = None
                uncreated.add((key, ts))
            rows.append((key, ts, created, round(rng.random(), 3)))
    table = pa.table({
        "driver_id": pa.array([r[0] for r in rows], pa.int64()),
        "ts": pa.array([r[1] for r in rows], TS),
        "created": pa.array([r[2] for r in rows], TS),
        "rate": pa.array([r[3] for r in rows], pa.float64()),
    })
    (tmp_path / "buckets").mkdir()
    pq.write_table(table, tmp_path / "buckets" / "part-0.parquet")
    source = SparkSource(name="buckets", path="buckets", file_format="parquet", timestamp_field="ts",
                         created_timestamp_column="created")
    entity_rows = []
    for key in range(0, 8):  # 0 and 7 have no rows
        origin = origins[key % 2]
        for _ in range(6):
            entity_rows.append((key, origin + rng.randrange(0, 50) * H + rng.choice([0, 1, -1]) * timedelta(microseconds=1)))
    entity = pd.DataFrame({"driver_id": [k for k, _ in entity_rows], "event_timestamp": [t for _, t in entity_rows]})

    def latest(key, at):
        found = [r for r in rows if r[0] == key and at - ttl <= r[1] <= at]
        if not found:
            return None
        return max(found, key=lambda r: (r[1], r[2] is not None, r[2] or r[1]))[3]

    expected = [latest(key, at) for key, at in entity_rows]
    assert sum(value is not None for value in expected) >= 10  # the data does exercise matches
    fv = query(source, ttl=ttl.total_seconds(), features=(("rate", "rate"),))
    bucketed = store.get_historical_features(entity, "event_timestamp", [fv])
    assert bucketed["rate"].to_pylist() == expected
    monkeypatch.setattr(spark_store, "BIN_MIN_SPAN_TTLS", 10**9)  # the plain broadcast plan
    assert store.get_historical_features(entity, "event_timestamp", [fv]).equals(bucketed)
    monkeypatch.setattr(spark_store, "BROADCAST_ROWS_PER_KEY", 1)  # the window plan
    assert store.get_historical_features(entity, "event_timestamp", [fv]).equals(bucketed)


def test_optimizer_rules_a_user_excludes_stay_excluded(spark_session):
    """feast_core excludes one optimizer rule in its session (ConvertToLocalRelation, see spark/session.py); rules
    the settings exclude stay excluded with it."""
    from feast_core.spark.session import EXCLUDED_RULES, OUR_EXCLUDED_RULES, open_spark

    theirs = "org.apache.spark.sql.catalyst.optimizer.CombineFilters"
    handle = open_spark({**spark_support.LEAN_CONF, EXCLUDED_RULES: theirs})
    assert handle.session.conf.get(EXCLUDED_RULES).split(",") == [theirs, *OUR_EXCLUDED_RULES]
    default = open_spark(spark_support.LEAN_CONF)
    assert default.session.conf.get(EXCLUDED_RULES).split(",") == list(OUR_EXCLUDED_RULES)


def test_source_schema_gives_arrow_types_with_utc_timestamps(store, table_name):
    schema = store.source_schema(SparkSource(name="stats", table=table_name, timestamp_field="ts"))
    assert schema.field("driver_id").type == pa.int64()
    assert schema.field("rate").type == pa.float64()
    assert schema.field("city").type == pa.string()
    assert schema.field("ts").type == TS


def test_csv_files_with_a_header_are_read_with_their_types(store, tmp_path):
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "part.csv").write_text(
        "driver_id,ts,trips\n1,2024-05-01 00:00:00,5\n1,2024-05-01 02:00:00,7\n")
    source = SparkSource(name="csvstats", path="csv", file_format="csv", timestamp_field="ts")
    entity = pd.DataFrame({"driver_id": [1, 1], "event_timestamp": [T0 + H, T0 + 3 * H]})
    out = store.get_historical_features(entity, "event_timestamp", [query(source, created="")])
    assert out["trips"].to_pylist() == [5, 7]


def test_entity_rows_from_a_spark_sql_query_keep_the_query_order_and_columns(store, table_name, spark_session):
    requests = f"requests_{uuid.uuid4().hex[:8]}"
    spark_session.createDataFrame(pa.table({
        "driver_id": pa.array([3, 1, 2], pa.int64()), "asked_at": pa.array([T0 + 6 * H, T0 + H, T0], TS),
        "note": ["x", None, "z"],
    })).write.saveAsTable(requests)
    source = SparkSource(name="stats", table=table_name, timestamp_field="ts", created_timestamp_column="created")
    try:
        out = store.get_historical_features(
            f"SELECT * FROM {requests} ORDER BY note DESC NULLS LAST", None, [query(source)])
    finally:
        spark_session.sql(f"DROP TABLE {requests}")
    assert out.column_names == ["driver_id", "asked_at", "note", "trips"]
    assert out.to_pylist() == [
        {"driver_id": 2, "asked_at": T0, "note": "z", "trips": 21},
        {"driver_id": 3, "asked_at": T0 + 6 * H, "note": "x", "trips": 30},
        {"driver_id": 1, "asked_at": T0 + H, "note": None, "trips": 12},
    ]


def test_a_file_source_is_read_with_its_appended_parts(store, tmp_path):
    pq.write_table(ROWS, tmp_path / "stats.parquet")
    source = FileSource(name="stats", path="stats.parquet", timestamp_field="ts", created_timestamp_column="created")
    store.write(source, ROWS.slice(0, 1).set_column(2, "trips", pa.array([99], pa.int64()))
                .set_column(4, "ts", pa.array([T0 + 2 * H], TS)))
    assert len(list((tmp_path / "stats.parquet.d").glob("*.parquet"))) == 1
    entity = pd.DataFrame({"driver_id": [1], "event_timestamp": [T0 + 3 * H]})
    assert store.get_historical_features(entity, "event_timestamp", [query(source)])["trips"].to_pylist() == [99]


def test_date_partitions_outside_the_asked_range_are_not_read(store, tmp_path):
    rows = pa.table({"driver_id": pa.array([1, 1], pa.int64()), "ts": pa.array([T0, T0 + H], TS),
                     "trips": pa.array([1, 2], pa.int64()), "day": ["2024-05-01", "2024-04-01"]})
    (tmp_path / "days").mkdir()
    pq.write_table(rows, tmp_path / "days" / "part.parquet")
    source = SparkSource(name="days", path="days", file_format="parquet", timestamp_field="ts",
                         date_partition_column="day")
    entity = pd.DataFrame({"driver_id": [1], "event_timestamp": [T0 + 2 * H]})
    # the row at T0+H claims a day outside [T0 - ttl, T]: its partition is skipped, so T0's row wins
    out = store.get_historical_features(entity, "event_timestamp", [query(source, ttl=86400, created="")])
    assert out["trips"].to_pylist() == [1]


def test_pull_latest_streams_the_latest_row_per_key_in_chunks(store, table_name):
    source = SparkSource(name="stats", table=table_name, timestamp_field="ts", created_timestamp_column="created")
    pull = PullQuery(source=source, join_keys=("driver_id",), columns=("trips", "rate"), timestamp_field="ts",
                     created_timestamp_column="created", start=T0 - H, end=T0 + H)
    batches = list(store.pull_latest(pull, chunk_rows=1))
    assert all(b.num_rows == 1 for b in batches)
    rows = sorted(pa.Table.from_batches(batches).to_pylist(), key=lambda r: r["driver_id"])
    # driver 1: the tie at T0+H goes to the later created time; driver 2's T0-2H row is before the window;
    # driver 3's row is after it
    assert [(r["driver_id"], r["trips"], r["ts"], r["created"]) for r in rows] == [
        (1, 12, T0 + H, T0 + H), (2, 21, T0, T0)]


def test_appends_to_a_table_and_to_a_path_are_read_back(store, table_name, tmp_path):
    pushed = pa.table({"driver_id": pa.array([4], pa.int64()), "city": ["c"], "trips": pa.array([40], pa.int64()),
                       "rate": [4.0], "ts": pa.array([T0], TS), "created": pa.array([T0], TS)})
    table = SparkSource(name="stats", table=table_name, timestamp_field="ts", created_timestamp_column="created")
    store.write(table, pushed.select(["ts", "trips", "driver_id", "created", "rate", "city"]))  # any column order
    folder = SparkSource(name="pushes", path="pushes", file_format="parquet", timestamp_field="ts")
    store.write(folder, pushed)
    store.write(folder, pushed.set_column(2, "trips", pa.array([41], pa.int64())).set_column(4, "ts", pa.array([T0 + H], TS)))
    entity = pd.DataFrame({"driver_id": [4, 4], "event_timestamp": [T0, T0 + 2 * H]})
    out = store.get_historical_features(entity, "event_timestamp", [
        query(table), query(folder, features=(("trips", "pushed"),), name="pushes", created="")])
    assert out["trips"].to_pylist() == [40, 40]
    assert out["pushed"].to_pylist() == [40, 41]


def test_appending_wrong_columns_is_refused_and_changes_nothing(store, table_name):
    table = SparkSource(name="stats", table=table_name, timestamp_field="ts")
    with pytest.raises(DataSourceError) as error:
        store.write(table, pa.table({"driver_id": [1], "speed": [2.0]}))
    assert "'speed'" in str(error.value) and "'trips'" in str(error.value) and table_name in str(error.value)
    with pytest.raises(DataSourceError, match="query"):
        store.write(SparkSource(name="q", query="SELECT 1", timestamp_field="ts"), ROWS)
    assert store.frame(table).count() == ROWS.num_rows


def test_an_unknown_table_is_named_without_a_jvm_stack(store):
    source = SparkSource(name="ghost", table="no_such_table", timestamp_field="ts")
    with pytest.raises(DataSourceError) as error:
        store.source_schema(source)
    message = str(error.value)
    assert "'ghost'" in message and "no_such_table" in message and "TABLE_OR_VIEW_NOT_FOUND" in message
    clean(message)


def test_a_broken_query_is_named_without_a_jvm_stack(store, table_name):
    source = SparkSource(name="broken", query=f"SELEC trips FROM {table_name}", timestamp_field="ts")
    entity = pd.DataFrame({"driver_id": [1], "event_timestamp": [T0]})
    with pytest.raises(DataSourceError) as error:
        store.get_historical_features(entity, "event_timestamp", [query(source, created="")])
    assert "'broken'" in str(error.value) and "PARSE_SYNTAX_ERROR" in str(error.value)
    clean(str(error.value))


def test_a_missing_column_is_named_with_the_columns_there_are(store, table_name):
    source = SparkSource(name="stats", table=table_name, timestamp_field="ts", created_timestamp_column="created")
    entity = pd.DataFrame({"driver_id": [1], "event_timestamp": [T0]})
    with pytest.raises(DataSourceError) as error:
        store.get_historical_features(entity, "event_timestamp", [query(source, features=(("speed", "speed"),))])
    assert "'speed'" in str(error.value) and "trips" in str(error.value) and "'fv'" in str(error.value)


def test_wrong_types_are_named(store, table_name):
    source = SparkSource(name="stats", table=table_name, timestamp_field="ts", created_timestamp_column="created")
    words = pd.DataFrame({"driver_id": ["one"], "event_timestamp": [T0]})
    with pytest.raises(EntityDataError) as error:
        store.get_historical_features(words, "event_timestamp", [query(source)])
    assert "'driver_id'" in str(error.value) and "string" in str(error.value) and "bigint" in str(error.value)
    not_a_time = SparkSource(name="stats", table=table_name, timestamp_field="city")
    with pytest.raises(DataSourceError, match="'city' holds string values, not timestamps"):
        store.get_historical_features(pd.DataFrame({"driver_id": [1], "event_timestamp": [T0]}), "event_timestamp",
                                      [query(not_a_time, created="")])


def test_spark_source_keeps_feasts_constructor_rules():
    with pytest.raises(ValueError, match="name"):
        SparkSource(path="x", file_format="parquet")
    with pytest.raises(ValueError, match="cannot be combined"):
        SparkSource(table="t", query="SELECT 1")
    with pytest.raises(ValueError, match="file_format"):
        SparkSource(name="x", path="x")
    with pytest.raises(ValueError, match="'orc'"):
        SparkSource(name="x", path="x", file_format="orc")
    both = SparkSource(name="x", query="SELECT 1", path="out", file_format="parquet")
    assert (both.query, both.path, SparkSource(table="db.t").name) == ("SELECT 1", "out", "db.t")


def test_spark_sources_cross_the_wire_with_upstream_feast_both_ways(upstream_feast, tmp_path):
    """Feast's DataSource message (type BATCH_SPARK, spark_options = field 27), read and written by Feast 0.67."""
    import base64
    import json

    from feast_core.definitions import DataSource

    ours = [
        SparkSource(name="by_path", path="s3a://bucket/stats", file_format="parquet", timestamp_field="ts",
                    created_timestamp_column="created", field_mapping={"t": "trips"}, tags={"team": "a"},
                    date_partition_column="day", date_partition_column_format="%Y%m%d", description="d", owner="o"),
        SparkSource(table="db.stats", timestamp_field="ts"),
        SparkSource(name="q", query="SELECT * FROM x", path="out", file_format="json", timestamp_field="ts"),
    ]
    encoded = [base64.b64encode(s.to_proto().SerializeToString()).decode() for s in ours]
    script = f"""
        import base64, json, warnings
        warnings.simplefilter("ignore")
        from feast.protos.feast.core.DataSource_pb2 import DataSource
        from feast.infra.offline_stores.contrib.spark_offline_store.spark_source import SparkSource
        out = []
        for raw in {encoded!r}:
            source = SparkSource.from_proto(DataSource.FromString(base64.b64decode(raw)))
            seen = [source.name, source.table, source.query, source.path, source.file_format, source.timestamp_field,
                    source.created_timestamp_column, source.field_mapping, source.tags, source.date_partition_column,
                    source.date_partition_column_format]
            out.append([seen, base64.b64encode(source.to_proto().SerializeToString()).decode()])
        print(json.dumps(out))
    """
    answers = upstream_feast.run_python(script, cwd=tmp_path)
    assert answers[0][0] == ["by_path", "", "", "s3a://bucket/stats", "parquet", "ts", "created", {"t": "trips"},
                             {"team": "a"}, "day", "%Y%m%d"]
    assert [a[0][:5] for a in answers[1:]] == [["db.stats", "db.stats", "", "", ""], ["q", "", "SELECT * FROM x", "out", "json"]]
    from feast_core.protos.feast.core.DataSource_pb2 import DataSource as DataSourceProto

    back = [DataSource.from_proto(DataSourceProto.FromString(base64.b64decode(a[1]))) for a in answers]
    assert [type(s) for s in back] == [SparkSource] * 3
    assert [s.to_dict() for s in back] == [s.to_dict() for s in ours]
    assert json.dumps([s.to_dict() for s in back])  # plain data for the registry
