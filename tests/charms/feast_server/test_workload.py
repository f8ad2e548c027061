"""feast-server's Pebble layer, the pushed feature_store.yaml, restarts, trust and the configuration relation."""

from __future__ import annotations

import dataclasses

import ops
import pytest
import yaml
from feast_server_helpers import (
    CONFIG_FILE,
    MODEL,
    SERVICES,
    config_relation,
    configured_state,
    container,
    integrator_answer,
    server_yaml,
)
from ops import testing


def run(ctx, state, relation):
    return ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)


def layer(out) -> dict:
    return out.get_container("feast-server").layers["feast-server"].to_dict()


def test_layer_runs_the_three_servers_with_feasts_flags_and_restarts_them_on_failed_checks(ctx):
    out = run(ctx, *configured_state())
    spec = layer(out)
    commands = {name: service["command"] for name, service in spec["services"].items()}
    assert commands == {
        "feast-online-server": "feast --log-level info serve --host 0.0.0.0 --port 6566 --workers 1",
        "feast-registry-server": "feast --log-level info serve_registry --port 6570",
        "feast-offline-server": "feast --log-level info serve_offline --host 0.0.0.0 --port 8815",
    }
    for name, check in (("feast-online-server", "online-server-up"), ("feast-registry-server", "registry-server-up"),
                        ("feast-offline-server", "offline-server-up")):
        service = spec["services"][name]
        assert service["startup"] == "enabled"
        assert service["working-dir"] == "/home/ubuntu"
        assert service["on-check-failure"] == {check: "restart"}
        assert service["environment"]["FEAST_FS_YAML_FILE_PATH"] == "/home/ubuntu/feature_store.yaml"
        assert len(service["environment"]["FEAST_SERVER_CONFIG_HASH"]) == 64
    assert spec["checks"]["online-server-up"]["http"] == {"url": "http://localhost:6566/health"}
    assert spec["checks"]["registry-server-up"]["tcp"] == {"port": 6570}
    assert spec["checks"]["offline-server-up"]["tcp"] == {"port": 8815}
    assert {check["level"] for check in spec["checks"].values()} == {"alive"}


def test_servers_run_ports_open_on_the_service_and_active(ctx):
    out = run(ctx, *configured_state())
    workload = out.get_container("feast-server")
    assert {name: workload.service_statuses[name] for name in SERVICES} == {
        name: ops.pebble.ServiceStatus.ACTIVE for name in SERVICES
    }
    assert out.opened_ports == {testing.TCPPort(6566), testing.TCPPort(6570), testing.TCPPort(8815)}
    assert out.unit_status == testing.ActiveStatus()


def test_pushed_configuration_is_the_integrators_text_readable_only_by_the_workload(ctx):
    out = run(ctx, *configured_state(server_yaml(password="p@ss:w/rd")))
    path = out.get_container("feast-server").get_filesystem(ctx) / CONFIG_FILE
    assert path.read_text() == server_yaml(password="p@ss:w/rd")
    assert path.stat().st_mode & 0o777 == 0o600


def test_every_unit_runs_the_servers_and_only_the_leader_publishes_addresses(ctx):
    state, relation = configured_state(leader=False)
    out = run(ctx, state, relation)
    assert out.get_container("feast-server").service_statuses["feast-online-server"] == ops.pebble.ServiceStatus.ACTIVE
    assert out.get_relation(relation.id).local_app_data == {}
    assert out.unit_status == testing.ActiveStatus()


def test_leader_tells_the_integrator_where_the_servers_answer(ctx):
    state, relation = configured_state()
    out = run(ctx, state, relation)
    host = "feast-server.kubeflow.svc.cluster.local"
    assert out.get_relation(relation.id).local_app_data == {
        "online-url": f"http://{host}:6566",
        "registry-address": f"{host}:6570",
        "offline-host": host,
        "offline-port": "8815",
        "auth-type": "kubernetes",
    }


def test_addresses_are_published_before_any_configuration_arrives(ctx):
    relation = config_relation()
    out = ctx.run(ctx.on.relation_created(relation),
                  testing.State(leader=True, model=MODEL, relations={relation}, containers={container()}))
    assert out.get_relation(relation.id).local_app_data["auth-type"] == "kubernetes"
    assert out.unit_status == testing.WaitingStatus("Waiting for the server configuration on feast-configuration")
    assert "feast-online-server" not in out.get_container("feast-server").plan.services


def test_a_rotated_password_changes_the_file_and_the_layer_so_replan_restarts(ctx):
    state, relation = configured_state(server_yaml(password="one"))
    first = run(ctx, state, relation)
    (secret,) = first.secrets
    _, rotated = integrator_answer(server_yaml(password="two"))
    rotated = dataclasses.replace(secret, latest_content=rotated.tracked_content)
    second = ctx.run(ctx.on.secret_changed(rotated), dataclasses.replace(first, secrets={rotated}))
    before = first.get_container("feast-server").plan.services["feast-online-server"].environment
    after = second.get_container("feast-server").plan.services["feast-online-server"].environment
    assert before["FEAST_SERVER_CONFIG_HASH"] != after["FEAST_SERVER_CONFIG_HASH"]
    text = (second.get_container("feast-server").get_filesystem(ctx) / CONFIG_FILE).read_text()
    assert yaml.safe_load(text)["online_store"]["password"] == "two"


def test_unchanged_configuration_keeps_the_layer(ctx):
    first = run(ctx, *configured_state())
    second = run(ctx, *configured_state())
    assert layer(first) == layer(second)


