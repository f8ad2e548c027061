"""The embedded online store: Feast's SQLite layout, writes guarded by event time.

Table ``{project}_{view}`` (as upstream Feast creates it): ``entity_key BLOB, feature_name TEXT, value BLOB,
value_text TEXT, vector_value BLOB, event_ts timestamp, created_ts timestamp, PRIMARY KEY(entity_key,
feature_name)`` and an index ``{table}_ek``. One row per (entity, feature): ``entity_key`` is Feast's serialized
entity key (online/encoding.py, version ``entity_key_serialization_version``), ``value`` a serialized
``feast.types.Value`` (empty for null), ``value_text`` its text for strings and numbers, and the timestamps
integer seconds since the epoch in UTC, which upstream's ``timestamp`` converter reads back. Tables this store
creates are WITHOUT ROWID (a key lookup is one b-tree search); upstream reads and writes them the same way.

A table of that name in another layout is never changed: ``update``, ``teardown``, writes and reads stop with
an error naming it. Tables in this project's earlier layout (typed columns, described by the
``feast_online_tables`` table) are converted by ``migrate`` (``feast migrate``).

Each thread gets its own connection (WAL journal, synchronous=NORMAL, a busy timeout so concurrent writers
queue instead of failing). A write is one ``BEGIN IMMEDIATE`` transaction; a read is one query.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import types
from ..config import SqliteOnlineStoreConfig
from ..definitions import FeatureView, Field
from ..errors import EntityDataError, FeatureReferenceError, OnlineDataError, StoreUnavailableError
from ..sqlite_wal import enable_wal
from ..types import Array, FeastType
from . import encoding
from .base import (
    CREATED_TS,
    EARLIER_LAYOUT,
    EVENT_TS,
    FEAST_LAYOUT,
    MISSING,
    OTHER_LAYOUT,
    MigrationStep,
    OnlineRead,
    is_feast_layout,
    layout_refusal,
    table_name,
    write_batch_keys,
    write_batch_times,
)

EARLIER_META_TABLE = "feast_online_tables"  # kept by this project's earlier layout; read only by migrate
BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 64 * 1024  # per connection, allocated only as pages are read
MMAP_BYTES = 256 * 1024 * 1024  # address space, not memory
MIGRATE_CHUNK_ROWS = 50_000
MAX_KEYS_PER_QUERY = 4096
READ_PLANS = 1024  # read plans kept (per view object and feature list)
ROWS_PER_UPSERT = 128  # (entity, feature) rows per statement
FEATURES_PER_STATEMENT = 1024  # at most 2051 parameters per entity, within SQLite's limit (32766 since 3.32)
_TS_US = pa.timestamp("us", tz="UTC")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _create_sql(table: str) -> list[str]:
    t = _quote(table)
    return [
        f"CREATE TABLE IF NOT EXISTS {t} (entity_key BLOB, feature_name TEXT, value BLOB, value_text TEXT, "
        "vector_value BLOB, event_ts timestamp, created_ts timestamp, PRIMARY KEY(entity_key, feature_name)) WITHOUT ROWID",
        f"CREATE INDEX IF NOT EXISTS {_quote(table + '_ek')} ON {t} (entity_key)",
    ]


class _Table:
    """What one table holds: its layout and columns."""

    def __init__(self, layout: str, columns: list[str]) -> None:
        self.layout, self.columns = layout, columns


class _ReadPlan:
    """How to read ``features`` of one view, resolved once: its table, key serializer, decoders and SQL texts."""

    __slots__ = ("table", "view", "features", "serializer", "types", "decoders", "names", "packed", "_names_csv",
                 "_sql")

    def __init__(self, table: str, view: FeatureView, features: list[str],
                 serializer: encoding.EntityKeySerializer) -> None:
        by_name = {f.name: f for f in view.features}
        unknown = [f for f in features if f not in by_name]
        if unknown:
            raise FeatureReferenceError(f"feature view {view.name!r} has no feature(s) {unknown}; it has {sorted(by_name)}")
        self.table, self.view, self.features, self.serializer = table, view, features, serializer
        self.types = [by_name[f].dtype for f in features]
        self.decoders = [encoding.column_decoder(by_name[f].dtype, f) for f in features]
        names = sorted(by_name)
        # one range scan per key (all of its rows) when at least half of the view's features are asked for, and
        # the names can be told apart in a comma-separated list; else one search per (feature, key)
        packed = 2 * len(set(features)) >= len(names) and not any("," in name for name in names)
        self.names = names if packed else None
        self.packed = encoding.PackedValues(len(names), [names.index(f) for f in features],
                                            [by_name[name].dtype for name in names],
                                            [encoding.column_decoder(by_name[name].dtype, name) for name in names]
                                            ) if packed else None
        self._names_csv = ",".join(names)
        self._sql: dict[tuple, str] = {}

    def packed_names(self, m: int) -> str:
        """The feature names ``_read_packed`` finds when each of m keys has exactly the view's rows."""
        return ",".join([self._names_csv] * m)

    def packed_sql(self, bucket: int) -> str:
        sql = self._sql.get(("packed", bucket))
        if sql is None:
            sql = self._sql[("packed", bucket)] = (
                f"SELECT CAST(group_concat(t.value, '{encoding.VALUE_SEPARATOR.decode()}') AS BLOB), "
                "group_concat(t.event_ts), group_concat(t.feature_name) "
                f"FROM (VALUES {', '.join(['(?)'] * bucket)}) AS k LEFT JOIN {_quote(self.table)} AS t "
                "ON t.entity_key = k.column1"
            )
        return sql

    def pairs_sql(self, bucket: int) -> str:
        """``value, event_ts`` of every (feature, key) pair, None where there is no row: exactly
        len(features) x bucket rows, features in the outer loop and keys in the inner one in request order. The
        order comes from SQLite's join loops: a CROSS JOIN keeps its left side the outer loop, and the VALUES
        lists are scanned in the order written. Each probe is one search of the primary key."""
        sql = self._sql.get(("pairs", bucket))
        if sql is None:
            names = ", ".join("('" + f.replace("'", "''") + "')" for f in self.features)
            sql = self._sql[("pairs", bucket)] = (
                f"SELECT t.value, t.event_ts FROM (VALUES {names}) AS f CROSS JOIN (VALUES {', '.join(['(?)'] * bucket)}) "
                f"AS k LEFT JOIN {_quote(self.table)} AS t ON t.entity_key = k.column1 AND t.feature_name = f.column1"
            )
        return sql


