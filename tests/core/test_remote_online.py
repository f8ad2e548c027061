"""``online_store: type: remote``: the SDK reading and writing through a feature server over Feast's HTTP
protocol, with tokens from the ``auth:`` block -- against our ``feast serve`` and upstream Feast 0.67's, and
upstream Feast's own remote client against our server. Servers are subprocesses on loopback; the identity
provider is the session's loopback OIDC provider."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
from core.test_server import OFFLINE_STAMP, STAMP, Server
from core.test_server_auth import oidc_block, secured_repo
from oidc_provider import CLIENT_ID
from server_process import ServerProcess

from feast_core import FeatureStore
from feast_core.errors import (
    AuthConfigError,
    AuthenticationError,
    FeastPermissionError,
    FeatureViewNotFoundError,
)

TOKEN_ENV = "FEAST_TEST_TOKEN"
FEATURES = ["driver_stats:conv_rate", "driver_stats:trips", "driver_stats:city", "driver_stats:avatar",
            "driver_stats:joined", "driver_stats:scores"]


def client_repo(path: Path, registry: Path, url: str, auth: str) -> Path:
    """A client's repo: the same registry as the server's, the server as its online store."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry: {registry}\nonline_store:\n  type: remote\n  path: {url}\n"
        f"  connection_retries: 1\n{auth}entity_key_serialization_version: 3\n"
    )
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory, oidc_provider):
    repo = secured_repo(tmp_path_factory.mktemp("remote-served"), oidc_block(oidc_provider))
    running = Server(repo, "-r", "1")
    yield repo, running
    _, output = running.stop()
    assert "Traceback" not in output, output


def reader_token(provider) -> str:
    return provider.mint(provider.claims(username="rita", roles=("reader",)))


