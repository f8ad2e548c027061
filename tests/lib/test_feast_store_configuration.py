"""feast-configuration provider and requirer: the YAML travels in a Juju secret granted to the relation."""

from __future__ import annotations

import dataclasses
import hashlib

import ops
import pytest
from charms.feast_integrator.v0.feast_store_configuration import (
    FeastStoreConfiguration,
    FeastStoreConfigurationError,
    FeastStoreConfigurationInvalidError,
    FeastStoreConfigurationNotReadyError,
    FeastStoreConfigurationProvider,
    FeastStoreConfigurationRelationMissingError,
    FeastStoreConfigurationRequirer,
)
from ops import testing

FEATURE_STORE_YAML = "project: demo\nregistry:\n  path: postgresql+psycopg://u:p%40ss@h:5432/r\n"
PROVIDER_META = {
    "name": "integrator",
    "provides": {"feast-configuration": {"interface": "feast-configuration"}},
}
REQUIRER_META = {"name": "ui", "requires": {"feast-configuration": {"interface": "feast-configuration"}}}
LABEL = "feast-configuration.feature-store"


class ProviderCharm(ops.CharmBase):
    """Publishes YAML (a class attribute) on config-changed, withdraws on stop."""

    YAML = FEATURE_STORE_YAML

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.provider = FeastStoreConfigurationProvider(self)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.stop, self._on_stop)

    def _on_config_changed(self, _event: ops.EventBase) -> None:
        self.provider.publish(FeastStoreConfiguration(project="demo", feature_store_yaml=self.YAML))

    def _on_stop(self, _event: ops.EventBase) -> None:
        self.provider.withdraw()


class RequirerCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.requirer = FeastStoreConfigurationRequirer(self)


@pytest.fixture
def provider_ctx() -> testing.Context:
    return testing.Context(ProviderCharm, meta=PROVIDER_META)


@pytest.fixture
def requirer_ctx() -> testing.Context:
    return testing.Context(RequirerCharm, meta=REQUIRER_META)


def ui_relation(**local_app_data: str) -> testing.Relation:
    return testing.Relation(
        "feast-configuration",
        interface="feast-configuration",
        remote_app_name="feast-ui",
        local_app_data=local_app_data,
    )


def integrator_relation(**remote_app_data: str) -> testing.Relation:
    return testing.Relation(
        "feast-configuration",
        interface="feast-configuration",
        remote_app_name="feast-integrator",
        remote_app_data=remote_app_data,
    )


def test_provider_publishes_secret_uri_and_project_only(provider_ctx):
    relation = ui_relation()
    out = provider_ctx.run(provider_ctx.on.config_changed(), testing.State(leader=True, relations={relation}))
    databag = out.get_relation(relation.id).local_app_data
    assert set(databag) == {"feature-store-secret", "project"}
    assert databag["project"] == "demo"
    secret = out.get_secret(id=databag["feature-store-secret"])
    assert secret.label == LABEL
    assert secret.owner == "app"
    assert secret.tracked_content == {"feature-store-yaml": FEATURE_STORE_YAML}
    assert secret.remote_grants == {relation.id: {"feast-ui"}}


def test_provider_non_leader_publishes_nothing(provider_ctx):
    relation = ui_relation()
    out = provider_ctx.run(
        provider_ctx.on.config_changed(), testing.State(leader=False, relations={relation})
    )
    assert out.get_relation(relation.id).local_app_data == {}
    assert list(out.secrets) == []


def test_provider_without_relation_keeps_no_secret(provider_ctx):
    out = provider_ctx.run(provider_ctx.on.config_changed(), testing.State(leader=True))
    assert list(out.secrets) == []


def test_provider_updates_the_same_secret(provider_ctx, monkeypatch):
    relation = ui_relation()
    first = provider_ctx.run(
        provider_ctx.on.config_changed(), testing.State(leader=True, relations={relation})
    )
    monkeypatch.setattr(ProviderCharm, "YAML", "project: demo\nprovider: local\n")
    second = provider_ctx.run(provider_ctx.on.config_changed(), first)
    before, after = first.get_secret(label=LABEL), second.get_secret(label=LABEL)
    assert after.id == before.id
    assert after.latest_content == {"feature-store-yaml": "project: demo\nprovider: local\n"}
    assert second.get_relation(relation.id).local_app_data["feature-store-secret"] == before.id


def test_provider_withdraw_clears_data_and_removes_the_secret(provider_ctx):
    relation = ui_relation()
    published = provider_ctx.run(
        provider_ctx.on.config_changed(), testing.State(leader=True, relations={relation})
    )
    out = provider_ctx.run(provider_ctx.on.stop(), published)
    assert out.get_relation(relation.id).local_app_data == {}
    assert list(out.secrets) == []


def test_requirer_gets_the_yaml(requirer_ctx):
    secret = testing.Secret({"feature-store-yaml": FEATURE_STORE_YAML})
    relation = integrator_relation(**{"feature-store-secret": secret.id, "project": "demo"})
    with requirer_ctx(
        requirer_ctx.on.update_status(), testing.State(relations={relation}, secrets={secret})
    ) as mgr:
        configuration = mgr.charm.requirer.get_configuration()
    assert configuration == FeastStoreConfiguration(project="demo", feature_store_yaml=FEATURE_STORE_YAML)
    assert configuration.content_hash == hashlib.sha256(FEATURE_STORE_YAML.encode()).hexdigest()


