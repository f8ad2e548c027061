"""``feast serve_offline`` and ``offline_store: type: remote``: Feast's Arrow Flight protocol, both ways.

One of our servers (OIDC auth on, TLS with a self-signed certificate made in this session) serves the module:
our client and upstream Feast 0.67's client retrieve, pull and write through it, with tokens from the loopback
OIDC provider; Feast <= 0.66's do_put / get_flight_info / do_get flow is driven with pyarrow as those clients
drive it. Upstream Feast's own ``feast serve_offline`` answers our client. Every answer is compared with what
the same call gives locally.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.flight as fl
import pytest
from oidc_provider import CLIENT_ID
from server_process import ServerProcess, free_port

from feast_core import FeatureStore
from feast_core.errors import (
    AuthConfigError,
    AuthenticationError,
    FeastPermissionError,
    FeatureViewNotFoundException,
)
from feast_core.offline.base import PullQuery

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "FEAST_TEST_OFFLINE_TOKEN"
UTC = timezone.utc
HOURS = [datetime(2025, 1, 1, h, tzinfo=UTC) for h in range(6)]

# one definitions file for both SDKs: {feast} is feast_core or feast
DEFINITIONS = '''
from datetime import timedelta
import pandas as pd
from {feast} import Entity, FeatureService, FeatureView, Field, FileSource, RequestSource
from {feast}.data_source import DataSource
from {feast}.on_demand_feature_view import OnDemandFeatureView, on_demand_feature_view
from {feast}.permissions.action import AuthzedAction
from {feast}.permissions.permission import Permission
from {feast}.permissions.policy import RoleBasedPolicy
from {feast}.types import Float64, Int64

driver = Entity(name="driver", join_keys=["driver_id"])
drivers = FileSource(name="drivers_src", path="{data}/drivers.parquet", timestamp_field="ts",
                     created_timestamp_column="created")
driver_stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(hours=2), source=drivers,
                           schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64),
                                   Field(name="driver_id", dtype=Int64)])
written = FileSource(name="written_src", path="{data}/written.parquet", timestamp_field="ts")
driver_written = FeatureView(name="driver_written", entities=[driver], ttl=timedelta(0), source=written,
                             schema=[Field(name="score", dtype=Float64), Field(name="driver_id", dtype=Int64)])
bonus = RequestSource(name="bonus", schema=[Field(name="bonus", dtype=Float64)])

@on_demand_feature_view(sources=[driver_stats, bonus], schema=[Field(name="boosted", dtype=Float64)], mode="pandas")
def boosted_rate(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["boosted"] = inputs["conv_rate"] + inputs["bonus"]
    return out

driver_service = FeatureService(name="driver_service",
                                features=[driver_stats.with_name("recent")[["conv_rate"]], boosted_rate])
readers = Permission(name="readers", types=[FeatureView, OnDemandFeatureView, FeatureService, DataSource],
                     policy=RoleBasedPolicy(roles=["reader"]),
                     actions=[AuthzedAction.READ_OFFLINE, AuthzedAction.DESCRIBE])
writers = Permission(name="writers", types=[FeatureView], name_patterns=["driver_written"],
                     policy=RoleBasedPolicy(roles=["writer"]), actions=[AuthzedAction.WRITE_OFFLINE])
'''

APPLY = """
import definitions
from feast import FeatureStore
store = FeatureStore(repo_path=".")
objects = [v for v in vars(definitions).values() if type(v).__module__.startswith("feast.")
           and hasattr(v, "name") and not isinstance(v, type)]
