"""The file offline store against real parquet files: point-in-time joins, latest-row pulls, appends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from feast_core.config import FileOfflineStoreConfig
from feast_core.definitions import FileSource
from feast_core.errors import DataSourceError, EntityDataError
from feast_core.offline.base import PullQuery, ViewQuery
from feast_core.offline.file import FileOfflineStore

UTC = timezone.utc
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def store(tmp_path):
    offline = FileOfflineStore(FileOfflineStoreConfig(), tmp_path)
    yield offline
    offline.close()


def write_source(tmp_path: Path, name: str, columns: dict, *, created: bool = True, **source_kwargs) -> FileSource:
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.table(columns), path)
    return FileSource(
        name=name, path=path.name, timestamp_field=source_kwargs.pop("timestamp_field", "event_timestamp"),
        created_timestamp_column="created" if created else "", **source_kwargs,
    )


def view(source: FileSource, features, *, keys=("driver_id",), entity_columns=None, ttl=0.0, name="fv") -> ViewQuery:
    return ViewQuery(
        name=name, source=source, join_keys=tuple(keys), entity_columns=tuple(entity_columns or keys),
        features=tuple((f, f) if isinstance(f, str) else f for f in features),
        timestamp_field=source.timestamp_field, created_timestamp_column=source.created_timestamp_column,
        ttl_seconds=ttl,
    )


def entity_df(ids, hours, **extra) -> pd.DataFrame:
    return pd.DataFrame({"driver_id": ids, "event_timestamp": [at(h) for h in hours], **extra})


def driver_source(tmp_path, rows, created=True, name="drivers"):
    """rows: (driver_id, event hour, created hour, value)."""
    columns = {
        "driver_id": pa.array([r[0] for r in rows], pa.int64()),
        "event_timestamp": pa.array([at(r[1]) for r in rows], pa.timestamp("us", "UTC")),
        "value": pa.array([r[3] for r in rows], pa.float64()),
    }
    if created:
        columns["created"] = pa.array([at(r[2]) for r in rows], pa.timestamp("us", "UTC"))
    return write_source(tmp_path, name, columns, created=created)


def test_ties_on_event_time_go_to_the_latest_created_even_with_three_copies(store, tmp_path):
    source = driver_source(tmp_path, [(1, 5, 7, 1.0), (1, 5, 9, 3.0), (1, 5, 8, 2.0), (2, 5, 1, 10.0), (2, 5, 2, 20.0)])
    out = store.get_historical_features(entity_df([1, 2], [6, 6]), "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [3.0, 20.0]


def test_a_later_event_beats_a_later_created_timestamp(store, tmp_path):
    source = driver_source(tmp_path, [(1, 5, 100, 1.0), (1, 6, 6, 2.0)])
    out = store.get_historical_features(entity_df([1], [7]), "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [2.0]


def test_both_bounds_t_and_t_minus_ttl_are_inclusive(store, tmp_path):
    source = driver_source(tmp_path, [(1, 10, 10, 1.0), (2, 8, 8, 2.0), (3, 10.5, 10.5, 3.0)], created=False)
    fv = view(source, ["value"], ttl=2 * 3600)
    # driver 1: row exactly at T; driver 2: row exactly at T - ttl; driver 3: row after T; then just past T - ttl
    df = entity_df([1, 2, 3, 2], [10, 10, 10, 10 + 1 / 3600])
    out = store.get_historical_features(df, "event_timestamp", [fv])
    assert out["value"].to_pylist() == [1.0, 2.0, None, None]


def test_ttl_zero_has_no_lower_bound(store, tmp_path):
    source = driver_source(tmp_path, [(1, 0, 0, 1.0)], created=False)
    df = entity_df([1], [24 * 365 * 3])
    assert store.get_historical_features(df, "event_timestamp", [view(source, ["value"], ttl=0)])["value"].to_pylist() == [1.0]
    assert store.get_historical_features(df, "event_timestamp", [view(source, ["value"], ttl=3600)])["value"].to_pylist() == [None]


def test_rows_without_a_match_are_kept_with_nulls(store, tmp_path):
    source = driver_source(tmp_path, [(1, 5, 5, 1.0)])
    df = entity_df([1, 99, 1], [6, 6, 4])  # unknown key; a row before any feature row
    out = store.get_historical_features(df, "event_timestamp", [view(source, ["value"])])
    assert out.num_rows == 3
    assert out["driver_id"].to_pylist() == [1, 99, 1]
    assert out["value"].to_pylist() == [1.0, None, None]


def test_null_entity_keys_match_nothing_not_even_null_keyed_rows(store, tmp_path):
    columns = {
        "driver_id": pa.array([None, 1], pa.int64()),
        "event_timestamp": pa.array([at(1), at(1)], pa.timestamp("us", "UTC")),
        "value": [7.0, 1.0],
    }
    source = write_source(tmp_path, "nullkeys", columns, created=False)
    df = pd.DataFrame({"driver_id": pd.array([None, 1], dtype="Int64"), "event_timestamp": [at(2), at(2)]})
    out = store.get_historical_features(df, "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [None, 1.0]


def test_duplicate_entity_rows_both_get_values_and_keep_their_own_columns(store, tmp_path):
    source = driver_source(tmp_path, [(1, 5, 5, 1.0)])
    df = entity_df([1, 1], [6, 6], label=["a", "b"])
    out = store.get_historical_features(df, "event_timestamp", [view(source, ["value"])])
    assert out.column_names == ["driver_id", "event_timestamp", "label", "value"]
    assert out["label"].to_pylist() == ["a", "b"]
    assert out["value"].to_pylist() == [1.0, 1.0]


def test_two_join_keys_must_both_match(store, tmp_path):
    columns = {
        "driver_id": [1, 1, 2],
        "customer_id": ["a", "b", "a"],
        "event_timestamp": pa.array([at(1)] * 3, pa.timestamp("us", "UTC")),
        "trips": [10, 20, 30],
    }
    source = write_source(tmp_path, "pairs", columns, created=False)
    df = pd.DataFrame({"driver_id": [2, 1, 1, 2], "customer_id": ["a", "b", "a", "b"], "event_timestamp": [at(2)] * 4})
    out = store.get_historical_features(df, "event_timestamp", [view(source, ["trips"], keys=("driver_id", "customer_id"))])
    assert out["trips"].to_pylist() == [30, 20, 10, None]


def test_two_views_with_different_keys_and_mapped_entity_columns(store, tmp_path):
    drivers = driver_source(tmp_path, [(1, 1, 1, 1.5), (2, 1, 1, 2.5)])
    customers = write_source(
        tmp_path, "customers",
        {"customer_id": ["x", "y"], "event_timestamp": pa.array([at(1), at(3)], pa.timestamp("us", "UTC")), "spend": [5, 6]},
        created=False,
    )
    df = pd.DataFrame({"driver_id": [2, 1], "rider": ["y", "x"], "event_timestamp": [at(2), at(4)]})
    views = [
        view(drivers, ["value"], name="drivers"),
        view(customers, ["spend"], keys=("customer_id",), entity_columns=("rider",), name="customers"),
    ]
    out = store.get_historical_features(df, "event_timestamp", views)
    assert out.column_names == ["driver_id", "rider", "event_timestamp", "value", "spend"]
    assert out["value"].to_pylist() == [2.5, 1.5]
    assert out["spend"].to_pylist() == [None, 5]  # y's row (hour 3) is after its entity row (hour 2)


def test_naive_timestamps_on_either_side_are_utc(store, tmp_path):
    # source timestamps naive (UTC by convention); entity timestamps tz-aware in another zone and naive
    columns = {
        "driver_id": [1, 1],
        "event_timestamp": pa.array([datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 12)], pa.timestamp("us")),
        "value": [1.0, 2.0],
    }
    source = write_source(tmp_path, "naive", columns, created=False)
    plus2 = timezone(timedelta(hours=2))
    aware = pd.DataFrame({"driver_id": [1, 1], "event_timestamp": [datetime(2024, 1, 1, 13, tzinfo=plus2), datetime(2024, 1, 1, 14, tzinfo=plus2)]})
    out = store.get_historical_features(aware, "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0, 2.0]  # 11:00 UTC sees the 10:00 row; 12:00 UTC sees the 12:00 row
    assert out.schema.field("event_timestamp").type.tz == "UTC"
    assert out.to_pandas()["event_timestamp"].dt.tz is not None
    assert out["event_timestamp"].to_pylist()[0] == datetime(2024, 1, 1, 11, tzinfo=UTC)

    naive = pd.DataFrame({"driver_id": [1], "event_timestamp": [datetime(2024, 1, 1, 11, 59)]})
    out = store.get_historical_features(naive, "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0]
    assert out["event_timestamp"].to_pylist() == [datetime(2024, 1, 1, 11, 59, tzinfo=UTC)]


def test_timestamp_features_come_back_tz_aware_utc(store, tmp_path):
    columns = {
        "driver_id": [1],
        "event_timestamp": pa.array([datetime(2024, 1, 1, 10)], pa.timestamp("us")),
        "last_trip": pa.array([datetime(2024, 1, 1, 9)], pa.timestamp("us")),
    }
    source = write_source(tmp_path, "tsfeat", columns, created=False)
    out = store.get_historical_features(entity_df([1], [11]), "event_timestamp", [view(source, ["last_trip"])])
    assert out.schema.field("last_trip").type.tz == "UTC"
    assert out["last_trip"].to_pylist() == [datetime(2024, 1, 1, 9, tzinfo=UTC)]


def test_output_keeps_input_order_when_timestamps_are_unsorted(store, tmp_path):
    rows = [(k, h, h, float(k * 100 + h)) for k in range(1, 6) for h in range(0, 48, 3)]
    source = driver_source(tmp_path, rows)
    ids = [5, 1, 3, 1, 4, 2, 5, 3]
    hours = [40, 2, 47, 0.5, 10, 33, 1, 20]
    out = store.get_historical_features(entity_df(ids, hours, row=list(range(8))), "event_timestamp", [view(source, ["value"])])
    assert out["row"].to_pylist() == list(range(8))
    expected = [float(k * 100 + (int(h) // 3) * 3) for k, h in zip(ids, hours)]  # the row at or before h
    assert out["value"].to_pylist() == expected


def test_field_mapping_reads_source_columns_under_feature_names(store, tmp_path):
    columns = {
        "id": [1],
        "ts": pa.array([at(1)], pa.timestamp("us", "UTC")),
        "conv": [0.5],
    }
    source = write_source(
        tmp_path, "mapped", columns, created=False, timestamp_field="ts",
        field_mapping={"id": "driver_id", "conv": "conv_rate"},
    )
    fv = view(source, [("conv", "conv_rate")], keys=("id",), entity_columns=("driver_id",))
    out = store.get_historical_features(entity_df([1], [2]), "event_timestamp", [fv])
    assert out.column_names == ["driver_id", "event_timestamp", "conv_rate"]
    assert out["conv_rate"].to_pylist() == [0.5]


def test_source_timestamp_column_with_the_entity_timestamp_name_is_not_confused(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0), (1, 3, 3, 3.0)])
    assert source.timestamp_field == "event_timestamp"
    out = store.get_historical_features(entity_df([1], [2]), "event_timestamp", [view(source, ["value"])])
    assert out.column_names == ["driver_id", "event_timestamp", "value"]
    assert out["event_timestamp"].to_pylist() == [at(2)]
    assert out["value"].to_pylist() == [1.0]


def test_an_empty_entity_df_gives_typed_empty_feature_columns(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    df = entity_df([], []).astype({"driver_id": "int64", "event_timestamp": "datetime64[us, UTC]"})
    out = store.get_historical_features(df, "event_timestamp", [view(source, ["value"])])
    assert out.num_rows == 0
    assert out.schema.field("value").type == pa.float64()


def test_entity_df_as_sql_is_refused(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    with pytest.raises(EntityDataError, match="pandas DataFrame"):
        store.get_historical_features("SELECT 1", None, [view(source, ["value"])])


def test_missing_entity_column_names_the_view(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    df = pd.DataFrame({"rider": [1], "event_timestamp": [at(1)]})
    with pytest.raises(EntityDataError, match="'fv'.*'driver_id'"):
        store.get_historical_features(df, "event_timestamp", [view(source, ["value"])])


def test_missing_feature_column_names_the_column_and_source(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    with pytest.raises(DataSourceError, match=r"'fv'.*drivers.*'nope'"):
        store.get_historical_features(entity_df([1], [2]), "event_timestamp", [view(source, ["nope"])])


def test_directory_source_reads_every_parquet_file(store, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, hour in enumerate((1, 3)):
        pq.write_table(
            pa.table({"driver_id": [1], "event_timestamp": pa.array([at(hour)], pa.timestamp("us", "UTC")), "value": [float(i)]}),
            folder / f"p{i}.parquet",
        )
    (folder / "_SUCCESS").write_text("")
    source = FileSource(name="parts", path="parts", timestamp_field="event_timestamp")
    out = store.get_historical_features(entity_df([1, 1], [2, 4]), "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [0.0, 1.0]


def pull(source, start, end, columns=("value",)) -> PullQuery:
    return PullQuery(
        source=source, join_keys=("driver_id",), columns=columns, timestamp_field="event_timestamp",
        created_timestamp_column=source.created_timestamp_column, start=start, end=end,
    )


def test_pull_latest_takes_the_latest_row_per_key_inside_the_inclusive_window(store, tmp_path):
    source = driver_source(tmp_path, [
        (1, 1, 1, 1.0), (1, 2, 2, 2.0), (1, 3, 3, 3.0),  # hour 3 is exactly the end: included
        (2, 1, 1, 10.0), (2, 4, 4, 40.0),  # hour 4 is after the end
        (3, 0.5, 0.5, 5.0),  # before the start: driver 3 absent
        (4, 1, 1, 7.0),  # exactly the start: included
        (5, 2, 5, 50.0), (5, 2, 9, 90.0), (5, 2, 7, 70.0),  # ties by created
    ])
    batches = list(store.pull_latest(pull(source, at(1), at(3)), chunk_rows=100))
    rows = pa.Table.from_batches(batches).sort_by("driver_id").to_pylist()
    assert [(r["driver_id"], r["value"], r["event_timestamp"], r["created"]) for r in rows] == [
        (1, 3.0, at(3), at(3)), (2, 10.0, at(1), at(1)), (4, 7.0, at(1), at(1)), (5, 90.0, at(2), at(9)),
    ]


def test_pull_latest_streams_in_chunks_of_at_most_chunk_rows(store, tmp_path):
    source = driver_source(tmp_path, [(k, 1, 1, float(k)) for k in range(2500)], created=False)
    batches = list(store.pull_latest(pull(source, at(0), at(2)), chunk_rows=1000))
    assert len(batches) >= 3
    assert all(0 < b.num_rows <= 1000 for b in batches)
    assert sorted(pa.Table.from_batches(batches)["driver_id"].to_pylist()) == list(range(2500))
    assert batches[0].schema.field("event_timestamp").type.tz == "UTC"


def test_write_then_read_back_sees_old_and_new_rows(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    pushed = pa.table({  # different column order and a naive timestamp: conformed to the source
        "value": [2.0, 3.0],
        "driver_id": [1, 2],
        "created": pa.array([at(5), at(5)], pa.timestamp("us", "UTC")),
        "event_timestamp": pa.array([datetime(2024, 1, 1, 5), datetime(2024, 1, 1, 5)], pa.timestamp("us")),
    })
    store.write(source, pushed)
    out = store.get_historical_features(entity_df([1, 1, 2], [2, 6, 6]), "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0, 2.0, 3.0]
    # the original file is untouched and the pushed rows live next to it
    assert pq.read_table(tmp_path / "drivers.parquet").num_rows == 1
    assert store.source_schema(source).names == ["driver_id", "event_timestamp", "value", "created"]
    latest = pa.Table.from_batches(list(store.pull_latest(pull(source, at(0), at(6)), 10))).sort_by("driver_id")
    assert latest["value"].to_pylist() == [2.0, 3.0]


def test_write_to_a_directory_source_adds_a_file(store, tmp_path):
    folder = tmp_path / "pushes"
    folder.mkdir()
    pq.write_table(pa.table({"driver_id": [1], "event_timestamp": pa.array([at(1)], pa.timestamp("us", "UTC")), "value": [1.0]}), folder / "a.parquet")
    source = FileSource(name="pushes", path=str(folder), timestamp_field="event_timestamp")
    store.write(source, pa.table({"driver_id": [2], "event_timestamp": pa.array([at(1)], pa.timestamp("us", "UTC")), "value": [2.0]}))
    assert len(list(folder.glob("*.parquet"))) == 2
    out = store.get_historical_features(entity_df([1, 2], [2, 2]), "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0, 2.0]


def test_write_with_wrong_columns_fails_and_leaves_data_intact(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    before = pq.read_table(tmp_path / "drivers.parquet")
    wrong = pa.table({"driver_id": [1], "event_timestamp": pa.array([at(2)], pa.timestamp("us", "UTC")), "speed": [9.0]})
    with pytest.raises(DataSourceError) as error:
        store.write(source, wrong)
    message = str(error.value)
    assert "'value'" in message and "'created'" in message and "'speed'" in message and "drivers" in message
    assert pq.read_table(tmp_path / "drivers.parquet").equals(before)
    assert not (tmp_path / "drivers.parquet.d").exists() or not any((tmp_path / "drivers.parquet.d").iterdir())
    out = store.get_historical_features(entity_df([1], [3]), "event_timestamp", [view(source, ["value"])])
    assert out["value"].to_pylist() == [1.0]


def test_write_with_an_unconvertible_type_names_the_column(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)], created=False)
    bad = pa.table({"driver_id": [1], "event_timestamp": pa.array([at(2)], pa.timestamp("us", "UTC")), "value": ["fast"]})
    with pytest.raises(DataSourceError, match="'value'"):
        store.write(source, bad)
    assert store.get_historical_features(entity_df([1], [3]), "event_timestamp", [view(source, ["value"])])["value"].to_pylist() == [1.0]


def test_missing_file_error_names_the_source_and_the_path(store, tmp_path):
    source = FileSource(name="ghost", path="data/ghost.parquet", timestamp_field="event_timestamp")
    with pytest.raises(DataSourceError) as error:
        store.source_schema(source)
    assert "'ghost'" in str(error.value)
    assert str(tmp_path / "data" / "ghost.parquet") in str(error.value)
    with pytest.raises(DataSourceError, match="ghost"):
        store.get_historical_features(entity_df([1], [1]), "event_timestamp", [view(source, ["value"])])


def test_source_schema_reads_the_parquet_columns(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    schema = store.source_schema(source)
    assert schema.field("driver_id").type == pa.int64()
    assert schema.field("value").type == pa.float64()
    assert schema.field("event_timestamp").type == pa.timestamp("us", "UTC")
