"""notebook-configuration: notebooks get feast-server's client configuration (no database password) or the
databases themselves; feast-server gets its own configuration in a Juju secret; feast-ui keeps the direct one."""

from __future__ import annotations

import dataclasses
import json

import pytest
import yaml
from feast_integrator_scenario import (
    RELATION_IDS,
    SERVER_ENDPOINTS,
    SERVER_HOST,
    PostgresAnswer,
    full_state,
    sent_feature_store,
    sent_manifests,
    server_relation,
)
from ops import testing

PASSWORD = "n0t-in-a-user-namespace"
ANSWERS = {name: PostgresAnswer(password=PASSWORD) for name in ("offline-store", "online-store", "registry")}
CLIENT = {
    "project": "feast_project",
    "provider": "local",
    "registry": {"registry_type": "remote", "path": f"{SERVER_HOST}:6570", "cache_ttl_seconds": 60},
    "offline_store": {"type": "remote", "host": SERVER_HOST, "port": 8815},
    "online_store": {"type": "remote", "path": f"http://{SERVER_HOST}:6566"},
    "auth": {"type": "kubernetes"},
    "entity_key_serialization_version": 3,
}


def run(ctx, state):
    return ctx.run(ctx.on.relation_changed(state.get_relation(RELATION_IDS["feast-server"]), remote_unit=0), state)


def server_yaml_sent(out) -> dict:
    databag = out.get_relation(RELATION_IDS["feast-server"]).local_app_data
    secret = out.get_secret(id=databag["server-config-secret"])
    return yaml.safe_load(secret.tracked_content["feature-store-yaml"])


def ui_yaml_sent(out) -> dict:
    databag = out.get_relation(RELATION_IDS["feast-configuration"]).local_app_data
    return yaml.safe_load(out.get_secret(id=databag["feature-store-secret"]).tracked_content["feature-store-yaml"])


def test_with_feast_server_related_notebooks_get_the_client_configuration_by_default(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation()))
    assert sent_feature_store(out) == CLIENT
    assert out.unit_status == testing.ActiveStatus("notebooks reach the feature store through feast-server")
    assert len(sent_manifests(out, "pod-defaults")) == 1


@pytest.mark.parametrize("mode", ["auto", "remote"])
def test_the_secret_manifest_for_user_namespaces_holds_no_database_credential(ctx, mode):
    out = run(ctx, full_state(ANSWERS, server=server_relation(), config={"notebook-configuration": mode}))
    (manifest,) = sent_manifests(out, "secrets")
    text = json.dumps(manifest)
    assert PASSWORD not in text
    assert "password" not in text
    assert "relation_id_" not in text  # no database user name
    assert "primary" not in text and "5432" not in text  # no database address
    assert "postgres" not in text


def test_feast_server_gets_the_databases_and_the_auth_it_announced_in_a_secret(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation()))
    databag = out.get_relation(RELATION_IDS["feast-server"]).local_app_data
    assert set(databag) == {"server-config-secret", "project"}
    assert PASSWORD not in json.dumps(dict(databag))
    secret = out.get_secret(id=databag["server-config-secret"])
    assert RELATION_IDS["feast-server"] in secret.remote_grants
    document = server_yaml_sent(out)
    assert document["auth"] == {"type": "kubernetes"}
    assert document["registry"]["registry_type"] == "sql"
    assert document["online_store"]["password"] == PASSWORD
    assert document["offline_store"]["type"] == "postgres"


def test_feast_ui_keeps_reading_the_registry_database_in_remote_mode(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation()))
    document = ui_yaml_sent(out)
    assert document["registry"]["registry_type"] == "sql"
    assert "auth" not in document  # the UI is reached through the dashboard, not with Kubernetes tokens


def test_direct_mode_keeps_todays_configuration_and_still_configures_the_server(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation(), config={"notebook-configuration": "direct"}))
    assert sent_feature_store(out)["online_store"]["password"] == PASSWORD
    assert server_yaml_sent(out)["auth"] == {"type": "kubernetes"}
    assert out.unit_status == testing.ActiveStatus()


def test_without_feast_server_auto_is_direct(ctx):
    out = ctx.run(ctx.on.update_status(), full_state(ANSWERS))
    assert sent_feature_store(out)["online_store"]["type"] == "postgres"
    assert out.unit_status == testing.ActiveStatus()


def test_remote_without_feast_server_blocks_and_sends_notebooks_nothing(ctx):
    out = ctx.run(ctx.on.config_changed(), full_state(ANSWERS, config={"notebook-configuration": "remote"}))
    assert out.unit_status == testing.BlockedStatus(
        "notebook-configuration is 'remote' but no feast-server is related; "
        "run juju integrate feast-integrator:feast-server feast-server"
    )
    assert sent_manifests(out, "secrets") == []
    assert sent_manifests(out, "pod-defaults") == []


