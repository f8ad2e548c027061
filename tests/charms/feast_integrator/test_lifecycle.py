"""State transitions: credentials arriving in any order, rotation, broken relations, leadership."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
import yaml
from feast_integrator_scenario import (
    PostgresAnswer,
    full_state,
    postgres_relation,
    sent_feature_store,
    sent_manifests,
)
from ops import testing

DATABASES = ("offline-store", "online-store", "registry")


def _answer(
    state: testing.State, endpoint: str, answer: PostgresAnswer
) -> tuple[testing.State, testing.Relation]:
    """The provider on `endpoint` publishes its answer (keeping what the charm wrote locally)."""
    old = next(r for r in state.relations if r.endpoint == endpoint)
    new, secrets = postgres_relation(endpoint, answer)
    new = dataclasses.replace(new, local_app_data=old.local_app_data, local_unit_data=old.local_unit_data)
    relations = [new if r.id == old.id else r for r in state.relations]
    return dataclasses.replace(state, relations=relations, secrets=[*state.secrets, *secrets]), new


@pytest.mark.parametrize("order", list(itertools.permutations(DATABASES)))
def test_credentials_arriving_in_any_order(ctx, order):
    state = ctx.run(ctx.on.install(), full_state({name: None for name in DATABASES}))
    assert state.unit_status == testing.WaitingStatus(
        "Waiting for offline-store credentials; Waiting for online-store credentials; "
        "Waiting for registry credentials"
    )
    for step, endpoint in enumerate(order, start=1):
        state, relation = _answer(state, endpoint, PostgresAnswer(password=f"pw-{endpoint}"))
        state = ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)
        if step < len(order):
            assert isinstance(state.unit_status, testing.WaitingStatus)
            assert endpoint not in state.unit_status.message
            assert sent_manifests(state, "secrets") == []
            assert sent_manifests(state, "pod-defaults") == []
            assert state.get_relation(31).local_app_data == {}
    assert state.unit_status == testing.ActiveStatus()
    document = sent_feature_store(state)
    assert document["offline_store"]["password"] == "pw-offline-store"
    assert document["online_store"]["password"] == "pw-online-store"
    assert ":pw-registry@" in document["registry"]["path"]
    assert len(sent_manifests(state, "pod-defaults")) == 1


def _rotate(state: testing.State, endpoint: str, password: str) -> tuple[testing.State, testing.Secret]:
    relation = next(r for r in state.relations if r.endpoint == endpoint)
    secret = next(s for s in state.secrets if s.id == relation.remote_app_data["secret-user"])
    rotated = dataclasses.replace(secret, latest_content={**secret.tracked_content, "password": password})
    secrets = [rotated if s.id == secret.id else s for s in state.secrets]
    return dataclasses.replace(state, secrets=secrets), rotated


@pytest.mark.parametrize("endpoint", DATABASES)
def test_password_rotation_updates_everything_sent(ctx, endpoint):
    first = ctx.run(ctx.on.update_status(), full_state())
    state, rotated = _rotate(first, endpoint, "rotated'#:@pw")
    out = ctx.run(ctx.on.secret_changed(rotated), state)
    assert out.unit_status == testing.ActiveStatus()
    document = sent_feature_store(out)
    if endpoint == "registry":
        assert ":rotated%27%23%3A%40pw@" in document["registry"]["path"]
    else:
        assert document[endpoint.replace("-", "_")]["password"] == "rotated'#:@pw"
    ui_secret = out.get_secret(label="feast-configuration.feature-store")
    shared = yaml.safe_load(ui_secret.latest_content["feature-store-yaml"])
    assert shared == document
    # Same secret, new content: the UI keeps its grant and is told through secret-changed.
    assert ui_secret.id == first.get_secret(label="feast-configuration.feature-store").id


def test_unchanged_configuration_does_not_touch_the_ui_secret(ctx):
    first = ctx.run(ctx.on.update_status(), full_state())
    second = ctx.run(ctx.on.update_status(), first)
    before = first.get_secret(label="feast-configuration.feature-store")
    after = second.get_secret(label="feast-configuration.feature-store")
    assert after.latest_content == before.latest_content
    assert after._latest_revision == before._latest_revision


@pytest.mark.parametrize("endpoint", DATABASES)
def test_broken_database_relation_withdraws_everything(ctx, endpoint):
    sent = ctx.run(ctx.on.update_status(), full_state())
    assert sent_manifests(sent, "secrets") != []
    relation = next(r for r in sent.relations if r.endpoint == endpoint)
    out = ctx.run(ctx.on.relation_broken(relation), sent)
    assert out.unit_status == testing.BlockedStatus(f"Missing relations: {endpoint}")
    assert sent_manifests(out, "secrets") == []
    assert sent_manifests(out, "pod-defaults") == []
    assert out.get_relation(31).local_app_data == {}
    assert [s for s in out.secrets if s.owner == "app"] == []


def test_changed_database_relation_updates_what_was_sent(ctx):
    sent = ctx.run(ctx.on.update_status(), full_state())
    state, relation = _answer(
        sent, "offline-store", PostgresAnswer(endpoints="new-primary.kubeflow.svc.cluster.local:6543")
    )
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)
    store = sent_feature_store(out)["offline_store"]
    assert (store["host"], store["port"]) == ("new-primary.kubeflow.svc.cluster.local", 6543)


def test_broken_secrets_relation_withdraws_the_pod_default(ctx):
    sent = ctx.run(ctx.on.update_status(), full_state())
    relation = next(r for r in sent.relations if r.endpoint == "secrets")
    out = ctx.run(ctx.on.relation_broken(relation), sent)
    assert out.unit_status == testing.BlockedStatus("Missing relations: secrets")
    # Without the Secret the PodDefault would mount nothing and break notebook pods.
    assert sent_manifests(out, "pod-defaults") == []
    # The UI does not depend on the dispatcher.
    assert "feature-store-secret" in out.get_relation(31).local_app_data


def test_broken_ui_relation_removes_the_shared_secret(ctx):
    sent = ctx.run(ctx.on.update_status(), full_state())
    assert sent.get_secret(label="feast-configuration.feature-store")
    relation = next(r for r in sent.relations if r.endpoint == "feast-configuration")
    out = ctx.run(ctx.on.relation_broken(relation), sent)
    assert out.unit_status == testing.ActiveStatus()
    assert [s for s in out.secrets if s.owner == "app"] == []
    assert len(sent_manifests(out, "secrets")) == 1


def test_ui_relation_added_later_gets_the_configuration(ctx):
    sent = ctx.run(ctx.on.update_status(), full_state(with_ui=False))
    ui = testing.Relation(
        "feast-configuration", interface="feast-configuration", remote_app_name="feast-ui", id=31
    )
    out = ctx.run(ctx.on.relation_created(ui), dataclasses.replace(sent, relations=[*sent.relations, ui]))
    secret = out.get_secret(id=out.get_relation(31).local_app_data["feature-store-secret"])
    assert yaml.safe_load(secret.tracked_content["feature-store-yaml"]) == sent_feature_store(out)


def test_new_leader_converges_on_leader_elected(ctx):
    follower = ctx.run(ctx.on.update_status(), full_state(leader=False))
    assert sent_manifests(follower, "secrets") == []
    out = ctx.run(ctx.on.leader_elected(), dataclasses.replace(follower, leader=True))
    assert out.unit_status == testing.ActiveStatus()
    assert len(sent_manifests(out, "secrets")) == 1
    assert len(sent_manifests(out, "pod-defaults")) == 1
    assert out.get_relation(13).local_app_data["database"] == "registry"


def test_secret_remove_drops_the_obsolete_revision_of_our_secret(ctx):
    state = ctx.run(ctx.on.update_status(), full_state())
    for password in ("second-password", "third-password"):
        state, rotated = _rotate(state, "registry", password)
        state = ctx.run(ctx.on.secret_changed(rotated), state)
    secret = state.get_secret(label="feast-configuration.feature-store")
    assert secret._latest_revision == 3
    ctx.run(ctx.on.secret_remove(secret, revision=2), state)
    assert ctx.removed_secret_revisions == [2]


def test_secret_remove_of_another_secret_is_ignored(ctx):
    state = full_state()
    foreign = testing.Secret({"k-ey": "v"}, owner="app", label="something-else")
    ctx.run(
        ctx.on.secret_remove(foreign, revision=3),
        dataclasses.replace(state, secrets=[*state.secrets, foreign]),
    )
    assert ctx.removed_secret_revisions == []


def test_status_alone_peeks_at_a_rotated_password_without_tracking_it(ctx):
    first = ctx.run(ctx.on.update_status(), full_state())
    state, rotated = _rotate(first, "registry", "rotated")
    peeked = ctx.run(ctx.on.collect_unit_status(), state)
    assert peeked.unit_status == testing.ActiveStatus()
    assert peeked.get_secret(id=rotated.id).tracked_content["password"] == "s3cret-Pw"
    reconciled = ctx.run(ctx.on.secret_changed(rotated), state)
    assert reconciled.get_secret(id=rotated.id).tracked_content["password"] == "rotated"
