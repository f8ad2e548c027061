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
    }
    assert META["requires"]["feast-configuration"]["limit"] == 1
    assert META["requires"]["ingress"]["versions"] == ["v1"]
    assert "provides" not in META
