"""The feast-server charm's setup: ``feast serve_registry`` and ``feast serve_offline`` with ``auth: {type:
kubernetes}``, a Kubeflow profile's notebooks (service account ``default-editor``) allowed by a
NamespaceBasedPolicy, another profile's refused, a token the cluster does not know unauthenticated -- against the
loopback Kubernetes API double (TokenReview, RBAC lists)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pandas as pd
import pytest
from google.protobuf.empty_pb2 import Empty
from server_process import ServerProcess

from feast_core import FeatureStore
from feast_core.errors import AuthenticationError, FeastPermissionError
from feast_core.protos.feast.registry import RegistryServer_pb2_grpc as rs_grpc

UTC = timezone.utc
DEFINITIONS = """
from datetime import timedelta
from feast_core import Entity, FeatureView, Field, FileSource, Project
from feast_core.data_source import DataSource
from feast_core.permissions.action import AuthzedAction
from feast_core.permissions.permission import Permission
from feast_core.permissions.policy import NamespaceBasedPolicy
from feast_core.types import Float64, Int64

driver = Entity(name="driver", join_keys=["driver_id"])
drivers = FileSource(name="drivers_src", path="{data}/drivers.parquet", timestamp_field="ts")
driver_stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(days=1), source=drivers,
                           schema=[Field(name="conv_rate", dtype=Float64), Field(name="driver_id", dtype=Int64)])
team_a = Permission(name="team-a-reads", types=[Project, Entity, DataSource, FeatureView],
                    policy=NamespaceBasedPolicy(namespaces=["team-a"]),
                    actions=[AuthzedAction.DESCRIBE, AuthzedAction.READ_OFFLINE])
OBJECTS = [driver, drivers, driver_stats, team_a]
"""


@pytest.fixture
def charm_servers(tmp_path, kube_api, monkeypatch):
    for team in ("team-a", "team-b"):
        kube_api.tokens[f"{team}-notebook"] = {
            "username": f"system:serviceaccount:{team}:default-editor",
            "groups": ["system:serviceaccounts", f"system:serviceaccounts:{team}", "system:authenticated"]}
    monkeypatch.setenv("KUBECONFIG", str(kube_api.kubeconfig(tmp_path / "kubeconfig", namespace="feast")))
    repo = tmp_path / "server"
    (repo / "data").mkdir(parents=True)
    pd.DataFrame({"driver_id": [1, 2], "conv_rate": [0.25, 0.5], "ts": [datetime(2025, 1, 1, tzinfo=UTC)] * 2}) \
        .to_parquet(repo / "data" / "drivers.parquet")
    (repo / "feature_store.yaml").write_text(
        "project: shop\nprovider: local\nregistry: data/registry.db\nonline_store:\n  type: sqlite\n"
        "  path: data/online.db\nentity_key_serialization_version: 3\nauth:\n  type: kubernetes\n")
    namespace: dict = {}
    exec(compile(DEFINITIONS.replace("{data}", str(repo / "data")), "definitions.py", "exec"), namespace)
    FeatureStore(repo_path=repo).apply(namespace["OBJECTS"])
    registry = ServerProcess(repo, "serve_registry")
    offline = ServerProcess(repo, "serve_offline")
    yield registry, offline
    for server in (registry, offline):
        code, output = server.stop()
        assert code == 0 and "Traceback" not in output, output


def notebook(path, registry, offline, user_token: str) -> FeatureStore:
    """A notebook's feature_store.yaml: no database password, the servers and the pod's token."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry:\n  registry_type: remote\n  path: 127.0.0.1:{registry.port}\n"
        f"offline_store:\n  type: remote\n  host: 127.0.0.1\n  port: {offline.port}\n  connection_retries: 0\n"
        f"online_store:\n  type: sqlite\n  path: {path / 'online.db'}\nentity_key_serialization_version: 3\n"
        f"auth:\n  type: kubernetes\n  user_token: {user_token}\n")
    return FeatureStore(repo_path=path)


def test_a_profile_namespace_reads_through_both_servers_and_no_other_does(charm_servers, kube_api, tmp_path):
    registry, offline = charm_servers
    rows = pd.DataFrame({"driver_id": [1, 2], "event_timestamp": [datetime(2025, 1, 1, tzinfo=UTC)
                                                                  + timedelta(hours=1)] * 2})
    team_a = notebook(tmp_path / "a", registry, offline, "team-a-notebook")
    assert [v.name for v in team_a.list_feature_views()] == ["driver_stats"]
    answer = team_a.get_historical_features(rows, ["driver_stats:conv_rate"]).to_df()
    assert answer["conv_rate"].tolist() == [0.25, 0.5]
    team_b = notebook(tmp_path / "b", registry, offline, "team-b-notebook")
    assert team_b.list_feature_views() == []  # the registry shows team-b nothing
    # and the offline server refuses team-b's retrieval even when the request names the view directly
    plan = _plan(team_a, team_a.get_feature_view("driver_stats"))
    with pytest.raises(FeastPermissionError, match="Requires namespaces \\['team-a'\\]"):
        team_b.offline_store.retrieve("shop", plan, rows, None, None)
    forged = notebook(tmp_path / "f", registry, offline, "forged")
    with pytest.raises(AuthenticationError):
        forged.list_feature_views()
    channel = grpc.insecure_channel(f"127.0.0.1:{registry.port}")
    with pytest.raises(grpc.RpcError) as refused:
        rs_grpc.RegistryServerStub(channel).Proto(Empty())
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    channel.close()
    for store in (team_a, team_b, forged):
        store.close()


def _plan(store: FeatureStore, view):
    from feast_core import plans

    return plans.build_requested(store.registry.snapshot().project("shop"), [(view.projection, "conv_rate")], False)
