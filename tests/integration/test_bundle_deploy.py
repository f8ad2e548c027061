"""Deploy bundle.yaml on a real Juju controller and follow the user journey's plumbing.

Run with `tox -c tests/integration/tox.ini -e integration` on a machine with a bootstrapped
Kubernetes controller (Charmed Kubeflow's istio-pilot, kubeflow-dashboard, metacontroller-operator
and admission-webhook in the model, or let these tests deploy what is missing) and the feast-ui
image in a registry the cluster can pull from (FEAST_UI_IMAGE, default
localhost:32000/feast-ui:0.1.0). Everything here skips, with the reason, where that is not so.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from juju_env import controller_unavailable_reason

pytest.importorskip(
    "pytest_operator", reason="pytest-operator is not installed (pip install pytest-operator)"
)
_reason = controller_unavailable_reason()
if _reason is not None:
    pytest.skip(f"integration tests need a Juju controller: {_reason}", allow_module_level=True)

import yaml
from lightkube import ApiError, Client
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace, Secret, Service

REPO = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("FEAST_UI_IMAGE", "localhost:32000/feast-ui:0.1.0")
USER_NAMESPACE = "feast-it-user"
TIMEOUT = 30 * 60
PodDefault = create_namespaced_resource("kubeflow.org", "v1alpha1", "PodDefault", "poddefaults")
# What the bundle expects to find in a Kubeflow model; deployed here when missing.
PREREQUISITES = {
    "metacontroller-operator": {"channel": "latest/edge", "trust": True},
    "admission-webhook": {"channel": "latest/edge", "trust": True},
}


RETRIED = (ApiError, urllib.error.URLError, ConnectionError, TimeoutError)


def _poll(fn, timeout: float = 600, interval: float = 10):
    """Call fn until it stops raising one of RETRIED (the cluster is eventually consistent)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except RETRIED:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


@pytest.mark.abort_on_fail
async def test_deploy_bundle(ops_test, tmp_path):
    for app, options in PREREQUISITES.items():
        if app not in ops_test.model.applications:
            await ops_test.model.deploy(app, **options)
    charms = {
        "feast-integrator": await ops_test.build_charm(REPO / "charms" / "feast-integrator"),
        "feast-ui": await ops_test.build_charm(REPO / "charms" / "feast-ui"),
    }
    bundle = yaml.safe_load((REPO / "bundle.yaml").read_text())
    for app, path in charms.items():
        bundle["applications"][app]["charm"] = str(path)
    bundle["applications"]["feast-ui"]["resources"]["oci-image"] = IMAGE
    rendered = tmp_path / "bundle.yaml"
    rendered.write_text(yaml.safe_dump(bundle))
    rc, stdout, stderr = await ops_test.juju("deploy", str(rendered), "--trust")
    assert rc == 0, stderr or stdout
    await ops_test.model.wait_for_idle(apps=list(bundle["applications"]), status="active", timeout=TIMEOUT)


async def test_manifests_reach_a_labelled_user_namespace(ops_test):
    client = Client()
    client.apply(
        Namespace(metadata=ObjectMeta(name=USER_NAMESPACE, labels={"user.kubeflow.org/enabled": "true"})),
        field_manager="feast-integration-tests",
    )
    secret = _poll(lambda: client.get(Secret, "feature-store-yaml", namespace=USER_NAMESPACE))
    assert yaml.safe_load(_decoded(secret, "feature_store.yaml"))["registry"]["registry_type"] == "sql"
    pod_default = _poll(
        lambda: client.get(PodDefault, "feast-integrator-access-feast", namespace=USER_NAMESPACE)
    )
    spec = pod_default["spec"] if isinstance(pod_default, dict) else pod_default.spec
    assert spec["selector"]["matchLabels"] == {"access-feast": "true"}
    assert spec["volumes"][0]["secret"]["secretName"] == "feature-store-yaml"
    assert {"name": "FEAST_FS_YAML_FILE_PATH", "value": "/feast/feature_store.yaml"} in spec["env"]


def _decoded(secret: Secret, key: str) -> str:
    return base64.b64decode(secret.data[key]).decode()


@pytest.mark.abort_on_fail
async def test_ui_through_istio_ingress(ops_test):
    if "istio-pilot" not in ops_test.model.applications:
        await ops_test.model.deploy(
            "istio-gateway",
            application_name="istio-ingressgateway",
            channel="latest/edge",
            trust=True,
            config={"kind": "ingress"},
        )
        await ops_test.model.deploy("istio-pilot", channel="latest/edge", trust=True)
        await ops_test.model.integrate("istio-pilot:istio-pilot", "istio-ingressgateway:istio-pilot")
    await ops_test.model.integrate("feast-ui:ingress", "istio-pilot:ingress")
    await ops_test.model.wait_for_idle(apps=["feast-ui", "istio-pilot"], status="active", timeout=TIMEOUT)

    client = Client()
    service = client.get(Service, "istio-ingressgateway-workload", namespace=ops_test.model_name)
    address = service.status.loadBalancer.ingress[0].ip

    def fetch() -> tuple[int, str]:
        with urllib.request.urlopen(f"http://{address}/feast/docs", timeout=30) as response:
            return response.status, response.read().decode()

    status, body = await asyncio.to_thread(_poll, fetch)
    assert status == 200
    # served with --root_path /feast: the page's own links carry the ingress prefix
    assert 'href="/feast/' in body


async def test_ui_health_endpoint_through_ingress(ops_test):
    client = Client()
    service = client.get(Service, "istio-ingressgateway-workload", namespace=ops_test.model_name)
    address = service.status.loadBalancer.ingress[0].ip

    def health() -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://{address}/feast/health", timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, {}

    status, body = await asyncio.to_thread(health)
    assert status == 200
    assert body["status"] == "ok"
