"""Traces and metrics for every face of feast_core: the SDK calls, ``feast serve``, ``feast ui``, and the servers
still to come. This module is the switchboard; it imports neither OpenTelemetry nor prometheus-client itself.

Switching on
------------
* **Traces** follow the standard OpenTelemetry environment: ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) or ``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``, ``none``) turn them
  on; ``OTEL_EXPORTER_OTLP_PROTOCOL`` picks ``http/protobuf`` (default) or ``grpc``; ``OTEL_SERVICE_NAME``,
  ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER(_ARG)``, ``OTEL_BSP_*``, ``OTEL_PROPAGATORS`` and the
  exporters' own ``OTEL_EXPORTER_OTLP_*`` settings are honoured by the SDK; ``OTEL_SDK_DISABLED=true`` turns
  everything off. An application that set up a tracer provider of its own gets feast_core's spans in it.
  With none of that, ``tracing`` is False, the SDK is never imported and no span is made.
* **Metrics** are Prometheus instruments (``telemetry.metrics``), recorded by category as ``flags`` says: a
  server turns the categories on from ``feature_server: metrics:`` (all but ``audit_logging`` unless the block
  says otherwise; ``enabled: false`` turns all off); a plain SDK process records them only when OTLP metrics
  export is configured (``OTEL_METRICS_EXPORTER`` / an OTLP endpoint). Servers show them at ``/metrics``; OTLP
  gets the same readings every ``OTEL_METRIC_EXPORT_INTERVAL`` ms and at exit (``otlp_metrics``).

Adding a server (how ``feast serve`` does it; the gRPC registry and Arrow Flight servers do the same)
-------------------------------------------------------------------------------------------------
1. At start-up, before the first request: ``telemetry.configure(store.config, service="feast-registry-server",
   serving=True)``. It sets the metric categories and the service name spans are reported under.
2. One span per request, continuing the caller's trace from its headers/metadata::

       with telemetry.server_span("feast.registry/ListFeatureViews", {"rpc.system": "grpc",
               "rpc.service": "feast.registry.RegistryServer", "rpc.method": "ListFeatureViews"},
               carrier=dict(context.invocation_metadata())) as span:
           ...  # spans made below (FeatureStore calls, telemetry.span) become its children

   (An HTTP face with an ASGI app can wrap it whole: ``app = telemetry.instrument_asgi(app)``.) Work handed to
   a thread pool keeps the trace with ``pool.submit(telemetry.in_context(fn), ...)``.
3. Count and time each request: ``telemetry.observe_request("/ListFeatureViews", ok, seconds)`` (Feast's
   request counter and latency histogram), and refusals with ``telemetry.auth_failure("invalid_token")``.
4. Serve ``telemetry.metrics.exposition()`` (bytes, content type) at ``/metrics``, or let the charm scrape the
   feature server's.

Inside feast_core, costly work is wrapped as ``with telemetry.span("feast.online_read", {...}):`` -- a no-op
object when tracing is off or the request's trace is not sampled.
"""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import environment
from .nospan import NO_SPAN

__all__ = [
    "SpanShape", "auth_failure", "configure", "flags", "in_context", "instrument_asgi", "observe_request",
    "server_span", "span", "spans", "tracing",
]

tracing = False  # True when spans are recorded somewhere (read on hot paths: keep it a plain module global)


@dataclass
class MetricFlags:
    """Which metric categories record (Feast's ``feature_server: metrics:`` keys); all off until configured."""

    resource: bool = False
    request: bool = False
    online_features: bool = False
    push: bool = False
    materialization: bool = False
    freshness: bool = False
    offline_features: bool = False
    audit_logging: bool = False
    feature_count_bins: list[int] = field(default_factory=lambda: [10, 50, 200])

    def set_from(self, block, force: bool = False) -> None:
        """From a ``MetricsConfig`` (None: Feast's defaults); ``enabled: false`` switches every category off
        unless ``force``."""
        on = force or block is None or block.enabled is not False
        for name in ("resource", "request", "online_features", "push", "materialization", "freshness",
                     "offline_features"):
            setattr(self, name, on and (block is None or getattr(block, name)))
        self.audit_logging = on and block is not None and block.audit_logging
        if block is not None:
            self.feature_count_bins = list(block.feature_count_bins)

    @property
    def any(self) -> bool:
        return any((self.resource, self.request, self.online_features, self.push, self.materialization,
                    self.freshness, self.offline_features))


