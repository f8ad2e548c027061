"""The embedded offline store (``offline_store: type: file``): parquet files queried with in-process DuckDB.

Layout of a FileSource path (relative paths resolve against the repo directory):

* a parquet file ``data/x.parquet``: read together with every ``*.parquet`` in the sibling directory
  ``data/x.parquet.d/``, which is where :meth:`FileOfflineStore.write` appends. The original file is
  never rewritten, so a push costs the size of the push, not of the history, and other tools that read
  ``x.parquet`` alone still see the original rows unchanged.
* a directory: every ``*.parquet`` below it (recursively); appends go into the directory itself.

Files whose names start with ``.`` or ``_`` are ignored (temporary files, ``_SUCCESS``, ``_metadata``).
An append writes ``.part-….parquet.tmp`` in the target directory, flushes it to disk, then renames it to
``part-….parquet``; a reader sees either none or all of a write, and a failed write leaves no partial
file behind and loses no earlier rows. Nothing is cached between calls: every call lists the files again.

Timestamps: naive values (in the entity_df or in parquet) mean UTC. DuckDB runs with its session time
zone at UTC, every timestamp is compared as TIMESTAMPTZ, and every timestamp leaves as
``timestamp[…, tz=UTC]``.

Point-in-time join, per view, in two steps. An ``ASOF JOIN`` of the entity rows (row id, keys, timestamp T)
with the source's keys and event times alone finds each entity row's greatest event time ts <= T under its
keys; matches older than T - ttl are dropped. A hash join of those (row id, keys, ts) with the source then
gives the source rows with that event time; where equal event times tie, the one with the greatest created
timestamp wins (numpy, only when there are ties). The sort inside the ASOF join thus carries
neither feature values nor a (ts, created) ordering key. Only the row id, keys and timestamp of the entity
rows go through DuckDB; the matches come back in any order and are placed by row id (one gather, nulls where
nothing matched) next to the caller's own columns, so the output has exactly one row per input row, in input
order.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..config import FileOfflineStoreConfig
from ..definitions import DataSource, FileSource
from ..errors import DataSourceError, DataSourceNotFoundException, EntityDataError
from .base import ENTITY_ROW_ID, PullQuery, ViewQuery, check_output_names, conform_to_schema, entity_table

APPEND_DIR_SUFFIX = ".d"
DEFAULT_MEMORY_LIMIT = "1700MB"
DEFAULT_BATCH_ROWS = 100_000
_UTC = "UTC"
# A scan that reads every page of the columns it needs (a materialization's pull) reads each page when it gets to
# it: DuckDB's parquet prefetching first copies the column chunks into buffers of their own, which for local files
# (the only kind this store reads) costs ~7 % more instructions of the pull and no I/O it would not do anyway
_WHOLE_SCAN_SETTINGS = ("SET disable_parquet_prefetching = true",)
_ENTITY_RELATION = "__feast_entity_rows"
_ENTITY_TS = "__feast_entity_ts"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_INT64_MIN = -(1 << 63)
_TWO_64 = 1 << 64
_TWO_63 = 1 << 63


def _ordering_key(ts: str, created: str) -> str:
    """One HUGEINT that orders by event time, then created time: ``ts_us * 2**64 + created_us + 2**63``, a missing
    created time first. Comparing one 128-bit integer is much cheaper than comparing a (ts, created) struct."""
    return f"(epoch_us({ts})::HUGEINT * {_TWO_64} + coalesce(epoch_us({created})::HUGEINT + {_TWO_63}, 0))"


def _is_data_file(path: Path) -> bool:
    return path.suffix == ".parquet" and not path.name.startswith((".", "_"))


def _utc_type(arrow_type: pa.DataType) -> pa.DataType:
    """The tz-aware UTC form of a timestamp type (other types unchanged)."""
    if pa.types.is_timestamp(arrow_type):
        return pa.timestamp(arrow_type.unit, tz=_UTC)
    return arrow_type


def _utc_timestamps(table: pa.Table) -> pa.Table:
    """Relabel DuckDB's ``Etc/UTC`` (and any naive UTC) timestamp columns as ``UTC``; no data is copied."""
    schema = pa.schema([field.with_type(_utc_type(field.type)) for field in table.schema])
    return table if schema.equals(table.schema) else table.cast(schema)


