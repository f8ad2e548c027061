"""The PostgreSQL online store (``online_store: type: postgres``) in Feast's layout, with guarded bulk upserts.

Table ``{project}_{view}`` in schema ``db_schema`` (or the user's name when empty), as upstream Feast creates
it: ``entity_key BYTEA, feature_name TEXT, value BYTEA, value_text TEXT, vector_value BYTEA, event_ts
TIMESTAMPTZ, created_ts TIMESTAMPTZ, PRIMARY KEY(entity_key, feature_name)``, an index ``{table}_ek`` and,
when the view has a String feature, Feast's full-text index ``{table}_fts_idx``. Sessions use Feast's
``search_path`` (``db_schema[,public]``) and UTC. The schema is created (owned by the user) when missing.

A write is one transaction: the rows (one per entity and feature; see online/encoding.py) go into a temporary
table with a binary COPY built by Arrow, then one ``INSERT ... SELECT DISTINCT ON (entity_key, feature_name)
... ON CONFLICT DO UPDATE ... WHERE`` the incoming row is newer (greater event time, or equal event time and
a created time at least as new). A write never replaces newer data, a batch is all-or-nothing, and a run
killed half way leaves each value old or new.

A read of N keys is one statement per view, prepared once per connection and planned once (sessions use
``plan_cache_mode=force_generic_plan``): the keys go as one binary ``bytea[]``, each is looked up through the
entity_key index, and the rows come back packed into one result row that numpy splits (see ``_read_sql``). A table of
the view's name in another layout is never changed: ``update``, ``teardown``, writes and reads stop with an
error naming it; ``migrate`` (``feast migrate``) converts tables of this project's earlier typed layout.

Connections come from a pool (``min_conn``..``max_conn``, pg/pool.py) made on first use: while the server is
down a call raises StoreUnavailableError naming host:port/database within seconds, and service resumes by
itself when it is back, so no new store is needed.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import errors as pg_errors

from .. import types
from ..config import PostgresOnlineStoreConfig
from ..definitions import FeatureView, Field
from ..errors import EntityDataError, FeatureReferenceError, OnlineDataError, StoreUnavailableError
from ..pg import binary
from ..pg.arrow import copy_binary_rows
from ..pg.connection import endpoint_from_config, quote_ident
from ..pg.pool import Pool
from ..pg.prepared import Statement
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

_STAGE = "feast_core_stage"
SMALL_READ = 48  # rows; a read of up to this many is unpacked in plain Python
ANALYZE_AFTER_ROWS = 1000
ANALYZE_SAMPLE_TARGET = 10  # statistics target of the first ANALYZE (ANALYZE samples 300 x target rows)
MIGRATE_CHUNK_ROWS = 50_000
_TS_US = pa.timestamp("us", tz="UTC")
_STAGE_COLUMNS = ("entity_key", "feature_name", "value", "value_text", "event_ts", "created_ts")
_STAGE_TYPES = ("bytea", "text", "bytea", "text", "timestamptz", "timestamptz")

# format_type() names of this project's earlier typed layout, back to the declared types
_EARLIER_TYPES: dict[str, FeastType] = {}
for _t in (types.Bytes, types.String, types.Int32, types.Int64, types.Float32, types.Float64, types.Bool,
           types.UnixTimestamp):
    for _name, _feast in ((_t.postgres, _t), (_t.postgres + "[]", Array(_t))):
        _EARLIER_TYPES[_name.lower().replace("timestamptz", "timestamp with time zone")] = _feast


class _Table:
    def __init__(self, layout: str, columns: dict[str, str], primary_key: list[str]) -> None:
        self.layout, self.columns, self.primary_key = layout, columns, primary_key


class PostgresOnlineStore:
    """The OnlineStore protocol over PostgreSQL (see the module docstring)."""

    def __init__(self, config: PostgresOnlineStoreConfig, entity_key_version: int = 3) -> None:
        self.config = config
        self.endpoint = endpoint_from_config(config)
        self.schema = (config.db_schema or config.user).strip()
        self.entity_key_version = entity_key_version
        search_path = self.schema if self.schema == "public" else f"{self.schema},public"  # Feast's
        # Generic plans: a read's statement is prepared once per connection, but PostgreSQL would otherwise plan
        # it again at every execution (a custom plan for the given keys looks cheaper to it than the generic
        # plan, which assumes 100 keys), and that planning cost more than the lookups themselves.
        options = (f"{self.endpoint.kwargs().get('options', '')} -c search_path={search_path} "
                   "-c plan_cache_mode=force_generic_plan").strip()
        # autocommit: a read is one round trip, with no BEGIN/COMMIT around it
        self._pool = Pool(self.endpoint, config.min_conn, config.max_conn, f"feast-online-{self.endpoint.label}",
                          autocommit=True, options=options)
        self._serializers: dict[tuple, encoding.EntityKeySerializer] = {}
        self._read_plans: dict[tuple, _ReadPlan] = {}
        self._read_statements: dict[tuple, Statement] = {}
        self._ready: set[str] = set()  # tables known to be in Feast's layout
        self._analyzed: set[str] = set()  # tables whose statistics exist (see write)
        self._filled: set[str] = set()  # tables written to (so not empty, unless someone emptied them since)

    @property
    def label(self) -> str:
        return f"postgres online store {self.endpoint.label}"

    # ---- connections ------------------------------------------------------------------------

    def _run(self, work: Callable[[psycopg.Connection], object], what: str, transaction: bool = True):
        """Run ``work`` on a pooled connection (see pg/pool.py: fast 503s while the server is down, healing after)."""
        return self._pool.run(work, what, transaction)

    def close(self) -> None:
        self._pool.close()

    def _forget(self) -> None:
        self._ready.clear()
        self._analyzed.clear()
        self._filled.clear()

    # ---- layouts ----------------------------------------------------------------------------

    def _qualified(self, table: str) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(table)}"

    def _inspect(self, cur, table: str) -> _Table:
        cur.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
            "coalesce((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) WHERE k.attnum = a.attnum), 0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
            "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p') ORDER BY a.attnum",
            (self.schema, table),
        )
        rows = cur.fetchall()
        if not rows:
            return _Table(MISSING, {}, [])
        columns = {name: kind for name, kind, _ in rows}
        primary_key = [name for name, _, position in sorted((r for r in rows if r[2]), key=lambda r: r[2])]
        if is_feast_layout(set(columns), primary_key):
            return _Table(FEAST_LAYOUT, columns, primary_key)
        earlier = (
            columns.get("event_ts") == "timestamp with time zone" and "created_ts" in columns and primary_key
            and "entity_key" not in columns and all(kind in _EARLIER_TYPES for name, kind in columns.items()
                                                    if name not in ("event_ts", "created_ts", "__dummy_key"))
        )
        return _Table(EARLIER_LAYOUT if earlier else OTHER_LAYOUT, columns, primary_key)

    def _refuse(self, table: str, found: _Table) -> OnlineDataError:
        return OnlineDataError(layout_refusal(self.label, f"{self.schema}.{table}", found.layout, list(found.columns)))

    def _ensure_schema(self, cur) -> None:
        cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,))
        if cur.fetchone() is None:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(self.schema)} AUTHORIZATION {quote_ident(self.config.user)}")

    def _create(self, cur, table: str, view_has_strings: bool) -> None:
        qualified = self._qualified(table)
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {qualified} (entity_key BYTEA, feature_name TEXT, value BYTEA, "
            "value_text TEXT NULL, vector_value BYTEA NULL, event_ts TIMESTAMPTZ, created_ts TIMESTAMPTZ, "
            "PRIMARY KEY(entity_key, feature_name))"
        )
        cur.execute(f"CREATE INDEX IF NOT EXISTS {quote_ident(table + '_ek')} ON {qualified} (entity_key)")
        if view_has_strings:
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {quote_ident(table + '_fts_idx')} ON {qualified} "
                "USING GIN (to_tsvector('english', value_text))"
            )

    def _prepare(self, cur, project: str, view: FeatureView) -> _Table:
        """Check (and create when missing) one view's table, under a lock on its name. Raises for a table in
        another layout."""
        table = table_name(project, view)
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self.schema}.{table}",))
        found = self._inspect(cur, table)
        if found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
            raise self._refuse(table, found)
        if found.layout == MISSING or "value_text" not in found.columns:
            self._ensure_schema(cur)
            if found.layout == FEAST_LAYOUT:
                cur.execute(f"ALTER TABLE {self._qualified(table)} ADD COLUMN IF NOT EXISTS value_text TEXT NULL")
            self._create(cur, table, any(f.dtype is types.String for f in view.features))
            found = self._inspect(cur, table)
        return found

    def check(self, project: str, views: list[FeatureView]) -> None:
        if not views:
            return

        def work(conn) -> None:
            cur = conn.cursor()
            for view in views:
                table = table_name(project, view)
                found = self._inspect(cur, table)
                if found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
                    raise self._refuse(table, found)

        self._run(work, f"checking tables of project {project!r}")

    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        for view in keep:
            self._serializer(view)

        def work(conn) -> None:
            cur = conn.cursor()
            found = {}
            for view in [*keep, *delete]:
                table = table_name(project, view)
                found[table] = self._inspect(cur, table)
                if found[table].layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
                    raise self._refuse(table, found[table])
            self._ensure_schema(cur)
            for view in keep:
                self._prepare(cur, project, view)
            for view in delete:
                if found[table_name(project, view)].layout == FEAST_LAYOUT:
                    cur.execute(f"DROP TABLE IF EXISTS {self._qualified(table_name(project, view))}")

        self._run(work, f"updating tables of project {project!r}")
        self._forget()

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        def work(conn) -> None:
            cur = conn.cursor()
            found = {table_name(project, v): self._inspect(cur, table_name(project, v)) for v in views}
            for table, table_found in found.items():
                if table_found.layout in (EARLIER_LAYOUT, OTHER_LAYOUT):
                    raise self._refuse(table, table_found)
            for table, table_found in found.items():
                if table_found.layout == FEAST_LAYOUT:
                    cur.execute(f"DROP TABLE IF EXISTS {self._qualified(table)}")

        self._run(work, f"tearing down project {project!r}")
        self._forget()

    def _serializer(self, view: FeatureView) -> encoding.EntityKeySerializer:
        key = (view.name, tuple((f.name, f.dtype.name) for f in view.entity_columns))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = encoding.EntityKeySerializer(
                view.name, view.join_keys, [f.dtype for f in view.entity_columns], self.entity_key_version
            )
            self._serializers[key] = serializer
        return serializer

    # ---- write ------------------------------------------------------------------------------

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        if batch.num_rows == 0:
            return 0
        rows = newest_per_row(long_table(view.name, self._serializer(view), view.join_keys, view.features, batch))
        table = table_name(project, view)
        qualified = self._qualified(table)
        data = copy_binary_rows(rows, _STAGE_TYPES)
        columns = ", ".join(_STAGE_COLUMNS)

        def copy_in(cur, target: str) -> None:
            with cur.copy(f"COPY {target} ({columns}) FROM STDIN WITH (FORMAT binary)") as copy:
                view_bytes = memoryview(data)
                for start in range(0, len(data), 1 << 20):
                    copy.write(view_bytes[start:start + (1 << 20)])

        def work(conn) -> None:
            cur = conn.cursor()
            if table not in self._ready:
                self._prepare(cur, project, view)
            if table not in self._filled and cur.execute(f"SELECT NOT EXISTS (SELECT FROM {qualified})").fetchone()[0]:
                # An empty table (a view's first materialization): the rows go straight in, without an upsert
                # per row, which costs twice the insert. A writer that filled the table meanwhile makes the
                # copy fail on the primary key (after waiting for it to commit): then upsert as usual.
                try:
                    with conn.transaction():
                        copy_in(cur, qualified)
                except pg_errors.UniqueViolation:
                    pass
                else:
                    self._analyze_once(cur, qualified, rows.num_rows)
                    return
            cur.execute(
                f"CREATE TEMP TABLE {_STAGE} (entity_key bytea, feature_name text, value bytea, value_text text, "
                "event_ts timestamptz, created_ts timestamptz) ON COMMIT DROP"
            )
            copy_in(cur, _STAGE)
            cur.execute(_upsert_sql(qualified))
            self._analyze_once(cur, qualified, cur.rowcount)

        try:
            self._run(work, f"writing {table}")
        except (pg_errors.UndefinedTable, pg_errors.UndefinedColumn, pg_errors.InvalidSchemaName):
            self._ready.discard(table)  # dropped by another process since: check and create, then once more
            self._run(work, f"writing {table}")
        except (pg_errors.DataError, pg_errors.IntegrityError) as error:
            raise EntityDataError(
                f"feature view {view.name!r}: rows cannot be written to {table}: {self.endpoint.message(error)}"
            ) from None
        self._ready.add(table)
        self._filled.add(table)
        return batch.num_rows

    def _analyze_once(self, cur, qualified: str, rows: int) -> None:
        """A table filled by its first materialization has no statistics until autovacuum comes by (up to a
        minute or more): meanwhile reads of N keys may plan a sequential scan. Gather those of the columns that
        reads look up by, once per table and process, from a small sample (ANALYZE_SAMPLE_TARGET: 3,000 rows
        instead of 30,000): the plan of a key lookup needs the table's size and the keys' number of distinct
        values, which a small sample estimates as well (a tenth of the time on the medium bench: 40,000 rows,
        0.02 instead of 0.15 s); autovacuum's own ANALYZE later replaces them with full statistics."""
        if rows >= ANALYZE_AFTER_ROWS and qualified not in self._analyzed:
            never = cur.execute("SELECT reltuples < 0 FROM pg_class WHERE oid = %s::regclass", (qualified,)).fetchone()[0]
            if never:
                cur.execute(f"SET LOCAL default_statistics_target = {ANALYZE_SAMPLE_TARGET}")  # this transaction's
                cur.execute(f"ANALYZE {qualified} (entity_key, feature_name)")
            self._analyzed.add(qualified)

    # ---- read -------------------------------------------------------------------------------

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        n = len(keys)
        if n == 0:
            return OnlineRead({f: [] for f in features}, {f: [] for f in features})
        plan = self._read_plan(view, features)
        encoded = binary.array(self._serializer(view).serialize_many(keys), binary.BYTEA_OID)
        table = table_name(project, view)
        statement = self._read_statements.get((table, plan.every))
        if statement is None:
            statement = self._read_statements[(table, plan.every)] = Statement(
                _read_sql(self._qualified(table), plan.every),
                [binary.BYTEA_ARRAY_OID] if plan.every else [binary.BYTEA_ARRAY_OID, binary.TEXT_ARRAY_OID])

        def work(conn):
            client_encoding = conn.info.encoding
            params = [encoded] if plan.every else [encoded, plan.names_array(client_encoding)]
            result = statement.run(conn, params)
            return [result.get_value(0, j) for j in range(5)], client_encoding

        try:
            row, client_encoding = self._run(work, f"reading {table}", transaction=False)
        except (pg_errors.UndefinedTable, pg_errors.InvalidSchemaName):
            empty = [None] * n  # never applied: nothing written
            return OnlineRead({f: empty for f in features}, {f: empty for f in features})
        except pg_errors.UndefinedColumn:
            raise self._refuse(table, self._run(lambda c: self._inspect(c.cursor(), table), "inspecting")) from None
        return plan.unpack(row, n, client_encoding)

    def _read_plan(self, view: FeatureView, features: list[str]) -> _ReadPlan:
        cache_key = (view.name, tuple(features), tuple((f.name, f.dtype.name) for f in view.features))
        plan = self._read_plans.get(cache_key)
        if plan is None:
            by_name = {f.name: f for f in view.features}
            unknown = [f for f in features if f not in by_name]
            if unknown:
                raise FeatureReferenceError(
                    f"feature view {view.name!r} has no feature(s) {unknown}; it has {sorted(by_name)}"
                )
            plan = self._read_plans[cache_key] = _ReadPlan(view, features)
        return plan

    # ---- migrate ----------------------------------------------------------------------------

    def migrate(self, project: str, views: list[FeatureView], dry_run: bool = False) -> list[MigrationStep]:
        def inspect(conn) -> list[MigrationStep]:
            cur = conn.cursor()
            steps = []
            for view in views:
                table = table_name(project, view)
                found = self._inspect(cur, table)
                step = MigrationStep(f"{self.schema}.{table}", found.layout)
                if found.layout == OTHER_LAYOUT:
                    step.detail = layout_refusal(self.label, step.table, found.layout, list(found.columns))
                elif found.layout == EARLIER_LAYOUT:
                    step.rows = cur.execute(f"SELECT count(*) FROM {self._qualified(table)}").fetchone()[0]
                steps.append((step, view, found))
            return steps

        planned = self._run(inspect, "inspecting tables to migrate")
        if dry_run or not any(step.layout == EARLIER_LAYOUT for step, _, _ in planned):
            return [step for step, _, _ in planned]

        def work(conn) -> None:
            cur = conn.cursor()
            for step, view, found in planned:
                if step.layout == EARLIER_LAYOUT:
                    self._migrate_table(cur, table_name(project, view), found)
                    step.done = True

        self._run(work, "migrating to Feast's layout")
        self._forget()
        return [step for step, _, _ in planned]

    def _migrate_table(self, cur, table: str, found: _Table) -> None:
        """Copy one earlier-layout table into a new Feast-layout table and put it in the old one's place
        (inside the caller's transaction: all or nothing)."""
        keys = [k for k in found.primary_key if k != "__dummy_key"]
        key_types = [_EARLIER_TYPES[found.columns[k]] for k in keys]
        features = [Field(name=name, dtype=_EARLIER_TYPES[kind]) for name, kind in found.columns.items()
                    if name not in keys and name not in ("event_ts", "created_ts", "__dummy_key")]
        serializer = encoding.EntityKeySerializer(table, keys, key_types, self.entity_key_version)
        target = table + "__feast_migrating"
        cur.execute(f"DROP TABLE IF EXISTS {self._qualified(target)}")
        cur.execute(
            f"CREATE TABLE {self._qualified(target)} (entity_key BYTEA, feature_name TEXT, value BYTEA, "
            "value_text TEXT NULL, vector_value BYTEA NULL, event_ts TIMESTAMPTZ, created_ts TIMESTAMPTZ, "
            "PRIMARY KEY(entity_key, feature_name))"
        )
        selected = [*keys, *(f.name for f in features), "event_ts", "created_ts"]
        arrow_types = [t.arrow for t in key_types] + [f.dtype.arrow for f in features] + [_TS_US, _TS_US]
        names = [*keys, *(f.name for f in features), EVENT_TS, CREATED_TS]
        reader = cur.connection.cursor(name="feast_core_migrate")  # server-side: fetched in chunks
        reader.execute(f"SELECT {', '.join(quote_ident(c) for c in selected)} FROM {self._qualified(table)}")
        while True:
            chunk = reader.fetchmany(MIGRATE_CHUNK_ROWS)
            if not chunk:
                break
            columns = list(zip(*chunk))
            batch = pa.table([pa.array(list(c), t) for c, t in zip(columns, arrow_types)], names=names)
            rows = long_table(table, serializer, keys, features, batch)
            with cur.copy(f"COPY {self._qualified(target)} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN WITH (FORMAT binary)") as copy:
                copy.write(copy_binary_rows(rows, _STAGE_TYPES))
        reader.close()
        cur.execute(f"DROP TABLE {self._qualified(table)}")
        cur.execute(f"ALTER TABLE {self._qualified(target)} RENAME TO {quote_ident(table)}")
        cur.execute(f"ALTER INDEX IF EXISTS {quote_ident(self.schema)}.{quote_ident(target + '_pkey')} "
                    f"RENAME TO {quote_ident(table + '_pkey')}")
        self._create(cur, table, any(f.dtype is types.String for f in features))


