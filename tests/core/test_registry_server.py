"""``feast serve_registry`` and ``registry_type: remote``: Feast's gRPC registry protocol, both ways.

Our server (OIDC auth, TLS with a certificate made in this session) over a file registry: our client and
upstream Feast 0.67's client apply, read, materialize and delete through it with tokens from the loopback OIDC
provider, and Permissions decide what each user may do. Upstream Feast's own ``feast serve_registry`` answers our
client. What lands is checked in the server's registry itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import grpc
import pandas as pd
import pytest
from google.protobuf.empty_pb2 import Empty
from grpc_health.v1 import health_pb2, health_pb2_grpc
from oidc_provider import CLIENT_ID
from server_process import ROOT, ServerProcess, free_port

from feast_core import FeatureStore
from feast_core.errors import AuthenticationError, FeastPermissionError
from feast_core.protos.feast.registry import RegistryServer_pb2 as rs
from feast_core.protos.feast.registry import RegistryServer_pb2_grpc as rs_grpc

TOKEN_ENV = "FEAST_TEST_REGISTRY_TOKEN"
UTC = timezone.utc

# one definitions file for both SDKs: {feast} is feast_core or feast
DEFINITIONS = '''
from datetime import timedelta
from {feast} import Entity, FeatureService, FeatureView, Field, FileSource, Project
from {feast}.data_source import DataSource
from {feast}.permissions.action import AuthzedAction, ALL_ACTIONS
from {feast}.permissions.permission import Permission
from {feast}.permissions.policy import RoleBasedPolicy
from {feast}.types import Float64, Int64

driver = Entity(name="driver", join_keys=["driver_id"])
drivers = FileSource(name="drivers_src", path="{data}/drivers.parquet", timestamp_field="ts")
driver_stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(days=3650), source=drivers,
                           schema=[Field(name="conv_rate", dtype=Float64), Field(name="driver_id", dtype=Int64)],
                           description="{description}")
driver_service = FeatureService(name="driver_service", features=[driver_stats])
admins = Permission(name="admins", policy=RoleBasedPolicy(roles=["admin"]), actions=ALL_ACTIONS)
readers = Permission(name="readers", types=[Project, Entity, DataSource, FeatureView, FeatureService],
                     policy=RoleBasedPolicy(roles=["reader"]), actions=[AuthzedAction.DESCRIBE])
OBJECTS = [driver, drivers, driver_stats, driver_service, admins, readers]
'''


def definitions(feast: str, data: Path, description: str = "conversion") -> str:
    return DEFINITIONS.replace("{feast}", feast).replace("{data}", str(data)).replace("{description}", description)


def our_objects(data: Path, description: str = "conversion") -> list:
    namespace: dict = {}
    exec(compile(definitions("feast_core", data, description), "definitions.py", "exec"), namespace)
    return namespace["OBJECTS"]


def write_data(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"driver_id": [1, 2], "conv_rate": [0.25, 0.5],
                  "ts": [datetime(2025, 1, 1, tzinfo=UTC)] * 2}).to_parquet(data / "drivers.parquet")


def token(provider, *roles: str, username: str = "rita") -> str:
    return provider.mint(provider.claims(username=username, roles=roles))


def client_repo(path: Path, port: int, tls_files, auth: bool = True) -> Path:
    """Our client: the registry behind the server, its own online store."""
    path.mkdir(parents=True, exist_ok=True)
    cert = f"  cert: {tls_files.cert}\n" if tls_files is not None else ""
    block = f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n" if auth else ""
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry:\n  registry_type: remote\n  path: 127.0.0.1:{port}\n{cert}"
        f"online_store:\n  type: sqlite\n  path: {path / 'online.db'}\nentity_key_serialization_version: 3\n{block}")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory, oidc_provider, tls_files):
    """Our registry server over a file registry, OIDC auth and TLS."""
    repo = tmp_path_factory.mktemp("registry-served")
    write_data(repo / "data")
    (repo / "feature_store.yaml").write_text(
        "project: shop\nprovider: local\nregistry: data/registry.db\nonline_store:\n  type: sqlite\n"
        f"  path: data/online.db\nentity_key_serialization_version: 3\nauth:\n  type: oidc\n"
        f"  auth_discovery_url: {oidc_provider.discovery_url}\n  client_id: {CLIENT_ID}\n  audience: account\n")
    server = ServerProcess(repo, "serve_registry", "--key", str(tls_files.key), "--cert", str(tls_files.cert))
    yield repo, server
    code, output = server.stop()
    assert code == 0, output
    assert "Traceback" not in output, output


def stub(port: int, tls_files):
    channel = grpc.secure_channel(f"127.0.0.1:{port}", grpc.ssl_channel_credentials(tls_files.cert.read_bytes()))
    return channel, rs_grpc.RegistryServerStub(channel)


def bearer(value: str) -> list:
    return [("authorization", f"Bearer {value}")]


# ---- our client, our server -----------------------------------------------------------------------------------


def test_our_client_applies_reads_materializes_and_deletes_through_the_server(served, oidc_provider, tls_files,
                                                                              tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "admin"))
    remote = FeatureStore(repo_path=client_repo(tmp_path, server.port, tls_files))
    remote.apply(our_objects(repo / "data"))
    local = FeatureStore(repo_path=repo)  # what the server itself stored
    assert [v.name for v in local.list_feature_views()] == ["driver_stats"]
    assert local.get_feature_view("driver_stats").description == "conversion"
    assert sorted(p.name for p in local.list_permissions()) == ["admins", "readers"]
    assert [v.name for v in remote.list_feature_views()] == ["driver_stats"]
    assert remote.get_feature_service("driver_service").projections[0].name == "driver_stats"
    # an update, seen at once by both
    remote.apply(our_objects(repo / "data", description="updated"))
    local.refresh_registry()
    assert local.get_feature_view("driver_stats").description == "updated"
    # materialize: the client's online store gets the rows, the server's registry the interval
    remote.materialize(datetime(2024, 12, 31, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC), progress=False)
    online = remote.get_online_features(features=["driver_stats:conv_rate"],
                                        entity_rows=[{"driver_id": 1}, {"driver_id": 2}]).to_dict()
    assert online["conv_rate"] == [0.25, 0.5]
    local.refresh_registry()
    assert local.get_feature_view("driver_stats").materialization_intervals == [
        (datetime(2024, 12, 31, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))]
    remote.delete_feature_service("driver_service")
    local.refresh_registry()
    assert local.list_feature_services() == []
    remote.apply(our_objects(repo / "data"))  # leave the module's registry as applied
    remote.close()
    local.close()


def test_permissions_decide_every_call(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "admin"))
    FeatureStore(repo_path=client_repo(tmp_path / "admin", server.port, tls_files)).apply(our_objects(repo / "data"))
    # a reader sees everything but permissions, and may change nothing
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "reader"))
    reader = FeatureStore(repo_path=client_repo(tmp_path / "reader", server.port, tls_files))
    assert [v.name for v in reader.list_feature_views()] == ["driver_stats"]
    assert reader.list_permissions() == []
    with pytest.raises(FeastPermissionError, match="Permission readers denied execution of \\['DESCRIBE', 'UPDATE'\\]"
                                                   " to FeatureView:driver_stats: Requires roles \\['reader'\\]|"
                                                   "UPDATE"):
        reader.apply(our_objects(repo / "data", description="reader's change"))
    with pytest.raises(FeastPermissionError, match="DELETE"):
        reader.delete_feature_service("driver_service")
    # somebody with no role sees nothing, and a Get is refused with Feast's error body
    nobody_token = token(oidc_provider, username="nobody")
    monkeypatch.setenv(TOKEN_ENV, nobody_token)
    nobody = FeatureStore(repo_path=client_repo(tmp_path / "nobody", server.port, tls_files))
    assert nobody.list_feature_views() == []
    channel, registry = stub(server.port, tls_files)
    with pytest.raises(grpc.RpcError) as refused:
        registry.GetFeatureView(rs.GetFeatureViewRequest(name="driver_stats", project="shop"),
                                metadata=bearer(nobody_token))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    detail = json.loads(refused.value.details())
    assert detail["module"] == "feast.errors" and detail["class"] == "FeastPermissionError"
    with pytest.raises(grpc.RpcError) as missing:
        registry.GetFeatureView(rs.GetFeatureViewRequest(name="no_such_view", project="shop"),
                                metadata=bearer(token(oidc_provider, "reader")))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert json.loads(missing.value.details())["class"] == "FeatureViewNotFoundException"
    channel.close()
    local = FeatureStore(repo_path=repo)
    assert local.get_feature_view("driver_stats").description == "conversion"  # nothing changed
    assert [s.name for s in local.list_feature_services()] == ["driver_service"]
    local.close()


def test_lists_filter_page_and_sort_as_feasts_do(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    admin = token(oidc_provider, "admin")
    monkeypatch.setenv(TOKEN_ENV, admin)
    FeatureStore(repo_path=client_repo(tmp_path, server.port, tls_files)).apply(our_objects(repo / "data"))
    channel, registry = stub(server.port, tls_files)
    call = {"metadata": bearer(admin)}
    page = registry.ListPermissions(rs.ListPermissionsRequest(
        project="shop", pagination=rs.PaginationParams(page=2, limit=1),
        sorting=rs.SortingParams(sort_by="name", sort_order="desc")), **call)
    assert [p.spec.name for p in page.permissions] == ["admins"]
    assert (page.pagination.total_count, page.pagination.total_pages, page.pagination.has_previous) == (2, 2, True)
    assert registry.ListFeatureViews(rs.ListFeatureViewsRequest(project="shop", tags={"team": "x"}), **call) \
        .feature_views == []
    views = registry.ListAllFeatureViews(rs.ListAllFeatureViewsRequest(project="shop", entity="driver"), **call)
    assert [v.feature_view.spec.name for v in views.feature_views] == ["driver_stats"]
    assert registry.ListAllFeatureViews(rs.ListAllFeatureViewsRequest(project="shop", feature="nope"), **call) \
        .feature_views == []
    any_view = registry.GetAnyFeatureView(rs.GetAnyFeatureViewRequest(name="driver_stats", project="shop"), **call)
    assert any_view.any_feature_view.feature_view.spec.name == "driver_stats"
    services = registry.ListFeatureServices(rs.ListFeatureServicesRequest(project="shop", feature_view="driver_stats"),
                                            **call)
    assert [s.spec.name for s in services.feature_services] == ["driver_service"]
    assert [p.spec.name for p in registry.ListProjects(rs.ListProjectsRequest(), **call).projects] == ["shop"]
    channel.close()


def test_hostile_tokens_are_unauthenticated_and_health_needs_none(served, oidc_provider, tls_files, tmp_path,
                                                                  monkeypatch):
    repo, server = served
    channel, registry = stub(server.port, tls_files)
    expired = oidc_provider.mint(exp=1_000_000)
    unsigned = oidc_provider.mint(algorithm="none", key="")
    wrong_audience = oidc_provider.mint(aud="someone-else")
    for metadata in ([], bearer("garbage"), bearer(expired), bearer(unsigned), bearer(wrong_audience)):
        with pytest.raises(grpc.RpcError) as refused:
            registry.Proto(Empty(), metadata=metadata)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    channel.close()
    monkeypatch.setenv(TOKEN_ENV, "garbage")
    with pytest.raises(AuthenticationError, match="refused the token"):
        FeatureStore(repo_path=client_repo(tmp_path, server.port, tls_files)).list_feature_views()


def test_serve_registry_refuses_to_start_when_auth_cannot_be_honoured(tmp_path):
    (tmp_path / "feature_store.yaml").write_text(
        "project: shop\nregistry: data/registry.db\nauth:\n  type: oidc\n"
        "  auth_discovery_url: http://127.0.0.1:9/.well-known/openid-configuration\n  client_id: x\n")
    environment = {**{k: v for k, v in os.environ.items() if k != "FEAST_FS_YAML_FILE_PATH"}, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "feast_core.cli", "serve_registry", "-p", str(free_port())],
                            cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "Error: auth (oidc): cannot read the discovery document" in result.stderr
    assert "Traceback" not in result.stderr
    half = subprocess.run([sys.executable, "-m", "feast_core.cli", "serve_registry", "--cert", "c.pem"],
                          cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert half.returncode == 2 and "give both -k/--key and -c/--cert" in half.stderr, half.stderr


# ---- upstream Feast 0.67 ----------------------------------------------------------------------------------------

UPSTREAM_CLIENT = """
import json, os, sys
sys.path.insert(0, ".")
from feast import FeatureStore
import definitions
answers = {}
def attempt(name, call):
    try:
        answers[name] = {"ok": call()}
    except Exception as error:
        answers[name] = {"error": type(error).__name__, "message": str(error)[:500]}