flags = MetricFlags()

_service = "feast"
_environment_read = False
_otlp_metrics = None
_tracer = None
_metrics_forced = False
_metrics = None  # the instruments module, once a metric category is on


def default_service(name: str) -> None:
    """The service name used unless OTEL_SERVICE_NAME says otherwise (the CLI sets one per command). It is
    settled by the first ``configure`` (the first FeatureStore), which sets up the exporters."""
    global _service
    if not _environment_read:
        _service = name


def configure(config=None, *, service: str | None = None, serving: bool = False, metrics: bool = False,
              store=None) -> None:
    """Read the OTEL_* environment (once per process) and set the metric categories.

    ``service``: the service name, when this is the first call (see ``default_service``). ``serving``: a server
    process (metrics recorded per ``config.feature_server.metrics``); ``metrics``: record
    even if that block says ``enabled: false`` (``feast serve --metrics``); ``store``: a FeatureStore whose
    freshness and registry age ``/metrics`` reports. Cheap to call again (every FeatureStore does).
    """
    global _service, _environment_read, _otlp_metrics, _metrics_forced, _metrics, tracing
    _metrics_forced = metrics = _metrics_forced or metrics
    if service is not None and not _environment_read:
        _service = service
    if not _environment_read:
        environment.check()
        _environment_read = True
        tracing = _tracing_wanted()
        if tracing:
            tracer()  # the provider is set now, so spans the application starts next are recorded too
        names = environment.exporters("metrics")
        if names:
            from .otlp_metrics import Exporter

            _otlp_metrics = Exporter(names, _service)
            _otlp_metrics.start()
    if serving or metrics or (_otlp_metrics is not None and not flags.any):
        block = config.feature_server.metrics if config is not None and config.feature_server else None
        flags.set_from(block, force=metrics)
    if flags.audit_logging:
        import logging

        logging.getLogger("feast.audit").setLevel(logging.INFO)  # shown whatever the root logger's level
    if flags.any:
        from . import metrics as instruments

        _metrics = instruments
        if store is not None:
            instruments.STORES.watch(store)
        instruments.STORES.freshness = flags.freshness
        instruments.DEFERRED.start()
        if flags.resource and (serving or metrics):
            instruments.RESOURCES.start()


def _tracing_wanted() -> bool:
    if environment.exporters("traces"):
        return True
    if environment.disabled() or os.environ.get("OTEL_TRACES_EXPORTER", "").strip():
        return False
    import sys

    if "opentelemetry.trace" in sys.modules:  # the application may have set up tracing itself
        from . import traces

        return traces.application_provider()
    return False


def tracer():
    """The OpenTelemetry tracer (and, unless the application has one, the SDK's tracer provider)."""
    global _tracer, spans
    if _tracer is None:
        from . import traces

        _tracer = traces.tracer(_service)
        spans = traces.spans(_service)
    return _tracer


# What starts spans once tracing is on (traces.SdkSpans or recorder.Recorder, see traces.spans); None while it is
# off, so hot paths read it once. Besides ``span`` and ``server_span``:
# * ``spans.start_http(scope, route, headers)`` starts and makes current the span of an HTTP request from its ASGI
#   scope and headers (by lower-case bytes name, each name's first value; HTTP semantic conventions) and
#   ``spans.end_http(span, status, error=None)`` ends it with the response's status or the exception the request
#   raised (a ``with`` block costs a request more);
# * ``spans.leaf(shape, value, start, error=None)`` records work that started no span of its own (``shape``: a
#   ``SpanShape``, ``value`` its varying attribute, ``start`` from ``time.time_ns()``, ``error`` what it raised) as a
#   span below the current one, ending now.
spans = None


