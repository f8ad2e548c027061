"""Read the whole charm state and decide what should be published and which status to show.

This module only reads (relation data, secrets, config); it writes nothing, so it serves both the
reconcile and collect-status.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import ops
from charms.feast_integrator.v0.feast_server import (
    FeastServerEndpoints,
    FeastServerInvalidError,
    FeastServerNotReadyError,
    FeastServerProvider,
)
from charms.feast_integrator.v0.postgresql_client import (
    PostgreSQLConnection,
    PostgreSQLRequirer,
    RelationInvalidError,
    RelationMissingError,
    RelationNotReadyError,
)

from integrator.charm_config import AUTO, DIRECT, REMOTE, InvalidConfigError, parse_config
from integrator.feature_store import DatabaseConnection, FeatureStoreSettings

OFFLINE_STORE = "offline-store"
ONLINE_STORE = "online-store"
REGISTRY = "registry"
SECRETS = "secrets"
POD_DEFAULTS = "pod-defaults"
FEAST_CONFIGURATION = "feast-configuration"
FEAST_SERVER = "feast-server"
REMOTE_ACTIVE_MESSAGE = "notebooks reach the feature store through feast-server"

DATABASE_ENDPOINTS = (OFFLINE_STORE, ONLINE_STORE, REGISTRY)
REQUIRED_ENDPOINTS = (*DATABASE_ENDPOINTS, SECRETS, POD_DEFAULTS)


@dataclass(frozen=True)
class Assessment:
    """What the charm can publish now, and what stops it from publishing the rest.

    ``notebooks`` is what the notebook Secret carries: ``direct`` (the databases), ``remote`` (the client
    configuration of ``server``) or None (nothing may be sent yet). ``server`` is the related feast-server's
    addresses, None without one or while they are missing or invalid.
    """

    settings: FeatureStoreSettings | None
    blocked_reasons: tuple[str, ...]
    waiting_reasons: tuple[str, ...]
    notebooks: str | None = None
    server: FeastServerEndpoints | None = None

    def unit_status(self, is_leader: bool) -> ops.StatusBase:
        """The status a person should see: Blocked before Waiting before Active."""
        if self.blocked_reasons:
            return ops.BlockedStatus("; ".join(self.blocked_reasons))
        if self.waiting_reasons:
            return ops.WaitingStatus("; ".join(self.waiting_reasons))
        if not is_leader:
            return ops.ActiveStatus("standby: the leader unit publishes the configuration")
        return ops.ActiveStatus(REMOTE_ACTIVE_MESSAGE if self.notebooks == REMOTE else "")


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
    server_provider: FeastServerProvider,
) -> Assessment:
    """Combine config, database relations, feast-server's addresses and the presence of the other relations."""
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

    server = None
    try:
        server = server_provider.get_endpoints()
    except FeastServerNotReadyError as error:
        waiting.append(_sentence(str(error)))
    except FeastServerInvalidError as error:
        blocked.append(f"Invalid {FEAST_SERVER} data: {error}")

    notebooks = None
    if config is not None:
        server_related = FEAST_SERVER in related_endpoints
        mode = config.notebook_configuration
        if mode == DIRECT or (mode == AUTO and not server_related):
            notebooks = DIRECT
        elif not server_related:
            blocked.append(
                f"notebook-configuration is {REMOTE!r} but no feast-server is related; "
                f"run juju integrate feast-integrator:{FEAST_SERVER} feast-server"
            )
        elif server is not None:
            notebooks = REMOTE

    settings = None
    if config is not None and len(connections) == len(DATABASE_ENDPOINTS):
        settings = FeatureStoreSettings(
            project=config.project,
            registry_cache_ttl_seconds=config.registry_cache_ttl_seconds,
            registry=connections[REGISTRY],
            offline_store=connections[OFFLINE_STORE],
            online_store=connections[ONLINE_STORE],
        )
    return Assessment(settings, tuple(blocked), tuple(waiting), notebooks=notebooks, server=server)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
