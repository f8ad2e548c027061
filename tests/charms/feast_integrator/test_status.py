"""Statuses: missing relations, waiting for credentials, leadership, invalid data and config."""

from __future__ import annotations

import dataclasses

import pytest
from feast_integrator_scenario import (
    PostgresAnswer,
    full_state,
    postgres_relation,
    sent_manifests,
)
from ops import testing

REQUIRED = ("offline-store", "online-store", "registry", "secrets", "pod-defaults")


def test_fresh_install_blocks_naming_every_missing_relation(ctx):
    out = ctx.run(ctx.on.install(), testing.State(leader=True))
    assert out.unit_status == testing.BlockedStatus(
        "Missing relations: offline-store, online-store, registry, secrets, pod-defaults"
    )


@pytest.mark.parametrize("missing", REQUIRED)
@pytest.mark.parametrize("leader", [True, False])
def test_each_missing_relation_is_named(ctx, missing, leader):
    out = ctx.run(ctx.on.update_status(), full_state(omit=(missing,), leader=leader))
    assert out.unit_status == testing.BlockedStatus(f"Missing relations: {missing}")


def test_feast_configuration_relation_is_optional(ctx):
    out = ctx.run(ctx.on.update_status(), full_state(with_ui=False))
    assert out.unit_status == testing.ActiveStatus()


def test_waits_for_credentials_naming_each_database(ctx):
    state = full_state({"offline-store": None, "registry": None})
    out = ctx.run(ctx.on.update_status(), state)
    assert out.unit_status == testing.WaitingStatus(
        "Waiting for offline-store credentials; Waiting for registry credentials"
    )


def test_waits_when_secret_is_not_granted_yet(ctx):
    state = full_state()
    registry = state.get_relation(13)
    # The provider wrote the secret URI but the grant has not reached us: the secret is unknown.
    hidden = [s for s in state.secrets if s.id != registry.remote_app_data["secret-user"]]
    out = ctx.run(ctx.on.relation_changed(registry), dataclasses.replace(state, secrets=hidden))
    assert out.unit_status == testing.WaitingStatus("Waiting for access to the registry user secret")
    assert sent_manifests(out, "secrets") == []


def test_waits_for_endpoints(ctx):
    relation, secrets = postgres_relation("online-store", PostgresAnswer())
    data = {k: v for k, v in relation.remote_app_data.items() if k != "endpoints"}
    state = full_state(omit=("online-store",))
    state = dataclasses.replace(
        state,
        relations=[*state.relations, dataclasses.replace(relation, remote_app_data=data)],
        secrets=[*state.secrets, *secrets],
    )
    out = ctx.run(ctx.on.update_status(), state)
    assert out.unit_status == testing.WaitingStatus("Waiting for online-store endpoints")


@pytest.mark.parametrize(
    "endpoints, problem",
    [
        ("not-a-host-port", "endpoint 'not-a-host-port' is not host:port"),
        ("db:five", "endpoint 'db:five' has an invalid port"),
        ("db:99999", "endpoint 'db:99999' has an invalid port"),
        ("user@db:5432", "endpoint 'user@db:5432' has an invalid host"),
        (",", "no endpoint given"),
    ],
)
def test_invalid_endpoints_block_without_raising(ctx, endpoints, problem):
    state = full_state({"registry": PostgresAnswer(endpoints=endpoints)})
    out = ctx.run(ctx.on.relation_changed(state.get_relation(13)), state)
    assert out.unit_status == testing.BlockedStatus(f"Invalid registry endpoints: {problem}")
    assert sent_manifests(out, "secrets") == []
    assert sent_manifests(out, "pod-defaults") == []


def test_non_leader_is_active_on_standby_and_writes_nothing(ctx):
    state = full_state(leader=False)
    out = ctx.run(ctx.on.config_changed(), state)
    assert out.unit_status == testing.ActiveStatus("standby: the leader unit publishes the configuration")
    for relation in out.relations:
        assert relation.local_app_data == {}
    assert [s for s in out.secrets if s.owner == "app"] == []


def test_leader_with_everything_is_active(ctx):
    out = ctx.run(ctx.on.config_changed(), full_state())
    assert out.unit_status == testing.ActiveStatus()


def test_collect_status_alone_sends_nothing(ctx):
    out = ctx.run(ctx.on.collect_unit_status(), full_state())
    assert out.unit_status == testing.ActiveStatus()
    assert sent_manifests(out, "secrets") == []
    assert sent_manifests(out, "pod-defaults") == []
    assert out.get_relation(31).local_app_data == {}
    assert "database" not in out.get_relation(11).local_app_data


@pytest.mark.parametrize(
    "config, message",
    [
        (
            {"project": "my-project"},
            "Invalid config 'project' must be letters, digits and underscores, got 'my-project'",
        ),
        ({"project": ""}, "Invalid config 'project' must be letters, digits and underscores, got ''"),
        (
            {"registry-cache-ttl": -1},
            "Invalid config 'registry-cache-ttl' must be a non-negative integer, got -1",
        ),
    ],
)
def test_invalid_config_blocks_and_withdraws(ctx, config, message):
    sent = ctx.run(ctx.on.config_changed(), full_state())
    assert sent_manifests(sent, "secrets") != []
    out = ctx.run(ctx.on.config_changed(), dataclasses.replace(sent, config=config))
    assert out.unit_status == testing.BlockedStatus(message)
    assert sent_manifests(out, "secrets") == []
    assert sent_manifests(out, "pod-defaults") == []
    assert out.get_relation(31).local_app_data == {}


def test_two_relations_on_one_database_endpoint_block(ctx):
    state = full_state()
    second, secrets = postgres_relation("registry", PostgresAnswer(app="other-registry"))
    second = dataclasses.replace(second, id=99)
    state = dataclasses.replace(
        state, relations=[*state.relations, second], secrets=[*state.secrets, *secrets]
    )
    out = ctx.run(ctx.on.update_status(), state)
    assert out.unit_status == testing.BlockedStatus("Too many registry relations (2); remove all but one")
    assert sent_manifests(out, "secrets") == []


@pytest.mark.parametrize("field", ["secret-user", "secret-tls"])
@pytest.mark.parametrize("uri", ["garbage", "secret:", "secret://model/x", "secret:d1q7d0vmp25c77blqqo0"])
def test_unreadable_secret_uris_wait_without_raising(ctx, field, uri):
    state = full_state({"registry": PostgresAnswer(extra={field: uri})})
    out = ctx.run(ctx.on.relation_changed(state.get_relation(13)), state)
    group = field.removeprefix("secret-")
    assert out.unit_status == testing.WaitingStatus(f"Waiting for access to the registry {group} secret")
    assert sent_manifests(out, "secrets") == []


def test_user_secret_without_password_waits(ctx):
    state = full_state()
    registry = state.get_relation(13)
    secrets = [
        dataclasses.replace(s, tracked_content={"username": "relation_id_13"}, latest_content=None)
        if s.id == registry.remote_app_data["secret-user"]
        else s
        for s in state.secrets
    ]
    out = ctx.run(ctx.on.relation_changed(registry), dataclasses.replace(state, secrets=secrets))
    assert out.unit_status == testing.WaitingStatus("Waiting for registry credentials")
