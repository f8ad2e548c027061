"""feast-ui and the Canonical Observability Stack: metrics-endpoint, grafana-dashboard, logging and tracing,
with relation data shaped as prometheus-k8s, grafana-k8s, loki-k8s and tempo / opentelemetry-collector-k8s
write and read it (the tracing side through the published charmlibs-interfaces-tracing provider)."""

from __future__ import annotations

import json

from charms.feast_cos.v0 import feast_monitoring
from cos_peers import (
    LOKI_URL,
    MODEL,
    OTLP_HTTP,
    collector_answer,
    grafana_relation,
    loki_relation,
    prometheus_relation,
    tracing_relation,
)
from cosl import DashboardPath40UID, LZMABase64
from feast_ui_helpers import config_relation, container
from ops import testing


def configured_state(*relations: testing.Relation, leader: bool = True, **kwargs) -> testing.State:
    kwargs.setdefault("containers", {container()})
    return testing.State(leader=leader, model=MODEL, relations={config_relation(), *relations}, **kwargs)


def service_environment(out: testing.State) -> dict[str, str]:
    return dict(out.get_container("feast-ui").plan.services["feast-ui"].environment)


# ---- metrics-endpoint ------------------------------------------------------------------------------


def test_scrape_job_points_at_the_uis_port_and_metrics_path(ctx, charm_module):
    rel = prometheus_relation()
    out = ctx.run(ctx.on.relation_created(rel), configured_state(rel))
    app = out.get_relation(rel.id).local_app_data
    unit = out.get_relation(rel.id).local_unit_data
    (job,) = json.loads(app["scrape_jobs"])
    assert job == {"job_name": "feast_ui", "metrics_path": "/metrics", "static_configs": [{"targets": ["*:8888"]}]}
    # the port the workload listens on: the same the Pebble command gives `feast ui`
    command = out.get_container("feast-ui").plan.services["feast-ui"].command
    assert "--port 8888" in command and charm_module.ui_workload.PORT == 8888
    assert json.loads(app["scrape_metadata"]) == {
        "model": "kubeflow", "model_uuid": MODEL.uuid, "application": "feast-ui", "unit": "feast-ui/0",
        "charm_name": "feast-ui",
    }
    # what prometheus-k8s makes of it: "*" becomes this unit's address, the unit path prefixes metrics_path
    assert unit["prometheus_scrape_unit_name"] == "feast-ui/0"
    assert "prometheus_scrape_unit_path" not in unit
    target = job["static_configs"][0]["targets"][0].replace("*", unit["prometheus_scrape_unit_address"])
    assert f"http://{target}{unit.get('prometheus_scrape_unit_path', '')}{job['metrics_path']}" == (
        "http://192.0.2.0:8888/metrics")  # Scenario's default bind address


def test_alert_rules_travel_with_the_scrape_job_labelled_with_the_juju_topology(ctx):
    rel = prometheus_relation()
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), configured_state(rel))
    rules = json.loads(out.get_relation(rel.id).local_app_data["alert_rules"])
    names = [rule["alert"] for group in rules["groups"] for rule in group["rules"]]
    assert names == ["FeastUIDown", "FeastUIRegistryStale"]
    for group in rules["groups"]:
        assert group["name"].startswith("kubeflow_f4d59020_feast_ui_")
        for rule in group["rules"]:
            assert rule["labels"]["juju_application"] == "feast-ui"
            assert rule["labels"]["juju_model_uuid"] == MODEL.uuid
            assert rule["labels"]["severity"] in ("critical", "warning")


def test_a_non_leader_unit_only_advertises_its_own_address(ctx):
    rel = prometheus_relation()
    out = ctx.run(ctx.on.relation_created(rel), configured_state(rel, leader=False))
    assert out.get_relation(rel.id).local_app_data == {}
    assert out.get_relation(rel.id).local_unit_data["prometheus_scrape_unit_address"] == "192.0.2.0"


def test_rules_prometheus_rejected_are_shown_while_the_ui_stays_active(ctx):
    rel = prometheus_relation({"event": json.dumps({"errors": "error validating: bad expression"})})
    out = ctx.run(ctx.on.update_status(), configured_state(rel))
    assert out.unit_status == testing.ActiveStatus(
        "prometheus rejected the alert rules: error validating: bad expression")


# ---- grafana-dashboard -----------------------------------------------------------------------------


