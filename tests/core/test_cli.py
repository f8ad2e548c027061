"""The ``feast`` command end to end, as a user runs it: fresh processes on a repo made by ``feast init``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import yaml

from feast_core import FeatureStore, __version__
from feast_core.protos.feast.core.Registry_pb2 import Registry as RegistryProto

DEMO_OBJECTS = [
    "Created entity driver",
    "Created data source driver_hourly_stats_source",
    "Created data source driver_stats_push_source",
    "Created data source vals_to_add",
    "Created feature view driver_hourly_stats",
    "Created feature view driver_hourly_stats_fresh",
    "Created on demand feature view transformed_conv_rate",
    "Created on demand feature view transformed_conv_rate_fresh",
    "Created feature service driver_activity_v1",
    "Created feature service driver_activity_v2",
    "Created feature service driver_activity_v3",
]


def edit(path, old: str, new: str) -> None:
    """Replace the first occurrence of ``old`` in a file."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def online_conv_rate(repo, driver_id: int):
    store = FeatureStore(repo_path=repo)
    try:
        response = store.get_online_features(["driver_hourly_stats:conv_rate"], [{"driver_id": driver_id}])
        return response.to_dict()["conv_rate"][0]
    finally:
        store.close()


def test_init_apply_plan_update_delete_materialize_list_describe_dump_teardown(tmp_path, feast):
    feast("init", "demo", cwd=tmp_path)
    repo = tmp_path / "demo" / "feature_repo"
    definitions = repo / "feature_definitions.py"
    assert (repo / "feature_store.yaml").is_file() and (repo / "data" / "driver_stats.parquet").is_file()
    assert yaml.safe_load((repo / "feature_store.yaml").read_text())["project"] == "demo"

    applied = feast("apply", cwd=repo).stdout.splitlines()
    assert applied == DEMO_OBJECTS
    assert feast("plan", cwd=repo).stdout.strip() == "No changes to registry"
    assert feast("apply", cwd=repo).stdout.strip() == "No changes to registry"

    # an edited definition is an update, shown by plan and made by apply
    edit(definitions, "ttl=timedelta(days=1),", "ttl=timedelta(days=2),")  # driver_hourly_stats comes first
    assert feast("plan", cwd=repo).stdout.strip() == "Updated feature view driver_hourly_stats"
    assert feast("apply", cwd=repo).stdout.strip() == "Updated feature view driver_hourly_stats"
    described = yaml.safe_load(feast("feature-views", "describe", "driver_hourly_stats", cwd=repo).stdout)
    assert described["name"] == "driver_hourly_stats" and described["ttl_seconds"] == 2 * 86400

    # an object no longer declared is deleted
    definitions.write_text(definitions.read_text().split("driver_activity_v3 = FeatureService(")[0])
    assert feast("apply", cwd=repo).stdout.strip() == "Deleted feature service driver_activity_v3"

    # materialize a window, then incrementally up to now: online values appear
    now = datetime.now(timezone.utc).replace(microsecond=0)
    assert online_conv_rate(repo, 1001) is None
    start, end = (now - timedelta(days=1)).replace(tzinfo=None).isoformat(), now.replace(tzinfo=None).isoformat()
    feast("materialize", start, end, "-v", "driver_hourly_stats", cwd=repo)
    assert isinstance(online_conv_rate(repo, 1001), float)
    feast("materialize-incremental", now.isoformat(), cwd=repo)
    store = FeatureStore(repo_path=repo)
    assert store.get_materialization("driver_hourly_stats_fresh").most_recent_end == now
    store.close()

    # list and describe
    entities = feast("entities", "list", cwd=repo).stdout.splitlines()
    assert entities[0].split() == ["NAME", "DESCRIPTION", "TYPE"] and entities[1].split() == ["driver", "INT64"]
    views = feast("feature-views", "list", cwd=repo).stdout
    assert "driver_hourly_stats " in views and "driver_hourly_stats_fresh" in views
    tagged = feast("feature-views", "list", "--tags", "team:driver_performance", cwd=repo).stdout.splitlines()
    assert len(tagged) == 3
    assert feast("feature-views", "list", "--tags", "team:nobody", cwd=repo).stdout.splitlines() == [
        "NAME  ENTITIES  TYPE"
    ]
    services = feast("feature-services", "list", cwd=repo).stdout
    assert "driver_activity_v1" in services and "driver_hourly_stats:conv_rate" in services
    assert "driver_activity_v3" not in services
    sources = feast("data-sources", "list", cwd=repo).stdout
    assert re.search(r"driver_stats_push_source\s+PushSource", sources)
    odfv = yaml.safe_load(feast("on-demand-feature-views", "describe", "transformed_conv_rate", cwd=repo).stdout)
    assert "def transformed_conv_rate" in odfv["udf_string"] and "udf_pickle" not in odfv
    assert "demo" in feast("projects", "list", cwd=repo).stdout
    missing = feast("entities", "describe", "rider", cwd=repo, ok=False)
    assert "rider" in feast.error_line(missing) and "driver" in missing.stderr

    dump = json.loads(feast("registry-dump", cwd=repo).stdout)
    assert [v["spec"]["name"] for v in dump["featureViews"]] == ["driver_hourly_stats", "driver_hourly_stats_fresh"]
    assert [e["spec"]["joinKey"] for e in dump["entities"]] == ["driver_id"]  # Feast's placeholder is not listed
    udf = dump["onDemandFeatureViews"][0]["spec"]["featureTransformation"]["userDefinedFunction"]
    assert "def transformed_conv_rate" in udf["body"]  # the source, not the pickle

    feast("teardown", cwd=repo)
    assert "demo" in feast.error_line(feast("registry-dump", cwd=repo, ok=False))
    assert feast("plan", cwd=repo).stdout.splitlines() == DEMO_OBJECTS[:-1]


