"""The PostgreSQL offline store against a real server: query sources, SQL entity rows, index probes, pulls,
appends, errors. The point-in-time semantics shared with the other engines are tested in test_offline_pit.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest

from feast_core.config import PostgresOfflineStoreConfig
from feast_core.definitions import PostgreSQLSource
from feast_core.errors import DataSourceError, StoreUnavailableError
from feast_core.offline.base import PullQuery, ViewQuery
from feast_core.offline.postgres import PostgresOfflineStore

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
H = timedelta(hours=1)


@pytest.fixture
def db(postgres_db):
    with postgres_db.connect() as conn:
        conn.execute(
            "CREATE TABLE stats (driver_id bigint, city text, trips bigint, rate double precision, "
            "ts timestamptz, created timestamptz)"
        )
        rows = [
            (1, "a", 10, 1.0, T0, T0), (1, "a", 11, 1.1, T0 + H, T0), (1, "a", 12, 1.2, T0 + H, T0 + H),  # tie
            (2, "a", 20, 2.0, T0 - 2 * H, T0), (2, "b", 21, 2.1, T0, T0), (3, "a", 30, 3.0, T0 + 5 * H, T0),
        ]
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO stats VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return postgres_db


def store_for(db, **change) -> PostgresOfflineStore:
    return PostgresOfflineStore(PostgresOfflineStoreConfig(type="postgres", **{**db.store_config(), **change}))


SOURCE = PostgreSQLSource(name="stats", table="stats", timestamp_field="ts", created_timestamp_column="created")


def query(ttl=0.0, source=SOURCE, keys=("driver_id",), features=(("trips", "trips"),), name="fv", created="created"):
    return ViewQuery(name=name, source=source, join_keys=keys, entity_columns=keys, features=features,
                     timestamp_field="ts", created_timestamp_column=created, ttl_seconds=ttl)






def test_query_sources_with_field_mapping_beside_a_table_source(db):
    mapped = PostgreSQLSource(name="mapped", query="SELECT * FROM stats", timestamp_field="ts",
                              field_mapping={"trips": "n_trips"})
    entity = pd.DataFrame({"driver_id": [2, 2], "city": ["a", "b"], "event_timestamp": [T0 + H, T0 + H]})
    views = [
        query(keys=("driver_id", "city"), features=(("trips", "pair_trips"),), name="pairs"),
        query(source=mapped, features=(("trips", "n_trips"), ("rate", "rate")), name="mapped", created=""),
    ]
    df = store_for(db).get_historical_features(entity, "event_timestamp", views).to_pandas()
    assert df["pair_trips"].tolist() == [20, 21]
    assert df["n_trips"].tolist() == [21, 21] and df["rate"].tolist() == [2.1, 2.1]


def test_entity_df_as_sql_string(db):
    with db.connect() as conn:
        conn.execute("CREATE TABLE requests (driver_id bigint, asked_at timestamptz, note text)")
        conn.execute("INSERT INTO requests VALUES (3, %s, 'x'), (1, %s, NULL)", (T0 + 6 * H, T0 + H))
    table = store_for(db).get_historical_features(
        "SELECT * FROM requests ORDER BY note NULLS LAST", None, [query()]
    )
    assert table.column_names == ["driver_id", "asked_at", "note", "trips"]
    assert table.to_pylist() == [
        {"driver_id": 3, "asked_at": T0 + 6 * H, "note": "x", "trips": 30},
        {"driver_id": 1, "asked_at": T0 + H, "note": None, "trips": 12},
    ]


def test_pull_latest_and_write(db):
    store = store_for(db)
    pull = PullQuery(source=SOURCE, join_keys=("driver_id",), columns=("trips",), timestamp_field="ts",
                     created_timestamp_column="created", start=T0 - 3 * H, end=T0 + H)
    batches = list(store.pull_latest(pull, chunk_rows=1))
    assert all(b.num_rows <= 1 for b in batches)
    rows = pa.Table.from_batches(batches).to_pylist()
    assert sorted((r["driver_id"], r["trips"]) for r in rows) == [(1, 12), (2, 21)]
    store.write(SOURCE, pa.table({"driver_id": [4], "trips": [40], "ts": pa.array([T0], pa.timestamp("us", tz="UTC"))}))
    rows = pa.Table.from_batches(list(store.pull_latest(pull, 100))).to_pylist()
    assert (4, 40) in [(r["driver_id"], r["trips"]) for r in rows]
    schema = store.source_schema(SOURCE)
    assert schema.field("trips").type == pa.int64() and schema.field("ts").type == pa.timestamp("us", tz="UTC")


def test_pull_all_gives_every_row_in_the_window(db):
    store = store_for(db)
    def trips(start, end):
        pull = PullQuery(source=SOURCE, join_keys=("driver_id",), columns=("trips",), timestamp_field="ts",
                         created_timestamp_column="", start=start, end=end)
        batches = list(store.pull_all(pull, chunk_rows=2))
        assert all(b.num_rows <= 2 for b in batches)
        return sorted(pa.Table.from_batches(batches)["trips"].to_pylist())
    assert trips(T0, T0 + H) == [10, 11, 12, 21]  # both bounds included, ties and all
    assert trips(None, T0) == [10, 20, 21]
    assert trips(T0 + 2 * H, None) == [30]
    assert trips(None, None) == [10, 11, 12, 20, 21, 30]


def test_bad_sources_raise_data_source_errors_naming_the_source(db):
    store = store_for(db)
    missing = PostgreSQLSource(name="ghost", table="no_such_table", timestamp_field="ts")
    with pytest.raises(DataSourceError, match="ghost.*no_such_table.*does not exist"):
        store.source_schema(missing)
    broken = PostgreSQLSource(name="broken", query="SELEC oops FROM stats", timestamp_field="ts")
    with pytest.raises(DataSourceError, match="broken.*syntax error"):
        store.get_historical_features(
            pd.DataFrame({"driver_id": [1], "event_timestamp": [T0]}), "event_timestamp", [query(source=broken)]
        )


def test_unreachable_server_names_the_endpoint_without_the_password(db):
    with pytest.raises(StoreUnavailableError) as caught:
        store_for(db, password="N0pe-Secret").source_schema(SOURCE)
    assert f"{db.host}:{db.port}/{db.name}" in str(caught.value)
    assert "N0pe-Secret" not in str(caught.value)


@pytest.mark.parametrize("ts_type", ["timestamptz", "timestamp"])
def test_indexed_source_table_gives_the_same_rows_as_the_staged_copy(db, ts_type):
    """A table with an index on (keys, timestamp) is probed directly; the answers must not change."""
    with db.connect() as conn:
        conn.execute(f"CREATE TABLE events (driver_id bigint, city text, trips bigint, ts {ts_type}, created {ts_type})")
        rows = [(d, c, 100 * d + i, (T0 + i * H).replace(tzinfo=None) if ts_type == "timestamp" else T0 + i * H,
                 None if i % 4 == 0 else T0 + (i % 3) * H)
                for d in (1, 2) for c in ("a", "b") for i in range(0, 8, 2 if c == "a" else 3)]
        rows += [(1, "a", 999, rows[1][3], None), (1, "a", 998, rows[1][3], T0 + 9 * H)]  # ties; created wins
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO events VALUES (%s, %s, %s, %s, %s)", rows)
    source = PostgreSQLSource(name="events", table="events", timestamp_field="ts", created_timestamp_column="created")
    stamps = [T0 + k * H / 2 for k in range(-1, 18)]
    entity = pd.DataFrame({
        "driver_id": [1] * len(stamps) + [2] * len(stamps) + [7],
        "city": ["a"] * len(stamps) + ["b"] * len(stamps) + ["a"],
        "event_timestamp": stamps * 2 + [T0],
    })
    views = [query(ttl=3 * 3600, source=source, name="one"),
             query(source=source, keys=("driver_id", "city"), features=(("trips", "pair"),), name="two"),
             query(ttl=3600, source=source, features=(("trips", "nocreated"),), name="three", created="")]
    store = store_for(db)
    staged = store.get_historical_features(entity, "event_timestamp", views).to_pylist()
    with db.connect() as conn:
        conn.execute("CREATE INDEX ON events (city, driver_id, ts)")
        conn.execute("CREATE INDEX ON events (driver_id, ts)")
    with store._connection("test") as conn:
        assert all(store._probe_index_type(conn.cursor(), v) == ts_type for v in views)
    direct = store.get_historical_features(entity, "event_timestamp", views).to_pylist()
    assert direct == staged
    assert [r["pair"] for r in direct[:3]] == [None, 100, 100]  # before the first row, then the T0 row
    assert direct[5]["trips"] == direct[5]["pair"] == 998  # T0+2H: the tie goes to the latest created time
    assert (direct[8]["trips"], direct[8]["nocreated"], direct[8]["pair"]) == (103, 103, 998)  # T0+3.5H
    assert direct[-1]["trips"] is None and direct[-1]["pair"] is None  # unknown key


def test_every_fixed_width_feature_type_reads_back_exactly_with_nulls(db):
    """Numbers, bools and timestamps come back as binary arrays; a text feature sends the same join through
    COPY text. Both must give the same values, types and NULLs."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE typed (k bigint, ts timestamptz, a smallint, b integer, c bigint, d real, "
                     "e double precision, f numeric, g boolean, h timestamptz, i timestamp, note text)")
        conn.execute(
            "INSERT INTO typed VALUES (1, %s, -3, 2147483647, -9223372036854775807, 1.5, 0.1, 2.25, true, %s, %s, 'x'),"
            " (2, %s, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
            " (3, %s, 0, -1, 9007199254740993, -0.0, 'NaN', -1, false, '1969-12-31 23:59:59.999999+00', "
            "  '2262-01-01 00:00:00', '')",
            (T0, T0 + timedelta(microseconds=7), datetime(2001, 2, 3, 4, 5, 6, 789), T0, T0),
        )
    source = PostgreSQLSource(name="typed", table="typed", timestamp_field="ts")
    columns = ("a", "b", "c", "d", "e", "f", "g", "h", "i")
    entity = pd.DataFrame({"k": [3, 1, 9, 2], "event_timestamp": [T0 + H] * 4})

    def fetch(features):
        view = query(source=source, keys=("k",), features=tuple((c, c) for c in features), created="")
        return store_for(db).get_historical_features(entity, "event_timestamp", [view])

    binary, text = fetch(columns), fetch(columns + ("note",))
    assert binary.schema == text.schema.remove(text.schema.get_field_index("note"))
    pd.testing.assert_frame_equal(binary.to_pandas(), text.drop_columns(["note"]).to_pandas())  # NaN == NaN here
    rows = binary.to_pylist()
    assert rows[1] == {"k": 1, "event_timestamp": T0 + H, "a": -3, "b": 2147483647, "c": -9223372036854775807,
                       "d": 1.5, "e": 0.1, "f": 2.25, "g": True, "h": T0 + timedelta(microseconds=7),
                       "i": datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=timezone.utc)}
    assert all(rows[r][c] is None for r in (2, 3) for c in columns)  # no match, and a row of NULLs
    assert rows[0]["c"] == 9007199254740993 and rows[0]["g"] is False
    assert rows[0]["h"] == datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    assert pd.isna(rows[0]["e"]) and rows[0]["i"] == datetime(2262, 1, 1, tzinfo=timezone.utc)


