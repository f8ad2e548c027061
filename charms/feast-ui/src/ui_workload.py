"""The feast-ui workload: where its files live and the Pebble layer that runs it."""

from __future__ import annotations

import hashlib

CONTAINER = "feast-ui"
SERVICE = "feast-ui"
CHECK = "feast-ui-up"
PORT = 8888
ROOT_PATH = "/feast"
HOME = "/home/ubuntu"
CONFIG_PATH = f"{HOME}/feature_store.yaml"
CONFIG_HASH_ENV = "FEAST_UI_CONFIG_HASH"
HEALTH_URL = f"http://localhost:{PORT}/health"
# Prometheus scrapes the pod directly; `feast ui` serves /metrics with and without the root path
METRICS_PATH = "/metrics"

# `feast ui` options, as feast_core.cli defines them (tests check they exist there).
COMMAND_ARGS = ("--host", "0.0.0.0", "--port", str(PORT), "--root_path", ROOT_PATH)
COMMAND = " ".join(("feast", "ui", *COMMAND_ARGS))


def content_hash(text: str) -> str:
    """A stable digest of the configuration, put in the service environment."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pebble_layer(config_text: str, environment: dict[str, str] | None = None,
                 log_targets: dict | None = None) -> dict:
    """The layer that runs `feast ui` on ``config_text``.

    The configuration's hash is part of the service environment, so a changed
    feature_store.yaml changes the layer and ``replan`` restarts the service; so do changed
    ``environment`` variables (the OTEL_* ones that send traces to the related collector).
    ``log_targets``: Pebble log forwarding to the related Loki units.
    """
    layer = {
        "summary": "feast-ui layer",
        "description": "Pebble config layer for feast-ui",
        "services": {
            SERVICE: {
                "override": "replace",
                "summary": "Entry point for feast-ui image",
                "command": COMMAND,
                "startup": "enabled",
                "working-dir": HOME,
                "environment": {
                    **(environment or {}),
                    "FEAST_FS_YAML_FILE_PATH": CONFIG_PATH,
                    CONFIG_HASH_ENV: content_hash(config_text),
                },
            }
        },
        "checks": {
            CHECK: {
                "override": "replace",
                "level": "ready",
                "period": "30s",
                "timeout": "5s",
                "threshold": 3,
                "http": {"url": HEALTH_URL},
            }
        },
    }
    if log_targets:
        layer["log-targets"] = log_targets
    return layer