store.apply(objects)
"""

ENTITY_ROWS = {"driver_id": [1, 2, 3, 9, 1], "bonus": [0.5, 1.5, 2.5, 3.5, 4.5],
               "event_timestamp": [HOURS[2] + timedelta(minutes=30), HOURS[5], HOURS[0], HOURS[3],
                                   HOURS[5] + timedelta(hours=3)]}
FEATURES = ["driver_stats:conv_rate", "driver_stats:trips", "boosted_rate:boosted"]


def write_data(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    rows = [(d, h) for d in (1, 2, 3) for h in range(6)]
    pd.DataFrame({
        "driver_id": [d for d, _ in rows], "conv_rate": [d * 10 + h / 10 for d, h in rows],
        "trips": [d * 100 + h for d, h in rows], "ts": [HOURS[h] for _, h in rows],
        "created": [HOURS[h] + timedelta(minutes=1) for _, h in rows],
    }).to_parquet(data / "drivers.parquet")
    pd.DataFrame({"driver_id": [1], "score": [0.25], "ts": [HOURS[0]]}).to_parquet(data / "written.parquet")


def definitions(feast: str, data: Path) -> str:
    return DEFINITIONS.replace("{feast}", feast).replace("{data}", str(data))


def our_objects(data: Path) -> list:
    namespace: dict = {}
    exec(compile(definitions("feast_core", data), "definitions.py", "exec"), namespace)
    return [v for v in namespace.values() if type(v).__module__.startswith("feast_core.definitions")
            and hasattr(v, "name") and not isinstance(v, type)]


class FlightServer(ServerProcess):
    """``feast serve_offline`` (ours, or upstream's with ``command``) in a subprocess on loopback."""

    def __init__(self, repo: Path, *args: str, command: list[str] | None = None, env: dict | None = None) -> None:
        super().__init__(repo, "serve_offline", *args, command=command, env=env)


def oidc_server_block(provider) -> str:
    return (f"auth:\n  type: oidc\n  auth_discovery_url: {provider.discovery_url}\n  client_id: {CLIENT_ID}\n"
            "  audience: account\n")


def token_client_block() -> str:
    return f"auth:\n  type: oidc\n  token_env_var: {TOKEN_ENV}\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory, oidc_provider, tls_files):
    """Our offline server over a repo with parquet data, OIDC auth and TLS."""
    repo = tmp_path_factory.mktemp("offline-served")
    write_data(repo / "data")
    (repo / "feature_store.yaml").write_text(
        "project: shop\nprovider: local\nregistry: data/registry.db\nonline_store:\n  type: sqlite\n"
        f"  path: data/online.db\nentity_key_serialization_version: 3\n{oidc_server_block(oidc_provider)}")
    store = FeatureStore(repo_path=repo)
    store.apply(our_objects(repo / "data"))
    store.close()
    server = FlightServer(repo, "--key", str(tls_files.key), "--cert", str(tls_files.cert))
    yield repo, server
    code, output = server.stop()
    assert code == 0, output
    assert "Traceback" not in output, output


def client_repo(path: Path, served_repo: Path, port: int, tls_files, scheme: str = "https",
                auth: str | None = None) -> Path:
    """Our client: the server's registry (read-only here), the server as its offline store."""
    path.mkdir(parents=True, exist_ok=True)
    cert = f"  cert: {tls_files.cert}\n" if scheme == "https" else ""
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry: {served_repo / 'data' / 'registry.db'}\n"
        f"offline_store:\n  type: remote\n  host: 127.0.0.1\n  port: {port}\n  scheme: {scheme}\n{cert}"
        f"  connection_retries: 1\nonline_store:\n  type: sqlite\n  path: {path / 'online.db'}\n"
        f"entity_key_serialization_version: 3\n{token_client_block() if auth is None else auth}")
    return path


def token(provider, *roles: str, username: str = "rita") -> str:
    return provider.mint(provider.claims(username=username, roles=roles))


def entity_df() -> pd.DataFrame:
    return pd.DataFrame(ENTITY_ROWS)


# ---- our client, our server -----------------------------------------------------------------------------------