def test_pull_latest_through_a_key_time_index_matches_the_sorted_pull(db):
    with db.connect() as conn:
        conn.execute("CREATE TABLE pairs (city text, driver_id bigint, trips bigint, ts timestamptz, created timestamptz)")
        rows = [(c, d, 1000 * d + i, T0 + i * H, None if i % 3 == 0 else T0 + (i % 2) * H)
                for c in ("a", "b") for d in (1, 2, 3) for i in range(0, 6 + d)]
        rows += [("a", 1, 777, T0 + 4 * H, T0 + 9 * H), ("a", 1, 778, T0 + 4 * H, None),  # ties at T0+4H
                 ("b", 9, 900, T0 - 5 * H, None), (None, 4, 400, T0, None)]  # outside the window; NULL key
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO pairs VALUES (%s, %s, %s, %s, %s)", rows)
    source = PostgreSQLSource(name="pairs", table="pairs", timestamp_field="ts", created_timestamp_column="created")
    pull = PullQuery(source=source, join_keys=("driver_id", "city"), columns=("trips",), timestamp_field="ts",
                     created_timestamp_column="created", start=T0, end=T0 + 4 * H)
    store = store_for(db)

    def latest():
        table = pa.Table.from_batches(list(store.pull_latest(pull, chunk_rows=2)))
        return sorted((r["city"], r["driver_id"], r["trips"], r["ts"]) for r in table.to_pylist() if r["city"])

    def in_event_time_order() -> bool:  # what materialization asks for to record its progress per chunk
        table = pa.Table.from_batches(list(store.pull_latest(pull, chunk_rows=2, ordered=True)))
        stamps = table.column("ts").to_pylist()
        return len(stamps) >= 6 and stamps == sorted(stamps)

    sorted_pull = latest()
    assert in_event_time_order()
    with db.connect() as conn:
        conn.execute("CREATE INDEX ON pairs (city, driver_id, ts)")
    with store._connection("test") as conn:
        assert store._key_time_index(conn.cursor(), source, pull.join_keys, "ts") == ("timestamptz", ["city", "driver_id"])
    assert latest() == sorted_pull and in_event_time_order()
    assert sorted_pull[0] == ("a", 1, 777, T0 + 4 * H)  # the tie at the window's end goes to the created time
    assert [r[:2] for r in sorted_pull] == [(c, d) for c in ("a", "b") for d in (1, 2, 3)]  # not key 9: too old


