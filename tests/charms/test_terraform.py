"""Each charm's Terraform module (charms/<charm>/terraform): parsed as HCL, checked against charmcraft.yaml.

terraform itself is not installable here (it is not in Debian or PyPI); python-hcl2 parses the files
as Terraform would read them. The outputs must name every endpoint the charm has, so a
juju_integration can use any of them (the reference's feast-ui module forgot istio-ingress-route).
"""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHARMS = sorted(path.parent for path in (REPO / "charms").glob("*/charmcraft.yaml"))


def unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [unquote(v) for v in value]
    return value


def load(charm_dir: Path, name: str) -> dict:
    with (charm_dir / "terraform" / name).open() as handle:
        return unquote(hcl2.load(handle))


def blocks(document: dict, kind: str) -> dict:
    merged = {}
    for block in document.get(kind, []):
        merged.update(block)
    return merged


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_module_deploys_the_charm_trusted(charm_dir):
    meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    resources = blocks(load(charm_dir, "main.tf"), "resource")["juju_application"]
    (application,) = resources.values()
    assert application["trust"] is True
    assert application["model"] == "${var.model_name}"
    (charm,) = application["charm"]
    assert charm["name"] == meta["name"]
    assert charm["channel"] == "${var.channel}"
    variables = blocks(load(charm_dir, "variables.tf"), "variable")
    assert variables["app_name"]["default"] == meta["name"]
    assert variables["base"]["default"] == meta["base"]
    assert all(spec.get("description") for spec in variables.values())
    if meta.get("resources"):
        assert application["resources"] == "${var.resources}"
        assert "resources" in variables


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_outputs_name_every_endpoint(charm_dir):
    meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    outputs = blocks(load(charm_dir, "outputs.tf"), "output")
    for role in ("provides", "requires"):
        expected = {name.replace("-", "_"): name for name in meta.get(role) or {}}
        assert outputs[role]["value"] == expected, f"{charm_dir.name}: terraform outputs.{role}"
    assert "app_name" in outputs


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_provider_is_pinned(charm_dir):
    terraform = blocks(load(charm_dir, "versions.tf"), "terraform")
    (providers,) = terraform["required_providers"]
    assert providers["juju"]["source"] == "juju/juju"
