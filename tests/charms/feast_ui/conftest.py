"""Load the feast-ui charm by file path (the integrator also has a src/charm.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CHARM_ROOT = REPO / "charms" / "feast-ui"

for path in (CHARM_ROOT / "src", REPO / "lib", Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def _load_charm_module():
    name = "feast_ui_charm"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CHARM_ROOT / "src" / "charm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


feast_ui_charm = _load_charm_module()


@pytest.fixture
def charm_module():
    return feast_ui_charm


@pytest.fixture
def ctx():
    from ops import testing

    return testing.Context(feast_ui_charm.FeastUICharm)
