"""The SQL registry (``registry_type: sql``) in Feast's 14 tables, on PostgreSQL or SQLite.

URLs: ``postgresql+psycopg://user:password@host:5432/db`` (``postgresql://`` and ``postgresql+psycopg2://``
are accepted and also use psycopg 3) and ``sqlite:///data/registry.db`` (relative to the repo directory) or
``sqlite:////abs/path.db``. User names and passwords holding ``@ : / % # ' "`` must be percent-encoded.

Layout: Feast 0.67's tables, columns, primary keys and ``idx_<table>_project_id`` indexes, created as Feast
creates them (``schema_mode``: ``auto`` creates missing tables, ``verify`` refuses to start when one is
missing, ``skip`` does neither). One row per object: its name, ``project_id``, ``last_updated_timestamp``
(epoch seconds) and the bare serialized message; ``projects`` holds a row per project and
``feast_metadata`` its ``project_uuid`` and ``last_updated_timestamp``; ``managed_infra`` the SQLite online
store's tables; ``feature_view_version_history`` Feast's view versions.

Reading is Feast's: every project's rows, each message with ``project_id`` written into its project field,
assembled into one ``Registry`` (its ``version_id`` a digest of the rows, so an unchanged registry is not
parsed again). Writing is better than Feast's: one transaction per apply (Feast commits each object on
its own), writers serialized (a transaction-scoped advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite) so each applies its changes on top of what the others committed, and a failed apply rolls back
whole. Tables feast_core cannot read (a column missing, a row that is not the message it should be) stop
every command with an error naming them; nothing is dropped or rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from google.protobuf.message import DecodeError, Message

from ..errors import ConfigError, RegistryError, StoreUnavailableError
from ..pg.connection import Endpoint, endpoint_from_url
from ..protos.feast.core.InfraObject_pb2 import Infra
from ..protos.feast.core.Project_pb2 import Project as ProjectProto
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from ..sqlite_wal import enable_wal
from . import legacy, message
from .base import Changes

LOCK_WAIT_SECONDS = 60.0  # how long a SQLite registry writer waits for another one
_WRITERS_LOCK = 0x46EA57  # pg_advisory_xact_lock key every feast_core registry writer takes


# ---- Feast's tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str, bool], ...]  # (column, type: name|ts|proto|int|type|text|uuid, nullable)
    primary_key: tuple[str, ...]
    index: str
    key: str = ""  # the object-name column
    proto: str = ""  # the message column

    @property
    def column_names(self) -> list[str]:
        return [c for c, _, _ in self.columns]


def _object_table(name: str, key: str, proto: str, extra_before: tuple = (), extra_after: tuple = ()) -> Table:
    columns = ((key, "name", False), ("project_id", "name", False), ("last_updated_timestamp", "ts", False),
               *extra_before, (proto, "proto", False), *extra_after)
    return Table(name, columns, (key, "project_id"), f"idx_{name}_project_id", key, proto)


_USER_METADATA = (("user_metadata", "proto", True),)
TABLES: dict[str, Table] = {
    "projects": Table(
        "projects",
        (("project_id", "name", False), ("project_name", "name", False), ("last_updated_timestamp", "ts", False),
         ("project_proto", "proto", False)),
        ("project_id",), "idx_projects_project_id", "project_name", "project_proto",
    ),
    "entities": _object_table("entities", "entity_name", "entity_proto"),
    "data_sources": _object_table("data_sources", "data_source_name", "data_source_proto"),
    "feature_views": _object_table(
        "feature_views", "feature_view_name", "feature_view_proto",
        extra_before=(("materialized_intervals", "proto", True),), extra_after=_USER_METADATA,
    ),
    "stream_feature_views": _object_table(
        "stream_feature_views", "feature_view_name", "feature_view_proto", extra_after=_USER_METADATA
    ),
    "on_demand_feature_views": _object_table(
        "on_demand_feature_views", "feature_view_name", "feature_view_proto", extra_after=_USER_METADATA
    ),
    "label_views": _object_table("label_views", "feature_view_name", "feature_view_proto", extra_after=_USER_METADATA),
    "feature_services": _object_table("feature_services", "feature_service_name", "feature_service_proto"),
    "saved_datasets": _object_table("saved_datasets", "saved_dataset_name", "saved_dataset_proto"),
    "validation_references": _object_table(
        "validation_references", "validation_reference_name", "validation_reference_proto"
    ),
    "managed_infra": _object_table("managed_infra", "infra_name", "infra_proto"),
    "permissions": _object_table("permissions", "permission_name", "permission_proto"),
    "feature_view_version_history": Table(
        "feature_view_version_history",
        (("feature_view_name", "name", False), ("project_id", "name", False), ("version_number", "int", False),
         ("feature_view_type", "type", False), ("feature_view_proto", "proto", False),
         ("created_timestamp", "ts", False), ("description", "text", True), ("version_id", "uuid", False)),
        ("feature_view_name", "project_id", "version_number"), "idx_fv_version_history_project_id",
    ),
    "feast_metadata": Table(
        "feast_metadata",
        (("project_id", "name", False), ("metadata_key", "type", False), ("metadata_value", "text", False),
         ("last_updated_timestamp", "ts", False)),
        ("project_id", "metadata_key"), "idx_feast_metadata_project_id",
    ),
}
# Registry fields kept in object tables (Feast has no table for the legacy feature_tables)
OBJECT_TABLES = {kind: TABLES[kind] for kind in message.OBJECT_KINDS if kind in TABLES}
INFRA_NAME = "infra_obj"
PROJECT_UUID, LAST_UPDATED = "project_uuid", "last_updated_timestamp"


# ---- dialects -------------------------------------------------------------------------------------------


class _Dialect:
    """What differs between PostgreSQL and SQLite: connecting, parameters, types, locking."""

    label: str
    types: dict[str, str]
    connection_errors: tuple
    errors: tuple

    def sql(self, text: str) -> str:
        return text

    def create_table(self, table: Table) -> list[str]:
        columns = [f"\t{c} {self.types[t]}{'' if nullable else ' NOT NULL'}" for c, t, nullable in table.columns]
        columns.append(f"\tPRIMARY KEY ({', '.join(table.primary_key)})")
        body = ", \n".join(columns)
        return [
            f"CREATE TABLE IF NOT EXISTS {table.name} (\n{body}\n)",
            f"CREATE INDEX IF NOT EXISTS {table.index} ON {table.name} (project_id)",
        ]


class _Postgres(_Dialect):
    types = {"name": "VARCHAR(255)", "ts": "BIGINT", "proto": "BYTEA", "int": "INTEGER", "type": "VARCHAR(50)",
             "text": "TEXT", "uuid": "VARCHAR(36)"}
    connection_errors = (psycopg.OperationalError,)
    errors = (psycopg.Error,)

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.label = f"PostgreSQL registry at {endpoint.label}"

    def connect(self):
        return self.endpoint.connect(autocommit=True)

    def begin_read(self) -> str:
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def begin_write(self) -> list[str]:
        return ["BEGIN", f"SELECT pg_advisory_xact_lock({_WRITERS_LOCK})"]

    def columns(self, cursor) -> dict[str, set[str]]:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
        found: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            found.setdefault(table, set()).add(column)
        return found

    def message(self, error: BaseException) -> str:
        return self.endpoint.message(error)


class _Sqlite(_Dialect):
    types = {"name": "VARCHAR(255)", "ts": "BIGINT", "proto": "BLOB", "int": "INTEGER", "type": "VARCHAR(50)",
             "text": "TEXT", "uuid": "VARCHAR(36)"}
    connection_errors = (sqlite3.OperationalError,)
    errors = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"SQLite registry {path}"

    def connect(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=LOCK_WAIT_SECONDS, isolation_level=None, check_same_thread=False)
            enable_wal(conn, LOCK_WAIT_SECONDS)
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailableError(f"{self.label}: cannot open: {error}") from None
        return conn

    def sql(self, text: str) -> str:
        return text.replace("%s", "?")

    def begin_read(self) -> str:
        return "BEGIN"

    def begin_write(self) -> list[str]:
        return ["BEGIN IMMEDIATE"]

    def columns(self, cursor) -> dict[str, set[str]]:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        found: dict[str, set[str]] = {}
        for (table,) in cursor.fetchall():
            cursor.execute("SELECT name FROM pragma_table_info(?)", (table,))
            found[table] = {row[0] for row in cursor.fetchall()}
        return found

    def message(self, error: BaseException) -> str:
        return str(error)


def dialect_for(url: str, repo_path: Path) -> _Dialect:
    scheme = url.partition("://")[0].lower()
    if scheme == "sqlite":
        rest = url[len("sqlite://"):]
        if not rest.startswith("/") or rest == "/":
            raise ConfigError(f"registry path {url!r}: expected sqlite:///relative/file.db or sqlite:////absolute/file.db")
        path = Path(rest[1:])
        return _Sqlite(path if path.is_absolute() else Path(repo_path) / path)
    if scheme.startswith("postgres"):
        return _Postgres(endpoint_from_url(url))
    raise ConfigError(
        f"registry path with scheme {scheme!r} is not supported for registry_type: sql; use postgresql+psycopg:// or sqlite:///"
    )


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# ---- the store ------------------------------------------------------------------------------------------


class SqlRegistryStore:
    """The RegistryStore protocol over Feast's SQL registry tables (see the module docstring)."""

    def __init__(self, url: str, repo_path: Path, schema_mode: str = "auto", purge_feast_metadata: bool = False) -> None:
        self.dialect = dialect_for(url, Path(repo_path))
        self.schema_mode = schema_mode
        self.purge_feast_metadata = purge_feast_metadata
        self._conn = None
        self._lock = threading.Lock()
        self._ready = False
        self._cached: tuple[str, RegistryProto] | None = None

    @property
    def label(self) -> str:
        return self.dialect.label

    # ---- connection and transactions ----------------------------------------------------------

    def _run(self, work: Callable, write: bool, what: str, prepare: bool = True):
        """Run ``work(cursor)`` in one transaction; reconnect once if the kept connection went stale."""
        d = self.dialect
        with self._lock:
            for attempt in (0, 1):
                fresh = self._conn is None
                if fresh:
                    self._conn = d.connect()
                try:
                    if prepare and not self._ready:
                        self._prepare_schema()
                    return self._transaction(work, write)
                except d.connection_errors as error:
                    self._discard()
                    if isinstance(d, _Postgres) and not fresh and attempt == 0:
                        continue  # the server restarted since the last call: one new connection, one retry
                    if isinstance(d, _Postgres):
                        raise d.endpoint.unavailable(error, what) from None
                    raise RegistryError(f"{d.label}: {what}: {d.message(error)}") from None
                except d.errors as error:
                    raise RegistryError(f"{d.label}: {what}: {d.message(error)}") from None

    def _discard(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(*self.dialect.errors):
                self._conn.close()
            self._conn = None

    def _transaction(self, work: Callable, write: bool):
        d, conn = self.dialect, self._conn
        cursor = conn.cursor()
        for statement in d.begin_write() if write else [d.begin_read()]:
            cursor.execute(statement)
        try:
            result = work(cursor)
        except BaseException:
            with contextlib.suppress(*d.errors):
                cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
        return result

    # ---- schema ---------------------------------------------------------------------------------

    def _prepare_schema(self) -> None:
        """Refuse an earlier feast_core registry, then create (auto) or check (verify) Feast's tables."""
        if self.schema_mode == "skip":
            self._ready = True
            return
        d = self.dialect

        def work(cursor) -> None:
            found = d.columns(cursor)
            self._refuse_legacy(cursor, found)
            missing = [name for name in TABLES if name not in found]
            if missing and self.schema_mode == "verify":
                raise RegistryError(
                    f"{d.label}: Feast's registry tables {', '.join(missing)} do not exist (schema_mode: verify); "
                    "create them (run once with schema_mode: auto, or `feast registry create-schema` of upstream Feast)"
                )
            for name in missing:
                for statement in d.create_table(TABLES[name]):
                    cursor.execute(statement)
            self._check_columns(found)

        self._transaction(work, write=True)
        self._ready = True

    def _refuse_legacy(self, cursor, found: dict[str, set[str]]) -> None:
        if legacy.META_TABLE not in found:
            return
        cursor.execute(self.dialect.sql(f"SELECT value FROM {legacy.META_TABLE} WHERE key = %s"), (legacy.MIGRATED_KEY,))
        if cursor.fetchone() is None:
            raise RegistryError(legacy.sql_refusal(self.dialect.label))

    def _check_columns(self, found: dict[str, set[str]]) -> None:
        for table in TABLES.values():
            columns = found.get(table.name)
            if columns is None:
                continue  # created just now
            lacking = [c for c in table.column_names if c not in columns]
            if lacking:
                raise RegistryError(
                    f"{self.dialect.label}: table {table.name!r} is not Feast's registry table (it lacks column(s) "
                    f"{', '.join(lacking)}); it was left as it is: point registry.path at another database or "
                    "schema, or rename that table"
                )

    # ---- reading --------------------------------------------------------------------------------

    def read(self) -> RegistryProto:
        return self._run(self._read, write=False, what="reading the registry")

    def _rows(self, cursor, table: Table, columns: str):
        cursor.execute(f"SELECT {columns} FROM {table.name}")
        return cursor.fetchall()

    def _parse(self, table: Table, project: str, name: str, data, kind: str) -> Message:
        try:
            return message.MESSAGE_TYPES[kind].FromString(bytes(data))
        except DecodeError as exc:
            raise RegistryError(
                f"{self.dialect.label}: table {table.name!r}, row ({name!r}, project {project!r}): not a "
                f"{message.MESSAGE_TYPES[kind].DESCRIPTOR.full_name} message ({exc}); it was left as it is: delete "
                "or fix that row with the tool that wrote it"
            ) from None

    def _read(self, cursor) -> RegistryProto:
        digest = hashlib.blake2b(digest_size=16)
        rows: dict[str, list] = {}
        projects = TABLES["projects"]
        rows["projects"] = self._rows(cursor, projects, "project_id, project_id, last_updated_timestamp, project_proto")
        for kind, table in OBJECT_TABLES.items():
            rows[kind] = self._rows(cursor, table, f"project_id, {table.key}, last_updated_timestamp, {table.proto}")
        metadata = self._rows(cursor, TABLES["feast_metadata"], "project_id, metadata_key, metadata_value, 0")
        infra = self._rows(cursor, TABLES["managed_infra"], "project_id, infra_name, last_updated_timestamp, infra_proto")
        for kind in ("projects", *OBJECT_TABLES):
            for project, name, updated, data in sorted(rows[kind], key=lambda r: (r[0], r[1])):
                digest.update(f"{kind}\0{project}\0{name}\0{updated}\0".encode())
                digest.update(bytes(data))
        for project, key, value, _ in sorted(metadata):
            digest.update(f"meta\0{project}\0{key}\0{value}\0".encode())
        version = digest.hexdigest()
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        registry = RegistryProto(registry_schema_version=message.SCHEMA_VERSION, version_id=version)
        latest = 0
        for project, _name, updated, data in sorted(rows["projects"], key=lambda r: r[0]):
            entry = self._parse(projects, project, project, data, "projects")
            entry.spec.name = project
            registry.projects.append(entry)
            latest = max(latest, int(updated))
        known = {p.spec.name for p in registry.projects}
        for project, key, _value, _ in sorted(metadata):
            if key == PROJECT_UUID and project not in known:  # Feast turns these into projects when it starts
                entry = registry.projects.add()
                entry.spec.name = project
                known.add(project)
        for kind, table in OBJECT_TABLES.items():
            if kind == "managed_infra":
                continue
            container = getattr(registry, kind)
            for project, name, _updated, data in sorted(rows[kind], key=lambda r: (r[0], r[1])):
                item = self._parse(table, project, name, data, kind)
                message.set_project(item, project)
                container.append(item)
        for project, name, _updated, data in sorted(infra, key=lambda r: r[0]):
            try:
                part = Infra.FromString(bytes(data))
            except DecodeError as exc:
                raise RegistryError(
                    f"{self.dialect.label}: table 'managed_infra', row ({name!r}, project {project!r}): not a "
                    f"feast.core.Infra message ({exc}); it was left as it is"
                ) from None
            registry.infra.infra_objects.extend(part.infra_objects)
        if latest:
            registry.last_updated.FromDatetime(datetime.fromtimestamp(latest, timezone.utc).replace(tzinfo=None))
        self._cached = (version, registry)
        return registry

    # ---- writing --------------------------------------------------------------------------------

    def apply(self, changes: Changes) -> None:
        self._run(lambda cursor: self._apply(cursor, changes), write=True, what=f"applying to project {changes.project!r}")

    def _select_proto(self, cursor, table: Table, project: str, name: str, kind: str) -> Message | None:
        cursor.execute(
            self.dialect.sql(f"SELECT {table.proto} FROM {table.name} WHERE {table.key} = %s AND project_id = %s"),
            (name, project),
        )
        row = cursor.fetchone()
        if row is None:
            return None
        found = self._parse(table, project, name, row[0], kind)
        if kind != "projects":
            message.set_project(found, project)
        return found

    def _put(self, cursor, table: Table, project: str, name: str, data: bytes, now: datetime) -> None:
        cursor.execute(
            self.dialect.sql(
                f"INSERT INTO {table.name} ({table.key}, project_id, last_updated_timestamp, {table.proto}) "
                f"VALUES (%s, %s, %s, %s) ON CONFLICT ({table.key}, project_id) DO UPDATE SET "
                f"last_updated_timestamp = excluded.last_updated_timestamp, {table.proto} = excluded.{table.proto}"
            ),
            (name, project, _epoch(now), data),
        )

    def _touch_project(self, cursor, project: str, declared: ProjectProto | None, now: datetime) -> None:
        """The ``projects`` row (declared or kept, last updated now) and ``feast_metadata``, as Feast's
        apply leaves them."""
        d = self.dialect
        current = self._select_proto(cursor, TABLES["projects"], project, project, "projects")
        entry = message.touch_project(current, project, declared, now)
        cursor.execute(
            d.sql(
                "INSERT INTO projects (project_id, project_name, last_updated_timestamp, project_proto) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (project_id) DO UPDATE SET project_name = excluded.project_name, "
                "last_updated_timestamp = excluded.last_updated_timestamp, project_proto = excluded.project_proto"
            ),
            (project, project, _epoch(now), entry.SerializeToString()),
        )
        if self.purge_feast_metadata:
            return
        stamp = _epoch(now)
        cursor.execute(
            d.sql(
                "INSERT INTO feast_metadata (project_id, metadata_key, metadata_value, last_updated_timestamp) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (project_id, metadata_key) DO NOTHING"
            ),
            (project, PROJECT_UUID, str(uuid.uuid4()), stamp),
        )
        cursor.execute(
            d.sql(
                "INSERT INTO feast_metadata (project_id, metadata_key, metadata_value, last_updated_timestamp) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (project_id, metadata_key) DO UPDATE SET "
                "metadata_value = excluded.metadata_value, last_updated_timestamp = excluded.last_updated_timestamp"
            ),
            (project, LAST_UPDATED, str(stamp), stamp),
        )

    def _next_version(self, cursor, project: str, name: str) -> int:
        cursor.execute(
            self.dialect.sql(
                "SELECT max(version_number) FROM feature_view_version_history "
                "WHERE feature_view_name = %s AND project_id = %s"
            ),
            (name, project),
        )
        found = cursor.fetchone()[0]
        return 0 if found is None else int(found) + 1

    def _drop_history(self, cursor, project: str, name: str, version: int | None = None) -> None:
        where = "feature_view_name = %s AND project_id = %s" + (" AND version_number = %s" if version is not None else "")
        args = (name, project) + ((version,) if version is not None else ())
        cursor.execute(self.dialect.sql(f"DELETE FROM feature_view_version_history WHERE {where}"), args)

    def _add_history(self, cursor, record) -> None:
        self._drop_history(cursor, record.project_id, record.feature_view_name, record.version_number)
        cursor.execute(
            self.dialect.sql(
                "INSERT INTO feature_view_version_history (feature_view_name, project_id, version_number, "
                "feature_view_type, feature_view_proto, created_timestamp, description, version_id) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            ),
            (record.feature_view_name, record.project_id, record.version_number, record.feature_view_type,
             record.feature_view_proto, record.created_timestamp.seconds, record.description, record.version_id),
        )

    def _apply(self, cursor, changes: Changes) -> None:
        now = message.utcnow()
        project = changes.project
        self._touch_project(cursor, project, changes.project_proto, now)
        for kind, messages in changes.upserts.items():
            table = OBJECT_TABLES[kind]
            for new in messages:
                name = message.name_of(new)
                old = self._select_proto(cursor, table, project, name, kind)
                merged = message.merge(
                    kind, new, old, project, now, lambda name=name: self._next_version(cursor, project, name)
                )
                if merged.drop_history:
                    self._drop_history(cursor, project, name)
                for record in merged.records:
                    self._add_history(cursor, record)
                self._put(cursor, table, project, name, merged.message.SerializeToString(), now)
        for kind, names in changes.deletes.items():
            table = OBJECT_TABLES[kind]
            for name in names:
                cursor.execute(
                    self.dialect.sql(f"DELETE FROM {table.name} WHERE {table.key} = %s AND project_id = %s"),
                    (name, project),
                )
                if kind in message.VIEW_KINDS:
                    self._drop_history(cursor, project, name)
        if changes.infra is not None:
            self._put_infra(cursor, project, changes.infra, now)

    def _put_infra(self, cursor, project: str, objects: list, now: datetime) -> None:
        table = TABLES["managed_infra"]
        cursor.execute(
            self.dialect.sql("SELECT 1 FROM managed_infra WHERE infra_name = %s AND project_id = %s"), (INFRA_NAME, project)
        )
        if not objects and cursor.fetchone() is None:
            return  # as Feast: a store that registers nothing (PostgreSQL) leaves no row
        self._put(cursor, table, project, INFRA_NAME, Infra(infra_objects=objects).SerializeToString(), now)

    def record_materialization(self, project: str, view: str, start: datetime, end: datetime) -> None:
        def work(cursor) -> None:
            for kind in ("feature_views", "stream_feature_views"):
                table = TABLES[kind]
                found = self._select_proto(cursor, table, project, view, kind)
                if found is not None:
                    break
            else:
                return  # the view was deleted meanwhile: nothing to record
            now = message.utcnow()
            stored = type(found)()
            stored.CopyFrom(found)
            message.add_interval(stored, start, end, now)
            self._put(cursor, table, project, view, stored.SerializeToString(), now)
            self._touch_project(cursor, project, None, now)

        self._run(work, write=True, what=f"recording the materialization of {view!r}")

    def delete_project(self, project: str) -> None:
        def work(cursor) -> None:
            for table in TABLES.values():
                cursor.execute(self.dialect.sql(f"DELETE FROM {table.name} WHERE project_id = %s"), (project,))

        self._run(work, write=True, what=f"deleting project {project!r}")

    # ---- feast migrate ------------------------------------------------------------------------

    def migrate_legacy(self, dry_run: bool = False) -> legacy.Conversion | None:
        """Copy a registry in feast_core's earlier tables into Feast's, in one transaction, and mark the
        earlier tables migrated (they are kept). None: nothing to convert."""

        def work(cursor):
            found = self.dialect.columns(cursor)
            if legacy.META_TABLE not in found:
                return None
            cursor.execute(self.dialect.sql(f"SELECT value FROM {legacy.META_TABLE} WHERE key = %s"), (legacy.MIGRATED_KEY,))
            if cursor.fetchone() is not None:
                return None
            try:
                raw = legacy.read_sql(cursor, _from_json, _from_ts)
                registry, counts = legacy.to_registry(raw)
            except (ValueError, KeyError, TypeError) as exc:
                raise RegistryError(f"{self.dialect.label}: cannot convert the earlier tables ({exc}); nothing was changed") from None
            if dry_run:
                return legacy.Conversion(counts, registry)
            for name, table in TABLES.items():
                if name not in found:
                    if self.schema_mode == "verify":
                        raise RegistryError(
                            f"{self.dialect.label}: Feast's registry table {name} does not exist (schema_mode: verify); "
                            "create Feast's tables first, or migrate with schema_mode: auto"
                        )
                    for statement in self.dialect.create_table(table):
                        cursor.execute(statement)
            self._check_columns(found)
            self._import(cursor, registry)
            cursor.execute(
                self.dialect.sql(f"INSERT INTO {legacy.META_TABLE} (key, value) VALUES (%s, %s)"),
                (legacy.MIGRATED_KEY, "feast-registry-tables"),
            )
            return legacy.Conversion(counts, registry)

        result = self._run(work, write=True, what="migrating the earlier registry tables", prepare=False)
        self._ready = False
        return result

    def _import(self, cursor, registry: RegistryProto) -> None:
        """Write a converted registry's objects into Feast's tables (refusing projects that exist there)."""
        now = message.utcnow()
        for entry in registry.projects:
            project = entry.spec.name
            cursor.execute(self.dialect.sql("SELECT 1 FROM projects WHERE project_id = %s"), (project,))
            if cursor.fetchone() is not None:
                raise RegistryError(
                    f"{self.dialect.label}: project {project!r} exists both in the earlier tables and in Feast's "
                    "tables; nothing was changed: delete one of them (feast teardown with the tool that wrote it)"
                )
            self._touch_project(cursor, project, entry, now)
            cursor.execute(
                self.dialect.sql("UPDATE projects SET project_proto = %s WHERE project_id = %s"),
                (entry.SerializeToString(), project),
            )
        for kind, table in OBJECT_TABLES.items():
            if kind == "managed_infra":
                continue
            for item in getattr(registry, kind):
                updated = item.meta.last_updated_timestamp.ToDatetime(timezone.utc) if item.meta.HasField(
                    "last_updated_timestamp") else now
                self._put(cursor, table, message.project_of(item), message.name_of(item), item.SerializeToString(), updated)
        for record in registry.feature_view_version_history.records:
            self._add_history(cursor, record)

    def close(self) -> None:
        with self._lock:
            self._discard()


def _from_json(value):
    import json

    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _from_ts(value) -> str:
    return value if isinstance(value, str) else value.isoformat()
