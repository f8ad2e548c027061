"""The reference integrator's plain feast-configuration form: fifteen string keys.

The reference feast-integrator writes, in its application databag,
``registry_*``, ``offline_store_*`` and ``online_store_*`` keys (``host``, ``port``,
``database``, ``user``, ``password``) and nothing else. This module turns that databag
into a typed model and renders feature_store.yaml from it. Values are serialised by a
YAML emitter and credentials in the registry URL are percent-encoded, so passwords with
``@ : / % # ' "`` or newlines survive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import yaml

STORES = ("registry", "offline_store", "online_store")
FIELDS = ("host", "port", "database", "user", "password")
KEYS = frozenset(f"{store}_{name}" for store in STORES for name in FIELDS)
DEFAULT_PROJECT = "feast_project"


class PlainConfigError(ValueError):
    """The databag is not a complete, valid fifteen-key configuration."""


@dataclass(frozen=True)
class Database:
    """Connection details of one PostgreSQL database."""

    host: str
    port: int
    database: str
    user: str
    password: str


@dataclass(frozen=True)
class PlainStoreConfiguration:
    """The three databases the feature store uses."""

    registry: Database
    offline_store: Database
    online_store: Database

    @classmethod
    def from_databag(cls, databag: Mapping[str, str]) -> PlainStoreConfiguration:
        """Parse the databag; unknown keys are ignored, missing or bad ones raise."""
        missing = sorted(KEYS - set(databag))
        if missing:
            raise PlainConfigError(f"missing keys: {', '.join(missing)}")
        stores = {}
        for store in STORES:
            values = {name: databag[f"{store}_{name}"] for name in FIELDS}
            for name in ("host", "database", "user"):
                if not values[name].strip():
                    raise PlainConfigError(f"{store}_{name} is empty")
            try:
                port = int(values["port"])
            except ValueError:
                raise PlainConfigError(f"{store}_port is not an integer: {values['port']!r}") from None
            if not 0 < port < 65536:
                raise PlainConfigError(f"{store}_port is out of range: {port}")
            values["port"] = port
            stores[store] = Database(**values)
        return cls(**stores)


def looks_plain(databag: Mapping[str, str]) -> bool:
    """True when the databag carries any of the fifteen keys."""
    return any(key in KEYS for key in databag)


def registry_url(db: Database) -> str:
    """SQLAlchemy URL of the registry database with percent-encoded credentials."""
    user = quote(db.user, safe="")
    password = quote(db.password, safe="")
    host = f"[{db.host}]" if ":" in db.host else db.host  # IPv6 literal
    return f"postgresql+psycopg://{user}:{password}@{host}:{db.port}/{quote(db.database, safe='')}"


def _store(db: Database) -> dict:
    return {
        "type": "postgres",
        "host": db.host,
        "port": db.port,
        "database": db.database,
        "db_schema": "public",
        "user": db.user,
        "password": db.password,
    }


def render_feature_store_yaml(config: PlainStoreConfiguration, project: str = DEFAULT_PROJECT) -> str:
    """feature_store.yaml for the plain form (sql registry, postgres offline and online stores)."""
    document = {
        "project": project,
        "registry": {
            "registry_type": "sql",
            "path": registry_url(config.registry),
            "cache_ttl_seconds": 60,
            "sqlalchemy_config_kwargs": {"echo": False, "pool_pre_ping": True},
        },
        "provider": "local",
        "offline_store": _store(config.offline_store),
        "online_store": _store(config.online_store),
        "entity_key_serialization_version": 3,
    }
    return yaml.safe_dump(document, sort_keys=False)