def test_historical_retrieval_answers_what_the_local_call_answers(served, oidc_provider, tls_files, tmp_path,
                                                                  monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "reader"))
    remote = FeatureStore(repo_path=client_repo(tmp_path, repo, server.port, tls_files))
    local = FeatureStore(repo_path=repo)
    for features, full in ((FEATURES, False), (FEATURES, True), (local.get_feature_service("driver_service"), True),
                           (local.get_feature_service("driver_service"), False)):
        answer = remote.get_historical_features(entity_df(), features, full_feature_names=full).to_df()
        expected = local.get_historical_features(entity_df(), features, full_feature_names=full).to_df()
        pd.testing.assert_frame_equal(answer, expected)
    # point in time: 02:30 reads hour 2; 03:00 + 3 h is past the 2 h ttl; driver 9 has no rows
    answer = remote.get_historical_features(entity_df(), FEATURES).to_df()
    assert answer["conv_rate"].tolist()[:3] == [10.2, 20.5, 30.0]
    assert answer["conv_rate"].isna().tolist()[3:] == [True, True]
    assert answer["boosted"].tolist()[:3] == [10.7, 22.0, 32.5]
    # the aliased projection of the feature service names its columns after the alias
    service = remote.get_historical_features(entity_df(), remote.get_feature_service("driver_service"),
                                             full_feature_names=True).to_df()
    assert "recent__conv_rate" in service.columns and "boosted_rate__boosted" in service.columns
    # without entity rows: every (driver, time) of the range, as locally
    window = {"start_date": HOURS[1], "end_date": HOURS[3]}
    pd.testing.assert_frame_equal(
        remote.get_historical_features(features=["driver_stats:conv_rate"], **window).to_df(),
        local.get_historical_features(features=["driver_stats:conv_rate"], **window).to_df())
    remote.close()
    local.close()


def test_materialization_pulls_stream_through_the_server(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "reader"))
    remote = FeatureStore(repo_path=client_repo(tmp_path, repo, server.port, tls_files))
    local = FeatureStore(repo_path=repo)
    source = local.get_data_source("drivers_src")
    query = PullQuery(source, ("driver_id",), ("conv_rate", "trips"), "ts", "created", HOURS[0], HOURS[4])
    batches = list(remote.offline_store.pull_latest(query, 2))
    assert [b.num_rows for b in batches] == [2, 1]  # re-cut to the chunk size asked for
    pulled = pa.Table.from_batches(batches).sort_by("driver_id")
    expected = pa.Table.from_batches(list(local.offline_store.pull_latest(query, 100))).sort_by("driver_id")
    assert pulled.to_pylist() == expected.to_pylist()
    assert pulled.column("conv_rate").to_pylist() == [10.4, 20.4, 30.4]
    everything = PullQuery(source, ("driver_id",), ("trips",), "ts", "", None, None)
    assert sum(b.num_rows for b in remote.offline_store.pull_all(everything, 5)) == 18
    # the schema a feast apply reads through the server
    assert remote.offline_store.source_schema(source) == local.offline_store.source_schema(source)
    # materialize into the client's own online store, reading through the server
    remote.materialize(HOURS[0], HOURS[5], ["driver_stats"], progress=False)
    online = remote.online_store.read("shop", remote.get_feature_view("driver_stats"), [(1,), (3,)], ["trips"])
    assert online.values == {"trips": [105, 305]}
    remote.close()
    local.close()


def test_permissions_are_checked_per_call(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    remote = FeatureStore(repo_path=client_repo(tmp_path, repo, server.port, tls_files))
    rows = pd.DataFrame({"driver_id": [2], "score": [0.75], "ts": [HOURS[1]]})
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "reader"))
    with pytest.raises(FeastPermissionError, match="Permission writers denied execution of \\['WRITE_OFFLINE'\\] "
                                                   "to FeatureView:driver_written: Requires roles \\['writer'\\]"):
        remote.write_to_offline_store("driver_written", rows)
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "writer", username="walt"))
    remote.write_to_offline_store("driver_written", rows)
    with pytest.raises(FeastPermissionError, match="READ_OFFLINE"):  # a writer may not read
        remote.get_historical_features(entity_df(), FEATURES).to_df()
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, username="nobody"))
    with pytest.raises(FeastPermissionError, match="Requires roles \\['reader'\\]"):
        remote.get_historical_features(entity_df(), ["driver_stats:trips"]).to_df()
    with pytest.raises(FeastPermissionError):
        list(remote.offline_store.pull_latest(
            PullQuery(remote.get_data_source("drivers_src"), ("driver_id",), ("trips",), "ts", "", HOURS[0], HOURS[1]), 9))
    local = FeatureStore(repo_path=repo)
    written = local.get_historical_features(pd.DataFrame({"driver_id": [1, 2], "event_timestamp": [HOURS[5]] * 2}),
                                            ["driver_written:score"]).to_df()
    assert written["score"].tolist() == [0.25, 0.75]  # the writer's row landed in the server's data source
    local.close()
    remote.close()


