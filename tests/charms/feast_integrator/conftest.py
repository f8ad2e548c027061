"""Make the feast-integrator charm importable under a unique module name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from ops import testing

REPO_ROOT = Path(__file__).resolve().parents[3]
CHARM_ROOT = REPO_ROOT / "charms" / "feast-integrator"

for import_path in (CHARM_ROOT / "src", REPO_ROOT / "lib", Path(__file__).resolve().parent):
    if str(import_path) not in sys.path:
        sys.path.insert(0, str(import_path))


def _load_charm_module():
    name = "feast_integrator_charm"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CHARM_ROOT / "src" / "charm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


feast_integrator_charm = _load_charm_module()


@pytest.fixture
def ctx() -> testing.Context:
    """A Scenario context for the charm, loading charms/feast-integrator/charmcraft.yaml."""
    return testing.Context(feast_integrator_charm.FeastIntegratorCharm)
