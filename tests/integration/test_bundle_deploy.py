"""Deploy Charmed Feast as the tutorial does (sidecar Istio) on a real Juju controller and follow the journey.

Run with `tox -c tests/integration/tox.ini -e integration` on a machine with a bootstrapped Kubernetes
controller, Charmed Kubeflow in the model (or let these tests deploy the prerequisites they need) and
the feast-ui image in a registry the cluster pulls from, named by FEAST_UI_IMAGE. Everything here
skips, with the reason, where that is not so.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from charmed_feast import TIMEOUT, deploy_charmed_feast, image_missing_reason, poll
from juju_env import controller_unavailable_reason

pytest.importorskip("pytest_operator", reason="pytest-operator is not installed (pip install pytest-operator)")
for _reason in (controller_unavailable_reason(), image_missing_reason()):
    if _reason is not None:
        pytest.skip(f"integration tests cannot run: {_reason}", allow_module_level=True)

import yaml
from lightkube import ApiError, Client
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace, Pod, Secret, Service

USER_NAMESPACE = "feast-it-user"
PodDefault = create_namespaced_resource("kubeflow.org", "v1alpha1", "PodDefault", "poddefaults")
RETRIED = (ApiError, urllib.error.URLError, ConnectionError, TimeoutError)
# charm-user: non-root runs every charm container as 170; feast-ui's workload runs as the rock's _daemon_
CHARM_UID = 170
WORKLOAD_UID = 584792


@pytest.mark.abort_on_fail
async def test_deploy_bundle(ops_test, tmp_path):
    await deploy_charmed_feast(ops_test, tmp_path)


async def test_manifests_reach_a_labelled_user_namespace(ops_test):
    client = Client()
    client.apply(
        Namespace(metadata=ObjectMeta(name=USER_NAMESPACE, labels={"user.kubeflow.org/enabled": "true"})),
        field_manager="feast-integration-tests",
    )
    secret = poll(lambda: client.get(Secret, "feature-store-yaml", namespace=USER_NAMESPACE), RETRIED)
    document = yaml.safe_load(base64.b64decode(secret.data["feature_store.yaml"]).decode())
    # the bundle relates feast-server: notebooks get its client configuration (test_remote_notebooks.py)
    assert document["registry"]["registry_type"] == "remote"
    assert document["auth"] == {"type": "kubernetes"}
    pod_default = poll(lambda: client.get(PodDefault, "feast-integrator-access-feast", namespace=USER_NAMESPACE),
                       RETRIED)
    spec = pod_default["spec"] if isinstance(pod_default, dict) else pod_default.spec
    assert spec["selector"]["matchLabels"] == {"access-feast": "true"}
    assert spec["volumes"][0]["secret"]["secretName"] == "feature-store-yaml"
    assert {"name": "FEAST_FS_YAML_FILE_PATH", "value": "/feast/feature_store.yaml"} in spec["env"]


async def test_containers_run_as_non_root(ops_test):
    client = Client()
    for app, workload in (("feast-integrator", None), ("feast-ui", "feast-ui"), ("feast-server", "feast-server")):
        pod = client.get(Pod, f"{app}-0", namespace=ops_test.model_name)
        users = {c.name: (c.securityContext.runAsUser if c.securityContext else None) for c in pod.spec.containers}
        assert users["charm"] == CHARM_UID, f"{app}: the charm container runs as {users['charm']}"
        if workload:
            assert users[workload] == WORKLOAD_UID, f"{app}: {workload} runs as {users[workload]}"
        assert all(uid not in (None, 0) for uid in users.values()), f"{app}: a container runs as root: {users}"


@pytest.mark.abort_on_fail
async def test_ui_through_istio_ingress(ops_test):
    model = ops_test.model
    if "istio-pilot" not in model.applications:
        await model.deploy("istio-gateway", application_name="istio-ingressgateway", channel="1.24/stable",
                           trust=True, config={"kind": "ingress"})
        await model.deploy("istio-pilot", channel="1.24/stable", trust=True)
        await model.integrate("istio-pilot:istio-pilot", "istio-ingressgateway:istio-pilot")
    await model.integrate("feast-ui:ingress", "istio-pilot:ingress")
    await model.wait_for_idle(apps=["feast-ui", "istio-pilot"], status="active", timeout=TIMEOUT)

    service = Client().get(Service, "istio-ingressgateway-workload", namespace=ops_test.model_name)
    address = service.status.loadBalancer.ingress[0].ip

    def fetch(path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=30) as response:
            return response.status, response.read()

    status, body = await asyncio.to_thread(poll, lambda: fetch("/feast/health"), RETRIED)
    assert status == 200
    assert json.loads(body)["status"] == "ok"
    status, body = await asyncio.to_thread(poll, lambda: fetch("/feast/"), RETRIED)
    assert status == 200
    # served with --root_path /feast: the page's own links carry the ingress prefix
    assert b'href="/feast/' in body
