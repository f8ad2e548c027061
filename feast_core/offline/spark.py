"""The Spark offline store (``offline_store: type: spark``): the point-in-time join runs in Spark.

Sources are SparkSource (a table, a Spark SQL query, or csv/json/parquet/avro files) and FileSource (parquet,
read as the file store reads it); see spark/frames.py. The session is feast_core's own, local or over Spark
Connect (spark/session.py).

Point-in-time join, per view; the match of an entity row is its source row with the greatest event time
<= T, ties to the greatest created time (a missing created time loses); a match older than T - ttl gives
nulls, as does no match; a null key matches nothing. Only the row id, keys and timestamp of a DataFrame's
entity rows go to Spark; each view's features come back with the row ids that matched and are placed next to
the caller's own columns, so the output has exactly one row per entity row, in input order. Two plans give
the same answers:

- bounded (a ttl, entity rows from a DataFrame, at most ``BROADCAST_ENTITY_ROWS`` of them, no key on more
  than ``BROADCAST_ROWS_PER_KEY``): the entity rows are broadcast to every task that scans the source, each
  source row meets its key's entity rows in a hash join (code Spark generates, no shuffle of the source), the
  pairs with T - ttl <= event time <= T are kept, and a partial aggregation per task keeps one candidate per
  entity row (``max_by`` on event and created time) before a small shuffle of those candidates. The key
  bound keeps the pairs linear in the source rows. When the entity rows span several ttls
  (``BIN_MIN_SPAN_TTLS``; and twice their number fits the broadcast bound), the join is on the key and a time
  bucket of width ttl (floor(µs / ttl)): an entity row at T is broadcast under its bucket and the one before,
  which hold every event time in [T - ttl, T], so a source row meets only the entity rows of its key within
  about two ttls of it instead of all of them.
- otherwise (no ttl, a Spark SQL entity_df, many rows per key): the source rows that can match (keys present,
  event time within [min T - ttl, max T]) and the entity rows are put in one relation, partitioned by the
  join keys and ordered by (time, source rows before entity rows, created time); for each entity row, the
  last source row before it in that order is its match. One shuffle of the source, no range join, whatever
  the ttl.

An entity_df given as a Spark SQL string is read in Spark and numbered in the order the query returns its
rows (checkpointed once, so every view sees the same numbering); its columns come back with the features.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import FileOfflineStoreConfig, SparkOfflineStoreConfig
from ..definitions import DataSource, FileSource, SparkSource
from ..errors import DataSourceError, EntityDataError
from ..spark.frames import (
    arrow_batches,
    arrow_schema,
    describe_source,
    instant,
    local_path,
    partition_filter,
    read_source,
    require_columns,
    timestamp_literal,
    to_arrow,
)
from ..spark.session import SparkHandle, open_spark, spark_errors
from .base import ENTITY_ROW_ID, PullQuery, ViewQuery, check_output_names, conform_to_schema, entity_table

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

_TS = "__feast_ts"
_SIDE = "__feast_side"  # 0: a source row, 1: an entity row (sorts after source rows of the same time)
_CREATED = "__feast_created"
_VALUE = "__feast_value"
_MATCH = "__feast_match"
_CANDIDATE_TS = "__feast_candidate_ts"
_BUCKET = "__feast_bucket"
_ENTITY_BUCKET = "__feast_entity_bucket"
# the bounded plan's limits (see the module docstring): the entity rows every task holds, and the rows of one
# key each source row of that key is compared with
BROADCAST_ENTITY_ROWS = 2_000_000
BROADCAST_ROWS_PER_KEY = 64
# the bounded plan also joins on time buckets of width ttl when the entity rows span at least this many ttls
BIN_MIN_SPAN_TTLS = 2


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _entity_key(i: int) -> str:
    return f"__feast_e{i}"


class SparkOfflineStore:
    """The OfflineStore protocol over Spark (see the module docstring). The session opens on first use."""

    def __init__(self, config: SparkOfflineStoreConfig, repo_path: Path) -> None:
        self.config = config
        self.repo_path = Path(repo_path)
        self._spark: SparkHandle | None = None
        self._file_writer = None

    @property
    def spark(self) -> SparkHandle:
        if self._spark is None:
            self._spark = open_spark(self.config.spark_conf)
        return self._spark

    def frame(self, source: DataSource) -> DataFrame:
        return read_source(self.spark, source, self.repo_path)

    def source_schema(self, source: DataSource) -> pa.Schema:
        frame = self.frame(source)
        with spark_errors(describe_source(source)):
            return arrow_schema(frame, source)

    # ---- historical retrieval --------------------------------------------------------------------

    def get_historical_features(
        self, entity_df: pd.DataFrame | str, timestamp_column: str | None, views: list[ViewQuery]
    ) -> pa.Table:
        if isinstance(entity_df, str):
            return self._historical_from_query(entity_df, views)
        if not isinstance(entity_df, pd.DataFrame):
            raise EntityDataError(f"entity_df must be a pandas DataFrame or a Spark SQL string, not {type(entity_df).__name__}")
        entities = entity_table(entity_df, timestamp_column)
        check_output_names(entities.schema.names, views)
        if not views:
            return entities
        self._check_entity_columns(entities.schema.names, views)
        if entities.num_rows == 0:
            return self._empty_result(entities, views)
        needed = list(dict.fromkeys(c for view in views for c in view.entity_columns))
        upload = pa.table({
            ENTITY_ROW_ID: pa.array(np.arange(entities.num_rows, dtype=np.int64)),
            _TS: entities[timestamp_column].cast(pa.timestamp("us", tz="UTC")),
            **{_entity_key(i): entities[name] for i, name in enumerate(needed)},
        })
        keys = {name: _entity_key(i) for i, name in enumerate(needed)}
        bounds = pc.min_max(upload[_TS])
        low, high = _utc(bounds["min"].as_py()), _utc(bounds["max"].as_py())
        with spark_errors("entity_df"):
            entity_frame = self.spark.session.createDataFrame(upload)
        for view in views:
            view_keys = [keys[c] for c in view.entity_columns]
            bounded = (bool(view.ttl_seconds) and view.ttl_seconds > 0 and upload.num_rows <= BROADCAST_ENTITY_ROWS
                       and _most_rows_per_key(upload, view_keys) <= BROADCAST_ROWS_PER_KEY)
            binned = bounded and _bins_pay(view.ttl_seconds, high - low, upload.num_rows)
            features = self._join_view(view, entity_frame, keys, low, high, bounded=bounded, binned=binned)
            placed = _in_row_order(features, entities.num_rows)
            for (_, output), column in zip(view.features, placed.columns[1:]):
                entities = entities.append_column(output, column)
        return entities

    def _historical_from_query(self, query: str, views: list[ViewQuery]) -> pa.Table:
        from pyspark.sql import functions as F
        from pyspark.sql.types import TimestampNTZType, TimestampType

        with spark_errors("entity_df query", EntityDataError):
            user = self.spark.session.sql(query.strip().rstrip(";"))
            columns = user.columns
            schema = user.schema
        check_output_names(columns, views)
        if "event_timestamp" in columns:
            ts_column = "event_timestamp"
        else:
            stamps = [f.name for f in schema if isinstance(f.dataType, (TimestampType, TimestampNTZType))]
            if len(stamps) != 1:
                raise EntityDataError(
                    "entity_df query needs an 'event_timestamp' column (or exactly one timestamp column); "
                    f"it returns {columns}"
                )
            ts_column = stamps[0]
        self._check_entity_columns(columns, views)
        needed = list(dict.fromkeys(c for view in views for c in view.entity_columns))
        keys = {name: _entity_key(i) for i, name in enumerate(needed)}
        with spark_errors("entity_df query", EntityDataError):
            numbered = user.withColumn(ENTITY_ROW_ID, F.monotonically_increasing_id()).localCheckpoint(eager=True)
            entity_frame = numbered.select(
                ENTITY_ROW_ID, F.col(ts_column).cast("timestamp").alias(_TS),
                *(F.col(name).alias(alias) for name, alias in keys.items()),
            )
            bounds = entity_frame.agg(F.min(_TS), F.max(_TS), F.count(F.lit(1))).collect()[0]
            entities = to_arrow(numbered.select(ENTITY_ROW_ID, *columns)).sort_by(ENTITY_ROW_ID)
        if bounds[2] == 0 or not views:
            return self._empty_result(entities.drop_columns([ENTITY_ROW_ID]), views)
        if bounds[0] is None:
            raise EntityDataError(f"entity_df query: column {ts_column!r} has empty timestamps")
        low, high = _utc(bounds[0]), _utc(bounds[1])
        for view in views:
            features = self._join_view(view, entity_frame, keys, low, high).sort_by(ENTITY_ROW_ID)
            if features.num_rows != entities.num_rows:
                raise RuntimeError(f"point-in-time join returned {features.num_rows} rows for {entities.num_rows}")
            for (_, output), column in zip(view.features, features.columns[1:]):
                entities = entities.append_column(output, column)
        return entities.drop_columns([ENTITY_ROW_ID])

    @staticmethod
    def _check_entity_columns(columns: list[str], views: list[ViewQuery]) -> None:
        for view in views:
            missing = [c for c in view.entity_columns if c not in columns]
            if missing:
                raise EntityDataError(
                    f"feature view {view.name!r} needs entity_df column(s) {', '.join(map(repr, missing))}"
                )

    def _join_view(
        self, view: ViewQuery, entity_frame: DataFrame, keys: dict[str, str], low: datetime, high: datetime,
        *, bounded: bool = False, binned: bool = False,
    ) -> pa.Table:
        """(row id, features) for the entity rows, in no particular order: every entity row, or with ``bounded``
        (the broadcast plan, see the module docstring; ``binned``: on the key and a time bucket) those that
        matched."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        source = view.source
        what = f"feature view {view.name!r}"
        rows = self.frame(source)
        feature_columns = [s for s, _ in view.features]
        require_columns(rows, source, [*view.join_keys, view.timestamp_field, view.created_timestamp_column,
                                       *feature_columns], what)
        ts = instant(rows, view.timestamp_field, source)
        created = (instant(rows, view.created_timestamp_column, source) if view.created_timestamp_column
                   else F.lit(None).cast("timestamp"))
        ttl_us = int(round(view.ttl_seconds * 1_000_000)) if view.ttl_seconds and view.ttl_seconds > 0 else 0
        lower = low - timedelta(microseconds=ttl_us) if ttl_us else None

        key_types = [self._key_type(view, rows, key, entity_frame, keys[column])
                     for key, column in zip(view.join_keys, view.entity_columns)]
        condition = ts <= timestamp_literal(high)
        if lower is not None:
            condition = condition & (ts >= timestamp_literal(lower))
        for key in view.join_keys:
            condition = condition & F.col(key).isNotNull()
        pruning = partition_filter(source, lower, high)
        if pruning is not None:
            condition = condition & pruning
        if bounded:
            with spark_errors(f"{what}: {describe_source(source)}"):
                return to_arrow(self._bounded_join(rows.where(condition), entity_frame, view, keys, key_types, ts,
                                                   created, feature_columns, ttl_us, binned))
        value = F.struct(ts.alias("ts"), *(F.col(c).alias(f"f{i}") for i, c in enumerate(feature_columns)))
        with spark_errors(f"{what}: {describe_source(source)}"):
            source_side = rows.where(condition).select(
                F.lit(None).cast("long").alias(ENTITY_ROW_ID),
                *(F.col(key).cast(t).alias(f"__k{i}") for i, (key, t) in enumerate(zip(view.join_keys, key_types))),
                ts.alias(_TS), F.lit(0).alias(_SIDE), created.alias(_CREATED), value.alias(_VALUE),
            )
            value_type = source_side.schema[_VALUE].dataType
            entity_side = entity_frame.select(
                ENTITY_ROW_ID,
                *(F.col(keys[c]).cast(t).alias(f"__k{i}") for i, (c, t) in enumerate(zip(view.entity_columns, key_types))),
                _TS, F.lit(1).alias(_SIDE), F.lit(None).cast("timestamp").alias(_CREATED),
                F.lit(None).cast(value_type).alias(_VALUE),
            )
            order = (Window.partitionBy(*(f"__k{i}" for i in range(len(key_types))))
                     .orderBy(_TS, _SIDE, _CREATED)
                     .rowsBetween(Window.unboundedPreceding, Window.currentRow))
            matched = (source_side.unionByName(entity_side)
                       .select(ENTITY_ROW_ID, _TS, _SIDE, F.last(_VALUE, ignorenulls=True).over(order).alias(_MATCH))
                       .where(F.col(_SIDE) == 1))
            outputs = [F.col(ENTITY_ROW_ID)]
            for i in range(len(feature_columns)):
                feature = F.col(f"{_MATCH}.f{i}")
                if ttl_us:
                    fresh = F.unix_micros(F.col(f"{_MATCH}.ts")) >= F.unix_micros(F.col(_TS)) - F.lit(ttl_us)
                    feature = F.when(fresh, feature)
                outputs.append(feature.alias(f"__f{i}"))
            return to_arrow(matched.select(*outputs))

    @staticmethod
    def _bounded_join(rows: DataFrame, entity_frame: DataFrame, view: ViewQuery, keys: dict[str, str], key_types,
                      ts: Column, created: Column, feature_columns: list[str], ttl_us: int, binned: bool) -> DataFrame:
        """The broadcast plan: (row id, features) of the entity rows that have a match within the ttl."""
        from pyspark.sql import functions as F

        source_side = rows.select(
            *(F.col(key).cast(t).alias(f"__k{i}") for i, (key, t) in enumerate(zip(view.join_keys, key_types))),
            ts.alias(_CANDIDATE_TS), created.alias(_CREATED),
            *(F.col(c).alias(f"f{i}") for i, c in enumerate(feature_columns)),
        )
        entity_side = entity_frame.select(
            ENTITY_ROW_ID, _TS,
            *(F.col(keys[c]).cast(t).alias(f"__e{i}") for i, (c, t) in enumerate(zip(view.entity_columns, key_types))),
        )
        condition = (F.col(_CANDIDATE_TS) <= F.col(_TS)) & (
            F.unix_micros(F.col(_CANDIDATE_TS)) >= F.unix_micros(F.col(_TS)) - F.lit(ttl_us))
        for i in range(len(key_types)):
            condition = condition & (F.col(f"__k{i}") == F.col(f"__e{i}"))
        if binned:
            source_side = source_side.withColumn(_BUCKET, _bucket(_CANDIDATE_TS, ttl_us))
            entity_side = entity_side.withColumn(_BUCKET, _bucket(_TS, ttl_us)).select(
                *entity_side.columns,
                F.explode(F.array(F.col(_BUCKET), F.col(_BUCKET) - 1)).alias(_ENTITY_BUCKET))
            condition = condition & (F.col(_BUCKET) == F.col(_ENTITY_BUCKET))
        pairs = source_side.join(F.broadcast(entity_side), condition, "inner")
        features = F.struct(*(F.col(f"f{i}") for i in range(len(feature_columns))))
        latest = pairs.groupBy(ENTITY_ROW_ID).agg(
            F.max_by(features, F.struct(_CANDIDATE_TS, _CREATED)).alias(_MATCH))
        return latest.select(ENTITY_ROW_ID, *(F.col(f"{_MATCH}.f{i}").alias(f"__f{i}")
                                              for i in range(len(feature_columns))))

    @staticmethod
    def _key_type(view: ViewQuery, rows: DataFrame, key: str, entity_frame: DataFrame, entity_key: str):
        """The type both sides of a join key are compared as, or EntityDataError when they cannot be."""
        from pyspark.sql.types import IntegralType, LongType, NullType, StringType

        source_type = rows.schema[key].dataType
        entity_type = entity_frame.schema[entity_key].dataType
        if source_type == entity_type or isinstance(entity_type, NullType):
            return source_type
        if isinstance(source_type, IntegralType) and isinstance(entity_type, IntegralType):
            return LongType()
        if isinstance(source_type, StringType) and isinstance(entity_type, StringType):
            return StringType()
        column = view.entity_columns[view.join_keys.index(key)]
        raise EntityDataError(
            f"entity_df column {column!r} holds {entity_type.simpleString()} values, but {describe_source(view.source)} "
            f"keys feature view {view.name!r} by {key!r} of type {source_type.simpleString()}"
        )

    def _empty_result(self, entities: pa.Table, views: list[ViewQuery]) -> pa.Table:
        for view in views:
            schema = self.source_schema(view.source)
            missing = [s for s, _ in view.features if s not in schema.names]
            if missing:
                raise DataSourceError(
                    f"feature view {view.name!r}: {describe_source(view.source)} has no column "
                    f"{', '.join(map(repr, missing))}; its columns are {', '.join(schema.names)}"
                )
            for source_column, output in view.features:
                arrow_type = schema.field(source_column).type
                entities = entities.append_column(pa.field(output, arrow_type), pa.chunked_array([], arrow_type))
        return entities

    # ---- materialization -------------------------------------------------------------------------

    def latest_frame(self, query: PullQuery) -> DataFrame:
        """The latest row per key with start <= event time <= end, in source column names (a lazy DataFrame)."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import DateType, TimestampNTZType

        source = query.source
        rows = self.frame(source)
        value_columns = list(dict.fromkeys(
            c for c in (*query.columns, query.timestamp_field, query.created_timestamp_column)
            if c and c not in query.join_keys
        ))
        require_columns(rows, source, [*query.join_keys, *value_columns], f"materializing {describe_source(source)}")
        ts = instant(rows, query.timestamp_field, source)
        created = (instant(rows, query.created_timestamp_column, source) if query.created_timestamp_column
                   else F.lit(None).cast("timestamp"))
        start, end = _utc(query.start), _utc(query.end)
        condition = (ts >= timestamp_literal(start)) & (ts <= timestamp_literal(end))
        for key in query.join_keys:
            condition = condition & F.col(key).isNotNull()
        pruning = partition_filter(source, start, end)
        if pruning is not None:
            condition = condition & pruning
        packed = []
        for i, column in enumerate(value_columns):
            data_type = rows.schema[column].dataType
            value = instant(rows, column, source) if isinstance(data_type, (TimestampNTZType, DateType)) else F.col(column)
            packed.append(value.alias(f"c{i}"))
        with spark_errors(f"materializing {describe_source(source)}"):
            filtered = rows.where(condition)
            if query.join_keys:
                latest = filtered.groupBy(*query.join_keys).agg(
                    F.max_by(F.struct(*packed), F.struct(ts, created)).alias("__latest"))
            else:
                latest = filtered.orderBy(ts.desc(), created.desc_nulls_last()).limit(1).select(
                    F.struct(*packed).alias("__latest"))
            return latest.select(*query.join_keys, *(F.col(f"__latest.c{i}").alias(c) for i, c in enumerate(value_columns)))

    def pull_latest(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        latest = self.latest_frame(query)
        with spark_errors(f"materializing {describe_source(query.source)}"):
            yield from arrow_batches(latest, chunk_rows)

    def entity_rows_in_range(
        self, source: DataSource, key_columns: tuple[str, ...], timestamp_field: str, start: datetime, end: datetime
    ) -> pa.Table:
        from pyspark.sql import functions as F

        rows = self.frame(source)
        what = f"reading rows of {describe_source(source)}"
        require_columns(rows, source, [*key_columns, timestamp_field], what)
        ts = instant(rows, timestamp_field, source)
        condition = (ts >= timestamp_literal(_utc(start))) & (ts <= timestamp_literal(_utc(end)))
        pruning = partition_filter(source, _utc(start), _utc(end))
        if pruning is not None:
            condition = condition & pruning
        with spark_errors(what):
            distinct = rows.where(condition).select(
                *(F.col(k) for k in key_columns), ts.alias(timestamp_field)).distinct()
            return to_arrow(distinct)

    # ---- appends ---------------------------------------------------------------------------------

    def write(self, source: DataSource, table: pa.Table) -> None:
        batch = source.batch_source
        if isinstance(batch, FileSource):
            if self._file_writer is None:
                from .file import FileOfflineStore

                self._file_writer = FileOfflineStore(FileOfflineStoreConfig(), self.repo_path)
            self._file_writer.write(source, table)
            return
        if not isinstance(batch, SparkSource) or not (batch.table or batch.path):
            raise DataSourceError(
                f"data source {source.name!r}: rows can be appended to a SparkSource with table= or path= "
                "(or to a FileSource), not to a query"
            )
        if table.num_rows == 0:
            return
        what = f"cannot append to {describe_source(source)}"
        session = self.spark.session
        if batch.table:
            target = self.frame(source)
            rows = conform_to_schema(table, arrow_schema(target, source), what)
            with spark_errors(what):
                frame = session.createDataFrame(rows)
                frame.select(*(frame[f.name].cast(f.dataType) for f in target.schema)).write.insertInto(batch.table)
            return
        path = local_path(batch.path, self.repo_path)
        try:
            target = self.frame(source)
        except DataSourceError:
            if "://" not in path and Path(path).exists():
                raise
            target = None  # nothing there yet: the first append creates it with the pushed columns
        rows = table if target is None else conform_to_schema(table, arrow_schema(target, source), what)
        with spark_errors(what):
            frame = session.createDataFrame(rows)
            if target is not None:
                frame = frame.select(*(frame[f.name].cast(f.dataType) for f in target.schema))
            frame.write.mode("append").format(batch.file_format).save(path)

    def close(self) -> None:
        if self._file_writer is not None:
            self._file_writer.close()
            self._file_writer = None
        if self._spark is not None:
            self._spark.close()
            self._spark = None


def _bins_pay(ttl_seconds: float, span: timedelta, entity_rows: int) -> bool:
    """Whether the broadcast plan joins on time buckets too: the entity rows span at least BIN_MIN_SPAN_TTLS ttls
    (fewer buckets would not narrow the pairs), and twice the entity rows (each is broadcast under two buckets)
    stay within BROADCAST_ENTITY_ROWS."""
    ttl_us = int(round(ttl_seconds * 1_000_000))
    return (ttl_us > 0 and span // timedelta(microseconds=1) >= BIN_MIN_SPAN_TTLS * ttl_us
            and 2 * entity_rows <= BROADCAST_ENTITY_ROWS)


def _bucket(column: str, width_us: int) -> Column:
    """The time bucket of width ``width_us`` µs a timestamp column's instant falls in (exact integer floor division)."""
    from pyspark.sql import functions as F

    micros = f"unix_micros(`{column}`)"
    return F.expr(f"({micros} - pmod({micros}, {width_us})) div {width_us}")


