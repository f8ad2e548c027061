"""Ambient mode: feast-ui joins istio-beacon-k8s's mesh by labelling its pods and Service.

The provider's answer is produced by the published ServiceMeshProvider (as istio-beacon-k8s runs
it), and the labels land in a loopback Kubernetes API double that holds the StatefulSet and
Service Juju creates for the application.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from feast_ui_helpers import (
    AMBIENT,
    MODEL,
    TRUSTED_MODEL,
    add_juju_app_objects,
    beacon_answer,
    config_relation,
    container,
    mesh_relation,
)
from kube_double import KubeApiDouble
from ops import testing

CONFIGMAP = "juju-service-mesh-feast-ui-labels"


@pytest.fixture
def kube(tmp_path, monkeypatch):
    with KubeApiDouble() as api:
        add_juju_app_objects(api)
        monkeypatch.setenv("KUBECONFIG", str(api.kubeconfig(tmp_path / "kubeconfig", "kubeflow")))
        yield api


def pod_labels(kube: KubeApiDouble) -> dict:
    return kube.get("kubeflow", "statefulsets", "feast-ui")["spec"]["template"]["metadata"]["labels"]


def service_labels(kube: KubeApiDouble) -> dict:
    return kube.get("kubeflow", "services", "feast-ui")["metadata"]["labels"]


def run(charm_module, event: str, rel: testing.Relation, *, trusted=True, leader=True, state=None):
    ctx = testing.Context(charm_module.FeastUICharm, app_trusted=trusted)
    base = state or testing.State(
        leader=leader, model=TRUSTED_MODEL if trusted else MODEL, relations={config_relation(), rel},
        containers={container()},
    )
    trigger = {
        "created": ctx.on.relation_created(rel),
        "changed": ctx.on.relation_changed(rel, remote_unit=0),
        "broken": ctx.on.relation_broken(rel),
        "update-status": ctx.on.update_status(),
    }[event]
    return ctx.run(trigger, base)


def test_beacon_answer_is_shaped_as_the_provider_sends_it():
    answer = beacon_answer()
    assert json.loads(answer["labels"]) == AMBIENT
    assert json.loads(answer["mesh_type"]) == "istio"


def test_joining_the_mesh_labels_the_pods_and_the_service(charm_module, kube):
    rel = mesh_relation()
    out = run(charm_module, "changed", rel)
    assert out.unit_status == testing.ActiveStatus()
    assert pod_labels(kube) == {"app.kubernetes.io/name": "feast-ui", **AMBIENT}
    assert service_labels(kube) == {"app.kubernetes.io/name": "feast-ui", **AMBIENT}
    assert json.loads(kube.get("kubeflow", "configmaps", CONFIGMAP)["data"]["labels"]) == AMBIENT


def test_the_mesh_gets_our_policies_on_relation_created(charm_module, kube):
    rel = mesh_relation()
    out = run(charm_module, "created", rel)
    assert json.loads(out.get_relation(rel.id).local_app_data["policies"]) == []


def test_unchanged_labels_are_not_sent_again(charm_module, kube):
    rel = mesh_relation()
    joined = run(charm_module, "changed", rel)
    calls = len(kube.requests)
    again = run(charm_module, "update-status", rel, state=joined)
    assert len(kube.requests) == calls
    assert again.unit_status == testing.ActiveStatus()


def test_leaving_the_mesh_removes_the_labels_and_the_record(charm_module, kube):
    rel = mesh_relation()
    joined = run(charm_module, "changed", rel)
    out = run(charm_module, "broken", rel, state=joined)
    assert out.unit_status == testing.ActiveStatus()
    assert pod_labels(kube) == {"app.kubernetes.io/name": "feast-ui"}
    assert service_labels(kube) == {"app.kubernetes.io/name": "feast-ui"}
    assert kube.get("kubeflow", "configmaps", CONFIGMAP) is None


def test_without_trust_the_unit_says_so_and_touches_nothing(charm_module, kube):
    rel = mesh_relation()
    out = run(charm_module, "changed", rel, trusted=False)
    assert out.unit_status == testing.BlockedStatus(
        "Joining the service mesh needs trust: run juju trust feast-ui --scope=cluster"
    )
    assert kube.requests == []
    assert "istio.io/dataplane-mode" not in pod_labels(kube)


def test_an_api_refusal_becomes_a_status(charm_module, kube):
    kube.forbidden = True
    rel = mesh_relation()
    out = run(charm_module, "changed", rel)
    assert out.unit_status.name == "blocked"
    assert out.unit_status.message.startswith("Cannot set the service mesh labels: ")
    assert "forbidden" in out.unit_status.message
    # and once the API accepts, the next hook joins
    kube.forbidden = False
    retried = run(charm_module, "update-status", rel, state=dataclasses.replace(out, unit_status=None))
    assert retried.unit_status == testing.ActiveStatus()
    assert pod_labels(kube)["istio.io/dataplane-mode"] == "ambient"


def test_non_leaders_leave_the_labels_to_the_leader(charm_module, kube):
    rel = mesh_relation()
    out = run(charm_module, "changed", rel, leader=False)
    assert kube.requests == []
    assert out.unit_status == testing.ActiveStatus()


def test_invalid_mesh_data_blocks_without_crashing(charm_module, kube):
    rel = mesh_relation({"labels": "{not json", "mesh_type": '"istio"'})
    out = run(charm_module, "changed", rel)
    assert out.unit_status.name == "blocked"
    assert out.unit_status.message.startswith("Invalid service-mesh data:")
    assert kube.requests == []


def test_cross_model_mesh_data_names_our_app_and_model(charm_module):
    rel = testing.Relation("require-cmr-mesh", interface="cross_model_mesh", remote_app_name="other")
    ctx = testing.Context(charm_module.FeastUICharm)
    state = testing.State(leader=True, model=MODEL, relations={config_relation(), rel}, containers={container()})
    out = ctx.run(ctx.on.relation_created(rel), state)
    assert json.loads(out.get_relation(rel.id).local_app_data["cmr_data"]) == {
        "app_name": "feast-ui", "juju_model_name": "kubeflow"
    }
