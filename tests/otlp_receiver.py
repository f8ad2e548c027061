"""A loopback OTLP receiver for the test session: real OTLP/HTTP (protobuf) and OTLP/gRPC endpoints that keep
what they are sent, decoded with opentelemetry-proto.

``receiver.http_endpoint`` / ``receiver.grpc_endpoint`` go into OTEL_EXPORTER_OTLP_ENDPOINT of the process under
test; ``receiver.spans(service=...)`` and ``receiver.metrics(service=...)`` read back what arrived. Tests wait for
an export with ``receiver.wait_for(...)`` (a deadline for the exporter's batch delay, not a timing assertion).
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue


def value(any_value: AnyValue):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


def attributes(pairs) -> dict:
    return {a.key: value(a.value) for a in pairs}


@dataclass
class Span:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int  # opentelemetry.proto Span.SpanKind: 1 internal, 2 server, 3 client
    attributes: dict
    status_code: int  # 0 unset, 1 ok, 2 error
    resource: dict
    start_ns: int
    end_ns: int
    events: list = field(default_factory=list)


@dataclass
class Point:
    metric: str
    kind: str  # sum, gauge, histogram
    attributes: dict
    value: float | None
    count: int | None = None
    bucket_counts: list = field(default_factory=list)
    bounds: list = field(default_factory=list)
    monotonic: bool | None = None
    resource: dict = field(default_factory=dict)


@dataclass
class Request:
    path: str
    headers: dict  # names lowercased
    connection: int  # which HTTP connection it came on (1, 2, ...)


class Receiver:
    """``keep_alive``: answer HTTP/1.1 and keep connections open, as a collector does (else HTTP/1.0, one request
    per connection). ``requests`` lists every OTLP/HTTP request's path and headers; ``hold`` (an Event), while
    cleared, keeps every request waiting before it is read; ``drop_connections`` makes the receiver close each
    connection after answering, without saying so (as a collector's idle timeout does)."""

    def __init__(self, keep_alive: bool = False) -> None:
        self._lock = threading.Lock()
        self._spans: list[Span] = []
        self._points: list[Point] = []
        self.requests: list[Request] = []
        self.connections = 0
        self.hold = threading.Event()
        self.hold.set()
        self.drop_connections = False
        self._keep_alive = keep_alive
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._http.daemon_threads = True
        self._http_thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._grpc = None
        self.grpc_port = None

    @property
    def http_endpoint(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def grpc_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.grpc_port}"

    def start(self) -> Receiver:
        self._http_thread.start()
        from concurrent.futures import ThreadPoolExecutor

        import grpc

        receiver = self

        class Traces(trace_service_pb2_grpc.TraceServiceServicer):
            def Export(self, request, context):
                receiver.take_traces(request)
                return trace_service_pb2.ExportTraceServiceResponse()

        class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
            def Export(self, request, context):
                receiver.take_metrics(request)
                return metrics_service_pb2.ExportMetricsServiceResponse()

        self._grpc = grpc.server(ThreadPoolExecutor(2))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), self._grpc)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), self._grpc)
        self.grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._grpc.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self._http.shutdown()
        self._http.server_close()
        if self._grpc is not None:
            self._grpc.stop(None)

    # ---- intake ------------------------------------------------------------------------------------

    def take_traces(self, request) -> None:
        spans = []
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for s in scope_spans.spans:
                    spans.append(Span(
                        s.name, s.trace_id.hex(), s.span_id.hex(), s.parent_span_id.hex(), s.kind,
                        attributes(s.attributes), s.status.code, resource, s.start_time_unix_nano,
                        s.end_time_unix_nano, [e.name for e in s.events],
                    ))
        with self._lock:
            self._spans.extend(spans)

    def take_metrics(self, request) -> None:
        points = []
        for resource_metrics in request.resource_metrics:
            resource = attributes(resource_metrics.resource.attributes)
            for scope_metrics in resource_metrics.scope_metrics:
                for m in scope_metrics.metrics:
                    kind = m.WhichOneof("data")
                    data = getattr(m, kind)
                    for p in data.data_points:
                        if kind == "histogram":
                            points.append(Point(m.name, kind, attributes(p.attributes), p.sum, p.count,
                                                list(p.bucket_counts), list(p.explicit_bounds), resource=resource))
                        else:
                            number = p.as_double if p.WhichOneof("value") == "as_double" else p.as_int
                            points.append(Point(m.name, kind, attributes(p.attributes), number,
                                                monotonic=data.is_monotonic if kind == "sum" else None,
                                                resource=resource))
        with self._lock:
            self._points.extend(points)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver._keep_alive else "HTTP/1.0"

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver.connections += 1
                    self.connection_number = receiver.connections

            def do_POST(self) -> None:
                receiver.hold.wait()
                drop = receiver.drop_connections  # as it was when the request came
                with receiver._lock:
                    receiver.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                     self.connection_number))
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                encoding = self.headers.get("content-encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                if self.path == "/v1/traces":
                    receiver.take_traces(trace_service_pb2.ExportTraceServiceRequest.FromString(body))
                    answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                elif self.path == "/v1/metrics":
                    receiver.take_metrics(metrics_service_pb2.ExportMetricsServiceRequest.FromString(body))
                    answer = metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString()
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                if drop:
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        return Handler

    # ---- reading back -----------------------------------------------------------------------------

    def spans(self, service: str | None = None) -> list[Span]:
        with self._lock:
            return [s for s in self._spans if service is None or s.resource.get("service.name") == service]

    def metrics(self, service: str | None = None) -> list[Point]:
        with self._lock:
            return [p for p in self._points if service is None or p.resource.get("service.name") == service]

    def wait_for(self, found, what: str, deadline: float = 30.0):
        """Poll ``found()`` until it returns something truthy (the exporters send in batches)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            result = found()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"the OTLP receiver got no {what} within {deadline:.0f} s")


def children(spans: list[Span], parent: Span) -> list[Span]:
    return [s for s in spans if s.parent_span_id == parent.span_id and s.trace_id == parent.trace_id]
