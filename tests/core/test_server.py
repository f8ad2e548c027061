"""The feature server as a client sees it: ``feast serve`` in a subprocess on loopback, real HTTP via httpx,
a real repo (parquet offline data, file registry, SQLite or PostgreSQL online store).

One server per online store kind serves most tests of this module (``server``); a test that writes gives
its writes a feature view of their own, so no test sees another's rows. Tests that stop, break or block
a server start their own.
"""

from __future__ import annotations

import base64
import fcntl
import json
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pandas as pd
import pytest

from feast_core import Entity, FeatureService, FeatureStore, FeatureView, Field, FileSource, PushSource
from feast_core.types import Array, Bool, Bytes, Float64, Int64, String, UnixTimestamp

ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1970-01-01T00:00:00Z"
STAMP = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)  # event time of the rows written online
STAMP_TEXT = "2025-03-01T12:00:00Z"
OFFLINE_STAMP = datetime(2025, 2, 1, 8, 30, 0, 250000, tzinfo=timezone.utc)  # event time of the parquet rows
OFFLINE_TEXT = "2025-02-01T08:30:00.250Z"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def definitions(repo: Path) -> list:
    driver = Entity(name="driver", join_keys=["driver_id"])
    drivers = FileSource(name="drivers_src", path=str(repo / "data" / "drivers.parquet"), timestamp_field="ts",
                         created_timestamp_column="created")
    stats = FeatureView(
        name="driver_stats", entities=[driver], ttl=timedelta(0), source=drivers,
        schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64),
                Field(name="city", dtype=String), Field(name="avatar", dtype=Bytes), Field(name="active", dtype=Bool),
                Field(name="joined", dtype=UnixTimestamp), Field(name="scores", dtype=Array(Int64))],
    )
    # empty online at first: each is written by one test only (materialize, materialize-incremental, write)
    daily, incremental, written = (
        FeatureView(
            name=name, entities=[driver], ttl=timedelta(0), source=drivers,
            schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64)],
        )
        for name in ("driver_daily", "driver_incremental", "driver_written")
    )
    push = PushSource(name="driver_push", batch_source=drivers)
    pushed = FeatureView(
        name="driver_pushed", entities=[driver], ttl=timedelta(0), source=push,
        schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64)],
    )
    service = FeatureService(name="driver_service", features=[stats[["conv_rate", "trips"]]])
    return [driver, drivers, stats, daily, incremental, written, push, pushed, service]


def online_block(kind: str, postgres_db=None) -> str:
    if kind == "sqlite":
        return "online_store:\n  type: sqlite\n  path: data/online.db\n"
    settings = postgres_db.store_config()
    return "online_store:\n  type: postgres\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in settings.items())


