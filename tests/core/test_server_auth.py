"""``feast serve`` with ``auth:`` on: a subprocess on loopback, tokens from the loopback OIDC provider or the
Kubernetes API double, requests over real HTTP. Every data endpoint needs a valid token (401 otherwise, Feast's
body) and the registry's permissions (403 otherwise, Feast's error body); a server whose auth cannot be
honoured refuses to start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from core.test_server import ROOT, STAMP_TEXT, Server, build_repo, online_block
from kube_api import role_binding, service_account
from oidc_provider import CLIENT_ID

from feast_core import FeatureService, FeatureStore, FeatureView
from feast_core.definitions import AuthzedAction, NamespaceBasedPolicy, Permission, RoleBasedPolicy

DATA_ENDPOINTS = ["/get-online-features", "/push", "/write-to-online-store", "/materialize", "/materialize-incremental"]
UNAUTHENTICATED = {"detail": "Invalid or expired access token"}

PERMISSIONS = [
    Permission(name="readers", types=[FeatureView, FeatureService], name_patterns=["driver_stats", "driver_service"],
               policy=RoleBasedPolicy(roles=["reader"]), actions=[AuthzedAction.READ_ONLINE]),
    Permission(name="writers", types=[FeatureView], name_patterns=["driver_(written|daily|incremental|pushed)"],
               policy=RoleBasedPolicy(roles=["writer"]), actions=[AuthzedAction.WRITE_ONLINE, AuthzedAction.WRITE_OFFLINE]),
    Permission(name="kubeflow-team-a", types=[FeatureView], policy=NamespaceBasedPolicy(namespaces=["team-a"]),
               actions=[AuthzedAction.READ_ONLINE]),
]


def secured_repo(path: Path, auth: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    repo = build_repo(path, online_block("sqlite"))
    store = FeatureStore(repo_path=repo)
    store.apply(PERMISSIONS)
    store.close()
    config = repo / "feature_store.yaml"
    config.write_text(config.read_text() + auth)
    return repo


def oidc_block(provider) -> str:
    return (f"auth:\n  type: oidc\n  auth_discovery_url: {provider.discovery_url}\n  client_id: {CLIENT_ID}\n"
            "  audience: account\n")


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, oidc_provider):
    repo = secured_repo(tmp_path_factory.mktemp("oidc-served"), oidc_block(oidc_provider))
    running = Server(repo, "-r", "1")
    yield running
    _, output = running.stop()
    assert "Traceback" not in output, output


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def feast_error(response) -> dict:
    detail = response.json()
    assert isinstance(detail, str), response.text
    return json.loads(detail)


READ = {"features": ["driver_stats:conv_rate"], "entities": {"driver_id": [1001]}}


@pytest.mark.parametrize("path", DATA_ENDPOINTS)
def test_every_data_endpoint_needs_a_valid_token(oidc_server, oidc_provider, path):
    expired = oidc_provider.mint(exp=1_000_000)
    for headers in ({}, {"Authorization": "Basic YWxpY2U6cHc="}, bearer("garbage"), bearer(expired),
                    bearer(oidc_provider.mint(aud="someone-else"))):
        response = oidc_server.post(path, READ, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json() == UNAUTHENTICATED
    assert oidc_server.client.get("/health").status_code == 200  # probes need no token


def test_a_reader_reads_and_may_not_write(oidc_server, oidc_provider):
    token = oidc_provider.mint(oidc_provider.claims(username="rita", roles=("reader",)))
    response = oidc_server.post("/get-online-features", READ, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["results"][1]["values"] == [0.5]
    response = oidc_server.post("/get-online-features", {"feature_service": "driver_service",
                                                         "entities": {"driver_id": [1001]}}, headers=bearer(token))
    assert response.status_code == 200, response.text
    refused = oidc_server.post("/write-to-online-store", {
        "feature_view_name": "driver_written", "df": {"driver_id": [1001], "conv_rate": [0.9], "trips": [1],
                                                      "ts": [STAMP_TEXT]}}, headers=bearer(token))
    assert refused.status_code == 403
    error = feast_error(refused)
    assert (error["module"], error["class"]) == ("feast.errors", "FeastPermissionError")
    assert "Permission writers denied execution of ['WRITE_ONLINE'] to FeatureView:driver_written: " \
           "Requires roles ['writer']" in error["message"]
    for path, body in (("/push", {"push_source_name": "driver_push", "df": {"driver_id": [1], "ts": [STAMP_TEXT]}}),
                       ("/materialize", {"start_ts": "2025-01-01T00:00:00", "end_ts": "2025-03-01T00:00:00",
                                         "feature_views": ["driver_daily"]})):
        assert oidc_server.post(path, body, headers=bearer(token)).status_code == 403, path


def test_a_writer_writes_pushes_and_materializes_but_may_not_read(oidc_server, oidc_provider):
    token = oidc_provider.mint(oidc_provider.claims(username="walt", roles=("writer",)))
    written = oidc_server.post("/write-to-online-store", {
        "feature_view_name": "driver_written", "df": {"driver_id": [1001], "conv_rate": [0.9], "trips": [1],
                                                      "ts": [STAMP_TEXT]}}, headers=bearer(token))
    assert written.status_code == 200, written.text
    pushed = oidc_server.post("/push", {"push_source_name": "driver_push", "to": "online", "df": {
        "driver_id": [1002], "conv_rate": [0.1], "trips": [2], "ts": [STAMP_TEXT], "created": [STAMP_TEXT]}},
        headers=bearer(token))
    assert pushed.status_code == 200, pushed.text
    materialized = oidc_server.post("/materialize", {"start_ts": "2025-01-01T00:00:00", "end_ts": "2025-03-01T00:00:00",
                                                     "feature_views": ["driver_daily"]}, headers=bearer(token))
    assert materialized.status_code == 200, materialized.text
    assert oidc_server.post("/get-online-features", READ, headers=bearer(token)).status_code == 403
    reader = oidc_provider.mint(oidc_provider.claims(username="rita", roles=("reader",)))
    # what the writer wrote, the reader may not read: no permission lets readers at driver_written
    refused = oidc_server.post("/get-online-features", {"features": ["driver_written:conv_rate"],
                                                        "entities": {"driver_id": [1001]}}, headers=bearer(reader))
    assert refused.status_code == 403
    assert "Permission kubeflow-team-a denied execution of ['READ_ONLINE'] to FeatureView:driver_written" \
        in feast_error(refused)["message"]


def test_a_user_with_no_role_is_refused_everything(oidc_server, oidc_provider):
    token = oidc_provider.mint(oidc_provider.claims(username="nobody", roles=()))
    for path in DATA_ENDPOINTS:
        body = READ if path == "/get-online-features" else {
            "/push": {"push_source_name": "driver_push", "df": {"driver_id": [1], "ts": [STAMP_TEXT]}},
            "/write-to-online-store": {"feature_view_name": "driver_written", "df": {"driver_id": [1], "ts": [STAMP_TEXT]}},
            "/materialize": {"start_ts": "2025-01-01T00:00:00", "end_ts": "2025-03-01T00:00:00"},
            "/materialize-incremental": {"end_ts": "2025-03-01T00:00:00"},
        }[path]
        assert oidc_server.post(path, body, headers=bearer(token)).status_code == 403, path


# ---- refusing to start -------------------------------------------------------------------------------


def _serve(repo: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    environment = {k: v for k, v in os.environ.items() if k not in ("FEAST_FS_YAML_FILE_PATH",)}
    environment.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "feast_core.cli", "serve", "-p", "1"], cwd=repo, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)


def test_serve_refuses_to_start_when_the_provider_cannot_be_read(tmp_path):
    repo = secured_repo(tmp_path, "auth:\n  type: oidc\n  auth_discovery_url: http://127.0.0.1:9/.well-known/openid-configuration\n")
    result = _serve(repo)
    assert result.returncode == 1, result.stderr
    assert "Error: auth (oidc): cannot read the discovery document: http://127.0.0.1:9/" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_to_start_with_kubernetes_auth_and_no_cluster(tmp_path):
    repo = secured_repo(tmp_path, "auth:\n  type: kubernetes\n")
    result = _serve(repo, {"KUBECONFIG": str(tmp_path / "absent")})
    assert result.returncode == 1, result.stderr
    assert "Error: auth (kubernetes): no Kubernetes API configuration" in result.stderr


# ---- Kubernetes auth: the Kubeflow fit ---------------------------------------------------------------


def test_a_kubeflow_profile_namespace_reads_and_no_other_does(tmp_path, kube_api, monkeypatch):
    """NamespaceBasedPolicy(["team-a"]): notebooks of profile team-a (service account default-editor) read;
    team-b's notebooks, with tokens just as valid, are refused; a token the cluster does not know is 401."""
    for team in ("team-a", "team-b"):
        kube_api.tokens[f"{team}-notebook"] = {
            "username": f"system:serviceaccount:{team}:default-editor",
            "groups": ["system:serviceaccounts", f"system:serviceaccounts:{team}", "system:authenticated"]}
    kube_api.role_bindings.append(role_binding("unrelated", "feast", "feast-admin", service_account("ci", "ops")))
    monkeypatch.setenv("KUBECONFIG", str(kube_api.kubeconfig(tmp_path / "kubeconfig", namespace="feast")))
    server = Server(secured_repo(tmp_path / "repo", "auth:\n  type: kubernetes\n"), "-r", "1")
    try:
        for _ in range(5):
            allowed = server.post("/get-online-features", READ, headers=bearer("team-a-notebook"))
            assert allowed.status_code == 200, allowed.text
        assert allowed.json()["results"][1]["values"] == [0.5]
        refused = server.post("/get-online-features", READ, headers=bearer("team-b-notebook"))
        assert refused.status_code == 403
        assert "Requires namespaces ['team-a']" in feast_error(refused)["message"]
        assert server.post("/get-online-features", READ, headers=bearer("forged")).status_code == 401
        assert server.post("/get-online-features", READ).status_code == 401
    finally:
        _, output = server.stop()
    assert "Traceback" not in output, output
    reviewed = [path for method, path in kube_api.requests if path.endswith("/tokenreviews")]
    assert len(reviewed) == 3  # team-a once (five requests), team-b once, the forged token once
