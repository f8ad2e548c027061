"""Read the whole charm state and decide what should be published and which status to show.

This module only reads (relation data, secrets, config); it writes nothing, so it serves both the
reconcile and collect-status.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import ops
from charms.feast_integrator.v0.postgresql_client import (
    PostgreSQLConnection,
    PostgreSQLRequirer,
    RelationInvalidError,
    RelationMissingError,
    RelationNotReadyError,
)

from integrator.charm_config import InvalidConfigError, parse_config
from integrator.feature_store import DatabaseConnection, FeatureStoreSettings

OFFLINE_STORE = "offline-store"
ONLINE_STORE = "online-store"
REGISTRY = "registry"
SECRETS = "secrets"
POD_DEFAULTS = "pod-defaults"
FEAST_CONFIGURATION = "feast-configuration"

DATABASE_ENDPOINTS = (OFFLINE_STORE, ONLINE_STORE, REGISTRY)
REQUIRED_ENDPOINTS = (*DATABASE_ENDPOINTS, SECRETS, POD_DEFAULTS)


@dataclass(frozen=True)
class Assessment:
    """What the charm can publish now, and what stops it from publishing the rest."""

    settings: FeatureStoreSettings | None
    blocked_reasons: tuple[str, ...]
    waiting_reasons: tuple[str, ...]

    def unit_status(self, is_leader: bool) -> ops.StatusBase:
        """The status a person should see: Blocked before Waiting before Active."""
        if self.blocked_reasons:
            return ops.BlockedStatus("; ".join(self.blocked_reasons))
        if self.waiting_reasons:
            return ops.WaitingStatus("; ".join(self.waiting_reasons))
        if not is_leader:
            return ops.ActiveStatus("standby: the leader unit publishes the configuration")
        return ops.ActiveStatus()


def _database_connection(connection: PostgreSQLConnection) -> DatabaseConnection:
    return DatabaseConnection(
        host=connection.host,
        port=connection.port,
        database=connection.database,
        user=connection.username,
        password=connection.password,
        tls=connection.tls,
    )


def assess(
    config_options: Mapping[str, object],
    databases: Mapping[str, PostgreSQLRequirer],
    related_endpoints: Collection[str],
) -> Assessment:
    """Combine config, database relations and the presence of the other relations."""
    blocked: list[str] = []
    waiting: list[str] = []

    missing = [endpoint for endpoint in REQUIRED_ENDPOINTS if endpoint not in related_endpoints]
    if missing:
        blocked.append(f"Missing relations: {', '.join(missing)}")

    config = None
    try:
        config = parse_config(config_options)
    except InvalidConfigError as error:
        blocked.append(f"Invalid {error}")

    connections: dict[str, DatabaseConnection] = {}
    for endpoint in DATABASE_ENDPOINTS:
        try:
            connections[endpoint] = _database_connection(databases[endpoint].get_connection())
        except RelationMissingError:
            continue  # already named among the missing relations
        except RelationNotReadyError as error:
            waiting.append(_sentence(str(error)))
        except RelationInvalidError as error:
            blocked.append(_sentence(str(error)))

    settings = None
    if config is not None and len(connections) == len(DATABASE_ENDPOINTS):
        settings = FeatureStoreSettings(
            project=config.project,
            registry_cache_ttl_seconds=config.registry_cache_ttl_seconds,
            registry=connections[REGISTRY],
            offline_store=connections[OFFLINE_STORE],
            online_store=connections[ONLINE_STORE],
        )
    return Assessment(settings, tuple(blocked), tuple(waiting))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
