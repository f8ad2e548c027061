"""The SQL registry (``registry_type: sql``): one row per object in PostgreSQL or SQLite.

URLs: ``postgresql+psycopg://user:password@host:5432/db`` (``postgresql://`` and ``postgresql+psycopg2://``
are accepted and also use psycopg 3) and ``sqlite:///data/registry.db`` (relative to the repo directory) or
``sqlite:////abs/path.db``. User names and passwords holding ``@ : / % # ' "`` must be percent-encoded
(``p@ss`` is ``p%40ss``); they are decoded and handed to the driver as separate arguments.

Tables (created on first use, under an advisory lock so concurrent first users do not collide)::

    feast_core_registry_meta(key TEXT PRIMARY KEY, value TEXT)
        -- 'schema_version', 'version_id' (uuid hex, new on every write), 'last_updated' (ISO 8601)
    feast_core_projects(project TEXT PRIMARY KEY, spec JSONB, created TIMESTAMPTZ, last_updated TIMESTAMPTZ)
    feast_core_objects(project, kind, name, spec JSONB, created, last_updated, PRIMARY KEY (project, kind, name))
        -- kind is a registry kind: entities, data_sources, feature_views, ...
    feast_core_materialization(project, view, state JSONB, PRIMARY KEY (project, view))
        -- state as registry.base.add_interval makes it (bounded history)

(SQLite uses TEXT for JSON and timestamps.) Every write is one transaction that starts by rewriting the
``version_id`` row: that row lock orders concurrent writers, so each applies its row-level upserts and
deletes on top of the other's committed rows. Two processes applying different views both land; the same
object applied at once ends as one writer's whole version. ``read`` takes one consistent snapshot
(REPEATABLE READ) and skips reloading the objects when ``version_id`` has not changed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from ..errors import ConfigError, RegistryError, StoreUnavailableError
from ..pg.connection import Endpoint, endpoint_from_url
from ..sqlite_wal import enable_wal
from .base import FORMAT, FORMAT_VERSION, KINDS, Changes, add_interval, empty_project, iso, utcnow

LOCK_WAIT_SECONDS = 60.0  # how long a sqlite registry writer waits for another one

SCHEMA_VERSION = "1"
_LOCK_KEY = 0x46EA57  # pg_advisory_xact_lock key for table creation

_TABLES = [
    "CREATE TABLE IF NOT EXISTS feast_core_registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS feast_core_projects (project TEXT PRIMARY KEY, spec {json} NOT NULL, "
    "created {ts} NOT NULL, last_updated {ts} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS feast_core_objects (project TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, "
    "spec {json} NOT NULL, created {ts} NOT NULL, last_updated {ts} NOT NULL, PRIMARY KEY (project, kind, name))",
    "CREATE TABLE IF NOT EXISTS feast_core_materialization (project TEXT NOT NULL, view TEXT NOT NULL, "
    "state {json} NOT NULL, PRIMARY KEY (project, view))",
]


class _Dialect:
    """What differs between PostgreSQL and SQLite: connecting, parameters, JSON and timestamps."""

    label: str
    json_type: str
    ts_type: str

    def connect(self): ...

    def sql(self, text: str) -> str:
        return text

    def to_json(self, value: dict):
        return json.dumps(value, sort_keys=True)

    def from_json(self, value) -> dict:
        return json.loads(value) if isinstance(value, str) else value

    def to_ts(self, moment: datetime):
        return iso(moment)

    def from_ts(self, value) -> str:
        return value if isinstance(value, str) else iso(value)


class _Postgres(_Dialect):
    json_type, ts_type = "JSONB", "TIMESTAMPTZ"
    connection_errors = (psycopg.OperationalError,)
    errors = (psycopg.Error,)

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.label = f"postgresql registry at {endpoint.label}"

    def connect(self):
        return self.endpoint.connect(autocommit=True)

    def to_json(self, value: dict):
        return Jsonb(value)

    def to_ts(self, moment: datetime):
        return moment

    def begin_read(self) -> str:
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def begin_write(self) -> str:
        return "BEGIN"

    def create_lock(self) -> str:
        return f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"

    def message(self, error: BaseException) -> str:
        return self.endpoint.message(error)


class _Sqlite(_Dialect):
    json_type, ts_type = "TEXT", "TEXT"
    connection_errors = (sqlite3.OperationalError,)
    errors = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"sqlite registry {path}"

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

    def begin_write(self) -> str:
        return "BEGIN IMMEDIATE"

    def create_lock(self) -> str | None:
        return None

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


class SqlRegistryStore:
    """The RegistryStore protocol over PostgreSQL or SQLite (see the module docstring for the layout)."""

    def __init__(self, url: str, repo_path: Path) -> None:
        self.dialect = dialect_for(url, Path(repo_path))
        self._conn = None
        self._lock = threading.Lock()
        self._ready = False
        self._cached: dict | None = None

    # ---- connection and transactions ----------------------------------------------------------

    def _run(self, work: Callable, write: bool, what: str):
        """Run ``work(cursor)`` in one transaction; reconnect once if the kept connection went stale."""
        d = self.dialect
        with self._lock:
            for attempt in (0, 1):
                fresh = self._conn is None
                if fresh:
                    self._conn = d.connect()
                try:
                    if not self._ready:
                        self._create_tables()
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
            with contextlib.suppress(self.dialect.errors):
                self._conn.close()
            self._conn = None

    def _transaction(self, work: Callable, write: bool):
        d, conn = self.dialect, self._conn
        cursor = conn.cursor()
        cursor.execute(d.begin_write() if write else d.begin_read())
        try:
            result = work(cursor)
        except BaseException:
            with contextlib.suppress(d.errors):
                cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
        return result

    def _create_tables(self) -> None:
        d = self.dialect

        def create(cursor) -> None:
            lock = d.create_lock()
            if lock:
                cursor.execute(lock)
            for statement in _TABLES:
                cursor.execute(statement.format(json=d.json_type, ts=d.ts_type))
            for key, value in (("schema_version", SCHEMA_VERSION), ("version_id", ""), ("last_updated", "")):
                cursor.execute(
                    d.sql("INSERT INTO feast_core_registry_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING"),
                    (key, value),
                )
            cursor.execute("SELECT value FROM feast_core_registry_meta WHERE key = 'schema_version'")
            found = cursor.fetchone()[0]
            if found != SCHEMA_VERSION:
                raise RegistryError(f"{d.label}: registry schema version {found}, this feast-core reads {SCHEMA_VERSION}")

        self._transaction(create, write=True)
        self._ready = True

    def _bump(self, cursor) -> None:
        """Take the writers' lock (the version row) and give the registry a new version."""
        d = self.dialect
        cursor.execute(
            d.sql("UPDATE feast_core_registry_meta SET value = %s WHERE key = 'version_id'"), (uuid.uuid4().hex,)
        )
        cursor.execute(
            d.sql("UPDATE feast_core_registry_meta SET value = %s WHERE key = 'last_updated'"), (iso(utcnow()),)
        )

    # ---- protocol ------------------------------------------------------------------------------

    def read(self) -> dict:
        return self._run(self._read, write=False, what="reading the registry")

    def _read(self, cursor) -> dict:
        d = self.dialect
        cursor.execute("SELECT key, value FROM feast_core_registry_meta WHERE key IN ('version_id', 'last_updated')")
        meta = dict(cursor.fetchall())
        cached = self._cached
        if cached is not None and meta["version_id"] and cached["version_id"] == meta["version_id"]:
            return cached
        raw = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "version_id": meta["version_id"], "last_updated": meta["last_updated"] or None, "projects": {},
        }
        projects = raw["projects"]
        cursor.execute("SELECT project, spec, created, last_updated FROM feast_core_projects")
        for project, spec, created, updated in cursor.fetchall():
            projects.setdefault(project, empty_project())["project"] = {
                "spec": d.from_json(spec), "created": d.from_ts(created), "last_updated": d.from_ts(updated),
            }
        cursor.execute("SELECT project, kind, name, spec, created, last_updated FROM feast_core_objects")
        for project, kind, name, spec, created, updated in cursor.fetchall():
            if kind not in KINDS:
                continue  # written by a newer feast-core; ignored rather than misread
            projects.setdefault(project, empty_project())[kind][name] = {
                "spec": d.from_json(spec), "created": d.from_ts(created), "last_updated": d.from_ts(updated),
            }
        cursor.execute("SELECT project, view, state FROM feast_core_materialization")
        for project, view, state in cursor.fetchall():
            projects.setdefault(project, empty_project())["materialization"][view] = d.from_json(state)
        self._cached = raw
        return raw

    def apply(self, changes: Changes) -> None:
        self._run(lambda cursor: self._apply(cursor, changes), write=True, what=f"applying to project {changes.project!r}")

    def _apply(self, cursor, changes: Changes) -> None:
        d = self.dialect
        self._bump(cursor)
        now = d.to_ts(utcnow())
        project = changes.project
        if changes.project_spec is not None:
            cursor.execute(
                d.sql(
                    "INSERT INTO feast_core_projects (project, spec, created, last_updated) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (project) DO UPDATE SET spec = excluded.spec, last_updated = excluded.last_updated"
                ),
                (project, d.to_json(changes.project_spec), now, now),
            )
        else:
            default = {"name": project, "description": "", "tags": {}, "owner": ""}
            cursor.execute(
                d.sql(
                    "INSERT INTO feast_core_projects (project, spec, created, last_updated) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (project) DO NOTHING"
                ),
                (project, d.to_json(default), now, now),
            )
        rows = [
            (project, kind, name, d.to_json(spec), now, now)
            for kind, objects in sorted(changes.upserts.items()) for name, spec in sorted(objects.items())
        ]
        if rows:
            cursor.executemany(
                d.sql(
                    "INSERT INTO feast_core_objects (project, kind, name, spec, created, last_updated) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (project, kind, name) DO UPDATE SET "
                    "spec = excluded.spec, last_updated = excluded.last_updated "
                    "WHERE feast_core_objects.spec <> excluded.spec"
                ),
                rows,
            )
        for kind, names in sorted(changes.deletes.items()):
            for name in sorted(names):
                cursor.execute(
                    d.sql("DELETE FROM feast_core_objects WHERE project = %s AND kind = %s AND name = %s"),
                    (project, kind, name),
                )
                if kind == "feature_views":
                    cursor.execute(
                        d.sql("DELETE FROM feast_core_materialization WHERE project = %s AND view = %s"), (project, name)
                    )

    def record_materialization(self, project: str, view: str, start: datetime, end: datetime) -> None:
        self._run(
            lambda cursor: self._record(cursor, project, view, start, end), write=True,
            what=f"recording the materialization of {view!r}",
        )

    def _record(self, cursor, project: str, view: str, start: datetime, end: datetime) -> None:
        d = self.dialect
        self._bump(cursor)
        cursor.execute(
            d.sql("SELECT 1 FROM feast_core_objects WHERE project = %s AND kind = 'feature_views' AND name = %s"),
            (project, view),
        )
        if cursor.fetchone() is None:
            return  # the view was deleted meanwhile; nothing to record
        cursor.execute(
            d.sql("SELECT state FROM feast_core_materialization WHERE project = %s AND view = %s"), (project, view)
        )
        row = cursor.fetchone()
        state = add_interval(d.from_json(row[0]) if row else None, start, end)
        cursor.execute(
            d.sql(
                "INSERT INTO feast_core_materialization (project, view, state) VALUES (%s, %s, %s) "
                "ON CONFLICT (project, view) DO UPDATE SET state = excluded.state"
            ),
            (project, view, d.to_json(state)),
        )

    def delete_project(self, project: str) -> None:
        def work(cursor) -> None:
            self._bump(cursor)
            for table in ("feast_core_objects", "feast_core_materialization", "feast_core_projects"):
                cursor.execute(self.dialect.sql(f"DELETE FROM {table} WHERE project = %s"), (project,))

        self._run(work, write=True, what=f"deleting project {project!r}")

    def close(self) -> None:
        with self._lock:
            self._discard()