def test_hostile_tokens_are_unauthenticated(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    remote = FeatureStore(repo_path=client_repo(tmp_path, repo, server.port, tls_files))
    expired = oidc_provider.mint(exp=1_000_000)
    unsigned = oidc_provider.mint(algorithm="none", key="")
    wrong_audience = oidc_provider.mint(aud="someone-else")
    for hostile in ("garbage", expired, unsigned, wrong_audience):
        monkeypatch.setenv(TOKEN_ENV, hostile)
        with pytest.raises(AuthenticationError, match="refused the token"):
            remote.get_historical_features(entity_df(), FEATURES).to_df()
    # a client whose token cannot be had says so before it calls
    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(AuthConfigError, match=f"token_env_var names '{TOKEN_ENV}', which is unset"):
        remote.get_historical_features(entity_df(), FEATURES).to_df()
    # no header at all
    client = fl.FlightClient(f"grpc+tls://127.0.0.1:{server.port}", tls_root_certs=tls_files.cert.read_bytes())
    with pytest.raises(fl.FlightUnauthenticatedError):
        list(client.list_flights())
    client.close()
    remote.close()


def test_the_do_put_get_flight_info_do_get_flow_of_older_clients(served, oidc_provider, tls_files):
    """Feast <= 0.66's client: do_put the entity rows, get_flight_info, do_get the ticket it names."""
    repo, server = served
    header = [(b"authorization", f"Bearer {token(oidc_provider, 'reader')}".encode())]
    options = fl.FlightCallOptions(headers=header)
    client = fl.FlightClient(f"grpc+tls://127.0.0.1:{server.port}", tls_root_certs=tls_files.cert.read_bytes())
    command = {"command_id": str(uuid.uuid4()), "api": "get_historical_features", "project": "shop",
               "feature_view_names": ["driver_stats"], "name_aliases": [None],
               "feature_refs": ["driver_stats:conv_rate"], "full_feature_names": False}
    descriptor = fl.FlightDescriptor.for_command(json.dumps(command))
    rows = pa.Table.from_pandas(entity_df()[["driver_id", "event_timestamp"]])
    writer, _ = client.do_put(descriptor, rows.schema, options)
    writer.write_table(rows)
    writer.close()
    info = client.get_flight_info(descriptor, options)
    assert info.endpoints[0].ticket.ticket == repr((2, descriptor.command, ())).encode()  # Feast's ticket
    answer = client.do_get(info.endpoints[0].ticket, options).read_all()
    assert answer.column("conv_rate").to_pylist()[:3] == [10.2, 20.5, 30.0]
    with pytest.raises(fl.FlightError, match="no upload is waiting"):  # a ticket is good once
        client.do_get(info.endpoints[0].ticket, options).read_all()
    # an upload belongs to its sender: another user's do_get does not see it
    writer, _ = client.do_put(descriptor, rows.schema, options)
    writer.write_table(rows)
    writer.close()
    other = fl.FlightCallOptions(headers=[(b"authorization", f"Bearer {token(oidc_provider, 'reader', username='eve')}"
                                           .encode())])
    with pytest.raises(fl.FlightError, match="no upload is waiting"):
        client.get_flight_info(descriptor, other)
    # writes run inside do_put: a writer's rows land, a reader's are refused with Feast's error detail
    write = fl.FlightDescriptor.for_command(json.dumps({
        "command_id": str(uuid.uuid4()), "api": "offline_write_batch", "feature_view_names": ["driver_written"],
        "name_aliases": [None], "progress": None}))
    table = pa.table({"driver_id": [3], "score": [0.5], "ts": pa.array([HOURS[2]], pa.timestamp("us", tz="UTC"))})
    writer, _ = client.do_put(write, table.schema, options)
    writer.write_table(table)
    with pytest.raises(fl.FlightUnauthorizedError, match='Flight error: \\{"module": "feast.errors", '
                                                         '"class": "FeastPermissionError"'):
        writer.close()
    assert [name for name, _ in ((a.type, a.description) for a in client.list_actions(options))] == [
        "offline_write_batch", "write_logged_features", "persist"]
    client.close()


def test_bad_calls_get_feast_errors_not_tracebacks(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "reader"))
    remote = FeatureStore(repo_path=client_repo(tmp_path, repo, server.port, tls_files))
    store = remote.offline_store
    with pytest.raises(FeatureViewNotFoundException, match="no_such_view"):
        store.exchange("get_historical_features", {"feature_view_names": ["no_such_view"], "name_aliases": [None],
                                                   "feature_refs": ["no_such_view:x"], "project": "shop",
                                                   "full_feature_names": False})
    with pytest.raises(Exception, match="parameter 'feature_refs' is missing") as caught:
        store.exchange("get_historical_features", {"feature_view_names": [], "name_aliases": [], "project": "shop",
                                                   "full_feature_names": False})
    assert "Traceback" not in str(caught.value)
    with pytest.raises(Exception, match="unknown offline-server call 'drop_everything'"):
        store.exchange("drop_everything", {})
    remote.close()