ONLINE_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class ModuleDatabase:
    """A PostgreSQL database that lives as long as this module's shared server."""

    def __init__(self, server) -> None:
        self.server = server
        self.name = "test_server_" + secrets.token_hex(6)
        with server.connect(autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def store_config(self) -> dict:
        return {"host": self.server.host, "port": self.server.port, "database": self.name, "user": self.server.user,
                "password": self.server.password}

    def drop(self) -> None:
        with self.server.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(params=ONLINE_KINDS)
def repo(request, tmp_path: Path) -> Path:
    """A private repo, for a test that blocks or stops its own server."""
    postgres_db = request.getfixturevalue("postgres_db") if request.param == "postgres" else None
    return build_repo(tmp_path, online_block(request.param, postgres_db))


@pytest.fixture(scope="module", params=ONLINE_KINDS)
def shared_repo(request, tmp_path_factory) -> Path:
    """The repo the module's shared server serves."""
    if request.param == "sqlite":
        yield build_repo(tmp_path_factory.mktemp("served"), online_block("sqlite"))
        return
    database = ModuleDatabase(request.getfixturevalue("postgres_server"))
    try:
        yield build_repo(tmp_path_factory.mktemp("served"), online_block("postgres", database))
    finally:
        database.drop()


def build_repo(tmp_path: Path, online: str) -> Path:
    """A repo with parquet rows for two drivers; driver_stats holds those rows online, the other views nothing yet."""
    (tmp_path / "data").mkdir()
    (tmp_path / "feature_store.yaml").write_text(
        f"project: shop\nprovider: local\nregistry: data/registry.db\n{online}entity_key_serialization_version: 3\n"
    )
    rows = pd.DataFrame({
        "driver_id": [1001, 1002],
        "conv_rate": [0.5, 0.25],
        "trips": [10, 20],
        "city": ["Lyon", None],
        "avatar": [b"\x00\x01\xff", b"png"],
        "active": [True, False],
        "joined": [datetime(2020, 1, 2, tzinfo=timezone.utc), datetime(2021, 5, 6, tzinfo=timezone.utc)],
        "scores": [[1, 2, 3], []],
        "ts": [OFFLINE_STAMP, OFFLINE_STAMP],
        "created": [OFFLINE_STAMP, OFFLINE_STAMP],
    })
    rows.to_parquet(tmp_path / "data" / "drivers.parquet")
    store = FeatureStore(repo_path=tmp_path)
    store.apply(definitions(tmp_path))
    online_rows = rows.assign(ts=[STAMP, STAMP], created=[STAMP, STAMP])
    store.write_to_online_store("driver_stats", online_rows)
    store.close()
    return tmp_path


class Server:
    """``feast serve`` in a subprocess; ``stop()`` sends SIGTERM and returns the exit code."""

    def __init__(self, repo: Path, *args: str) -> None:
        self.repo = repo
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # output goes to a file, not a pipe nobody reads while the server runs: a full pipe would block it
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feast_core.cli", "serve", "-p", str(self.port), "--no-access-log", *args],
            cwd=repo, env={**_env(), "PYTHONPATH": str(ROOT)}, stdout=self.log, stderr=subprocess.STDOUT,
            text=True,
        )
        self.client = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"feast serve exited with {self.process.returncode}:\n{self.stop()[1]}")
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("feast serve did not become healthy within 60 s")
            time.sleep(0.1)

    def post(self, path: str, body, **kwargs) -> httpx.Response:
        if isinstance(body, (bytes, str)):
            return self.client.post(path, content=body, **kwargs)
        return self.client.post(path, json=body, **kwargs)

    def online(self, features, entities: dict, **extra) -> httpx.Response:
        key = "feature_service" if isinstance(features, str) else "features"
        return self.post("/get-online-features", {key: features, "entities": entities, **extra})

    def stop(self) -> tuple[int, str]:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        return self.process.returncode, output


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("FEAST_FS_YAML_FILE_PATH", "FEATURE_REPO_DIR_ENV_VAR")}


@pytest.fixture(scope="module")
def server(shared_repo: Path):
    running = Server(shared_repo, "-r", "1", "--max-request-bytes", "100000", "--max-entity-rows", "5000",
                     "--max-response-values", "12000")
    yield running
    _, output = running.stop()
    assert "Traceback" not in output, output


def online_stamp(server: Server, text: str) -> str:
    """An event time as the online store keeps it: whole seconds in SQLite (Feast's layout), microseconds in
    PostgreSQL."""
    if "type: sqlite" in (server.repo / "feature_store.yaml").read_text():
        return re.sub(r"\.\d+Z$", "Z", text)
    return text


def feast_error(response: httpx.Response) -> dict:
    """Feast's error body: a JSON string holding {module, class, message}."""
    detail = response.json()
    assert isinstance(detail, str), response.text
    return json.loads(detail)


# ---- /get-online-features -----------------------------------------------------------------------


