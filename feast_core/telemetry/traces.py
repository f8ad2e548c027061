"""OpenTelemetry tracing: the SDK set up from the standard ``OTEL_*`` environment, and the spans feast_core makes.

Imported only when tracing is on (see ``feast_core.telemetry``), so a process without OpenTelemetry
configuration never imports the SDK.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Mapping

from opentelemetry import context, propagate, trace
from opentelemetry.trace import ProxyTracerProvider, SpanKind, Status, StatusCode

from ..errors import ConfigError
from .environment import exporters, otlp_protocol
from .nospan import NO_SPAN

log = logging.getLogger(__name__)

SCOPE = "feast_core"
INSTANCE_ID = str(uuid.uuid4())  # one per process: several workers of one server are told apart
_lock = threading.Lock()
_tracer: trace.Tracer | None = None
_provider = None
_headers: frozenset[bytes] = frozenset()


def application_provider() -> bool:
    """Whether the application set a tracer provider of its own (checked without importing anything new)."""
    return not isinstance(trace.get_tracer_provider(), ProxyTracerProvider)


def resource(service_name: str):
    """The process's Resource: OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win over feast_core's defaults
    (``service_name``, the package version, and an instance id per process)."""
    from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, SERVICE_VERSION, Resource

    from .. import __version__

    configured = Resource.create()
    attributes = dict(configured.attributes)
    if str(attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        del attributes[SERVICE_NAME]  # the SDK's placeholder, not a choice
    defaults = Resource({SERVICE_NAME: service_name, SERVICE_VERSION: __version__, SERVICE_INSTANCE_ID: INSTANCE_ID})
    return defaults.merge(Resource(attributes, configured.schema_url))


def _span_exporter(name: str):
    if name == "otlp":
        if otlp_protocol("traces") == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            return OTLPSpanExporter()
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        from .otlp_http import exporter

        return exporter("traces", OTLPSpanExporter)
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    raise ConfigError(f"OTEL_TRACES_EXPORTER names {name!r}; feast_core exports traces with 'otlp', 'console' or 'none'")


def tracer(service_name: str) -> trace.Tracer:
    """The tracer, made on first use: the application's provider when it set one, else an SDK provider with a
    batch processor per exporter the environment names."""
    global _tracer, _provider, _headers
    if _tracer is not None:
        return _tracer
    with _lock:
        if _tracer is None:
            from .. import __version__

            if application_provider() or not exporters("traces"):
                provider = trace.get_tracer_provider()
            else:
                from opentelemetry.sdk.trace import TracerProvider
                from opentelemetry.sdk.trace.export import BatchSpanProcessor

                provider = TracerProvider(resource=resource(service_name))
                for name in exporters("traces"):
                    provider.add_span_processor(BatchSpanProcessor(_span_exporter(name)))
                trace.set_tracer_provider(provider)
                _provider = provider
            _headers = frozenset(f.lower().encode("latin-1") for f in propagate.get_global_textmap().fields)
            _tracer = provider.get_tracer(SCOPE, __version__)
    return _tracer


class EncodedExporter:
    """One of the SDK's OTLP span exporters (endpoint, headers, TLS, compression, timeout and retries configured by
    the OTEL_EXPORTER_OTLP_* variables) sending requests the recorder already encoded."""

    def __init__(self, name: str) -> None:
        if otlp_protocol("traces") == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

            class Encoded(OTLPSpanExporter):
                def _translate_data(self, data):  # the SDK's hook for turning a batch into the request
                    return ExportTraceServiceRequest.FromString(data[0])

                def _count_data(self, data) -> int:
                    return data[1]

            self._exporter = Encoded()
            self._send = self._exporter.export
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            from .otlp_http import exporter

            self._exporter = exporter("traces", OTLPSpanExporter)
            client = self._exporter._client  # the SDK's HTTP client, which export() hands its encoded bytes to
            self._send = lambda data: client.export(data[0])

    @staticmethod
    def available() -> bool:
        """Whether the installed exporters have the hooks used here (else feast_core makes SDK spans)."""
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as Grpc
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http

        return hasattr(Grpc, "_translate_data") and hasattr(Grpc, "_count_data") and \
            "_client" in Http.__init__.__code__.co_names

    def export_encoded(self, payload: bytes, count: int) -> None:
        self._send((payload, count))

    def shutdown(self) -> None:
        self._exporter.shutdown()


class SdkSpans:
    """Spans made by the OpenTelemetry SDK's tracer (the application's provider, or a console exporter)."""

    def __init__(self, tracer_: trace.Tracer) -> None:
        self.tracer = tracer_

    @staticmethod
    def recording() -> bool:
        if UNSAMPLED.get():
            return False
        current = trace.get_current_span()  # none: a span started now is a new root
        return current is trace.INVALID_SPAN or current.is_recording()

    def span(self, name, attributes=None, parent=None, start_time=None):
        return span(self.tracer, name, attributes, parent, start_time)

    def server_span(self, name, attributes, carrier):
        return server_span(self.tracer, name, attributes, carrier)

    def start_http(self, scope, route, headers: dict) -> ActiveSpan:
        active = http_server_span(self.tracer, scope, route)
        active.__enter__()
        return active

    @staticmethod
    def end_http(active: ActiveSpan, status: int, error: BaseException | None = None) -> None:
        http_status(active.span, status)
        active.__exit__(None if error is None else type(error), error, None)

    def leaf(self, shape, value, start: int, error: BaseException | None = None) -> None:
        active = span(self.tracer, shape.name, shape.attributes_with(value), start_time=start)
        active.__enter__()
        active.__exit__(None if error is None else type(error), error, None)


_spans = None
_recorder = None


def spans(service_name: str):
    """What feast_core starts its spans with: a ``recorder.Recorder`` when feast_core set up tracing itself with
    OTLP exporters only, else ``SdkSpans`` over the SDK tracer."""
    global _spans, _recorder
    tracer_ = tracer(service_name)
    with _lock:
        if _spans is None:
            names = exporters("traces")
            if _provider is not None and names and all(n == "otlp" for n in names) and EncodedExporter.available():
                from .. import __version__
                from .recorder import Recorder

                _recorder = Recorder(_provider, [EncodedExporter(n) for n in names], SCOPE, __version__)
                _spans = _recorder
            else:
                _spans = SdkSpans(tracer_)
    return _spans


def shutdown() -> None:
    """Flush and stop the provider feast_core made (the SDK also does this at interpreter exit)."""
    if _recorder is not None:
        _recorder.shutdown()
    if _provider is not None:
        _provider.shutdown()


# ---- spans ---------------------------------------------------------------------------------------


# True inside a span feast_core made that is not recorded: spans below it are skipped without asking OpenTelemetry
# for the current span (a few microseconds per request whose trace is not sampled)
UNSAMPLED: contextvars.ContextVar[bool] = contextvars.ContextVar("feast_unsampled", default=False)


class ActiveSpan:
    """A started span made current for the ``with`` block; an exception leaving the block marks it as an error."""

    __slots__ = ("span", "_token", "_unsampled")

    def __init__(self, span: trace.Span) -> None:
        self.span = span
        self._token = self._unsampled = None

    def __enter__(self) -> trace.Span:
        self._token = context.attach(trace.set_span_in_context(self.span))
        if not self.span.is_recording():
            self._unsampled = UNSAMPLED.set(True)
        return self.span

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            fail(self.span, exc)
        if self._unsampled is not None:
            UNSAMPLED.reset(self._unsampled)
        context.detach(self._token)
        self.span.end()
        return False


def fail(span: trace.Span, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_attribute("error.type", type(exc).__qualname__)
    span.set_status(Status(StatusCode.ERROR, str(exc)[:500]))


def span(tracer_: trace.Tracer, name: str, attributes: Mapping | None, parent: trace.Span | None = None,
         start_time: int | None = None):
    """A child of the current span when that one is recorded; nothing when it is not (its trace was not sampled,
    so neither would its children be); when there is no current span, a child of ``parent`` if given, else a
    new root (kept current even when not sampled, so that its own children are skipped too)."""
    if UNSAMPLED.get():
        return NO_SPAN
    current = trace.get_current_span()
    if current is trace.INVALID_SPAN:
        where = trace.set_span_in_context(parent) if parent is not None else None
        return ActiveSpan(tracer_.start_span(name, context=where, attributes=attributes, start_time=start_time))
    if not current.is_recording():
        return NO_SPAN
    return ActiveSpan(tracer_.start_span(name, attributes=attributes, start_time=start_time))


def server_span(tracer_: trace.Tracer, name: str, attributes: Mapping | None, carrier: Mapping[str, str] | None,
                kind: SpanKind = SpanKind.SERVER) -> ActiveSpan:
    """A request's span, continuing the caller's trace when ``carrier`` (its headers) holds a trace context.
    It is made current even when not sampled, so that the request's work records nothing either."""
    parent = propagate.extract(carrier) if carrier else None
    started = tracer_.start_span(name, context=parent, kind=kind)
    if attributes and started.is_recording():
        started.set_attributes(attributes)
    return ActiveSpan(started)


