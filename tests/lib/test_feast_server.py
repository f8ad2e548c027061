"""feast_server interface: endpoints one way in plain data, the server's YAML the other way inside a Juju secret."""

from __future__ import annotations

import ops
import pytest
from charms.feast_integrator.v0.feast_server import (
    FeastServerConfiguration,
    FeastServerEndpoints,
    FeastServerInvalidError,
    FeastServerNotReadyError,
    FeastServerProvider,
    FeastServerRequirer,
)
from ops import testing

SERVER_YAML = (
    "project: demo\nregistry:\n  registry_type: sql\n  path: postgresql+psycopg://u:p%40ss@h:5432/r\n"
    "auth:\n  type: kubernetes\n"
)
HOST = "feast-server.kubeflow.svc.cluster.local"
ENDPOINTS = FeastServerEndpoints(
    online_url=f"http://{HOST}:6566", registry_address=f"{HOST}:6570", offline_host=HOST, offline_port=8815
)
PROVIDER_META = {"name": "feast-integrator", "provides": {"feast-server": {"interface": "feast_server"}}}
REQUIRER_META = {"name": "feast-server", "requires": {"feast-configuration": {"interface": "feast_server"}}}


class ProviderCharm(ops.CharmBase):
    """Publishes SERVER_YAML on config-changed, withdraws on stop, records the endpoints it read."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.provider = FeastServerProvider(self)
        framework.observe(self.on.config_changed, self._publish)
        framework.observe(self.on.stop, self._withdraw)

    def _publish(self, _event):
        self.provider.publish(FeastServerConfiguration(project="demo", feature_store_yaml=SERVER_YAML))

    def _withdraw(self, _event):
        self.provider.withdraw()


class RequirerCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.requirer = FeastServerRequirer(self)
        framework.observe(self.on.config_changed, self._publish)

    def _publish(self, _event):
        self.requirer.publish_endpoints(ENDPOINTS)


def provider_side(**remote: str) -> testing.Relation:
    return testing.Relation("feast-server", interface="feast_server", remote_app_name="feast-server",
                            remote_app_data=remote)


def test_endpoints_round_trip_through_the_requirer_databag():
    ctx = testing.Context(RequirerCharm, meta=REQUIRER_META)
    relation = testing.Relation("feast-configuration", interface="feast_server", remote_app_name="feast-integrator")
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=True, relations={relation}))
    databag = out.get_relation(relation.id).local_app_data
    assert databag == {
        "online-url": f"http://{HOST}:6566",
        "registry-address": f"{HOST}:6570",
        "offline-host": HOST,
        "offline-port": "8815",
        "auth-type": "kubernetes",
    }
    assert FeastServerEndpoints.from_databag(databag) == ENDPOINTS


def test_non_leader_requirer_writes_nothing():
    ctx = testing.Context(RequirerCharm, meta=REQUIRER_META)
    relation = testing.Relation("feast-configuration", interface="feast_server", remote_app_name="feast-integrator")
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=False, relations={relation}))
    assert out.get_relation(relation.id).local_app_data == {}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"online-url": "feast-server:6566"}, "online-url"),
        ({"registry-address": "feast-server"}, "registry-address"),
        ({"registry-address": "feast-server:70000"}, "registry-address"),
        ({"offline-port": "flight"}, "offline-port"),
        ({"offline-host": "a b"}, "offline-host"),
        ({"auth-type": "no_auth"}, "auth-type"),
    ],
)
def test_invalid_endpoints_name_the_field(change, named):
    with pytest.raises(FeastServerInvalidError, match=named):
        FeastServerEndpoints.from_databag({**ENDPOINTS.to_databag(), **change})


def test_partial_endpoints_name_what_is_missing_and_empty_ones_are_not_ready():
    partial = ENDPOINTS.to_databag()
    del partial["offline-port"]
    with pytest.raises(FeastServerInvalidError, match="offline-port"):
        FeastServerEndpoints.from_databag(partial)
    with pytest.raises(FeastServerNotReadyError):
        FeastServerEndpoints.from_databag({})


def test_provider_reads_endpoints_and_none_without_a_relation():
    seen = {}

    class Reader(ProviderCharm):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.update_status, self._read)

        def _read(self, _event):
            seen["endpoints"] = self.provider.get_endpoints()

    ctx = testing.Context(Reader, meta=PROVIDER_META)
    ctx.run(ctx.on.update_status(), testing.State(leader=True))
    assert seen["endpoints"] is None
    ctx.run(ctx.on.update_status(), testing.State(leader=True, relations={provider_side(**ENDPOINTS.to_databag())}))
    assert seen["endpoints"] == ENDPOINTS


def _provider_output():
    ctx = testing.Context(ProviderCharm, meta=PROVIDER_META)
    relation = provider_side()
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=True, relations={relation}))
    return out, out.get_relation(relation.id)


def test_provider_puts_the_yaml_only_in_a_secret_granted_to_the_relation():
    out, relation = _provider_output()
    databag = relation.local_app_data
    assert set(databag) == {"server-config-secret", "project"}
    assert "p%40ss" not in str(databag)
    secret = out.get_secret(id=databag["server-config-secret"])
    assert secret.owner == "app"
    assert secret.label == "feast-server.server-config"
    assert secret.tracked_content == {"feature-store-yaml": SERVER_YAML}
    assert relation.id in secret.remote_grants


def test_withdraw_clears_the_data_and_removes_the_secret():
    ctx = testing.Context(ProviderCharm, meta=PROVIDER_META)
    out, relation = _provider_output()
    after = ctx.run(ctx.on.stop(), out)
    assert after.get_relation(relation.id).local_app_data == {}
    assert after.secrets == frozenset()


def requirer_state(remote: dict[str, str], secrets=()) -> tuple[testing.Relation, testing.State]:
    relation = testing.Relation("feast-configuration", interface="feast_server", remote_app_name="feast-integrator",
                                remote_app_data=remote)
    return relation, testing.State(leader=True, relations={relation}, secrets=set(secrets))


def read_configuration(remote, secrets=(), track_latest=True):
    result = {}

    class Reader(RequirerCharm):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.update_status, self._read)

        def _read(self, _):
            try:
                result["value"] = self.requirer.get_configuration(track_latest=track_latest)
            except (FeastServerNotReadyError, FeastServerInvalidError) as error:
                result["value"] = error

    ctx = testing.Context(Reader, meta=REQUIRER_META)
    _, state = requirer_state(remote, secrets)
    ctx.run(ctx.on.update_status(), state)
    return result["value"]


def test_requirer_reads_what_the_provider_wrote():
    out, relation = _provider_output()
    (owned,) = out.secrets
    # the same secret, seen from the other application
    secret = testing.Secret(owned.tracked_content, id=owned.id)
    configuration = read_configuration(dict(relation.local_app_data), [secret])
    assert configuration == FeastServerConfiguration(project="demo", feature_store_yaml=SERVER_YAML)
    assert configuration.auth_type == "kubernetes"
    assert len(configuration.content_hash) == 64


def test_requirer_waits_without_data_or_without_access():
    assert isinstance(read_configuration({}), FeastServerNotReadyError)
    missing = read_configuration({"server-config-secret": "secret:cs0m9fhdtpbk7t3pdfr0", "project": "demo"})
    assert isinstance(missing, FeastServerNotReadyError)
    assert "access" in str(missing)


@pytest.mark.parametrize("text", ["", "project: [unclosed", "registry: {}\n"])
def test_requirer_refuses_a_secret_that_is_not_a_feature_store_yaml(text):
    secret = testing.Secret({"feature-store-yaml": text})
    error = read_configuration({"server-config-secret": secret.id, "project": "demo"}, [secret])
    assert isinstance(error, FeastServerInvalidError)


def test_auth_type_of_a_configuration_without_auth_is_no_auth():
    assert FeastServerConfiguration(project="p", feature_store_yaml="project: p\n").auth_type == "no_auth"