tokens = json.loads(os.environ["TOKENS"])
os.environ["TOKEN_ENV_NAME"] = tokens["admin"]
store = FeatureStore(repo_path=".")
attempt("apply", lambda: store.apply(definitions.OBJECTS) or "applied")
attempt("views", lambda: [v.name for v in store.list_feature_views()])
attempt("view", lambda: store.get_feature_view("driver_stats").description)
attempt("service", lambda: [p.name for p in store.get_feature_service("driver_service").feature_view_projections])
attempt("projects", lambda: [p.name for p in store.list_projects()])
os.environ["TOKEN_ENV_NAME"] = tokens["reader"]
store = FeatureStore(repo_path=".")
attempt("reader_views", lambda: [v.name for v in store.list_feature_views()])
definitions.driver_stats.description = "reader's change"
attempt("reader_apply", lambda: store.apply([definitions.driver_stats]) or "applied")
attempt("reader_delete", lambda: store.delete_feature_service("driver_service") or "deleted")
os.environ["TOKEN_ENV_NAME"] = "garbage"
store = FeatureStore(repo_path=".")
attempt("garbage", lambda: [v.name for v in store.list_feature_views()])
print(json.dumps(answers, default=str))
""".replace("TOKEN_ENV_NAME", TOKEN_ENV)


def upstream_repo(path: Path, data: Path, registry: str, auth: str = "", description: str = "upstream") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\n{registry}online_store:\n  type: sqlite\n  path: data/online.db\n"
        f"{auth}entity_key_serialization_version: 3\n")
    (path / "definitions.py").write_text(definitions("feast", data, description))
    return path


def test_upstream_feasts_remote_client_against_our_server(served, oidc_provider, upstream_feast, tls_files, tmp_path):
    repo, server = served
    client = upstream_repo(
        tmp_path, repo / "data",
        f"registry:\n  registry_type: remote\n  path: 127.0.0.1:{server.port}\n  cert: {tls_files.cert}\n",
        f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n")
    tokens = {"admin": token(oidc_provider, "admin"), "reader": token(oidc_provider, "reader")}
    answers = upstream_feast.run_python(UPSTREAM_CLIENT, cwd=client, env={"TOKENS": json.dumps(tokens),
                                                                          TOKEN_ENV: tokens["admin"]})
    assert answers["apply"] == {"ok": "applied"}, answers
    assert answers["views"] == {"ok": ["driver_stats"]}, answers
    assert answers["view"] == {"ok": "upstream"}, answers
    assert answers["service"] == {"ok": ["driver_stats"]}, answers
    assert answers["projects"] == {"ok": ["shop"]}, answers
    assert answers["reader_views"] == {"ok": ["driver_stats"]}, answers
    assert answers["reader_apply"]["error"] == "FeastPermissionError", answers
    assert "UPDATE" in answers["reader_apply"]["message"]
    assert answers["reader_delete"]["error"] == "FeastPermissionError", answers
    assert "ok" not in answers["garbage"], answers
    local = FeatureStore(repo_path=repo)  # what upstream's client applied, in our server's registry
    assert local.get_feature_view("driver_stats").description == "upstream"
    local.close()
    FeatureStore(repo_path=repo).apply(our_objects(repo / "data"))  # leave the module's registry as applied


@pytest.fixture(scope="module")
def upstream_server(upstream_feast, tmp_path_factory):
    """Upstream Feast's feast serve_registry over its own file registry (no auth, plain text)."""
    root = tmp_path_factory.mktemp("upstream-registry")
    write_data(root / "data")
    upstream_repo(root, root / "data", "registry: data/registry.db\n")
    server = ServerProcess(root, "serve_registry", command=[str(upstream_feast.venv / "bin" / "feast")],
                           env=upstream_feast.env())
    yield root, server
    server.stop()


