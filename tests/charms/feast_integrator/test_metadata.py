"""charmcraft.yaml: the endpoints and interfaces the real remote charms join on, and config defaults."""

from __future__ import annotations

from pathlib import Path

import yaml

CHARMCRAFT = Path(__file__).resolve().parents[3] / "charms" / "feast-integrator" / "charmcraft.yaml"


def _metadata() -> dict:
    return yaml.safe_load(CHARMCRAFT.read_text())


def test_kubernetes_charm_without_workload_container():
    metadata = _metadata()
    assert metadata["base"] == "ubuntu@24.04"
    assert "k8s-api" in metadata["assumes"]
    assert "containers" not in metadata
    assert "resources" not in metadata


def test_endpoints_and_interfaces():
    metadata = _metadata()
    requires = {name: spec["interface"] for name, spec in metadata["requires"].items()}
    assert requires == {
        "offline-store": "postgresql_client",
        "online-store": "postgresql_client",
        "registry": "postgresql_client",
        "secrets": "kubernetes_manifest",
        "pod-defaults": "kubernetes_manifest",
    }
    assert metadata["provides"] == {
        "feast-configuration": {"interface": "feast-configuration", "limit": 1},
        "feast-server": {"interface": "feast_server", "limit": 1},
    }


def test_config_defaults():
    options = _metadata()["config"]["options"]
    assert options["project"]["default"] == "feast_project"
    assert options["registry-cache-ttl"] == {**options["registry-cache-ttl"], "type": "int", "default": 60}
