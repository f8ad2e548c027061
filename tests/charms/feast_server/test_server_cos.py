"""feast-server and the Canonical Observability Stack: metrics-endpoint, grafana-dashboard, logging and tracing,
with relation data shaped as prometheus-k8s, grafana-k8s, loki-k8s and tempo / opentelemetry-collector-k8s write
it (the tracing side through the published charmlibs-interfaces-tracing provider, as in feast-ui's tests)."""

from __future__ import annotations

import dataclasses
import json

import cos_peers
from charms.feast_cos.v0 import feast_monitoring
from cos_peers import (
    LOKI_URL,
    OTLP_HTTP,
    collector_answer,
    grafana_relation,
    loki_relation,
    prometheus_relation,
    tracing_relation,
)
from cosl import LZMABase64
from feast_server_helpers import SERVICES, configured_state
from ops import testing

MODEL = dataclasses.replace(cos_peers.MODEL, cloud_spec=testing.CloudSpec(type="kubernetes", name="microk8s"))


def state(*relations, leader=True, **kwargs) -> tuple[testing.State, testing.Relation]:
    base, config = configured_state(leader=leader, extra_relations=relations, **kwargs)
    return dataclasses.replace(base, model=MODEL), config


def environments(out) -> dict[str, dict[str, str]]:
    plan = out.get_container("feast-server").plan
    return {name: dict(plan.services[name].environment) for name in SERVICES}


def test_scrape_job_points_at_the_online_servers_port_with_feasts_alert_rules(ctx):
    rel = prometheus_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel)[0])
    app = out.get_relation(rel.id).local_app_data
    (job,) = json.loads(app["scrape_jobs"])
    assert job == {"job_name": "feast_feature_server", "metrics_path": "/metrics",
                   "static_configs": [{"targets": ["*:6566"]}]}
    assert "--port 6566" in out.get_container("feast-server").plan.services["feast-online-server"].command
    rules = json.loads(app["alert_rules"])
    names = [rule["alert"] for group in rules["groups"] for rule in group["rules"]]
    assert names == ["FeastFeatureServerDown", "FeastFeatureServerErrors", "FeastFeatureServerSlow",
                     "FeastFeatureServerRegistryStale"]
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["juju_application"] == "feast-server"
    assert out.unit_status == testing.ActiveStatus()


def test_every_unit_advertises_its_address_for_scraping(ctx):
    rel = prometheus_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel, leader=False)[0])
    assert out.get_relation(rel.id).local_app_data == {}
    assert out.get_relation(rel.id).local_unit_data["prometheus_scrape_unit_address"] == "192.0.2.0"


def test_the_feature_server_dashboard_reaches_grafana(ctx):
    rel = grafana_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel)[0])
    templates = json.loads(out.get_relation(rel.id).local_app_data["dashboards"])["templates"]
    ((dashboard_id, template),) = templates.items()
    assert dashboard_id == "file:feast-feature-server"
    board = json.loads(LZMABase64.decompress(template["content"]))
    assert board["panels"] == feast_monitoring.FEATURE_SERVER.dashboard["panels"]
    assert "charm: feast-server" in board["tags"]


def test_rules_prometheus_rejected_are_shown_while_the_servers_stay_active(ctx):
    rel = prometheus_relation({"event": json.dumps({"errors": "error validating: bad expression"})})
    out = ctx.run(ctx.on.update_status(), state(rel)[0])
    assert out.unit_status == testing.ActiveStatus("prometheus rejected the alert rules: error validating: bad expression")


def test_pebble_forwards_all_three_servers_output_to_loki(ctx):
    rel = loki_relation()
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel)[0])
    targets = out.get_container("feast-server").plan.to_dict()["log-targets"]
    assert list(targets) == ["loki/0"]
    assert targets["loki/0"]["location"] == LOKI_URL
    assert targets["loki/0"]["services"] == ["all"]
    assert targets["loki/0"]["labels"]["juju_application"] == "feast-server"


def test_each_server_sends_its_traces_to_the_collector_under_its_own_name(ctx):
    rel = tracing_relation()
    asked = ctx.run(ctx.on.relation_created(rel), state(rel)[0])
    request = dict(asked.get_relation(rel.id).local_app_data)
    assert json.loads(request["receivers"]) == ["otlp_http"]
    assert not any(key.startswith("OTEL_") for env in environments(asked).values() for key in env)

    answered = tracing_relation(collector_answer(request))
    base, _ = state(answered)
    out = ctx.run(ctx.on.relation_changed(answered, remote_unit=0),
                  dataclasses.replace(base, containers={asked.get_container("feast-server")}))
    envs = environments(out)
    assert {name: env["OTEL_SERVICE_NAME"] for name, env in envs.items()} == {
        "feast-online-server": "feast-server-online",
        "feast-registry-server": "feast-server-registry",
        "feast-offline-server": "feast-server-offline",
    }
    for env in envs.values():
        assert env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] == f"{OTLP_HTTP}/v1/traces"
        assert "juju_application=feast-server" in env["OTEL_RESOURCE_ATTRIBUTES"].split(",")
        assert env["FEAST_FS_YAML_FILE_PATH"] == "/home/ubuntu/feature_store.yaml"
    gone = ctx.run(ctx.on.relation_broken(answered),
                   dataclasses.replace(base, containers={out.get_container("feast-server")}))
    assert not any(key.startswith("OTEL_") for env in environments(gone).values() for key in env)


def test_collecting_status_with_every_cos_relation_writes_nothing(ctx):
    relations = [prometheus_relation(), grafana_relation(), loki_relation(),
                 tracing_relation(collector_answer({"receivers": json.dumps(["otlp_http"])}))]
    base, _ = state(*relations)
    out = ctx.run(ctx.on.collect_unit_status(), base)
    for rel in relations:
        assert out.get_relation(rel.id).local_app_data == {}
        assert out.get_relation(rel.id).local_unit_data == rel.local_unit_data
    assert out.get_container("feast-server").plan.to_dict() == {}