def test_remote_reads_answer_what_a_local_read_answers(served, oidc_provider, tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, reader_token(oidc_provider))
    client = FeatureStore(repo_path=client_repo(tmp_path, repo / "data" / "registry.db", server.url,
                                                f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n"))
    local = FeatureStore(repo_path=repo)
    entities = [{"driver_id": 1001}, {"driver_id": 7}, {"driver_id": 1002}]
    remote_answer = client.get_online_features(FEATURES, entities)
    local_answer = local.get_online_features(FEATURES, entities)
    assert remote_answer.to_dict() == local_answer.to_dict()
    assert remote_answer.statuses_dict() == local_answer.statuses_dict()
    assert remote_answer.event_timestamps("conv_rate") == [STAMP, None, STAMP]
    service = client.get_feature_service("driver_service")
    assert client.get_online_features(service, entities, full_feature_names=True).to_dict() == \
        local.get_online_features(service, entities, full_feature_names=True).to_dict()
    with pytest.raises(FeatureViewNotFoundError, match="no_such_view"):
        client.get_online_features(["no_such_view:x"], entities)
    # the per-view read of the online-store protocol (what generic callers use), every join key sent
    view = client.get_feature_view("driver_stats")
    read = client.online_store.read("shop", view, [(1002,), (7,)], ["conv_rate", "avatar"])
    assert read.values == {"conv_rate": [0.25, None], "avatar": [b"png", None]}
    stamp = int(STAMP.timestamp() * 1_000_000)
    assert read.event_ts == {"conv_rate": [stamp, None], "avatar": [stamp, None]}  # one time per feature
    client.close()
    local.close()


def test_feast_serve_with_key_and_cert_speaks_https(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, _ = served
    server = ServerProcess(repo, "serve", "--key", str(tls_files.key), "--cert", str(tls_files.cert))
    try:
        monkeypatch.setenv(TOKEN_ENV, reader_token(oidc_provider))
        client = FeatureStore(repo_path=client_repo(
            tmp_path, repo / "data" / "registry.db", f"https://127.0.0.1:{server.port}\n  cert: {tls_files.cert}",
            f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n"))
        local = FeatureStore(repo_path=repo)
        entities = [{"driver_id": 1001}, {"driver_id": 7}]
        assert client.get_online_features(FEATURES, entities).to_dict() == \
            local.get_online_features(FEATURES, entities).to_dict()
        client.close()
        local.close()
    finally:
        code, output = server.stop()
    assert code == 0 and "Traceback" not in output, output


def test_remote_writes_need_a_writer_and_land_on_the_server(served, oidc_provider, tmp_path, monkeypatch):
    repo, server = served
    rows = pd.DataFrame({"driver_id": [1001, 1002], "conv_rate": [0.75, 0.125], "trips": [7, 8],
                         "ts": [STAMP, STAMP], "created": [STAMP, STAMP]})
    monkeypatch.setenv(TOKEN_ENV, reader_token(oidc_provider))
    reader = FeatureStore(repo_path=client_repo(tmp_path / "reader", repo / "data" / "registry.db", server.url,
                                                f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n"))
    with pytest.raises(FeastPermissionError, match="Permission writers denied execution of \\['WRITE_ONLINE'\\]"):
        reader.write_to_online_store("driver_pushed", rows)
    # the provider's client-credentials grant gives this client the writer role
    writer = FeatureStore(repo_path=client_repo(
        tmp_path / "writer", repo / "data" / "registry.db", server.url,
        f"auth:\n  type: oidc\n  auth_discovery_url: {oidc_provider.discovery_url}\n  client_id: {CLIENT_ID}\n"
        "  client_secret: s3cret\n"))
    writer.push("driver_push", rows)
    local = FeatureStore(repo_path=repo)
    assert local.get_online_features(["driver_pushed:conv_rate", "driver_pushed:trips"],
                                     {"driver_id": [1001, 1002]}).to_dict() == {
        "driver_id": [1001, 1002], "conv_rate": [0.75, 0.125], "trips": [7, 8]}
    for store in (reader, writer, local):
        store.close()


def test_remote_clients_without_a_usable_token_are_told_why(served, oidc_provider, tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    client = FeatureStore(repo_path=client_repo(tmp_path / "a", repo / "data" / "registry.db", server.url,
                                                f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n"))
    with pytest.raises(AuthConfigError, match=TOKEN_ENV):
        client.get_online_features(FEATURES, [{"driver_id": 1001}])
    forged = FeatureStore(repo_path=client_repo(tmp_path / "b", repo / "data" / "registry.db", server.url,
                                                "auth:\n  type: oidc\n  token: not-a-real-token\n"))
    with pytest.raises(AuthenticationError, match="refused the token"):
        forged.get_online_features(FEATURES, [{"driver_id": 1001}])


# ---- upstream Feast 0.67 --------------------------------------------------------------------------------

UPSTREAM_DEFINITIONS = '''
from datetime import timedelta
from feast import Entity, FeatureService, FeatureView, Field, FileSource, PushSource
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy
from feast.types import Array, Bool, Bytes, Float64, Int64, String, UnixTimestamp

driver = Entity(name="driver", join_keys=["driver_id"])
drivers = FileSource(name="drivers_src", path="{parquet}", timestamp_field="ts", created_timestamp_column="created")
driver_stats = FeatureView(
    name="driver_stats", entities=[driver], ttl=timedelta(0), source=drivers,
    schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64), Field(name="city", dtype=String),
            Field(name="avatar", dtype=Bytes), Field(name="active", dtype=Bool), Field(name="joined", dtype=UnixTimestamp),
            Field(name="scores", dtype=Array(Int64)), Field(name="driver_id", dtype=Int64)],
)
push = PushSource(name="driver_push", batch_source=drivers)
driver_pushed = FeatureView(name="driver_pushed", entities=[driver], ttl=timedelta(0), source=push,
                            schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64),
                                    Field(name="driver_id", dtype=Int64)])
driver_service = FeatureService(name="driver_service", features=[driver_stats[["conv_rate", "trips"]]])
readers = Permission(name="readers", types=[FeatureView, FeatureService], policy=RoleBasedPolicy(roles=["reader"]),
                     actions=[AuthzedAction.READ_ONLINE])
'''

APPLY = """
import definitions
from feast import FeatureStore
store = FeatureStore(repo_path=".")
objects = [v for v in vars(definitions).values() if type(v).__module__.startswith("feast.")
           and hasattr(v, "name") and not isinstance(v, type)]
store.apply(objects)
"""

# one process reads once per token in TOKENS (upstream's client reads its token variable on every call)
READ_WITH_EACH_TOKEN = APPLY + """
import json, os
answers = []
for token in json.loads(os.environ["TOKENS"]):
    os.environ["TOKEN_ENV_NAME"] = token
    try:
        answer = store.get_online_features(features=["driver_stats:conv_rate", "driver_stats:trips", "driver_stats:city"],
                                           entity_rows=[{"driver_id": 1001}, {"driver_id": 7}]).to_dict()
        answers.append({"ok": answer})
    except Exception as error:
        answers.append({"error": type(error).__name__, "message": str(error)})
print(json.dumps(answers))
""".replace("TOKEN_ENV_NAME", TOKEN_ENV)


def upstream_repo(path: Path, parquet: Path, online: str, auth: str = "") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry: data/registry.db\n{online}{auth}entity_key_serialization_version: 3\n")
    (path / "definitions.py").write_text(UPSTREAM_DEFINITIONS.replace("{parquet}", str(parquet)))
    return path


def test_upstream_feasts_remote_client_reads_from_our_server_with_a_token(served, oidc_provider, upstream_feast,
                                                                          tmp_path):
    repo, server = served
    client = upstream_repo(tmp_path, repo / "data" / "drivers.parquet",
                           f"online_store:\n  type: remote\n  path: {server.url}\n",
                           f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n")
    nobody = oidc_provider.mint(oidc_provider.claims(username="nobody", roles=()))
    tokens = [reader_token(oidc_provider), nobody, "garbage"]
    answer, refused, unauthenticated = upstream_feast.run_python(
        READ_WITH_EACH_TOKEN, cwd=client, env={"TOKENS": json.dumps(tokens), "PYTHONPATH": str(client)})
    assert answer == {"ok": {"driver_id": [1001, 7], "conv_rate": [0.5, None], "trips": [10, None],
                             "city": ["Lyon", None]}}
    assert refused["error"] == "FeastPermissionError", refused
    assert "Requires roles ['reader']" in refused["message"]
    assert "error" in unauthenticated and "401" in unauthenticated["message"], unauthenticated


class UpstreamServer:
    """Upstream Feast's ``feast serve`` in a subprocess."""

    def __init__(self, upstream_feast, repo: Path, config: str, env: dict | None = None) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 -- closed in stop()
        self.upstream_feast = upstream_feast
        self.process = subprocess.Popen(
            [str(upstream_feast.venv / "bin" / "feast"), "-f", config, "serve", "-h", "127.0.0.1", "-p", str(self.port),
             "--workers", "1"],
            cwd=repo, env=upstream_feast.env({"HOME": str(repo), **(env or {})}), stdout=self.log,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"upstream feast serve exited:\n{self.stop()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"upstream feast serve did not become healthy:\n{self.stop()}")

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        return output


@pytest.fixture(scope="module")
def upstream_served(served, oidc_provider, upstream_feast, tmp_path_factory):
    """Upstream Feast serving the same data: once without auth, once with OIDC auth and its own permissions."""
    repo, _ = served
    root = tmp_path_factory.mktemp("upstream-served")
    upstream = upstream_repo(root, repo / "data" / "drivers.parquet", "online_store:\n  type: sqlite\n  path: data/online.db\n")
    (upstream / "secured.yaml").write_text((upstream / "feature_store.yaml").read_text() + oidc_block(oidc_provider))
    upstream_feast.run_python(APPLY + "from datetime import datetime\n"
                              "store.materialize(datetime(2025, 1, 1), datetime(2025, 3, 1))\nprint('null')\n",
                              cwd=upstream, env={"PYTHONPATH": str(upstream)})
    open_server = UpstreamServer(upstream_feast, upstream, "feature_store.yaml")
    secured = UpstreamServer(upstream_feast, upstream, "secured.yaml")
    try:
        open_server.wait_healthy()
        secured.wait_healthy()
    except AssertionError:
        open_server.stop()
        secured.stop()
        raise
    yield open_server, secured
    open_server.stop()
    secured.stop()


def test_our_remote_client_reads_from_upstream_feasts_server(served, upstream_served, oidc_provider, tmp_path,
                                                            monkeypatch):
    repo, _ = served
    open_server, secured = upstream_served
    entities = [{"driver_id": 1001}, {"driver_id": 7}]
    expected = {"driver_id": [1001, 7], "conv_rate": [0.5, None], "trips": [10, None], "city": ["Lyon", None],
                "avatar": [b"\x00\x01\xff", None], "scores": [[1, 2, 3], None]}
    features = ["driver_stats:conv_rate", "driver_stats:trips", "driver_stats:city", "driver_stats:avatar",
                "driver_stats:scores"]
    plain = FeatureStore(repo_path=client_repo(tmp_path / "plain", repo / "data" / "registry.db", open_server.url, ""))
    answer = plain.get_online_features(features, entities)
    assert answer.to_dict() == expected
    # upstream's SQLite store keeps whole seconds
    assert answer.event_timestamps("conv_rate") == [OFFLINE_STAMP.replace(microsecond=0), None]

    monkeypatch.setenv(TOKEN_ENV, reader_token(oidc_provider))
    with_token = FeatureStore(repo_path=client_repo(tmp_path / "token", repo / "data" / "registry.db", secured.url,
                                                    f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n"))
    assert with_token.get_online_features(features, entities).to_dict() == expected
    monkeypatch.setenv(TOKEN_ENV, oidc_provider.mint(oidc_provider.claims(username="nobody", roles=())))
    with pytest.raises(FeastPermissionError, match="Requires roles \\['reader'\\]"):
        with_token.get_online_features(features, entities)
    monkeypatch.setenv(TOKEN_ENV, "garbage")
    with pytest.raises(AuthenticationError):
        with_token.get_online_features(features, entities)
    plain.close()
    with_token.close()