def test_a_plain_client_cannot_talk_to_the_tls_server(served, oidc_provider, tls_files, tmp_path, monkeypatch):
    repo, server = served
    monkeypatch.setenv(TOKEN_ENV, token(oidc_provider, "reader"))
    plain = FeatureStore(repo_path=client_repo(tmp_path, repo, server.port, tls_files, scheme="http"))
    with pytest.raises(Exception, match="cannot be reached|unavailable|Unavailable"):
        plain.get_historical_features(entity_df(), FEATURES).to_df()
    plain.close()


def test_serve_offline_refuses_to_start_when_auth_cannot_be_honoured(tmp_path):
    (tmp_path / "feature_store.yaml").write_text(
        "project: shop\nregistry: data/registry.db\nauth:\n  type: oidc\n"
        "  auth_discovery_url: http://127.0.0.1:9/.well-known/openid-configuration\n")
    environment = {k: v for k, v in os.environ.items() if k != "FEAST_FS_YAML_FILE_PATH"}
    result = subprocess.run([sys.executable, "-m", "feast_core.cli", "serve_offline", "-p", str(free_port())],
                            cwd=tmp_path, env={**environment, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "Error: auth (oidc): cannot read the discovery document" in result.stderr
    assert "Traceback" not in result.stderr
    half = subprocess.run([sys.executable, "-m", "feast_core.cli", "serve_offline", "--key", "k.pem"],
                          cwd=tmp_path, env={**environment, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert half.returncode == 2 and "give both -k/--key and -c/--cert" in half.stderr, half.stderr


# ---- upstream Feast 0.67 ----------------------------------------------------------------------------------------

UPSTREAM_RETRIEVE = APPLY + """
import json, os
import pandas as pd
rows = pd.DataFrame(json.loads(os.environ["ENTITY_ROWS"]))
rows["event_timestamp"] = pd.to_datetime(rows["event_timestamp"], utc=True)
answers = []
for token in json.loads(os.environ["TOKENS"]):
    os.environ["TOKEN_ENV_NAME"] = token
    try:
        frame = store.get_historical_features(rows, ["driver_stats:conv_rate", "driver_stats:trips"]).to_df()
        service = store.get_historical_features(rows, store.get_feature_service("driver_service"),
                                                full_feature_names=True).to_df()
        answers.append({"ok": {"rows": frame.to_dict("list"), "service": sorted(service.columns),
                               "recent": service["recent__conv_rate"].tolist()}})
    except Exception as error:
        answers.append({"error": type(error).__name__, "message": str(error)})
print(json.dumps(answers, default=str))
""".replace("TOKEN_ENV_NAME", TOKEN_ENV)


def upstream_repo(path: Path, data: Path, offline: str, auth: str = "") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry: data/registry.db\n{offline}online_store:\n  type: sqlite\n"
        f"  path: data/online.db\n{auth}entity_key_serialization_version: 3\n")
    (path / "definitions.py").write_text(definitions("feast", data))
    return path


def test_upstream_feasts_remote_client_retrieves_from_our_server(served, oidc_provider, upstream_feast, tls_files,
                                                                 tmp_path):
    repo, server = served
    client = upstream_repo(
        tmp_path, repo / "data",
        f"offline_store:\n  type: remote\n  host: 127.0.0.1\n  port: {server.port}\n  scheme: https\n"
        f"  cert: {tls_files.cert}\n", token_client_block())
    rows = {**ENTITY_ROWS, "event_timestamp": [t.isoformat() for t in ENTITY_ROWS["event_timestamp"]]}
    tokens = [token(oidc_provider, "reader"), token(oidc_provider, username="nobody"), "garbage"]
    # its feast apply asks our server about the sources (with the reader's token)
    answer, refused, unauthenticated = upstream_feast.run_python(
        UPSTREAM_RETRIEVE, cwd=client, env={"TOKENS": json.dumps(tokens), "ENTITY_ROWS": json.dumps(rows),
                                            "PYTHONPATH": str(client), TOKEN_ENV: tokens[0]})
    local = FeatureStore(repo_path=repo)
    expected = local.get_historical_features(entity_df(), ["driver_stats:conv_rate", "driver_stats:trips"]).to_df()
    got = answer["ok"]["rows"]
    assert got["driver_id"] == [1, 2, 3, 9, 1]
    assert got["conv_rate"][:3] == expected["conv_rate"].tolist()[:3] == [10.2, 20.5, 30.0]
    assert got["trips"][:3] == [102, 205, 300]
    assert answer["ok"]["recent"][:3] == [10.2, 20.5, 30.0]  # the alias resolved through the feature service
    assert "boosted_rate__boosted" in answer["ok"]["service"]
    assert refused["error"] == "FeastPermissionError", refused
    assert "Requires roles ['reader']" in refused["message"]
    assert unauthenticated["error"] == "FlightUnauthenticatedError", unauthenticated
    local.close()


@pytest.fixture(scope="module")
def upstream_server(served, upstream_feast, tmp_path_factory):
    """Upstream Feast's feast serve_offline over the same parquet data (its own registry, no auth)."""
    repo, _ = served
    root = upstream_repo(tmp_path_factory.mktemp("upstream-offline"), repo / "data", "")
    upstream_feast.run_python(APPLY + "print('null')\n", cwd=root, env={"PYTHONPATH": str(root)})
    server = FlightServer(root, command=[str(upstream_feast.venv / "bin" / "feast")], env=upstream_feast.env())
    yield server
    server.stop()


def test_our_remote_client_retrieves_from_upstream_feasts_server(served, upstream_server, tmp_path, tls_files):
    repo, _ = served
    remote = FeatureStore(repo_path=client_repo(tmp_path, repo, upstream_server.port, tls_files, scheme="http", auth=""))
    local = FeatureStore(repo_path=repo)
    features = ["driver_stats:conv_rate", "driver_stats:trips"]
    # upstream's file store answers in its own row order, and drops an entity row whose only matches are past the
    # ttl (driver 1 at 08:00; its local call drops it too): every row it answers is ours
    answer = remote.get_historical_features(entity_df(), features).to_df()
    expected = local.get_historical_features(entity_df(), features).to_df()
    key = ["driver_id", "event_timestamp"]
    merged = answer.merge(expected, on=key, suffixes=("_remote", "_local"))
    assert len(merged) == len(answer) == 4
    pd.testing.assert_series_equal(merged["conv_rate_remote"], merged["conv_rate_local"], check_names=False)
    # the on-demand view's inputs, sent as references for upstream's join, are not in the answer
    boosted = remote.get_historical_features(entity_df(), ["boosted_rate:boosted"]).to_df()
    assert "conv_rate" not in boosted.columns
    assert sorted(boosted.dropna()["boosted"].tolist()) == [10.7, 22.0, 32.5]
    source = local.get_data_source("drivers_src")
    pulled = pa.Table.from_batches(list(remote.offline_store.pull_latest(
        PullQuery(source, ("driver_id",), ("conv_rate",), "ts", "created", HOURS[0], HOURS[4]), 100)))
    assert sorted(pulled.column("conv_rate").to_pylist()) == [10.4, 20.4, 30.4]
    with pytest.raises(FeatureViewNotFoundException):  # upstream's error detail becomes the typed error
        remote.offline_store.exchange("get_historical_features", {
            "feature_view_names": ["no_such_view"], "name_aliases": [None], "feature_refs": ["no_such_view:x"],
            "project": "shop", "full_feature_names": False})
    remote.close()
    local.close()