def test_online_features_in_feast_column_oriented_shape(server):
    response = server.online(["driver_stats:conv_rate", "driver_stats:trips"], {"driver_id": [1001, 7, 1002]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "metadata": {"feature_names": ["driver_id", "conv_rate", "trips"]},
        "results": [
            {"values": [1001, 7, 1002], "statuses": ["PRESENT"] * 3, "event_timestamps": [EPOCH] * 3},
            {"values": [0.5, None, 0.25], "statuses": ["PRESENT", "NOT_FOUND", "PRESENT"],
             "event_timestamps": [STAMP_TEXT, EPOCH, STAMP_TEXT]},
            {"values": [10, None, 20], "statuses": ["PRESENT", "NOT_FOUND", "PRESENT"],
             "event_timestamps": [STAMP_TEXT, EPOCH, STAMP_TEXT]},
        ],
    }


def test_online_values_of_every_type_as_feast_encodes_them(server):
    response = server.online(
        ["driver_stats:city", "driver_stats:avatar", "driver_stats:active", "driver_stats:joined", "driver_stats:scores"],
        {"driver_id": [1001, 1002]},
    )
    assert response.status_code == 200, response.text
    results = dict(zip(response.json()["metadata"]["feature_names"], response.json()["results"]))
    assert results["city"]["values"] == ["Lyon", None]
    assert results["city"]["statuses"] == ["PRESENT", "NULL_VALUE"]
    assert results["avatar"]["values"] == [base64.b64encode(b"\x00\x01\xff").decode(), base64.b64encode(b"png").decode()]
    assert results["active"]["values"] == [True, False]
    assert results["joined"]["values"] == [int(datetime(2020, 1, 2, tzinfo=timezone.utc).timestamp()),
                                           int(datetime(2021, 5, 6, tzinfo=timezone.utc).timestamp())]
    assert results["scores"]["values"] == [[1, 2, 3], []]


def test_feature_service_with_full_feature_names(server):
    response = server.online("driver_service", {"driver_id": [1002]}, full_feature_names=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["metadata"]["feature_names"] == ["driver_id", "driver_stats__conv_rate", "driver_stats__trips"]
    assert [r["values"] for r in body["results"]] == [[1002], [0.25], [20]]


def test_a_client_that_sends_no_content_type_is_understood(server):
    """Feast's remote online store posts ``data=json.dumps(...)`` without a content type."""
    body = json.dumps({"features": ["driver_stats:trips"], "entities": {"driver_id": [1001]}})
    response = server.client.post("/get-online-features", content=body.encode(), headers={"content-type": ""})
    assert response.status_code == 200
    assert response.json()["results"][1]["values"] == [10]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"features": ["nope:conv_rate"], "entities": {"driver_id": [1]}}, 404, ["feature view 'nope'"]),
    ({"feature_service": "nope", "entities": {"driver_id": [1]}}, 404, ["feature service 'nope'"]),
    ({"features": ["driver_stats:nope"], "entities": {"driver_id": [1]}}, 404, ["driver_stats", "'nope'"]),
    ({"features": ["driver_stats:trips"], "entities": {"customer": [1]}}, 400, ["lack join key", "driver_id"]),
    ({"features": ["driver_stats:trips"], "entities": {"driver_id": [1], "rogue": [2]}}, 400, ["'rogue'"]),
    ({"features": ["driver_stats:trips"], "entities": {"driver_id": ["1001"]}}, 400, ["'driver_id'", "Int64", "'1001'"]),
    ({"features": ["driver_stats:trips"], "entities": {"driver_id": [1.5]}}, 400, ["'driver_id'", "1.5"]),
    ({"features": ["driver_stats:trips"], "entities": {"driver_id": [2**70]}}, 400, ["'driver_id'", "Int64", "does not fit"]),
    ({"features": ["driver_stats:trips"], "entities": {"driver_id": [2**64 - 1]}}, 400, ["'driver_id'", "does not fit"]),
])
def test_request_errors_are_feast_errors_naming_the_problem(server, body, status, words):
    response = server.post("/get-online-features", body)
    assert response.status_code == status, response.text
    detail = feast_error(response)
    assert set(detail) == {"module", "class", "message"}
    for word in words:
        assert word in detail["message"]


def test_not_found_errors_name_feasts_exception_classes(server):
    detail = feast_error(server.online(["nope:x"], {"driver_id": [1]}))
    assert (detail["module"], detail["class"]) == ("feast.errors", "FeatureViewNotFoundException")
    detail = feast_error(server.online("nope", {"driver_id": [1]}))
    assert (detail["module"], detail["class"]) == ("feast.errors", "FeatureServiceNotFoundException")


@pytest.mark.parametrize(("body", "field", "words"), [
    (b'{"features": ["driver_stats:trips"], "entities": ', ["body"], "not valid JSON"),
    (b"[1, 2]", ["body"], "must be a JSON object"),
    (b"", ["body"], "empty"),
    (b'{"entities": {"driver_id": [1]}}', ["body", "features"], "feature_service"),
    (b'{"features": "driver_stats:trips", "entities": {"driver_id": [1]}}', ["body", "features"], "array"),
    (b'{"features": ["driver_stats:trips"]}', ["body", "entities"], "required"),
    (b'{"features": ["driver_stats:trips"], "entities": {"driver_id": 1001}}', ["body", "entities", "driver_id"],
     "array"),
    (b'{"features": ["driver_stats:trips"], "entities": {"driver_id": [1]}, "full_feature_names": "yes"}',
     ["body", "full_feature_names"], "true or false"),
])
def test_malformed_bodies_are_422_with_the_field_named(server, body, field, words):
    response = server.post("/get-online-features", body)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == field
    assert words in problem["msg"]


