"""The embedded SQLite online store (Feast's layout), against real SQLite files in a temporary repo directory."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pytest

from feast_core.config import SqliteOnlineStoreConfig
from feast_core.definitions import Entity, FeatureView, Field, FileSource
from feast_core.errors import EntityDataError, FeastError, FeatureReferenceError, OnlineDataError
from feast_core.online import sqlite as sqlite_store
from feast_core.online.base import CREATED_TS, EVENT_TS
from feast_core.online.encoding import EntityKeySerializer, encode_value
from feast_core.online.sqlite import SqliteOnlineStore
from feast_core.types import Array, Bool, Bytes, Float32, Float64, Int32, Int64, String, UnixTimestamp

from . import earlier_online_layout

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
DRIVER = Entity(name="driver", join_keys=["driver_id"])
CUSTOMER = Entity(name="customer", join_keys=["customer_id"])
SOURCE = FileSource(path="data/stats.parquet", timestamp_field="ts")


def micros(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) / timedelta(microseconds=1))


def driver_view(*features: Field, name: str = "driver_stats", key_type=Int64) -> FeatureView:
    features = features or (Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64))
    return FeatureView(
        name=name, source=SOURCE, entities=[DRIVER], schema=[Field(name="driver_id", dtype=key_type), *features]
    )


def rows(view: FeatureView, data: dict, event: list[datetime], created: list[datetime] | None = None) -> pa.Table:
    """A write batch: the view's declared Arrow types for the given columns, plus the timestamps."""
    types = {f.name: f.dtype.arrow for f in view.schema}
    columns = {name: pa.array(values, types[name]) for name, values in data.items()}
    columns[EVENT_TS] = pa.array(event, pa.timestamp("us", tz="UTC"))
    if created is not None:
        columns[CREATED_TS] = pa.array(created, pa.timestamp("us", tz="UTC"))
    return pa.table(columns)


@pytest.fixture
def store(tmp_path: Path):
    online = SqliteOnlineStore(SqliteOnlineStoreConfig(), tmp_path)
    yield online
    online.close()


def test_database_lives_at_the_configured_path_relative_to_the_repo(tmp_path: Path, store: SqliteOnlineStore):
    store.update("proj", [driver_view()], [])
    assert (tmp_path / "data" / "online.db").is_file()
    tables = sqlite3.connect(tmp_path / "data" / "online.db").execute(
        "SELECT name FROM sqlite_master WHERE type='table'"
    ).fetchall()
    assert ("proj_driver_stats",) in tables


def test_tables_are_in_feasts_layout_with_integer_second_timestamps(tmp_path: Path, store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1001], "trips": [3]}, [T0 + timedelta(microseconds=900)],
                                   [T0 + timedelta(minutes=5)]))
    conn = sqlite3.connect(tmp_path / "data" / "online.db")
    columns = [(r[1], r[2], r[5]) for r in conn.execute('PRAGMA table_info("proj_driver_stats")')]
    assert columns == [("entity_key", "BLOB", 1), ("feature_name", "TEXT", 2), ("value", "BLOB", 0),
                       ("value_text", "TEXT", 0), ("vector_value", "BLOB", 0), ("event_ts", "timestamp", 0),
                       ("created_ts", "timestamp", 0)]
    assert ("proj_driver_stats_ek",) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    row = conn.execute('SELECT entity_key, feature_name, value, value_text, vector_value, event_ts, created_ts, '
                       'typeof(event_ts) FROM "proj_driver_stats"').fetchone()
    key = EntityKeySerializer("driver_stats", ["driver_id"], [Int64]).serialize((1001,))
    assert row == (key, "trips", encode_value(Int64, 3), "3", None, int(T0.timestamp()),
                   int(T0.timestamp()) + 300, "integer")


