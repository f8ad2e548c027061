"""Data sources as Spark DataFrames, and DataFrames back as Arrow.

A SparkSource is a table (``session.table``), a Spark SQL query, or files at ``path`` in ``file_format``
(csv with a header row); a relative path is relative to the feature repository. A FileSource is read as
the file offline store reads it: the parquet file or directory and the parts appended next to it. Every
timestamp is compared as an instant: TIMESTAMP as it is, TIMESTAMP_NTZ (a naive parquet timestamp) and
DATE as UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from ..definitions import DataSource, FileSource, SparkSource
from ..errors import DataSourceError
from .session import SparkHandle, spark_errors

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

UTC = "UTC"


def describe_source(source: DataSource) -> str:
    batch = source.batch_source
    if isinstance(batch, SparkSource):
        if batch.table:
            detail = f"table {batch.table}"
        elif batch.query:
            detail = "query"
        else:
            detail = f"{batch.file_format} files at {batch.path}"
    elif isinstance(batch, FileSource):
        detail = f"parquet at {batch.path}"
    else:
        detail = f"{batch.type} source"
    return f"data source {source.name!r} ({detail})"


def local_path(path: str, repo_path: Path) -> str:
    """A scheme-less relative path resolved against the repository; URIs (s3a://, hdfs://, file://) unchanged."""
    if "://" in path or Path(path).expanduser().is_absolute():
        return str(Path(path).expanduser()) if "://" not in path else path
    return str(repo_path / path)


def read_source(spark: SparkHandle, source: DataSource, repo_path: Path) -> DataFrame:
    """The source's rows as a DataFrame (analysed, so a missing table or a bad query fails here)."""
    batch = source.batch_source
    session = spark.session
    what = describe_source(source)
    if isinstance(batch, SparkSource):
        with spark_errors(what):
            if batch.table:
                frame = session.table(batch.table)
            elif batch.query:
                frame = session.sql(batch.query.strip().rstrip(";"))
            else:
                reader = session.read.format(batch.file_format)
                if batch.file_format == "csv":
                    reader = reader.option("header", "true").option("inferSchema", "true")
                frame = reader.load(local_path(batch.path, repo_path))
            frame.schema  # noqa: B018 - over Spark Connect, analysis (and its errors) happens on first use
        return frame
    if isinstance(batch, FileSource):
        from ..offline.file import resolve_file_source

        files = resolve_file_source(source, repo_path).files
        with spark_errors(what):
            frame = session.read.option("mergeSchema", "true").parquet(*(str(f) for f in files))
            frame.schema  # noqa: B018
        return frame
    raise DataSourceError(
        f"data source {source.name!r} is a {type(batch).__name__}; Spark reads SparkSource and FileSource"
    )


def require_columns(frame: DataFrame, source: DataSource, columns: Sequence[str], what: str) -> None:
    names = frame.columns
    missing = [c for c in dict.fromkeys(columns) if c and c not in names]
    if missing:
        raise DataSourceError(
            f"{what}: {describe_source(source)} has no column {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(names)}"
        )


def instant(frame: DataFrame, column: str, source: DataSource) -> Column:
    """The column as a TIMESTAMP (an instant); naive timestamps and dates are taken as UTC."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    data_type = frame.schema[column].dataType
    if isinstance(data_type, TimestampType):
        return F.col(column)
    if isinstance(data_type, (TimestampNTZType, DateType)):
        return F.col(column).cast("timestamp")  # in feast_core's session (time zone UTC): the same wall clock in UTC
    raise DataSourceError(
        f"{describe_source(source)}: column {column!r} holds {data_type.simpleString()} values, not timestamps"
    )


def partition_filter(source: DataSource, low: datetime | None, high: datetime | None) -> Column | None:
    """Feast's date_partition_column: skip partitions outside [low, high] (formatted as the source says)."""
    from pyspark.sql import functions as F

    batch = source.batch_source
    if not isinstance(batch, SparkSource) or not batch.date_partition_column:
        return None
    column = F.col(batch.date_partition_column)
    condition = None
    if low is not None:
        condition = column >= F.lit(low.strftime(batch.date_partition_column_format))
    if high is not None:
        upper = column <= F.lit(high.strftime(batch.date_partition_column_format))
        condition = upper if condition is None else condition & upper
    return condition


def timestamp_literal(moment: datetime) -> Column:
    from pyspark.sql import functions as F

    return F.lit(moment).cast("timestamp")


# ---- back to Arrow -------------------------------------------------------------------------------


def _plain_type(arrow_type: pa.DataType) -> pa.DataType:
    """Timestamps as UTC, large strings and binaries as plain ones: the types the other stores return."""
    if pa.types.is_timestamp(arrow_type):
        return pa.timestamp(arrow_type.unit, tz=UTC)
    if pa.types.is_large_string(arrow_type):
        return pa.string()
    if pa.types.is_large_binary(arrow_type):
        return pa.binary()
    if pa.types.is_large_list(arrow_type):
        return pa.list_(_plain_type(arrow_type.value_type))
    if pa.types.is_list(arrow_type):
        return pa.list_(_plain_type(arrow_type.value_type))
    return arrow_type


def plain_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([field.with_type(_plain_type(field.type)) for field in schema])


def arrow_schema(frame: DataFrame, source: DataSource) -> pa.Schema:
    """The DataFrame's columns as Arrow types (pyspark's own mapping), timestamps in UTC."""
    from pyspark.sql.pandas.types import to_arrow_schema

    try:
        schema = to_arrow_schema(frame.schema, timezone=UTC)
    except (TypeError, ValueError, NotImplementedError) as exc:
        raise DataSourceError(f"{describe_source(source)}: a column has a type Arrow cannot hold: {exc}") from None
    return plain_schema(schema)


def to_arrow(frame: DataFrame) -> pa.Table:
    table = frame.toArrow()
    schema = plain_schema(table.schema)
    return table if schema.equals(table.schema) else table.cast(schema)


def _ipc_regrouper(chunk_rows: int):
    """A function for ``mapInArrow`` that regroups a partition's Arrow batches into IPC streams of at most
    chunk_rows rows, each the one binary value of a one-row batch. It is built here, not defined at module
    level, so Spark ships it by value: the Python workers that run it need pyarrow, not feast_core."""

    def regroup(batches):
        import pyarrow

        pending, count = [], 0

        def flush():
            sink = pyarrow.BufferOutputStream()
            with pyarrow.ipc.new_stream(sink, pending[0].schema) as writer:
                for item in pending:
                    writer.write_batch(item)
            return pyarrow.RecordBatch.from_arrays([pyarrow.array([sink.getvalue().to_pybytes()], pyarrow.binary())],
                                                   ["payload"])

        for batch in batches:
            offset = 0
            while offset < batch.num_rows:
                piece = batch.slice(offset, chunk_rows - count)
                offset += piece.num_rows
                pending.append(piece)
                count += piece.num_rows
                if count >= chunk_rows:
                    yield flush()
                    pending, count = [], 0
        if pending:
            yield flush()

    return regroup


def arrow_batches(frame: DataFrame, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    """Stream a DataFrame to this process as Arrow batches of at most chunk_rows rows, one partition at a time.

    Each partition's rows travel as serialized Arrow (a binary column), so this process holds one chunk,
    not the result; the regrouping function uses pyarrow only, so Spark's Python workers need no feast_core.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    payload = frame.mapInArrow(_ipc_regrouper(chunk_rows), "payload binary")
    schema = None
    for row in payload.toLocalIterator(prefetchPartitions=True):
        with pa.ipc.open_stream(row["payload"]) as reader:
            for batch in reader:
                if schema is None:
                    schema = plain_schema(batch.schema)
                if batch.num_rows:
                    yield batch.cast(schema) if not batch.schema.equals(schema) else batch
