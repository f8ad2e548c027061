"""Traces and metrics as an operator sees them: ``feast serve`` and SDK scripts in subprocesses, configured only by
the standard OTEL_* environment, exporting to the session's loopback OTLP receiver (tests/otlp_receiver.py);
``/metrics`` read with prometheus-client's parser; the ``feature_server: metrics:`` switches observed."""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import httpx
import pandas as pd
import pytest
from otlp_receiver import Receiver, attributes, children

from feast_core import Entity, FeatureStore, FeatureView, Field, FileSource, PushSource
from feast_core.types import Float64, Int64

ROOT = Path(__file__).resolve().parents[2]
STAMP = datetime(2025, 3, 1, 12, tzinfo=timezone.utc)
SERVER = 2  # OTLP SpanKind
ERROR = 2  # OTLP status code


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OTEL_") and k not in ("FEAST_FS_YAML_FILE_PATH", "FEATURE_REPO_DIR_ENV_VAR")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _otlp_env(endpoint: str, **extra: str) -> dict[str, str]:
    """Fast exports, so that the tests wait for spans and metrics briefly."""
    return _env(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_BSP_SCHEDULE_DELAY="50", OTEL_METRIC_EXPORT_INTERVAL="200",
                **extra)


def build_repo(path: Path, feature_server: str = "") -> Path:
    """Two drivers; two feature views read online (stats, rank), one fed by a push source."""
    (path / "data").mkdir(parents=True)
    (path / "feature_store.yaml").write_text(
        "project: telemetry\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n" + feature_server
    )
    pd.DataFrame({
        "driver_id": [1001, 1002], "conv_rate": [0.5, 0.25], "trips": [10, 20], "rank": [1, 2],
        "ts": [STAMP, STAMP],
    }).to_parquet(path / "data" / "drivers.parquet")
    driver = Entity(name="driver", join_keys=["driver_id"])
    source = FileSource(name="drivers", path=str(path / "data" / "drivers.parquet"), timestamp_field="ts")
    push = PushSource(name="driver_push", batch_source=source)
    views = [
        FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(0), source=source,
                    schema=[Field(name="conv_rate", dtype=Float64), Field(name="trips", dtype=Int64)]),
        FeatureView(name="driver_rank", entities=[driver], ttl=timedelta(0), source=source,
                    schema=[Field(name="rank", dtype=Int64)]),
        FeatureView(name="driver_pushed", entities=[driver], ttl=timedelta(0), source=push,
                    schema=[Field(name="conv_rate", dtype=Float64)]),
    ]
    store = FeatureStore(repo_path=path)
    store.apply([driver, source, push, *views])
    store.materialize(STAMP - timedelta(days=1), STAMP + timedelta(hours=1), ["driver_stats", "driver_rank"],
                      progress=False)
    store.close()
    return path


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return build_repo(tmp_path_factory.mktemp("telemetry"))


class Serve:
    """``feast serve`` in a subprocess with the given environment and arguments."""

    def __init__(self, repo: Path, env: dict[str, str], *args: str) -> None:
        self.port = _free_port()
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feast_core.cli", "serve", "-p", str(self.port), "--no-access-log", *args],
            cwd=repo, env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True,
        )
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60)
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, f"feast serve exited:\n{self.stop()}"
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"feast serve did not become healthy:\n{self.stop()}"
            time.sleep(0.1)

    def online(self, features: list[str], keys: list[int], headers: dict | None = None) -> httpx.Response:
        return self.client.post("/get-online-features", json={"features": features, "entities": {"driver_id": keys}},
                                headers=headers)

    def metrics(self) -> dict[str, float]:
        response = self.client.get("/metrics")
        assert response.status_code == 200, response.text
        return samples(response.text)

    def stop(self) -> str:
        self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=60)
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        return output


def samples(text: str) -> dict[str, float]:
    """The exposition read with prometheus-client's parser, as ``name{label="value",...}`` (labels sorted)."""
    from prometheus_client.parser import text_string_to_metric_families

    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


# ---- traces --------------------------------------------------------------------------------------


