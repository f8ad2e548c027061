"""charmcraft.yaml declares what the remote charms and the bundle expect."""

from __future__ import annotations

from pathlib import Path

import yaml

META = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "charms" / "feast-ui" / "charmcraft.yaml").read_text()
)


def test_container_and_image_resource():
    assert META["containers"] == {"feast-ui": {"resource": "oci-image", "uid": 584792, "gid": 584792}}
    assert META["resources"]["oci-image"]["type"] == "oci-image"
    assert META["base"] == "ubuntu@24.04"
    assert META["charm-user"] == "non-root"


def test_endpoints_and_interfaces():
    requires = {name: spec["interface"] for name, spec in META["requires"].items()}
    assert requires == {
        "feast-configuration": "feast-configuration",
        "dashboard-links": "kubeflow_dashboard_links",
        "ingress": "ingress",
        "istio-ingress-route": "istio_ingress_route",
        "service-mesh": "service_mesh",
        "require-cmr-mesh": "cross_model_mesh",
        "logging": "loki_push_api",
        "tracing": "tracing",
    }
    provides = {name: spec["interface"] for name, spec in META["provides"].items()}
    assert provides == {
        "provide-cmr-mesh": "cross_model_mesh",
        "metrics-endpoint": "prometheus_scrape",
        "grafana-dashboard": "grafana_dashboard",
    }
    assert META["requires"]["feast-configuration"]["limit"] == 1
    assert META["requires"]["service-mesh"]["limit"] == 1
    assert META["requires"]["tracing"]["limit"] == 1  # the workload has one OTLP endpoint
    assert META["requires"]["ingress"]["versions"] == ["v1"]


def _top_level_imports(path: Path) -> set[str]:
    import ast

    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_charm_imports_only_its_requirements_and_never_feast_core():
    import sys

    charm_root = Path(__file__).resolve().parents[3] / "charms" / "feast-ui"
    sources = sorted((charm_root / "src").glob("*.py")) + sorted((charm_root / "lib").rglob("*.py"))
    local = {p.stem for p in sources}
    requirements = {"ops", "yaml", "charms", "charmlibs", "lightkube", "canonical_service_mesh", "cosl"}
    for path in sources:
        extra = _top_level_imports(path) - requirements - local - set(sys.stdlib_module_names) - {"__future__"}
        assert extra == set(), f"{path.name} imports {extra}, which requirements.txt does not provide"
