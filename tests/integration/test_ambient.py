"""Ambient mode: feast-ui in istio-beacon's mesh, routed by istio-ingress-k8s (charmlibs' istio_ingress_route).

Runs in its own model (pytest-operator gives each module one). Skips, with the reason, without a
Juju controller or without FEAST_UI_IMAGE (see test_bundle_deploy.py).
"""

from __future__ import annotations

import asyncio
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

from lightkube import ApiError, Client
from lightkube.resources.core_v1 import Pod, Service

RETRIED = (ApiError, urllib.error.URLError, ConnectionError, TimeoutError)
MESH = {"istio-k8s": {"config": {"platform": ""}}, "istio-beacon-k8s": {}, "istio-ingress-k8s": {}}


@pytest.mark.abort_on_fail
async def test_deploy_in_ambient_mode(ops_test, tmp_path):
    await deploy_charmed_feast(ops_test, tmp_path)
    model = ops_test.model
    for app, options in MESH.items():
        await model.deploy(app, channel="2/edge", trust=True, **options)
    await model.integrate("feast-ui:service-mesh", "istio-beacon-k8s:service-mesh")
    await model.integrate("feast-ui:istio-ingress-route", "istio-ingress-k8s:istio-ingress-route")
    await model.wait_for_idle(apps=["feast-ui", *MESH], status="active", timeout=TIMEOUT)


async def test_feast_ui_pods_are_in_the_mesh(ops_test):
    pod = Client().get(Pod, "feast-ui-0", namespace=ops_test.model_name)
    assert pod.metadata.labels.get("istio.io/dataplane-mode") == "ambient"


async def test_ui_through_istio_ingress_k8s(ops_test):
    service = Client().get(Service, "istio-ingress-k8s-istio", namespace=ops_test.model_name)
    address = service.status.loadBalancer.ingress[0].ip

    def health() -> tuple[int, dict]:
        with urllib.request.urlopen(f"http://{address}/feast/health", timeout=30) as response:
            return response.status, json.loads(response.read())

    status, body = await asyncio.to_thread(poll, health, RETRIED)
    assert status == 200
    assert body["status"] == "ok"