def _read_sql(qualified: str, every: bool) -> str:
    """One statement per view read, planned once per connection: the keys arrive as one ``bytea[]`` and each is
    looked up through the entity_key index; the matching rows come back packed into one result row, each column
    one ``bytea`` of the rows' items back to back (``string_agg`` keeps the rows' order in every column): the
    key's position in the request (int4), the feature name (text, NUL between names: no text holds a NUL),
    the value (its length is the next column; a NULL value has length 0, read as null) and the event time
    (``timestamptz_send``: microseconds since 2000; a NULL as -infinity). Returning 4 x N rows costs PostgreSQL
    and psycopg more than the lookups themselves; five values are parsed with numpy."""
    return (
        "SELECT string_agg(int4send(k.i::int4), ''::bytea), string_agg(textsend(t.feature_name), '\\x00'::bytea), "
        "string_agg(t.value, ''::bytea), string_agg(int4send(coalesce(length(t.value), 0)), ''::bytea), "
        "string_agg(timestamptz_send(coalesce(t.event_ts, '-infinity')), ''::bytea) "
        "FROM unnest($1::bytea[]) WITH ORDINALITY AS k(entity_key, i) "
        f"JOIN {qualified} AS t ON t.entity_key = k.entity_key"
        + ("" if every else " AND t.feature_name = ANY($2::text[])")
    )