def _most_rows_per_key(upload: pa.Table, key_columns: list[str]) -> int:
    """The number of entity rows of the commonest key (a key with a null part matches nothing: not counted)."""
    valid = functools.reduce(pc.and_, (pc.is_valid(upload[c]) for c in key_columns))
    keyed = upload.select(key_columns).filter(valid)
    if keyed.num_rows == 0:
        return 0
    counts = keyed.group_by(key_columns).aggregate([([], "count_all")])
    return pc.max(counts["count_all"]).as_py()


def _in_row_order(features: pa.Table, rows: int) -> pa.Table:
    """A join result (row id first) put in row-id order, nulls for the row ids 0..rows-1 it does not have
    (each row id at most once)."""
    if features.num_rows > rows:
        raise RuntimeError(f"point-in-time join returned {features.num_rows} rows for {rows}")
    ids = features.column(0).to_numpy()
    if features.num_rows == rows:
        order = np.empty(rows, dtype=np.int64)
        order[ids] = np.arange(rows, dtype=np.int64)
        return features.take(order)
    order = np.full(rows, -1, dtype=np.int64)
    order[ids] = np.arange(features.num_rows, dtype=np.int64)
    return features.take(pa.array(order, mask=order < 0))


__all__ = ["SparkOfflineStore"]
