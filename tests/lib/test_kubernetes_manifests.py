"""kubernetes_manifests requirer: the JSON list resource-dispatcher reads from `kubernetes_manifests`."""

from __future__ import annotations

import json
from typing import ClassVar

import ops
import pytest
from charms.feast_integrator.v0.kubernetes_manifests import (
    KubernetesManifestsRequirer,
    encode_manifests,
    validate_manifest,
)
from ops import testing

META = {"name": "sender", "requires": {"secrets": {"interface": "kubernetes_manifest"}}}
CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "stringData": {"k": "v\n'\""}}


class SenderCharm(ops.CharmBase):
    """Sends MANIFESTS on config-changed and withdraws on stop."""

    MANIFESTS: ClassVar[list[dict]] = [CONFIG_MAP, SECRET]

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.manifests = KubernetesManifestsRequirer(self, "secrets")
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.stop, self._on_stop)

    def _on_config_changed(self, _event: ops.EventBase) -> None:
        self.manifests.send(self.MANIFESTS)

    def _on_stop(self, _event: ops.EventBase) -> None:
        self.manifests.withdraw()


@pytest.fixture
def ctx() -> testing.Context:
    return testing.Context(SenderCharm, meta=META)


def dispatcher(**local_app_data: str) -> testing.Relation:
    return testing.Relation(
        "secrets",
        interface="kubernetes_manifest",
        remote_app_name="resource-dispatcher",
        local_app_data=local_app_data,
    )


def test_leader_sends_a_json_list_of_objects(ctx):
    relation = dispatcher()
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=True, relations={relation}))
    assert json.loads(out.get_relation(relation.id).local_app_data["kubernetes_manifests"]) == [
        CONFIG_MAP,
        SECRET,
    ]


def test_every_relation_of_the_endpoint_gets_the_list(ctx):
    first, second = dispatcher(), dispatcher()
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=True, relations={first, second}))
    for relation in (first, second):
        assert len(json.loads(out.get_relation(relation.id).local_app_data["kubernetes_manifests"])) == 2


def test_non_leader_sends_nothing(ctx):
    relation = dispatcher()
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=False, relations={relation}))
    assert "kubernetes_manifests" not in out.get_relation(relation.id).local_app_data


def test_withdraw_sends_an_empty_list(ctx):
    relation = dispatcher(kubernetes_manifests=json.dumps([CONFIG_MAP]))
    out = ctx.run(ctx.on.stop(), testing.State(leader=True, relations={relation}))
    assert out.get_relation(relation.id).local_app_data["kubernetes_manifests"] == "[]"


def test_no_relation_is_fine(ctx):
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=True))
    assert out.relations == frozenset()


@pytest.mark.parametrize(
    "manifest, message",
    [
        ("kind: Secret", "a manifest must be a mapping, not str"),
        ({"kind": "Secret", "metadata": {"name": "x"}}, "manifest has no apiVersion"),
        ({"apiVersion": "v1", "metadata": {"name": "x"}}, "manifest has no kind"),
        ({"apiVersion": "v1", "kind": "Secret"}, "Secret manifest has no metadata.name"),
        ({"apiVersion": "v1", "kind": "Secret", "metadata": {}}, "Secret manifest has no metadata.name"),
    ],
)
def test_invalid_manifests_are_rejected(manifest, message):
    with pytest.raises(ValueError, match=message):
        validate_manifest(manifest)


def test_encoding_is_stable():
    reordered = {
        "metadata": {"name": "settings"},
        "data": {"a": "1"},
        "kind": "ConfigMap",
        "apiVersion": "v1",
    }
    assert encode_manifests([CONFIG_MAP]) == encode_manifests([reordered])
