"""The PostgreSQL online store (``online_store: type: postgres``): typed columns, guarded batched upserts.

Layout: table ``"{db_schema}"."{project}_{view}"`` with the join keys (PRIMARY KEY, their declared types'
``.postgres``), one column per feature (``.postgres``, arrays as PostgreSQL arrays), ``event_ts`` and
``created_ts`` (TIMESTAMPTZ). An entity-less view keeps its one row under ``__dummy_key = 0``. The schema
is created when missing.

A write is one transaction: the batch goes into a temporary table with COPY, then one
``INSERT ... SELECT DISTINCT ON (keys) ... ON CONFLICT DO UPDATE ... WHERE`` the incoming row is newer
(greater event time, or equal event time and a created time at least as new). A write never replaces
newer data, a batch is all-or-nothing, and a run killed half way leaves each key old or new.

A read of N keys is one prepared statement per view: ``WHERE k = ANY(%s)`` for one key, a join with
``unnest`` of one array per key column for composite keys. Connections come from a pool
(``min_conn``..``max_conn``, pg/pool.py) made on first use: while the server is down a call raises
StoreUnavailableError naming host:port/database within seconds, and service resumes by itself when it is
back, so no new store is needed.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pyarrow as pa
from psycopg import errors as pg_errors

from .. import types
from ..config import PostgresOnlineStoreConfig
from ..definitions import FeatureView
from ..errors import EntityDataError, FeatureReferenceError, RepoError, StoreUnavailableError
from ..pg.arrow import copy_in
from ..pg.connection import endpoint_from_config, quote_ident
from ..pg.pool import Pool
from ..types import Array, FeastType
from .base import CREATED_TS, EVENT_TS, OnlineRead, table_name

EVENT_COL = "event_ts"
CREATED_COL = "created_ts"
DUMMY_KEY = "__dummy_key"
_STAGE = "feast_core_stage"
ANALYZE_AFTER_ROWS = 1000


def _pg_type(feast_type: FeastType) -> str:
    return feast_type.postgres


def _normal_type(name: str) -> str:
    """A type name as format_type() spells it, to compare declared and existing columns."""
    text = name.lower()
    for short, long in (("timestamptz", "timestamp with time zone"),):
        text = text.replace(short, long)
    return text


def _arrow_fits(feast_type: FeastType, arrow_type: pa.DataType) -> pa.DataType | None:
    """The Arrow type to cast a batch column to before COPY, or None to send it as it is."""
    if pa.types.is_dictionary(arrow_type):
        return feast_type.arrow
    if feast_type in (types.Int32, types.Int64) and pa.types.is_floating(arrow_type):
        return feast_type.arrow  # pandas turns ints with a gap into floats; the safe cast refuses 1.5
    if feast_type is types.Bool and not pa.types.is_boolean(arrow_type) and not pa.types.is_null(arrow_type):
        raise TypeError
    if feast_type is types.UnixTimestamp and pa.types.is_integer(arrow_type):
        raise TypeError
    return None


class PostgresOnlineStore:
    """The OnlineStore protocol over PostgreSQL (see the module docstring)."""

    def __init__(self, config: PostgresOnlineStoreConfig) -> None:
        self.config = config
        self.endpoint = endpoint_from_config(config)
        self.schema = config.db_schema or "public"
        # autocommit: a read is one round trip, with no BEGIN/COMMIT around it
        self._pool = Pool(self.endpoint, config.min_conn, config.max_conn, f"feast-online-{self.endpoint.label}",
                          autocommit=True)
        self._read_sql: dict[tuple, str] = {}
        self._write_sql: dict[tuple, str] = {}
        self._schema_ready = False
        self._analyzed: set[str] = set()  # tables whose statistics exist (see write)

    # ---- connections ------------------------------------------------------------------------

    def _run(self, work: Callable[[psycopg.Connection], object], what: str, transaction: bool = True):
        """Run ``work`` on a pooled connection (see pg/pool.py: fast 503s while the server is down, healing after)."""
        return self._pool.run(work, what, transaction)

    def close(self) -> None:
        self._pool.close()

    # ---- schema -----------------------------------------------------------------------------

    def _qualified(self, project: str, view: FeatureView | str) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(table_name(project, view))}"

    @staticmethod
    def _declared(view: FeatureView) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        keys = [(f.name, _pg_type(f.dtype)) for f in view.entity_columns]
        features = [(f.name, _pg_type(f.dtype)) for f in view.features]
        for name, _ in keys + features:
            if name in (EVENT_COL, CREATED_COL, DUMMY_KEY):
                raise RepoError(f"feature view {view.name!r}: column name {name!r} is reserved by the postgres online store")
        for f in view.entity_columns:
            if isinstance(f.dtype, Array):
                raise RepoError(f"feature view {view.name!r}: join key {f.name!r} cannot be an array ({f.dtype})")
        return keys, features

    def _existing_columns(self, cur, table: str) -> dict[str, str] | None:
        cur.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (self.schema, table),
        )
        rows = cur.fetchall()
        return dict(rows) if rows else None

    def _ensure_schema(self, cur) -> None:
        if not self._schema_ready:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(self.schema)}")
            self._schema_ready = True

    def _adapt(self, cur, project: str, view: FeatureView, allow_recreate: bool) -> None:
        table = table_name(project, view)
        qualified = self._qualified(project, view)
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self.schema}.{table}",))
        keys, features = self._declared(view)
        existing = self._existing_columns(cur, table)
        if existing is not None:
            key_names = [k for k, _ in keys] or [DUMMY_KEY]
            same_keys = all(_normal_type(t) == existing.get(k) for k, t in keys) and all(k in existing for k in key_names)
            changed = [n for n, t in features if n in existing and existing[n] != _normal_type(t)]
            if same_keys and not changed:
                for name, pg_type in features:
                    if name not in existing:
                        cur.execute(f"ALTER TABLE {qualified} ADD COLUMN {quote_ident(name)} {pg_type}")
                if allow_recreate:
                    wanted = set(key_names) | {n for n, _ in features} | {EVENT_COL, CREATED_COL}
                    for name in existing:
                        if name not in wanted:
                            cur.execute(f"ALTER TABLE {qualified} DROP COLUMN {quote_ident(name)}")
                return
            if not allow_recreate:
                raise RepoError(
                    f"postgres online store {self.endpoint.label}: table {table!r} was created for other join keys "
                    "or feature types; run `feast apply` to recreate it"
                )
            cur.execute(f"DROP TABLE {qualified}")
        columns = [f"{quote_ident(k)} {t} NOT NULL" for k, t in keys]
        if not keys:
            columns.append(f"{DUMMY_KEY} INTEGER NOT NULL DEFAULT 0")
        columns += [f"{quote_ident(n)} {t}" for n, t in features]
        columns += [f"{EVENT_COL} TIMESTAMPTZ NOT NULL", f"{CREATED_COL} TIMESTAMPTZ"]
        primary = ", ".join(quote_ident(k) for k, _ in keys) or DUMMY_KEY
        cur.execute(f"CREATE TABLE {qualified} ({', '.join(columns)}, PRIMARY KEY ({primary}))")

    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        for view in keep:
            self._declared(view)

        def work(conn) -> None:
            cur = conn.cursor()
            self._ensure_schema(cur)
            for view in keep:
                self._adapt(cur, project, view, allow_recreate=True)
            for view in delete:
                cur.execute(f"DROP TABLE IF EXISTS {self._qualified(project, view)}")

        self._run(work, f"updating tables of project {project!r}")
        self._read_sql.clear()
        self._write_sql.clear()
        self._analyzed.clear()

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        def work(conn) -> None:
            for view in views:
                conn.execute(f"DROP TABLE IF EXISTS {self._qualified(project, view)}")

        self._run(work, f"tearing down project {project!r}")
        self._read_sql.clear()
        self._write_sql.clear()
        self._analyzed.clear()

    # ---- write ------------------------------------------------------------------------------

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        if batch.num_rows == 0:
            return 0
        names = set(batch.column_names)
        missing = [k for k in view.join_keys + [EVENT_TS] if k not in names]
        if missing:
            raise EntityDataError(f"feature view {view.name!r}: rows to write lack column(s) {missing}")
        fields = list(view.entity_columns) + [f for f in view.features if f.name in names]
        columns = [f.name for f in fields] + [EVENT_COL]
        arrays = [self._conform(view, f.name, f.dtype, batch.column(f.name)) for f in fields]
        feast_types: list[FeastType] = [f.dtype for f in fields] + [types.UnixTimestamp]
        arrays.append(self._conform(view, EVENT_TS, types.UnixTimestamp, batch.column(EVENT_TS)))
        if CREATED_TS in names:
            columns.append(CREATED_COL)
            feast_types.append(types.UnixTimestamp)
            arrays.append(self._conform(view, CREATED_TS, types.UnixTimestamp, batch.column(CREATED_TS)))
        for f, array in zip(view.entity_columns, arrays):
            if array.null_count:
                raise EntityDataError(f"feature view {view.name!r}: join key column {f.name!r} has missing values")
        if arrays[len(fields)].null_count:
            raise EntityDataError(f"feature view {view.name!r}: column {EVENT_TS!r} has missing values")
        staged = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
        sql = self._upsert_sql(project, view, columns)
        qualified = self._qualified(project, view)

        def work(conn) -> None:
            cur = conn.cursor()
            cur.execute(f"CREATE TEMP TABLE {_STAGE} (LIKE {qualified} INCLUDING DEFAULTS) ON COMMIT DROP")
            copy_in(cur, _STAGE, columns, staged, feast_types, pg_types=[t.postgres for t in feast_types])
            cur.execute(sql)
            if cur.rowcount >= ANALYZE_AFTER_ROWS and qualified not in self._analyzed:
                # A table filled by its first materialization has no statistics until autovacuum comes by
                # (up to a minute or more): meanwhile reads of N keys plan a sequential scan (2 ms instead of
                # 0.3 ms for 100 keys of 10k). Gather them now, once per table and process.
                never = cur.execute("SELECT reltuples < 0 FROM pg_class WHERE oid = %s::regclass", (qualified,)).fetchone()[0]
                if never:
                    cur.execute(f"ANALYZE {qualified}")
                self._analyzed.add(qualified)

        try:
            self._run(work, f"writing {table_name(project, view)}")
        except (pg_errors.UndefinedTable, pg_errors.UndefinedColumn, pg_errors.InvalidSchemaName):
            # written before `feast apply` reached this store, or by a process with a newer view
            self._schema_ready = False
            self._run(lambda conn: (self._ensure_schema(conn.cursor()),
                                    self._adapt(conn.cursor(), project, view, allow_recreate=False)),
                      f"creating {table_name(project, view)}")
            self._write_sql.clear()
            self._run(work, f"writing {table_name(project, view)}")
        except (pg_errors.DataError, pg_errors.IntegrityError) as error:
            raise EntityDataError(
                f"feature view {view.name!r}: rows cannot be written to {table_name(project, view)}: "
                f"{self.endpoint.message(error)}"
            ) from None
        return batch.num_rows

    @staticmethod
    def _conform(view: FeatureView, name: str, feast_type: FeastType, column: pa.ChunkedArray) -> pa.ChunkedArray:
        try:
            target = _arrow_fits(feast_type, column.type)
            return column.cast(target) if target is not None else column
        except (TypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise EntityDataError(
                f"feature view {view.name!r}: column {name!r} holds {column.type} values, which cannot be stored as "
                f"{feast_type}{': ' + str(error) if str(error) else ''}"
            ) from None

    def _upsert_sql(self, project: str, view: FeatureView, columns: list[str]) -> str:
        key = (project, view.name, tuple(view.join_keys), tuple(columns))
        sql = self._write_sql.get(key)
        if sql is not None:
            return sql
        t = self._qualified(project, view)
        keys = [quote_ident(k) for k in view.join_keys] or [DUMMY_KEY]
        quoted = [quote_ident(c) for c in columns]
        updates = [f"{c} = excluded.{c}" for c, raw in zip(quoted, columns) if raw not in view.join_keys]
        if CREATED_COL not in columns:
            updates.append(f"{CREATED_COL} = NULL")
        sql = (
            f"INSERT INTO {t} AS t ({', '.join(quoted)}) "
            f"SELECT DISTINCT ON ({', '.join(keys)}) {', '.join(quoted)} FROM {_STAGE} "
            f"ORDER BY {', '.join(keys)}, {EVENT_COL} DESC, {CREATED_COL} DESC NULLS LAST "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(updates)} "
            f"WHERE excluded.{EVENT_COL} > t.{EVENT_COL} OR (excluded.{EVENT_COL} = t.{EVENT_COL} AND "
            f"coalesce(excluded.{CREATED_COL}, '-infinity') >= coalesce(t.{CREATED_COL}, '-infinity'))"
        )
        self._write_sql[key] = sql
        return sql

    # ---- read -------------------------------------------------------------------------------

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        n = len(keys)
        if n == 0:
            return OnlineRead([], {f: [] for f in features})
        sql = self._read_plan(project, view, features)
        n_keys = len(view.join_keys)
        if n_keys == 0:
            params: list = []
        else:
            params = [list(column) for column in zip(*keys)]

        def work(conn):
            return conn.execute(sql, params, prepare=True).fetchall()

        try:
            rows = self._run(work, f"reading {table_name(project, view)}", transaction=False)
        except (pg_errors.UndefinedTable, pg_errors.InvalidSchemaName):
            return OnlineRead([None] * n, {f: [None] * n for f in features})  # never applied: nothing written
        except pg_errors.UndefinedColumn as error:
            raise FeatureReferenceError(
                f"feature view {view.name!r}: {self.endpoint.message(error)}; run `feast apply` if the view changed"
            ) from None
        except (pg_errors.DataError, psycopg.DataError, TypeError) as error:
            raise EntityDataError(f"feature view {view.name!r}: entity keys cannot be looked up: {error}") from None
        width = max(n_keys, 1)
        if n_keys == 0:
            found = {(): rows[0]} if rows else {}
            matched = [found.get(())] * n
        elif n_keys == 1:
            found = {row[0]: row for row in rows}
            matched = [found.get(k[0]) for k in keys]
        else:
            found = {tuple(row[:n_keys]): row for row in rows}
            matched = [found.get(tuple(k)) for k in keys]
        event_ts = [None if r is None else r[width] for r in matched]
        values = {f: [None if r is None else r[width + 1 + j] for r in matched] for j, f in enumerate(features)}
        return OnlineRead(event_ts, values)

    def _read_plan(self, project: str, view: FeatureView, features: list[str]) -> str:
        cache_key = (project, view.name, tuple(view.join_keys), tuple(features))
        sql = self._read_sql.get(cache_key)
        if sql is not None:
            return sql
        by_name = {f.name for f in view.features}
        unknown = [f for f in features if f not in by_name]
        if unknown:
            raise FeatureReferenceError(f"feature view {view.name!r} has no feature(s) {unknown}; it has {sorted(by_name)}")
        t = self._qualified(project, view)
        key_fields = list(view.entity_columns)
        selected = [f"t.{quote_ident(f.name)}" for f in key_fields] or ["0"]
        selected.append(f"(extract(epoch from t.{EVENT_COL}) * 1000000)::int8")
        selected += [f"t.{quote_ident(f)}" for f in features]
        if not key_fields:
            sql = f"SELECT {', '.join(selected)} FROM {t} AS t LIMIT 1"
        elif len(key_fields) == 1:
            k = key_fields[0]
            sql = f"SELECT {', '.join(selected)} FROM {t} AS t WHERE t.{quote_ident(k.name)} = ANY(%s::{k.dtype.postgres}[])"
        else:
            arrays = ", ".join(f"%s::{k.dtype.postgres}[]" for k in key_fields)
            aliases = ", ".join(f"k{i}" for i in range(len(key_fields)))
            on = " AND ".join(f"t.{quote_ident(k.name)} = u.k{i}" for i, k in enumerate(key_fields))
            sql = f"SELECT {', '.join(selected)} FROM unnest({arrays}) AS u({aliases}) JOIN {t} AS t ON {on}"
        self._read_sql[cache_key] = sql
        return sql


__all__ = ["PostgresOnlineStore", "StoreUnavailableError"]
