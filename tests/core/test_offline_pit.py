"""Point-in-time join semantics, one suite for every offline store engine: file (DuckDB), PostgreSQL, Spark.

Each test builds its feature rows as an Arrow table; the ``engine`` fixture stores them where its offline
store reads them (a parquet file, a PostgreSQL table, parquet files read by Spark through a SparkSource)
and returns the source. The same entity rows must give the same answers from every engine: one output row
per entity row in input order, the greatest event time <= T (ties to the greatest created time), both ttl
bounds inclusive, nulls where nothing matches, naive timestamps as UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from feast_core import types
from feast_core.config import FileOfflineStoreConfig, PostgresOfflineStoreConfig, SparkOfflineStoreConfig
from feast_core.definitions import DataSource, FileSource, PostgreSQLSource, SparkSource
from feast_core.errors import DataSourceError, EntityDataError
from feast_core.offline.base import ViewQuery

UTC = timezone.utc
T0 = datetime(2024, 1, 1, tzinfo=UTC)
TS = pa.timestamp("us", "UTC")


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass
class Engine:
    name: str
    store: object
    make: Callable[[str, pa.Table, dict], DataSource]
    missing_source: Callable[[], DataSource]

    def source(self, name: str, columns: dict, *, timestamp_field="event_timestamp", created="created",
               field_mapping=None) -> DataSource:
        table = pa.table(columns)
        return self.make(name, table, {
            "timestamp_field": timestamp_field,
            "created_timestamp_column": created if created in table.column_names else "",
            "field_mapping": field_mapping,
        })

    def join(self, entity_df: pd.DataFrame, views: list[ViewQuery]) -> pa.Table:
        return self.store.get_historical_features(entity_df, "event_timestamp", views)


def _file_engine(tmp_path: Path) -> Engine:
    from feast_core.offline.file import FileOfflineStore

    def make(name, table, kwargs):
        pq.write_table(table, tmp_path / f"{name}.parquet")
        return FileSource(name=name, path=f"{name}.parquet", **kwargs)

    return Engine("file", FileOfflineStore(FileOfflineStoreConfig(), tmp_path), make,
                  lambda: FileSource(name="ghost", path="ghost.parquet", timestamp_field="event_timestamp"))


def _postgres_engine(db) -> Engine:
    from feast_core.offline.postgres import PostgresOfflineStore

    def pg_type(arrow_type: pa.DataType) -> str:
        if pa.types.is_timestamp(arrow_type):
            return "timestamptz" if arrow_type.tz else "timestamp"
        return types.from_arrow(arrow_type).postgres

    def make(name, table, kwargs):
        columns = ", ".join(f'"{f.name}" {pg_type(f.type)}' for f in table.schema)
        placeholders = ", ".join(["%s"] * table.num_columns)
        rows = [tuple(row.values()) for row in table.to_pylist()]
        with db.connect() as conn:
            conn.execute(f'CREATE TABLE "{name}" ({columns})')
            with conn.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{name}" VALUES ({placeholders})', rows)
        return PostgreSQLSource(name=name, table=name, **kwargs)

    store = PostgresOfflineStore(PostgresOfflineStoreConfig(type="postgres", **db.store_config()))
    return Engine("postgres", store, make,
                  lambda: PostgreSQLSource(name="ghost", table="ghost", timestamp_field="event_timestamp"))


def _spark_engine(tmp_path: Path) -> Engine:
    import spark_support

    from feast_core.offline.spark import SparkOfflineStore

    def make(name, table, kwargs):
        folder = tmp_path / name
        folder.mkdir()
        pq.write_table(table, folder / "part-0.parquet")
        return SparkSource(name=name, path=name, file_format="parquet", **kwargs)

    store = SparkOfflineStore(SparkOfflineStoreConfig(type="spark", spark_conf=spark_support.LEAN_CONF), tmp_path)
    return Engine("spark", store, make,
                  lambda: SparkSource(name="ghost", path="ghost", file_format="parquet", timestamp_field="event_timestamp"))


@pytest.fixture(params=["file", "postgres", "spark"])
def engine(request, tmp_path):
    if request.param == "file":
        made = _file_engine(tmp_path)
    elif request.param == "postgres":
        made = _postgres_engine(request.getfixturevalue("postgres_db"))
    else:
        request.getfixturevalue("spark_session")
        made = _spark_engine(tmp_path)
    yield made
    made.store.close()


def view(source: DataSource, features, *, keys=("driver_id",), entity_columns=None, ttl=0.0, name="fv") -> ViewQuery:
    return ViewQuery(
        name=name, source=source, join_keys=tuple(keys), entity_columns=tuple(entity_columns or keys),
        features=tuple((f, f) if isinstance(f, str) else f for f in features),
        timestamp_field=source.timestamp_field, created_timestamp_column=source.created_timestamp_column,
        ttl_seconds=ttl,
    )


def entity_df(ids, hours, **extra) -> pd.DataFrame:
    return pd.DataFrame({"driver_id": ids, "event_timestamp": [at(h) for h in hours], **extra})


def drivers(engine: Engine, rows, created=True, name="drivers") -> DataSource:
    """rows: (driver_id, event hour, created hour, value)."""
    columns = {
        "driver_id": pa.array([r[0] for r in rows], pa.int64()),
        "event_timestamp": pa.array([at(r[1]) for r in rows], TS),
        "value": pa.array([r[3] for r in rows], pa.float64()),
    }
    if created:
        columns["created"] = pa.array([at(r[2]) for r in rows], TS)
    return engine.source(name, columns)


def test_ties_on_event_time_go_to_the_latest_created_even_with_three_copies(engine):
    source = drivers(engine, [(1, 5, 7, 1.0), (1, 5, 9, 3.0), (1, 5, 8, 2.0), (2, 5, 1, 10.0), (2, 5, 2, 20.0)])
    out = engine.join(entity_df([1, 2], [6, 6]), [view(source, ["value"])])
    assert out["value"].to_pylist() == [3.0, 20.0]


def test_a_missing_created_time_loses_a_tie(engine):
    columns = {
        "driver_id": pa.array([1, 1, 2, 2], pa.int64()),
        "event_timestamp": pa.array([at(5)] * 4, TS),
        "created": pa.array([None, at(1), at(1), None], TS),
        "value": [1.0, 2.0, 3.0, 4.0],
    }
    source = engine.source("nullcreated", columns)
    out = engine.join(entity_df([1, 2], [6, 6]), [view(source, ["value"])])
    assert out["value"].to_pylist() == [2.0, 3.0]


def test_a_tie_without_created_times_gives_the_features_of_one_row_not_a_mix(engine):
    columns = {
        "driver_id": pa.array([1, 1, 1], pa.int64()),
        "event_timestamp": pa.array([at(5), at(5), at(5)], TS),
        "value": [1.0, 2.0, 3.0],
        "other": pa.array([10, 20, 30], pa.int64()),
    }
    source = engine.source("tied", columns)
    out = engine.join(entity_df([1, 1, 1], [6, 7, 8]), [view(source, ["value", "other"])])
    pairs = list(zip(out["value"].to_pylist(), out["other"].to_pylist()))
    assert all(pair in [(1.0, 10), (2.0, 20), (3.0, 30)] for pair in pairs), pairs


def test_a_later_event_beats_a_later_created_timestamp(engine):
    source = drivers(engine, [(1, 5, 100, 1.0), (1, 6, 6, 2.0)])
    out = engine.join(entity_df([1], [7]), [view(source, ["value"])])
    assert out["value"].to_pylist() == [2.0]


def test_both_bounds_t_and_t_minus_ttl_are_inclusive(engine):
    source = drivers(engine, [(1, 10, 10, 1.0), (2, 8, 8, 2.0), (3, 10.5, 10.5, 3.0)], created=False)
    fv = view(source, ["value"], ttl=2 * 3600)
    # driver 1: row exactly at T; driver 2: row exactly at T - ttl; driver 3: row after T; then 1 µs past T - ttl
    df = entity_df([1, 2, 3, 2], [10, 10, 10, 10]).assign(
        event_timestamp=[at(10), at(10), at(10), at(10) + timedelta(microseconds=1)])
    assert engine.join(df, [fv])["value"].to_pylist() == [1.0, 2.0, None, None]


def test_ttl_zero_has_no_lower_bound(engine):
    source = drivers(engine, [(1, 0, 0, 1.0)], created=False)
    df = entity_df([1], [24 * 365 * 3])
    assert engine.join(df, [view(source, ["value"], ttl=0)])["value"].to_pylist() == [1.0]
    assert engine.join(df, [view(source, ["value"], ttl=3600)])["value"].to_pylist() == [None]


def test_rows_without_a_match_are_kept_with_nulls(engine):
    source = drivers(engine, [(1, 5, 5, 1.0)])
    out = engine.join(entity_df([1, 99, 1], [6, 6, 4]), [view(source, ["value"])])  # unknown key; too early
    assert out.num_rows == 3
    assert out["driver_id"].to_pylist() == [1, 99, 1]
    assert out["value"].to_pylist() == [1.0, None, None]


def test_null_entity_keys_match_nothing_not_even_null_keyed_rows(engine):
    columns = {
        "driver_id": pa.array([None, 1], pa.int64()),
        "event_timestamp": pa.array([at(1), at(1)], TS),
        "value": [7.0, 1.0],
    }
    source = engine.source("nullkeys", columns)
    df = pd.DataFrame({"driver_id": pd.array([None, 1], dtype="Int64"), "event_timestamp": [at(2), at(2)]})
    assert engine.join(df, [view(source, ["value"])])["value"].to_pylist() == [None, 1.0]


def test_a_null_feature_value_is_returned_as_null_not_skipped(engine):
    columns = {
        "driver_id": pa.array([1, 1], pa.int64()),
        "event_timestamp": pa.array([at(1), at(2)], TS),
        "value": pa.array([1.0, None], pa.float64()),
    }
    source = engine.source("nullvalue", columns)
    assert engine.join(entity_df([1, 1], [1.5, 3]), [view(source, ["value"])])["value"].to_pylist() == [1.0, None]


def test_duplicate_entity_rows_both_get_values_and_keep_their_own_columns(engine):
    source = drivers(engine, [(1, 5, 5, 1.0)])
    out = engine.join(entity_df([1, 1], [6, 6], label=["a", "b"]), [view(source, ["value"])])
    assert out.column_names == ["driver_id", "event_timestamp", "label", "value"]
    assert out["label"].to_pylist() == ["a", "b"]
    assert out["value"].to_pylist() == [1.0, 1.0]


def test_two_join_keys_must_both_match(engine):
    columns = {
        "driver_id": pa.array([1, 1, 2], pa.int64()),
        "customer_id": ["a", "b", "a"],
        "event_timestamp": pa.array([at(1)] * 3, TS),
        "trips": pa.array([10, 20, 30], pa.int64()),
    }
    source = engine.source("pairs", columns)
    df = pd.DataFrame({"driver_id": [2, 1, 1, 2], "customer_id": ["a", "b", "a", "b"], "event_timestamp": [at(2)] * 4})
    out = engine.join(df, [view(source, ["trips"], keys=("driver_id", "customer_id"))])
    assert out["trips"].to_pylist() == [30, 20, 10, None]


def test_two_views_with_different_keys_and_mapped_entity_columns(engine):
    driver_rows = drivers(engine, [(1, 1, 1, 1.5), (2, 1, 1, 2.5)])
    customers = engine.source("customers", {
        "customer_id": ["x", "y"], "event_timestamp": pa.array([at(1), at(3)], TS),
        "spend": pa.array([5, 6], pa.int64()),
    })
    df = pd.DataFrame({"driver_id": [2, 1], "rider": ["y", "x"], "event_timestamp": [at(2), at(4)]})
    views = [
        view(driver_rows, ["value"], name="drivers"),
        view(customers, ["spend"], keys=("customer_id",), entity_columns=("rider",), name="customers"),
    ]
    out = engine.join(df, views)
    assert out.column_names == ["driver_id", "rider", "event_timestamp", "value", "spend"]
    assert out["value"].to_pylist() == [2.5, 1.5]
    assert out["spend"].to_pylist() == [None, 5]  # y's row (hour 3) is after its entity row (hour 2)


def test_naive_timestamps_on_either_side_are_utc(engine):
    columns = {
        "driver_id": pa.array([1, 1], pa.int64()),
        "event_timestamp": pa.array([datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 12)], pa.timestamp("us")),
        "value": [1.0, 2.0],
    }
    source = engine.source("naive", columns)
    plus2 = timezone(timedelta(hours=2))
    aware = pd.DataFrame({"driver_id": [1, 1], "event_timestamp": [datetime(2024, 1, 1, 13, tzinfo=plus2),
                                                                    datetime(2024, 1, 1, 14, tzinfo=plus2)]})
    out = engine.join(aware, [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0, 2.0]  # 11:00 UTC sees the 10:00 row; 12:00 UTC the 12:00 row
    assert out.schema.field("event_timestamp").type.tz == "UTC"
    assert out["event_timestamp"].to_pylist()[0] == datetime(2024, 1, 1, 11, tzinfo=UTC)

    naive = pd.DataFrame({"driver_id": [1], "event_timestamp": [datetime(2024, 1, 1, 11, 59)]})
    out = engine.join(naive, [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0]
    assert out["event_timestamp"].to_pylist() == [datetime(2024, 1, 1, 11, 59, tzinfo=UTC)]


def test_timestamp_features_come_back_tz_aware_utc(engine):
    columns = {
        "driver_id": pa.array([1], pa.int64()),
        "event_timestamp": pa.array([datetime(2024, 1, 1, 10)], pa.timestamp("us")),
        "last_trip": pa.array([datetime(2024, 1, 1, 9)], pa.timestamp("us")),
    }
    source = engine.source("tsfeat", columns)
    out = engine.join(entity_df([1], [11]), [view(source, ["last_trip"])])
    assert out.schema.field("last_trip").type.tz == "UTC"
    assert out["last_trip"].to_pylist() == [datetime(2024, 1, 1, 9, tzinfo=UTC)]


def test_output_keeps_input_order_when_timestamps_are_unsorted(engine):
    rows = [(k, h, h, float(k * 100 + h)) for k in range(1, 6) for h in range(0, 48, 3)]
    source = drivers(engine, rows)
    ids = [5, 1, 3, 1, 4, 2, 5, 3]
    hours = [40, 2, 47, 0.5, 10, 33, 1, 20]
    out = engine.join(entity_df(ids, hours, row=list(range(8))), [view(source, ["value"])])
    assert out["row"].to_pylist() == list(range(8))
    assert out["value"].to_pylist() == [float(k * 100 + (int(h) // 3) * 3) for k, h in zip(ids, hours)]


def test_field_mapping_reads_source_columns_under_feature_names(engine):
    columns = {"id": pa.array([1], pa.int64()), "ts": pa.array([at(1)], TS), "conv": [0.5]}
    source = engine.source("mapped", columns, timestamp_field="ts", field_mapping={"id": "driver_id", "conv": "conv_rate"})
    fv = view(source, [("conv", "conv_rate")], keys=("id",), entity_columns=("driver_id",))
    out = engine.join(entity_df([1], [2]), [fv])
    assert out.column_names == ["driver_id", "event_timestamp", "conv_rate"]
    assert out["conv_rate"].to_pylist() == [0.5]


def test_source_timestamp_column_with_the_entity_timestamp_name_is_not_confused(engine):
    source = drivers(engine, [(1, 1, 1, 1.0), (1, 3, 3, 3.0)])
    out = engine.join(entity_df([1], [2]), [view(source, ["value"])])
    assert out.column_names == ["driver_id", "event_timestamp", "value"]
    assert out["event_timestamp"].to_pylist() == [at(2)]
    assert out["value"].to_pylist() == [1.0]


def test_an_empty_entity_df_gives_typed_empty_feature_columns(engine):
    source = drivers(engine, [(1, 1, 1, 1.0)])
    df = entity_df([], []).astype({"driver_id": "int64", "event_timestamp": "datetime64[us, UTC]"})
    out = engine.join(df, [view(source, ["value"])])
    assert out.num_rows == 0
    assert out.schema.field("value").type == pa.float64()


def test_missing_entity_column_names_the_view(engine):
    source = drivers(engine, [(1, 1, 1, 1.0)])
    df = pd.DataFrame({"rider": [1], "event_timestamp": [at(1)]})
    with pytest.raises(EntityDataError, match="'fv'.*driver_id"):
        engine.join(df, [view(source, ["value"])])


def test_missing_feature_column_names_the_column_and_the_source(engine):
    source = drivers(engine, [(1, 1, 1, 1.0)])
    with pytest.raises(DataSourceError, match=r"drivers.*nope"):
        engine.join(entity_df([1], [2]), [view(source, ["nope"])])


def test_a_source_that_does_not_exist_is_named(engine):
    with pytest.raises(DataSourceError, match="ghost"):
        engine.join(entity_df([1], [1]), [view(engine.missing_source(), ["value"])])
    with pytest.raises(DataSourceError, match="ghost"):
        engine.store.source_schema(engine.missing_source())


def test_entity_rows_in_range_are_the_distinct_keys_and_times_inside_the_inclusive_bounds(engine):
    # Feast's start/end mode: the entity rows are the source's own (keys, event time) in the range
    source = drivers(engine, [(1, 1, 1, 1.0), (1, 1, 2, 2.0), (1, 3, 3, 3.0), (2, 5, 5, 5.0), (3, 6, 6, 6.0)])
    table = engine.store.entity_rows_in_range(source, ("driver_id",), "event_timestamp", at(1), at(5))
    assert sorted((r["driver_id"], r["event_timestamp"]) for r in table.to_pylist()) == [
        (1, at(1)), (1, at(3)), (2, at(5))]
    assert table.schema.field("event_timestamp").type.tz == "UTC"