class _ReadPlan:
    """How to read some features of one view: their decoders, and how to unpack a packed result row."""

    def __init__(self, view: FeatureView, features: list[str]) -> None:
        by_name = {f.name: f for f in view.features}
        self.features = list(dict.fromkeys(features))  # each once, in request order
        self.decoders = [encoding.column_decoder(by_name[f].dtype, f) for f in self.features]
        self.gatherers = [encoding.gathered_decoder(by_name[f].dtype) for f in self.features]
        self.every = set(self.features) == set(by_name)  # no need to filter rows by feature name
        self.wanted = sorted(self.features)
        self._indexes: dict[str, dict[bytes, int]] = {}
        self._names_arrays: dict[str, bytes] = {}

    def names_array(self, client_encoding: str) -> bytes:
        """The wanted feature names as a binary ``text[]`` parameter."""
        names = self._names_arrays.get(client_encoding)
        if names is None:
            names = self._names_arrays[client_encoding] = binary.array(
                [f.encode(client_encoding) for f in self.wanted], binary.TEXT_OID)
        return names

    def _index(self, client_encoding: str) -> dict[bytes, int]:
        index = self._indexes.get(client_encoding)
        if index is None:
            index = self._indexes[client_encoding] = {f.encode(client_encoding): j for j, f in enumerate(self.features)}
        return index

    def unpack(self, row: tuple, n: int, client_encoding: str) -> OnlineRead:
        """The values and event times of n keys from the packed row (see _read_sql)."""
        positions, names, data, lengths, times = row
        if positions is None:  # no key has a row
            empty = [None] * n
            return OnlineRead({f: empty for f in self.features}, {f: empty for f in self.features})
        data = data or b""
        m = len(positions) // 4
        if len(lengths) != 4 * m or len(times) != 8 * m:
            raise _malformed(f"{m} positions, {len(lengths) / 4:g} lengths, {len(times) / 8:g} times")
        index = self._index(client_encoding)
        if m <= SMALL_READ:
            return self._unpack_small(n, m, struct.unpack(f">{m}i", positions), names.split(b"\x00"), data,
                                      struct.unpack(f">{m}i", lengths), struct.unpack(f">{m}q", times), index)
        lengths = binary.int4s(lengths)
        micros = binary.timestamps_us(times)
        if int(lengths.sum()) != len(data):
            raise _malformed(f"{len(data)} value bytes, {int(lengths.sum())} counted")
        starts = np.cumsum(lengths) - lengths
        width = len(self.features)
        values, stamps = {}, {}
        # Usually each key has one row per feature, in the same order for every key: every width-th row is one
        # feature's, key by key. Checked on the bytes as they came (names as sent, positions 1 1 1 2 2 2 ...).
        pattern = names.split(b"\x00", width)[:width]
        if (m == n * width and positions == _stride_positions(n, width) and len(set(pattern)) == width
                and all(name in index for name in pattern) and names == b"\x00".join(pattern * n)
                and int(micros.min()) != binary.NEGATIVE_INFINITY):
            at = {index[name]: i for i, name in enumerate(pattern)}
            buffer = np.frombuffer(data, dtype=np.uint8)
            complete = []
            for j, (feature, decode, gather) in enumerate(zip(self.features, self.decoders, self.gatherers)):
                rows = slice(at[j], None, width)
                column = None if gather is None else gather(buffer, starts[rows], lengths[rows])
                if column is None:
                    column = _decode(decode, data, starts[rows], lengths[rows])
                else:
                    complete.append(feature)  # a value at every key, none null
                values[feature] = column
                stamps[feature] = micros[rows].tolist()
            return OnlineRead(stamps, values, frozenset(complete))
        names = names.split(b"\x00")
        if len(names) != m:
            raise _malformed(f"{m} positions, {len(names)} names")
        positions = binary.int4s(positions) - 1
        which = np.fromiter((index.get(name, -1) for name in names), dtype=np.int64, count=m)
        timed = int(micros.min()) != binary.NEGATIVE_INFINITY  # every row has an event time
        for j, (feature, decode) in enumerate(zip(self.features, self.decoders)):
            rows = np.flatnonzero(which == j)
            if len(rows) == n and timed and bool((positions[rows] == np.arange(n)).all()):  # row r: key r
                gather = self.gatherers[j]
                column = None if gather is None else gather(np.frombuffer(data, dtype=np.uint8), starts[rows],
                                                            lengths[rows])
                values[feature] = _decode(decode, data, starts[rows], lengths[rows]) if column is None else column
                stamps[feature] = micros[rows].tolist()
                continue
            blobs, times_j = [None] * n, [None] * n  # keys without a row stay None: not found
            for r, key in zip(rows.tolist(), positions[rows].tolist()):
                start = int(starts[r])
                blobs[key] = data[start:start + int(lengths[r])]
                stamp = int(micros[r])
                times_j[key] = None if stamp == binary.NEGATIVE_INFINITY else stamp
            values[feature], stamps[feature] = decode(blobs), times_j
        return OnlineRead(stamps, values)

    def _unpack_small(self, n: int, m: int, positions: tuple, names: list, data: bytes, lengths: tuple,
                      times: tuple, index: dict) -> OnlineRead:
        """unpack for a few rows, in plain Python (numpy's cost per call is more than the work here)."""
        if sum(lengths) != len(data) or len(names) != m:
            raise _malformed(f"{m} positions, {len(names)} names, {len(data)} value bytes, {sum(lengths)} counted")
        width = len(self.features)
        blobs = [[None] * n for _ in range(width)]
        stamps = [[None] * n for _ in range(width)]
        end = 0
        for r in range(m):
            start, end = end, end + lengths[r]
            j = index.get(names[r])
            if j is not None:
                key = positions[r] - 1
                blobs[j][key] = data[start:end]
                stamp = times[r]
                stamps[j][key] = (None if stamp == binary.NEGATIVE_INFINITY
                                  else stamp if stamp == binary.POSITIVE_INFINITY else stamp + binary.Y2K_US)
        return OnlineRead(dict(zip(self.features, stamps)),
                          {f: decode(b) for f, decode, b in zip(self.features, self.decoders, blobs)})


