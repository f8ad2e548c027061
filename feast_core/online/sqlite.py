"""The embedded online store: one SQLite table per feature view, typed columns, writes guarded by event time.

Layout of table ``{project}_{view}``: the join-key columns (the PRIMARY KEY), one column per feature
(its type's ``.sqlite``; arrays as JSON text, timestamps as integer microseconds, bools as 0/1), then
``event_ts`` and ``created_ts`` (integer microseconds, UTC). A small ``feast_online_tables`` table keeps
each table's declared feast types, so ``update`` can tell an Int64 column from a UnixTimestamp one
(both INTEGER to SQLite) and an ``Array(String)`` from a String (both TEXT).

Each thread gets its own connection (WAL journal, synchronous=NORMAL, a busy timeout so concurrent
writers queue instead of failing). A write is one ``BEGIN IMMEDIATE`` transaction; a read is one query.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .. import types
from ..config import SqliteOnlineStoreConfig
from ..definitions import FeatureView
from ..errors import EntityDataError, FeatureReferenceError, RepoError, StoreUnavailableError
from ..sqlite_wal import enable_wal
from ..types import Array, FeastType
from .base import CREATED_TS, EVENT_TS, OnlineRead, table_name

EVENT_COL = "event_ts"
CREATED_COL = "created_ts"
META_TABLE = "feast_online_tables"
BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 64 * 1024  # per connection, allocated only as pages are read
MMAP_BYTES = 256 * 1024 * 1024  # address space, not memory
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TS_US = pa.timestamp("us", tz="UTC")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _micros_to_datetime(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


# ---------------------------------------------------------------------------------------------
# Arrow column -> Python values SQLite can bind


def _accepts_arrow(feast_type: FeastType, arrow_type: pa.DataType) -> bool:
    """Whether a batch column of ``arrow_type`` may be stored as ``feast_type`` (no string-to-number parsing)."""
    if pa.types.is_null(arrow_type):
        return True
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if isinstance(feast_type, Array):
        if not (pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)):
            return False
        return _accepts_arrow(feast_type.base_type, arrow_type.value_type)
    if feast_type in (types.Int32, types.Int64):
        # floats are allowed because pandas turns an int column with a missing value into float64;
        # the safe cast still refuses 1.5
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)
    if feast_type in (types.Float32, types.Float64):
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type)
    if feast_type is types.String:
        return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    if feast_type is types.Bytes:
        return pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type)
    if feast_type is types.Bool:
        return pa.types.is_boolean(arrow_type)
    if feast_type is types.UnixTimestamp:
        return pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type)
    return True


def _to_micros(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Timestamps (any unit, naive = UTC) or dates as int64 microseconds since the epoch."""
    if pa.types.is_date(column.type) or pa.types.is_null(column.type):
        column = pc.cast(column, _TS_US)
    elif column.type.unit != "us":
        column = pc.cast(column, pa.timestamp("us", tz=column.type.tz), safe=False)  # ns -> us truncates
    return column.cast(pa.int64())


def _json_array(values: list | None) -> str | None:
    return None if values is None else json.dumps(values, separators=(",", ":"))


def _json_bytes_array(values: list | None) -> str | None:
    if values is None:
        return None
    return json.dumps([None if v is None else base64.b64encode(v).decode("ascii") for v in values])


def _column_to_python(name: str, feast_type: FeastType, column: pa.ChunkedArray, view: str) -> list:
    """One batch column as Python values of the stored form; EntityDataError naming the column if it does not fit."""
    if not _accepts_arrow(feast_type, column.type):
        raise EntityDataError(
            f"feature view {view!r}: column {name!r} holds {column.type} values, which cannot be stored as {feast_type}"
        )
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    try:
        if feast_type is types.UnixTimestamp:
            return _to_micros(column).to_pylist()
        if isinstance(feast_type, Array):
            base = feast_type.base_type
            if base is types.UnixTimestamp:
                flat_type = pa.list_(_TS_US)
                return [_json_array(v) for v in column.cast(flat_type).cast(pa.list_(pa.int64())).to_pylist()]
            if base is types.Bytes:
                return [_json_bytes_array(v) for v in column.to_pylist()]
            return [_json_array(v) for v in column.cast(feast_type.arrow).to_pylist()]
        return column.cast(feast_type.arrow).to_pylist()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        raise EntityDataError(f"feature view {view!r}: column {name!r} cannot be stored as {feast_type}: {error}") from None


