"""The workload image definition and the command the charm runs, checked against feast-core."""

from __future__ import annotations

from pathlib import Path

import pytest
import ui_workload
import yaml

REPO = Path(__file__).resolve().parents[3]
ROCK = REPO / "rocks" / "feast-ui" / "rockcraft.yaml"


@pytest.fixture(scope="module")
def rock() -> dict:
    return yaml.safe_load(ROCK.read_text())


def test_rock_runs_as_non_root(rock):
    assert rock["run-user"] == "_daemon_"
    assert rock["base"] == "ubuntu@24.04"


def test_rock_home_is_writable_by_the_daemon_user(rock):
    perms = rock["parts"]["home"]["permissions"]
    assert {"path": "home/ubuntu", "owner": 584792, "group": 584792, "mode": "770"} in perms


def test_rock_service_runs_the_same_command_as_the_charm(rock):
    service = rock["services"]["feast-ui"]
    assert service["command"] == ui_workload.COMMAND
    assert service["working-dir"] == ui_workload.HOME
    assert rock["environment"]["FEAST_FS_YAML_FILE_PATH"] == ui_workload.CONFIG_PATH


def test_charm_command_matches_feast_core_cli():
    cli = pytest.importorskip("feast_core.cli", reason="feast_core.cli is not written yet")
    ui = cli.main.commands["ui"]
    options = {opt: param for param in ui.params for opt in getattr(param, "opts", [])}
    args = list(ui_workload.COMMAND_ARGS)
    assert ui_workload.COMMAND.split()[:2] == ["feast", "ui"]
    for flag in args[0::2]:
        assert flag in options, f"`feast ui` has no {flag} option"
    for short, long in (("-h", "--host"), ("-p", "--port")):
        assert short in options[long].opts + options[long].secondary_opts
    assert options["--port"].default == ui_workload.PORT
    # the whole command line parses
    ctx = ui.make_context("ui", args, resilient_parsing=True)
    assert ctx.params["port"] == ui_workload.PORT
    assert ctx.params["host"] == "0.0.0.0"
    assert ctx.params["root_path"] == ui_workload.ROOT_PATH


def test_feast_serve_exists_for_the_docs():
    cli = pytest.importorskip("feast_core.cli", reason="feast_core.cli is not written yet")
    assert "serve" in cli.main.commands