def test_appended_rows_keep_nulls_extremes_and_types(db):
    """Appends of numbers, bools and timestamps travel as binary COPY; text ones as CSV. Both read back exactly."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE sink (k bigint, n integer, r real, d double precision, b boolean, "
                     "ts timestamptz, naive timestamp, note text)")
    sink = PostgreSQLSource(name="sink", table="sink", timestamp_field="ts")
    before_epoch = datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    table = pa.table({
        "k": pa.array([1, 2, None, -(2 ** 63) + 1], pa.int64()),
        "n": pa.array([None, 7, -(2 ** 31), 2 ** 31 - 1], pa.int32()),
        "r": pa.array([1.5, None, float("inf"), -0.0], pa.float32()),
        "d": pa.array([0.1, 2.0, None, 1e308], pa.float64()),
        "b": pa.array([True, False, None, True]),
        "ts": pa.array([T0, None, before_epoch, T0 + timedelta(microseconds=1)], pa.timestamp("us", tz="UTC")),
        "naive": pa.array([datetime(2001, 1, 1), None, None, datetime(9999, 12, 31)], pa.timestamp("us")),
    })
    store = store_for(db)
    store.write(sink, table)  # binary
    store.write(sink, table.append_column("note", pa.array(["x", None, "", "y"])))  # CSV
    with db.connect() as conn:
        rows = conn.execute("SELECT k, n, r, d, b, ts, naive FROM sink").fetchall()
    expected = [tuple(r.values()) for r in table.to_pylist()]
    expected = [tuple(v.replace(tzinfo=None) if i == 6 and v else v for i, v in enumerate(r)) for r in expected]
    assert rows == expected + expected