# ---------------------------------------------------------------------------------------------
# stored value -> Python value of the declared type


def _reader_for(feast_type: FeastType) -> Callable | None:
    """A converter from the stored value to the declared type's Python value, or None when none is needed."""
    if feast_type is types.Bool:
        return bool
    if feast_type is types.UnixTimestamp:
        return _micros_to_datetime
    if isinstance(feast_type, Array):
        base = feast_type.base_type
        if base is types.UnixTimestamp:
            return lambda text: [None if v is None else _micros_to_datetime(v) for v in json.loads(text)]
        if base is types.Bytes:
            return lambda text: [None if v is None else base64.b64decode(v) for v in json.loads(text)]
        return json.loads
    return None


def _timestamp_keys_to_micros(view: FeatureView, keys: list[tuple]) -> list[tuple]:
    """UnixTimestamp join keys are stored as microseconds; look datetimes up the same way (naive = UTC)."""
    positions = [i for i, f in enumerate(view.entity_columns) if f.dtype is types.UnixTimestamp]

    def convert(value):
        if not isinstance(value, datetime):
            return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return (value - _EPOCH) // timedelta(microseconds=1)

    return [tuple(convert(v) if i in positions else v for i, v in enumerate(key)) for key in keys]


# ---------------------------------------------------------------------------------------------


class _TableSchema:
    """The declared columns of one view's table: what ``update`` compares and what the metadata row stores."""

    def __init__(self, keys: list[tuple[str, str]], features: list[tuple[str, str]]) -> None:
        self.keys = keys  # (column, feast type name)
        self.features = features

    @classmethod
    def of(cls, view: FeatureView) -> _TableSchema:
        schema = cls([(f.name, f.dtype.name) for f in view.entity_columns], [(f.name, f.dtype.name) for f in view.features])
        for name, _ in schema.keys + schema.features:
            if name in (EVENT_COL, CREATED_COL):
                raise RepoError(
                    f"feature view {view.name!r}: column name {name!r} is reserved by the sqlite online store"
                )
        for name, type_name in schema.keys:
            if isinstance(types.from_name(type_name), Array):
                raise RepoError(f"feature view {view.name!r}: join key {name!r} cannot be an array ({type_name})")
        return schema

    def to_json(self) -> str:
        return json.dumps({"keys": self.keys, "features": self.features})

    @classmethod
    def from_json(cls, text: str) -> _TableSchema:
        data = json.loads(text)
        return cls([tuple(k) for k in data["keys"]], [tuple(f) for f in data["features"]])


def _column_def(name: str, type_name: str, not_null: bool = False) -> str:
    return f"{_quote(name)} {types.from_name(type_name).sqlite}{' NOT NULL' if not_null else ''}"


