"""Make the feast-integrator charm importable under a unique module name."""

from __future__ import annotations

from pathlib import Path

import pytest
from charm_loader import load_charm
from ops import testing

feast_integrator_charm = load_charm("feast-integrator", "feast_integrator_charm", Path(__file__).resolve().parent)


@pytest.fixture
def ctx() -> testing.Context:
    """A Scenario context for the charm, loading charms/feast-integrator/charmcraft.yaml."""
    return testing.Context(feast_integrator_charm.FeastIntegratorCharm)
