"""The one renderer of feature_store.yaml, from a typed model, in its three forms.

* the direct form (:func:`feature_store_document`): the three PostgreSQL databases, credentials
  included; what feast-ui reads, and what notebooks get without a feast-server;
* the server form (:func:`server_document`): the direct form plus the ``auth`` block feast-server
  enforces, for feast-server's own servers;
* the client form (:func:`client_document`): feast-server's three addresses (``registry_type: remote``,
  ``offline_store`` and ``online_store`` of ``type: remote``) and the ``auth`` block a client follows to
  send its token: no database, no password.

Values are never interpolated into YAML text: the document is built as a dict and dumped with
yaml.safe_dump, and credentials inside the registry URL are percent-encoded.

Every connection says its ``sslmode`` explicitly, in both store blocks and in the registry URL:
``disable`` when the database relation offers no TLS, ``require`` when it does. Clients must not
fall back on their own defaults, which differ (libpq tries TLS and falls back; upstream Feast's
PostgreSQL config insists on TLS), so a deployment without TLS would be refused by one SDK and
not the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import yaml
from charms.feast_integrator.v0.feast_server import FeastServerEndpoints

ENTITY_KEY_SERIALIZATION_VERSION = 3
DB_SCHEMA = "public"
TLS_SSLMODE = "require"
NO_TLS_SSLMODE = "disable"


@dataclass(frozen=True)
class DatabaseConnection:
    """Where one PostgreSQL database lives and how to log in."""

    host: str
    port: int
    database: str
    user: str
    password: str
    tls: bool = False

    @property
    def sslmode(self) -> str:
        """libpq sslmode for this database: TLS is required exactly when the provider offers it."""
        return TLS_SSLMODE if self.tls else NO_TLS_SSLMODE


@dataclass(frozen=True)
class FeatureStoreSettings:
    """Everything feature_store.yaml says."""

    project: str
    registry_cache_ttl_seconds: int
    registry: DatabaseConnection
    offline_store: DatabaseConnection
    online_store: DatabaseConnection


def registry_url(connection: DatabaseConnection) -> str:
    """SQLAlchemy URL `postgresql+psycopg://user:pass@host:port/db?sslmode=...`, credentials percent-encoded."""
    user = quote(connection.user, safe="")
    password = quote(connection.password, safe="")
    database = quote(connection.database, safe="")
    host = f"[{connection.host}]" if ":" in connection.host else connection.host
    authority = f"{user}:{password}@{host}:{connection.port}"
    return f"postgresql+psycopg://{authority}/{database}?sslmode={connection.sslmode}"


def _postgres_store(connection: DatabaseConnection) -> dict:
    return {
        "type": "postgres",
        "host": connection.host,
        "port": connection.port,
        "database": connection.database,
        "db_schema": DB_SCHEMA,
        "user": connection.user,
        "password": connection.password,
        "sslmode": connection.sslmode,
    }


def feature_store_document(settings: FeatureStoreSettings) -> dict:
    """feature_store.yaml as a plain dict (key order is the order written)."""
    return {
        "project": settings.project,
        "provider": "local",
        "registry": {
            "registry_type": "sql",
            "path": registry_url(settings.registry),
            "cache_ttl_seconds": settings.registry_cache_ttl_seconds,
        },
        "offline_store": _postgres_store(settings.offline_store),
        "online_store": _postgres_store(settings.online_store),
        "entity_key_serialization_version": ENTITY_KEY_SERIALIZATION_VERSION,
    }


def server_document(settings: FeatureStoreSettings, auth_type: str) -> dict:
    """feast-server's feature_store.yaml: the databases, and the auth its servers enforce."""
    return {**feature_store_document(settings), "auth": {"type": auth_type}}


def client_document(project: str, registry_cache_ttl_seconds: int, server: FeastServerEndpoints) -> dict:
    """A notebook's feature_store.yaml reaching everything through feast-server (as Feast's operator
    writes its client configuration): no database connection and no credential in it."""
    return {
        "project": project,
        "provider": "local",
        "registry": {
            "registry_type": "remote",
            "path": server.registry_address,
            "cache_ttl_seconds": registry_cache_ttl_seconds,
        },
        "offline_store": {"type": "remote", "host": server.offline_host, "port": server.offline_port},
        "online_store": {"type": "remote", "path": server.online_url},
        "auth": {"type": server.auth_type},
        "entity_key_serialization_version": ENTITY_KEY_SERIALIZATION_VERSION,
    }


def dump(document: dict) -> str:
    """feature_store.yaml text; every value is quoted by the YAML emitter as needed."""
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, allow_unicode=True)


def render_feature_store_yaml(settings: FeatureStoreSettings) -> str:
    """The direct form's text."""
    return dump(feature_store_document(settings))