def _decode(decode, data: bytes, starts: np.ndarray, lengths: np.ndarray) -> list:
    """One feature's values, the i-th at data[starts[i]:starts[i] + lengths[i]], by its column decoder."""
    return decode([data[s:s + k] for s, k in zip(starts.tolist(), lengths.tolist())])


def _malformed(detail: str) -> OnlineDataError:
    return OnlineDataError(f"PostgreSQL returned a malformed packed read ({detail})")


@functools.lru_cache(maxsize=64)
def _stride_positions(n: int, width: int) -> bytes:
    """The key positions of a read whose every key has width rows, as sent: 1 (width times), 2, ..., n."""
    return np.repeat(np.arange(1, n + 1, dtype=">i4"), width).tobytes()


def _upsert_sql(qualified: str) -> str:
    """The staged rows (one per entity and feature: see newest_per_row) into the table, each replacing the
    stored row only when newer."""
    return (
        f"INSERT INTO {qualified} AS t (entity_key, feature_name, value, value_text, event_ts, created_ts) "
        f"SELECT entity_key, feature_name, value, value_text, event_ts, created_ts FROM {_STAGE} "
        "ON CONFLICT (entity_key, feature_name) DO UPDATE SET value = excluded.value, value_text = excluded.value_text, "
        "vector_value = NULL, event_ts = excluded.event_ts, created_ts = excluded.created_ts "
        "WHERE excluded.event_ts > t.event_ts OR (excluded.event_ts = t.event_ts AND "
        "coalesce(excluded.created_ts, '-infinity') >= coalesce(t.created_ts, '-infinity'))"
    )