# ---- HTTP (ASGI) ---------------------------------------------------------------------------------


def propagation_fields() -> frozenset[bytes]:
    """The header names the configured propagators read, lower case, as bytes (ASGI's header names)."""
    return _headers


def propagation_headers(scope: dict) -> tuple[dict | None, bytes | None, bytes | None]:
    """From an ASGI scope's headers: those the propagators read (None when there are none), the user agent and
    the host."""
    carrier = user_agent = host = None
    for key, value in scope["headers"]:
        if key in _headers:
            if carrier is None:
                carrier = {}
            carrier[key.decode("latin-1")] = value.decode("latin-1")
        elif key == b"user-agent":
            user_agent = value
        elif key == b"host":
            host = value
    return carrier, user_agent, host


def http_attributes(scope: dict, route: str, user_agent: bytes | None, host: bytes | None) -> dict:
    """The HTTP semantic conventions' attributes of a server span, from an ASGI scope."""
    attributes = {
        "http.request.method": scope["method"], "http.route": route, "url.path": scope["path"],
        "url.scheme": scope.get("scheme", "http"), "network.protocol.version": scope.get("http_version", "1.1"),
    }
    if scope.get("query_string"):
        attributes["url.query"] = scope["query_string"].decode("latin-1")
    server = scope.get("server")
    if host is not None:
        text = host.decode("latin-1")
        name, _, port = text.rpartition(":")
        if name and port.isdigit():
            attributes["server.address"], attributes["server.port"] = name, int(port)
        else:
            attributes["server.address"] = text
    elif server:
        attributes["server.address"], attributes["server.port"] = server[0], server[1]
    client = scope.get("client")
    if client:
        attributes["client.address"] = client[0]
        attributes["client.port"] = client[1]
    if user_agent is not None:
        attributes["user_agent.original"] = user_agent.decode("latin-1")
    return attributes