def test_every_type_round_trips_with_nulls(store: SqliteOnlineStore):
    features = [
        Field(name="i32", dtype=Int32), Field(name="i64", dtype=Int64), Field(name="f32", dtype=Float32),
        Field(name="f64", dtype=Float64), Field(name="s", dtype=String), Field(name="b", dtype=Bytes),
        Field(name="flag", dtype=Bool), Field(name="at", dtype=UnixTimestamp),
        Field(name="i64s", dtype=Array(Int64)), Field(name="f32s", dtype=Array(Float32)),
        Field(name="ss", dtype=Array(String)), Field(name="bs", dtype=Array(Bytes)),
        Field(name="flags", dtype=Array(Bool)), Field(name="ats", dtype=Array(UnixTimestamp)),
    ]
    view = driver_view(*features)
    store.update("proj", [view], [])
    moment = datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    full = {
        "i32": -7, "i64": 2**40, "f32": 0.5, "f64": 1.25, "s": "héllo", "b": b"\x00\xff", "flag": False, "at": moment,
        "i64s": [1, -2, 3], "f32s": [0.25, -1.5], "ss": ["a", ""], "bs": [b"\x01", b""], "flags": [True, False],
        "ats": [moment, None],
    }
    data = {"driver_id": [1, 2]}
    data.update({name: [value, None] for name, value in full.items()})
    store.write("proj", view, rows(view, data, [T0, T0]))

    result = store.read("proj", view, [(1,), (2,), (3,)], list(full))
    for name, value in full.items():
        assert result.event_ts[name] == [micros(T0), micros(T0), None], name
        assert result.values[name][0] == value, name
        assert type(result.values[name][0]) is type(value), name
        # key 2 has a row whose value is null; key 3 has no row; both read as None, told apart by event_ts
        assert result.values[name][1] is None, name
        assert result.values[name][2] is None, name
    assert result.values["at"][0].tzinfo is not None


def test_feasts_value_forms_timestamps_in_seconds_nan_as_null(store: SqliteOnlineStore):
    view = driver_view(Field(name="at", dtype=UnixTimestamp), Field(name="rate", dtype=Float64),
                       Field(name="rates", dtype=Array(Float32)))
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "at": [T0 + timedelta(microseconds=999_999)],
                                          "rate": [float("nan")], "rates": [[1.5, None]]}, [T0]))
    values = store.read("proj", view, [(1,)], ["at", "rate", "rates"]).values
    assert values["at"] == [T0] and values["rate"] == [None]
    assert values["rates"][0][0] == 1.5 and values["rates"][0][1] != values["rates"][0][1]  # NaN, as Feast stores it


def test_read_aligns_values_with_keys_in_request_order_including_repeats(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    ids = list(range(1, 301))
    store.write("proj", view, rows(view, {"driver_id": ids, "trips": [i * 10 for i in ids]}, [T0] * len(ids)))
    keys = [(i,) for i in reversed(ids)] + [(5,), (999,), (5,)]
    result = store.read("proj", view, keys, ["trips"])
    assert result.values["trips"] == [i * 10 for i in reversed(ids)] + [50, None, 50]
    # the "rate" feature was not in the batch: it has no row, so no event time
    assert store.read("proj", view, [(7,)], ["rate"]).event_ts["rate"] == [None]


def test_composite_keys(store: SqliteOnlineStore):
    view = FeatureView(
        name="pair", source=SOURCE, entities=[DRIVER, CUSTOMER],
        schema=[Field(name="driver_id", dtype=Int64), Field(name="customer_id", dtype=String),
                Field(name="trips", dtype=Int64)],
    )
    store.update("proj", [view], [])
    store.write("proj", view, rows(
        view, {"driver_id": [1, 1, 2], "customer_id": ["a", "b", "a"], "trips": [11, 12, 21]}, [T0] * 3
    ))
    result = store.read("proj", view, [(2, "a"), (1, "b"), (2, "b"), (1, "a")], ["trips"])
    assert result.values["trips"] == [21, 12, None, 11]
    assert result.event_ts["trips"][2] is None


def test_an_older_write_does_not_replace_a_newer_row(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [200]}, [T0 + timedelta(hours=1)]))
    store.write("proj", view, rows(view, {"driver_id": [1, 2], "trips": [100, 5]}, [T0, T0]))
    result = store.read("proj", view, [(1,), (2,)], ["trips"])
    assert result.values["trips"] == [200, 5]
    assert result.event_ts["trips"][0] == micros(T0 + timedelta(hours=1))
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [300]}, [T0 + timedelta(hours=2)]))
    assert store.read("proj", view, [(1,)], ["trips"]).values["trips"] == [300]


def test_equal_event_times_go_to_the_newer_created_timestamp(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [2]}, [T0], [T0 + timedelta(minutes=2)]))
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [1]}, [T0], [T0 + timedelta(minutes=1)]))
    assert store.read("proj", view, [(1,)], ["trips"]).values["trips"] == [2]
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [3]}, [T0], [T0 + timedelta(minutes=3)]))
    assert store.read("proj", view, [(1,)], ["trips"]).values["trips"] == [3]


