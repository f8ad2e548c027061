"""The remote-notebook journey on a real cluster: a notebook namespace gets no database password, and a pod there
reaches the feature store through feast-server with its service-account token (and is refused without one).

Run with `tox -c tests/integration/tox.ini -e integration` where a Juju controller on Kubernetes answers and the
feast-core image is in a registry the cluster pulls from (FEAST_UI_IMAGE). Everything here skips, with the
reason, where that is not so.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from charmed_feast import deploy_charmed_feast, image, image_missing_reason, poll
from juju_env import controller_unavailable_reason

pytest.importorskip("pytest_operator", reason="pytest-operator is not installed (pip install pytest-operator)")
for _reason in (controller_unavailable_reason(), image_missing_reason()):
    if _reason is not None:
        pytest.skip(f"integration tests cannot run: {_reason}", allow_module_level=True)

import yaml
from lightkube import ApiError, Client
from lightkube.models.core_v1 import Container, PodSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace, Pod, Secret

USER_NAMESPACE = "feast-it-remote"
RETRIED = (ApiError, KeyError, AssertionError, ConnectionError, TimeoutError)

# Runs in the notebook's place with the configuration the PodDefault mounts: apply, write online, read back.
NOTEBOOK_SCRIPT = """
import json, os
from datetime import datetime, timedelta, timezone
import pandas as pd
from feast_core import Entity, FeatureStore, FeatureView, Field, PushSource, FileSource
from feast_core.types import Float32
store = FeatureStore(fs_yaml_file=os.environ["FEAST_FS_YAML_FILE_PATH"])
driver = Entity(name="driver", join_keys=["driver_id"])
source = PushSource(name="driver_push", batch_source=FileSource(path="unused.parquet", timestamp_field="ts"))
view = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(days=1),
                   schema=[Field(name="conv_rate", dtype=Float32)], source=source)
store.apply([driver, view])
now = datetime.now(timezone.utc)
store.write_to_online_store("driver_stats", pd.DataFrame({"driver_id": [1001], "conv_rate": [0.5], "ts": [now]}))
online = store.get_online_features(features=["driver_stats:conv_rate"], entity_rows=[{"driver_id": 1001}]).to_dict()
print(json.dumps({"entities": [e.name for e in store.list_entities()], "conv_rate": online["conv_rate"]}))
"""


def run_pod(client: Client, name: str, mount_token: bool) -> tuple[str, str]:
    """(phase, log) of a one-shot pod with the notebook label, running NOTEBOOK_SCRIPT."""
    pod = Pod(
        metadata=ObjectMeta(name=name, namespace=USER_NAMESPACE, labels={"access-feast": "true"}),
        spec=PodSpec(
            restartPolicy="Never",
            automountServiceAccountToken=mount_token,
            containers=[Container(name="notebook", image=image(), command=["python3", "-c", NOTEBOOK_SCRIPT])],
        ),
    )
    client.create(pod)

    def finished():
        phase = client.get(Pod, name, namespace=USER_NAMESPACE).status.phase
        assert phase in ("Succeeded", "Failed"), phase
        return phase

    phase = poll(finished, RETRIED, timeout=600)
    log = "".join(client.log(name, namespace=USER_NAMESPACE))
    return phase, log


@pytest.mark.abort_on_fail
async def test_deploy_bundle(ops_test, tmp_path):
    await deploy_charmed_feast(ops_test, tmp_path)


async def test_the_notebook_secret_holds_the_servers_and_no_password(ops_test):
    client = Client()
    client.apply(
        Namespace(metadata=ObjectMeta(name=USER_NAMESPACE, labels={"user.kubeflow.org/enabled": "true"})),
        field_manager="feast-integration-tests",
    )
    secret = poll(lambda: client.get(Secret, "feature-store-yaml", namespace=USER_NAMESPACE), RETRIED)
    text = base64.b64decode(secret.data["feature_store.yaml"]).decode()
    assert "password" not in text
    document = yaml.safe_load(text)
    host = f"feast-server.{ops_test.model_name}.svc.cluster.local"
    assert document["registry"] == {"registry_type": "remote", "path": f"{host}:6570", "cache_ttl_seconds": 60}
    assert document["online_store"] == {"type": "remote", "path": f"http://{host}:6566"}
    assert document["offline_store"] == {"type": "remote", "host": host, "port": 8815}
    assert document["auth"] == {"type": "kubernetes"}


async def test_a_notebook_pod_reaches_features_through_feast_server_with_its_token(ops_test):
    phase, log = run_pod(Client(), "feast-remote-notebook", mount_token=True)
    assert phase == "Succeeded", log
    result = json.loads(log.strip().splitlines()[-1])
    assert result == {"entities": ["driver"], "conv_rate": [0.5]}


async def test_a_pod_without_a_token_is_refused(ops_test):
    phase, log = run_pod(Client(), "feast-remote-no-token", mount_token=False)
    assert phase == "Failed"
    assert "401" in log or "nauthenticated" in log or "token" in log.lower(), log


async def test_feast_server_scales_out_behind_its_service(ops_test):
    await ops_test.model.applications["feast-server"].scale(2)
    await ops_test.model.wait_for_idle(apps=["feast-server"], status="active", timeout=1800, wait_for_exact_units=2)
    phase, log = run_pod(Client(), "feast-remote-notebook-scaled", mount_token=True)
    assert phase == "Succeeded", log
