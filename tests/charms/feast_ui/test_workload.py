"""The Pebble layer, the pushed feature_store.yaml and restarts on configuration change."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import ops
import pytest
import yaml
from feast_ui_helpers import config_relation, container, plain_config
from ops import testing

CONFIG_FILE = "home/ubuntu/feature_store.yaml"


def run_with_config(ctx, data=None, leader=True, **container_kwargs):
    rel = config_relation(data)
    state = testing.State(leader=leader, relations={rel}, containers={container(**container_kwargs)})
    return ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state)


def test_layer_is_exactly_the_feast_ui_service_and_health_check(ctx):
    out = run_with_config(ctx)
    layer = out.get_container("feast-ui").layers["feast-ui"].to_dict()
    env = layer["services"]["feast-ui"].pop("environment")
    assert layer == {
        "summary": "feast-ui layer",
        "description": "Pebble config layer for feast-ui",
        "services": {
            "feast-ui": {
                "override": "replace",
                "summary": "Entry point for feast-ui image",
                "command": "feast ui --host 0.0.0.0 --port 8888 --root_path /feast",
                "startup": "enabled",
                "working-dir": "/home/ubuntu",
            }
        },
        "checks": {
            "feast-ui-up": {
                "override": "replace",
                "level": "ready",
                "period": "30s",
                "timeout": "5s",
                "threshold": 3,
                "http": {"url": "http://localhost:8888/health"},
            }
        },
    }
    assert env["FEAST_FS_YAML_FILE_PATH"] == "/home/ubuntu/feature_store.yaml"
    assert len(env["FEAST_UI_CONFIG_HASH"]) == 64


def test_service_running_port_open_and_active(ctx):
    out = run_with_config(ctx)
    c = out.get_container("feast-ui")
    assert c.service_statuses["feast-ui"] == ops.pebble.ServiceStatus.ACTIVE
    assert c.plan.services["feast-ui"].startup == "enabled"
    assert out.opened_ports == {testing.TCPPort(8888)}
    assert out.unit_status == testing.ActiveStatus()


def test_non_leader_units_run_the_ui_too(ctx):
    out = run_with_config(ctx, leader=False)
    assert out.get_container("feast-ui").service_statuses["feast-ui"] == ops.pebble.ServiceStatus.ACTIVE
    assert out.unit_status == testing.ActiveStatus()


def test_pushed_feature_store_yaml(ctx):
    out = run_with_config(ctx)
    text = (out.get_container("feast-ui").get_filesystem(ctx) / CONFIG_FILE).read_text()
    doc = yaml.safe_load(text)
    assert doc["project"] == "feast_project"
    assert doc["registry"] == {
        "registry_type": "sql",
        "path": "postgresql+psycopg://relation_3:pw@registry-primary.kubeflow.svc.cluster.local:5432/registry",
        "cache_ttl_seconds": 60,
        "sqlalchemy_config_kwargs": {"echo": False, "pool_pre_ping": True},
    }
    assert doc["provider"] == "local"
    for store, user in (("offline_store", "relation_4"), ("online_store", "relation_5")):
        assert doc[store] == {
            "type": "postgres",
            "host": f"{store.replace('_', '-')}-primary.kubeflow.svc.cluster.local",
            "port": 5432,
            "database": store,
            "db_schema": "public",
            "user": user,
            "password": "pw",
        }
    assert doc["entity_key_serialization_version"] == 3


@pytest.mark.parametrize(
    "password", ["p@ss:w/rd%#", 'it\'s "quoted"', "line1\nline2", "  spaced  ", "123", "null"]
)
def test_awkward_passwords_survive(ctx, password):
    out = run_with_config(ctx, plain_config(password=password))
    doc = yaml.safe_load((out.get_container("feast-ui").get_filesystem(ctx) / CONFIG_FILE).read_text())
    assert doc["offline_store"]["password"] == password
    assert doc["online_store"]["password"] == password
    url = urlsplit(doc["registry"]["path"])
    assert unquote(url.password) == password
    assert url.hostname == "registry-primary.kubeflow.svc.cluster.local"
    assert url.port == 5432


def test_feature_store_yaml_loads_with_feast_core_parser(ctx):
    config = pytest.importorskip("feast_core.config")
    password = "p@ss:w/rd%#'\"\nx"
    out = run_with_config(ctx, plain_config(password=password))
    text = (out.get_container("feast-ui").get_filesystem(ctx) / CONFIG_FILE).read_text()
    parsed = config.parse_config(text, source="feature_store.yaml")
    assert parsed.project == "feast_project"
    assert parsed.registry.registry_type == "sql"
    assert parsed.online_store.password == password
    assert parsed.offline_store.port == 5432


def test_changed_configuration_changes_the_layer_so_replan_restarts(ctx):
    first = run_with_config(ctx, plain_config(password="one"))
    rel = config_relation(plain_config(password="two"))
    c = first.get_container("feast-ui")
    state = testing.State(leader=True, relations={rel}, containers={c})
    second = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state)
    env1 = first.get_container("feast-ui").layers["feast-ui"].services["feast-ui"].environment
    env2 = second.get_container("feast-ui").layers["feast-ui"].services["feast-ui"].environment
    assert env1["FEAST_UI_CONFIG_HASH"] != env2["FEAST_UI_CONFIG_HASH"]
    assert second.get_container("feast-ui").plan.services["feast-ui"].environment == env2
    text = (second.get_container("feast-ui").get_filesystem(ctx) / CONFIG_FILE).read_text()
    assert yaml.safe_load(text)["online_store"]["password"] == "two"


def test_unchanged_configuration_keeps_the_same_hash(ctx):
    first = run_with_config(ctx)
    second = run_with_config(ctx)
    def environment(out):
        return out.get_container("feast-ui").layers["feast-ui"].services["feast-ui"].environment

    assert environment(first) == environment(second)


def test_pebble_not_ready_waits(ctx):
    out = run_with_config(ctx, can_connect=False)
    assert out.unit_status == testing.WaitingStatus("Waiting for Pebble in the feast-ui container")


def test_pebble_ready_starts_the_service(ctx):
    rel = config_relation()
    c = container()
    out = ctx.run(ctx.on.pebble_ready(c), testing.State(relations={rel}, containers={c}))
    assert out.get_container("feast-ui").service_statuses["feast-ui"] == ops.pebble.ServiceStatus.ACTIVE


def test_failing_health_check_waits_with_a_hint(ctx):
    first = run_with_config(ctx)
    c = first.get_container("feast-ui")
    info = next(iter(c.check_infos))
    failing = testing.CheckInfo(
        "feast-ui-up", level=info.level, status=ops.pebble.CheckStatus.DOWN, failures=3, threshold=3
    )
    c = testing.Container(
        "feast-ui",
        can_connect=True,
        layers=c.layers,
        service_statuses=c.service_statuses,
        check_infos={failing},
    )
    rel = config_relation()
    out = ctx.run(ctx.on.pebble_check_failed(c, failing), testing.State(relations={rel}, containers={c}))
    assert out.unit_status.name == "waiting"
    assert "health check failing" in out.unit_status.message
    assert "registry database" in out.unit_status.message


def test_configuration_relation_broken_stops_the_ui_and_removes_credentials(ctx):
    first = run_with_config(ctx)
    c = first.get_container("feast-ui")
    fs = c.get_filesystem(ctx)
    assert (fs / CONFIG_FILE).exists()
    rel = config_relation()
    out = ctx.run(ctx.on.relation_broken(rel), testing.State(leader=True, relations={rel}, containers={c}))
    oc = out.get_container("feast-ui")
    assert oc.service_statuses["feast-ui"] == ops.pebble.ServiceStatus.INACTIVE
    assert not (oc.get_filesystem(ctx) / CONFIG_FILE).exists()
    assert out.unit_status.name == "blocked"
    assert out.unit_status.message.startswith("Missing relation: feast-configuration")


def test_ipv6_registry_host_is_bracketed(ctx):
    out = run_with_config(ctx, plain_config(registry_host="fd00::1"))
    doc = yaml.safe_load((out.get_container("feast-ui").get_filesystem(ctx) / CONFIG_FILE).read_text())
    url = urlsplit(doc["registry"]["path"])
    assert url.hostname == "fd00::1"
    assert url.port == 5432