def test_a_body_over_the_size_limit_is_413(server):
    rows = {"driver_id": list(range(20000))}
    response = server.online(["driver_stats:trips"], rows)
    assert response.status_code == 413
    assert "100000" in response.json()["detail"]
    # and the server goes on serving
    assert server.online(["driver_stats:trips"], {"driver_id": [1001]}).status_code == 200


def test_more_entity_rows_than_the_limit_is_413_naming_it(server):
    response = server.online(["driver_stats:trips"], {"driver_id": list(range(5001))})
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "the request has 5001 entity rows; this server answers at most 5000 per request (feast serve --max-entity-rows)"
    )
    assert server.online(["driver_stats:trips"], {"driver_id": list(range(5000))}).status_code == 200


@pytest.mark.parametrize("features", [
    [f"driver_stats:{f}" for f in ("conv_rate", "trips", "city")],
    "driver_service",  # conv_rate and trips
])
def test_a_response_over_the_value_limit_is_413_naming_it(server, features):
    response = server.online(features, {"driver_id": list(range(4001))})  # x 3 or x 2 values, +1 key column
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "4001 entity rows" in detail and "at most 12000" in detail and "--max-response-values" in detail
    assert server.online(features, {"driver_id": list(range(3000))}).status_code == 200


def _peak_memory(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process, in bytes."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) * 1024, int(status["VmHWM"].split()[0]) * 1024


def test_a_huge_request_is_refused_without_parsing_it(shared_repo):
    """12 million keys in a 60 MB body (under the default 64 MB cap): refused by counting, in bounded memory."""
    running = Server(shared_repo, "--max-entity-rows", "100000")
    try:
        keys = 7_500_000
        body = b'{"features": ["driver_stats:trips"], "entities": {"driver_id": [' + b"1000000," * (keys - 1) + b"1]}}"
        rss_before, _ = _peak_memory(running.process.pid)
        response = running.post("/get-online-features", body, headers={"content-type": "application/json"})
        _, peak = _peak_memory(running.process.pid)
        assert response.status_code == 413
        assert response.json()["detail"].startswith(f"the request has {keys} entity rows; this server answers at most 100000")
        # the body and one copy of it, never millions of Python objects (parsing it took ~5x the body)
        assert peak - rss_before < 4 * len(body), (peak - rss_before, len(body))
        assert running.online(["driver_stats:trips"], {"driver_id": [1001]}).status_code == 200
    finally:
        running.stop()


def test_wrong_method_and_unknown_path(server):
    assert server.client.get("/get-online-features").status_code == 405
    assert server.post("/nope", {}).status_code == 404


# ---- writes ------------------------------------------------------------------------------------


def test_push_then_read(server):
    response = server.post("/push", {
        "push_source_name": "driver_push",
        "df": {"driver_id": [1001, 1003], "conv_rate": [0.9, 0.1], "trips": [7, 8],
               "ts": ["2025-04-01T00:00:00", "2025-04-01 00:00:00.5+00:00"], "created": [None, None]},
        "to": "online",
    })
    assert response.status_code == 200, response.text
    assert response.content == b""
    body = server.online(["driver_pushed:conv_rate", "driver_pushed:trips"], {"driver_id": [1003, 1001]}).json()
    assert body["results"][1] == {"values": [0.1, 0.9], "statuses": ["PRESENT", "PRESENT"],
                                  "event_timestamps": [online_stamp(server, "2025-04-01T00:00:00.500Z"),
                                                       "2025-04-01T00:00:00Z"]}
    assert body["results"][2]["values"] == [8, 7]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"push_source_name": "nope", "df": {"driver_id": [1]}}, 422, "push source 'nope'"),
    ({"push_source_name": "driver_push", "df": {"driver_id": [1], "conv_rate": ["fast"], "trips": [1],
                                                "ts": ["2025-04-01T00:00:00"]}}, 400, "conv_rate"),
    ({"push_source_name": "driver_push", "df": {"driver_id": [1], "trips": [1], "ts": ["last tuesday"]}}, 400, "'ts'"),
])
def test_push_errors(server, body, status, words):
    response = server.post("/push", body)
    assert response.status_code == status, response.text
    assert words in feast_error(response)["message"]