@pytest.mark.parametrize("newest_first", [True, False])
def test_the_same_key_twice_in_one_batch_keeps_the_newest(store: SqliteOnlineStore, newest_first: bool):
    view = driver_view()
    store.update("proj", [view], [])
    pairs = [(T0 + timedelta(hours=1), 99), (T0, 1)]
    if not newest_first:
        pairs.reverse()
    store.write("proj", view, rows(view, {"driver_id": [7, 7], "trips": [v for _, v in pairs]}, [t for t, _ in pairs]))
    result = store.read("proj", view, [(7,)], ["trips"])
    assert result.values["trips"] == [99]
    assert result.event_ts["trips"] == [micros(T0 + timedelta(hours=1))]


def test_a_new_feature_needs_no_table_change_and_keeps_rows(store: SqliteOnlineStore):
    view = driver_view(Field(name="trips", dtype=Int64))
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [10]}, [T0]))

    wider = driver_view(Field(name="trips", dtype=Int64), Field(name="city", dtype=String))
    store.update("proj", [wider], [])
    result = store.read("proj", wider, [(1,)], ["trips", "city"])
    assert result.values == {"trips": [10], "city": [None]}
    assert result.event_ts["city"] == [None]  # never written: not found
    store.write("proj", wider, rows(wider, {"driver_id": [1], "trips": [11], "city": ["Oslo"]}, [T0 + timedelta(1)]))
    assert store.read("proj", wider, [(1,)], ["trips", "city"]).values == {"trips": [11], "city": ["Oslo"]}


def test_a_join_key_type_change_keeps_the_rows_written_before(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [10]}, [T0]))

    string_keys = driver_view(key_type=String)
    store.update("proj", [string_keys], [])
    assert store.read("proj", string_keys, [("1",)], ["trips"]).event_ts["trips"] == [None]
    store.write("proj", string_keys, rows(string_keys, {"driver_id": ["d1"], "trips": [5]}, [T0]))
    assert store.read("proj", string_keys, [("d1",)], ["trips"]).values["trips"] == [5]
    assert store.read("proj", view, [(1,)], ["trips"]).values["trips"] == [10]  # nothing was dropped


def test_a_feature_type_change_keeps_its_values_as_written(store: SqliteOnlineStore):
    view = driver_view(Field(name="tags", dtype=String))
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "tags": ["not a list"]}, [T0]))
    listed = driver_view(Field(name="tags", dtype=Array(String)))
    store.update("proj", [listed], [])
    assert store.read("proj", listed, [(1,)], ["tags"]).values["tags"] == ["not a list"]  # as Feast reads it
    store.write("proj", listed, rows(listed, {"driver_id": [1], "tags": [["a"]]}, [T0 + timedelta(1)]))
    assert store.read("proj", listed, [(1,)], ["tags"]).values["tags"] == [["a"]]


def test_update_drops_the_tables_of_deleted_views(tmp_path: Path, store: SqliteOnlineStore):
    kept, gone = driver_view(name="kept"), driver_view(name="gone")
    store.update("proj", [kept, gone], [])
    store.update("proj", [kept], [gone])
    names = {r[0] for r in sqlite3.connect(tmp_path / "data" / "online.db").execute("SELECT name FROM sqlite_master")}
    assert "proj_kept" in names and "proj_gone" not in names


def test_data_survives_a_new_store_instance(tmp_path: Path, store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [10]}, [T0]))
    store.close()
    reopened = SqliteOnlineStore(SqliteOnlineStoreConfig(), tmp_path)
    assert reopened.read("proj", view, [(1,)], ["trips"]).values["trips"] == [10]
    reopened.close()


def test_teardown_drops_tables_and_removes_the_file_when_none_remain(tmp_path: Path, store: SqliteOnlineStore):
    a, b = driver_view(name="a"), driver_view(name="b")
    store.update("proj", [a, b], [])
    store.write("proj", a, rows(a, {"driver_id": [1], "trips": [10]}, [T0]))
    db = tmp_path / "data" / "online.db"
    store.teardown("proj", [a])
    assert db.exists()
    assert store.read("proj", a, [(1,)], ["trips"]).event_ts == {"trips": [None]}
    store.teardown("proj", [b])
    assert not db.exists()
    # the store still works afterwards: a new apply creates the file again
    store.update("proj", [a], [])
    store.write("proj", a, rows(a, {"driver_id": [1], "trips": [3]}, [T0]))
    assert store.read("proj", a, [(1,)], ["trips"]).values["trips"] == [3]