def _micros(value: pd.Timestamp) -> int:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize(_UTC) if ts.tzinfo is None else ts.tz_convert(_UTC)
    return ts.value // 1000


def _timestamptz_literal(micros: int) -> str:
    return f"make_timestamp({int(micros)}::BIGINT)::TIMESTAMPTZ"


def _as_timestamptz(column_sql: str) -> str:
    return f"CAST({column_sql} AS TIMESTAMPTZ)"


def _in_row_order(matched: pa.Table, rows: int, has_created: bool) -> list[pa.ChunkedArray]:
    """A view's feature columns as ``rows`` values in entity-row order, null where an entity row has no match.

    ``matched`` holds (row id, [created µs,] features...) for each source row with the event time an entity row
    matched, in any order. Where one entity row has several (equal event times), the greatest created time wins
    (a missing one loses; equal ones: any). Then one gather by position: no sort unless there are such ties."""
    found = matched.column(0).to_numpy()
    if len(found) and np.bincount(found, minlength=rows).max() > 1:
        created = (np.asarray(pc.fill_null(matched.column(1), _INT64_MIN)) if has_created
                   else np.zeros(len(found), dtype=np.int64))
        order = np.lexsort((created, found))
        ordered = found[order]
        last = np.append(ordered[1:] != ordered[:-1], True)  # the greatest created time of each row id
        matched = matched.take(pa.array(order[last]))
        found = matched.column(0).to_numpy()
    position = np.full(rows, -1, dtype=np.int64)
    position[found] = np.arange(len(found), dtype=np.int64)
    indices = pa.array(position, mask=position < 0) if len(found) < rows else pa.array(position)
    return [column.take(indices) for column in matched.columns[2 if has_created else 1:]]


def _arrow_reader(relation: duckdb.DuckDBPyRelation, batch_rows: int) -> pa.RecordBatchReader:
    if hasattr(relation, "to_arrow_reader"):  # duckdb >= 1.4
        return relation.to_arrow_reader(batch_rows)
    return relation.fetch_arrow_reader(batch_rows)