READ_BACK = """
import json
from feast import FeatureStore
store = FeatureStore(repo_path=".")
view = store.get_feature_view("driver_stats")
print(json.dumps({"views": [v.name for v in store.list_feature_views()], "description": view.description,
                  "services": [s.name for s in store.list_feature_services()],
                  "intervals": len(view.materialization_intervals)}))
"""


def test_our_remote_client_against_upstream_feasts_server(upstream_server, upstream_feast, tmp_path):
    root, server = upstream_server
    remote = FeatureStore(repo_path=client_repo(tmp_path, server.port, None, auth=False))
    remote.apply(our_objects(root / "data", description="from feast_core"))
    assert [v.name for v in remote.list_feature_views()] == ["driver_stats"]
    remote.materialize(datetime(2024, 12, 31, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC), progress=False)
    assert remote.get_online_features(features=["driver_stats:conv_rate"],
                                      entity_rows=[{"driver_id": 2}]).to_dict()["conv_rate"] == [0.5]
    seen = upstream_feast.run_python(READ_BACK, cwd=root)  # upstream reads its own registry file
    # the materialization reached its registry (checkpoints included: upstream keeps each as its own interval)
    assert seen.pop("intervals") >= 1
    assert seen == {"views": ["driver_stats"], "description": "from feast_core", "services": ["driver_service"]}
    remote.delete_feature_service("driver_service")
    assert remote.list_feature_services() == []
    remote.close()


@pytest.mark.parametrize(("registry", "error"), [
    ("registry:\n  registry_type: remote\n  path: data/registry.db\n", "needs path: host:port"),
    ("registry:\n  path: data/registry.db\n  cert: ca.pem\n", "cert only apply to registry_type: remote"),
    ("registry:\n  registry_type: remote\n  path: h:6570\n  client_cert: c.pem\n", "client_cert and client_key go"),
])
def test_bad_remote_registry_blocks_are_refused(tmp_path, registry, error):
    (tmp_path / "feature_store.yaml").write_text(f"project: shop\n{registry}")
    with pytest.raises(Exception, match=error):
        FeatureStore(repo_path=tmp_path)