def test_before_feast_server_says_where_it_answers_notebooks_get_nothing_rather_than_passwords(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation({})))
    assert out.unit_status == testing.WaitingStatus("Waiting for feast-server to publish its addresses")
    assert sent_manifests(out, "secrets") == []
    assert out.get_relation(RELATION_IDS["feast-server"]).local_app_data == {}
    assert ui_yaml_sent(out)["project"] == "feast_project"  # the UI is not held up


def test_invalid_server_data_blocks_naming_the_field(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation({**SERVER_ENDPOINTS, "offline-port": "flight"})))
    assert out.unit_status == testing.BlockedStatus("Invalid feast-server data: offline-port is not a port number: 'flight'")
    assert sent_manifests(out, "secrets") == []


def test_relating_feast_server_later_replaces_the_notebook_secret_with_one_without_passwords(ctx):
    direct = ctx.run(ctx.on.update_status(), full_state(ANSWERS))
    assert sent_feature_store(direct)["online_store"]["password"] == PASSWORD
    with_server = dataclasses.replace(direct, relations={*direct.relations, server_relation()})
    out = run(ctx, with_server)
    assert sent_feature_store(out) == CLIENT


def test_feast_server_leaving_withdraws_its_configuration_and_notebooks_go_back_to_direct(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation()))
    relation = out.get_relation(RELATION_IDS["feast-server"])
    after = ctx.run(ctx.on.relation_broken(relation), out)
    assert not [s for s in after.secrets if s.label == "feast-server.server-config"]
    assert sent_feature_store(after)["online_store"]["type"] == "postgres"


def test_invalid_option_blocks_naming_it(ctx):
    out = ctx.run(ctx.on.config_changed(), full_state(ANSWERS, config={"notebook-configuration": "both"}))
    assert out.unit_status == testing.BlockedStatus(
        "Invalid config 'notebook-configuration' must be one of auto, direct, remote, got 'both'"
    )


def test_registry_cache_ttl_reaches_the_client_configuration(ctx):
    out = run(ctx, full_state(ANSWERS, server=server_relation(), config={"registry-cache-ttl": 5}))
    assert sent_feature_store(out)["registry"]["cache_ttl_seconds"] == 5


def test_server_configuration_loads_with_feast_cores_parser(ctx):
    from feast_core.config import parse_config

    out = run(ctx, full_state(ANSWERS, server=server_relation()))
    databag = out.get_relation(RELATION_IDS["feast-server"]).local_app_data
    text = out.get_secret(id=databag["server-config-secret"]).tracked_content["feature-store-yaml"]
    parsed = parse_config(text, source="feature_store.yaml")
    assert parsed.auth.type == "kubernetes"
    assert parsed.online_store.password == PASSWORD


def test_upstream_feast_reads_the_client_configuration_as_remote_stores_with_kubernetes_auth(
    ctx, upstream_feast, tmp_path
):
    out = run(ctx, full_state(ANSWERS, server=server_relation()))
    (manifest,) = sent_manifests(out, "secrets")
    (tmp_path / "feature_store.yaml").write_text(manifest["stringData"]["feature_store.yaml"])
    seen = upstream_feast.run_python(
        """
        import importlib.util, json
        from pathlib import Path
        from feast.repo_config import REGISTRY_CLASS_FOR_TYPE, load_repo_config
        config = load_repo_config(Path("."), Path("feature_store.yaml"))
        registry = config.registry_config
        if importlib.util.find_spec("grpc"):  # Feast's remote registry module needs grpcio
            registry = {"registry_type": config.registry.registry_type, "path": config.registry.path}
        print(json.dumps({
            "registry": REGISTRY_CLASS_FOR_TYPE[registry["registry_type"]], "registry_path": registry["path"],
            "offline": type(config.offline_store).__name__, "offline_host": config.offline_store.host,
            "offline_port": config.offline_store.port,
            "online": type(config.online_store).__name__, "online_path": config.online_store.path,
            "auth": type(config.auth_config).__name__,
        }))
        """,
        cwd=tmp_path,
    )
    assert seen == {
        "registry": "feast.infra.registry.remote.RemoteRegistry", "registry_path": f"{SERVER_HOST}:6570",
        "offline": "RemoteOfflineStoreConfig", "offline_host": SERVER_HOST, "offline_port": 8815,
        "online": "RemoteOnlineStoreConfig", "online_path": f"http://{SERVER_HOST}:6566",
        "auth": "KubernetesAuthConfig",
    }