def test_an_online_read_over_http_is_one_trace_from_the_callers_span_to_each_views_read(repo, otlp_receiver):
    server = Serve(repo, _otlp_env(otlp_receiver.http_endpoint))
    try:
        trace_id, caller = secrets.token_hex(16), secrets.token_hex(8)
        features = ["driver_stats:conv_rate", "driver_stats:trips", "driver_rank:rank"]
        first = server.online(features, [1001, 1002], headers={"traceparent": f"00-{trace_id}-{caller}-01"})
        assert first.status_code == 200
        again = server.online(features, [1001])  # no trace context: a trace of its own; the plan is cached now
        assert again.status_code == 200
        missing = server.online(["nope:x"], [1001])
        assert missing.status_code == 404
        unsampled = secrets.token_hex(16)  # the caller did not sample its trace: nothing of it is recorded here
        assert server.online(features, [1001], headers={"traceparent": f"00-{unsampled}-{caller}-00"}).status_code == 200
        assert server.client.get("/openapi.json").status_code == 200  # a route FastAPI answers
    finally:
        output = server.stop()
    assert "Traceback" not in output, output

    def spans():
        found = otlp_receiver.spans("feast-feature-server")
        names = [s.name for s in found]
        return found if names.count("POST /get-online-features") >= 3 and "GET /openapi.json" in names else None

    found = otlp_receiver.wait_for(spans, "server spans")

    assert not [s for s in found if s.trace_id == unsampled]

    # the request's span continues the caller's trace and carries the HTTP semantic conventions' attributes
    (request,) = [s for s in found if s.trace_id == trace_id and s.kind == SERVER]
    assert request.name == "POST /get-online-features" and request.parent_span_id == caller
    assert request.attributes["http.request.method"] == "POST"
    assert request.attributes["http.route"] == request.attributes["url.path"] == "/get-online-features"
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["server.address"] == "127.0.0.1" and request.attributes["server.port"] == server.port
    assert request.attributes["client.address"] == "127.0.0.1"
    assert request.attributes["network.protocol.version"] == "1.1"
    assert request.resource["service.name"] == "feast-feature-server"
    assert request.resource["service.instance.id"]

    # below it: the plan (resolved once) and one online-store read per feature view; the request's span stands for
    # the SDK call (feast.get_online_features is the span of a direct SDK call: see the test over OTLP/gRPC)
    below = children(found, request)
    assert sorted(s.name for s in below) == ["feast.online_store.read", "feast.online_store.read", "feast.plan"]
    reads = {s.attributes["feast.feature_view"]: s for s in below if s.name == "feast.online_store.read"}
    assert set(reads) == {"driver_stats", "driver_rank"}
    assert reads["driver_stats"].attributes["db.system.name"] == "sqlite"
    assert reads["driver_stats"].attributes["feast.entity_count"] == 2
    assert reads["driver_stats"].attributes["feast.feature_count"] == 2

    second = [s for s in found if s.name == "POST /get-online-features" and s.trace_id != trace_id
              and s.attributes["http.response.status_code"] == 200]
    assert len(second) == 1 and second[0].parent_span_id == ""
    assert sorted(s.name for s in children(found, second[0])) == ["feast.online_store.read"] * 2

    # a client error is recorded on the span but is not the server's error
    (refused,) = [s for s in found if s.name == "POST /get-online-features"
                  and s.attributes["http.response.status_code"] == 404]
    assert refused.status_code != ERROR

    # routes left to FastAPI are traced by the OpenTelemetry ASGI instrumentation
    (docs,) = [s for s in found if s.name == "GET /openapi.json"]
    assert docs.kind == SERVER and docs.attributes["http.route"] == "/openapi.json"
    assert docs.attributes["http.response.status_code"] == 200

    # the same metrics as /metrics, over OTLP
    def request_counts():
        points = [p for p in otlp_receiver.metrics("feast-feature-server")
                  if p.metric == "feast_feature_server_request_total"
                  and p.attributes.get("endpoint") == "/get-online-features" and p.attributes.get("code") == "200"
                  and p.value == 3]
        return points

    (point,) = otlp_receiver.wait_for(request_counts, "request counter of 3")[-1:]
    assert point.kind == "sum" and point.monotonic and point.attributes["status"] == "success"
    latency = [p for p in otlp_receiver.metrics("feast-feature-server")
               if p.metric == "feast_feature_server_request_latency_seconds" and p.count == 3
               and p.attributes.get("feature_view_count") == "2"]  # Feast's labels: the three 3-feature reads
    assert latency and latency[-1].attributes == {"endpoint": "/get-online-features", "feature_count": "1-10",
                                                  "feature_view_count": "2"}
    assert len(latency[-1].bucket_counts) == len(latency[-1].bounds) + 1 and sum(latency[-1].bucket_counts) == 3
    # a traced read is timed for its view's latency histogram as untraced ones are (seconds, not a clock's reading)
    reads = [p for p in otlp_receiver.metrics("feast-feature-server") if p.metric == "feast_online_store_read_seconds"
             and p.attributes.get("feature_view") == "driver_stats"]
    assert reads and reads[-1].count == 3 and 0 < reads[-1].value < 10


