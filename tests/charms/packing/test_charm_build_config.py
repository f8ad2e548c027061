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


def test_charms_lock_the_releases_the_tests_run():
    """ops and the published interface libraries: the tests must exercise what the charms pack."""
    test_extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    pinned = {}
    for spec in test_extra:
        if "==" in spec:
            name, version = spec.split("==")
            pinned[re.sub(r"\[.*\]", "", name).lower()] = version
    assert "ops" in pinned
    for charm_dir in CHARMS:
        for name, version in locked(charm_dir).items():
            if name in pinned:
                assert version == pinned[name], f"{charm_dir.name} locks {name}=={version}, the tests pin {pinned[name]}"


@pytest.mark.parametrize("charm_dir", CHARMS, ids=lambda path: path.name)
def test_charm_runs_as_non_root_on_a_juju_with_secrets(charm_dir):
    meta = yaml.safe_load((charm_dir / "charmcraft.yaml").read_text())
    assert meta["charm-user"] == "non-root"
    assert "juju >= 3.6" in meta["assumes"]
    assert "k8s-api" in meta["assumes"]