def test_two_threads_write_concurrently_without_losing_rows(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    errors: list[Exception] = []

    def writer(offset: int) -> None:
        try:
            for round_ in range(20):
                ids = list(range(offset + round_ * 50, offset + (round_ + 1) * 50))
                store.write("proj", view, rows(view, {"driver_id": ids, "trips": ids}, [T0] * len(ids)))
        except (FeastError, sqlite3.Error) as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (0, 100_000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = [(i,) for i in range(1000)] + [(100_000 + i,) for i in range(1000)]
    values = store.read("proj", view, keys, ["trips"]).values["trips"]
    assert values == [k[0] for k in keys]


def test_a_batch_with_a_wrong_type_fails_naming_the_column_and_leaves_data_intact(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [10]}, [T0]))
    bad = pa.table({
        "driver_id": pa.array(["1", "2"]), "trips": pa.array([20, 30]),
        EVENT_TS: pa.array([T0 + timedelta(1)] * 2, pa.timestamp("us", tz="UTC")),
    })
    with pytest.raises(EntityDataError, match="driver_id"):
        store.write("proj", view, bad)
    fractional = pa.table({
        "driver_id": pa.array([1, 2]), "trips": pa.array([20.5, 30.0]),
        EVENT_TS: pa.array([T0 + timedelta(1)] * 2, pa.timestamp("us", tz="UTC")),
    })
    with pytest.raises(EntityDataError, match="trips"):
        store.write("proj", view, fractional)
    result = store.read("proj", view, [(1,), (2,)], ["trips"])
    assert result.values["trips"] == [10, None]