def test_requirer_reads_the_latest_revision(requirer_ctx):
    secret = testing.Secret(
        {"feature-store-yaml": FEATURE_STORE_YAML}, latest_content={"feature-store-yaml": "project: newer\n"}
    )
    relation = integrator_relation(**{"feature-store-secret": secret.id, "project": "newer"})
    with requirer_ctx(
        requirer_ctx.on.secret_changed(secret), testing.State(relations={relation}, secrets={secret})
    ) as mgr:
        configuration = mgr.charm.requirer.get_configuration()
    assert configuration.feature_store_yaml == "project: newer\n"
    assert configuration.project == "newer"


@pytest.mark.parametrize("track_latest", [True, False])
def test_requirer_tracks_the_latest_revision_only_when_asked(requirer_ctx, track_latest):
    secret = testing.Secret(
        {"feature-store-yaml": FEATURE_STORE_YAML}, latest_content={"feature-store-yaml": "project: newer\n"}
    )
    relation = integrator_relation(**{"feature-store-secret": secret.id, "project": "newer"})
    with requirer_ctx(
        requirer_ctx.on.update_status(), testing.State(relations={relation}, secrets={secret})
    ) as mgr:
        configuration = mgr.charm.requirer.get_configuration(track_latest=track_latest)
        out = mgr.run()
    assert configuration.feature_store_yaml == "project: newer\n"
    tracked = out.get_secret(id=secret.id).tracked_content
    assert tracked == {"feature-store-yaml": "project: newer\n" if track_latest else FEATURE_STORE_YAML}


def test_provider_output_is_what_the_requirer_reads(provider_ctx, requirer_ctx):
    relation = ui_relation()
    out = provider_ctx.run(provider_ctx.on.config_changed(), testing.State(leader=True, relations={relation}))
    sent = out.get_relation(relation.id).local_app_data
    shared = dataclasses.replace(out.get_secret(label=LABEL), owner=None, label=None)
    seen = integrator_relation(**sent)
    with requirer_ctx(
        requirer_ctx.on.update_status(), testing.State(relations={seen}, secrets={shared})
    ) as mgr:
        assert mgr.charm.requirer.get_configuration().feature_store_yaml == FEATURE_STORE_YAML


def _error(requirer_ctx, state: testing.State) -> FeastStoreConfigurationError:
    with (
        requirer_ctx(requirer_ctx.on.update_status(), state) as mgr,
        pytest.raises(FeastStoreConfigurationError) as caught,
    ):
        mgr.charm.requirer.get_configuration()
    return caught.value


def test_requirer_without_relation(requirer_ctx):
    error = _error(requirer_ctx, testing.State())
    assert isinstance(error, FeastStoreConfigurationRelationMissingError)
    assert str(error) == "missing relation: feast-configuration"


def test_requirer_with_empty_relation_waits(requirer_ctx):
    error = _error(requirer_ctx, testing.State(relations={integrator_relation()}))
    assert isinstance(error, FeastStoreConfigurationNotReadyError)
    assert str(error) == "waiting for the feature store configuration on feast-configuration"


def test_requirer_without_access_to_the_secret_waits(requirer_ctx):
    relation = integrator_relation(
        **{"feature-store-secret": "secret:d1q7d0vmp25c77blqqo0", "project": "demo"}
    )
    error = _error(requirer_ctx, testing.State(relations={relation}))
    assert isinstance(error, FeastStoreConfigurationNotReadyError)
    assert str(error) == "waiting for access to the feast-configuration secret"


@pytest.mark.parametrize(
    "content, message",
    [
        ({"other-key": "x"}, "feast-configuration secret holds no feature_store.yaml"),
        ({"feature-store-yaml": "  \n"}, "feast-configuration secret holds no feature_store.yaml"),
        (
            {"feature-store-yaml": "project: [unclosed"},
            "feast-configuration sent a feature_store.yaml that is not valid YAML",
        ),
        (
            {"feature-store-yaml": "- a list"},
            "feast-configuration sent a feature_store.yaml without a project",
        ),
        (
            {"feature-store-yaml": "provider: local\n"},
            "feast-configuration sent a feature_store.yaml without a project",
        ),
    ],
)
def test_requirer_rejects_invalid_content(requirer_ctx, content, message):
    secret = testing.Secret(content)
    relation = integrator_relation(**{"feature-store-secret": secret.id})
    error = _error(requirer_ctx, testing.State(relations={relation}, secrets={secret}))
    assert isinstance(error, FeastStoreConfigurationInvalidError)
    assert str(error) == message


def test_requirer_with_two_relations_is_invalid(requirer_ctx):
    state = testing.State(relations={integrator_relation(), integrator_relation()})
    assert isinstance(_error(requirer_ctx, state), FeastStoreConfigurationInvalidError)
