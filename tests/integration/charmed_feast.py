"""Deploying Charmed Feast as the tutorial does, for the integration tests (pytest-operator).

The image comes from FEAST_UI_IMAGE (what scripts/push-rock-image pushed: an image the cluster can
pull); the charms are packed by pytest-operator (`charmcraft pack`); the bundle is deployed with
the image overlay, and with overlays/resource-dispatcher.yaml when the model has no
resource-dispatcher. Charmed Kubeflow's own applications are related, never redeployed; what a
bare test model lacks (metacontroller-operator, admission-webhook) is deployed at the channels
Charmed Kubeflow 1.10 uses.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
IMAGE_ENV = "FEAST_UI_IMAGE"
TIMEOUT = 30 * 60
KUBEFLOW_PREREQUISITES = {
    "metacontroller-operator": "4.11/stable",
    "admission-webhook": "1.10/stable",
}
APPS = ["feast-integrator", "feast-ui", "feast-server", "feast-offline-store", "feast-online-store", "feast-registry"]
IMAGE_APPS = ("feast-ui", "feast-server")  # both run the feast-core image


def image() -> str | None:
    return os.environ.get(IMAGE_ENV) or None


def image_missing_reason() -> str | None:
    if image():
        return None
    return f"{IMAGE_ENV} is not set: push the feast-ui rock (scripts/push-rock-image REGISTRY) and name it there"


async def deploy_charmed_feast(ops_test, tmp_path: Path) -> None:
    """Pack, deploy bundle.yaml with its overlays, relate resource-dispatcher, wait for active."""
    model = ops_test.model
    for app, channel in KUBEFLOW_PREREQUISITES.items():
        if app not in model.applications:
            await model.deploy(app, channel=channel, trust=True)
    bundle = yaml.safe_load((REPO / "bundle.yaml").read_text())
    for app in ("feast-integrator", "feast-ui", "feast-server"):
        bundle["applications"][app]["charm"] = str(await ops_test.build_charm(REPO / "charms" / app))
    rendered = tmp_path / "bundle.yaml"
    rendered.write_text(yaml.safe_dump(bundle))
    image_overlay = tmp_path / "feast-ui-image.yaml"  # what scripts/push-rock-image writes
    image_overlay.write_text(
        yaml.safe_dump({"applications": {app: {"resources": {"oci-image": image()}} for app in IMAGE_APPS}})
    )
    args = ["deploy", str(rendered), "--trust", "--overlay", str(image_overlay)]
    dispatcher_present = "resource-dispatcher" in model.applications
    if not dispatcher_present:
        args += ["--overlay", str(REPO / "overlays" / "resource-dispatcher.yaml")]
    rc, stdout, stderr = await ops_test.juju(*args)
    assert rc == 0, stderr or stdout
    if dispatcher_present:
        for endpoint in ("secrets", "pod-defaults"):
            await model.integrate(f"feast-integrator:{endpoint}", f"resource-dispatcher:{endpoint}")
    await model.wait_for_idle(apps=[*APPS, "resource-dispatcher"], status="active", timeout=TIMEOUT)


def poll(fn, retried: tuple[type[BaseException], ...], timeout: float = 600, interval: float = 10):
    """Call fn until it stops raising one of `retried` (the cluster is eventually consistent)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except retried:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)
