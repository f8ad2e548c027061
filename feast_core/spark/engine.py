"""The Spark materialization engine (``batch_engine: type: spark.engine``).

Spark computes the latest row per key in the window (one aggregation over the source, as the Spark
offline store's ``latest_frame`` builds it) and its partitions write the rows to the online store, each
through the OnlineStore protocol in transactions of at most ``chunk_rows`` rows: timestamp-guarded, atomic
per write, so a task Spark retries, or a run killed and run again, converges to the same rows, and an
older window never replaces newer values. Only one number per partition (rows written) comes back to the
driver, so the driver's memory does not grow with the data. The materialized interval is recorded by the
caller after every partition has written.

Partitions write from Spark's executors when those can reach the online store: always for a database
(PostgreSQL), and for a SQLite file only when the executors run on this machine (a local master, here or
behind a loopback Spark Connect server). Otherwise the rows stream to the driver one chunk at a time and
the driver writes them. Executors that write need feast_core installed (the ``feast-core[spark]`` image).

``partitions`` (Feast's key; 0 keeps Spark's own) repartitions the rows before writing: the number of
parallel writers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from ..config import RepoConfig, SparkEngineConfig, SparkOfflineStoreConfig
from ..definitions import FeatureView, FileSource, SparkSource
from ..errors import DataSourceError
from ..materialize import DEFAULT_CHUNK_ROWS, online_batch_renamer, pull_query
from ..offline.base import PullQuery
from ..offline.spark import SparkOfflineStore
from .frames import arrow_batches
from .session import spark_errors

if TYPE_CHECKING:
    from ..online.base import OnlineStore

OnlineStoreFactory = Callable[[], "OnlineStore"]


def _write_partition(
    online_factory: OnlineStoreFactory, project: str, view_spec: dict, query: PullQuery, chunk_rows: int,
    batches: Iterator[pa.RecordBatch],
) -> Iterator[pa.RecordBatch]:
    """Runs on an executor: writes one partition's rows in chunks, yields how many it wrote."""
    view = FeatureView.from_dict(view_spec)
    rename = online_batch_renamer(view, query)
    online = online_factory()
    written = 0
    pending: list[pa.RecordBatch] = []
    count = 0
    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            pending.append(batch)
            count += batch.num_rows
            if count >= chunk_rows:
                written += online.write(project, view, rename(pa.Table.from_batches(pending)))
                pending, count = [], 0
        if pending:
            written += online.write(project, view, rename(pa.Table.from_batches(pending)))
    finally:
        online.close()
    yield pa.RecordBatch.from_arrays([pa.array([written], pa.int64())], ["rows"])


class SparkMaterializationEngine:
    """Materialization computed in Spark (see the module docstring)."""

    def __init__(
        self, config: RepoConfig, offline: object, online: OnlineStore, online_factory: OnlineStoreFactory,
    ) -> None:
        engine = config.batch_engine
        if not isinstance(engine, SparkEngineConfig):
            raise TypeError(f"batch_engine is {engine.type!r}, not spark.engine")
        self.config = config
        self.partitions = engine.partitions
        self.online = online
        self.online_factory = online_factory
        if isinstance(offline, SparkOfflineStore) and not engine.spark_conf:
            self.reader = offline
            self._own_reader = False
        else:
            spark_conf = engine.spark_conf
            if spark_conf is None and isinstance(config.offline_store, SparkOfflineStoreConfig):
                spark_conf = config.offline_store.spark_conf
            self.reader = SparkOfflineStore(SparkOfflineStoreConfig(type="spark", spark_conf=spark_conf), config.repo_path)
            self._own_reader = True

    @property
    def writes_from_executors(self) -> bool:
        online = self.config.online_store
        return online is not None and (online.type != "sqlite" or self.reader.spark.executors_here)

    def materialize_view(
        self,
        project: str,
        view: FeatureView,
        start: datetime,
        end: datetime,
        *,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        progress: Callable[[int], None] | None = None,
        checkpoint: Callable[[datetime], None] | None = None,
    ) -> int:
        """Write the latest row per key with start <= event time <= end; returns rows written.

        ``checkpoint`` is not called: partitions write in no order, so the caller records the window when the
        run completes (a killed run is redone whole)."""
        if start > end:
            raise ValueError(f"materializing {view.name!r}: start {start.isoformat()} is after end {end.isoformat()}")
        source = view.batch_source
        if not isinstance(source, (SparkSource, FileSource)):
            raise DataSourceError(
                f"feature view {view.name!r}: batch_engine spark.engine reads SparkSource and FileSource views; "
                f"its source {source.name!r} is a {type(source).__name__} (use batch_engine: local for it)"
            )
        query = pull_query(view, start, end)
        latest = self.reader.latest_frame(query)
        what = f"materializing feature view {view.name!r} in {self.reader.spark.describe()}"
        with spark_errors(what):
            if self.partitions:
                latest = latest.repartition(self.partitions)
            if self.writes_from_executors:
                written = self._write_from_executors(latest, project, view, query, chunk_rows)
                if progress is not None and written:
                    progress(written)
                return written
            return self._write_from_driver(latest, project, view, query, chunk_rows, progress)

    def _write_from_executors(self, latest, project: str, view: FeatureView, query: PullQuery, chunk_rows: int) -> int:
        from pyspark.sql import functions as F

        write = functools.partial(_write_partition, self.online_factory, project, view.to_dict(), query, chunk_rows)
        total = latest.mapInArrow(write, "rows long").agg(F.sum("rows").alias("rows")).collect()[0]["rows"]
        return int(total or 0)

    def _write_from_driver(self, latest, project: str, view: FeatureView, query: PullQuery, chunk_rows: int,
                           progress: Callable[[int], None] | None) -> int:
        rename = online_batch_renamer(view, query)
        written = 0
        for batch in arrow_batches(latest, chunk_rows):
            rows = self.online.write(project, view, rename(batch))
            written += rows
            if progress is not None:
                progress(rows)
        return written

    def close(self) -> None:
        if self._own_reader:
            self.reader.close()


__all__ = ["SparkMaterializationEngine"]
