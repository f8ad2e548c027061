"""The file offline store against real parquet files: what only it does (file layout, appends, pulls).

The point-in-time join semantics it shares with the other engines are tested in test_offline_pit.py.
"""

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
































def test_entity_df_as_sql_is_refused(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0)])
    with pytest.raises(EntityDataError, match="pandas DataFrame"):
        store.get_historical_features("SELECT 1", None, [view(source, ["value"])])






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



def test_the_pulls_scan_setting_stays_on_its_own_cursor(store, tmp_path):
    """A latest-row pull reads parquet pages without DuckDB's prefetching; other queries of the store keep it."""
    source = driver_source(tmp_path, [(k, 1, 1, float(k)) for k in range(10)], created=False)
    assert len(pa.Table.from_batches(list(store.pull_latest(pull(source, at(0), at(2)), chunk_rows=100)))) == 10
    assert store._db.execute("SELECT current_setting('disable_parquet_prefetching')").fetchone() == (False,)
    assert store._db.cursor().execute("SELECT current_setting('disable_parquet_prefetching')").fetchone() == (False,)

def test_pull_latest_streams_in_chunks_of_at_most_chunk_rows(store, tmp_path):
    source = driver_source(tmp_path, [(k, 1, 1, float(k)) for k in range(2500)], created=False)
    batches = list(store.pull_latest(pull(source, at(0), at(2)), chunk_rows=1000))
    assert len(batches) >= 3
    assert all(0 < b.num_rows <= 1000 for b in batches)
    assert sorted(pa.Table.from_batches(batches)["driver_id"].to_pylist()) == list(range(2500))
    assert batches[0].schema.field("event_timestamp").type.tz == "UTC"


def test_pull_all_gives_every_row_inside_the_inclusive_window_and_open_bounds(store, tmp_path):
    source = driver_source(tmp_path, [(1, 1, 1, 1.0), (1, 2, 2, 2.0), (2, 3, 3, 3.0), (3, 4, 4, 4.0)])
    def values(start, end):
        return sorted(pa.Table.from_batches(list(store.pull_all(pull(source, start, end), chunk_rows=1)))
                      ["value"].to_pylist())
    assert values(at(2), at(3)) == [2.0, 3.0]  # both bounds included, every row (not the latest per key)
    assert values(None, at(2)) == [1.0, 2.0]
    assert values(at(3), None) == [3.0, 4.0]
    assert values(None, None) == [1.0, 2.0, 3.0, 4.0]


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