def test_dashboard_reaches_grafana_as_valid_json_with_a_stable_uid(ctx):
    rel = grafana_relation()
    out = ctx.run(ctx.on.relation_created(rel), configured_state(rel))
    data = json.loads(out.get_relation(rel.id).local_app_data["dashboards"])
    ((dashboard_id, template),) = data["templates"].items()
    assert dashboard_id == "file:feast-ui"
    assert template["charm"] == "feast-ui" and template["inject_dropdowns"] is True
    assert template["juju_topology"] == {"model": "kubeflow", "model_uuid": MODEL.uuid,
                                         "application": "feast-ui", "unit": "feast-ui/0"}
    assert len(template["dashboard_alt_uid"]) == 16
    board = json.loads(LZMABase64.decompress(template["content"]))  # as grafana-k8s decodes it
    assert DashboardPath40UID.is_valid(board["uid"])
    assert "charm: feast-ui" in board["tags"]
    assert board["panels"] == feast_monitoring.UI.dashboard["panels"]
    exprs = [t["expr"] for p in board["panels"] if p["type"] != "row" for t in p["targets"]]
    assert "max by (juju_unit) (feast_registry_age_seconds)" in exprs


def test_an_unchanged_dashboard_is_not_rewritten(ctx):
    rel = grafana_relation()
    first = ctx.run(ctx.on.relation_created(rel), configured_state(rel))
    again = ctx.run(ctx.on.update_status(), first)
    assert again.get_relation(rel.id).local_app_data["dashboards"] == (
        first.get_relation(rel.id).local_app_data["dashboards"])


def test_a_dashboard_grafana_rejected_is_named_in_the_status(ctx):
    event = {"errors": [{"dashboard_id": "file:feast-ui", "error": "Expecting value"}]}
    rel = grafana_relation({"event": json.dumps(event)})
    out = ctx.run(ctx.on.update_status(), configured_state(rel))
    assert out.unit_status == testing.ActiveStatus("grafana rejected dashboard file:feast-ui: Expecting value")


# ---- logging -------------------------------------------------------------------------------------------


def test_pebble_forwards_the_uis_output_to_each_loki_unit_with_the_juju_topology(ctx):
    rel = loki_relation({0: LOKI_URL, 1: LOKI_URL.replace("loki-0", "loki-1")})
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), configured_state(rel))
    targets = out.get_container("feast-ui").plan.to_dict()["log-targets"]
    assert sorted(targets) == ["loki/0", "loki/1"]
    target = targets["loki/0"]
    assert target["type"] == "loki" and target["location"] == LOKI_URL and target["services"] == ["all"]
    assert target["labels"] == {
        "product": "Juju", "charm": "feast-ui", "juju_model": "kubeflow", "juju_model_uuid": MODEL.uuid,
        "juju_application": "feast-ui", "juju_unit": "feast-ui/0",
    }
    app = out.get_relation(rel.id).local_app_data
    assert json.loads(app["metadata"])["application"] == "feast-ui"
    assert json.loads(app["alert_rules"]) == {}


def test_a_loki_unit_that_left_stops_receiving_logs(ctx):
    rel = loki_relation({0: LOKI_URL, 1: LOKI_URL.replace("loki-0", "loki-1")})
    first = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), configured_state(rel))
    smaller = loki_relation({0: LOKI_URL})
    state = configured_state(smaller, containers={first.get_container("feast-ui")})
    out = ctx.run(ctx.on.relation_departed(smaller, remote_unit=1, departing_unit=1), state)
    targets = out.get_container("feast-ui").plan.to_dict()["log-targets"]
    assert targets["loki/0"]["services"] == ["all"]
    assert targets["loki/1"]["services"] == ["-all"]


def test_without_loki_the_layer_has_no_log_targets(ctx):
    out = ctx.run(ctx.on.update_status(), configured_state())
    assert "log-targets" not in out.get_container("feast-ui").plan.to_dict()


# ---- tracing -------------------------------------------------------------------------------------------


