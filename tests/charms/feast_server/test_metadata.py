"""charmcraft.yaml declares what feast-integrator, the bundle and Juju expect; the commands are Feast's."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml

CHARM_ROOT = Path(__file__).resolve().parents[3] / "charms" / "feast-server"
META = yaml.safe_load((CHARM_ROOT / "charmcraft.yaml").read_text())


def test_container_is_the_feast_core_image_as_the_rock_user():
    assert META["containers"] == {"feast-server": {"resource": "oci-image", "uid": 584792, "gid": 584792}}
    assert META["resources"]["oci-image"]["type"] == "oci-image"
    assert META["charm-user"] == "non-root"


def test_endpoints_and_options():
    assert {name: spec["interface"] for name, spec in META["requires"].items()} == {
        "feast-configuration": "feast_server",
        "istio-ingress-route": "istio_ingress_route",
        "logging": "loki_push_api",
        "tracing": "tracing",
    }
    assert {name: spec["interface"] for name, spec in META["provides"].items()} == {
        "metrics-endpoint": "prometheus_scrape",
        "grafana-dashboard": "grafana_dashboard",
    }
    assert META["requires"]["tracing"]["limit"] == 1
    assert META["requires"]["feast-configuration"]["limit"] == 1
    assert {name: spec["default"] for name, spec in META["config"]["options"].items()} == {
        "workers": 1, "log-level": "info",
    }


def test_integrator_provides_the_same_interface():
    integrator = yaml.safe_load((CHARM_ROOT.parent / "feast-integrator" / "charmcraft.yaml").read_text())
    provides = {name: spec["interface"] for name, spec in integrator.get("provides", {}).items()}
    assert provides["feast-server"] == "feast_server"
    assert integrator["provides"]["feast-server"]["limit"] == 1


def test_charm_imports_only_its_requirements_and_never_feast_core():
    sources = sorted((CHARM_ROOT / "src").glob("*.py")) + sorted((CHARM_ROOT / "lib").rglob("*.py"))
    local = {p.stem for p in sources}
    allowed = {"ops", "yaml", "charms", "charmlibs", "cosl"} | local | set(sys.stdlib_module_names) | {"__future__"}
    for path in sources:
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
        assert imported - allowed == set(), f"{path.name} imports {imported - allowed}"


@pytest.fixture(scope="module")
def upstream_options(upstream_feast, tmp_path_factory) -> dict[str, list[str]]:
    """{sub-command: its long and short option names} of upstream Feast's CLI, read in one process."""
    return upstream_feast.run_python(
        """
        import json
        from feast.cli.cli import cli
        commands = {name: sorted(opt for param in command.params for opt in param.opts)
                    for name, command in cli.commands.items()}
        commands[""] = sorted(opt for param in cli.params for opt in param.opts)
        print(json.dumps(commands))
        """,
        cwd=tmp_path_factory.mktemp("upstream-cli"),
    )


def test_commands_use_only_flags_upstream_feast_has(upstream_options):
    """The charm's commands must run with Feast's CLI as well as ours: every flag is one Feast defines."""
    sys.path.insert(0, str(CHARM_ROOT / "src"))
    import server_workload

    settings = server_workload.WorkloadSettings(log_level="debug", workers=2)
    layer = server_workload.pebble_layer("project: p\n", settings)
    for server in server_workload.SERVERS:
        words = layer["services"][server.service]["command"].split()
        assert words[:3] == ["feast", "--log-level", "debug"]
        assert "--log-level" in upstream_options[""]
        subcommand, args = words[3], words[4:]
        assert subcommand in upstream_options, f"upstream Feast has no `feast {subcommand}`"
        flags = [arg for arg in args if arg.startswith("-")]
        assert flags, server.service
        for flag in flags:
            assert flag in upstream_options[subcommand], f"upstream `feast {subcommand}` has no {flag}"
