"""Materialization from real parquet files (FileOfflineStore) into a real SQLite online store."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from feast_core.config import FileOfflineStoreConfig, SqliteOnlineStoreConfig
from feast_core.definitions import Entity, FeatureView, Field, FileSource
from feast_core.materialize import ProgressBar, materialize_view
from feast_core.offline.file import FileOfflineStore
from feast_core.online.sqlite import SqliteOnlineStore
from feast_core.types import Float64, Int64

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
DRIVER = Entity(name="driver", join_keys=["driver_id"])


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def write_parquet(path: Path, columns: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


def view_over(source: FileSource, name: str = "driver_stats") -> FeatureView:
    return FeatureView(
        name=name, source=source, entities=[DRIVER], ttl=timedelta(days=1),
        schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64),
                Field(name="rate", dtype=Float64)],
    )


@pytest.fixture
def stores(tmp_path: Path):
    offline = FileOfflineStore(FileOfflineStoreConfig(), tmp_path)
    online = SqliteOnlineStore(SqliteOnlineStoreConfig(), tmp_path)
    yield offline, online
    online.close()
    offline.close()


@pytest.fixture
def history(tmp_path: Path) -> FeatureView:
    """Driver 1 has rows at hours 0, 2, 4; driver 2 at hours 1 and 5; driver 3 only at hour 10."""
    write_parquet(tmp_path / "data" / "drivers.parquet", {
        "driver_id": pa.array([1, 1, 1, 2, 2, 3], pa.int64()),
        "trips": pa.array([10, 12, 14, 21, 25, 30], pa.int64()),
        "rate": [0.1, 0.2, 0.4, 0.5, 0.6, 0.9],
        "ts": pa.array([hours(0), hours(2), hours(4), hours(1), hours(5), hours(10)], pa.timestamp("us", tz="UTC")),
    })
    return view_over(FileSource(path="data/drivers.parquet", timestamp_field="ts"))


def online_values(online: SqliteOnlineStore, view: FeatureView, ids: list[int]) -> list:
    return online.read("proj", view, [(i,) for i in ids], ["trips"]).values["trips"]


def test_window_is_inclusive_and_keeps_the_latest_row_per_key(stores, history: FeatureView):
    offline, online = stores
    online.update("proj", [history], [])
    written = materialize_view(offline, online, "proj", history, hours(1), hours(4))
    # driver 1: hours 2 and 4 are inside (4 = end), latest is 4; driver 2: hour 1 = start; driver 3 outside
    assert written == 2
    assert online_values(online, history, [1, 2, 3]) == [14, 21, None]
    read = online.read("proj", history, [(1,)], ["rate"])
    assert read.values["rate"] == [0.4]
    assert read.event_ts == {"rate": [int(hours(4).timestamp() * 1_000_000)]}


def test_a_rerun_of_the_same_window_changes_nothing(stores, history: FeatureView):
    offline, online = stores
    online.update("proj", [history], [])
    first = materialize_view(offline, online, "proj", history, hours(0), hours(24))
    before = online.read("proj", history, [(1,), (2,), (3,)], ["trips", "rate"])
    again = materialize_view(offline, online, "proj", history, hours(0), hours(24))
    assert first == again == 3
    assert online.read("proj", history, [(1,), (2,), (3,)], ["trips", "rate"]) == before


def test_an_older_window_after_a_newer_one_does_not_regress_values(stores, history: FeatureView):
    offline, online = stores
    online.update("proj", [history], [])
    materialize_view(offline, online, "proj", history, hours(3), hours(24))
    assert online_values(online, history, [1, 2, 3]) == [14, 25, 30]
    materialize_view(offline, online, "proj", history, hours(0), hours(2))
    assert online_values(online, history, [1, 2, 3]) == [14, 25, 30]


def test_small_chunks_give_the_same_result_and_report_progress(tmp_path: Path, stores):
    offline, online = stores
    n = 200
    write_parquet(tmp_path / "data" / "many.parquet", {
        "driver_id": pa.array(list(range(n)) * 2, pa.int64()),
        "trips": pa.array([i for i in range(n)] + [i + 1000 for i in range(n)], pa.int64()),
        "rate": [0.0] * (2 * n),
        "ts": pa.array([hours(1)] * n + [hours(2)] * n, pa.timestamp("us", tz="UTC")),
    })
    chunked = view_over(FileSource(path="data/many.parquet", timestamp_field="ts"), name="chunked")
    whole = view_over(FileSource(path="data/many.parquet", timestamp_field="ts"), name="whole")
    online.update("proj", [chunked, whole], [])

    reported: list[int] = []
    written = materialize_view(offline, online, "proj", chunked, hours(0), hours(3), chunk_rows=3,
                               progress=reported.append)
    assert written == n == sum(reported)
    assert len(reported) >= n // 3 and max(reported) <= 3
    materialize_view(offline, online, "proj", whole, hours(0), hours(3))
    ids = list(range(n))
    assert online_values(online, chunked, ids) == online_values(online, whole, ids) == [i + 1000 for i in ids]


def test_field_mapping_and_created_timestamp_tiebreak(tmp_path: Path, stores):
    offline, online = stores
    write_parquet(tmp_path / "data" / "mapped.parquet", {
        "drv": pa.array([1, 1, 2], pa.int64()),
        "n_trips": pa.array([5, 6, 7], pa.int64()),
        "rate": [0.5, 0.6, 0.7],
        "event_at": pa.array([hours(1)] * 3, pa.timestamp("us", tz="UTC")),
        "loaded_at": pa.array([hours(3), hours(2), hours(2)], pa.timestamp("us", tz="UTC")),
    })
    source = FileSource(
        path="data/mapped.parquet", timestamp_field="event_at", created_timestamp_column="loaded_at",
        field_mapping={"drv": "driver_id", "n_trips": "trips"},
    )
    view = view_over(source)
    online.update("proj", [view], [])
    assert materialize_view(offline, online, "proj", view, hours(0), hours(1)) == 2
    read = online.read("proj", view, [(1,), (2,)], ["trips", "rate"])
    # driver 1 has two rows at the same event time: the one loaded later (hours(3)) wins
    assert read.values == {"trips": [5, 7], "rate": [0.5, 0.7]}


def test_naive_window_bounds_mean_utc(stores, history: FeatureView):
    offline, online = stores
    online.update("proj", [history], [])
    materialize_view(offline, online, "proj", history, hours(1).replace(tzinfo=None), hours(4).replace(tzinfo=None))
    assert online_values(online, history, [1, 2, 3]) == [14, 21, None]


def test_start_after_end_is_refused(stores, history: FeatureView):
    offline, online = stores
    with pytest.raises(ValueError, match="after end"):
        materialize_view(offline, online, "proj", history, hours(5), hours(1))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_only_on_a_terminal():
    quiet = io.StringIO()
    with ProgressBar("driver_stats", stream=quiet) as bar:
        bar(5)
    assert quiet.getvalue() == ""

    terminal = _Terminal()
    with ProgressBar("driver_stats", stream=terminal, min_interval=0) as bar:
        bar(1200)
        bar(34)
    assert "driver_stats: 1,234 rows" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")


# ---- resumable progress: a real `feast materialize-incremental` killed with SIGKILL -----------------------

RESUME_KEYS = 6_000
RESUME_END = datetime(2024, 6, 1, tzinfo=timezone.utc)
RESUME_DEFS = '''
from datetime import timedelta
from feast_core import Entity, FeatureView, Field, FileSource
from feast_core.types import Float64, Int64
driver = Entity(name="driver", join_keys=["driver_id"])
stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(0),
                    source=FileSource(path="data/drivers.parquet", timestamp_field="ts"),
                    schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64),
                            Field(name="rate", dtype=Float64)])
'''


def _resume_repo(path: Path) -> Path:
    import numpy as np

    rng = np.random.default_rng(3)
    n = RESUME_KEYS * 3
    span = int(timedelta(days=10).total_seconds() * 1e6)
    stamps = int((RESUME_END - timedelta(days=10)).timestamp() * 1e6) + rng.integers(0, span, n)
    write_parquet(path / "data" / "drivers.parquet", {
        "driver_id": pa.array(np.tile(np.arange(RESUME_KEYS), 3), pa.int64()),
        "trips": pa.array(np.arange(n), pa.int64()),
        "rate": pa.array(rng.random(n)),
        "ts": pa.array(stamps, pa.timestamp("us", tz="UTC")),
    })
    (path / "feature_store.yaml").write_text(
        "project: resume\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\n"
        "materialization:\n  online_write_batch_size: 30\n")  # Feast's key: small chunks, many checkpoints
    (path / "definitions.py").write_text(RESUME_DEFS)
    return path


def _values(repo: Path) -> list:
    from feast_core import FeatureStore

    store = FeatureStore(repo_path=repo)
    try:
        rows = [{"driver_id": k} for k in range(RESUME_KEYS)]
        return store.get_online_features(["driver_stats:trips"], rows).to_dict()["trips"]
    finally:
        store.close()


def test_a_killed_materialization_is_resumed_from_its_last_chunk(tmp_path, feast):
    import shutil
    import signal

    from feast_core.registry import FileRegistryStore

    repo = _resume_repo(tmp_path / "repo")
    feast("apply", cwd=repo)
    reference = tmp_path / "reference"
    shutil.copytree(repo, reference)
    feast("materialize-incremental", RESUME_END.isoformat(), cwd=reference)
    expected = _values(reference)
    assert sum(v is not None for v in expected) == RESUME_KEYS

    registry = FileRegistryStore(repo / "data" / "registry.db")
    run = feast.popen("materialize-incremental", RESUME_END.isoformat(), cwd=repo)
    recorded = None
    while recorded is None and run.poll() is None:
        view = next(v for v in registry.read().feature_views if v.spec.name == "driver_stats")
        if view.meta.materialization_intervals:
            recorded = view.meta.materialization_intervals[0]
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL and recorded is not None, "the run ended before a chunk was recorded"

    # what the killed run recorded: its window up to the last chunk it wrote, no further
    view = next(v for v in registry.read().feature_views if v.spec.name == "driver_stats")
    (interval,) = view.meta.materialization_intervals
    start = interval.start_time.ToDatetime(timezone.utc)
    reached = interval.end_time.ToDatetime(timezone.utc)
    assert start == RESUME_END - timedelta(weeks=52) and start < reached < RESUME_END  # no ttl: a year back
    partial = _values(repo)
    assert all(v is None or v == e for v, e in zip(partial, expected))  # each key: not yet written, or final

    rerun = feast("materialize-incremental", RESUME_END.isoformat(), cwd=repo)
    assert f"driver_stats from {reached:%Y-%m-%d %H:%M:%S}" in rerun.stdout  # continued where it stopped
    assert _values(repo) == expected
    (interval,) = next(v for v in registry.read().feature_views if v.spec.name == "driver_stats").meta.materialization_intervals
    assert interval.start_time.ToDatetime(timezone.utc) == start and interval.end_time.ToDatetime(timezone.utc) == RESUME_END
