"""bundle.yaml, its overlays and the `juju integrate` commands the docs give: endpoints that exist, interfaces
that match, roles that are opposite, and nothing that redeploys or refreshes Charmed Kubeflow's applications."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "bundle.yaml"
OVERLAYS = REPO / "overlays"
DOCS_WITH_COMMANDS = [BUNDLE, *sorted(OVERLAYS.glob("*.yaml")), *sorted((REPO / "docs").rglob("*.md"))]

# Endpoints of the charms we relate to but do not build (charm-protocols.md, feast-operator.md):
# charm -> endpoint -> (role, interface).
KNOWN_ENDPOINTS = {
    "postgresql-k8s": {
        "database": ("provides", "postgresql_client"),
        "certificates": ("requires", "tls-certificates"),
    },
    "self-signed-certificates": {"certificates": ("provides", "tls-certificates")},
    "resource-dispatcher": {
        name: ("provides", "kubernetes_manifest")
        for name in ("secrets", "pod-defaults", "service-accounts", "roles", "role-bindings", "config-maps")
    },
    "kubeflow-dashboard": {"links": ("provides", "kubeflow_dashboard_links")},
    "istio-pilot": {"ingress": ("provides", "ingress")},
    "istio-beacon-k8s": {"service-mesh": ("provides", "service_mesh")},
    "istio-ingress-k8s": {"istio-ingress-route": ("provides", "istio_ingress_route")},
    "opentelemetry-collector-k8s": {
        "metrics-endpoint": ("requires", "prometheus_scrape"),
        "grafana-dashboards-consumer": ("requires", "grafana_dashboard"),
        "receive-loki-logs": ("provides", "loki_push_api"),
        "receive-traces": ("provides", "tracing"),
    },
}
# Application names the docs deploy those charms under (`juju deploy <charm> <name>`).
DOC_APPLICATIONS = {"otelcol": "opentelemetry-collector-k8s"}
# Charmed Kubeflow's applications (by application name, as its bundle names them): never in ours.
KUBEFLOW_APPLICATIONS = {"istio-pilot", "kubeflow-dashboard", "metacontroller-operator", "admission-webhook"}


def charm_endpoints(charm_dir: Path) -> dict[str, tuple[str, str]]:
    meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    return {
        name: (role, spec["interface"])
        for role in ("requires", "provides", "peers")
        for name, spec in (meta.get(role) or {}).items()
    }


LOCAL = {path.parent.name: charm_endpoints(path.parent) for path in (REPO / "charms").glob("*/charmcraft.yaml")}


def endpoints_of(app: str, bundle: dict) -> tuple[str, dict]:
    """(charm name, endpoints) of an application of the bundle, or of a Kubeflow app named like its charm."""
    spec = bundle["applications"].get(app)
    charm = spec["charm"] if spec else DOC_APPLICATIONS.get(app, app)
    if charm.startswith("./"):
        path = Path(charm)
        name = path.parent.name
        assert path.name == f"{name}_amd64.charm", "local charm path must be what charmcraft pack writes"
        return name, LOCAL[name]
    assert charm in KNOWN_ENDPOINTS, f"no endpoint table for {charm}"
    return charm, KNOWN_ENDPOINTS[charm]


def assert_joinable(pair: list[str], bundle: dict) -> None:
    ends = []
    for end in pair:
        app, endpoint = end.split(":")
        charm, endpoints = endpoints_of(app, bundle)
        assert endpoint in endpoints, f"{end}: {charm} has no endpoint {endpoint}"
        ends.append(endpoints[endpoint])
    (role_a, iface_a), (role_b, iface_b) = ends
    assert iface_a == iface_b, f"{pair}: interfaces {iface_a} != {iface_b}"
    assert {role_a, role_b} == {"requires", "provides"}, f"{pair}: roles {role_a}, {role_b}"


def merged(*overlays: Path) -> dict:
    """The bundle with overlays applied, as `juju deploy --overlay` merges them (maps merge, lists add)."""
    bundle = yaml.safe_load(BUNDLE.read_text())
    for overlay in overlays:
        data = yaml.safe_load(overlay.read_text())
        for app, spec in (data.get("applications") or {}).items():
            target = bundle["applications"].setdefault(app, {})
            for key, value in spec.items():
                if isinstance(value, dict):
                    target.setdefault(key, {}).update(value)
                else:
                    target[key] = value
        bundle["relations"] += data.get("relations") or []
    return bundle


@pytest.fixture(scope="module")
def bundle() -> dict:
    return yaml.safe_load(BUNDLE.read_text())


@pytest.fixture(scope="module")
def image_overlay() -> Path:
    """The overlay scripts/push-rock-image writes (without pushing)."""
    subprocess.run(
        [str(REPO / "scripts" / "push-rock-image"), "--overlay-only", "registry.example.com:5000/team/"],
        check=True, capture_output=True, timeout=60,
    )
    return REPO / "build" / "feast-ui-image.yaml"


def test_applications(bundle):
    apps = bundle["applications"]
    assert bundle["bundle"] == "kubernetes"
    assert set(apps) == {
        "feast-integrator", "feast-ui", "feast-server", "feast-offline-store", "feast-online-store", "feast-registry"
    }
    assert all(app.get("trust") is True for app in apps.values())


def test_nothing_of_charmed_kubeflow_is_deployed_or_refreshed(bundle):
    assert "resource-dispatcher" not in bundle["applications"]
    assert not KUBEFLOW_APPLICATIONS & set(bundle["applications"])


def test_postgresql_has_a_stated_profile(bundle):
    for name in ("feast-offline-store", "feast-online-store", "feast-registry"):
        app = bundle["applications"][name]
        assert (app["charm"], app["channel"]) == ("postgresql-k8s", "14/stable")
        assert app["options"] == {"profile": "production", "profile_limit_memory": 2048}
        assert app["storage"] == {"pgdata": "10G"}


def test_every_relation_joins_existing_endpoints(bundle):
    for pair in bundle["relations"]:
        assert_joinable(pair, bundle)


def test_resource_dispatcher_overlay(bundle):
    full = merged(OVERLAYS / "resource-dispatcher.yaml")
    assert full["applications"]["resource-dispatcher"]["channel"] == "2.0/stable"
    for pair in full["relations"]:
        assert_joinable(pair, full)
    related = {end for pair in full["relations"] for end in pair}
    for endpoint in ("offline-store", "online-store", "registry", "secrets", "pod-defaults"):
        assert f"feast-integrator:{endpoint}" in related


@pytest.mark.parametrize("app", ["feast-ui", "feast-server"])
def test_the_image_comes_from_the_overlay_the_push_step_writes(bundle, image_overlay, app):
    assert "resources" not in bundle["applications"][app], "no image is pullable by default"
    full = merged(image_overlay)
    version = yaml.safe_load((REPO / "rocks" / "feast-ui" / "rockcraft.yaml").read_text())["version"]
    assert full["applications"][app]["resources"] == {
        "oci-image": f"registry.example.com:5000/team/feast-ui:{version}"
    }
    meta = yaml.safe_load((REPO / "charms" / app / "charmcraft.yaml").read_text())
    assert set(full["applications"][app]["resources"]) == set(meta["resources"])


def test_feast_server_is_configured_by_the_integrator(bundle):
    assert ["feast-server:feast-configuration", "feast-integrator:feast-server"] in bundle["relations"]


INTEGRATE = re.compile(r"juju integrate ([\w-]+:[\w-]+) ([\w-]+:[\w-]+)")


def test_every_documented_integrate_command_joins_existing_endpoints(bundle):
    full = merged(OVERLAYS / "resource-dispatcher.yaml")
    found = []
    for path in DOCS_WITH_COMMANDS:
        for pair in INTEGRATE.findall(path.read_text()):
            found.append(pair)
            assert_joinable(list(pair), full)
    documented = {end for pair in found for end in pair}
    # what a Charmed Kubeflow user has to relate by hand is written down somewhere
    for end in ("feast-integrator:secrets", "feast-integrator:pod-defaults", "feast-ui:dashboard-links",
                "feast-ui:ingress", "feast-ui:service-mesh", "feast-ui:istio-ingress-route"):
        assert end in documented, f"no doc says how to relate {end}"