def test_ui_pages_are_traced_by_route_and_its_metrics_are_served(repo, otlp_receiver):
    port = _free_port()
    ui = subprocess.Popen(
        [sys.executable, "-m", "feast_core.cli", "ui", "-h", "127.0.0.1", "-p", str(port), "--root_path", "/feast"],
        cwd=repo, env=_otlp_env(otlp_receiver.http_endpoint), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                assert ui.poll() is None, ui.stderr.read()
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "feast ui did not become healthy"
                time.sleep(0.1)
            assert client.get("/feast/p/telemetry/feature-views/driver_stats").status_code == 200
            metrics = client.get("/metrics")
    finally:
        ui.terminate()
        ui.wait(timeout=60)
    assert metrics.status_code == 200
    exposed = samples(metrics.text)
    assert exposed["feast_registry_age_seconds"] >= 0 and "feast_feature_server_memory_usage" in exposed

    def page_spans():
        return [s for s in otlp_receiver.spans("feast-ui") if s.attributes.get("http.route") == "/p/{project}/{slug}/{name:path}"]

    (page,) = otlp_receiver.wait_for(page_spans, "UI page span")
    assert page.kind == SERVER and page.name == "GET /p/{project}/{slug}/{name:path}"
    assert page.attributes["http.response.status_code"] == 200


SDK_SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone

    import pandas as pd
    from opentelemetry import trace

    from feast_core import FeatureStore

    store = FeatureStore(repo_path=sys.argv[1])
    entity_df = pd.DataFrame({"driver_id": [1001, 1002, 7],
                              "event_timestamp": [datetime(2025, 3, 2, tzinfo=timezone.utc)] * 3})
    features = ["driver_stats:conv_rate", "driver_rank:rank"]
    with trace.get_tracer("notebook").start_as_current_span("notebook cell") as cell:
        training = store.get_historical_features(entity_df=entity_df, features=features).to_df()
        assert training["conv_rate"].tolist()[:2] == [0.5, 0.25], training
        online = store.get_online_features(features, [{"driver_id": 1001}, {"driver_id": 1002}]).to_dict()
        assert online["rank"] == [1, 2], online
        store.push("driver_push", pd.DataFrame({"driver_id": [1001], "conv_rate": [0.75],
                                                "ts": [datetime(2025, 3, 3, tzinfo=timezone.utc)]}))
        store.materialize(datetime(2025, 2, 28, tzinfo=timezone.utc), datetime(2025, 3, 2, tzinfo=timezone.utc),
                          ["driver_stats"], progress=False)
    job = store.get_historical_features(entity_df=entity_df, features=["driver_rank:rank"])
    job.to_arrow()
    print(format(cell.get_span_context().trace_id, "032x"))
""")


def test_sdk_calls_are_traced_under_the_applications_span_over_otlp_grpc(repo, otlp_receiver, tmp_path):
    script = tmp_path / "notebook.py"
    script.write_text(SDK_SCRIPT)
    service = f"notebook-{secrets.token_hex(4)}"
    env = _otlp_env(otlp_receiver.grpc_endpoint, OTEL_EXPORTER_OTLP_PROTOCOL="grpc", OTEL_SERVICE_NAME=service)
    done = subprocess.run([sys.executable, str(script), str(repo)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    trace_id = done.stdout.split()[-1]

    def spans():
        found = otlp_receiver.spans(service)
        return found if sum(s.name == "feast.historical_retrieval" for s in found) >= 2 else None

    found = otlp_receiver.wait_for(spans, "SDK spans")
    (cell,) = [s for s in found if s.name == "notebook cell"]
    assert cell.trace_id == trace_id and cell.parent_span_id == ""
    under_cell = {s.name: s for s in children(found, cell)}
    assert sorted(under_cell) == ["feast.get_historical_features", "feast.get_online_features",
                                  "feast.historical_retrieval", "feast.materialize", "feast.push"]
    # a direct SDK call's span, with the read of each view below it (the plan was made by the retrieval before)
    reads = {s.attributes["feast.feature_view"]: s for s in children(found, under_cell["feast.get_online_features"])}
    assert set(reads) == {"driver_stats", "driver_rank"} and {s.name for s in reads.values()} == {"feast.online_store.read"}
    assert reads["driver_rank"].attributes == {"feast.feature_view": "driver_rank", "feast.online_store": "sqlite",
                                               "db.system.name": "sqlite", "feast.feature_count": 1,
                                               "feast.entity_count": 2}
    assert [s.name for s in children(found, under_cell["feast.get_historical_features"])] == ["feast.plan"]
    (join,) = children(found, under_cell["feast.historical_retrieval"])
    assert join.name == "feast.offline_store.point_in_time_join" and join.attributes["feast.offline_store"] == "file"
    assert under_cell["feast.historical_retrieval"].attributes["feast.row_count"] == 3

    (write,) = children(found, under_cell["feast.push"])
    assert write.name == "feast.online_store.write" and write.attributes["feast.feature_view"] == "driver_pushed"
    (view,) = children(found, under_cell["feast.materialize"])
    assert view.name == "feast.materialize.feature_view" and view.attributes["feast.feature_view"] == "driver_stats"
    assert view.attributes["feast.row_count"] == 2
    chunks = children(found, view)
    assert chunks and {c.name for c in chunks} == {"feast.materialize.chunk"}
    assert sum(c.attributes["feast.row_count"] for c in chunks) == 2

    # computed outside any span: the retrieval joins the trace of the call that made the job
    (later,) = [s for s in found if s.name == "feast.get_historical_features" and s.trace_id != trace_id]
    assert later.parent_span_id == ""
    assert sorted(s.name for s in children(found, later)) == ["feast.historical_retrieval", "feast.plan"]

    # an SDK process configured for OTLP metrics sends them at exit
    def sdk_metrics():
        points = {(p.metric, tuple(sorted(p.attributes.items()))): p.value for p in otlp_receiver.metrics(service)}
        return points if ("feast_materialization_rows_total", (("feature_view", "driver_stats"),)) in points else None

    points = otlp_receiver.wait_for(sdk_metrics, "SDK metrics")
    assert points[("feast_materialization_rows_total", (("feature_view", "driver_stats"),))] == 2
    assert points[("feast_materialization_result_total", (("feature_view", "driver_stats"), ("status", "success")))] == 1
    assert points[("feast_offline_store_request_total", (("method", "to_df"), ("status", "success")))] == 1
    assert points[("feast_offline_store_request_total", (("method", "to_arrow"), ("status", "success")))] == 1


OFF_SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone

    import pandas as pd

    from feast_core import FeatureStore

    store = FeatureStore(repo_path=sys.argv[1])
    store.get_online_features(["driver_stats:trips"], [{"driver_id": 1001}]).to_dict()
    store.get_historical_features(entity_df=pd.DataFrame({"driver_id": [1001], "event_timestamp": [
        datetime(2025, 3, 2, tzinfo=timezone.utc)]}), features=["driver_stats:trips"]).to_df()
    print(sorted({m.split(".")[0] for m in sys.modules if m.startswith(("opentelemetry", "prometheus_client"))}))
""")


@pytest.mark.parametrize(("environment", "imported"), [
    ({}, "[]"),
    ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}, "[]"),
    ({"OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "none"}, "['opentelemetry']"),
])
def test_without_otel_configuration_the_sdk_loads_neither_opentelemetry_nor_prometheus(repo, tmp_path, environment,
                                                                                        imported):
    script = tmp_path / "off.py"
    script.write_text(OFF_SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(repo)], env=_env(**environment), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    modules = [line for line in done.stdout.splitlines() if line.startswith("[")]  # the console exporter prints too
    assert modules == [imported]


def test_an_otlp_protocol_feast_core_cannot_speak_is_refused_naming_the_variable(repo, feast):
    result = feast("serve", cwd=repo, env=_env(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9",
                                                 OTEL_EXPORTER_OTLP_PROTOCOL="http/json"), ok=False)
    assert "OTEL_EXPORTER_OTLP_PROTOCOL='http/json'" in feast.error_line(result)


# ---- export --------------------------------------------------------------------------------------


