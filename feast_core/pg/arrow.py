"""Arrow tables in and out of PostgreSQL through COPY ... CSV, parsed and written by Arrow's C++ CSV code.

Scalars cross as CSV text without touching Python per value. PostgreSQL's CSV marks NULL as an unquoted
empty field and an empty string as ``""``; Arrow writes strings quoted and reads with
``quoted_strings_can_be_null=False``, so the two never mix. Timestamps leave PostgreSQL as integer
microseconds since the epoch (no text parsing of offsets) and arrive as ``timestamp[us, tz=UTC]``.
Bytes and arrays take a slower per-value path: hex text for ``bytea``, JSON for arrays.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .. import types
from ..types import Array, FeastType
from .connection import quote_ident

TS_US = pa.timestamp("us", tz="UTC")
CSV_BLOCK_BYTES = 4 << 20

# PostgreSQL type names (pg_type.typname) that read as each feast type; types.py owns the other direction.
_BY_PG_NAME: dict[str, FeastType] = {
    "int2": types.Int32, "int4": types.Int32, "int8": types.Int64, "oid": types.Int64,
    "float4": types.Float32, "float8": types.Float64, "numeric": types.Float64,
    "text": types.String, "varchar": types.String, "bpchar": types.String, "name": types.String,
    "uuid": types.String, "json": types.String, "jsonb": types.String,
    "bytea": types.Bytes, "bool": types.Bool,
    "timestamptz": types.UnixTimestamp, "timestamp": types.UnixTimestamp, "date": types.UnixTimestamp,
}


def feast_type_of_oid(oid: int) -> FeastType | None:
    """The feast type a column of this PostgreSQL type reads as, or None when it has none."""
    info = psycopg.postgres.types.get(oid)
    if info is None:
        return None
    base = _BY_PG_NAME.get(info.name)
    if base is None:
        return None
    return Array(base) if info.array_oid == oid else base


def pg_type_name_of_oid(oid: int) -> str:
    info = psycopg.postgres.types.get(oid)
    if info is None:
        return f"oid {oid}"
    return info.name + ("[]" if info.array_oid == oid else "")


# ---- PostgreSQL -> Arrow ----------------------------------------------------------------------


def select_expression(column_sql: str, feast_type: FeastType) -> str:
    """How to select a column so that ``read_csv_columns`` can decode it."""
    if feast_type is types.UnixTimestamp:
        return f"(extract(epoch from {column_sql}) * 1000000)::int8"
    if isinstance(feast_type, Array):
        if feast_type.base_type is types.UnixTimestamp:
            return (
                f"CASE WHEN {column_sql} IS NULL THEN NULL ELSE to_json(ARRAY(SELECT (extract(epoch from u.x) * 1000000)::int8 "
                f"FROM unnest({column_sql}) WITH ORDINALITY AS u(x, i) ORDER BY u.i))::text END"
            )
        return f"to_json({column_sql})::text"
    if feast_type is types.Bytes:
        return f"{column_sql}::text"
    return column_sql


def _csv_read_type(feast_type: FeastType) -> pa.DataType:
    if feast_type is types.UnixTimestamp:
        return pa.int64()
    if isinstance(feast_type, Array) or feast_type is types.Bytes:
        return pa.string()
    return feast_type.arrow


def _finish_column(column: pa.ChunkedArray | pa.Array, feast_type: FeastType) -> pa.Array | pa.ChunkedArray:
    """From the CSV read type to the feast type's Arrow type."""
    if feast_type is types.UnixTimestamp:
        return column.cast(TS_US)
    if feast_type is types.Bytes:
        return pa.array([None if v is None else bytes.fromhex(v[2:]) for v in column.to_pylist()], pa.binary())
    if isinstance(feast_type, Array):
        base = feast_type.base_type
        values = [None if v is None else json.loads(v) for v in column.to_pylist()]
        if base is types.UnixTimestamp:
            return pa.array(values, pa.list_(pa.int64())).cast(pa.list_(TS_US))
        if base is types.Bytes:
            values = [None if v is None else [None if x is None else bytes.fromhex(x[2:]) for x in v] for v in values]
        return pa.array(values, feast_type.arrow)
    return column