def newest_per_row(rows: pa.Table) -> pa.Table:
    """Feast's rows (long_table) in primary-key order, one per (entity_key, feature_name): the one with the
    latest event time, then the latest created time (a null created time counts as the earliest). One
    statement may not upsert a row twice, and rows in key order fill the indexes page by page."""
    if rows.num_rows < 2:
        return rows
    # nulls sort last (Arrow's default), so a null created time counts as the earliest
    order = pc.sort_indices(rows, sort_keys=[("entity_key", "ascending"), ("feature_name", "ascending"),
                                             ("event_ts", "descending"), ("created_ts", "descending")])
    rows = rows.take(order)
    keys, names = rows.column("entity_key"), rows.column("feature_name")
    same = pc.and_(pc.equal(keys.slice(1), keys.slice(0, rows.num_rows - 1)),
                   pc.equal(names.slice(1), names.slice(0, rows.num_rows - 1)))
    if not pc.any(same).as_py():
        return rows
    return rows.filter(pa.concat_arrays([pa.array([True]), pc.invert(same).combine_chunks()]))


def _timestamps(batch: pa.Table, name: str, view: str, required: bool) -> pa.Array:
    column = write_batch_times(batch, name, view, required)
    if pa.types.is_date(column.type):
        column = column.cast(pa.timestamp("s", tz="UTC"))
    return pc.cast(column, pa.timestamp("us", tz=column.type.tz or "UTC"), safe=False).cast(_TS_US)


