"""bundle.yaml joins endpoints that exist, with matching interfaces and opposite roles."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "bundle.yaml"

# Endpoints of the charms we deploy from Charmhub (charm-protocols.md §2.2, §2.5):
# endpoint -> (role, interface).
KNOWN_ENDPOINTS = {
    "postgresql-k8s": {
        "database": ("provides", "postgresql_client"),
    },
    "resource-dispatcher": {
        name: ("provides", "kubernetes_manifest")
        for name in ("secrets", "pod-defaults", "service-accounts", "roles", "role-bindings", "config-maps")
    },
}


def local_endpoints(charm_dir: Path) -> dict[str, tuple[str, str]]:
    meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    endpoints = {}
    for role in ("requires", "provides", "peers"):
        for name, spec in (meta.get(role) or {}).items():
            endpoints[name] = (role, spec["interface"])
    return endpoints


def charm_name_and_endpoints(app: dict) -> tuple[str, dict[str, tuple[str, str]]]:
    charm = app["charm"]
    if charm.startswith("./"):
        charm_dir = (BUNDLE.parent / charm).parent
        if not (charm_dir / "charmcraft.yaml").exists():
            pytest.skip(f"{charm_dir.relative_to(REPO)}/charmcraft.yaml does not exist yet")
        meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
        assert Path(charm).name == f"{meta['name']}_amd64.charm", (
            "local charm path must be what charmcraft pack writes"
        )
        return meta["name"], local_endpoints(charm_dir)
    assert charm in KNOWN_ENDPOINTS, f"no endpoint table for {charm}"
    return charm, KNOWN_ENDPOINTS[charm]


@pytest.fixture(scope="module")
def bundle() -> dict:
    return yaml.safe_load(BUNDLE.read_text())


def test_applications(bundle):
    apps = bundle["applications"]
    assert bundle["bundle"] == "kubernetes"
    postgres = [name for name, app in apps.items() if app["charm"] == "postgresql-k8s"]
    assert len(postgres) == 3
    assert all(apps[name]["channel"] == "14/stable" for name in postgres)
    assert {"feast-integrator", "feast-ui", "resource-dispatcher"} <= set(apps)
    assert all(app.get("trust") is True for app in apps.values())
    assert "oci-image" in apps["feast-ui"]["resources"]


def test_every_relation_joins_existing_endpoints_with_matching_interfaces(bundle):
    apps = bundle["applications"]
    for pair in bundle["relations"]:
        assert len(pair) == 2
        ends = []
        for end in pair:
            app_name, endpoint = end.split(":")
            assert app_name in apps, f"{end}: no application {app_name}"
            charm, endpoints = charm_name_and_endpoints(apps[app_name])
            assert endpoint in endpoints, f"{end}: {charm} has no endpoint {endpoint}"
            ends.append(endpoints[endpoint])
        (role_a, iface_a), (role_b, iface_b) = ends
        assert iface_a == iface_b, f"{pair}: interfaces {iface_a} != {iface_b}"
        assert {role_a, role_b} == {"requires", "provides"}, f"{pair}: roles {role_a}, {role_b}"


def test_required_endpoints_of_the_integrator_and_ui_are_related(bundle):
    related = {end for pair in bundle["relations"] for end in pair}
    for endpoint in ("offline-store", "online-store", "registry", "secrets", "pod-defaults"):
        assert f"feast-integrator:{endpoint}" in related
    assert "feast-ui:feast-configuration" in related


def test_bundle_resources_match_charm_metadata(bundle):
    meta = yaml.safe_load((REPO / "charms" / "feast-ui" / "charmcraft.yaml").read_text())
    assert set(bundle["applications"]["feast-ui"]["resources"]) == set(meta["resources"])