def test_the_ui_asks_the_collector_for_an_otlp_http_receiver_and_sends_its_traces_there(ctx):
    rel = tracing_relation()
    asked = ctx.run(ctx.on.relation_created(rel), configured_state(rel))
    request = dict(asked.get_relation(rel.id).local_app_data)
    assert json.loads(request["receivers"]) == ["otlp_http"]
    assert not any(k.startswith("OTEL_") for k in service_environment(asked))

    answered = tracing_relation(collector_answer(request))
    state = configured_state(answered, containers={asked.get_container("feast-ui")})
    out = ctx.run(ctx.on.relation_changed(answered, remote_unit=0), state)
    environment = service_environment(out)
    assert environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] == f"{OTLP_HTTP}/v1/traces"
    assert environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] == "http/protobuf"
    assert environment["OTEL_SERVICE_NAME"] == "feast-ui"
    assert "juju_application=feast-ui" in environment["OTEL_RESOURCE_ATTRIBUTES"].split(",")
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in environment  # metrics stay on /metrics, not sent to Tempo
    assert environment["FEAST_FS_YAML_FILE_PATH"] == "/home/ubuntu/feature_store.yaml"


def test_a_new_tracing_endpoint_changes_the_layer_so_replan_restarts_the_ui(ctx):
    answered = tracing_relation(collector_answer({"receivers": json.dumps(["otlp_http"])}))
    first = ctx.run(ctx.on.relation_changed(answered, remote_unit=0), configured_state(answered))
    moved = {**answered.remote_app_data,
             "receivers": answered.remote_app_data["receivers"].replace("otelcol-0", "otelcol-1")}
    rel = tracing_relation(moved)
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0),
                  configured_state(rel, containers={first.get_container("feast-ui")}))
    assert service_environment(out)["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].startswith("http://otelcol-1.")
    gone = ctx.run(ctx.on.relation_broken(rel), configured_state(rel, containers={out.get_container("feast-ui")}))
    assert not any(k.startswith("OTEL_") for k in service_environment(gone))


# ---- status collection stays a read -----------------------------------------------------------------------


def test_collecting_status_with_every_cos_relation_writes_nothing(ctx):
    relations = [prometheus_relation(), grafana_relation(), loki_relation(),
                 tracing_relation(collector_answer({"receivers": json.dumps(["otlp_http"])}))]
    state = configured_state(*relations)
    out = ctx.run(ctx.on.collect_unit_status(), state)
    for rel in relations:
        assert out.get_relation(rel.id).local_app_data == {}
        assert out.get_relation(rel.id).local_unit_data == rel.local_unit_data
    assert out.get_container("feast-ui").plan.to_dict() == {}


# ---- the journey: the charm's Pebble environment, a real `feast ui`, a real OTLP receiver -------------------


def test_a_ui_page_request_reaches_the_related_collector_as_a_trace(ctx, otlp_receiver, tmp_path):
    """The collector publishes the loopback receiver; `feast ui` runs with exactly the environment and
    command the charm put in its Pebble layer (on a free loopback port); a page view arrives as a span of
    the service named after the application, with the Juju topology on its resource."""
    import os
    import shlex
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    data = collector_answer({"receivers": json.dumps(["otlp_http"])})
    data["receivers"] = data["receivers"].replace(OTLP_HTTP, otlp_receiver.http_endpoint)
    rel = tracing_relation(data)
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), configured_state(rel))
    service = out.get_container("feast-ui").plan.services["feast-ui"]

    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and k != "FEAST_FS_YAML_FILE_PATH"}
    env["PYTHONPATH"] = str(root)
    subprocess.run([sys.executable, "-m", "feast_core.cli", "init", "traced"], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    repo = tmp_path / "traced" / "feature_repo"
    subprocess.run([sys.executable, "-m", "feast_core.cli", "apply"], cwd=repo, env=env, check=True,
                   capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = shlex.split(service.command)
    assert args[:2] == ["feast", "ui"]
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = str(port)
    workload_env = {**env, **service.environment, "FEAST_FS_YAML_FILE_PATH": str(repo / "feature_store.yaml")}
    ui = subprocess.Popen([sys.executable, "-m", "feast_core.cli", *args[1:]], cwd=repo, env=workload_env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                assert ui.poll() is None, ui.stderr.read()
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "feast ui did not become healthy"
                time.sleep(0.1)
            assert client.get("/feast/p/traced").status_code == 200  # as the ingress forwards it

            def page_spans():
                return [s for s in otlp_receiver.spans("feast-ui") if s.attributes.get("http.route") == "/p/{project}"
                        and s.resource.get("juju_unit") == "feast-ui/0"]

            (span,) = otlp_receiver.wait_for(page_spans, "span of the page view")
    finally:
        ui.terminate()
        ui.wait(timeout=60)
    assert span.resource["juju_application"] == "feast-ui"
    assert span.resource["juju_model_uuid"] == MODEL.uuid
    assert span.attributes["http.response.status_code"] == 200