def http_server_span(tracer_: trace.Tracer, scope: dict, route: str) -> ActiveSpan:
    """The span of one HTTP request, with the HTTP semantic conventions' attributes, from an ASGI scope."""
    carrier, user_agent, host = propagation_headers(scope)
    active = server_span(tracer_, f"{scope['method']} {route}", None, carrier)
    if active.span.is_recording():
        active.span.set_attributes(http_attributes(scope, route, user_agent, host))
    return active


def http_status(span_: trace.Span, status: int) -> None:
    """Record the response status: a 5xx is an error of the server's span; a 4xx is the client's."""
    if span_.is_recording():
        span_.set_attribute("http.response.status_code", status)
        if status >= 500:
            span_.set_attribute("error.type", str(status))
            span_.set_status(Status(StatusCode.ERROR))


def asgi_middleware(app, tracer_provider=None, routes=None, excluded: Iterable[str] = ("/health$", "/metrics$")):
    """The OpenTelemetry ASGI instrumentation around ``app``: stable HTTP semantic conventions, spans named by the
    route template of ``routes`` (a Starlette/FastAPI app) with ``http.route`` set, no span for each send and
    receive, /health and /metrics untraced unless OTEL_PYTHON_ASGI_EXCLUDED_URLS says otherwise."""
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    configured = os.environ.get("OTEL_PYTHON_ASGI_EXCLUDED_URLS") or os.environ.get("OTEL_PYTHON_EXCLUDED_URLS")
    return OpenTelemetryMiddleware(
        app, excluded_urls=configured if configured else ",".join(excluded),
        default_span_details=_route_details(routes) if routes is not None else None,
        exclude_spans=["receive", "send"], tracer_provider=tracer_provider or trace.get_tracer_provider(),
    )


def _route_details(routes_app):
    """Span name and ``http.route`` from the first route of ``routes_app`` that matches the request fully."""
    from starlette.routing import Match

    def details(scope: dict) -> tuple[str, dict]:
        method = scope.get("method", "HTTP")
        for route in routes_app.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                template = getattr(route, "path", None)
                if template:
                    return f"{method} {template}", {"http.route": template}
        return method, {}

    return details