def test_exports_carry_the_configured_headers_gzipped_over_one_kept_alive_connection_per_signal(repo):
    receiver = Receiver(keep_alive=True).start()
    try:
        server = Serve(repo, _otlp_env(receiver.http_endpoint, OTEL_EXPORTER_OTLP_COMPRESSION="gzip",
                                       OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20s3cret,x-tenant=feast"))
        try:
            for keys in ([1001], [1002], [1001, 1002]):  # one export each: each request's spans arrive before the next
                trace_id = secrets.token_hex(16)
                response = server.online(["driver_stats:conv_rate"], keys,
                                         headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
                assert response.status_code == 200
                receiver.wait_for(lambda: [s for s in receiver.spans() if s.trace_id == trace_id and s.kind == SERVER],
                                  f"the span of the request for {keys}")
            receiver.wait_for(lambda: receiver.metrics("feast-feature-server"), "metrics")
        finally:
            output = server.stop()
    finally:
        receiver.stop()
    assert "Traceback" not in output, output
    traces = [r for r in receiver.requests if r.path == "/v1/traces"]
    metrics = [r for r in receiver.requests if r.path == "/v1/metrics"]
    assert len(traces) >= 3 and metrics
    for request in traces + metrics:
        assert request.headers["content-encoding"] == "gzip", request  # the receiver decoded them: gzip indeed
        assert request.headers["authorization"] == "Bearer s3cret" and request.headers["x-tenant"] == "feast"
    assert len({r.connection for r in traces}) == 1 and len({r.connection for r in metrics}) == 1


def test_an_export_after_the_collector_dropped_the_kept_alive_connection_arrives_on_a_new_one(monkeypatch):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from feast_core.telemetry import otlp_http, otlp_spans
    from feast_core.telemetry.recorder import RecordedSpan

    class Recorder:
        def __init__(self):
            self.queue, self.batch, self.limit = [], 1 << 30, 1 << 30

    recorder = Recorder()
    with RecordedSpan(recorder, secrets.token_bytes(16), b"", "feast.plan", otlp_spans.INTERNAL, 1_000, None):
        pass
    payload = otlp_spans.request(recorder.queue, otlp_spans.resource_prefix({"service.name": "kept"}, "", "f", "1"))
    receiver = Receiver(keep_alive=True).start()
    try:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.http_endpoint)
        client = otlp_http.exporter("traces", OTLPSpanExporter)._client
        assert client.export(payload).success and client.export(payload).success
        receiver.drop_connections = True  # closes each connection after answering, without telling the client
        assert client.export(payload).success
        assert client.export(payload).success  # the kept connection is gone: sent again on a new one
    finally:
        receiver.stop()
    assert [r.connection for r in receiver.requests] == [1, 1, 1, 2]
    assert len(receiver.spans("kept")) == 4


class RawCollector:
    """A loopback HTTP server on raw sockets: it answers each request with the next of ``answers``, bytes as they
    are sent (a tuple: pieces sent apart), then ``OK``; it records each request's connection number (1, 2, ...),
    head and body. It never closes a connection first, even after saying ``Connection: close``: a client that
    sends there anyway is seen."""

    OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    def __init__(self, *answers: bytes | tuple[bytes, ...]) -> None:
        self.answers, self.requests = list(answers), []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        for number in itertools.count(1):
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(connection, number), daemon=True).start()

    def _serve(self, connection: socket.socket, number: int) -> None:
        received = b""
        with connection:
            while True:
                while b"\r\n\r\n" not in received or len(received) < self._end(received):
                    if not (more := connection.recv(65536)):
                        return
                    received += more
                head, _, rest = received[:self._end(received)].partition(b"\r\n\r\n")
                received = received[self._end(received):]
                self.requests.append(SimpleNamespace(connection=number, head=head.decode(), body=rest))
                answer = self.answers.pop(0) if self.answers else self.OK
                for piece in answer if isinstance(answer, tuple) else (answer,):
                    connection.sendall(piece)
                    time.sleep(0.01)

    @staticmethod
    def _end(received: bytes) -> int:
        head, _, _ = received.partition(b"\r\n\r\n")
        return len(head) + 4 + int(re.search(rb"(?im)^content-length: *(\d+)", head)[1])

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def raw_client(monkeypatch):
    """An OTLP span exporter's client over otlp_http's transport, for a RawCollector, with a 0.5 s timeout; and a
    payload to export."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from feast_core.telemetry import otlp_http

    def client(collector: RawCollector):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "0.5")
        made = otlp_http.exporter("traces", OTLPSpanExporter)._client
        assert isinstance(made._transport, otlp_http.KeepAliveTransport)
        clients.append(made)
        return made

    clients = []
    yield client, secrets.token_bytes(80_000)
    for made in clients:
        made.shutdown()


def test_a_chunked_answer_and_one_with_a_body_are_read_whole_and_the_next_export_reuses_the_connection(raw_client):
    make, payload = raw_client
    chunked = (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n5;n=1",
               b"\r\nhel", b"lo\r\n7\r\n, world\r\n0\r\nX-Checked: ye", b"s\r\n\r\n")  # apart, mid-chunk
    collector = RawCollector(chunked, b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello, world")
    client = make(collector)
    try:
        answers = [client._transport.request("POST", f"{collector.endpoint}/v1/traces", data=payload, timeout=5)
                   for _ in range(2)]
        assert [(a.status_code, a.content()) for a in answers] == [(200, b"hello, world")] * 2
        assert client.export(payload).success and client.export(payload).success
    finally:
        collector.close()
    assert [r.connection for r in collector.requests] == [1, 1, 1, 1]
    assert all(r.body == payload for r in collector.requests)


@pytest.mark.parametrize("closing", [b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                                     b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"], ids=["close", "http/1.0"])
def test_after_an_answer_that_closes_the_connection_the_next_export_goes_on_a_new_one(raw_client, closing):
    make, payload = raw_client
    collector = RawCollector(closing)
    client = make(collector)
    try:
        assert client.export(payload).success and client.export(payload).success and client.export(payload).success
    finally:
        collector.close()
    assert [r.connection for r in collector.requests] == [1, 2, 2]


def test_a_503_with_retry_after_is_sent_again_when_the_collector_says_and_then_succeeds(raw_client):
    make, payload = raw_client
    # without Retry-After, the SDK's client would wait ~1 s: past its 0.5 s timeout, the export would fail
    collector = RawCollector(b"HTTP/1.1 503 Service Unavailable\r\nretry-AFTER: 0\r\nContent-Length: 4\r\n\r\nbusy")
    client = make(collector)
    try:
        assert client.export(payload).success
    finally:
        collector.close()
    assert [r.connection for r in collector.requests] == [1, 1]  # a 503 with its length keeps the connection


def test_a_garbled_status_line_is_a_connection_error_sent_again_on_a_new_connection_not_a_crash(raw_client):
    make, payload = raw_client
    garbled = b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n"
    collector = RawCollector(garbled, garbled)
    client = make(collector)
    try:
        failed = client._transport.request("POST", f"{collector.endpoint}/v1/traces", data=payload, timeout=5)
        assert failed.status_code is None and client._transport.is_connection_error(failed.error), failed
        assert client.export(payload).success  # garbled again, then sent again at once on a new connection
    finally:
        collector.close()
    assert [r.connection for r in collector.requests] == [1, 2, 3]


def test_a_header_value_that_would_break_the_request_head_is_refused_and_nothing_is_sent(raw_client):
    make, payload = raw_client
    collector = RawCollector()
    client = make(collector)
    try:
        with pytest.raises(ValueError):
            client._transport.request("POST", f"{collector.endpoint}/v1/traces", data=payload,
                                      headers={"X-Tenant": "feast\r\nX-Injected: 1"})
        assert client.export(payload).success
    finally:
        collector.close()
    assert len(collector.requests) == 1 and "X-Injected" not in collector.requests[0].head


def test_a_collector_that_does_not_answer_holds_up_no_request_and_every_span_is_delivered_or_counted_dropped(repo):
    receiver = Receiver(keep_alive=True).start()
    try:
        server = Serve(repo, _otlp_env(receiver.http_endpoint, OTEL_METRICS_EXPORTER="none",
                                       OTEL_BSP_MAX_EXPORT_BATCH_SIZE="2", OTEL_BSP_MAX_QUEUE_SIZE="4"))
        try:
            def traced() -> str:
                trace_id = secrets.token_hex(16)
                response = server.online(["driver_stats:conv_rate"], [1001],
                                         headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
                assert response.status_code == 200
                # its server span ends last and spans are sent in the order they end: once it is here, all are
                receiver.wait_for(lambda: [s for s in receiver.spans() if s.trace_id == trace_id and s.kind == SERVER],
                                  "the request's server span")
                return trace_id

            first, second = traced(), traced()  # the first also plans the read: a span more than the others
            receiver.hold.clear()  # from now on every export waits, unanswered, until the test lets it through
            for _ in range(10):  # the first batch is sent and gets no answer; the queue fills behind it
                assert server.online(["driver_stats:conv_rate"], [1001]).status_code == 200
            receiver.hold.set()
        finally:
            output = server.stop()  # exports what is still queued
    finally:
        receiver.stop()
    assert "Traceback" not in output, output
    assert "the span export queue is full (OTEL_BSP_MAX_QUEUE_SIZE=4)" in output, output
    dropped = int(re.findall(r"(\d+) spans dropped", output)[-1])
    received = receiver.spans()
    made_first, per_request = (len([s for s in received if s.trace_id == t]) for t in (first, second))
    assert per_request >= 2 and dropped >= 10 * per_request - 6  # one batch in flight and a full queue kept at most
    assert len(received) + dropped == made_first + 11 * per_request


# ---- metrics -------------------------------------------------------------------------------------


def test_metrics_follow_feasts_feature_server_metrics_switches(tmp_path):
    repo = build_repo(tmp_path, "feature_server:\n  metrics:\n    online_features: false\n"
                                "    feature_count_bins: [1, 3]\n    audit_logging: true\n")
    server = Serve(repo, _env())
    try:
        before = server.metrics()
        for _ in range(2):
            assert server.online(["driver_stats:conv_rate", "driver_stats:trips"], [1001]).status_code == 200
        after = server.metrics()
    finally:
        output = server.stop()
    assert "Traceback" not in output, output
    audit = [json.loads(line.split("feast.audit: ", 1)[1]) for line in output.splitlines() if "feast.audit: " in line]
    assert len(audit) == 2 and audit[0]["event"] == "online_feature_request"
    assert {k: audit[0][k] for k in ("requestor_id", "entity_keys", "entity_count", "feature_views", "feature_count",
                                     "status")} == {"requestor_id": "anonymous", "entity_keys": ["driver_id"],
                                                    "entity_count": 1, "feature_views": ["driver_stats"],
                                                    "feature_count": 2, "status": "success"}
    latency = ('feast_feature_server_request_latency_seconds_count{endpoint="/get-online-features",'
               'feature_count="2-3",feature_view_count="1"}')
    assert after[latency] - before.get(latency, 0) == 2
    # online_features is off: its counters stay at zero, its per-view histograms have no series
    assert after["feast_online_features_request_total"] == 0
    assert not [s for s in after if s.startswith(("feast_online_store_read_seconds", "feast_online_features_status"))]
    # the categories left on: resource use, freshness of the materialized views, the registry's age
    assert "feast_feature_server_memory_usage" in after
    assert after['feast_feature_freshness_seconds{feature_view="driver_stats",project="telemetry"}'] > 0
    assert after["feast_registry_age_seconds"] >= 0


def test_metrics_enabled_false_turns_them_off_and_serve_metrics_turns_them_back_on(tmp_path):
    repo = build_repo(tmp_path, "feature_server:\n  metrics:\n    enabled: false\n")
    server = Serve(repo, _env())
    try:
        assert server.online(["driver_stats:trips"], [1001]).status_code == 200
        off = server.client.get("/metrics")
    finally:
        server.stop()
    assert off.status_code == 404 and "enabled is false" in off.text

    server = Serve(repo, _env(), "--metrics")
    try:
        assert server.online(["driver_stats:trips"], [1001]).status_code == 200
        on = server.metrics()
    finally:
        server.stop()
    assert on['feast_feature_server_request_total{code="200",endpoint="/get-online-features",status="success"}'] == 1
    assert on["feast_online_features_request_total"] == 1


def test_a_bad_metrics_block_is_refused_naming_the_key():
    from feast_core.config import parse_config
    from feast_core.errors import ConfigError

    base = "project: p\nregistry: data/registry.db\nfeature_server:\n  metrics:\n"
    with pytest.raises(ConfigError, match="unknown key 'requests' in block 'feature_server.metrics'"):
        parse_config(base + "    requests: true\n", "feature_store.yaml")
    with pytest.raises(ConfigError, match="feature_count_bins must be positive and strictly increasing"):
        parse_config(base + "    feature_count_bins: [10, 5]\n", "feature_store.yaml")
    metrics = parse_config(base + "    audit_logging: true\n", "feature_store.yaml").feature_server.metrics
    assert metrics.audit_logging and metrics.request and metrics.enabled is None


def test_an_online_read_of_several_views_counts_each_views_values_by_status_and_a_failed_read_keeps_its_labels(
        tmp_path):
    """One request reads three views: present and not found values of two, and values older than the third's ttl
    (outside max age); each view's read is timed once. A read that fails is counted with its features' labels."""
    repo = build_repo(tmp_path)
    store = FeatureStore(repo_path=repo)
    aged = FeatureView(name="driver_aged", entities=[store.get_entity("driver")], ttl=timedelta(hours=1),
                       source=store.get_data_source("drivers"), schema=[Field(name="trips", dtype=Int64)])
    store.apply([aged])
    store.materialize(STAMP - timedelta(minutes=30), STAMP + timedelta(minutes=30), ["driver_aged"], progress=False)
    store.close()
    server = Serve(repo, _env())
    try:
        features = ["driver_stats:conv_rate", "driver_stats:trips", "driver_rank:rank", "driver_aged:trips"]
        answer = server.client.post("/get-online-features", json={
            "features": features, "entities": {"driver_id": [1001, 9999]}, "full_feature_names": True})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][4]["statuses"] == ["OUTSIDE_MAX_AGE", "NOT_FOUND"]
        assert server.online(["driver_stats:trips", "nope:trips"], [1001]).status_code == 404
        after = server.metrics()
    finally:
        output = server.stop()
    assert "Traceback" not in output, output
    status = 'feast_online_features_status_total{{feature_view="{}",status="{}"}}'
    assert {k: v for k, v in after.items() if k.startswith("feast_online_features_status_total")} == {
        status.format("driver_stats", "present"): 2, status.format("driver_stats", "not_found"): 2,
        status.format("driver_rank", "present"): 1, status.format("driver_rank", "not_found"): 1,
        status.format("driver_aged", "outside_max_age"): 1, status.format("driver_aged", "not_found"): 1,
    }  # no present series for driver_aged: a status's series is made when it is first counted, as Feast's are
    for view in ("driver_stats", "driver_rank", "driver_aged"):
        assert after[f'feast_online_store_read_seconds_count{{feature_view="{view}",online_store="sqlite"}}'] == 1
    assert after["feast_feature_server_online_store_read_duration_seconds_count"] == 1
    assert after["feast_online_features_request_total"] == 1 and after["feast_online_features_entity_count_sum"] == 2
    latency = ('feast_feature_server_request_latency_seconds_count{{endpoint="/get-online-features",'
               'feature_count="1-10",feature_view_count="{}"}}')
    assert after[latency.format(3)] == 1 and after[latency.format(2)] == 1
    assert after['feast_feature_server_request_total{code="404",endpoint="/get-online-features",status="error"}'] == 1


def test_deferred_histogram_samples_land_in_the_buckets_observe_puts_them_in():
    """Samples applied in bulk (sorted, then counted per bucket) read as the same observations one by one would,
    values on a bucket's bound included."""
    from prometheus_client import CollectorRegistry, Histogram

    from feast_core.telemetry.metrics import Deferred

    def readings(name: str) -> dict:
        return {(s.name.removeprefix(name), s.labels.get("le")): s.value for f in registry.collect()
                if f.name == name for s in f.samples if not s.name.endswith("_created")}

    bounds = (0.001, 0.01, 0.1, 1.0)
    values = [0.0, 0.001, 0.0010001, 0.005, 0.01, 0.01, 0.5, 1.0, 1.5, 100.0, 0.0005, 0.001]
    registry = CollectorRegistry()
    observed = Histogram("observed", "", buckets=bounds, registry=registry)
    queue = Deferred()
    record = queue.series(Histogram("deferred", "", buckets=bounds, registry=registry))
    for value in values:
        observed.observe(value)
        record(value)
    queue.apply()
    queue.apply()  # nothing new: nothing added
    assert readings("deferred") == pytest.approx(readings("observed"))
    assert readings("deferred")[("_count", None)] == len(values)


def test_spans_feast_core_encodes_itself_decode_with_opentelemetry_proto_as_recorded():
    """The feature server's spans are written as OTLP bytes by feast_core (telemetry/otlp_spans.py), not by the
    SDK: what a collector decodes must be what was recorded, whatever the attribute types."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    from feast_core.telemetry import otlp_spans
    from feast_core.telemetry.recorder import RecordedSpan

    class Recorder:  # where a span puts itself, encoded, when it ends
        def __init__(self):
            self.queue, self.batch, self.limit = [], 1 << 30, 1 << 30

    recorder = Recorder()
    trace_id, caller = secrets.token_bytes(16), secrets.token_bytes(8)  # as OTLP carries them
    with RecordedSpan(recorder, trace_id, caller, "POST /get-online-features", otlp_spans.SERVER, 1_000, {
        "http.route": "/get-online-features", "server.port": 6566, "ok": True, "ratio": 0.25, "delta": -3,
        "views": ["driver_stats", "driver_rank"], "ünïcode": "välue",
    }) as request:
        request.remote_parent, request.trace_state = True, "vendor=1"
        with pytest.raises(KeyError), RecordedSpan(recorder, trace_id, request.span_id, "feast.online_store.read",
                                                   otlp_spans.INTERNAL, 2_000, None) as read:
            read.set_attribute("feast.entity_count", 2)
            raise KeyError("driver_stats")
        request.set_attribute("http.response.status_code", 200)
    prefix = otlp_spans.resource_prefix({"service.name": "feast-feature-server"}, "https://schema", "feast_core", "9.9")
    decoded = ExportTraceServiceRequest.FromString(otlp_spans.request(recorder.queue * 300, prefix))

    (resource_spans,) = decoded.resource_spans
    assert resource_spans.schema_url == "https://schema"
    assert attributes(resource_spans.resource.attributes) == {"service.name": "feast-feature-server"}
    (scope_spans,) = resource_spans.scope_spans
    assert (scope_spans.scope.name, scope_spans.scope.version) == ("feast_core", "9.9")
    assert len(scope_spans.spans) == 600
    read_span, request_span = scope_spans.spans[:2]

    assert request_span.trace_id == trace_id and request_span.parent_span_id == caller
    assert request_span.span_id == request.span_id and request_span.name == "POST /get-online-features"
    assert request_span.kind == otlp_spans.SERVER and request_span.trace_state == "vendor=1"
    assert request_span.start_time_unix_nano == 1_000 and request_span.end_time_unix_nano == request.end
    assert request_span.flags == otlp_spans.FLAGS_HAS_IS_REMOTE | otlp_spans.FLAGS_IS_REMOTE
    assert attributes(request_span.attributes) == {
        "http.route": "/get-online-features", "server.port": 6566, "ok": True, "ratio": 0.25, "delta": -3,
        "views": ["driver_stats", "driver_rank"], "ünïcode": "välue", "http.response.status_code": 200,
    }
    assert request_span.status.code == 0 and not request_span.events

    assert read_span.parent_span_id == request_span.span_id and read_span.kind == otlp_spans.INTERNAL
    assert read_span.flags == otlp_spans.FLAGS_HAS_IS_REMOTE
    assert attributes(read_span.attributes) == {"feast.entity_count": 2, "error.type": "KeyError"}
    assert read_span.status.code == otlp_spans.STATUS_ERROR and read_span.status.message == "'driver_stats'"
    (event,) = read_span.events
    assert event.name == "exception" and attributes(event.attributes)["exception.type"] == "KeyError"
    assert "raise KeyError" in attributes(event.attributes)["exception.stacktrace"]

    # a span written from bytes encoded once (name, kind, constant attributes), with an attribute set besides
    recorder = Recorder()
    body = otlp_spans.body("feast.online_store.read", otlp_spans.INTERNAL, {"feast.feature_view": "driver_stats"})
    with RecordedSpan(recorder, trace_id, caller, "feast.online_store.read", otlp_spans.INTERNAL, 4_000, None,
                      body) as read:
        read.set_attribute("feast.entity_count", 3)
    (resource_spans,) = ExportTraceServiceRequest.FromString(otlp_spans.request(recorder.queue, prefix)).resource_spans
    (read_span,) = resource_spans.scope_spans[0].spans
    assert (read_span.name, read_span.kind) == ("feast.online_store.read", otlp_spans.INTERNAL)
    assert attributes(read_span.attributes) == {"feast.feature_view": "driver_stats", "feast.entity_count": 3}
    assert (read_span.trace_id, read_span.parent_span_id, read_span.span_id) == (trace_id, caller, read.span_id)
    assert read_span.start_time_unix_nano == 4_000 and read_span.end_time_unix_nano == read.end

    # equal values of different types keep their own types (1 == 1.0 == True; attribute sets are encoded once)
    recorder = Recorder()
    for value in (1, True, 1.0, 1):
        with RecordedSpan(recorder, trace_id, b"", "feast.plan", otlp_spans.INTERNAL, 3_000, {"n": value}):
            pass
    (resource_spans,) = ExportTraceServiceRequest.FromString(otlp_spans.request(recorder.queue, prefix)).resource_spans
    kinds = [s.attributes[0].value.WhichOneof("value") for s in resource_spans.scope_spans[0].spans]
    assert kinds == ["int_value", "bool_value", "double_value", "int_value"]


def test_a_served_requests_spans_decode_as_recorded_whatever_its_reads_and_outcome():
    """A request that starts a trace is written with its reads when it ends (telemetry/recorder.py's ServedSpan, one
    struct call for the usual one-view read): what a collector decodes must be the request's span with each read below
    it, for no read, one, several, a failed read and a failed request."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.sdk.trace import TracerProvider

    from feast_core.server.app import first_values
    from feast_core.telemetry import SpanShape, otlp_spans
    from feast_core.telemetry.recorder import Recorder

    recorder = Recorder(TracerProvider(), [], "feast_core", "9.9")
    recorder._stopped = True  # nothing exports: the test reads the queue
    shapes = {view: SpanShape("feast.online_store.read", {"feast.feature_view": view}, "feast.entity_count")
              for view in ("driver_stats", "driver_rank")}
    scope = {"type": "http", "method": "POST", "path": "/get-online-features", "query_string": b"async=true",
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 6566), "client": ("10.0.0.7", 51234),
             "headers": [(b"host", b"feast.example:8080"), (b"user-agent", b"notebook/1.0"),
                         (b"content-length", b"80"), (b"host", b"a-second-host:9")]}  # the first of a name counts

    def serve(reads: list[str], status: int = 200, failing_read: str | None = None, error=None):
        request = recorder.start_http(scope, "/get-online-features", first_values(scope["headers"]))
        for count, view in enumerate(reads, start=1):
            started = time.time_ns()
            recorder.leaf(shapes[view], count, started, KeyError(view) if view == failing_read else None)
        recorder.end_http(request, status, error)
        return request

    made = [serve([]), serve(["driver_stats"]), serve(["driver_stats", "driver_rank"]),
            serve(["driver_stats", "driver_rank"], 500, failing_read="driver_rank"),
            serve(["driver_stats"], 500, error=RuntimeError("the client went away"))]
    assert len(recorder.queue) == 5 + 1 + 2 + 2 + 1  # one entry per span, whatever the entries hold
    prefix = otlp_spans.resource_prefix({"service.name": "feast-feature-server"}, "", "feast_core", "9.9")
    (resource_spans,) = ExportTraceServiceRequest.FromString(otlp_spans.request(recorder.queue, prefix)).resource_spans
    spans = list(resource_spans.scope_spans[0].spans)
    assert len(spans) == 11

    requests = [s for s in spans if s.kind == otlp_spans.SERVER]
    assert [(s.trace_id, s.span_id) for s in requests] == [(r.trace_id, r.span_id) for r in made]
    for span, error_type in zip(requests, [None, None, None, "500", "RuntimeError"]):
        assert span.name == "POST /get-online-features" and span.parent_span_id == b""
        assert attributes(span.attributes) == {
            "http.request.method": "POST", "http.route": "/get-online-features", "url.path": "/get-online-features",
            "url.query": "async=true", "url.scheme": "http", "network.protocol.version": "1.1",
            "server.address": "feast.example", "server.port": 8080, "client.address": "10.0.0.7", "client.port": 51234,
            "user_agent.original": "notebook/1.0", "http.response.status_code": 200 if error_type is None else 500,
            **({"error.type": error_type} if error_type else {}),
        }
        assert 0 < span.start_time_unix_nano <= span.end_time_unix_nano
    assert [s.status.code for s in requests] == [0, 0, 0, otlp_spans.STATUS_ERROR, otlp_spans.STATUS_ERROR]
    assert not requests[3].events and requests[4].events[0].name == "exception"
    assert attributes(requests[4].events[0].attributes)["exception.message"] == "the client went away"

    def reads(request) -> list:
        return [s for s in spans if s.parent_span_id == request.span_id]

    assert [len(reads(r)) for r in requests] == [0, 1, 2, 2, 1]
    for request in requests:
        for read in reads(request):
            assert read.trace_id == request.trace_id and read.kind == otlp_spans.INTERNAL
            assert request.start_time_unix_nano <= read.start_time_unix_nano <= read.end_time_unix_nano
            assert read.end_time_unix_nano <= request.end_time_unix_nano
    several = reads(requests[2])
    assert [attributes(s.attributes) for s in several] == [
        {"feast.feature_view": "driver_stats", "feast.entity_count": 1},
        {"feast.feature_view": "driver_rank", "feast.entity_count": 2}]
    assert len({s.span_id for s in spans}) == 11 and all(s.span_id != bytes(8) for s in spans)
    (failed,) = [s for s in spans if s.status.code == otlp_spans.STATUS_ERROR and s.kind == otlp_spans.INTERNAL]
    assert failed.name == "feast.online_store.read" and attributes(failed.attributes)["error.type"] == "KeyError"
    assert failed in reads(requests[3])  # a child of the request it failed in, though written when it failed

    # a request span's body past 64 KiB (a long query string), and reads whose bodies differ in length by their
    # lowest bit only: each pair of lengths has a layout of its own, and every span is written whole
    recorder.queue.clear()
    long_query = "k=" + "x" * 70_000
    scope["query_string"] = long_query.encode()
    serve(["driver_stats"])
    read_body = otlp_spans.body("feast.online_store.read", otlp_spans.INTERNAL,
                                {"feast.feature_view": "driver_stats", "feast.entity_count": 1})
    other = "driver_stat" if len(read_body) % 2 else "driver_stats!"  # the body one byte shorter or longer
    shapes["driver_stats"] = SpanShape("feast.online_store.read", {"feast.feature_view": other}, "feast.entity_count")
    serve(["driver_stats"])
    (resource_spans,) = ExportTraceServiceRequest.FromString(otlp_spans.request(recorder.queue, prefix)).resource_spans
    spans = list(resource_spans.scope_spans[0].spans)
    assert [attributes(s.attributes).get("url.query") for s in spans if s.kind == otlp_spans.SERVER] == [long_query] * 2
    assert [attributes(s.attributes)["feast.feature_view"] for s in spans if s.kind == otlp_spans.INTERNAL] == [
        "driver_stats", other]


