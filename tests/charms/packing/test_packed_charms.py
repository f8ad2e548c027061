"""The charms as charmcraft packs them: what the .charm holds, and that the packed tree runs.

scripts/pack-charms runs charmcraft 4.5's own lifecycle (craft-parts' charm plugin, charmcraft's
charm builder, its packer) in destructive mode on this Debian host; see docs/how-to/pack.md for
what differs from a build on Ubuntu 24.04. The smoke runs below import the charm from the unpacked
archive with only the packed src/, lib/ and venv/ (and ops-scenario, playing Juju) importable, so a
library charmcraft left out fails here as `No module named ...` would fail every hook in a unit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
RUNNER = Path(__file__).resolve().parent / "packed_runner.py"
CHARMS = sorted(path.parent.name for path in (REPO / "charms").glob("*/charmcraft.yaml"))


def test_every_charm_is_packed(packed_charms):
    assert sorted(packed_charms) == CHARMS
    for name, path in packed_charms.items():
        assert path.name == f"{name}_amd64.charm"  # what bundle.yaml and the docs name


@pytest.mark.parametrize("name", CHARMS)
def test_dispatch_runs_src_charm_with_the_packed_lib_and_venv(unpacked_charms, name):
    tree = unpacked_charms[name]
    dispatch = tree / "dispatch"
    assert dispatch.stat().st_mode & 0o111, "dispatch must be executable"
    assert "PYTHONPATH=lib:venv" in dispatch.read_text()
    assert "./src/charm.py" in dispatch.read_text()
    charm_py = tree / "src" / "charm.py"
    assert charm_py.stat().st_mode & 0o111, "src/charm.py must be executable"
    assert charm_py.read_text().startswith("#!/usr/bin/env python3")


@pytest.mark.parametrize("name", CHARMS)
def test_packed_lib_is_the_charm_lib(unpacked_charms, name):
    source = REPO / "charms" / name / "lib"
    wanted = {p.relative_to(source).as_posix(): p.read_bytes() for p in source.rglob("*.py")}
    packed_lib = unpacked_charms[name] / "lib"
    packed = {p.relative_to(packed_lib).as_posix(): p.read_bytes() for p in packed_lib.rglob("*.py")}
    assert wanted, f"charms/{name}/lib holds no library"
    assert packed == wanted


@pytest.mark.parametrize("name", CHARMS)
def test_packed_metadata(unpacked_charms, name):
    tree = unpacked_charms[name]
    source = yaml.safe_load((REPO / "charms" / name / "charmcraft.yaml").read_text())
    metadata = yaml.safe_load((tree / "metadata.yaml").read_text())
    assert metadata["name"] == name
    assert metadata["assumes"] == source["assumes"]
    assert metadata["charm-user"] == "non-root"
    assert not (tree / "terraform").exists(), ".jujuignore keeps the Terraform module out of the charm"
    manifest = yaml.safe_load((tree / "manifest.yaml").read_text())
    assert manifest["bases"] == [{"name": "ubuntu", "channel": "24.04", "architectures": ["amd64"]}]
    assert manifest["charmcraft-version"] == "4.5.0"


@pytest.mark.parametrize("name", CHARMS)
def test_packed_venv_holds_the_locked_versions(unpacked_charms, name):
    locked = {}
    for line in (REPO / "charms" / name / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            package, version = line.strip().split("==")
            locked[package.lower().replace("_", "-")] = version
    installed = {}
    for dist_info in (unpacked_charms[name] / "venv").glob("*.dist-info"):
        package, version = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)
        installed[package.lower().replace("_", "-")] = version
    installed.pop("pip")  # the charm builder's own upgrade of the venv's pip stays in the venv
    assert installed == locked


@pytest.mark.parametrize("name", CHARMS)
def test_packed_venv_is_built_for_python_3_12(unpacked_charms, charm_python, name):
    """Ubuntu 24.04 runs Python 3.12: compiled modules in the venv must be for it."""
    extensions = sorted((unpacked_charms[name] / "venv").rglob("*.so"))
    assert extensions, "expected at least PyYAML's C extension"
    if charm_python == "python3":
        pytest.skip("no Python 3.12 on this machine: the venv was built for the default python3")
    assert all("cpython-312" in path.name for path in extensions), [p.name for p in extensions]


def run_packed(unpacked_charms, charm_python, scenario_only, name: str, case: str) -> dict:
    result = subprocess.run(
        [charm_python, "-I", "-S", str(RUNNER), str(unpacked_charms[name]), str(scenario_only), case],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"{case} failed in the packed {name}:\n{result.stderr}"
    return json.loads(result.stdout.splitlines()[-1])


def assert_imported_from_the_packed_tree(result: dict) -> None:
    origins = result["origins"]
    for module in ("ops", "ops.model", "yaml", "packed_charm"):
        assert origins[module] == "charm", f"{module} was imported from {origins[module]}"
    for module, origin in origins.items():
        if module.startswith("charms.") or module.startswith("integrator"):
            assert origin == "charm", f"{module} was imported from {origin}"
        assert origin in ("charm", "scenario", "tests", "stdlib"), f"{module} came from outside: {origin}"


def test_packed_integrator_blocks_without_relations(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-integrator",
                        "integrator-without-relations")
    assert result["status"] == [
        "blocked", "Missing relations: offline-store, online-store, registry, secrets, pod-defaults"
    ]
    assert_imported_from_the_packed_tree(result)
    assert result["origins"]["charms.feast_integrator.v0.postgresql_client"] == "charm"


def test_packed_integrator_publishes_with_every_relation(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-integrator",
                        "integrator-fully-related")
    assert result["status"] == ["active", ""]
    assert result["sent_kinds"] == ["Secret", "PodDefault"]
    assert result["offline_sslmode"] == "disable"
    assert_imported_from_the_packed_tree(result)


def test_packed_ui_runs_feast_ui(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-ui", "ui-configured")
    assert result["status"] == ["active", ""]
    assert result["service"] == "active"
    assert result["command"] == "feast ui --host 0.0.0.0 --port 8888 --root_path /feast"
    assert_imported_from_the_packed_tree(result)
    assert "feast_core" not in result["origins"], "the charm must not import feast_core"


def test_packed_ui_joins_the_mesh_and_routes_through_istio_ingress(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-ui", "ui-ambient")
    assert result["status"] == ["active", ""]
    assert result["pod_labels"] == {"app.kubernetes.io/name": "feast-ui", "istio.io/dataplane-mode": "ambient"}
    assert result["listeners"] == [[80, "HTTP"]]
    assert_imported_from_the_packed_tree(result)
    for module in ("pydantic_core", "lightkube", "charmlibs.interfaces.service_mesh", "canonical_service_mesh"):
        assert result["origins"][module] == "charm", f"{module} was imported from {result['origins'][module]}"


def test_packed_ui_speaks_to_cos(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-ui", "ui-cos")
    assert result["status"] == ["active", ""]
    assert result["scrape_jobs"] == [
        {"job_name": "feast_ui", "metrics_path": "/metrics", "static_configs": [{"targets": ["*:8888"]}]}]
    assert result["dashboards"] == ["file:feast-ui"]
    assert result["log_targets"] == ["loki/0"]
    assert result["otel_endpoint"] == "http://otelcol-0.otelcol-endpoints.cos.svc.cluster.local:4318/v1/traces"
    assert_imported_from_the_packed_tree(result)
    for module in ("cosl", "charmlibs.interfaces.tracing", "charms.feast_cos.v0.observability", "pydantic"):
        assert result["origins"][module] == "charm", f"{module} was imported from {result['origins'][module]}"


def test_ops_in_the_packed_venv_is_the_one_ops_scenario_was_released_with(unpacked_charms):
    """ops-scenario drives ops' internals; the smoke runs are only meaningful with matching releases."""
    from importlib.metadata import requires

    pinned = [r for r in requires("ops-scenario") if r.replace(" ", "").startswith("ops==")]
    for name in CHARMS:
        versions = [p.name for p in (unpacked_charms[name] / "venv").glob("ops-*.dist-info")]
        assert [f"ops=={v.removeprefix('ops-').removesuffix('.dist-info')}" for v in versions] == [
            p.replace(" ", "") for p in pinned
        ], f"{name}: lock ops in requirements.in to the release pyproject.toml's ops[testing] pins"