def test_push_to_an_unknown_mode_is_422(server):
    response = server.post("/push", {"push_source_name": "driver_push", "df": {"driver_id": [1]}, "to": "sideways"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "to"]


def test_write_to_online_store_as_feasts_remote_client_sends_it(server):
    """Feast's remote online store sends naive-UTC ISO timestamps as 'event_timestamp' and 'created', whatever
    the source names them (here 'ts')."""
    response = server.post("/write-to-online-store", {
        "feature_view_name": "driver_written",
        "df": {"driver_id": [1002], "conv_rate": [0.75], "trips": [3],
               "event_timestamp": ["2025-05-01T10:00:00"], "created": ["2025-05-01T10:00:01"]},
        "allow_registry_cache": False,
    })
    assert response.status_code == 200, response.text
    assert response.json() is None
    body = server.online(["driver_written:conv_rate"], {"driver_id": [1002]}).json()
    assert body["results"][1] == {"values": [0.75], "statuses": ["PRESENT"],
                                  "event_timestamps": ["2025-05-01T10:00:00Z"]}


def test_write_to_an_unknown_view_is_404(server):
    response = server.post("/write-to-online-store", {"feature_view_name": "nope", "df": {"driver_id": [1]}})
    assert response.status_code == 404
    assert "feature view 'nope'" in feast_error(response)["message"]


# ---- materialization -------------------------------------------------------------------------------


def test_materialize_loads_the_offline_rows(server):
    response = server.post("/materialize", {"start_ts": "2025-01-01T00:00:00", "end_ts": "2025-03-01T00:00:00",
                                            "feature_views": ["driver_daily"]})
    assert response.status_code == 200, response.text
    assert response.json() is None
    body = server.online(["driver_daily:trips"], {"driver_id": [1001, 1002]}).json()
    assert body["results"][1] == {"values": [10, 20], "statuses": ["PRESENT", "PRESENT"],
                                  "event_timestamps": [online_stamp(server, OFFLINE_TEXT)] * 2}


def test_materialize_incremental_and_async(server):
    response = server.post("/materialize-incremental?async=true", {"end_ts": "2025-03-01T00:00:00Z",
                                                                   "feature_views": ["driver_incremental"]})
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "accepted", "feature_views": ["driver_incremental"]}
    deadline = time.monotonic() + 60
    while server.online(["driver_incremental:trips"], {"driver_id": [1001]}).json()["results"][1]["values"] != [10]:
        assert time.monotonic() < deadline, "the accepted materialization never landed"
        time.sleep(0.1)
    # the run is counted when it has finished, which can be a moment after its rows are readable
    success = 'feast_materialization_result_total{feature_view="driver_incremental",status="success"} 1.0'
    while success not in server.client.get("/metrics").text:
        assert time.monotonic() < deadline, "the accepted materialization was never counted as a success"
        time.sleep(0.1)


@pytest.mark.parametrize(("body", "status"), [
    ({"start_ts": "2025-03-01T00:00:00", "end_ts": "2025-01-01T00:00:00"}, 422),
    ({"start_ts": "yesterday", "end_ts": "2025-01-01T00:00:00"}, 422),
    ({"end_ts": "2025-01-01T00:00:00"}, 422),
    ({"start_ts": "2025-01-01T00:00:00", "end_ts": "2025-03-01T00:00:00", "feature_views": ["nope"]}, 404),
])
def test_materialize_errors(server, body, status):
    response = server.post("/materialize", body)
    assert response.status_code == status, response.text


# ---- registry, health, docs, metrics -----------------------------------------------------------------