def csv_options(names: list[str], feast_types: list[FeastType]) -> tuple:
    read = pacsv.ReadOptions(column_names=names, block_size=CSV_BLOCK_BYTES)
    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)  # a one-column NULL row is empty
    convert = pacsv.ConvertOptions(
        column_types={n: _csv_read_type(t) for n, t in zip(names, feast_types)},
        null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False,
        true_values=["t"], false_values=["f"],
    )
    return read, parse, convert


def finish_batch(batch: pa.RecordBatch, feast_types: list[FeastType]) -> pa.RecordBatch:
    arrays = [_finish_column(c, t) for c, t in zip(batch.columns, feast_types)]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


class _CopyReader(io.RawIOBase):
    """A readable stream over the chunks of a ``COPY ... TO STDOUT``."""

    def __init__(self, chunks: Iterator[memoryview]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = bytes(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def copy_out_batches(
    cursor: psycopg.Cursor, query: str, names: list[str], feast_types: list[FeastType], chunk_rows: int
) -> Iterator[pa.RecordBatch]:
    """Stream ``query`` (a SELECT whose columns were built with ``select_expression``) as record batches
    of at most ``chunk_rows`` rows, in the query's order. Memory stays around one CSV block."""
    read, parse, convert = csv_options(names, feast_types)
    with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        stream = io.BufferedReader(_CopyReader(iter(copy)), buffer_size=1 << 20)
        try:
            reader = pacsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as error:
            if "Empty CSV file" in str(error):
                return
            raise
        for batch in reader:
            for start in range(0, batch.num_rows, chunk_rows):
                yield finish_batch(batch.slice(start, chunk_rows), feast_types)


def copy_out_table(cursor: psycopg.Cursor, query: str, names: list[str], feast_types: list[FeastType]) -> pa.Table:
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    schema = pa.schema([(n, t.arrow) for n, t in zip(names, feast_types)])
    if buffer.tell() == 0:
        return schema.empty_table()
    buffer.seek(0)
    read, parse, convert = csv_options(names, feast_types)
    table = pacsv.read_csv(buffer, read_options=read, parse_options=parse, convert_options=convert)
    columns = [_finish_column(table.column(i), t) for i, t in enumerate(feast_types)]
    return pa.Table.from_arrays(columns, schema=schema)


# Feast types whose selected value (see select_expression) is one fixed-width binary PostgreSQL value:
# (numpy dtype of the binary form, width, array type oid, PostgreSQL type cast to, the value standing in for NULL).
_FIXED_OUT = {
    "Int32": (">i4", 4, 1007, "int4", "0"), "Int64": (">i8", 8, 1016, "int8", "0"),
    "Float32": (">f4", 4, 1021, "float4", "0"), "Float64": (">f8", 8, 1022, "float8", "0"),
    "Bool": ("u1", 1, 1000, "bool", "false"), "UnixTimestamp": (">i8", 8, 1016, "int8", "0"),
}
_BOOL_ARRAY_OID = 1000
_ARRAY_HEADER = 20  # ndim, has-nulls flag, element oid, length, lower bound: five int32


class _RawArrayLoader(psycopg.adapt.Loader):
    """Keeps a binary array value as bytes, for numpy to read without a Python object per element."""

    format = psycopg.pq.Format.BINARY

    def load(self, data) -> bytes:
        return bytes(data)


def _array_values(raw: bytes, dtype: str, width: int, n: int):
    """The n elements of a one-dimensional binary array without NULLs: each is (int32 length, value)."""
    import numpy as np

    if n == 0:
        return np.empty(0, dtype=dtype)
    layout = np.dtype([("length", ">i4"), ("value", dtype)])
    return np.frombuffer(raw, dtype=layout, count=n, offset=_ARRAY_HEADER)["value"]


def fetch_fixed_width_columns(cursor: psycopg.Cursor, from_sql: str, row_id_sql: str, selects: list[str],
                              names: list[str], feast_types: list[FeastType]) -> pa.Table | None:
    """``SELECT selects FROM from_sql`` ordered by ``row_id_sql`` (a contiguous integer range), as one
    server-side aggregate of one binary array per column (plus one of NULL flags), which numpy reads
    directly: no per-row work in Python or in text formatting. None when a column is not one of the
    fixed-width types (the caller then uses COPY); the row order comes from the row ids, so the query
    needs no ORDER BY."""
    import numpy as np

    kinds = [_FIXED_OUT.get(t.name) if not isinstance(t, Array) else None for t in feast_types]
    if any(k is None for k in kinds):
        return None
    aggregates = [f"array_agg({row_id_sql})"]
    for select, (_, _, _, cast, zero) in zip(selects, kinds):
        aggregates += [f"array_agg(coalesce(({select})::{cast}, {zero}))", f"array_agg(({select}) IS NULL)"]
    for oid in {1016, _BOOL_ARRAY_OID, *(k[2] for k in kinds)}:
        cursor.adapters.register_loader(oid, _RawArrayLoader)
    cursor.execute(f"SELECT count(*), {', '.join(aggregates)} FROM {from_sql}", binary=True)
    row = cursor.fetchone()
    n = row[0]
    schema = pa.schema([(name, t.arrow) for name, t in zip(names, feast_types)])
    if n == 0:
        return schema.empty_table()
    row_ids = _array_values(row[1], ">i8", 8, n)
    position = np.empty(n, dtype=np.int64)
    position[row_ids - row_ids.min()] = np.arange(n)
    columns = []
    for i, ((dtype, width, _, _, _), feast_type) in enumerate(zip(kinds, feast_types)):
        values = _array_values(row[2 + 2 * i], dtype, width, n)[position]
        nulls = _array_values(row[3 + 2 * i], "u1", 1, n)[position].astype(bool)
        if dtype == "u1":
            values = values.astype(bool)
        array = pa.array(values.astype(values.dtype.newbyteorder("=")), mask=nulls if nulls.any() else None)
        columns.append(_finish_column(array, feast_type) if feast_type is types.UnixTimestamp else array.cast(feast_type.arrow))
    return pa.Table.from_arrays(columns, schema=schema)


# ---- Arrow -> PostgreSQL ----------------------------------------------------------------------


def _pg_array_element(value, base: FeastType) -> str:
    if value is None:
        return "NULL"
    if base is types.Bytes:
        return '"\\\\x' + value.hex() + '"'
    if base is types.UnixTimestamp:
        value = value.isoformat() if isinstance(value, datetime) else str(value)
    if base is types.Bool:
        return "t" if value else "f"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else (
            "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
        )
    return str(value)


def _to_copy_column(column: pa.ChunkedArray, feast_type: FeastType | None) -> pa.Array | pa.ChunkedArray:
    """A column in a form whose CSV text PostgreSQL reads as ``feast_type``."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    kind = column.type
    if pa.types.is_timestamp(kind):
        tz = kind.tz or "UTC"
        if kind.unit != "us" or kind.tz is None:
            column = pc.cast(column, pa.timestamp("us", tz=tz), safe=False)
        return column
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return pa.array([None if v is None else "\\x" + v.hex() for v in column.to_pylist()], pa.string())
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        base = feast_type.base_type if isinstance(feast_type, Array) else types.from_arrow(kind.value_type)
        return pa.array(
            [None if v is None else "{" + ",".join(_pg_array_element(x, base) for x in v) + "}" for v in column.to_pylist()],
            pa.string(),
        )
    return column


def to_copy_csv(table: pa.Table, feast_types: list[FeastType | None] | None = None) -> bytes:
    """The rows of ``table`` as CSV for ``COPY ... FROM STDIN WITH (FORMAT csv)`` (columns in table order)."""
    feast_types = feast_types or [None] * table.num_columns
    columns = [_to_copy_column(table.column(i), t) for i, t in enumerate(feast_types)]
    names = [f"c{i}" for i in range(len(columns))]  # CSV writer needs unique names; no header is written
    prepared = pa.Table.from_arrays(columns, names=names)
    sink = io.BytesIO()
    pacsv.write_csv(prepared, sink, pacsv.WriteOptions(include_header=False, batch_size=65536))
    return sink.getvalue()


# Arrow types whose PostgreSQL binary COPY form is one fixed-width big-endian value: (numpy dtype, pg type).
_BINARY_FIXED = {
    pa.int64(): (">i8", "int8"), pa.int32(): (">i4", "int4"), pa.int16(): (">i2", "int2"),
    pa.float64(): (">f8", "float8"), pa.float32(): (">f4", "float4"), pa.bool_(): ("u1", "bool"),
}
# Spellings of those PostgreSQL types (types.py writes the SQL-standard names).
_PG_TYPE_ALIASES = {
    "bigint": "int8", "integer": "int4", "int": "int4", "smallint": "int2", "double precision": "float8",
    "real": "float4", "boolean": "bool", "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
}
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 UTC, PostgreSQL's timestamp origin, in Unix microseconds


def to_copy_binary(table: pa.Table, pg_types: list[str]) -> bytes | None:
    """The rows of ``table`` in COPY's binary format, built column-wise by numpy (no per-value Python), or
    None when a column is not a fixed-width type whose binary form matches its ``pg_types`` entry (the
    caller then uses CSV). Timestamps go to timestamptz/timestamp as microseconds since 2000-01-01."""
    import numpy as np

    columns = []  # (numpy dtype, values with NULLs filled, validity or None)
    for column, pg_type in zip(table.columns, pg_types):
        pg_type = _PG_TYPE_ALIASES.get(pg_type.lower(), pg_type.lower())
        kind = column.type
        valid = None if column.null_count == 0 else np.asarray(pc.is_valid(column))
        if pa.types.is_timestamp(kind) and pg_type in ("timestamptz", "timestamp"):
            micros = pc.cast(column.cast(pa.timestamp("us", tz=kind.tz)), pa.int64())
            dtype, data = ">i8", np.asarray(micros.fill_null(0)) - _PG_EPOCH_US
        elif kind in _BINARY_FIXED and _BINARY_FIXED[kind][1] == pg_type:
            dtype = _BINARY_FIXED[kind][0]
            data = np.asarray(column.fill_null(False if kind == pa.bool_() else 0))
        else:
            return None
        columns.append((np.dtype(dtype), data, valid))
    header, trailer, n = b"PGCOPY\n\xff\r\n\x00" + bytes(8), b"\xff\xff", table.num_rows
    if all(valid is None for _, _, valid in columns):  # every row the same width: one structured array
        layout = [("n", ">i2")] + [(f, t) for i, (d, _, _) in enumerate(columns) for f, t in ((f"l{i}", ">i4"), (f"v{i}", d))]
        rows = np.empty(n, dtype=np.dtype(layout))
        rows["n"] = len(columns)
        for i, (dtype, data, _) in enumerate(columns):
            rows[f"l{i}"] = dtype.itemsize
            rows[f"v{i}"] = data
        return header + rows.tobytes() + trailer
    # Some NULLs: a NULL field is its length (-1) alone, so rows differ in width; place every field by offset.
    widths = [np.where(valid, d.itemsize, 0) if valid is not None else np.full(n, d.itemsize) for d, _, valid in columns]
    row_sizes = 2 + 4 * len(columns) + np.sum(widths, axis=0)
    starts = np.concatenate([[0], np.cumsum(row_sizes)[:-1]]).astype(np.int64)
    out = np.zeros(int(row_sizes.sum()), dtype=np.uint8)

    def put(offsets, values, width):
        out[offsets[:, None] + np.arange(width)] = np.ascontiguousarray(values).view(np.uint8).reshape(-1, width)

    put(starts, np.full(n, len(columns), ">i2"), 2)
    at = starts + 2
    for (dtype, data, valid), width in zip(columns, widths):
        put(at, np.where(width > 0, dtype.itemsize, -1).astype(">i4"), 4)
        present = slice(None) if valid is None else valid
        put((at + 4)[present], data.astype(dtype)[present], dtype.itemsize)
        at = at + 4 + width
    return header + out.tobytes() + trailer


def copy_in(cursor: psycopg.Cursor, target: str, columns: list[str], table: pa.Table,
            feast_types: list[FeastType | None] | None = None, pg_types: list[str] | None = None) -> None:
    """COPY ``table``'s rows into ``target`` (an already quoted relation name). With ``pg_types`` (the
    target columns' type names) fixed-width columns without NULLs travel in binary form, which costs
    no text formatting on either side."""
    binary = to_copy_binary(table, pg_types) if pg_types else None
    data = binary if binary is not None else to_copy_csv(table, feast_types)
    column_list = ", ".join(quote_ident(c) for c in columns)
    form = "binary" if binary is not None else "csv"
    with cursor.copy(f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT {form})") as copy:
        view = memoryview(data)
        step = 1 << 20
        for start in range(0, len(data), step):
            copy.write(view[start:start + step])


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


def utc_micros(moment: datetime) -> int:
    """Microseconds since the epoch; naive datetimes mean UTC."""
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return (moment - _EPOCH) // _MICRO


_VARIABLE_WIDTH = ("bytea", "text")


def copy_binary_rows(table: pa.Table, pg_types: Sequence[str]) -> bytes:
    """The rows of ``table`` in COPY's binary format for columns of ``bytea``, ``text`` and ``timestamptz``
    (variable-width values included), built by Arrow compute: each field is its big-endian int32 length (-1
    for NULL) and its bytes, and one ``binary_join_element_wise`` lays out every row, so no Python object is
    made per value."""
    import numpy as np

    n = table.num_rows
    parts: list = [pa.scalar(struct.pack(">h", table.num_columns), pa.large_binary())]
    for column, pg_type in zip(table.columns, pg_types):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        valid = None if column.null_count == 0 else np.asarray(column.is_valid())
        if pg_type in ("timestamptz", "timestamp"):
            micros = np.asarray(pc.cast(column.cast(TS_US), pa.int64()).fill_null(0)) - _PG_EPOCH_US
            payload = _fixed_binary(micros.astype(">i8"), n)
            lengths = np.full(n, 8, dtype=np.int64)
        elif pg_type in _VARIABLE_WIDTH:
            data = column.cast(pa.large_binary())
            lengths = np.asarray(pc.binary_length(data).fill_null(0)).astype(np.int64)
            payload = data.fill_null(b"") if valid is not None else data
        else:
            raise ValueError(f"copy_binary_rows: unsupported PostgreSQL type {pg_type!r}")
        if valid is not None:
            lengths = np.where(valid, lengths, -1)
            if pg_type not in _VARIABLE_WIDTH:
                payload = pc.if_else(pa.array(valid), payload, pa.scalar(b"", pa.large_binary()))
        parts += [_fixed_binary(lengths.astype(">i4"), n), payload]
    rows = pc.binary_join_element_wise(*parts, pa.scalar(b"", pa.large_binary()))
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64, count=n + 1, offset=rows.offset * 8)
    body = rows.buffers()[2][offsets[0]:offsets[-1]]
    return b"PGCOPY\n\xff\r\n\x00" + bytes(8) + body.to_pybytes() + b"\xff\xff"


def _fixed_binary(values, n: int) -> pa.Array:
    """Each element of a numpy array as its own bytes (a large_binary array)."""
    import numpy as np

    width = values.dtype.itemsize
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), n, [None, pa.py_buffer(np.ascontiguousarray(values))]
    ).cast(pa.large_binary())
