"""The workload image definition and the command the charm runs, checked against feast-core."""

from __future__ import annotations

import json
import subprocess
import sys
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


# Reads `feast ui`'s options from feast_core.cli in a fresh interpreter: this one may lack feast-core's
# dependencies (a charm-only environment) while the repository's .venv has them.
PROBE = """
import json, sys
from feast_core import cli
ui = cli.main.commands["ui"]
options = {opt: {"name": p.name, "opts": list(p.opts) + list(p.secondary_opts), "default": p.default}
           for p in ui.params for opt in getattr(p, "opts", [])}
params = ui.make_context("ui", sys.argv[1:], resilient_parsing=True).params
print(json.dumps({"commands": sorted(cli.main.commands), "ui_options": options, "ui_params": params}))
"""


VENV_PYTHON = REPO / ".venv" / "bin" / "python"


def cli_facts(interpreters: list[list[str]]) -> dict:
    """What feast_core.cli declares, from the first interpreter that can import it; a skip naming what each lacked."""
    failures = []
    for python in interpreters:
        if not Path(python[0]).exists():
            failures.append(f"{python[0]}: not found")
            continue
        result = subprocess.run([*python, "-c", PROBE, *ui_workload.COMMAND_ARGS], capture_output=True, text=True,
                                cwd=REPO, timeout=120, check=False)
        if result.returncode == 0:
            return json.loads(result.stdout.splitlines()[-1])
        failures.append(f"{' '.join(python)}: {(result.stderr.strip().splitlines() or ['exit ' + str(result.returncode)])[-1]}")
    pytest.skip("feast_core.cli cannot be imported here (run scripts/bootstrap): " + "; ".join(failures))


@pytest.fixture(scope="module")
def feast_cli() -> dict:
    return cli_facts([[sys.executable], [str(VENV_PYTHON)]])


def test_charm_command_matches_feast_core_cli(feast_cli):
    options = feast_cli["ui_options"]
    args = list(ui_workload.COMMAND_ARGS)
    assert ui_workload.COMMAND.split()[:2] == ["feast", "ui"]
    for flag in args[0::2]:
        assert flag in options, f"`feast ui` has no {flag} option"
    for short, long in (("-h", "--host"), ("-p", "--port")):
        assert short in options[long]["opts"]
    assert options["--port"]["default"] == ui_workload.PORT
    # the whole command line parses
    params = feast_cli["ui_params"]
    assert params["port"] == ui_workload.PORT
    assert params["host"] == "0.0.0.0"  # feast ui binds 127.0.0.1 unless told otherwise; in a pod, every interface
    assert params["root_path"] == ui_workload.ROOT_PATH


def test_feast_serve_exists_for_the_docs(feast_cli):
    assert "serve" in feast_cli["commands"]


def test_an_interpreter_without_feast_cores_dependencies_falls_back_or_names_what_is_missing():
    """-S leaves site-packages out: feast_core (the source tree) imports, click does not."""
    bare = [sys.executable, "-S"]
    assert "ui" in cli_facts([bare, [str(VENV_PYTHON)]])["commands"]
    with pytest.raises(pytest.skip.Exception, match="No module named 'click'"):
        cli_facts([bare])