# ---- spans ---------------------------------------------------------------------------------------


def span(name: str, attributes: Mapping | None = None, parent=None, start_time: int | None = None):
    """``with telemetry.span("feast.x", {...}) as s:`` -- a child span of the current one, or (when there is none)
    of ``parent`` or a new root; an object that ignores everything when tracing is off or the current trace is not
    sampled. ``start_time``: nanoseconds since the epoch, for work that began before the span could."""
    if not tracing:
        return NO_SPAN
    return (spans or _started()).span(name, attributes, parent, start_time)


class SpanShape:
    """What leaf spans (``spans.leaf``) made often have in common: a name and constant attributes, with one
    attribute whose value varies (``varying``). Make one per distinct set and keep it; spans of a shape are written
    from bytes encoded once."""

    __slots__ = ("name", "attributes", "varying", "bodies")

    def __init__(self, name: str, attributes: Mapping, varying: str) -> None:
        self.name, self.attributes, self.varying = name, dict(attributes), varying
        self.bodies: dict = {}  # the recorder's encoded name, kind and attributes per varying value

    def attributes_with(self, value) -> dict:
        return {**self.attributes, self.varying: value}


def recording() -> bool:
    """Whether a span started here now would be recorded (False when tracing is off or the current trace is not
    sampled): check it before building a span's attributes on a hot path."""
    return tracing and (spans or _started()).recording()


def server_span(name: str, attributes: Mapping | None = None, carrier: Mapping[str, str] | None = None):
    """A request's span (kind SERVER), continuing the trace in ``carrier`` (request headers or gRPC metadata)."""
    if not tracing:
        return NO_SPAN
    return (spans or _started()).server_span(name, attributes, carrier)


def _started():
    tracer()
    return spans


def in_context(fn: Callable) -> Callable:
    """``fn`` bound to the current trace context, for running on another thread (unchanged when tracing is off)."""
    if not tracing:
        return fn
    return functools.partial(contextvars.copy_context().run, fn)


def instrument_asgi(app, routes=None):
    """``app`` wrapped in the OpenTelemetry ASGI instrumentation when tracing is on (else ``app`` itself);
    ``routes``: the Starlette/FastAPI app whose route templates name the spans (``http.route``)."""
    if not tracing:
        return app
    from opentelemetry import trace

    from . import traces

    tracer()
    return traces.asgi_middleware(app, trace.get_tracer_provider(), routes)


def fastapi_options() -> dict:
    """Keyword arguments for ``FastAPI(...)`` that switch off FastAPI's own OpenTelemetry (FastAPI 0.16x traces and
    meters every request itself when a provider is set, in front of everything, the feature server's fast path
    included): feast_core's faces trace their requests themselves, as described above."""
    import inspect

    from fastapi import FastAPI

    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    return {}


# ---- metrics -------------------------------------------------------------------------------------


def observe_request(endpoint: str, code: int, seconds: float, feature_count: str = "",
                    feature_view_count: str = "") -> None:
    """Feast's request counter and latency histogram, for any server (``code``: an HTTP status, or the HTTP
    status a gRPC/Flight status maps to)."""
    if flags.request:  # flags are only ever set after configure imported the instruments
        _metrics.requests[endpoint, code, (feature_count, feature_view_count)](seconds)


def auth_failure(reason: str) -> None:
    """Count one request refused by authentication or authorization (``feast_auth_failures_total{reason}``).

    Reasons in use: ``missing_token``, ``invalid_token``, ``forbidden`` (a valid user lacking a permission).
    """
    if flags.request:
        from .metrics import AUTH_FAILURES

        AUTH_FAILURES.labels(reason).inc()