def _arrow_table(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    if hasattr(relation, "to_arrow_table"):
        return relation.to_arrow_table()
    return relation.arrow()


@dataclass(frozen=True)
class _ResolvedSource:
    """A FileSource with its absolute path and the parquet files that make it up right now."""

    source: FileSource
    path: Path
    files: tuple[Path, ...]

    @property
    def append_dir(self) -> Path:
        return self.path if self.path.is_dir() else self.path.with_name(self.path.name + APPEND_DIR_SUFFIX)

    def scan_sql(self) -> str:
        files = ", ".join("'" + str(f).replace("'", "''") + "'" for f in self.files)
        return f"read_parquet([{files}], union_by_name = true)"

    def describe(self) -> str:
        return f"data source {self.source.name!r} ({self.path})"


def resolve_file_source(source: DataSource, repo_path: Path) -> _ResolvedSource:
    """A FileSource's absolute path and its parquet files now (the file, then its appended parts)."""
    batch = source.batch_source
    if not isinstance(batch, FileSource):
        raise DataSourceError(
            f"data source {source.name!r} is a {type(batch).__name__}; the file offline store reads FileSource only"
        )
    raw = batch.path
    if raw.startswith("file://"):
        raw = raw[len("file://"):]
    elif "://" in raw:
        raise DataSourceError(f"data source {batch.name!r}: path {batch.path!r} is remote; the file offline store reads local paths")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = repo_path / path
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.parquet") if p.is_file() and _is_data_file(p))
        if not files:
            raise DataSourceNotFoundException(str(path), batch.name, f"directory {path} contains no parquet files")
    elif path.is_file():
        sibling = path.with_name(path.name + APPEND_DIR_SUFFIX)
        appended = sorted(p for p in sibling.glob("*.parquet") if _is_data_file(p)) if sibling.is_dir() else []
        files = [path, *appended]
    else:
        raise DataSourceNotFoundException(str(path), batch.name, f"no parquet file or directory at {path}")
    return _ResolvedSource(batch, path, tuple(files))


class FileOfflineStore:
    """Parquet files + DuckDB. Safe to share between threads: each call uses its own DuckDB cursor."""

    pulls_in_order = True

    def __init__(
        self,
        config: FileOfflineStoreConfig,
        repo_path: Path,
        *,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        threads: int | None = None,
    ) -> None:
        self.config = config
        self.repo_path = Path(repo_path)
        # DuckDB creates this directory only when a query spills, and removes it on close
        self._spill_dir = os.path.join(tempfile.gettempdir(), f"feast-duckdb-spill-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        settings: dict[str, object] = {
            "memory_limit": memory_limit,
            "temp_directory": self._spill_dir,
            "preserve_insertion_order": False,  # lets unordered scans/aggregates stream; ORDER BY still holds
            "autoinstall_known_extensions": False,
        }
        if threads:
            settings["threads"] = threads
        self._db = duckdb.connect(":memory:", config=settings)
        self._db.execute("SET enable_progress_bar = false")  # never draw on the user's terminal
        # DuckDB narrows integer columns with a small known range (say a join key) before an aggregate holds them,
        # which saves memory for hash tables far larger than these (one group per key) and costs a cast of every
        # row: a materialization's pull spends ~10 % of its instructions there, and historical retrieval is the same
        # without it (callgrind, the bench's medium workload). An instance-wide setting: DuckDB has no session one.
        self._db.execute("SET disabled_optimizers = 'compressed_materialization'")
        # only matters when the ICU extension is present; without it DuckDB's TIMESTAMPTZ arithmetic is UTC already
        with contextlib.suppress(duckdb.InvalidInputException, duckdb.CatalogException):
            self._db.execute("SET TimeZone = 'UTC'")

    # ---------------------------------------------------------------- sources

    def _resolve(self, source: DataSource) -> _ResolvedSource:
        return resolve_file_source(source, self.repo_path)

    def _schema(self, resolved: _ResolvedSource) -> pa.Schema:
        schemas = []
        for file in resolved.files:
            try:
                schemas.append(pq.read_schema(file).remove_metadata())
            except (OSError, pa.ArrowException) as exc:
                raise DataSourceError(f"{resolved.describe()}: cannot read parquet file {file}: {exc}") from None
        try:
            return pa.unify_schemas(schemas, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise DataSourceError(f"{resolved.describe()}: its files have conflicting column types: {exc}") from None

    def source_schema(self, source: DataSource) -> pa.Schema:
        return self._schema(self._resolve(source))

    @staticmethod
    def _require_columns(resolved: _ResolvedSource, schema: pa.Schema, columns: list[str], what: str) -> None:
        missing = [c for c in dict.fromkeys(columns) if c and c not in schema.names]
        if missing:
            raise DataSourceError(
                f"{what}: {resolved.describe()} has no column {', '.join(map(repr, missing))}; "
                f"its columns are {', '.join(schema.names)}"
            )

    # ---------------------------------------------------------------- historical retrieval

    def get_historical_features(
        self, entity_df: pd.DataFrame | str, timestamp_column: str | None, views: list[ViewQuery]
    ) -> pa.Table:
        if isinstance(entity_df, str):
            raise EntityDataError(
                "the file offline store needs entity_df as a pandas DataFrame; a SQL query string needs "
                "a SQL offline store (offline_store: type: postgres)"
            )
        if not isinstance(entity_df, pd.DataFrame):
            raise EntityDataError(f"entity_df must be a pandas DataFrame, not {type(entity_df).__name__}")
        if not timestamp_column or timestamp_column not in entity_df.columns:
            raise EntityDataError(
                f"entity_df has no timestamp column {timestamp_column!r}; its columns are "
                f"{', '.join(map(str, entity_df.columns))}"
            )
        entities = entity_table(entity_df, timestamp_column)
        check_output_names(entities.schema.names, views)
        if not views:
            return entities
        for view in views:
            missing = [c for c in view.entity_columns if c not in entities.schema.names]
            if missing:
                raise EntityDataError(
                    f"feature view {view.name!r} needs entity_df column(s) {', '.join(map(repr, missing))}"
                )
        if entities.num_rows == 0:
            return self._empty_result(entities, views)

        ts_range = pc.min_max(entities[timestamp_column])
        needed = dict.fromkeys(c for view in views for c in view.entity_columns)
        entity_alias = {name: f"__feast_e{i}" for i, name in enumerate(needed)}
        sqls = [self._view_join_sql(view, ts_range, entity_alias) for view in views]
        join_input = pa.table(
            {
                ENTITY_ROW_ID: pa.array(np.arange(entities.num_rows, dtype=np.int64)),
                _ENTITY_TS: entities[timestamp_column].cast(pa.timestamp("us", tz=_UTC)),
                **{entity_alias[name]: entities[name] for name in needed},
            }
        )
        cursor = self._db.cursor()
        try:
            cursor.register(_ENTITY_RELATION, join_input)
            for view, sql in zip(views, sqls):
                try:
                    matched = _arrow_table(cursor.sql(sql))
                except duckdb.Error as exc:
                    raise DataSourceError(f"point-in-time join for feature view {view.name!r} failed: {exc}") from None
                matched = _utc_timestamps(matched)
                names = [output for _, output in view.features]
                columns = _in_row_order(matched, entities.num_rows, bool(view.created_timestamp_column))
                for name, column in zip(names, columns):
                    entities = entities.append_column(name, column)
        finally:
            cursor.close()
        return entities

    def _view_join_sql(self, view: ViewQuery, ts_range: pa.StructScalar, entity_alias: dict[str, str]) -> str:
        """The source rows that entity rows match within the ttl: (row id, [created µs,] features...), in no
        particular order.

        Two steps. An ASOF join of the entity rows with the source's (keys, event time) alone finds, for each
        entity row, the greatest event time ts <= T under its keys (a sort that carries no feature values and
        no created time); rows with ts older than T - ttl are dropped. A hash join of those (keys, ts) with the
        source then gives the source rows with that event time: (row id, [created µs,] features...), one per
        entity row unless equal event times tie (``_in_row_order`` keeps the greatest created time).
        """
        resolved = self._resolve(view.source)
        schema = self._schema(resolved)
        columns = [*view.join_keys, view.timestamp_field, view.created_timestamp_column, *(s for s, _ in view.features)]
        self._require_columns(resolved, schema, columns, f"feature view {view.name!r}")
        ts = _as_timestamptz(_quote(view.timestamp_field))
        keys = [f"{_quote(key)} AS __k{k}" for k, key in enumerate(view.join_keys)]
        upper = _micros(ts_range["max"].as_py())
        where = [f"{ts} <= {_timestamptz_literal(upper)}"]
        ttl_us = int(round(view.ttl_seconds * 1_000_000)) if view.ttl_seconds and view.ttl_seconds > 0 else 0
        if ttl_us:
            where.append(f"{ts} >= {_timestamptz_literal(_micros(ts_range['min'].as_py()) - ttl_us)}")
        where += [f"{_quote(key)} IS NOT NULL" for key in view.join_keys]
        scan = f"FROM {resolved.scan_sql()} WHERE {' AND '.join(where)}"

        entity_keys = [f"e.{_quote(entity_alias[c])} AS __k{k}" for k, c in enumerate(view.entity_columns)]
        on = [f"e.{_quote(entity_alias[c])} = v.__k{k}" for k, c in enumerate(view.entity_columns)]
        on.append(f"e.{_ENTITY_TS} >= v.__ts")
        within_ttl = f" WHERE v.__ts >= e.{_ENTITY_TS} - to_microseconds({ttl_us}::BIGINT)" if ttl_us else ""
        matched = (
            f"SELECT e.{ENTITY_ROW_ID} AS __rid, {''.join(k + ', ' for k in entity_keys)}v.__ts AS __ts "
            f"FROM {_ENTITY_RELATION} AS e ASOF JOIN (SELECT {''.join(k + ', ' for k in keys)}{ts} AS __ts {scan}) AS v "
            f"ON {' AND '.join(on)}{within_ttl}"
        )

        values = []
        for f, (source_column, _) in enumerate(view.features):
            value = _quote(source_column)
            if pa.types.is_timestamp(schema.field(source_column).type):
                value = _as_timestamptz(value)
            values.append(f"{value} AS __f{f}")
        source = [*keys, f"{ts} AS __ts", *values]
        created = ""
        if view.created_timestamp_column:
            source.append(f"{_as_timestamptz(_quote(view.created_timestamp_column))} AS __created")
            created = "epoch_us(s.__created), "
        same = [f"m.__k{k} = s.__k{k}" for k in range(len(view.join_keys))] + ["m.__ts = s.__ts"]
        outputs = ", ".join(f"s.__f{f}" for f in range(len(view.features)))
        return (
            f"WITH m AS ({matched}) SELECT m.__rid, {created}{outputs} "
            f"FROM m JOIN (SELECT {', '.join(source)} {scan}) AS s ON {' AND '.join(same)}"
        )

    def _empty_result(self, entities: pa.Table, views: list[ViewQuery]) -> pa.Table:
        for view in views:
            resolved = self._resolve(view.source)
            schema = self._schema(resolved)
            self._require_columns(resolved, schema, [s for s, _ in view.features], f"feature view {view.name!r}")
            for source_column, output in view.features:
                arrow_type = _utc_type(schema.field(source_column).type)
                entities = entities.append_column(pa.field(output, arrow_type), pa.chunked_array([], arrow_type))
        return entities

    # ---------------------------------------------------------------- materialization

    def pull_latest(self, query: PullQuery, chunk_rows: int, ordered: bool = False) -> Iterator[pa.RecordBatch]:
        """Latest row per key in [start, end]: a hash aggregate whose memory grows with distinct keys only."""
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
        resolved = self._resolve(query.source)
        schema = self._schema(resolved)
        value_columns = list(dict.fromkeys(
            c for c in (*query.columns, query.timestamp_field, query.created_timestamp_column)
            if c and c not in query.join_keys
        ))
        self._require_columns(resolved, schema, [*query.join_keys, *value_columns], f"pull from {resolved.describe()}")
        ts = _as_timestamptz(_quote(query.timestamp_field))
        packed = ", ".join(
            f"'c{i}': " + (_as_timestamptz(_quote(c)) if pa.types.is_timestamp(schema.field(c).type) else _quote(c))
            for i, c in enumerate(value_columns)
        )
        order = ts
        if query.created_timestamp_column:
            order = _ordering_key(ts, _as_timestamptz(_quote(query.created_timestamp_column)))
        keys = [_quote(k) for k in query.join_keys]
        outputs = keys + [f"__latest.c{i} AS {_quote(c)}" for i, c in enumerate(value_columns)]
        # a view without entities has one row online: the latest of the whole window (no GROUP BY)
        grouped = f" GROUP BY {', '.join(keys)}" if keys else " HAVING count(*) > 0"
        sql = (
            f"SELECT {', '.join(outputs)} FROM ("
            f"SELECT {''.join(k + ', ' for k in keys)}arg_max({{{packed}}}, {order}) AS __latest "
            f"FROM {resolved.scan_sql()} WHERE {ts} BETWEEN {_timestamptz_literal(_micros(query.start))} "
            f"AND {_timestamptz_literal(_micros(query.end))}{grouped})"
        )
        if ordered:  # the winners only are sorted: as many rows as keys
            sql += f" ORDER BY __latest.c{value_columns.index(query.timestamp_field)}"
        return self._stream(sql, chunk_rows, resolved, settings=_WHOLE_SCAN_SETTINGS)

    def pull_all(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        """Every row in [start, end] (a None bound is open), in no particular order."""
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
        resolved = self._resolve(query.source)
        schema = self._schema(resolved)
        columns = list(dict.fromkeys(
            c for c in (*query.join_keys, *query.columns, query.timestamp_field, query.created_timestamp_column) if c
        ))
        self._require_columns(resolved, schema, columns, f"pull from {resolved.describe()}")
        selected = [
            f"{_as_timestamptz(_quote(c))} AS {_quote(c)}" if pa.types.is_timestamp(schema.field(c).type) else _quote(c)
            for c in columns
        ]
        ts = _as_timestamptz(_quote(query.timestamp_field))
        bounds = [f"{ts} >= {_timestamptz_literal(_micros(query.start))}"] if query.start is not None else []
        bounds += [f"{ts} <= {_timestamptz_literal(_micros(query.end))}"] if query.end is not None else []
        where = f" WHERE {' AND '.join(bounds)}" if bounds else ""
        return self._stream(f"SELECT {', '.join(selected)} FROM {resolved.scan_sql()}{where}", chunk_rows, resolved)

    def entity_rows_in_range(
        self, source: DataSource, key_columns: tuple[str, ...], timestamp_field: str, start: datetime, end: datetime
    ) -> pa.Table:
        resolved = self._resolve(source)
        schema = self._schema(resolved)
        self._require_columns(resolved, schema, [*key_columns, timestamp_field], f"read rows of {resolved.describe()}")
        ts = _as_timestamptz(_quote(timestamp_field))
        selected = [_quote(k) for k in key_columns] + [f"{ts} AS {_quote(timestamp_field)}"]
        sql = (
            f"SELECT DISTINCT {', '.join(selected)} FROM {resolved.scan_sql()} "
            f"WHERE {ts} BETWEEN {_timestamptz_literal(_micros(start))} AND {_timestamptz_literal(_micros(end))}"
        )
        batches = list(self._stream(sql, DEFAULT_BATCH_ROWS, resolved))
        if not batches:
            return pa.table({**{k: pa.array([], schema.field(k).type) for k in key_columns},
                             timestamp_field: pa.array([], pa.timestamp("us", tz=_UTC))})
        return pa.Table.from_batches(batches)

    def _stream(self, sql: str, chunk_rows: int, resolved: _ResolvedSource, settings: tuple[str, ...] = ()
                ) -> Iterator[pa.RecordBatch]:
        cursor = self._db.cursor()
        try:
            for setting in settings:  # this cursor's session only
                cursor.execute(setting)
            reader = _arrow_reader(cursor.sql(sql), chunk_rows)
            schema = pa.schema([f.with_type(_utc_type(f.type)) for f in reader.schema])
            for batch in reader:
                if batch.num_rows:
                    yield batch.cast(schema)
        except duckdb.Error as exc:
            raise DataSourceError(f"reading {resolved.describe()} failed: {exc}") from None
        finally:
            cursor.close()

    # ---------------------------------------------------------------- appends

    def write(self, source: DataSource, table: pa.Table) -> None:
        resolved_path = self._target_path(source)
        try:
            resolved = self._resolve(source)
        except DataSourceError:
            if resolved_path.exists():
                raise
            resolved = None  # a new source: the first write creates it with the pushed columns
        if resolved is not None:
            table = conform_to_schema(table, self._schema(resolved), f"cannot append to {resolved.describe()}")
            self._write_atomically(table, resolved.append_dir, f"part-{uuid.uuid4().hex}.parquet")
        elif resolved_path.suffix == ".parquet":
            # a new single-file source: the first write becomes the file itself, readable by other tools too
            self._write_atomically(table, resolved_path.parent, resolved_path.name)
        else:
            self._write_atomically(table, resolved_path, f"part-{uuid.uuid4().hex}.parquet")

    def _target_path(self, source: DataSource) -> Path:
        batch = source.batch_source
        if not isinstance(batch, FileSource):
            raise DataSourceError(
                f"data source {source.name!r} is a {type(batch).__name__}; the file offline store writes FileSource only"
            )
        path = Path(batch.path.removeprefix("file://")).expanduser()
        return path if path.is_absolute() else self.repo_path / path

    @staticmethod
    def _write_atomically(table: pa.Table, directory: Path, final_name: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{final_name}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temporary, "wb") as handle:
                pq.write_table(table, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, directory / final_name)
        except (OSError, pa.ArrowException) as exc:
            temporary.unlink(missing_ok=True)
            raise DataSourceError(f"cannot write parquet file {directory / final_name}: {exc}") from None

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._spill_dir, ignore_errors=True)
