"""Load the feast-ui charm by file path (the integrator also has a src/charm.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from charm_loader import load_charm

feast_ui_charm = load_charm("feast-ui", "feast_ui_charm", Path(__file__).resolve().parent)


@pytest.fixture
def charm_module():
    return feast_ui_charm


@pytest.fixture
def ctx():
    from ops import testing

    return testing.Context(feast_ui_charm.FeastUICharm)
