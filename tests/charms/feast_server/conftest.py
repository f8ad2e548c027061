"""Load the feast-server charm by file path (every charm has a src/charm.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from charm_loader import load_charm
from ops import testing

feast_server_charm = load_charm("feast-server", "feast_server_charm", Path(__file__).resolve().parent)


@pytest.fixture
def charm_module():
    return feast_server_charm


@pytest.fixture
def ctx():
    """Deployed with --trust (what the bundle and the Terraform module do)."""
    return testing.Context(feast_server_charm.FeastServerCharm, app_trusted=True)


@pytest.fixture
def untrusted_ctx():
    return testing.Context(feast_server_charm.FeastServerCharm, app_trusted=False)