def test_a_batch_without_event_timestamps_is_refused(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    with pytest.raises(EntityDataError, match=EVENT_TS):
        store.write("proj", view, pa.table({"driver_id": [1], "trips": [1]}))


def test_reading_an_unknown_feature_names_it(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    with pytest.raises(FeatureReferenceError, match="speed"):
        store.read("proj", view, [(1,)], ["speed"])


def test_naive_and_nanosecond_timestamps_are_utc_microseconds(store: SqliteOnlineStore):
    view = driver_view()
    store.update("proj", [view], [])
    naive_ns = pa.array([T0.replace(tzinfo=None)], pa.timestamp("ns"))
    store.write("proj", view, pa.table({"driver_id": [1], "trips": [1], EVENT_TS: naive_ns}))
    assert store.read("proj", view, [(1,)], ["trips"]).event_ts == {"trips": [micros(T0)]}


def test_timestamp_join_keys_are_looked_up_by_datetime(store: SqliteOnlineStore):
    day = Entity(name="day", join_keys=["day"])
    view = FeatureView(
        name="daily", source=SOURCE, entities=[day],
        schema=[Field(name="day", dtype=UnixTimestamp), Field(name="total", dtype=Int64)],
    )
    store.update("proj", [view], [])
    store.write("proj", view, rows(view, {"day": [T0, T0 + timedelta(days=1)], "total": [1, 2]}, [T0, T0]))
    result = store.read("proj", view, [(T0 + timedelta(days=1),), (T0.replace(tzinfo=None),)], ["total"])
    assert result.values["total"] == [2, 1]


def test_an_entity_less_view_keeps_one_row(store: SqliteOnlineStore):
    view = FeatureView(name="global", source=SOURCE, schema=[Field(name="total", dtype=Int64)])
    store.update("proj", [view], [])
    assert store.read("proj", view, [()], ["total"]).event_ts == {"total": [None]}
    store.write("proj", view, rows(view, {"total": [5]}, [T0]))
    store.write("proj", view, rows(view, {"total": [6]}, [T0 + timedelta(1)]))
    assert store.read("proj", view, [(), ()], ["total"]).values["total"] == [6, 6]


def test_a_write_before_update_creates_the_table(store: SqliteOnlineStore):
    view = driver_view()
    store.write("proj", view, rows(view, {"driver_id": [1], "trips": [4]}, [T0]))
    assert store.read("proj", view, [(1,)], ["trips"]).values["trips"] == [4]


# ---- tables this store did not write ---------------------------------------------------------------


def _earlier(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "online.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    earlier_online_layout.sqlite_table(conn, "proj_driver_stats")
    conn.close()
    return db


def _snapshot(db: Path, table: str) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("layout", ["earlier", "other"])
def test_apply_teardown_writes_and_type_changes_refuse_a_table_in_another_layout(tmp_path: Path, store, layout):
    if layout == "earlier":
        db = _earlier(tmp_path)
    else:
        db = tmp_path / "data" / "online.db"
        db.parent.mkdir(parents=True)
        conn = sqlite3.connect(db)
        conn.execute('CREATE TABLE "proj_driver_stats" (id INTEGER PRIMARY KEY, note TEXT)')
        conn.execute("INSERT INTO proj_driver_stats VALUES (1, 'keep me')")
        conn.commit()
        conn.close()
    before = _snapshot(db, "proj_driver_stats")
    view = earlier_online_layout.view()
    retyped = driver_view(Field(name="trips", dtype=String))
    expected = "feast migrate" if layout == "earlier" else "not in Feast's online layout"
    for attempt in (
        lambda: store.update("proj", [view], []),
        lambda: store.update("proj", [retyped], []),
        lambda: store.update("proj", [], [view]),
        lambda: store.teardown("proj", [driver_view(name="other"), view]),
        lambda: store.write("proj", view, rows(view, {"driver_id": [1], "trips": [3]}, [T0])),
        lambda: store.read("proj", view, [(1,)], ["trips"]),
        lambda: store.check("proj", [view]),
    ):
        with pytest.raises(OnlineDataError) as caught:
            attempt()
        assert "'proj_driver_stats'" in str(caught.value) and expected in str(caught.value)
    assert _snapshot(db, "proj_driver_stats") == before
    assert db.exists()


def test_migrate_converts_the_earlier_layout_without_loss(tmp_path: Path, store):
    db = _earlier(tmp_path)
    view = earlier_online_layout.view()
    steps = store.migrate("proj", [view, driver_view(name="never_written")], dry_run=True)
    assert [(s.table, s.layout, s.rows, s.done) for s in steps] == [
        ("proj_driver_stats", "earlier feast_core", 2, False), ("proj_never_written", "missing", 0, False)]
    assert _snapshot(db, "proj_driver_stats")[0][0] == 1  # a dry run changes nothing

    steps = store.migrate("proj", [view], dry_run=False)
    assert [(s.layout, s.rows, s.done) for s in steps] == [("earlier feast_core", 2, True)]
    result = store.read("proj", view, [(1,), (2,), (3,)], earlier_online_layout.FEATURES)
    for name, values in earlier_online_layout.expected().items():
        assert result.values[name][:2] == values, name
        assert result.event_ts[name] == [micros(earlier_online_layout.EVENT[0]), micros(earlier_online_layout.EVENT[1]),
                                         None], name
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"proj_driver_stats"}  # the earlier metadata table went with the last earlier table
    conn.close()
    store.update("proj", [view], [])  # apply now works
    assert store.migrate("proj", [view])[0].layout == "feast"


def test_reading_every_feature_at_once_agrees_with_reading_each(store: SqliteOnlineStore, monkeypatch):
    """All features of a view are read with one range scan per key when every key has exactly the view's
    rows; missing keys, missing features and rows of features no longer in the view take the other path."""
    wide = driver_view(Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64), Field(name="old", dtype=String))
    view = driver_view(Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64))
    store.update("proj", [view], [])
    ids = list(range(1, 21))
    store.write("proj", view, rows(view, {"driver_id": ids, "trips": ids, "rate": [i / 4 for i in ids]}, [T0] * 20))
    cases = [
        [(i,) for i in reversed(ids)] + [(3,), (3,)],  # every key complete, repeats
        [(1,), (99,), (2,)],  # a key without rows
        [(i,) for i in ids * 4],  # enough values to be decoded by numpy rather than one by one
        [(4,)],
    ]
    for keys in cases:
        together = store.read("proj", view, keys, ["rate", "trips"])
        for name in ("rate", "trips"):
            alone = store.read("proj", view, keys, [name])
            assert together.values[name] == alone.values[name] and together.event_ts[name] == alone.event_ts[name]
    with monkeypatch.context() as patch:  # complete rows: the range scan alone answers
        patch.setattr(sqlite_store._ReadPlan, "pairs_sql", lambda *args: pytest.fail("read with one search per feature and key"))
        for keys in (cases[0], cases[2], cases[3]):  # values decoded one by one, and by numpy
            result = store.read("proj", view, keys, ["rate", "trips"])
            assert result.values == {"rate": [k / 4 for (k,) in keys], "trips": [k for (k,) in keys]}
            assert result.event_ts["trips"] == result.event_ts["rate"] == [micros(T0)] * len(keys)
    store.write("proj", view, rows(view, {"driver_id": [5], "trips": [50]}, [T0 + timedelta(1)]))  # rate stays older
    store.write("proj", wide, rows(wide, {"driver_id": [6], "old": ["x"]}, [T0]))  # a row the view no longer has
    result = store.read("proj", view, [(5,), (6,), (7,)], ["trips", "rate"])
    assert result.values == {"trips": [50, 6, 7], "rate": [1.25, 1.5, 1.75]}
    assert result.event_ts["trips"][0] == micros(T0 + timedelta(1)) and result.event_ts["rate"][0] == micros(T0)
    # an event time an older writer left as text (sqlite3's datetime adapter) is read, through the other path
    with sqlite3.connect(store.path) as conn:
        key = store._serializer(view).serialize((7,))
        conn.execute("UPDATE proj_driver_stats SET event_ts = '2024-05-03 12:00:00' WHERE entity_key = ? "
                     "AND feature_name = 'trips'", (key,))
    result = store.read("proj", view, [(7,), (8,)], ["trips", "rate"])
    assert result.values == {"trips": [7, 8], "rate": [1.75, 2.0]}
    assert result.event_ts["trips"] == [micros(T0 + timedelta(2)), micros(T0)]