def test_config_options_reach_the_commands_and_restart_the_servers(ctx):
    first = run(ctx, *configured_state())
    second = run(ctx, *configured_state(config={"workers": 4, "log-level": "debug"}))
    spec = layer(second)
    assert spec["services"]["feast-online-server"]["command"].startswith("feast --log-level debug serve ")
    assert spec["services"]["feast-online-server"]["command"].endswith("--workers 4")
    assert spec["services"]["feast-registry-server"]["command"].startswith("feast --log-level debug ")
    hash_key = "FEAST_SERVER_CONFIG_HASH"
    assert (layer(first)["services"]["feast-online-server"]["environment"][hash_key]
            != spec["services"]["feast-online-server"]["environment"][hash_key])


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"workers": 0}, "Invalid config 'workers' must be a positive integer, got 0"),
        ({"log-level": "loud"}, "Invalid config 'log-level' must be one of critical, error, warning, info, debug, got 'loud'"),
    ],
)
def test_invalid_options_block_naming_the_option_and_start_nothing(ctx, config, message):
    out = run(ctx, *configured_state(config=config))
    assert out.unit_status == testing.BlockedStatus(message)
    assert "feast-online-server" not in out.get_container("feast-server").plan.services


def test_without_trust_nothing_runs_and_the_status_says_how_to_fix_it(untrusted_ctx):
    out = run(untrusted_ctx, *configured_state())
    assert out.unit_status == testing.BlockedStatus(
        "Kubernetes authentication needs trust (TokenReview and RBAC reads): run juju trust feast-server --scope=cluster"
    )
    workload = out.get_container("feast-server")
    assert "feast-online-server" not in workload.plan.services
    assert not (workload.get_filesystem(untrusted_ctx) / CONFIG_FILE).exists()


def test_trust_taken_away_stops_the_servers_and_removes_the_credentials(ctx, untrusted_ctx):
    state, relation = configured_state()
    running = run(ctx, state, relation)
    out = untrusted_ctx.run(untrusted_ctx.on.update_status(), running)
    workload = out.get_container("feast-server")
    assert {workload.service_statuses[name] for name in SERVICES} == {ops.pebble.ServiceStatus.INACTIVE}
    assert not (workload.get_filesystem(untrusted_ctx) / CONFIG_FILE).exists()
    assert out.unit_status.name == "blocked"


def test_a_configuration_without_kubernetes_auth_is_refused(ctx):
    out = run(ctx, *configured_state(server_yaml(auth=None)))
    assert out.unit_status == testing.BlockedStatus(
        "feast-configuration sent auth 'no_auth'; the servers run only with auth kubernetes"
    )
    assert "feast-online-server" not in out.get_container("feast-server").plan.services


def test_without_the_relation_blocked_naming_the_command(ctx):
    out = ctx.run(ctx.on.install(), testing.State(leader=True, model=MODEL, containers={container()}))
    assert out.unit_status == testing.BlockedStatus(
        "Missing relation: feast-configuration; "
        "run juju integrate feast-server:feast-configuration feast-integrator:feast-server"
    )


def test_relation_broken_stops_the_servers_and_removes_the_credentials(ctx):
    state, relation = configured_state()
    running = run(ctx, state, relation)
    out = ctx.run(ctx.on.relation_broken(running.get_relation(relation.id)), running)
    workload = out.get_container("feast-server")
    assert {workload.service_statuses[name] for name in SERVICES} == {ops.pebble.ServiceStatus.INACTIVE}
    assert not (workload.get_filesystem(ctx) / CONFIG_FILE).exists()
    assert out.unit_status.message.startswith("Missing relation: feast-configuration")


def test_integrator_withdrawing_stops_the_servers(ctx):
    state, relation = configured_state()
    running = run(ctx, state, relation)
    emptied = dataclasses.replace(running.get_relation(relation.id), remote_app_data={})
    out = ctx.run(ctx.on.relation_changed(emptied, remote_unit=0), dataclasses.replace(running, relations={emptied}))
    workload = out.get_container("feast-server")
    assert workload.service_statuses["feast-offline-server"] == ops.pebble.ServiceStatus.INACTIVE
    assert not (workload.get_filesystem(ctx) / CONFIG_FILE).exists()
    assert out.unit_status.name == "waiting"


def test_pebble_not_ready_waits(ctx):
    out = run(ctx, *configured_state(can_connect=False))
    assert out.unit_status == testing.WaitingStatus("Waiting for Pebble in the feast-server container")


def test_pebble_ready_starts_the_servers(ctx):
    state, _ = configured_state()
    (workload,) = state.containers
    out = ctx.run(ctx.on.pebble_ready(workload), state)
    assert out.get_container("feast-server").service_statuses["feast-registry-server"] == ops.pebble.ServiceStatus.ACTIVE


def test_failing_health_check_names_the_server(ctx):
    running = run(ctx, *configured_state())
    workload = running.get_container("feast-server")
    failing = testing.CheckInfo("registry-server-up", level=ops.pebble.CheckLevel.ALIVE,
                                status=ops.pebble.CheckStatus.DOWN, failures=3, threshold=3)
    others = {info for info in workload.check_infos if info.name != "registry-server-up"}
    workload = dataclasses.replace(workload, check_infos={failing, *others})
    out = ctx.run(ctx.on.pebble_check_failed(workload, failing), dataclasses.replace(running, containers={workload}))
    assert out.unit_status == testing.WaitingStatus(
        "Health check failing for the registry server; are the databases reachable?"
    )


def test_status_collection_alone_does_not_move_the_tracked_secret_revision(ctx):
    state, relation = configured_state()
    running = run(ctx, state, relation)
    (secret,) = running.secrets
    newer = dataclasses.replace(secret, latest_content={"feature-store-yaml": server_yaml(password="newer")})
    # an event the charm does not observe still collects status
    out = ctx.run(ctx.on.stop(), dataclasses.replace(running, secrets={newer}))
    (after,) = out.secrets
    assert after.tracked_content == secret.tracked_content
