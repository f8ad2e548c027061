"""What every offline store does: point-in-time joins, latest-row pulls, appends, schema reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, Protocol

import pandas as pd
import pyarrow as pa

from ..definitions import DataSource

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
    """The latest row per key of one source within [start, end], for materialization.

    Rows come back with source column names: ``join_keys`` + ``columns`` + the timestamp field
    (+ the created column when there is one).
    """

    source: DataSource
    join_keys: tuple[str, ...]
    columns: tuple[str, ...]
    timestamp_field: str
    created_timestamp_column: str
    start: datetime
    end: datetime


class OfflineStore(Protocol):
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

    def write(self, source: DataSource, table: pa.Table) -> None:
        """Append rows (source column names) to a source; a failed write leaves earlier rows intact."""

    def source_schema(self, source: DataSource) -> pa.Schema:
        """The source's columns and types; DataSourceError naming the source if it cannot be read."""

    def close(self) -> None: ...