def test_packed_server_runs_the_three_servers(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-server", "server-configured")
    assert result["status"] == ["active", ""]
    assert set(result["services"].values()) == {"active"}
    assert result["commands"] == [
        "feast --log-level info serve --host 0.0.0.0 --port 6566 --workers 1",
        "feast --log-level info serve_registry --port 6570",
        "feast --log-level info serve_offline --host 0.0.0.0 --port 8815",
    ]
    assert result["ports"] == [6566, 6570, 8815]
    assert result["published"]["online-url"] == "http://feast-server.kubeflow.svc.cluster.local:6566"
    assert_imported_from_the_packed_tree(result)
    assert result["origins"]["charms.feast_integrator.v0.feast_server"] == "charm"
    assert result["origins"]["charmlibs.interfaces.istio_ingress_route"] == "charm"
    assert "feast_core" not in result["origins"], "the charm must not import feast_core"


def test_packed_server_speaks_cos_with_its_packed_libraries(unpacked_charms, charm_python, scenario_only):
    result = run_packed(unpacked_charms, charm_python, scenario_only, "feast-server", "server-cos")
    assert result["status"] == ["active", ""]
    assert result["scrape_jobs"] == [{"job_name": "feast_feature_server", "metrics_path": "/metrics",
                                      "static_configs": [{"targets": ["*:6566"]}]}]
    assert result["dashboards"] == ["file:feast-feature-server"]
    assert result["log_targets"] == ["loki/0"]
    assert result["otel_services"] == ["feast-server-online", "feast-server-registry", "feast-server-offline"]
    assert_imported_from_the_packed_tree(result)
    for module in ("cosl", "charmlibs.interfaces.tracing", "charms.feast_cos.v0.observability"):
        assert result["origins"][module] == "charm", f"{module} was imported from {result['origins'][module]}"
