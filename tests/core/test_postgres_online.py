"""The PostgreSQL online store against a real server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest

from feast_core.config import PostgresOnlineStoreConfig
from feast_core.definitions import Entity, FeatureView, Field, PostgreSQLSource
from feast_core.errors import EntityDataError, OnlineDataError, StoreUnavailableError
from feast_core.online import encoding, postgres
from feast_core.online.base import CREATED_TS, EVENT_TS
from feast_core.online.postgres import PostgresOnlineStore
from feast_core.types import Array, Bool, Bytes, Float32, Float64, Int32, Int64, String, UnixTimestamp

from . import earlier_online_layout

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
DRIVER = Entity(name="driver", join_keys=["driver_id"])
CUSTOMER = Entity(name="customer", join_keys=["customer_id"])
SOURCE = PostgreSQLSource(name="stats", table="stats", timestamp_field="ts")


def micros(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def view(*features: Field, name: str = "driver_stats", entities=(DRIVER,), keys=(Field(name="driver_id", dtype=Int64),)):
    features = features or (Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64))
    return FeatureView(name=name, source=SOURCE, entities=list(entities), schema=[*keys, *features])


def rows(fv: FeatureView, data: dict, event: list[datetime], created: list[datetime] | None = None) -> pa.Table:
    dtypes = {f.name: f.dtype.arrow for f in fv.schema}
    columns = {name: pa.array(values, dtypes[name]) for name, values in data.items()}
    columns[EVENT_TS] = pa.array(event, pa.timestamp("us", tz="UTC"))
    if created is not None:
        columns[CREATED_TS] = pa.array(created, pa.timestamp("us", tz="UTC"))
    return pa.table(columns)


def config(db, **extra) -> PostgresOnlineStoreConfig:
    return PostgresOnlineStoreConfig(type="postgres", **{**db.store_config(), **extra})


@pytest.fixture
def store(postgres_db):
    online = PostgresOnlineStore(config(postgres_db, db_schema="online"))
    yield online
    online.close()


def test_all_types_round_trip_as_python_values(store):
    fv = view(
        Field(name="i32", dtype=Int32), Field(name="i64", dtype=Int64), Field(name="f32", dtype=Float32),
        Field(name="f64", dtype=Float64), Field(name="s", dtype=String), Field(name="b", dtype=Bytes),
        Field(name="ok", dtype=Bool), Field(name="at", dtype=UnixTimestamp), Field(name="li", dtype=Array(Int64)),
        Field(name="ls", dtype=Array(String)), Field(name="lf", dtype=Array(Float32)),
        Field(name="lb", dtype=Array(Bytes)), Field(name="lt", dtype=Array(UnixTimestamp)),
    )
    store.update("proj", [fv], [])
    store.write("proj", fv, rows(fv, {
        "driver_id": [1, 2], "i32": [7, None], "i64": [2**40, 3], "f32": [0.5, None], "f64": [1.25, float("nan")],
        "s": ['a "quoted", \n line', ""], "b": [b"\x00\xff", None], "ok": [True, False], "at": [T0, None],
        "li": [[1, -3], []], "ls": [['x"y', "NULL", None], None], "lf": [[1.5], None],
        "lb": [[b"\x01", None], None], "lt": [[T0], None],
    }, [T0, T0]))
    read = store.read("proj", fv, [(2,), (1,), (3,)], ["i32", "i64", "f32", "f64", "s", "b", "ok", "at", "li", "ls",
                                                      "lf", "lb", "lt"])
    assert read.event_ts["i32"] == [micros(T0), micros(T0), None]
    v = read.values
    assert v["i32"] == [None, 7, None] and v["i64"] == [3, 2**40, None]
    assert v["f32"][1] == 0.5 and v["f64"][1] == 1.25 and v["f64"][0] is None  # NaN is stored as null, as Feast does
    assert v["s"] == ["", 'a "quoted", \n line', None]
    assert v["b"] == [None, b"\x00\xff", None]
    assert v["ok"] == [False, True, None]
    assert v["at"] == [None, T0, None]
    assert v["li"] == [[], [1, -3], None]
    assert v["ls"] == [None, ['x"y', "NULL", ""], None]  # Feast's lists hold no nulls: "" for a string
    assert v["lf"][1] == [1.5] and v["lb"][1] == [b"\x01", b""] and v["lt"][1] == [T0]


def test_numbers_read_for_many_keys_are_the_values_written(store):
    """A read of many keys decodes each numeric feature in one pass over the packed result (no bytes object per
    value): every value comes back as written, from one-byte varints to ten-byte negative ones."""
    import random

    fv = view(Field(name="i32", dtype=Int32), Field(name="i64", dtype=Int64), Field(name="f32", dtype=Float32),
              Field(name="f64", dtype=Float64), Field(name="ok", dtype=Bool))
    store.update("proj", [fv], [])
    pick = random.Random(3)
    ids = list(range(60))
    i64 = [0, 1, 127, 128, 16383, 16384, -1, -(2**63), 2**63 - 1, 2**40] + [pick.randrange(-(2**63), 2**63) for _ in range(50)]
    i32 = [0, -1, 2**31 - 1, -(2**31), 300] + [pick.randrange(-(2**31), 2**31) for _ in range(55)]
    f32 = [pick.uniform(-1e6, 1e6) for _ in ids]
    f64 = [pick.uniform(-1e300, 1e300) for _ in ids]
    ok = [pick.random() < 0.5 for _ in ids]
    store.write("proj", fv, rows(fv, {"driver_id": ids, "i32": i32, "i64": i64, "f32": f32, "f64": f64, "ok": ok},
                                 [T0] * 60))
    asked = list(reversed(ids))
    read = store.read("proj", fv, [(i,) for i in asked], ["f64", "i64", "ok", "i32", "f32"])
    assert read.values["i64"] == [i64[i] for i in asked] and read.values["i32"] == [i32[i] for i in asked]
    assert read.values["f64"] == [f64[i] for i in asked] and read.values["ok"] == [ok[i] for i in asked]
    assert read.values["f32"] == [float(pa.array([f32[i]], pa.float32())[0].as_py()) for i in asked]
    assert all(type(v) is int for v in read.values["i64"]) and all(type(v) is bool for v in read.values["ok"])
    assert read.event_ts["i64"] == [micros(T0)] * 60


def test_an_older_write_never_replaces_newer_data(store):
    fv = view()
    store.update("proj", [fv], [])
    store.write("proj", fv, rows(fv, {"driver_id": [1, 2], "trips": [10, 20]}, [T0, T0], [T0, T0]))
    older, newer = T0 - timedelta(hours=1), T0 + timedelta(hours=1)
    store.write("proj", fv, rows(fv, {"driver_id": [1, 2], "trips": [11, 21]}, [older, T0], [newer, T0 - timedelta(1)]))
    assert store.read("proj", fv, [(1,), (2,)], ["trips"]).values["trips"] == [10, 20]
    # equal event time, newer created time wins; duplicate keys in one batch: the latest row wins
    store.write("proj", fv, rows(fv, {"driver_id": [1, 2, 2], "trips": [12, 22, 23]}, [T0, newer, newer + timedelta(1)],
                                 [newer, T0, T0]))
    read = store.read("proj", fv, [(1,), (2,)], ["trips"])
    assert read.values["trips"] == [12, 23]
    assert read.event_ts["trips"] == [micros(T0), micros(newer + timedelta(1))]


def test_composite_keys_and_key_order(store):
    keys = (Field(name="driver_id", dtype=Int64), Field(name="customer_id", dtype=String))
    fv = view(Field(name="score", dtype=Float64), name="pairs", entities=(DRIVER, CUSTOMER), keys=keys)
    store.update("proj", [fv], [])
    store.write("proj", fv, rows(fv, {"driver_id": [1, 1, 2], "customer_id": ["a", "b", "a"], "score": [1.0, 2.0, 3.0]},
                                 [T0] * 3))
    read = store.read("proj", fv, [(2, "a"), (1, "b"), (1, "z"), (1, "a")], ["score"])
    assert read.values["score"] == [3.0, 2.0, None, 1.0]


def test_entity_less_view_keeps_one_row(store):
    fv = FeatureView(name="global", source=SOURCE, entities=[], schema=[Field(name="total", dtype=Int64)])
    store.update("proj", [fv], [])
    store.write("proj", fv, pa.table({"total": [5, 6], EVENT_TS: pa.array([T0, T0 + timedelta(1)], pa.timestamp("us", tz="UTC"))}))
    assert store.read("proj", fv, [(), ()], ["total"]).values["total"] == [6, 6]


def test_tables_are_in_feasts_layout_in_db_schema(store, postgres_db):
    fv = view(Field(name="trips", dtype=Int64), Field(name="city", dtype=String))
    store.update("proj", [fv], [])
    store.write("proj", fv, rows(fv, {"driver_id": [1001], "trips": [3], "city": ["Oslo"]}, [T0], [T0 + timedelta(1)]))
    with postgres_db.connect() as conn:
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'online' "
            "AND table_name = 'proj_driver_stats' ORDER BY ordinal_position").fetchall()
        assert columns == [("entity_key", "bytea"), ("feature_name", "text"), ("value", "bytea"),
                           ("value_text", "text"), ("vector_value", "bytea"),
                           ("event_ts", "timestamp with time zone"), ("created_ts", "timestamp with time zone")]
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'online'")}
        assert {"proj_driver_stats_ek", "proj_driver_stats_fts_idx"} <= indexes
        row = conn.execute("SELECT value, value_text, event_ts, created_ts FROM online.proj_driver_stats "
                           "WHERE feature_name = 'trips'").fetchone()
        assert row == (bytes.fromhex("2003"), "3", T0, T0 + timedelta(1))


def test_feature_and_type_changes_keep_rows_and_teardown_drops(store, postgres_db):
    fv = view()
    store.update("proj", [fv], [])
    store.write("proj", fv, rows(fv, {"driver_id": [1], "trips": [10]}, [T0]))
    wider = view(Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64), Field(name="extra", dtype=String))
    store.update("proj", [wider], [])
    assert store.read("proj", wider, [(1,)], ["trips", "extra"]).values == {"trips": [10], "extra": [None]}
    retyped = view(Field(name="trips", dtype=String))
    store.update("proj", [retyped], [])
    assert store.read("proj", retyped, [(1,)], ["trips"]).values == {"trips": [10]}  # as written, as Feast reads it
    store.teardown("proj", [retyped])
    with postgres_db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'online'").fetchone() == (0,)


def test_write_before_apply_creates_the_table_and_bad_values_are_named(store):
    fv = view()
    store.write("proj", fv, rows(fv, {"driver_id": [1], "trips": [10]}, [T0]))
    assert store.read("proj", fv, [(1,)], ["trips"]).values["trips"] == [10]
    bad = pa.table({"driver_id": [1], "trips": ["ten"], EVENT_TS: pa.array([T0], pa.timestamp("us", tz="UTC"))})
    with pytest.raises(EntityDataError, match="trips|driver_stats"):
        store.write("proj", fv, bad)
    assert store.read("proj", fv, [(1,)], ["trips"]).values["trips"] == [10]


BAD_BATCHES = {
    "a join key column is missing": ({"trips": [1]}, "lack column.*'driver_id'"),
    "a join key is null": ({"driver_id": [1, None], "trips": [1, 2]}, "'driver_id' has missing values"),
    "the event time is missing": ({"driver_id": [1], "trips": [1], EVENT_TS: None}, "lack column.*event_timestamp"),
    "an event time is null": ({"driver_id": [1], "trips": [1], EVENT_TS: [None]}, "'event_timestamp' has missing"),
    "event times are not timestamps": ({"driver_id": [1], "trips": [1], EVENT_TS: ["today"]}, "not timestamps"),
}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_both_stores_refuse_the_same_bad_batches_by_name_and_write_nothing(kind, postgres_db, tmp_path):
    from feast_core.config import SqliteOnlineStoreConfig
    from feast_core.online.sqlite import SqliteOnlineStore

    online = (SqliteOnlineStore(SqliteOnlineStoreConfig(), tmp_path) if kind == "sqlite"
              else PostgresOnlineStore(config(postgres_db, db_schema="refusals")))
    try:
        fv = view()
        online.update("proj", [fv], [])
        online.write("proj", fv, rows(fv, {"driver_id": [1], "trips": [10]}, [T0]))
        for what, (data, message) in BAD_BATCHES.items():
            columns = {name: values for name, values in data.items() if name != EVENT_TS}
            if EVENT_TS not in data:
                columns[EVENT_TS] = pa.array([T0 + timedelta(days=1)] * len(data["trips"]), pa.timestamp("us", tz="UTC"))
            elif data[EVENT_TS] is not None:
                columns[EVENT_TS] = pa.array(data[EVENT_TS], None if data[EVENT_TS][0] else pa.timestamp("us", tz="UTC"))
            with pytest.raises(EntityDataError, match=f"feature view 'driver_stats'.*{message}"):
                online.write("proj", fv, pa.table(columns))
        assert online.read("proj", fv, [(1,)], ["trips"]).values["trips"] == [10], what
    finally:
        online.close()


def test_reading_an_unapplied_view_gives_no_rows(store):
    assert store.read("proj", view(), [(1,)], ["trips"]).event_ts == {"trips": [None]}


def test_pool_serves_concurrent_readers(postgres_db):
    from concurrent.futures import ThreadPoolExecutor

    online = PostgresOnlineStore(config(postgres_db, min_conn=1, max_conn=3))
    fv = view()
    online.update("proj", [fv], [])
    online.write("proj", fv, rows(fv, {"driver_id": list(range(100)), "trips": list(range(100))}, [T0] * 100))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: online.read("proj", fv, [(i,), (i + 1,)], ["trips"]).values["trips"], range(50)))
    assert results == [[i, i + 1] for i in range(50)]
    online.close()


def test_server_restart_while_open(postgres_server, postgres_db):
    online = PostgresOnlineStore(config(postgres_db))
    fv = view()
    online.update("proj", [fv], [])
    online.write("proj", fv, rows(fv, {"driver_id": [1], "trips": [10]}, [T0]))
    postgres_server.stop()
    try:
        with pytest.raises(StoreUnavailableError) as caught:
            online.read("proj", fv, [(1,)], ["trips"])
        assert f"{postgres_db.host}:{postgres_db.port}/{postgres_db.name}" in str(caught.value)
        assert postgres_db.password not in str(caught.value)
    finally:
        postgres_server.start()
    assert online.read("proj", fv, [(1,)], ["trips"]).values["trips"] == [10]
    online.close()


@pytest.mark.parametrize("change, expected", [
    ({"password": "N0tThePassw0rd"}, "password authentication failed"),
    ({"database": "missing_db"}, "missing_db"),
    ({"host": "no-such-host.invalid"}, "no-such-host.invalid"),
])
def test_connection_errors_are_clear_and_hide_the_password(postgres_db, change, expected):
    online = PostgresOnlineStore(config(postgres_db, **change))
    with pytest.raises(StoreUnavailableError) as caught:
        online.read("proj", view(), [(1,)], ["trips"])
    message = str(caught.value)
    assert expected in message
    assert "N0tThePassw0rd" not in message and postgres_db.password not in message


def test_a_large_first_write_leaves_the_table_with_statistics_and_nulls_intact(store, postgres_db):
    """Reads right after a first materialization must not plan against a table without statistics; NULL
    features (binary COPY with per-field NULLs) read back as None."""
    fv = view()
    store.update("proj", [fv], [])
    n = 2000
    store.write("proj", fv, rows(fv, {"driver_id": list(range(n)), "trips": [None if i % 7 == 0 else i for i in range(n)],
                                      "rate": [i / 2 for i in range(n)]}, [T0] * n))
    with postgres_db.connect() as conn:
        analyzed = conn.execute("SELECT reltuples FROM pg_class WHERE oid = 'online.proj_driver_stats'::regclass").fetchone()[0]
    assert analyzed == 2 * n  # one row per entity and feature
    read = store.read("proj", fv, [(0,), (1,), (n - 1,), (n,)], ["trips", "rate"])
    assert read.values == {"trips": [None, 1, n - 1, None], "rate": [0.0, 0.5, (n - 1) / 2, None]}


def test_connection_timeouts_come_from_the_environment_and_bad_values_are_named(monkeypatch):
    from feast_core.errors import ConfigError
    from feast_core.pg.connection import endpoint_from_url, pool_timeout

    endpoint = endpoint_from_url("postgresql+psycopg://u:p@db:5432/registry")
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    monkeypatch.delenv("FEAST_PG_POOL_TIMEOUT", raising=False)
    assert endpoint.kwargs()["connect_timeout"] == 5 and pool_timeout() == 5
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    monkeypatch.setenv("FEAST_PG_POOL_TIMEOUT", "1.5")
    assert endpoint.kwargs()["connect_timeout"] == 2 and pool_timeout() == 1.5
    # libpq's own keyword in the URL wins for that URL
    assert endpoint_from_url("postgresql://u:p@db/r?connect_timeout=9").kwargs()["connect_timeout"] == "9"
    monkeypatch.setenv("FEAST_PG_POOL_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match=r"FEAST_PG_POOL_TIMEOUT='soon': expected a number of seconds above 0"):
        pool_timeout()


# ---- tables this store did not write ---------------------------------------------------------------


def _rows(postgres_db, table: str) -> list:
    with postgres_db.connect() as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


@pytest.mark.parametrize("layout", ["earlier", "other"])
def test_apply_teardown_writes_and_type_changes_refuse_a_table_in_another_layout(store, postgres_db, layout):
    with postgres_db.connect() as conn:
        if layout == "earlier":
            earlier_online_layout.postgres_table(conn, "online", "proj_driver_stats")
        else:
            conn.execute("CREATE SCHEMA online")
            conn.execute("CREATE TABLE online.proj_driver_stats (id int PRIMARY KEY, note text)")
            conn.execute("INSERT INTO online.proj_driver_stats VALUES (1, 'keep me')")
            conn.commit()
    before = _rows(postgres_db, "online.proj_driver_stats")
    fv = earlier_online_layout.view()
    retyped = view(Field(name="trips", dtype=String))
    expected = "feast migrate" if layout == "earlier" else "not in Feast's online layout"
    for attempt in (
        lambda: store.update("proj", [fv], []),
        lambda: store.update("proj", [retyped], []),
        lambda: store.update("proj", [], [fv]),
        lambda: store.teardown("proj", [view(name="other"), fv]),
        lambda: store.write("proj", fv, rows(fv, {"driver_id": [1], "trips": [3]}, [T0])),
        lambda: store.read("proj", fv, [(1,)], ["trips"]),
        lambda: store.check("proj", [fv]),
    ):
        with pytest.raises(OnlineDataError) as caught:
            attempt()
        assert "'online.proj_driver_stats'" in str(caught.value) and expected in str(caught.value)
    assert _rows(postgres_db, "online.proj_driver_stats") == before


def test_migrate_converts_the_earlier_layout_without_loss(store, postgres_db):
    with postgres_db.connect() as conn:
        earlier_online_layout.postgres_table(conn, "online", "proj_driver_stats")
    fv = earlier_online_layout.view()
    planned = store.migrate("proj", [fv], dry_run=True)
    assert [(s.table, s.layout, s.rows, s.done) for s in planned] == [
        ("online.proj_driver_stats", "earlier feast_core", 2, False)]
    done = store.migrate("proj", [fv])
    assert [(s.layout, s.done) for s in done] == [("earlier feast_core", True)]
    result = store.read("proj", fv, [(1,), (2,)], earlier_online_layout.FEATURES)
    for name, values in earlier_online_layout.expected().items():
        assert result.values[name] == values, name
        assert result.event_ts[name] == [micros(t) for t in earlier_online_layout.EVENT], name
    store.update("proj", [fv], [])
    store.write("proj", fv, rows(fv, {"driver_id": [1], "trips": [11]}, [T0 + timedelta(days=1)]))
    assert store.read("proj", fv, [(1,)], ["trips"]).values == {"trips": [11]}
    with postgres_db.connect() as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'online'")}
    assert indexes == {"proj_driver_stats_pkey", "proj_driver_stats_ek", "proj_driver_stats_fts_idx"}


def test_search_path_and_schema_as_feast_sets_them(postgres_db):
    online = PostgresOnlineStore(config(postgres_db, db_schema="feast_online"))
    fv = view()
    online.update("proj", [fv], [])

    def session(conn):
        return conn.execute("SHOW search_path").fetchone()[0], conn.execute("SHOW TimeZone").fetchone()[0]

    assert online._run(session, "probing", transaction=False) == ("feast_online,public", "UTC")
    with postgres_db.connect() as conn:
        owner = conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'feast_online'").fetchone()
    assert owner == (postgres_db.user,)
    online.close()


@pytest.fixture(params=["python", "numpy"])
def unpacked_by(request, monkeypatch):
    """Both ways a packed read is split: in plain Python (few rows) and with numpy."""
    if request.param == "numpy":
        monkeypatch.setattr(postgres, "SMALL_READ", 0)
    return request.param


def test_reading_every_feature_at_once_agrees_with_reading_each(store, unpacked_by):
    """Complete keys come back as slices of one ordered result; missing keys, missing features and rows of
    features no longer in the view are placed row by row."""
    wide = view(Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64), Field(name="old", dtype=String))
    fv = view(Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64))
    store.update("proj", [fv], [])
    ids = list(range(1, 21))
    store.write("proj", fv, rows(fv, {"driver_id": ids, "trips": ids, "rate": [i / 4 for i in ids]}, [T0] * 20))
    store.write("proj", fv, rows(fv, {"driver_id": [5], "trips": [50]}, [T0 + timedelta(1)]))  # rate stays older
    store.write("proj", wide, rows(wide, {"driver_id": [6], "old": ["x"]}, [T0]))  # a row the view no longer has
    for keys in ([(i,) for i in reversed(ids)] + [(3,), (3,)], [(1,), (99,), (2,)], [(5,), (6,), (7,)],
                 [(i,) for i in range(7, 21)] + [(8,)]):
        together = store.read("proj", fv, keys, ["rate", "trips"])
        for name in ("rate", "trips"):
            alone = store.read("proj", fv, keys, [name])
            assert together.values[name] == alone.values[name] and together.event_ts[name] == alone.event_ts[name]
    result = store.read("proj", fv, [(5,), (6,), (99,)], ["trips", "rate"])
    assert result.values == {"trips": [50, 6, None], "rate": [1.25, 1.5, None]}
    assert result.event_ts["trips"] == [micros(T0 + timedelta(1)), micros(T0), None]


def test_reads_rows_as_another_writer_may_leave_them(store, postgres_db, unpacked_by):
    """Rows put in by hand, as another writer may leave them: each key's features in another physical order, a
    stored NULL value (null, with its time), a NULL event time (not found), a key asked twice, and feature
    names holding commas, control characters and non-ASCII letters."""
    fv = view(Field(name="a,b", dtype=Int64), Field(name="é\x1fx", dtype=Float64), Field(name="z", dtype=String))
    store.update("proj", [fv], [])
    key = store._serializer(fv).serialize
    t0, t1 = micros(T0), micros(T0 + timedelta(hours=1))
    rows_in = [  # key 1's features in reverse order of key 2's
        (1, "z", encoding.encode_value(String, "one"), T0), (1, "é\x1fx", encoding.encode_value(Float64, 1.5), T0),
        (1, "a,b", encoding.encode_value(Int64, 10), T0),
        (2, "a,b", encoding.encode_value(Int64, 20), T0 + timedelta(hours=1)), (2, "é\x1fx", None, T0),
        (2, "z", encoding.encode_value(String, "two"), T0),
        (3, "a,b", encoding.encode_value(Int64, 30), None),
    ]
    with postgres_db.connect(autocommit=True) as conn:
        for driver, name, value, event in rows_in:
            conn.execute("INSERT INTO online.proj_driver_stats (entity_key, feature_name, value, event_ts) "
                         "VALUES (%s, %s, %s, %s)", (key((driver,)), name, value, event))
    read = store.read("proj", fv, [(2,), (1,), (3,), (1,), (4,)], ["z", "a,b", "é\x1fx"])
    assert read.values == {"z": ["two", "one", None, "one", None], "a,b": [20, 10, 30, 10, None],
                           "é\x1fx": [None, 1.5, None, 1.5, None]}
    assert read.event_ts == {"z": [t0, t0, None, t0, None], "a,b": [t1, t0, None, t0, None],
                             "é\x1fx": [t0, t0, None, t0, None]}
    one = store.read("proj", fv, [(1,)], ["é\x1fx"])
    assert one.values == {"é\x1fx": [1.5]} and one.event_ts == {"é\x1fx": [t0]}


def test_a_packed_read_is_split_the_same_whichever_way_its_rows_come(unpacked_by):
    """The packed row as PostgreSQL sends it (see postgres._read_sql), built here: every key complete with its
    features in one order (taken as a stride), then the same rows shuffled, then with one row missing."""
    import random
    import struct

    fv = view(Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float32))
    plan = postgres._ReadPlan(fv, ["rate", "trips"])
    y2k = 946_684_800_000_000
    rows = [(k, name, encoding.encode_value(dtype, k * 2 if name == "trips" else k / 2), micros(T0) + k)
            for k in range(30) for name, dtype in (("trips", Int64), ("rate", Float32))]

    def packed(rows):
        return (b"".join(struct.pack(">i", k + 1) for k, *_ in rows), b"\x00".join(r[1].encode() for r in rows),
                b"".join(r[2] for r in rows), b"".join(struct.pack(">i", len(r[2])) for r in rows),
                b"".join(struct.pack(">q", r[3] - y2k) for r in rows))

    expected_trips = [k * 2 for k in range(30)]
    read = plan.unpack(packed(rows), 30, "utf-8")
    assert read.values == {"trips": expected_trips, "rate": [k / 2 for k in range(30)]}
    assert read.event_ts["rate"] == [micros(T0) + k for k in range(30)]
    random.Random(7).shuffle(rows)
    assert plan.unpack(packed(rows), 30, "utf-8").values["trips"] == expected_trips
    missing = [r for r in rows if not (r[0] == 4 and r[1] == "rate")]
    read = plan.unpack(packed(missing), 30, "utf-8")
    assert read.values["rate"][4] is None and read.event_ts["rate"][4] is None and read.values["rate"][5] == 2.5
    assert read.values["trips"] == expected_trips


def test_a_first_write_keeps_the_newest_of_duplicate_rows(store):
    """The first write into an empty table copies the rows in; duplicates in it leave the newest, as upserts do."""
    fv = view()
    store.update("proj", [fv], [])
    later = T0 + timedelta(hours=1)
    store.write("proj", fv, rows(fv, {"driver_id": [1, 1, 2, 2, 3, 3], "trips": [10, 11, 20, 21, 30, 31]},
                                 [later, T0, T0, T0, T0, T0], [None, later, T0, later, None, T0]))
    read = store.read("proj", fv, [(1,), (2,), (3,)], ["trips"])
    assert read.values["trips"] == [10, 21, 31]  # latest event time, then latest created time (null: earliest)
    assert read.event_ts["trips"] == [micros(later), micros(T0), micros(T0)]


def test_a_first_write_racing_another_writer_keeps_the_newer_rows(store, postgres_db):
    """Another writer's uncommitted rows leave the table looking empty; the copy then waits for them and, when
    they commit, fails on the primary key, and the rows are upserted instead: newer stored values stay."""
    import threading

    fv = view()
    store.update("proj", [fv], [])
    key = store._serializer(fv).serialize
    other = postgres_db.connect()
    other.execute("INSERT INTO online.proj_driver_stats (entity_key, feature_name, value, event_ts) VALUES "
                  "(%s, 'trips', %s, %s)", (key((1,)), encoding.encode_value(Int64, 99), T0 + timedelta(hours=1)))
    committed = threading.Timer(1.0, other.commit)
    committed.start()
    try:
        store.write("proj", fv, rows(fv, {"driver_id": [1, 2], "trips": [10, 20]}, [T0, T0]))
    finally:
        committed.join()
        other.close()
    assert store.read("proj", fv, [(1,), (2,)], ["trips"]).values["trips"] == [99, 20]
