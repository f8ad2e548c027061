"""What charmcraft is told to build: a locked requirements.txt, every locked package allowed as a wheel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
import yaml

REPO = Path(__file__).resolve().parents[3]
CHARMS = sorted(path.parent for path in (REPO / "charms").glob("*/charmcraft.yaml"))


def locked(charm_dir: Path) -> dict[str, str]:
    pins = {}
    for line in (charm_dir / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{charm_dir.name}/requirements.txt: {line!r} is not pinned"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_charm_part_uses_the_lock_with_binary_wheels_only(charm_dir):
    part = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())["parts"]["charm"]
    assert part["plugin"] == "charm"
    assert part["charm-strict-dependencies"] is True
    assert part["charm-requirements"] == ["requirements.txt"]
    # a package left out would be built from its sdist at pack time (compilers, Rust, build backends)
    assert sorted(part["charm-binary-python-packages"]) == sorted(locked(charm_dir))


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_every_top_level_requirement_is_in_the_lock(charm_dir):
    pins = locked(charm_dir)
    for line in (charm_dir / "requirements.in").read_text().splitlines():
        name = re.split(r"[<>=!~ ;\[]", line.strip(), maxsplit=1)[0]
        if name:
            assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} is not locked: run scripts/lock-charm-requirements"


def test_charms_lock_the_ops_that_the_tests_use():
    test_extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    (ops_testing,) = [spec for spec in test_extra if spec.startswith("ops[testing]")]
    version = ops_testing.split("==")[1]
    for charm_dir in CHARMS:
        assert locked(charm_dir)["ops"] == version, f"{charm_dir.name} locks another ops than pyproject.toml"


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_charm_runs_as_non_root_on_a_juju_with_secrets(charm_dir):
    meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    assert meta["charm-user"] == "non-root"
    assert "juju >= 3.6" in meta["assumes"]
    assert "k8s-api" in meta["assumes"]