def long_table(view: str, serializer: encoding.EntityKeySerializer, join_keys: list[str], features: list,
               batch: pa.Table) -> pa.Table:
    """A write batch as Feast's rows, one per entity and feature present in the batch (Arrow columns)."""
    names = set(batch.column_names)
    n = batch.num_rows
    entity_keys = write_batch_keys(view, serializer, join_keys, batch)
    event = _timestamps(batch, EVENT_TS, view, required=True)
    created = _timestamps(batch, CREATED_TS, view, required=False) if CREATED_TS in names else pa.nulls(n, _TS_US)
    present = [f for f in features if f.name in names]
    parts = []
    for feature in present:
        column = batch.column(feature.name)
        what = f"feature view {view!r}: column {feature.name!r}"
        parts.append(pa.table({
            "entity_key": entity_keys,
            "feature_name": pa.repeat(pa.scalar(feature.name), n),
            "value": encoding.encode_column(feature.dtype, column, what),
            "value_text": encoding.text_column(feature.dtype, column),
            "event_ts": event,
            "created_ts": created,
        }))
    if not parts:
        return pa.table({c: pa.array([], t) for c, t in zip(
            _STAGE_COLUMNS, (pa.binary(), pa.string(), pa.binary(), pa.string(), _TS_US, _TS_US))})
    return pa.concat_tables(parts)


__all__ = ["PostgresOnlineStore", "StoreUnavailableError", "long_table"]
