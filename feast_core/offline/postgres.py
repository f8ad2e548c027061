"""The PostgreSQL offline store (``offline_store: type: postgres``): the point-in-time join runs in the server.

Entity rows (only the join keys and the timestamp, with a row id, sorted by keys and time) go into a
temporary table with binary COPY; a SQL string entity_df becomes a temporary table numbered in the order
the query returns its rows. Each entity row takes its match for each view with a ``LEFT JOIN LATERAL``
probe: T - ttl <= ts <= T both inclusive, no lower bound when ttl is 0, ties to the greatest created
time, NULLs where nothing matches.

Where the probe goes: when the source is a table with a btree index on (join keys, timestamp), the probe
reads the table through that index and nothing is copied (ties on time are sorted by created time among
that time's rows only: an Incremental Sort). Otherwise the source rows
that can match (keys present in the entity rows, event time within [min T - ttl, max T]) are staged in a
temporary table indexed on (keys, ts DESC, created DESC). Measured on the medium bench workload (1M rows,
100k entity rows): direct probes about 0.5 s, staging + index + probes about 2 s; a single window pass
over entity and source rows sorted together was slower than either (the sort of 1.1M rows alone ~1.5 s).
The result leaves the server as one binary array per column when every output column is fixed-width
(numbers, bools, timestamps: numpy reads them, rows put back in order by their row ids), else as ``COPY
... TO STDOUT`` text in row-id order parsed by Arrow (see pg/arrow.py). A DataFrame's own columns never
make the round trip, so they keep their exact types.

``pull_latest`` (materialization) uses the same index when there is one: a recursive skip scan visits
each distinct key once and probes its latest row in the window (10M rows, 100k keys: about 4 s in all,
instead of sorting every row); otherwise a ``DISTINCT ON (keys) ... ORDER BY keys, ts DESC, created DESC``.
Either is streamed with COPY in batches of at most ``chunk_rows``. ``write`` appends with COPY in one transaction.

Each call opens its own connection (search_path set to ``db_schema``), so a server restart never leaves a
stale connection behind. Bad sources (missing table, query syntax error) raise DataSourceError naming the
source with PostgreSQL's message; an unreachable server raises StoreUnavailableError naming
host:port/database, never the password.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from .. import types
from ..config import PostgresOfflineStoreConfig
from ..definitions import DataSource, PostgreSQLSource
from ..errors import DataSourceError, DataSourceNotFoundException, EntityDataError
from ..pg.arrow import (
    copy_in,
    copy_out_batches,
    copy_out_table,
    feast_type_of_oid,
    fetch_fixed_width_columns,
    pg_type_name_of_oid,
    select_expression,
)
from ..pg.connection import endpoint_from_config, quote_ident
from ..types import FeastType
from .base import ENTITY_ROW_ID, PullQuery, ViewQuery, check_output_names, entity_table

log = logging.getLogger(__name__)

ENTITY_TABLE = "feast_core_entity_rows"
ENTITY_TS = "__feast_entity_ts"
# Above this many entity rows, results leave by COPY: one array value must stay under PostgreSQL's 1 GB.
MAX_ARRAY_ROWS = 20_000_000


def _q(name: str) -> str:
    return quote_ident(name)


def _ts_literal(moment: datetime) -> str:
    return f"'{moment.isoformat()}'::timestamptz"


class PostgresOfflineStore:
    """The OfflineStore protocol over PostgreSQL (see the module docstring)."""

    pulls_in_order = True

    def __init__(self, config: PostgresOfflineStoreConfig) -> None:
        self.config = config
        self.endpoint = endpoint_from_config(config)
        self.schema = config.db_schema or "public"

    # ---- connections and errors ----------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self, what: str):
        conn = self.endpoint.connect()
        try:
            if self.schema != "public":
                conn.execute(f"SET search_path TO {_q(self.schema)}, public")
            yield conn
            conn.commit()
        except psycopg.OperationalError as error:
            if isinstance(error, (psycopg.errors.QueryCanceled,)) or conn.broken or conn.closed:
                raise self.endpoint.unavailable(error, what) from None
            raise
        finally:
            conn.close()

    def _source_error(self, source: DataSource, error: psycopg.Error) -> DataSourceError:
        if isinstance(error, psycopg.errors.UndefinedTable) and isinstance(source, PostgreSQLSource) and source.table:
            return DataSourceNotFoundException(source.table, source.name, f"table {source.table} does not exist")
        return DataSourceError(f"data source {source.name!r} ({self._describe(source)}): {self.endpoint.message(error)}")

    @staticmethod
    def _describe(source: DataSource) -> str:
        if isinstance(source, PostgreSQLSource):
            return f"table {source.table}" if source.table else "query"
        return f"{source.type} source"

    @staticmethod
    def _relation(source: DataSource) -> str:
        if not isinstance(source, PostgreSQLSource):
            raise DataSourceError(
                f"data source {source.name!r} is a {type(source).__name__}; the postgres offline store reads "
                "PostgreSQLSource (table= or query=)"
            )
        return source.table if source.table else f"({source.query.strip().rstrip(';')})"

    def _describe_columns(self, cursor, source: DataSource) -> list[tuple[str, int]]:
        try:
            cursor.execute(f"SELECT * FROM {self._relation(source)} AS s LIMIT 0")
        except psycopg.errors.OperationalError:
            raise
        except psycopg.Error as error:
            raise self._source_error(source, error) from None
        return [(column.name, column.type_code) for column in cursor.description]

    def _column_types(self, cursor, source: DataSource) -> dict[str, FeastType]:
        return {name: feast_type_of_oid(oid) or types.String for name, oid in self._describe_columns(cursor, source)}

    def source_schema(self, source: DataSource) -> pa.Schema:
        with self._connection(f"reading data source {source.name!r}") as conn:
            columns = self._describe_columns(conn.cursor(), source)
        fields = []
        for name, oid in columns:
            feast_type = feast_type_of_oid(oid)
            if feast_type is None:
                raise DataSourceError(
                    f"data source {source.name!r}: column {name!r} has PostgreSQL type {pg_type_name_of_oid(oid)}, "
                    "which has no feast type; cast it in a query= source"
                )
            fields.append(pa.field(name, feast_type.arrow))
        return pa.schema(fields)

    # ---- historical retrieval --------------------------------------------------------------------

    def get_historical_features(
        self, entity_df: pd.DataFrame | str, timestamp_column: str | None, views: list[ViewQuery]
    ) -> pa.Table:
        names = ", ".join(repr(v.name) for v in views) or "no feature views"
        with self._connection(f"retrieving historical features of {names}") as conn:
            cursor = conn.cursor()
            # JIT compiling the probe query costs more than it saves (and more than the join, for small ones);
            # the staged copy's index sorts in memory. enable_sort off: a probe through a (keys, timestamp)
            # index that also orders by created time then reads the latest time's rows (usually one) with an
            # Incremental Sort instead of fully sorting the window per row: a third less time on the large
            # bench. Plan choice only; where a sort is the only way, PostgreSQL still sorts.
            cursor.execute("SET LOCAL jit = off; SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL enable_sort = off")
            if isinstance(entity_df, str):
                entity_columns, ts_sql = self._load_entity_query(cursor, entity_df)
                entities = None
            elif isinstance(entity_df, pd.DataFrame):
                entities = entity_table(entity_df, timestamp_column)
                entity_columns = {n: None for n in entities.schema.names}
                ts_sql = f"e.{ENTITY_TS}"
            else:
                raise EntityDataError(f"entity_df must be a pandas DataFrame or a SQL string, not {type(entity_df).__name__}")
            check_output_names(list(entity_columns), views)
            for view in views:
                missing = [c for c in view.entity_columns if c not in entity_columns]
                if missing:
                    raise EntityDataError(f"feature view {view.name!r} needs entity_df column(s) {missing}")
            if entities is not None:
                if entities.num_rows == 0 or not views:
                    return self._with_empty_features(cursor, entities, views)
                self._load_entity_frame(cursor, entities, timestamp_column, views)
            cursor.execute(f"ANALYZE {ENTITY_TABLE}")
            cursor.execute(f"SELECT min({ts_sql}), max({ts_sql}), count(*) FROM {ENTITY_TABLE} AS e")
            low, high, n_rows = cursor.fetchone()
            parts, selected, out_names, out_types = [], [], [], []
            if entities is None:
                for name, feast_type in entity_columns.items():
                    selected.append(select_expression(f"e.{_q(name)}", feast_type))
                    out_names.append(name)
                    out_types.append(feast_type)
            for index, view in enumerate(views):
                source_types = self._column_types(cursor, view.source)
                missing = [c for c in (*view.join_keys, view.timestamp_field, *(s for s, _ in view.features))
                           if c not in source_types]
                if view.created_timestamp_column and view.created_timestamp_column not in source_types:
                    missing.append(view.created_timestamp_column)
                if missing:
                    raise DataSourceError(
                        f"data source {view.source.name!r} of feature view {view.name!r} lacks column(s) {missing}; "
                        f"it has {list(source_types)}"
                    )
                parts.append(self._view_join(cursor, index, view, ts_sql, low, high))
                for f, (src, output) in enumerate(view.features):
                    selected.append(select_expression(f"v{index}.__f{f}", source_types[src]))
                    out_names.append(output)
                    out_types.append(source_types[src])
            if not selected:
                selected = ["e.__feast_row_id"]
            joined = f"{ENTITY_TABLE} AS e " + " ".join(parts)
            try:
                features = None
                if out_names and n_rows <= MAX_ARRAY_ROWS:  # fixed-width columns as binary arrays; else COPY text
                    features = fetch_fixed_width_columns(cursor, joined, "e.__feast_row_id", selected, out_names, out_types)
                if out_names and features is None:
                    sql = f"SELECT {', '.join(selected)} FROM {joined} ORDER BY e.__feast_row_id"
                    features = copy_out_table(cursor, sql, out_names, out_types)
            except psycopg.errors.OperationalError:
                raise
            except psycopg.Error as error:
                raise DataSourceError(f"point-in-time join for feature view(s) {names} failed: "
                                      f"{self.endpoint.message(error)}") from None
        if entities is None:
            return features
        for name, column in zip(features.schema.names, features.columns):
            entities = entities.append_column(name, column)
        return entities

    def _with_empty_features(self, cursor, entities: pa.Table, views: list[ViewQuery]) -> pa.Table:
        for view in views:
            source_types = self._column_types(cursor, view.source)
            for src, output in view.features:
                feast_type = source_types.get(src, types.String)
                entities = entities.append_column(output, pa.nulls(entities.num_rows, feast_type.arrow))
        return entities

    def _load_entity_frame(self, cursor, entities: pa.Table, timestamp_column: str, views: list[ViewQuery]) -> None:
        needed = list(dict.fromkeys(c for v in views for c in v.entity_columns))
        columns = [("__feast_row_id", "int8")]
        arrays = [pa.array(range(entities.num_rows), pa.int64())]
        for name in needed:
            column = entities.column(name)
            try:
                feast_type = types.from_arrow(column.type)
            except ValueError:
                raise EntityDataError(f"entity_df column {name!r} holds {column.type} values, which cannot be a join key") from None
            columns.append((name, feast_type.postgres))
            arrays.append(column)
        columns.append((ENTITY_TS, "timestamptz"))
        arrays.append(entities.column(timestamp_column))
        cursor.execute(
            f"CREATE TEMP TABLE {ENTITY_TABLE} ({', '.join(f'{_q(n)} {t}' for n, t in columns)}) ON COMMIT DROP"
        )
        rows = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
        # Rows sorted by (keys, timestamp) make the per-row index probes walk each index in order.
        rows = rows.take(pc.sort_indices(rows, sort_keys=[(f"c{i}", "ascending") for i in range(1, len(arrays))]))
        try:
            copy_in(cursor, ENTITY_TABLE, [n for n, _ in columns], rows, pg_types=[t for _, t in columns])
        except psycopg.errors.DataError as error:
            raise EntityDataError(f"entity_df cannot be loaded: {self.endpoint.message(error)}") from None

    def _load_entity_query(self, cursor, query: str) -> tuple[dict[str, FeastType], str]:
        query = query.strip().rstrip(";")
        try:
            cursor.execute(
                f"CREATE TEMP TABLE {ENTITY_TABLE} ON COMMIT DROP AS "
                f"SELECT (row_number() OVER ())::int8 AS __feast_row_id, q.* FROM ({query}) AS q"
            )
            cursor.execute(f"SELECT * FROM {ENTITY_TABLE} LIMIT 0")
        except psycopg.errors.OperationalError:
            raise
        except psycopg.Error as error:
            raise EntityDataError(f"entity_df query failed: {self.endpoint.message(error)}") from None
        columns = {c.name: c.type_code for c in cursor.description[1:]}
        if "event_timestamp" in columns:
            ts_column = "event_timestamp"
        else:
            stamps = [n for n, oid in columns.items() if pg_type_name_of_oid(oid) in ("timestamptz", "timestamp")]
            if len(stamps) != 1:
                raise EntityDataError(
                    "entity_df query needs an 'event_timestamp' column (or exactly one timestamp column); "
                    f"it returns {list(columns)}"
                )
            ts_column = stamps[0]
        typed = {}
        for name, oid in columns.items():
            typed[name] = feast_type_of_oid(oid) or types.String
        return typed, f"e.{_q(ts_column)}::timestamptz"

    def _view_join(self, cursor, index: int, view: ViewQuery, ts_sql: str, low: datetime, high: datetime) -> str:
        """The join clause giving ``v{index}.__f*``: one ``LATERAL ... ORDER BY ts DESC, created DESC LIMIT 1``
        probe per entity row, against the source table itself when an index serves it, else against a staged,
        indexed copy of the rows that can match."""
        ttl = view.ttl_seconds if view.ttl_seconds and view.ttl_seconds > 0 else 0
        ekeys = [_q(c) for c in view.entity_columns]
        ts_type = self._probe_index_type(cursor, view)
        if ts_type is not None:  # probe the source table's own index: nothing is copied
            rel, key_cols, feat_cols = view.source.table, [_q(k) for k in view.join_keys], [_q(s) for s, _ in view.features]
            ts, created = _q(view.timestamp_field), view.created_timestamp_column
            cr = _q(created) if created else None
            entity_ts = f"({ts_sql})::{ts_type}"  # compare in the column's own type, so the index applies
        else:
            if isinstance(view.source, PostgreSQLSource) and view.source.table and view.join_keys:
                log.info("table %s has no btree index on (%s, %s): staging an indexed copy of its rows for the "
                         "point-in-time join; such an index makes the join read the table directly",
                         view.source.table, ", ".join(view.join_keys), view.timestamp_field)
            rel, key_cols, feat_cols = self._stage(cursor, index, view, low, high, ttl)
            ts, cr, entity_ts = "__ts", "__cr", ts_sql
        lower = f" AND st.{ts} >= {entity_ts} - interval '{ttl!r} seconds'" if ttl else ""
        match = "".join(f" AND st.{k} = e.{ek}" for k, ek in zip(key_cols, ekeys))
        feats = ", ".join(f"st.{c} AS __f{f}" for f, c in enumerate(feat_cols)) or "1 AS __none"
        order = f"st.{ts} DESC" + (f", st.{cr} DESC NULLS LAST" if cr else "")
        return (
            f"LEFT JOIN LATERAL (SELECT {feats} FROM {rel} AS st WHERE st.{ts} <= {entity_ts}{lower}{match} "
            f"ORDER BY {order} LIMIT 1) AS v{index} ON true"
        )

    def _probe_index_type(self, cursor, view: ViewQuery) -> str | None:
        found = self._key_time_index(cursor, view.source, view.join_keys, view.timestamp_field)
        return found[0] if found else None

    def _key_time_index(self, cursor, source: DataSource, join_keys, timestamp_field: str) -> tuple[str, list[str]] | None:
        """For a table source with a valid btree index whose leading columns are the join keys (any order)
        followed by the timestamp column: the timestamp column's type (``timestamptz`` or ``timestamp``) and
        the keys in index order; else None. Such an index answers a probe per key directly."""
        if not isinstance(source, PostgreSQLSource) or not source.table or not join_keys:
            return None
        cursor.execute(
            "SELECT (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) "
            "        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att), "
            "       format_type(t.atttypid, NULL) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "JOIN pg_attribute t ON t.attrelid = i.indrelid AND t.attname = %s "
            "WHERE i.indrelid = to_regclass(%s) AND am.amname = 'btree' AND i.indisvalid "
            "AND i.indpred IS NULL AND i.indexprs IS NULL",
            (timestamp_field, source.table),
        )
        n = len(join_keys)
        for columns, ts_type in cursor.fetchall():
            if ts_type not in ("timestamp with time zone", "timestamp without time zone"):
                return None
            if len(columns) > n and set(columns[:n]) == set(join_keys) and columns[n] == timestamp_field:
                return ("timestamptz" if ts_type == "timestamp with time zone" else "timestamp"), columns[:n]
        return None

    def _stage(self, cursor, index: int, view: ViewQuery, low: datetime, high: datetime, ttl: float):
        """Copy the source rows that can match into a temporary table indexed for the probes; returns the
        relation, its key columns and its feature columns."""
        ts, created = _q(view.timestamp_field), view.created_timestamp_column
        keys = [_q(k) for k in view.join_keys]
        ekeys = [_q(c) for c in view.entity_columns]
        staged = f"feast_core_src_{index}"
        cols = [f"s.{k} AS __k{i}" for i, k in enumerate(keys)] + [f"s.{ts}::timestamptz AS __ts"]
        cols.append(f"s.{_q(created)}::timestamptz AS __cr" if created else "NULL::timestamptz AS __cr")
        cols += [f"s.{_q(src)} AS __f{f}" for f, (src, _) in enumerate(view.features)]
        where = [f"s.{ts} <= {_ts_literal(high)}"]
        if ttl:
            where.append(f"s.{ts} >= {_ts_literal(low)} - interval '{ttl!r} seconds'")
        if keys:
            where.append(
                f"({', '.join('s.' + k for k in keys)}) IN (SELECT {', '.join('e.' + k for k in ekeys)} FROM {ENTITY_TABLE} AS e)"
            )
        try:
            cursor.execute(
                f"CREATE TEMP TABLE {staged} ON COMMIT DROP AS SELECT {', '.join(cols)} FROM {self._relation(view.source)} AS s "
                f"WHERE {' AND '.join(where)}"
            )
        except psycopg.errors.OperationalError:
            raise
        except psycopg.Error as error:
            raise self._source_error(view.source, error) from None
        key_cols = [f"__k{i}" for i in range(len(keys))]
        cursor.execute(f"CREATE INDEX ON {staged} ({', '.join(key_cols + ['__ts DESC', '__cr DESC NULLS LAST'])})")
        cursor.execute(f"ANALYZE {staged}")
        return staged, key_cols, [f"__f{f}" for f in range(len(view.features))]

    # ---- materialization and writes --------------------------------------------------------------

    def pull_latest(self, query: PullQuery, chunk_rows: int, ordered: bool = False) -> Iterator[pa.RecordBatch]:
        source = query.source
        rel = self._relation(source)
        wanted = list(dict.fromkeys(
            [*query.join_keys, *query.columns, query.timestamp_field]
            + ([query.created_timestamp_column] if query.created_timestamp_column else [])
        ))
        with self._connection(f"materializing data source {source.name!r}") as conn:
            cursor = conn.cursor()
            source_types = self._column_types(cursor, source)
            missing = [c for c in wanted if c not in source_types]
            if missing:
                raise DataSourceError(f"data source {source.name!r} lacks column(s) {missing}; it has {list(source_types)}")
            ts = _q(query.timestamp_field)
            cr = _q(query.created_timestamp_column) if query.created_timestamp_column else None
            window = f"BETWEEN {_ts_literal(query.start)} AND {_ts_literal(query.end)}"
            select = [select_expression(f"s.{_q(c)}", source_types[c]) for c in wanted]
            index = self._key_time_index(cursor, source, query.join_keys, query.timestamp_field)
            if index is not None:
                latest = self._latest_by_index_skip_scan(rel, index[1], ts, cr, window)
            else:  # one sort of the window's rows; the output expressions are computed for the winners only
                order = [f"s.{_q(k)}" for k in query.join_keys]
                by = [f"s.{ts} DESC"] + ([f"s.{cr} DESC NULLS LAST"] if cr else [])
                distinct = f"DISTINCT ON ({', '.join(order)}) " if order else ""
                cursor.execute("SET LOCAL work_mem = '256MB'")
                latest = (f"SELECT {distinct}{', '.join(f's.{_q(c)}' for c in wanted)} FROM {rel} AS s WHERE s.{ts} {window} "
                          f"ORDER BY {', '.join(order + by)}" + ("" if order else " LIMIT 1"))
            sql = f"SELECT {', '.join(select)} FROM ({latest}) AS s"
            if ordered:  # the winners only are sorted: as many rows as keys
                sql += f" ORDER BY s.{ts}"
            try:
                yield from copy_out_batches(cursor, sql, wanted, [source_types[c] for c in wanted], chunk_rows)
            except psycopg.errors.OperationalError:
                raise
            except psycopg.Error as error:
                raise self._source_error(source, error) from None

    def pull_all(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        """Every row in [start, end] (a None bound is open), streamed with COPY."""
        source = query.source
        wanted = list(dict.fromkeys(
            c for c in (*query.join_keys, *query.columns, query.timestamp_field, query.created_timestamp_column) if c
        ))
        with self._connection(f"reading rows of data source {source.name!r}") as conn:
            cursor = conn.cursor()
            source_types = self._column_types(cursor, source)
            missing = [c for c in wanted if c not in source_types]
            if missing:
                raise DataSourceError(f"data source {source.name!r} lacks column(s) {missing}; it has {list(source_types)}")
            ts = _q(query.timestamp_field)
            bounds = [f"s.{ts} >= {_ts_literal(query.start)}"] if query.start is not None else []
            bounds += [f"s.{ts} <= {_ts_literal(query.end)}"] if query.end is not None else []
            where = f" WHERE {' AND '.join(bounds)}" if bounds else ""
            select = [select_expression(f"s.{_q(c)}", source_types[c]) for c in wanted]
            sql = f"SELECT {', '.join(select)} FROM {self._relation(source)} AS s{where}"
            try:
                yield from copy_out_batches(cursor, sql, wanted, [source_types[c] for c in wanted], chunk_rows)
            except psycopg.errors.OperationalError:
                raise
            except psycopg.Error as error:
                raise self._source_error(source, error) from None

    def entity_rows_in_range(
        self, source: DataSource, key_columns: tuple[str, ...], timestamp_field: str, start: datetime, end: datetime
    ) -> pa.Table:
        wanted = list(dict.fromkeys([*key_columns, timestamp_field]))
        with self._connection(f"reading rows of data source {source.name!r}") as conn:
            cursor = conn.cursor()
            source_types = self._column_types(cursor, source)
            missing = [c for c in wanted if c not in source_types]
            if missing:
                raise DataSourceError(f"data source {source.name!r} lacks column(s) {missing}; it has {list(source_types)}")
            ts = _q(timestamp_field)
            rows = (f"SELECT DISTINCT {', '.join(f's.{_q(c)}' for c in wanted)} FROM {self._relation(source)} AS s "
                    f"WHERE s.{ts} BETWEEN {_ts_literal(start)} AND {_ts_literal(end)}")
            select = [select_expression(f"s.{_q(c)}", source_types[c]) for c in wanted]
            try:
                batches = list(copy_out_batches(cursor, f"SELECT {', '.join(select)} FROM ({rows}) AS s", wanted,
                                                [source_types[c] for c in wanted], 100_000))
            except psycopg.errors.OperationalError:
                raise
            except psycopg.Error as error:
                raise self._source_error(source, error) from None
        if not batches:
            return pa.table({c: pa.array([], source_types[c].arrow) for c in wanted})
        return pa.Table.from_batches(batches)

    @staticmethod
    def _latest_by_index_skip_scan(rel: str, keys: list[str], ts: str, cr: str | None, window: str) -> str:
        """The latest row per key through a (keys, timestamp) index, without reading every row: a recursive
        skip scan visits each distinct key once (one index descent each), then one probe per key walks the index
        backwards from the window's end and reads the rows of the latest time only (an Incremental Sort orders
        those by created time). Rows with NULL keys are skipped (no online read can name them). Measured on the
        medium bench (1M rows, 10k keys): a quarter to a third less server time than finding the latest time and
        then its rows with two probes."""
        k = [_q(c) for c in keys]
        row = lambda alias: f"({', '.join(f'{alias}.{c}' for c in k)})"  # noqa: E731
        first = f"SELECT {', '.join(k)} FROM {rel} AS s WHERE {' AND '.join(f's.{c} IS NOT NULL' for c in k)} " \
                f"ORDER BY {', '.join(k)} LIMIT 1"
        step = f"SELECT {', '.join(f's.{c}' for c in k)} FROM {rel} AS s WHERE {row('s')} > {row('p')} " \
               f"ORDER BY {', '.join(f's.{c}' for c in k)} LIMIT 1"
        same = " AND ".join(f"s.{c} = p.{c}" for c in k)
        tie = f", s.{cr} DESC NULLS LAST" if cr else ""
        return (
            f"WITH RECURSIVE feast_core_keys AS (({first}) UNION ALL "
            f"SELECT n.* FROM feast_core_keys AS p CROSS JOIN LATERAL ({step}) AS n) "
            f"SELECT w.* FROM feast_core_keys AS p CROSS JOIN LATERAL ("
            f"SELECT s.* FROM {rel} AS s WHERE {same} AND s.{ts} {window} ORDER BY s.{ts} DESC{tie} LIMIT 1) AS w"
        )

    def write(self, source: DataSource, table: pa.Table) -> None:
        if not isinstance(source, PostgreSQLSource) or not source.table:
            raise DataSourceError(
                f"data source {source.name!r}: rows can be appended only to a PostgreSQLSource with table=, not a query"
            )
        if table.num_rows == 0:
            return
        with self._connection(f"writing to data source {source.name!r}") as conn:
            cursor = conn.cursor()
            described = dict(self._describe_columns(cursor, source))
            source_types = {name: feast_type_of_oid(oid) or types.String for name, oid in described.items()}
            columns = [c for c in table.column_names if c in source_types]
            unknown = [c for c in table.column_names if c not in source_types]
            if unknown:
                raise DataSourceError(f"data source {source.name!r} has no column(s) {unknown}; it has {list(source_types)}")
            try:
                copy_in(cursor, source.table, columns, table.select(columns), [source_types[c] for c in columns],
                        pg_types=[pg_type_name_of_oid(described[c]) for c in columns])
            except psycopg.errors.OperationalError:
                raise
            except psycopg.Error as error:
                raise self._source_error(source, error) from None

    def close(self) -> None:
        pass


__all__ = ["ENTITY_ROW_ID", "PostgresOfflineStore"]