def test_version_names_the_sdk_and_feast_core(tmp_path, feast):
    out = feast("version", cwd=tmp_path).stdout
    assert out.splitlines()[0] == f'Feast SDK Version: "{__version__}"' and "feast-core" in out


def test_init_refuses_a_directory_that_already_holds_a_repo(tmp_path, feast):
    feast("init", "demo", "--minimal", cwd=tmp_path)
    assert (tmp_path / "demo" / "feature_repo" / "feature_store.yaml").is_file()
    assert not (tmp_path / "demo" / "feature_repo" / "data" / "driver_stats.parquet").exists()
    error = feast.error_line(feast("init", "demo", cwd=tmp_path, ok=False))
    assert "already" in error and "demo" in error


def test_feature_store_yaml_from_flag_env_and_chdir(demo_copy, tmp_path, feast):
    other = tmp_path / "elsewhere.yaml"
    other.write_text((demo_copy / "feature_store.yaml").read_text().replace("project: demo", "project: other"))
    outside = tmp_path / "outside"
    outside.mkdir()

    # -c makes the repo the working directory; -f picks another config file for it
    assert feast("-c", str(demo_copy), "-f", str(other), "apply", cwd=outside).stdout.splitlines() == DEMO_OBJECTS
    assert feast("-c", str(demo_copy), "-f", str(other), "plan", cwd=outside).stdout.strip() == "No changes to registry"
    # FEAST_FS_YAML_FILE_PATH does the same as -f
    env = feast.env(FEAST_FS_YAML_FILE_PATH=str(other))
    listed = feast("projects", "list", cwd=demo_copy, env=env).stdout
    assert "other" in listed and "demo" in listed
    assert feast("plan", cwd=demo_copy, env=env).stdout.strip() == "No changes to registry"
    # without either, the repo's own feature_store.yaml (project demo) is used
    assert feast("-c", str(demo_copy), "plan", cwd=outside).stdout.strip() == "No changes to registry"

    assert "no feature_store.yaml" in feast.error_line(feast("plan", cwd=outside, ok=False))
    assert "nowhere" in feast.error_line(feast("-c", str(tmp_path / "nowhere"), "plan", cwd=outside, ok=False))