def test_nulls_and_values_holding_the_read_separator_are_read_as_written(store: SqliteOnlineStore, monkeypatch):
    """A view's values are read back to back between separators: a null is read in the same scan, and a value
    that holds the separator's bytes is still read as written (through the other path)."""
    view = driver_view(Field(name="blob", dtype=Bytes), Field(name="rate", dtype=Float64))
    store.update("proj", [view], [])
    holding = b"a" + sqlite_store.encoding.VALUE_SEPARATOR + b"b"
    store.write("proj", view, rows(view, {"driver_id": [1, 2, 3], "blob": [b"x", None, b"z"],
                                          "rate": [0.5, None, 1.5]}, [T0] * 3))
    with monkeypatch.context() as patch:  # nulls: the scan alone answers
        patch.setattr(sqlite_store._ReadPlan, "pairs_sql", lambda *args: pytest.fail("read with one search per feature and key"))
        result = store.read("proj", view, [(3,), (2,), (1,)], ["rate", "blob"])
    assert result.values == {"rate": [1.5, None, 0.5], "blob": [b"z", None, b"x"]}
    assert result.complete == frozenset() and result.event_ts["rate"] == [micros(T0)] * 3
    store.write("proj", view, rows(view, {"driver_id": [2], "blob": [holding], "rate": [2.5]}, [T0 + timedelta(1)]))
    result = store.read("proj", view, [(1,), (2,)], ["blob", "rate"])
    assert result.values == {"blob": [b"x", holding], "rate": [0.5, 2.5]}
    assert result.event_ts["blob"] == [micros(T0), micros(T0 + timedelta(1))]


@pytest.mark.parametrize("entities", [1, 7, 12])
def test_rows_split_across_statements_and_feature_groups_are_all_written(store: SqliteOnlineStore, monkeypatch, entities):
    """A write binds its rows a few entities per statement and its features a few per group: entity counts that fill
    whole statements, leave a remainder or fill none, and a feature count that leaves a short last group, each
    write every (entity, feature) row with its own value and times."""
    monkeypatch.setattr(sqlite_store, "FEATURES_PER_STATEMENT", 2)
    monkeypatch.setattr(sqlite_store, "ROWS_PER_UPSERT", 6)  # 3 entities per statement of 2 features
    names = ["a", "b", "c", "d", "e"]
    view = driver_view(*(Field(name=n, dtype=Int64) for n in names))
    store.update("proj", [view], [])
    ids = list(range(100, 100 + entities))
    data = {"driver_id": ids, **{n: [i * 10 + k for i in ids] for k, n in enumerate(names)}}
    events = [T0 + timedelta(seconds=i) for i in range(entities)]
    store.write("proj", view, rows(view, data, events, [e + timedelta(minutes=1) for e in events]))
    result = store.read("proj", view, [(i,) for i in ids] + [(99,)], names)
    for k, name in enumerate(names):
        assert result.values[name] == [i * 10 + k for i in ids] + [None]
        assert result.event_ts[name] == [micros(T0) // 1_000_000 * 1_000_000 + i * 1_000_000 for i in range(entities)] + [None]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT created_ts) FROM proj_driver_stats").fetchone() == (
            5 * entities, entities)