def test_a_ratio_sampler_samples_new_traces_exactly_as_the_sdks_own_decision():
    """With OTEL_TRACES_SAMPLER=parentbased_traceidratio, a request that starts a trace is recorded when, and only when,
    the SDK's sampler would sample its trace id: the recorder decides from the id's low 8 bytes itself."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    from feast_core.telemetry import recorder as recorder_module
    from feast_core.telemetry.recorder import Recorder

    sampler = ParentBased(TraceIdRatioBased(0.5))
    recorder = Recorder(TracerProvider(sampler=sampler), [], "feast_core", "9.9")
    recorder._stopped = True  # nothing exports: the test reads the queue
    scope = {"type": "http", "method": "POST", "path": "/get-online-features", "query_string": b"",
             "http_version": "1.1", "headers": []}
    try:
        for _ in range(400):
            ids = recorder_module._next_ids() if recorder_module._drawn_ids else recorder_module._draw_ids()
            recorder_module._drawn_ids.append(ids)  # the ids the next request takes
            request = recorder.start_http(scope, "/get-online-features", {})
            recorded = request.__class__ is recorder_module.ServedSpan
            recorder.end_http(request, 200)
            decision = sampler.should_sample(None, int.from_bytes(ids[:16], "big"), "POST").decision.is_sampled()
            assert recorded == decision, ids.hex()
        assert 0 < len(recorder.queue) < 400  # both decisions were made
    finally:
        recorder.shutdown()


def test_a_request_whose_new_trace_the_sampler_declines_records_nothing():
    """A request without a caller's context starts a trace; when OTEL_TRACES_SAMPLER's sampler declines it, neither the
    request's span nor any span below it is recorded."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

    from feast_core.telemetry import SpanShape
    from feast_core.telemetry.recorder import Recorder

    recorder = Recorder(TracerProvider(sampler=ParentBased(ALWAYS_OFF)), [], "feast_core", "9.9")
    shape = SpanShape("feast.online_store.read", {"feast.feature_view": "driver_stats"}, "feast.entity_count")
    scope = {"type": "http", "method": "POST", "path": "/get-online-features", "query_string": b"",
             "http_version": "1.1", "headers": [(b"host", b"127.0.0.1:6566")]}
    try:
        request = recorder.start_http(scope, "/get-online-features", {b"host": b"127.0.0.1:6566"})
        assert not recorder.recording()
        with recorder.span("feast.plan") as plan:
            assert not plan.is_recording()
        recorder.leaf(shape, 1, time.time_ns())
        recorder.end_http(request, 200)
        assert recorder.recording()  # the request is over: a new trace may be sampled again
        assert not recorder.queue
    finally:
        recorder.shutdown()
