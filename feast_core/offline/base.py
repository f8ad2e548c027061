"""What every offline store does: point-in-time joins, latest-row pulls, appends, schema reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pandas as pd
import pyarrow as pa

from ..definitions import DataSource
from ..errors import DataSourceError, EntityDataError, FeatureNameCollisionError

ENTITY_ROW_ID = "__feast_row_id"  # internal: keeps one output row per input row, in input order


@dataclass(frozen=True)
class ViewQuery:
    """What a point-in-time join reads from one feature view (all names already resolved).

    ``join_keys`` are source column names; ``entity_columns`` the entity_df columns matched to them,
    position by position. ``features`` pairs each source column with its output column name.
    """

    name: str
    source: DataSource
    join_keys: tuple[str, ...]
    entity_columns: tuple[str, ...]
    features: tuple[tuple[str, str], ...]
    timestamp_field: str
    created_timestamp_column: str
    ttl_seconds: float


@dataclass(frozen=True)
class PullQuery:
    """The latest row per key of one source within [start, end], for materialization (``pull_latest``), or every
    row within it (``pull_all``, where either bound may be None: unbounded).

    Rows come back with source column names: ``join_keys`` + ``columns`` + the timestamp field
    (+ the created column when there is one).
    """

    source: DataSource
    join_keys: tuple[str, ...]
    columns: tuple[str, ...]
    timestamp_field: str
    created_timestamp_column: str
    start: datetime | None
    end: datetime | None


class OfflineStore(Protocol):
    # True when ``pull_latest(query, chunk_rows, ordered=True)`` gives the rows in ascending event time (what
    # lets a materialization record how far it got, chunk by chunk); only such a store is asked to
    pulls_in_order: bool

    def get_historical_features(
        self, entity_df: pd.DataFrame | str, timestamp_column: str | None, views: list[ViewQuery]
    ) -> pa.Table:
        """One output row per entity row, in input order: the entity_df's columns, then each view's features.

        For each row with timestamp T and each view, the source row with the same keys and the
        greatest event timestamp ts with T - ttl <= ts <= T (no lower bound when ttl is 0) wins;
        ties go to the greatest created timestamp. No match gives nulls. ``timestamp_column`` is
        None only when entity_df is a SQL string (SQL stores find the column themselves).
        """

    def pull_latest(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        """Stream the latest row per key within [start, end] (both inclusive), at most chunk_rows per batch."""

    def pull_all(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        """Stream every row with start <= timestamp <= end (a None bound is open), at most chunk_rows per batch."""

    def entity_rows_in_range(
        self, source: DataSource, key_columns: tuple[str, ...], timestamp_field: str, start: datetime, end: datetime
    ) -> pa.Table:
        """The distinct (keys..., timestamp) of the source's rows with start <= timestamp <= end, in source column
        names, the timestamp as UTC: the entity rows of a retrieval without entity_df (Feast's start/end mode)."""

    def write(self, source: DataSource, table: pa.Table) -> None:
        """Append rows (source column names) to a source; a failed write leaves earlier rows intact."""

    def source_schema(self, source: DataSource) -> pa.Schema:
        """The source's columns and types; DataSourceError naming the source if it cannot be read."""

    def close(self) -> None: ...


def entity_table(entity_df: pd.DataFrame, timestamp_column: str | None) -> pa.Table:
    """The entity rows as Arrow, converted once; the timestamp column becomes tz-aware UTC (naive means UTC)."""
    if not timestamp_column or timestamp_column not in entity_df.columns:
        raise EntityDataError(f"entity_df has no timestamp column {timestamp_column!r}; it has {list(entity_df.columns)}")
    if entity_df.columns.duplicated().any():
        dupes = sorted(set(entity_df.columns[entity_df.columns.duplicated()].map(str)))
        raise EntityDataError(f"entity_df has duplicate column(s) {', '.join(dupes)}")
    try:
        table = pa.Table.from_pandas(entity_df, preserve_index=False).replace_schema_metadata(None)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise EntityDataError(f"entity_df cannot be converted to Arrow: {exc}") from None
    position = table.schema.get_field_index(timestamp_column)
    column = table.column(position)
    if not pa.types.is_timestamp(column.type):
        try:
            column = pa.chunked_array([pa.array(pd.to_datetime(entity_df[timestamp_column], utc=True))])
        except (ValueError, TypeError) as exc:
            raise EntityDataError(f"entity_df column {timestamp_column!r} does not hold timestamps: {exc}") from None
    if column.type.tz != "UTC":  # naive values are UTC already: this only relabels them
        column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))
    if column.null_count:
        raise EntityDataError(f"entity_df column {timestamp_column!r} has {column.null_count} empty timestamp(s)")
    return table.set_column(position, pa.field(timestamp_column, column.type), column)


def check_output_names(entity_columns: list[str], views: list[ViewQuery]) -> None:
    """No feature may land on a column name that the entity_df or another view already uses."""
    seen = {name: "entity_df" for name in entity_columns}
    for view in views:
        for _, output in view.features:
            if output in seen:
                raise FeatureNameCollisionError(
                    f"feature {output!r} of feature view {view.name!r} collides with a column of {seen[output]}; "
                    "use full_feature_names=True or rename the column"
                )
            seen[output] = f"feature view {view.name!r}"


def conform_to_schema(table: pa.Table, schema: pa.Schema, what: str) -> pa.Table:
    """Rows to append, in the target's column order and types, or DataSourceError naming the mismatch.

    ``what`` starts the message, e.g. "cannot append to data source 'x' (...)".
    """
    missing = [c for c in schema.names if c not in table.schema.names]
    extra = [c for c in table.schema.names if c not in schema.names]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if extra:
            problems.append(f"unknown column(s) {', '.join(map(repr, extra))}")
        raise DataSourceError(f"{what}: {'; '.join(problems)}; expected columns {', '.join(schema.names)}")
    columns = []
    for field in schema:
        column = table.column(field.name)
        if not column.type.equals(field.type):
            try:
                column = column.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise DataSourceError(
                    f"{what}: column {field.name!r} of type {column.type} does not convert to {field.type}: {exc}"
                ) from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)
