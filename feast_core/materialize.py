"""Offline to online: the latest row per key of one view within [start, end], in bounded-memory chunks.

Crash safety comes from the online store: each chunk is one atomic write guarded by event time, so a run
killed half way and run again converges to the same rows, and an older window materialized after a newer
one never replaces newer values.

Progress is resumable per chunk. The latest rows come in ascending event time (``pull_latest(ordered=True)``), so
once a chunk is written, every key whose newest row in the window is older than that chunk's last event
time T has its final value online; ``checkpoint(T)`` lets the caller record the window up to just before
T. A killed run leaves that record, and ``materialize-incremental`` continues from it: it reads the newest
row per key from there on, which is exactly what the killed run had not written yet (a key whose newest row
came later keeps its previous value until then). Only a store that says it can order (``pulls_in_order``)
is asked to; with any other (Spark), or if the rows still come out of order, no checkpoint is taken and the
window is recorded only when the run completes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TextIO

import pyarrow as pa
import pyarrow.compute as pc

from . import telemetry
from .definitions import FeatureView
from .definitions.feature_view import DUMMY_ENTITY_ID, DUMMY_ENTITY_VAL
from .errors import DataSourceError
from .offline.base import OfflineStore, PullQuery
from .online.base import CREATED_TS, EVENT_TS, OnlineStore

DEFAULT_CHUNK_ROWS = 50_000


def _utc(value: datetime) -> datetime:
    """Naive datetimes mean UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def untransformed(view: FeatureView, action: str) -> str:
    """Why feast_core will not read the rows of a view whose rows pass through a function."""
    return (
        f"cannot {action} batch feature view {view.name!r}: its rows pass through a function, which feast_core "
        "does not run (Feast's compute engines do), and its source's rows would be served untransformed"
    )


def pull_query(view: FeatureView, start: datetime, end: datetime) -> PullQuery:
    """What to read from the view's batch source, in source column names."""
    source = view.batch_source
    if view.transforms_rows:
        raise DataSourceError(untransformed(view, "materialize"))
    if not source.timestamp_field:
        raise DataSourceError(
            f"data source {source.name!r} of feature view {view.name!r} has no timestamp_field; "
            "materialization needs one to pick the latest row per key"
        )
    return PullQuery(
        source=source,
        join_keys=tuple(source.source_column(k) for k in view.entity_key_columns),
        columns=tuple(source.source_column(f.name) for f in view.features),
        timestamp_field=source.source_column(source.timestamp_field),  # a name after field_mapping, as in Feast
        created_timestamp_column=source.source_column(source.created_timestamp_column),
        start=_utc(start),
        end=_utc(end),
    )


def online_batch_renamer(view: FeatureView, query: PullQuery) -> Callable[[pa.RecordBatch], pa.Table]:
    """A function from a pulled batch (source names) to the online write form (view names, EVENT_TS, CREATED_TS).

    Columns are picked by name, not position, so a source column used twice (a feature that is also
    the timestamp field) is fine even when the offline store returns it once.
    """
    wanted = [(src, name) for src, name in zip(query.join_keys, view.entity_key_columns)]
    placeholder = DUMMY_ENTITY_ID in view.join_keys  # an entity-less view: one row, under Feast's placeholder key
    # a join key listed among the features too (upstream Feast stores a stream view's that way) is taken once
    keys = set(view.entity_key_columns)
    wanted += [(src, f.name) for src, f in zip(query.columns, view.features) if f.name not in keys]
    wanted.append((query.timestamp_field, EVENT_TS))
    if query.created_timestamp_column:
        wanted.append((query.created_timestamp_column, CREATED_TS))

    def rename(batch: pa.RecordBatch) -> pa.Table:
        index = {}
        for i, name in enumerate(batch.schema.names):
            index.setdefault(name, i)
        missing = [src for src, _ in wanted if src not in index]
        if missing:
            raise DataSourceError(
                f"data source {query.source.name!r} of feature view {view.name!r}: pulled rows lack column(s) {missing}"
            )
        arrays = [batch.column(index[src]) for src, _ in wanted]
        names = [n for _, n in wanted]
        if placeholder:
            arrays.insert(0, pa.array([DUMMY_ENTITY_VAL] * batch.num_rows, pa.string()))
            names.insert(0, DUMMY_ENTITY_ID)
        return pa.Table.from_arrays(arrays, names=names)

    return rename