def test_a_registry_change_by_another_process_is_picked_up(server, shared_repo):
    """Another process applies a new feature view and writes a row; the running server serves it (refresh: 1 s)."""
    script = textwrap.dedent(f"""
        import sys
        from datetime import timedelta
        import pandas as pd
        sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
        from feast_core import FeatureStore, FeatureView, Field, FileSource, Entity
        from feast_core.types import Int64
        from test_server import definitions, STAMP
        repo = {str(shared_repo)!r}
        store = FeatureStore(repo_path=repo)
        driver = Entity(name="driver", join_keys=["driver_id"])
        source = FileSource(name="drivers_src", path=repo + "/data/drivers.parquet", timestamp_field="ts",
                            created_timestamp_column="created")
        fresh = FeatureView(name="driver_fresh", entities=[driver], ttl=timedelta(0), source=source,
                            schema=[Field(name="trips", dtype=Int64)])
        store.apply(definitions(__import__("pathlib").Path(repo)) + [fresh])
        store.write_to_online_store("driver_fresh", pd.DataFrame({{"driver_id": [1001], "trips": [42],
                                    "ts": [STAMP], "created": [STAMP]}}))
    """)
    assert server.online(["driver_fresh:trips"], {"driver_id": [1001]}).status_code == 404
    subprocess.run([sys.executable, "-c", script], check=True, env=_env(), timeout=120)
    deadline = time.monotonic() + 30
    while (response := server.online(["driver_fresh:trips"], {"driver_id": [1001]})).status_code == 404:
        assert time.monotonic() < deadline, "the server never saw the newly applied feature view"
        time.sleep(0.2)
    assert response.status_code == 200, response.text
    assert response.json()["results"][1]["values"] == [42]


def test_health_docs_and_openapi(server):
    health = server.client.get("/health")
    assert health.status_code == 200
    docs = server.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = server.client.get("/openapi.json").json()
    for path in ("/get-online-features", "/push", "/write-to-online-store", "/materialize",
                 "/materialize-incremental"):
        assert "post" in spec["paths"][path]
        assert spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "/health" in spec["paths"]


METRICS_COUNTED = {  # Feast's names and labels (feast_core adds the HTTP status code as `code`)
    'feast_feature_server_request_total{code="200",endpoint="/get-online-features",status="success"}': 2.0,
    'feast_feature_server_request_total{code="404",endpoint="/get-online-features",status="error"}': 1.0,
    'feast_feature_server_request_latency_seconds_count{endpoint="/get-online-features",feature_count="1-10",'
    'feature_view_count="1"}': 3.0,
    "feast_feature_server_online_store_read_duration_seconds_count": 2.0,
    "feast_online_features_entity_count_sum": 3.0,
    "feast_online_features_request_total": 2.0,
    'feast_online_features_status_total{feature_view="driver_stats",status="present"}': 3.0,
}


def metric_samples(text: str) -> dict[str, float]:
    """The exposition read with prometheus-client's parser, as ``name{label="value",...}`` (labels sorted)."""
    from prometheus_client.parser import text_string_to_metric_families

    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def test_metrics_count_requests_by_endpoint_and_status(server):
    """The server is shared, so the test counts what its own three requests add to each sample."""
    before = metric_samples(server.client.get("/metrics").text)
    server.online(["driver_stats:trips"], {"driver_id": [1001]})
    server.online(["driver_stats:trips"], {"driver_id": [1001, 1002]})
    server.online(["nope:trips"], {"driver_id": [1001]})
    after = metric_samples(server.client.get("/metrics").text)
    for sample, added in METRICS_COUNTED.items():
        assert sample in after, sample
        assert after[sample] - before.get(sample, 0.0) == added, (sample, before.get(sample), after[sample])



def test_metrics_count_the_values_read_by_status_per_feature_view(server):
    """A key the store does not have counts as not_found for each feature asked of its view; the rest as present."""
    before = metric_samples(server.client.get("/metrics").text)
    response = server.online(["driver_stats:trips", "driver_stats:conv_rate"], {"driver_id": [1001, 424242]})
    assert response.status_code == 200
    after = metric_samples(server.client.get("/metrics").text)
    for status, added in (("present", 2.0), ("not_found", 2.0)):
        sample = f'feast_online_features_status_total{{feature_view="driver_stats",status="{status}"}}'
        assert after[sample] - before.get(sample, 0.0) == added, (sample, before.get(sample), after.get(sample))

# ---- failure of the store, shutdown --------------------------------------------------------------------