class SqliteOnlineStore:
    """The OnlineStore protocol over one SQLite file (``path`` relative to the repo directory)."""

    def __init__(self, config: SqliteOnlineStoreConfig, repo_path: Path) -> None:
        path = Path(config.path)
        self.path = path if path.is_absolute() else Path(repo_path) / path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._generation = 0  # bumped when all connections are closed (teardown, close)
        self._read_plans: dict[tuple, tuple] = {}
        self._write_sql: dict[tuple, str] = {}

    # -- connections ---------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.generation == self._generation:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves. check_same_thread=False
            # only so close() may close every thread's connection; each is used by its own thread.
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False,
                cached_statements=512,
            )
            enable_wal(conn, BUSY_TIMEOUT_SECONDS)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            # reads are random key lookups: a larger page cache and memory-mapped I/O roughly halve their cost
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        except sqlite3.Error as error:
            raise StoreUnavailableError(f"sqlite online store {self.path}: cannot open: {error}") from None
        local.conn, local.generation = conn, self._generation
        local.max_variables = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _close_all(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            self._generation += 1

    def close(self) -> None:
        self._close_all()

    def _transaction(self, conn: sqlite3.Connection, work: Callable[[], None], what: str) -> None:
        """Run ``work`` inside BEGIN IMMEDIATE ... COMMIT; roll back on any error."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreUnavailableError(f"sqlite online store {self.path}: {what}: {error}") from None
        try:
            work()
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- schema --------------------------------------------------------------------------------

    def _ensure_meta(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (table_name TEXT PRIMARY KEY, schema TEXT NOT NULL)")

    def _stored_schema(self, conn: sqlite3.Connection, table: str) -> _TableSchema | None:
        row = conn.execute(f"SELECT schema FROM {META_TABLE} WHERE table_name = ?", (table,)).fetchone()
        return None if row is None else _TableSchema.from_json(row[0])

    def _table_exists(self, conn: sqlite3.Connection, table: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None

    def _create(self, conn: sqlite3.Connection, table: str, schema: _TableSchema) -> None:
        columns = [_column_def(n, t, not_null=True) for n, t in schema.keys]
        if not schema.keys:  # an entity-less view keeps one row under a constant key
            columns.append('"__dummy_key" INTEGER NOT NULL DEFAULT 0')
        columns += [_column_def(n, t) for n, t in schema.features]
        columns += [f"{EVENT_COL} INTEGER NOT NULL", f"{CREATED_COL} INTEGER"]
        key_list = ", ".join(_quote(n) for n, _ in schema.keys) or '"__dummy_key"'
        # WITHOUT ROWID: rows live in the primary-key b-tree, so a key lookup is one b-tree search, not two
        conn.execute(f"CREATE TABLE {_quote(table)} ({', '.join(columns)}, PRIMARY KEY ({key_list})) WITHOUT ROWID")
        conn.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", (table, schema.to_json()))

    def _adapt(self, conn: sqlite3.Connection, table: str, schema: _TableSchema, allow_recreate: bool) -> None:
        """Bring one table to ``schema``: create it, add new feature columns, or recreate it when keys or types changed."""
        stored = self._stored_schema(conn, table)
        exists = self._table_exists(conn, table)
        if stored is not None and exists and stored.keys == schema.keys:
            stored_types = dict(stored.features)
            changed = [n for n, t in schema.features if n in stored_types and stored_types[n] != t]
            if not changed:
                wanted = {n for n, _ in schema.features}
                for name, type_name in schema.features:
                    if name not in stored_types:
                        conn.execute(f"ALTER TABLE {_quote(table)} ADD COLUMN {_column_def(name, type_name)}")
                if allow_recreate:  # update(): forget removed features so a re-added one starts empty
                    for name, _ in stored.features:
                        if name not in wanted:
                            conn.execute(f"ALTER TABLE {_quote(table)} DROP COLUMN {_quote(name)}")
                    kept = schema.features
                else:  # a write only adds; columns of removed features stay until update()
                    kept = stored.features + [(n, t) for n, t in schema.features if n not in stored_types]
                conn.execute(
                    f"UPDATE {META_TABLE} SET schema = ? WHERE table_name = ?",
                    (_TableSchema(schema.keys, kept).to_json(), table),
                )
                return
        if exists:
            if not allow_recreate:
                raise RepoError(
                    f"sqlite online store {self.path}: table {table!r} was created for different join keys or "
                    "feature types; run `feast apply` to recreate it"
                )
            conn.execute(f"DROP TABLE {_quote(table)}")
        self._create(conn, table, schema)

    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        conn = self._conn()
        plans = [(table_name(project, v), _TableSchema.of(v)) for v in keep]

        def work() -> None:
            self._ensure_meta(conn)
            for table, schema in plans:
                self._adapt(conn, table, schema, allow_recreate=True)
            for view in delete:
                self._drop(conn, table_name(project, view))

        self._transaction(conn, work, "update")
        self._read_plans.clear()
        self._write_sql.clear()

    def _drop(self, conn: sqlite3.Connection, table: str) -> None:
        conn.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
        conn.execute(f"DELETE FROM {META_TABLE} WHERE table_name = ?", (table,))

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        if not self.path.exists():
            return
        conn = self._conn()

        def work() -> None:
            self._ensure_meta(conn)
            for view in views:
                self._drop(conn, table_name(project, view))

        self._transaction(conn, work, "teardown")
        self._read_plans.clear()
        self._write_sql.clear()
        remaining = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name != ?", (META_TABLE,)
        ).fetchone()[0]
        if remaining == 0:
            self._close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # -- write ---------------------------------------------------------------------------------

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        n_rows = batch.num_rows
        if n_rows == 0:
            return 0
        table = table_name(project, view)
        names = set(batch.column_names)
        missing = [k for k in view.join_keys + [EVENT_TS] if k not in names]
        if missing:
            raise EntityDataError(f"feature view {view.name!r}: rows to write lack column(s) {missing}")
        fields = view.entity_columns + [f for f in view.features if f.name in names]
        columns: list[str] = [f.name for f in fields] + [EVENT_COL]
        pycols: list[list] = []
        for i, f in enumerate(fields):
            column = batch.column(f.name)
            if i < len(view.entity_columns) and column.null_count:
                raise EntityDataError(f"feature view {view.name!r}: join key column {f.name!r} has missing values")
            pycols.append(_column_to_python(f.name, f.dtype, column, view.name))
        event = batch.column(EVENT_TS)
        if event.null_count:
            raise EntityDataError(f"feature view {view.name!r}: column {EVENT_TS!r} has missing values")
        pycols.append(_column_to_python(EVENT_TS, types.UnixTimestamp, event, view.name))
        if CREATED_TS in names:
            columns.append(CREATED_COL)
            pycols.append(_column_to_python(CREATED_TS, types.UnixTimestamp, batch.column(CREATED_TS), view.name))
        sql = self._upsert_sql(table, view.join_keys, columns)
        rows = list(zip(*pycols))
        conn = self._conn()
        try:
            self._transaction(conn, lambda: conn.executemany(sql, rows), f"writing {table}")
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error) and "no column named" not in str(error):
                raise StoreUnavailableError(f"sqlite online store {self.path}: writing {table}: {error}") from None
            # written before `feast apply` reached this store, or by a process with a newer view: adapt and retry
            schema = _TableSchema.of(view)
            self._transaction(
                conn, lambda: (self._ensure_meta(conn), self._adapt(conn, table, schema, allow_recreate=False)),
                f"creating {table}",
            )
            self._transaction(conn, lambda: conn.executemany(sql, rows), f"writing {table}")
        except sqlite3.IntegrityError as error:
            raise EntityDataError(f"feature view {view.name!r}: rows cannot be written to {table}: {error}") from None
        except sqlite3.InterfaceError as error:  # a Python value sqlite3 cannot bind
            raise EntityDataError(f"feature view {view.name!r}: rows cannot be written to {table}: {error}") from None
        return n_rows

    def _upsert_sql(self, table: str, keys: list[str], columns: list[str]) -> str:
        cache_key = (table, tuple(columns))
        sql = self._write_sql.get(cache_key)
        if sql is not None:
            return sql
        t = _quote(table)
        updates = [c for c in columns if c not in keys]
        conflict = ", ".join(_quote(k) for k in keys) or '"__dummy_key"'
        sql = (
            f"INSERT INTO {t} ({', '.join(_quote(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT({conflict}) DO UPDATE SET "
            + ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in updates)
            + (f", {CREATED_COL} = NULL" if CREATED_COL not in columns else "")
            + f" WHERE excluded.{EVENT_COL} > {t}.{EVENT_COL} OR (excluded.{EVENT_COL} = {t}.{EVENT_COL} AND "
            f"coalesce(excluded.{CREATED_COL}, 0) >= coalesce({t}.{CREATED_COL}, 0))"
        )
        self._write_sql[cache_key] = sql
        return sql

    # -- read ----------------------------------------------------------------------------------

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        n = len(keys)
        if n == 0:
            return OnlineRead([], {f: [] for f in features})
        table = table_name(project, view)
        conn = self._conn()
        n_keys = len(view.join_keys)
        if any(f.dtype is types.UnixTimestamp for f in view.entity_columns):
            keys = _timestamp_keys_to_micros(view, keys)
        per_query = max(1, min(4096, self._local.max_variables // max(n_keys, 1)))
        found: dict = {}
        try:
            for start in range(0, n, per_query):
                part = keys[start:start + per_query]
                bucket = 1 << (len(part) - 1).bit_length()
                sql, readers = self._read_plan(table, view, features, bucket)
                if n_keys == 1:
                    params = [k[0] for k in part]
                    params += [None] * (bucket - len(part))
                    for row in conn.execute(sql, params):
                        found[row[0]] = row
                elif n_keys == 0:
                    for row in conn.execute(sql):
                        found[()] = row
                else:
                    params = [v for k in part for v in k]
                    params += [None] * ((bucket - len(part)) * n_keys)
                    for row in conn.execute(sql, params):
                        found[row[:n_keys]] = row
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):  # never applied to this store: nothing was written
                return OnlineRead([None] * n, {f: [None] * n for f in features})
            raise StoreUnavailableError(
                f"sqlite online store {self.path}: reading {table}: {error}; run `feast apply` if the view changed"
            ) from None
        except (sqlite3.InterfaceError, sqlite3.ProgrammingError) as error:
            raise EntityDataError(f"feature view {view.name!r}: entity keys cannot be looked up: {error}") from None
        if n_keys == 1:
            matched = [found.get(k[0]) for k in keys]
        elif n_keys == 0:
            matched = [found.get(())] * n
        else:
            matched = [found.get(tuple(k)) for k in keys]
        first = max(n_keys, 1)
        event_ts = [None if r is None else r[first] for r in matched]
        values: dict[str, list] = {}
        for j, (name, reader) in enumerate(zip(features, readers), start=first + 1):
            column = [None if r is None else r[j] for r in matched]
            if reader is not None:
                column = [None if v is None else reader(v) for v in column]
            values[name] = column
        return OnlineRead(event_ts, values)

    def _read_plan(self, table: str, view: FeatureView, features: list[str], bucket: int) -> tuple[str, list]:
        """The SQL text and value converters for reading ``features`` of ``bucket`` keys, built once and cached."""
        cache_key = (table, tuple(features), bucket)
        plan = self._read_plans.get(cache_key)
        if plan is not None:
            return plan
        by_name = {f.name: f for f in view.features}
        unknown = [f for f in features if f not in by_name]
        if unknown:
            raise FeatureReferenceError(
                f"feature view {view.name!r} has no feature(s) {unknown}; it has {sorted(by_name)}"
            )
        keys = view.join_keys
        t = _quote(table)
        selected = [f"{t}.{_quote(k)}" for k in keys] + [f"{t}.{EVENT_COL}"] + [f"{t}.{_quote(f)}" for f in features]
        if len(keys) == 1:
            where = f" WHERE {_quote(keys[0])} IN ({', '.join('?' * bucket)})"
            sql = f"SELECT {', '.join(selected)} FROM {t}{where}"
        elif not keys:
            sql = f"SELECT 0, {', '.join(selected)} FROM {t}"
        else:
            row = "(" + ", ".join("?" * len(keys)) + ")"
            on = " AND ".join(f"{t}.{_quote(k)} = v.column{i + 1}" for i, k in enumerate(keys))
            sql = f"SELECT {', '.join(selected)} FROM (VALUES {', '.join([row] * bucket)}) AS v JOIN {t} ON {on}"
        plan = (sql, [_reader_for(by_name[f].dtype) for f in features])
        self._read_plans[cache_key] = plan
        return plan
