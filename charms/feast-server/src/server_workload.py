"""The feast-server workload: its three servers, their ports and health checks, and the Pebble layer.

Every unit runs all three servers in the ``feast-server`` container on the feature_store.yaml that
feast-integrator sends; Juju's Kubernetes Service for the application spreads requests over the units.
Ports and flags are Feast's (`feast serve -h -p`, `feast serve_registry -p`, `feast serve_offline -h -p`;
the registry's gRPC server binds every address itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

CONTAINER = "feast-server"
HOME = "/home/ubuntu"
CONFIG_PATH = f"{HOME}/feature_store.yaml"
CONFIG_HASH_ENV = "FEAST_SERVER_CONFIG_HASH"
LAYER = "feast-server"

ONLINE_PORT = 6566
REGISTRY_PORT = 6570
OFFLINE_PORT = 8815
PORTS = (ONLINE_PORT, REGISTRY_PORT, OFFLINE_PORT)
HEALTH_URL = f"http://localhost:{ONLINE_PORT}/health"
METRICS_PATH = "/metrics"  # served by `feast serve` on its own port


@dataclass(frozen=True)
class Server:
    """One Feast server: its Pebble service, the `feast` sub-command that runs it, and its health check."""

    service: str
    subcommand: str
    args: tuple[str, ...]
    check: str
    check_spec: dict
    what: str  # for status messages
    role: str  # in the service name its traces carry: <app>-<role>

    def command(self, log_level: str, extra: tuple[str, ...] = ()) -> str:
        return " ".join(("feast", "--log-level", log_level, self.subcommand, *self.args, *extra))


ONLINE = Server(
    service="feast-online-server",
    subcommand="serve",
    args=("--host", "0.0.0.0", "--port", str(ONLINE_PORT)),
    check="online-server-up",
    check_spec={"http": {"url": HEALTH_URL}},
    what="online server",
    role="online",
)
REGISTRY = Server(
    service="feast-registry-server",
    subcommand="serve_registry",
    args=("--port", str(REGISTRY_PORT)),
    check="registry-server-up",
    check_spec={"tcp": {"port": REGISTRY_PORT}},
    what="registry server",
    role="registry",
)
OFFLINE = Server(
    service="feast-offline-server",
    subcommand="serve_offline",
    args=("--host", "0.0.0.0", "--port", str(OFFLINE_PORT)),
    check="offline-server-up",
    check_spec={"tcp": {"port": OFFLINE_PORT}},
    what="offline server",
    role="offline",
)
SERVERS = (ONLINE, REGISTRY, OFFLINE)
SERVICES = tuple(server.service for server in SERVERS)


@dataclass(frozen=True)
class WorkloadSettings:
    """What the charm's config options say about the servers."""

    log_level: str = "info"
    workers: int = 1


class InvalidConfigError(ValueError):
    """A config option the charm cannot use; ``str()`` names it."""


LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def parse_config(options) -> WorkloadSettings:
    """The charm's config options as WorkloadSettings; raise InvalidConfigError naming the bad one."""
    log_level = str(options.get("log-level", "info")).strip().lower()
    if log_level not in LOG_LEVELS:
        raise InvalidConfigError(f"config 'log-level' must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    workers = options.get("workers", 1)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InvalidConfigError(f"config 'workers' must be a positive integer, got {workers!r}")
    return WorkloadSettings(log_level=log_level, workers=workers)


def content_hash(config_text: str, settings: WorkloadSettings) -> str:
    """A digest of everything the servers run on: a change of it changes the layer, so replan restarts them."""
    digest = hashlib.sha256(config_text.encode("utf-8"))
    digest.update(f"\0{settings.log_level}\0{settings.workers}".encode())
    return digest.hexdigest()


def pebble_layer(
    config_text: str,
    settings: WorkloadSettings,
    environments: dict[str, dict[str, str]] | None = None,
    log_targets: dict | None = None,
) -> dict:
    """The layer running the three servers on ``config_text``; each restarts when its check fails.

    ``environments``: extra variables per service (the OTEL_* ones sending its traces to the related
    collector; a changed endpoint changes the layer, so ``replan`` restarts the service).
    ``log_targets``: Pebble log forwarding to the related Loki units.
    """
    environment = {
        "FEAST_FS_YAML_FILE_PATH": CONFIG_PATH,
        CONFIG_HASH_ENV: content_hash(config_text, settings),
    }
    services = {}
    checks = {}
    for server in SERVERS:
        extra = ("--workers", str(settings.workers)) if server is ONLINE else ()
        services[server.service] = {
            "override": "replace",
            "summary": f"Feast {server.what} (feast {server.subcommand})",
            "command": server.command(settings.log_level, extra),
            "startup": "enabled",
            "working-dir": HOME,
            "environment": {**(environments or {}).get(server.service, {}), **environment},
            "on-check-failure": {server.check: "restart"},
        }
        checks[server.check] = {
            "override": "replace",
            "level": "alive",
            "period": "30s",
            "timeout": "5s",
            "threshold": 3,
            **server.check_spec,
        }
    layer = {
        "summary": "feast-server layer",
        "description": "Feast's online, registry and offline servers",
        "services": services,
        "checks": checks,
    }
    if log_targets:
        layer["log-targets"] = log_targets
    return layer