def test_an_unreachable_online_store_is_503(shared_repo, tmp_path):
    repo = shared_repo
    config = (repo / "feature_store.yaml").read_text()
    if "type: sqlite" in config:
        (tmp_path / "not_a_db").mkdir()
        config = config.replace("path: data/online.db", f"path: {tmp_path / 'not_a_db'}")
    else:
        config = re.sub(r"^  port: .*$", f"  port: {_free_port()}", config, flags=re.MULTILINE)  # nobody listens there
    broken = tmp_path / "broken.yaml"
    broken.write_text(config)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "feast_core.cli", "-f", str(broken), "serve", "-p", str(port), "--no-access-log"],
        cwd=repo, env={**_env(), "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    assert process.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)
            response = client.post("/get-online-features",
                                   json={"features": ["driver_stats:trips"], "entities": {"driver_id": [1001]}})
            assert response.status_code == 503, response.text
            detail = feast_error(response)
            assert detail["class"] == "StoreUnavailableError"
            assert "Traceback" not in response.text
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert "Traceback" not in output, output


@pytest.mark.postgres
def test_while_postgresql_is_down_requests_get_503_and_service_resumes_when_it_is_back(postgres_server, postgres_db,
                                                                                     tmp_path):
    """More requests at once than the server has read threads and pooled connections, PostgreSQL stopped under a
    warm pool: each gets its 503 before a client's 15 s timeout (a load balancer's, say) gives up on it; then the
    server heals by itself. (Before the pool timeouts, requests queued for up to 30 s and more.)"""
    from concurrent.futures import ThreadPoolExecutor

    running = Server(build_repo(tmp_path, online_block("postgres", postgres_db)))
    body = {"features": ["driver_stats:trips"], "entities": {"driver_id": [1001]}}
    try:
        with ThreadPoolExecutor(8) as pool:  # warm: several pooled connections
            assert set(pool.map(lambda _: running.post("/get-online-features", body).status_code, range(40))) == {200}
        postgres_server.stop()
        try:
            with ThreadPoolExecutor(24) as pool:
                down = list(pool.map(lambda _: running.post("/get-online-features", body, timeout=15), range(48)))
            assert [r.status_code for r in down] == [503] * 48
            detail = feast_error(down[0])
            assert detail["class"] == "StoreUnavailableError"
            assert f"{postgres_db.host}:{postgres_db.port}/{postgres_db.name}" in detail["message"]
        finally:
            postgres_server.start()
        statuses = []
        for _ in range(300):  # no request is retried by the client: the server itself must notice the restart
            statuses.append(running.post("/get-online-features", body).status_code)
            if statuses[-1] == 200:
                break
            time.sleep(0.1)
        assert statuses[-1] == 200, statuses
        assert running.post("/get-online-features", body).json()["results"][1]["values"] == [10]
    finally:
        code, output = running.stop()
    assert "Traceback" not in output, output


def test_sigterm_lets_the_in_flight_request_finish(repo):
    """A materialization is in flight (held at the registry's write lock); SIGTERM stops new connections,
    the running request still gets its answer, and the server exits cleanly."""
    running = Server(repo)
    lock = open(repo / "data" / "registry.db.lock", "a+")  # noqa: SIM115 -- held across the test, closed in finally
    fcntl.flock(lock, fcntl.LOCK_EX)
    answer: dict = {}

    def materialize() -> None:
        with httpx.Client(base_url=running.url, timeout=120) as client:
            answer["response"] = client.post("/materialize", json={
                "start_ts": "2025-01-01T00:00:00", "end_ts": "2025-03-01T00:00:00", "feature_views": ["driver_daily"]})

    caller = threading.Thread(target=materialize)
    try:
        caller.start()
        # the rows land online before the materialization records itself in the (locked) registry
        deadline = time.monotonic() + 60
        while running.online(["driver_daily:trips"], {"driver_id": [1001]}).json()["results"][1]["values"] != [10]:
            assert time.monotonic() < deadline, "the materialization never wrote its rows"
            time.sleep(0.05)
        running.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while True:  # new connections are refused while the request is still in flight
            try:
                with socket.create_connection(("127.0.0.1", running.port), timeout=1):
                    pass
            except ConnectionRefusedError:
                break
            assert time.monotonic() < deadline, "the server kept accepting connections after SIGTERM"
            time.sleep(0.05)
        assert caller.is_alive() and "response" not in answer
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        caller.join(timeout=120)
    assert answer["response"].status_code == 200, answer["response"].text
    code, output = running.stop()
    assert code == 0, output
    assert "Traceback" not in output, output