def test_unknown_config_key_names_key_block_and_file(demo_copy, feast):
    config = demo_copy / "feature_store.yaml"
    edit(config, "  path: data/online_store.db\n", "  path: data/online_store.db\n  pth: typo.db\n")
    error = feast.error_line(feast("apply", cwd=demo_copy, ok=False))
    assert "'pth'" in error and "online_store" in error and str(config) in error


def test_bad_input_on_the_command_line_is_one_error_line(demo_copy, feast):
    assert "not an ISO 8601" in feast.error_line(feast("materialize", "yesterday", "2024-01-01", cwd=demo_copy, ok=False))
    error = feast.error_line(feast("materialize", "2024-01-02", "2024-01-01", cwd=demo_copy, ok=False))
    assert "after" in error
    error = feast.error_line(feast("materialize-incremental", "2024-01-01", "-v", "nope", cwd=demo_copy, ok=False))
    assert "nope" in error
    assert "No such command" in feast.error_line(feast("aply", cwd=demo_copy, ok=False))
    assert "tags" in feast.error_line(feast("entities", "list", "--tags", "team", cwd=demo_copy, ok=False))


def test_two_applies_at_once_both_succeed_and_the_registry_is_whole(fresh_demo_copy, feast):
    repo = fresh_demo_copy
    runs = [feast.popen("apply", cwd=repo) for _ in range(2)]
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    for code, _out, err in results:
        assert code == 0, err
    # together they created everything once: one process created, or they split the work
    created = sorted(line for _, out, _ in results for line in out.splitlines() if line.startswith("Created"))
    assert set(created) == set(DEMO_OBJECTS)
    registry = RegistryProto.FromString((repo / "data" / "registry.db").read_bytes())
    assert sorted(s.spec.name for s in registry.feature_services) == [
        "driver_activity_v1", "driver_activity_v2", "driver_activity_v3"]
    assert feast("plan", cwd=repo).stdout.strip() == "No changes to registry"


def test_generated_test_workflow_runs(fresh_demo_copy, feast):
    repo = fresh_demo_copy
    # run it as the README does, from its directory, with the interpreter that has feast_core
    result = subprocess.run(
        [sys.executable, "test_workflow.py"], cwd=repo, env=feast.env(), capture_output=True, text=True, timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Created feature view driver_hourly_stats" in out
    # the 2021-04-12 rows are found for the three training rows (ttl 1 day covers 07:00 -> 16:40)
    training = out.split("Training rows")[1].split("---")[1]
    assert len(re.findall(r"^\d\s+100[123]\s", training, re.MULTILINE)) == 3 and "NaN" not in training
    # the pushed row is served online through driver_activity_v3
    fresh = out.split("Online features (feature service driver_activity_v3)")[1]
    assert re.search(r"1001\s+1000\s+2000\s+1\.0+\s+1\.0+\s+1000\s", fresh)
    assert "Removed project 'demo'" in out


def test_ui_command_serves_the_registry_under_its_root_path(demo_copy, feast):
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = feast.popen("ui", "-p", str(port), "--root_path", "/feast", "--frame-ancestors", "'self' https://kubeflow.example.com",
                         cwd=demo_copy)
    try:
        deadline, page, headers = time.monotonic() + 120, None, None
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feast/", timeout=10) as response:
                    page, headers = response.read().decode(), response.headers
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert page is not None, server.stderr.read() if server.poll() is not None else "no answer"
        assert "driver_hourly_stats" in page or "demo" in page
        assert "frame-ancestors 'self' https://kubeflow.example.com" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    finally:
        server.terminate()
        server.wait(timeout=30)
    # with no --host it listens on the loopback interface only
    assert f"Uvicorn running on http://127.0.0.1:{port}" in server.stderr.read()


def test_ui_refuses_a_frame_ancestors_value_that_is_not_a_source_list(demo_copy, feast):
    error = feast.error_line(feast("ui", "--frame-ancestors", "'self'; script-src *", cwd=demo_copy, ok=False))
    assert "--frame-ancestors" in error and "script-src" in error