def materialize_view(
    offline: OfflineStore,
    online: OnlineStore,
    project: str,
    view: FeatureView,
    start: datetime,
    end: datetime,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
    checkpoint: Callable[[datetime], None] | None = None,
) -> int:
    """Write the latest row per key with start <= event time <= end to the online store; returns rows written.

    ``checkpoint(t)``: called once a chunk is written (when the next one comes, or the run fails; not after the
    last one, whose progress the caller records with the whole run) with the event time up to which (excluded)
    every key's final row is online (see the module docstring)."""
    if _utc(start) > _utc(end):
        raise ValueError(f"materializing {view.name!r}: start {start.isoformat()} is after end {end.isoformat()}")
    if checkpoint is not None and not getattr(offline, "pulls_in_order", False):
        checkpoint = None  # a store that cannot order its winners: the caller records the whole run at the end
    query = pull_query(view, start, end)
    rename = online_batch_renamer(view, query)
    written = 0
    counter = None
    if telemetry.flags.materialization:
        from .telemetry.metrics import MATERIALIZED_ROWS

        counter = MATERIALIZED_ROWS.labels(view.name)
    pulled_from = time.time_ns()  # a chunk's span covers pulling it from the offline store and writing it
    reached = None  # the latest event time written so far, while the rows come in order
    # a chunk's checkpoint is recorded when the next chunk comes (or the run fails): after the last one the caller
    # records the whole window anyway, so a run of one chunk writes the registry once, not twice
    pending = None
    batches = offline.pull_latest(query, chunk_rows, ordered=True) if checkpoint else offline.pull_latest(query, chunk_rows)
    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            if pending is not None:
                checkpoint(pending)
                pending = None
            table = rename(batch)
            with telemetry.span("feast.materialize.chunk",
                                {"feast.feature_view": view.name, "feast.row_count": batch.num_rows},
                                start_time=pulled_from):
                rows = online.write(project, view, table)
            if checkpoint is not None:
                bounds = pc.min_max(table.column(EVENT_TS))
                low, high = bounds["min"].as_py(), bounds["max"].as_py()
                if reached is not None and (low is None or _utc(low) < reached):
                    checkpoint = None  # out of order: no further checkpoints, the caller records the whole run
                elif high is not None:
                    reached = pending = _utc(high)
            written += rows
            if counter is not None:
                counter.inc(rows)
            if progress is not None:
                progress(rows)
            pulled_from = time.time_ns()
    except BaseException:
        if pending is not None and checkpoint is not None:
            checkpoint(pending)  # what was written before the failure stays recorded
        raise
    return written


class LocalEngine:
    """``batch_engine: local``: the offline store streams the latest rows here, this process writes them."""

    def __init__(self, offline: OfflineStore, online: OnlineStore) -> None:
        self.offline = offline
        self.online = online

    def materialize_view(
        self, project: str, view: FeatureView, start: datetime, end: datetime, *,
        chunk_rows: int = DEFAULT_CHUNK_ROWS, progress: Callable[[int], None] | None = None,
        checkpoint: Callable[[datetime], None] | None = None,
    ) -> int:
        return materialize_view(self.offline, self.online, project, view, start, end, chunk_rows=chunk_rows,
                                progress=progress, checkpoint=checkpoint)

    def close(self) -> None:
        pass


class ProgressBar:
    """A one-line row counter on stderr, drawn only when stderr is a terminal.

    The total is unknown (rows stream from the offline store), so it shows rows written, elapsed time
    and rate. Use as ``with ProgressBar("driver_stats") as bar: materialize_view(..., progress=bar)``.
    """

    def __init__(self, label: str, stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.rows = 0
        self._min_interval = min_interval
        self._started = time.monotonic()
        self._last_draw = 0.0

    def __call__(self, rows: int) -> None:
        self.rows += rows
        now = time.monotonic()
        if now - self._last_draw >= self._min_interval:
            self._draw(now)

    def _draw(self, now: float, end: str = "") -> None:
        if not self.enabled:
            return
        self._last_draw = now
        elapsed = now - self._started
        rate = self.rows / elapsed if elapsed > 0 else 0.0
        self.stream.write(f"\r{self.label}: {self.rows:,} rows, {elapsed:.1f}s ({rate:,.0f} rows/s)\x1b[K{end}")
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        self._draw(time.monotonic())
        return self

    def __exit__(self, *_exc: object) -> None:
        self._draw(time.monotonic(), end="\n")