class SqliteOnlineStore:
    """The OnlineStore protocol over one SQLite file (``path`` relative to the repo directory)."""

    def __init__(self, config: SqliteOnlineStoreConfig, repo_path: Path, entity_key_version: int = 3) -> None:
        path = Path(config.path)
        self.path = path if path.is_absolute() else Path(repo_path) / path
        self.entity_key_version = entity_key_version
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._generation = 0  # bumped when all connections are closed (teardown, close)
        self._serializers: dict[tuple, encoding.EntityKeySerializer] = {}
        self._read_plans: dict[tuple, _ReadPlan] = {}
        self._ready: dict[str, list[str]] = {}  # table -> its columns, for tables known to be in Feast's layout

    @property
    def label(self) -> str:
        return f"sqlite online store {self.path}"

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
            raise StoreUnavailableError(f"{self.label}: cannot open: {error}") from None
        local.conn, local.generation = conn, self._generation
        local.keys_per_query = max(1, min(MAX_KEYS_PER_QUERY, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)))
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

    def _transaction(self, conn: sqlite3.Connection, work: Callable[[], object], what: str):
        """Run ``work`` inside BEGIN IMMEDIATE ... COMMIT; roll back on any error."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreUnavailableError(f"{self.label}: {what}: {error}") from None
        try:
            result = work()
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _forget(self) -> None:
        self._ready.clear()
        self._read_plans.clear()

    # -- layouts -------------------------------------------------------------------------------

    def _inspect(self, conn: sqlite3.Connection, table: str) -> _Table:
        info = conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        if not info:
            return _Table(MISSING, [])
        columns = [row[1] for row in info]
        primary_key = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        if is_feast_layout(set(columns), primary_key):
            return _Table(FEAST_LAYOUT, columns)
        if self._earlier_schema(conn, table) is not None:
            return _Table(EARLIER_LAYOUT, columns)
        return _Table(OTHER_LAYOUT, columns)

    @staticmethod
    def _earlier_schema(conn: sqlite3.Connection, table: str) -> dict | None:
        try:
            row = conn.execute(f"SELECT schema FROM {EARLIER_META_TABLE} WHERE table_name = ?", (table,)).fetchone()
        except sqlite3.OperationalError:  # no such table: nothing was ever written in the earlier layout
            return None
        return None if row is None else json.loads(row[0])

    def _refuse(self, table: str, found: _Table) -> OnlineDataError:
        return OnlineDataError(layout_refusal(self.label, table, found.layout, found.columns))

    def _prepare(self, conn: sqlite3.Connection, table: str, create: bool) -> _Table:
        """Check one table (inside a transaction); create it if missing and ``create``; add value_text where an
        older Feast table lacks it. Raises for a table in another layout."""
        found = self._inspect(conn, table)
        if found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
            raise self._refuse(table, found)
        if found.layout == MISSING and create:
            for sql in _create_sql(table):
                conn.execute(sql)
            found = self._inspect(conn, table)
        elif found.layout == FEAST_LAYOUT and "value_text" not in found.columns:
            conn.execute(f"ALTER TABLE {_quote(table)} ADD COLUMN value_text TEXT")
            found = self._inspect(conn, table)
        return found

    def check(self, project: str, views: list[FeatureView]) -> None:
        if not views or not self.path.exists():
            return
        conn = self._conn()
        for view in views:
            table = table_name(project, view)
            found = self._inspect(conn, table)
            if found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
                raise self._refuse(table, found)

    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        for view in keep:
            self._serializer(view)  # join key types Feast's entity keys can hold
        conn = self._conn()

        def work() -> None:
            found = {table_name(project, v): self._inspect(conn, table_name(project, v)) for v in [*keep, *delete]}
            for table, table_found in found.items():  # refuse before changing anything
                if table_found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
                    raise self._refuse(table, table_found)
            for view in keep:
                self._prepare(conn, table_name(project, view), create=True)
            for view in delete:
                if found[table_name(project, view)].layout == FEAST_LAYOUT:
                    conn.execute(f"DROP TABLE IF EXISTS {_quote(table_name(project, view))}")

        self._transaction(conn, work, "update")
        self._forget()

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        if not self.path.exists():
            return
        conn = self._conn()

        def work() -> None:
            found = {table_name(project, v): self._inspect(conn, table_name(project, v)) for v in views}
            for table, table_found in found.items():
                if table_found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
                    raise self._refuse(table, table_found)
            for table, table_found in found.items():
                if table_found.layout == FEAST_LAYOUT:
                    conn.execute(f"DROP TABLE IF EXISTS {_quote(table)}")

        self._transaction(conn, work, "teardown")
        self._forget()
        remaining = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if remaining == 0:  # the file holds nothing anyone wrote: remove it, as Feast's teardown does
            self._close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # -- entity keys and values ----------------------------------------------------------------

    def _serializer(self, view: FeatureView) -> encoding.EntityKeySerializer:
        key = (view.name, tuple((f.name, f.dtype.name) for f in view.entity_columns))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = encoding.EntityKeySerializer(
                view.name, view.join_keys, [f.dtype for f in view.entity_columns], self.entity_key_version
            )
            self._serializers[key] = serializer
        return serializer

    # -- write ---------------------------------------------------------------------------------

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        n_rows = batch.num_rows
        if n_rows == 0:
            return 0
        rows = _WriteRows(view.name, self._serializer(view), view.join_keys, view.features, batch)
        table = table_name(project, view)
        conn = self._conn()

        def work() -> None:
            columns = self._ready.get(table)
            if columns is None:
                columns = self._ready[table] = self._prepare(conn, table, create=True).columns
            rows.upsert(conn, table, columns)

        try:
            self._transaction(conn, work, f"writing {table}")
        except sqlite3.OperationalError as error:
            self._ready.pop(table, None)
            raise StoreUnavailableError(f"{self.label}: writing {table}: {error}") from None
        except (sqlite3.IntegrityError, sqlite3.InterfaceError) as error:
            raise EntityDataError(f"feature view {view.name!r}: rows cannot be written to {table}: {error}") from None
        return n_rows

    # -- read ----------------------------------------------------------------------------------

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        n = len(keys)
        if n == 0:
            return OnlineRead({f: [] for f in features}, {f: [] for f in features})
        plan = self._read_plan(project, view, features)
        encoded = plan.serializer.sqlite_blobs(keys)
        conn = self._conn()
        per_query = self._local.keys_per_query
        try:
            if n <= per_query:  # the usual case: one query, its lists are the answer
                values, stamps, complete, oldest = self._read_keys(conn, plan, encoded)
            else:
                values, stamps, complete, oldest = [[] for _ in features], [[] for _ in features], (), None
                for start in range(0, n, per_query):
                    part_values, part_stamps, _, _ = self._read_keys(conn, plan, encoded[start:start + per_query])
                    for j in range(len(features)):
                        values[j].extend(part_values[j])
                        stamps[j].extend(part_stamps[j])
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):  # never applied to this store: nothing was written
                empty = [None] * n
                return OnlineRead({f: empty for f in features}, {f: empty for f in features})
            if "no such column" in str(error):
                raise self._refuse(plan.table, self._inspect(conn, plan.table)) from None
            raise StoreUnavailableError(f"{self.label}: reading {plan.table}: {error}") from None
        return OnlineRead(dict(zip(features, stamps)), dict(zip(features, values)),
                          frozenset(f for f, whole in zip(features, complete) if whole),
                          None if oldest is None else dict(zip(features, oldest)))

    def _read_plan(self, project: str, view: FeatureView, features: list[str]) -> _ReadPlan:
        """The plan of reading ``features`` of this view object, made on its first read. Views come from a
        registry snapshot and are not changed in place; a new snapshot brings new view objects (and new plans:
        the cache is emptied when it holds READ_PLANS of them)."""
        cache_key = (project, id(view), *features)
        plan = self._read_plans.get(cache_key)
        if plan is None or plan.view is not view:
            if len(self._read_plans) >= READ_PLANS:
                self._read_plans.clear()
            plan = self._read_plans[cache_key] = _ReadPlan(table_name(project, view), view, list(features),
                                                           self._serializer(view))
        return plan

    def _read_keys(self, conn: sqlite3.Connection, plan: _ReadPlan, part: list[bytes]
                   ) -> tuple[list[list], list[list], Sequence[bool], list[int] | None]:
        """Values and event times (microseconds) of each requested feature for these encoded keys, one query, and
        for each feature whether every key had a row and a non-null value and its oldest event time (when the
        reading found out; else () and None)."""
        m = len(part)
        bucket = _bucket(m)
        params = part + [None] * (bucket - m) if bucket > m else part
        if plan.names is not None:
            read = self._read_packed(conn, plan, params, m)
            if read is not None:
                return read
        rows = conn.execute(plan.pairs_sql(bucket), params).fetchall()
        # one row per (feature, key), feature-major: see _ReadPlan.pairs_sql
        blobs, times = zip(*rows)
        values, stamps = [], []
        for j, decode in enumerate(plan.decoders):
            values.append(decode(blobs[j * bucket:j * bucket + m]))
            stamps.append([s * 1_000_000 if type(s) is int else _micros(s) for s in times[j * bucket:j * bucket + m]])
        return values, stamps, (), None

    @staticmethod
    def _read_packed(conn: sqlite3.Connection, plan: _ReadPlan, params: list, m: int
                     ) -> tuple[list[list], list[list], list[bool], list[int]] | None:
        """Read all features of m keys with one primary-key range scan per key, for the usual case that every
        key has a row for every feature of the view and no other rows. The rows come key by key (a LEFT JOIN
        keeps the VALUES list the outer loop, scanned in order; a key without rows adds only NULLs, which the
        aggregates skip and the names check then notices), features in name order, and SQLite packs them into one
        result row: the values in one blob, separated by encoding.VALUE_SEPARATOR, and their event times and
        feature names as comma-separated text (encoding.PackedValues decodes them). Returning 4 x m values
        through the sqlite3 module row by row costs more than the scan, and so does turning each value's length
        into text. Returns None when the rows are not exactly that (a missing key or feature, rows of features
        no longer in the view, a NULL value, a value holding the separator, an event time that is not an
        integer); the caller then reads with one search per (feature, key)."""
        data, times_text, found = conn.execute(plan.packed_sql(len(params)), params).fetchone()
        if found != plan.packed_names(m):
            return None
        return plan.packed.unpack(data, times_text, m)

    # -- migrate -------------------------------------------------------------------------------

    def migrate(self, project: str, views: list[FeatureView], dry_run: bool = False) -> list[MigrationStep]:
        if not self.path.exists():
            return []
        conn = self._conn()
        steps = []
        for view in views:
            table = table_name(project, view)
            found = self._inspect(conn, table)
            step = MigrationStep(table, found.layout)
            if found.layout == OTHER_LAYOUT:
                step.detail = layout_refusal(self.label, table, found.layout, found.columns)
            elif found.layout == EARLIER_LAYOUT:
                step.rows = conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
            steps.append(step)
        if dry_run or not any(s.layout == EARLIER_LAYOUT for s in steps):
            return steps

        def work() -> None:
            for step in steps:
                if step.layout == EARLIER_LAYOUT:
                    self._migrate_table(conn, step.table)
                    step.done = True
            if conn.execute(f"SELECT count(*) FROM {EARLIER_META_TABLE}").fetchone()[0] == 0:
                conn.execute(f"DROP TABLE {EARLIER_META_TABLE}")

        self._transaction(conn, work, "migrating to Feast's layout")
        self._forget()
        return steps

    def _migrate_table(self, conn: sqlite3.Connection, table: str) -> None:
        """Copy one earlier-layout table into a new Feast-layout table, then put it in the old one's place
        (inside the caller's transaction: all or nothing)."""
        schema = self._earlier_schema(conn, table)
        keys = [(name, types.from_name(t)) for name, t in schema["keys"]]
        features = [(name, types.from_name(t)) for name, t in schema["features"]]
        existing = {row[1] for row in conn.execute(f"PRAGMA table_info({_quote(table)})")}
        features = [(name, t) for name, t in features if name in existing]
        serializer = encoding.EntityKeySerializer(table, [k for k, _ in keys], [t for _, t in keys],
                                                  self.entity_key_version)
        target = table + "__feast_migrating"
        conn.execute(f"DROP TABLE IF EXISTS {_quote(target)}")
        conn.execute(_create_sql(target)[0])
        selected = [k for k, _ in keys] + [f for f, _ in features] + ["event_ts", "created_ts"]
        cursor = conn.execute(f"SELECT {', '.join(_quote(c) for c in selected)} FROM {_quote(table)}")
        fields = [Field(name=name, dtype=t) for name, t in features]
        while True:
            chunk = cursor.fetchmany(MIGRATE_CHUNK_ROWS)
            if not chunk:
                break
            columns = list(zip(*chunk))
            arrays = {name: _earlier_to_arrow(t, columns[i]) for i, (name, t) in enumerate(keys + features)}
            arrays[EVENT_TS] = pa.array(columns[-2], pa.int64()).cast(_TS_US)
            arrays[CREATED_TS] = pa.array(columns[-1], pa.int64()).cast(_TS_US)
            batch = pa.table(arrays)
            _WriteRows(table, serializer, [k for k, _ in keys], fields, batch).upsert(conn, target, ["vector_value"])
        conn.execute(f"DROP TABLE {_quote(table)}")
        conn.execute(f"ALTER TABLE {_quote(target)} RENAME TO {_quote(table)}")
        conn.execute(f"DROP INDEX IF EXISTS {_quote(target + '_ek')}")
        conn.execute(_create_sql(table)[1])
        conn.execute(f"DELETE FROM {EARLIER_META_TABLE} WHERE table_name = ?", (table,))


def _bucket(n: int) -> int:
    """How many key placeholders a read of n keys uses (padded with NULL keys), so that few statements serve
    every request size and SQLite reuses them: n itself up to 8, then multiples of 8, then powers of two."""
    if n <= 8:
        return n
    if n <= 256:
        return (n + 7) // 8 * 8
    return 1 << (n - 1).bit_length()


def _micros(stamp) -> int | None:
    """A stored event_ts (integer seconds; older writers may have left text) as microseconds."""
    if stamp is None:
        return None
    if isinstance(stamp, int):
        return stamp * 1_000_000
    if isinstance(stamp, float):
        return int(stamp * 1_000_000)
    from datetime import datetime, timezone

    moment = datetime.fromisoformat(stamp.decode() if isinstance(stamp, bytes) else stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1_000_000)


def _seconds_column(batch: pa.Table, name: str, view: str, required: bool) -> list:
    column = write_batch_times(batch, name, view, required)
    seconds = encoding._epoch_seconds(column).tolist()
    if column.null_count:
        valid = np.asarray(column.is_valid()).tolist()
        seconds = [s if ok else None for s, ok in zip(seconds, valid)]
    return seconds


def _blobs(column: pa.Array) -> list[bytearray]:
    """A binary column as bytearrays: Python's sqlite3 binds a bytearray directly, while a bytes object first goes
    through its adapter lookup (about a microsecond per value); both are stored as the same BLOB."""
    return list(map(bytearray, column.to_pylist()))


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _WriteRows:
    """The rows of a write batch, encoded, for SQLite's (entity_key, feature_name, value, value_text, event_ts,
    created_ts) rows: one per entity and feature present in the batch.

    Everything is encoded when this is made, so a bad column fails before the transaction starts. Rows are
    bound one entity at a time (key, event and created time bound once, then each feature's value and text;
    feature names are literals of the statement), in primary-key order (entity key bytes, then feature name; a
    stable sort, so rows of one key keep their order and the event-time guard decides between them as before).
    SQLite then inserts each row next to the previous one instead of at a random place in the b-trees,
    several times faster on a table larger than a few pages."""

    def __init__(self, view: str, serializer: encoding.EntityKeySerializer, join_keys: list[str], features: list,
                 batch: pa.Table) -> None:
        names = set(batch.column_names)
        n = batch.num_rows
        entity_keys = write_batch_keys(view, serializer, join_keys, batch)
        order = None if n < 2 else pc.sort_indices(entity_keys)  # stable
        if order is not None:
            entity_keys = entity_keys.take(order)
            batch = batch.take(order)
        self.has_created = CREATED_TS in names
        columns: list = [_blobs(entity_keys), _seconds_column(batch, EVENT_TS, view, required=True)]
        if self.has_created:
            columns.append(_seconds_column(batch, CREATED_TS, view, required=False))
        self.features = sorted((f for f in features if f.name in names), key=lambda f: f.name)
        for feature in self.features:
            column = batch.column(feature.name)
            what = f"feature view {view!r}: column {feature.name!r}"
            columns.append(_blobs(encoding.encode_column(feature.dtype, column, what)))
            columns.append(encoding.text_values(feature.dtype, column))
        self.columns = columns

    def upsert(self, conn: sqlite3.Connection, table: str, table_columns: list[str]) -> None:
        """Write the rows (inside the caller's transaction), a few hundred per statement, features in groups
        small enough for SQLite's parameter limit."""
        head = 3 if self.has_created else 2
        n = len(self.columns[0])
        for start in range(0, len(self.features), FEATURES_PER_STATEMENT):
            names = [f.name for f in self.features[start:start + FEATURES_PER_STATEMENT]]
            columns = self.columns[:head] + self.columns[head + 2 * start:head + 2 * (start + len(names))]
            # every entity's parameters back to back in one list (a slice assignment per column), so each statement's
            # parameters are one slice of it
            width = len(columns)
            flat: list = [None] * (n * width)
            for i, column in enumerate(columns):
                flat[i::width] = column
            per_statement = max(1, ROWS_PER_UPSERT // len(names))
            step = per_statement * width
            whole = n // per_statement * step
            if whole:
                multi = _upsert_sql(table, table_columns, names, self.has_created, per_statement)
                for at in range(0, whole, step):
                    conn.execute(multi, flat[at:at + step])
            if whole < len(flat):
                rest = flat[whole:]
                conn.executemany(_upsert_sql(table, table_columns, names, self.has_created, 1),
                                 [rest[at:at + width] for at in range(0, len(rest), width)])


def _upsert_sql(table: str, columns: list[str], features: list[str], has_created: bool, entities: int) -> str:
    """INSERT the rows of ``entities`` entities (parameters per entity: key, event time, [created time,] then value
    and text per feature), each row unless the stored one is newer: a later event time wins; equal event times
    go to the newer (or equal) created time. A stale vector_value is cleared with the value."""
    t = _quote(table)
    sets = ["value = excluded.value", "value_text = excluded.value_text", "event_ts = excluded.event_ts",
            "created_ts = excluded.created_ts"]
    if "vector_value" in columns:
        sets.append("vector_value = NULL")
    head = 3 if has_created else 2
    width = head + 2 * len(features)
    rows = []
    for e in range(entities):
        p = e * width + 1
        created = f"?{p + 2}" if has_created else "NULL"
        for f, name in enumerate(features):
            rows.append(f"(?{p}, {_sql_text(name)}, ?{p + head + 2 * f}, ?{p + head + 2 * f + 1}, ?{p + 1}, {created})")
    return (
        f"INSERT INTO {t} (entity_key, feature_name, value, value_text, event_ts, created_ts) VALUES {', '.join(rows)} "
        f"ON CONFLICT(entity_key, feature_name) DO UPDATE SET {', '.join(sets)} "
        f"WHERE excluded.event_ts > {t}.event_ts OR (excluded.event_ts = {t}.event_ts AND "
        f"coalesce(excluded.created_ts, 0) >= coalesce({t}.created_ts, 0))"
    )


def _earlier_to_arrow(feast_type: FeastType, values: tuple) -> pa.Array:
    """A column of this project's earlier SQLite layout (bools as 0/1, timestamps as integer microseconds,
    arrays as JSON text with bytes in base64 and timestamps in microseconds) as Arrow."""
    if feast_type is types.Bool:
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())
    if feast_type is types.UnixTimestamp:
        return pa.array(values, pa.int64()).cast(_TS_US)
    if isinstance(feast_type, Array):
        base = feast_type.base_type
        lists = [None if v is None else json.loads(v) for v in values]
        if base is types.UnixTimestamp:
            return pa.array(lists, pa.list_(pa.int64())).cast(pa.list_(_TS_US))
        if base is types.Bytes:
            lists = [None if v is None else [None if x is None else base64.b64decode(x) for x in v] for v in lists]
        if base is types.Bool:
            lists = [None if v is None else [None if x is None else bool(x) for x in v] for v in lists]
        return pa.array(lists, feast_type.arrow)
    return pa.array(values, feast_type.arrow)
