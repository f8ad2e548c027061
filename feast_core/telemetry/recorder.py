"""feast_core's own spans, recorded cheaply and exported over OTLP by the SDK's exporters.

Used when feast_core set up tracing itself from the OTEL_* environment with OTLP exporters (``traces.spans``
decides); an application that brought its own tracer provider, or a console exporter, gets SDK spans instead.
Why: an SDK span costs ~45 µs to start and end here and ~70 µs to encode in the batch processor's thread (on the
same GIL), and an online read makes three of them -- more than the read itself. A recorded span is a small
object made current in a context variable; when it ends it is written as OTLP bytes (``otlp_spans``) and
queued in a list; a daemon thread joins the queued spans into export requests and hands them to the SDK's OTLP
exporter (its endpoint, headers, TLS, compression and retries, all from the standard variables). The feature
server's usual request goes a shorter way still: its span (``ServedSpan``) keeps only ids, times and the ASGI
scope, each view's read below it is a tuple (``Recorder.leaf``), and all of them are written when the request ends
by one ``struct`` call, from attribute bytes encoded once per request line, client and status.

What is kept of the SDK's behaviour: the sampler of ``OTEL_TRACES_SAMPLER(_ARG)`` decides for each trace started
or continued here (children follow their parent, as with the default parent-based samplers); the propagators of
``OTEL_PROPAGATORS`` read a caller's context; a span started under the application's own (SDK) span is its
child; ``OTEL_BSP_SCHEDULE_DELAY``, ``OTEL_BSP_MAX_QUEUE_SIZE``, ``OTEL_BSP_MAX_EXPORT_BATCH_SIZE`` and
``OTEL_BSP_EXPORT_TIMEOUT`` shape the batches. What is not: spans the application starts *inside* a feast_core
span do not see it as their parent (feast_core does not attach its spans to OpenTelemetry's context; that costs
as much as the span).
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import threading
import time
import traceback
from collections.abc import Mapping
from random import getrandbits

from opentelemetry import propagate, trace
from opentelemetry import context as _otel
from opentelemetry.context import get_current as _otel_context

from . import otlp_spans
from .nospan import NO_SPAN
from .traces import http_attributes, propagation_fields, propagation_headers

log = logging.getLogger(__name__)

UNSAMPLED = object()  # the current "span" of a trace that is not sampled: nothing below it is recorded
CURRENT: contextvars.ContextVar = contextvars.ContextVar("feast_span", default=None)
_time_ns = time.time_ns
_encode = otlp_spans.span


class RecordedSpan:
    """A sampled span: the OpenTelemetry span API feast_core uses (``set_attribute(s)``, ``is_recording``,
    ``record_exception``, ``set_status``), and a context manager that makes it current and ends it."""

    __slots__ = ("trace_id", "span_id", "parent_id", "name", "kind", "start", "end", "attributes", "events",
                 "status_code", "status_message", "remote_parent", "trace_state", "body", "encoded", "_recorder",
                 "_token")

    def __init__(self, recorder: Recorder, trace_id: bytes, parent_id: bytes, name: str, kind: int, start: int,
                 attributes: Mapping | None, body: bytes | None = None) -> None:
        """``trace_id`` (16 bytes), ``parent_id`` (8 bytes, or empty for a root) and the span's own ``span_id`` are
        kept as the bytes OTLP carries (W3C's order: ``int.to_bytes(n, "big")`` of OpenTelemetry's ids)."""
        self._recorder = recorder
        self.trace_id = trace_id
        self.span_id = _new_span_id()
        self.parent_id = parent_id
        self.name = name
        self.kind = kind
        self.start = start
        self.end = 0
        self.attributes = dict(attributes) if attributes else {}
        self.events = None
        self.status_code = 0
        self.status_message = ""
        self.remote_parent = False
        self.trace_state = ""
        self.body = body  # name, kind and attributes already encoded (otlp_spans.body), if they were
        self.encoded = b""  # attributes already encoded (otlp_spans.attributes, tag 0x4A), besides ``attributes``

    def __enter__(self) -> RecordedSpan:
        self._token = CURRENT.set(self)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            self.fail(exc)
        CURRENT.reset(self._token)
        self.end = _time_ns()
        self.queue()
        return False

    def queue(self) -> None:
        """Queue the ended span for export, encoded."""
        recorder = self._recorder
        queue = recorder.queue
        queued = len(queue)
        if queued >= recorder.limit:  # the exporter is behind by a whole queue: this span is dropped, and counted
            recorder.drop()
            return
        queue.append(_encode(self))
        if queued + 1 == recorder.batch:  # a full batch: wake the exporting thread (once, not for every span after)
            recorder.wake.set()

    def is_recording(self) -> bool:
        return self.end == 0

    def set_attribute(self, key: str, value) -> None:
        self.attributes[key] = value

    def set_attributes(self, attributes: Mapping) -> None:
        self.attributes.update(attributes)

    def set_status(self, status, description: str | None = None) -> None:
        code = getattr(status, "status_code", status)
        self.status_code = int(getattr(code, "value", code) or 0)
        self.status_message = description or getattr(status, "description", None) or ""

    def fail(self, exc: BaseException) -> None:
        """Mark the span as failed by ``exc``: its exception event, ``error.type`` and error status."""
        self.record_exception(exc)
        self.set_attribute("error.type", type(exc).__qualname__)
        self.status_code, self.status_message = otlp_spans.STATUS_ERROR, str(exc)[:500]

    def record_exception(self, exc: BaseException, attributes: Mapping | None = None, **_ignored) -> None:
        event = {
            "exception.type": type(exc).__qualname__, "exception.message": str(exc),
            "exception.stacktrace": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
            "exception.escaped": False, **(attributes or {}),
        }
        self.events = [*(self.events or ()), (_time_ns(), "exception", event)]


class ServedSpan:
    """The span of an HTTP request that started a trace (``Recorder.start_http``'s usual case): what its end needs to
    write it and its leaves, and nothing more. ``ids``: its trace id, its span id and its first leaf's span id (16, 8
    and 8 bytes, drawn together); ``headers``: the request's headers by name (see ``start_http``); ``children``:
    ``(span_id, body, start, end)`` of each leaf (``Recorder.leaf``). Spans started below it see it as their parent."""

    __slots__ = ("ids", "route", "scope", "headers", "start", "children", "token")

    @property
    def trace_id(self) -> bytes:
        return self.ids[:16]

    @property
    def span_id(self) -> bytes:
        return self.ids[16:24]


_new_served = object.__new__
# served spans' ids (trace id, span id, first leaf's span id: 32 bytes) come from the system's random source for
# this many requests at once (one system call), one 32-byte string per request. A zero id is invalid: in the rare
# draw with 8 zero bytes anywhere, every id gets the top bit set (_NONZERO_IDS), which biases nothing samplers and
# W3C's "random" flag look at (a trace id's rightmost 7 bytes)
_NONZERO_IDS = 1 << 255 | 1 << 127 | 1 << 63
_IDS_AT_ONCE = 256
_drawn_ids: list[bytes] = []
_next_ids = _drawn_ids.pop
os.register_at_fork(after_in_child=_drawn_ids.clear)  # a forked worker draws its own


def _draw_ids() -> bytes:
    """A served span's ids, when those drawn before are used up: draws the next ``_IDS_AT_ONCE``."""
    block = os.urandom(32 * _IDS_AT_ONCE)
    if bytes(8) in block:  # an id may be zero (2**-64 each): the block's ids get their top bits set
        block = (int.from_bytes(block, "big") | sum(_NONZERO_IDS << 256 * i for i in range(_IDS_AT_ONCE))).to_bytes(
            len(block), "big")
    _drawn_ids.extend([block[at:at + 32] for at in range(0, len(block), 32)])
    return _next_ids()


def _new_span_id() -> bytes:
    return (getrandbits(64) | 1 << 63).to_bytes(8, "big")


def _http_body(key: tuple, scope: dict, route: str) -> bytes:
    """The name, kind and HTTP attributes (all but the client's) of a request's span, kept per ``key``: the request
    line, host, user agent and server (see ``_http_attributes``)."""
    host, user_agent = key[6], key[7]
    attributes = http_attributes({**scope, "client": None}, route, user_agent, host)
    body = otlp_spans.body(f"{scope['method']} {route}", otlp_spans.SERVER, attributes)
    if len(_http_bodies) < 1024:
        _http_bodies[key] = body
    return body


def _http_attributes(scope: dict, route: str, host: bytes | None, user_agent: bytes | None) -> tuple[bytes, bytes]:
    """A request span's name, kind and HTTP attributes but the client's (memoized per request line, host, user agent
    and server) and its client's attributes (per address and port), encoded."""
    key = (scope["method"], route, scope["path"], scope["query_string"], scope.get("scheme"), scope["http_version"],
           host, user_agent, scope.get("server"))
    client = scope.get("client")
    return (_http_bodies.get(key) or _http_body(key, scope, route),
            (_client_attributes.get(client) or _client(client)) if client else b"")


def _served_body(key: tuple, span: ServedSpan, status: int) -> bytes:
    """A served request's name, kind and every attribute (``_http_attributes`` and its response status), kept per
    ``key`` (see ``Recorder.end_http``): a connection's requests all have the same."""
    headers = span.headers
    body, client = _http_attributes(span.scope, span.route, headers.get(b"host"), headers.get(b"user-agent"))
    body += client + (_statuses.get(status) or _status(status))
    if len(_served_bodies) < 8192:
        _served_bodies[key] = body
    return body


def _client(client) -> bytes:
    encoded = otlp_spans.attributes({"client.address": client[0], "client.port": client[1]}, 0x4A)
    if len(_client_attributes) < 8192:
        _client_attributes[client] = encoded
    return encoded


def _status(status: int) -> bytes:
    encoded = otlp_spans.attributes({"http.response.status_code": status}, 0x4A)
    _statuses[status] = encoded
    return encoded


_http_bodies: dict[tuple, bytes] = {}
_served_bodies: dict[tuple, bytes] = {}  # per request line, host, user agent, server, client and status
_client_attributes: dict[tuple, bytes] = {}  # per client address and port (a connection)
_statuses: dict[int, bytes] = {}


class _Unsampled:
    """The ``with`` block of a trace that is not sampled: spans started inside it are not recorded."""

    __slots__ = ("_token",)

    def __enter__(self):
        self._token = CURRENT.set(UNSAMPLED)
        return NO_SPAN

    def __exit__(self, *exc) -> bool:
        CURRENT.reset(self._token)
        return False


def _decider(sampler):
    """``decide(parent, trace_id) -> bool`` for the SDK sampler ``sampler`` (``parent``: a SpanContext or None).
    The SDK's own samplers are read once into plain checks; any other sampler is asked each time."""
    from opentelemetry.sdk.trace import sampling

    if sampler is sampling.ALWAYS_ON:
        return lambda parent, trace_id: True
    if sampler is sampling.ALWAYS_OFF:
        return lambda parent, trace_id: False
    if type(sampler) is sampling.TraceIdRatioBased:
        bound, limit = sampler.bound, sampler.TRACE_ID_LIMIT
        return lambda parent, trace_id: trace_id & limit < bound
    parts = [getattr(sampler, f"_{n}", None) for n in ("root", "remote_parent_sampled", "remote_parent_not_sampled",
                                                          "local_parent_sampled", "local_parent_not_sampled")]
    if isinstance(sampler, sampling.ParentBased) and all(p is not None for p in parts):
        root, remote_yes, remote_no, local_yes, local_no = (_decider(p) for p in parts)

        def parent_based(parent, trace_id) -> bool:
            if parent is None:
                return root(None, trace_id)
            if parent.is_remote:
                return (remote_yes if parent.trace_flags.sampled else remote_no)(parent, trace_id)
            return (local_yes if parent.trace_flags.sampled else local_no)(parent, trace_id)

        return parent_based

    def ask(parent, trace_id) -> bool:
        where = trace.set_span_in_context(trace.NonRecordingSpan(parent)) if parent is not None else None
        return sampler.should_sample(where, trace_id, "").decision.is_sampled()

    return ask


# Spans per export request and spans queued at most, unless OTEL_BSP_MAX_EXPORT_BATCH_SIZE / _MAX_QUEUE_SIZE say
# otherwise: the SDK's defaults (an export over otlp_http's kept-alive connection costs ~0.2M instructions, under
# 0.4k a span at 512 a request; a queued span is ~250 bytes)
BATCH, QUEUE = 512, 2048


def _root_bound(sampler) -> int | None:
    """The bound below which the SDK's ``sampler`` samples a new trace by its id's low 8 bytes (as an unsigned int),
    when it decides new traces by that alone (its trace-id ratio sampler, alone or as a parent-based root, or
    always-off); else None (``_decider`` asks it)."""
    from opentelemetry.sdk.trace import sampling

    root = getattr(sampler, "_root", None) if isinstance(sampler, sampling.ParentBased) else sampler
    if type(root) is sampling.TraceIdRatioBased:
        return root.bound
    return 0 if root is sampling.ALWAYS_OFF else None


def _samples_every_root(sampler) -> bool:
    """Whether ``sampler`` samples every new trace (the default, parent-based always-on): no decision to make."""
    from opentelemetry.sdk.trace import sampling

    return sampler is sampling.ALWAYS_ON or (
        isinstance(sampler, sampling.ParentBased) and getattr(sampler, "_root", None) is sampling.ALWAYS_ON)


def _otel_context_getter():
    """``opentelemetry.context.get_current``, as the C-level ``get`` of the context variable behind it when it is the
    API's usual contextvars runtime (two Python calls fewer on every request)."""
    variable = getattr(getattr(_otel, "_RUNTIME_CONTEXT", None), "_current_context", None)
    return variable.get if isinstance(variable, contextvars.ContextVar) else _otel_context


class Recorder:
    """Starts spans (the functions ``telemetry`` calls) and exports the finished ones in batches."""

    def __init__(self, provider, exporters: list, scope_name: str, scope_version: str) -> None:
        self._decide = _decider(provider.sampler)
        self._roots_sampled = _samples_every_root(provider.sampler)
        self._root_bound = _root_bound(provider.sampler)
        self._fields = propagation_fields()  # the header names the propagators read (lower case, bytes)
        self._otel_current = _otel_context_getter()
        resource = provider.resource
        self._prefix = otlp_spans.resource_prefix(resource.attributes, resource.schema_url or "", scope_name,
                                                  scope_version)
        self._exporters = exporters
        self.batch = max(1, int(os.environ.get("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", str(BATCH))))
        self._delay = float(os.environ.get("OTEL_BSP_SCHEDULE_DELAY", "5000")) / 1000
        # finished spans, encoded; appended by any thread, taken from the front by the exporting thread only
        self.queue: list[bytes] = []
        self.limit = max(self.batch, int(os.environ.get("OTEL_BSP_MAX_QUEUE_SIZE", str(QUEUE))))
        self.dropped = 0  # spans dropped because the queue was full (only the rare dropping path takes the lock)
        self._dropped_reported = 0
        self._drop_lock = threading.Lock()
        self.wake = threading.Event()
        self._export_lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="feast-span-export", daemon=True)
        self._thread.start()
        atexit.register(self.shutdown)

    # ---- starting spans --------------------------------------------------------------------------

    @staticmethod
    def recording() -> bool:
        return CURRENT.get() is not UNSAMPLED

    def span(self, name: str, attributes: Mapping | None = None, parent=None, start_time: int | None = None):
        current = CURRENT.get()
        if current is UNSAMPLED:
            return NO_SPAN
        if current is not None:
            return RecordedSpan(self, current.trace_id, current.span_id, name, otlp_spans.INTERNAL,
                                start_time or _time_ns(), attributes)
        return self._root(name, otlp_spans.INTERNAL, attributes, start_time, ended=parent)

    def server_span(self, name: str, attributes: Mapping | None, carrier: Mapping[str, str] | None,
                    kind: int = otlp_spans.SERVER):
        current = CURRENT.get()
        if current is not None and not carrier:  # served inside a feast_core span of this process
            if current is UNSAMPLED:
                return _Unsampled()
            return RecordedSpan(self, current.trace_id, current.span_id, name, kind, _time_ns(), attributes)
        remote = None
        if carrier:
            remote = trace.get_current_span(propagate.extract(carrier)).get_span_context()
            if not remote.is_valid:
                remote = None
        return self._root(name, kind, attributes, None, remote)

    def _root(self, name: str, kind: int, attributes, start_time, remote=None, ended=None):
        """A span with no feast_core span current: below ``remote`` (a caller's context) when given; else below the
        application's current OpenTelemetry span; else below ``ended`` (a span that has ended, whose work this
        continues); else the first span of a new trace."""
        parent = remote
        if remote is None:
            # the application's current span, if it has one (an empty context has none: no need to ask)
            context = trace.get_current_span().get_span_context() if self._otel_current() else None
            if context is not None and context.is_valid:
                if not context.trace_flags.sampled:
                    return NO_SPAN
                parent = context
            elif isinstance(ended, RecordedSpan):
                return RecordedSpan(self, ended.trace_id, ended.span_id, name, kind, start_time or _time_ns(),
                                    attributes)
            elif ended is not None and ended.get_span_context().is_valid:  # an SDK span (or OpenTelemetry's API)
                parent = ended.get_span_context()
        if parent is None:
            trace_id = getrandbits(128) or 1
            if not (self._roots_sampled or self._decide(None, trace_id)):
                return _Unsampled()
        elif not self._decide(parent, parent.trace_id):
            return _Unsampled()
        else:
            trace_id = parent.trace_id
        span = RecordedSpan(self, trace_id.to_bytes(16, "big"), parent.span_id.to_bytes(8, "big") if parent else b"",
                            name, kind, start_time or _time_ns(), attributes)
        if parent is not None:
            span.remote_parent = parent.is_remote
            if parent.trace_state:
                span.trace_state = parent.trace_state.to_header()
        return span

    def start_http(self, scope: dict, route: str, headers: dict):
        """Start and make current the span of an HTTP request from its ASGI scope (the HTTP semantic conventions'
        attributes) and ``headers`` (the scope's, by lower-case bytes name, each name's first value); end it with
        ``end_http``. The usual request -- no caller's trace context, no span current -- gets a ``ServedSpan``,
        written with its leaves when it ends."""
        if CURRENT.get() is None and not self._otel_current() and self._fields.isdisjoint(headers):
            try:  # a new trace
                ids = _next_ids()
            except IndexError:
                ids = _draw_ids()
            bound = self._root_bound
            if self._roots_sampled or (int.from_bytes(ids[8:16], "big") < bound if bound is not None else
                                       self._decide(None, int.from_bytes(ids[:16], "big"))):
                span = _new_served(ServedSpan)
                span.ids, span.route, span.scope, span.headers, span.children = ids, route, scope, headers, None
                span.token = CURRENT.set(span)
                span.start = _time_ns()
                return span
            return CURRENT.set(UNSAMPLED)
        carrier, user_agent, host = propagation_headers(scope)
        span = self.server_span(f"{scope['method']} {route}", None, carrier)
        if span.__class__ is RecordedSpan:
            span.body, span.encoded = _http_attributes(scope, route, host, user_agent)
        span.__enter__()
        return span

    def end_http(self, span, status: int, error: BaseException | None = None) -> None:
        """End the span ``start_http`` gave with the response's ``status`` (a 5xx is the server's error) or the
        ``error`` the request raised."""
        if span.__class__ is not ServedSpan:
            if span.__class__ is contextvars.Token:  # a trace the sampler declined
                CURRENT.reset(span)
                return
            self._record_status(span, status)
            span.__exit__(None if error is None else type(error), error, None)
            return
        CURRENT.reset(span.token)
        end = _time_ns()
        if status >= 500 or error is not None:  # rare: written as a recorded span, with the error's status and event
            self._failed(span, status, error, end)
            return
        scope, headers = span.scope, span.headers
        key = (span.route, scope["path"], scope["query_string"], scope["method"], scope.get("scheme"),
               scope["http_version"], scope.get("server"), scope.get("client"), headers.get(b"host"),
               headers.get(b"user-agent"), status)
        # the request's span after its leaves, as one entry and an empty one per further span (the queue's length
        # is the number of spans in it)
        self.put(otlp_spans.family(span.ids, _served_bodies.get(key) or _served_body(key, span, status), span.start,
                                   end, span.children))

    def put(self, spans: list[bytes]) -> None:
        """Queue encoded spans, or drop and count them all when they do not fit."""
        queue = self.queue
        queued, count = len(queue), len(spans)
        if queued + count > self.limit:  # the exporter is behind by a whole queue
            self.drop(count)
            return
        queue += spans
        if queued < self.batch <= queued + count:  # a full batch: wake the exporting thread (once)
            self.wake.set()

    def _failed(self, span: ServedSpan, status: int, error, end: int) -> None:
        """A served request that failed, written as a recorded span with the error's status and event."""
        headers = span.headers
        body, encoded = _http_attributes(span.scope, span.route, headers.get(b"host"), headers.get(b"user-agent"))
        recorded = RecordedSpan(self, span.trace_id, b"", "", otlp_spans.SERVER, span.start, None, body)
        recorded.span_id, recorded.encoded, recorded.end = span.span_id, encoded, end
        self._record_status(recorded, status)
        if error is not None:
            recorded.fail(error)
        if span.children:
            self.put(otlp_spans.leaves(span.trace_id, span.span_id, span.children))
        recorded.queue()

    def leaf(self, shape, value, start: int, error: BaseException | None = None) -> None:
        """Record a span of ``shape`` (``telemetry.SpanShape``) with ``value`` as its varying attribute, from ``start``
        (``time.time_ns()``) to now, below the current span: work in which no span is started (an online store's
        read of one view). It is written from bytes encoded once per shape and value, below a served request's span
        when that one ends, else now."""
        current = CURRENT.get()
        if current is UNSAMPLED:
            return
        if current is None or error is not None:
            self._lone_leaf(shape, value, start, error)
            return
        body = shape.bodies.get(value) if value.__class__ is int else None  # 1 == True == 1.0: ints only in the memo
        if body is None:
            body = otlp_spans.body(shape.name, otlp_spans.INTERNAL, shape.attributes_with(value))
            if value.__class__ is int and len(shape.bodies) < 256:
                shape.bodies[value] = body
        if current.__class__ is ServedSpan:  # written with it (its first leaf's id was drawn with its own)
            if current.children is None:
                current.children = [(current.ids[24:], body, start, _time_ns())]
            else:
                current.children.append((_new_span_id(), body, start, _time_ns()))
            return
        self.put([otlp_spans.leaf(current.trace_id, current.span_id, _new_span_id(), body, start, _time_ns())])

    def _lone_leaf(self, shape, value, start: int, error: BaseException | None) -> None:
        """A leaf that failed, or has no recorded parent: a span of its own (a new trace when nothing is current)."""
        span = self.span(shape.name, shape.attributes_with(value), start_time=start)
        span.__enter__()
        span.__exit__(None if error is None else type(error), error, None)

    @staticmethod
    def _record_status(span, status: int) -> None:
        if span.__class__ is RecordedSpan:
            if span.body is not None:
                span.encoded += _statuses.get(status) or _status(status)
            else:
                span.attributes["http.response.status_code"] = status
            if status >= 500:
                span.attributes["error.type"] = str(status)
                span.status_code = otlp_spans.STATUS_ERROR

    # ---- exporting ---------------------------------------------------------------------------------

    def _run(self) -> None:
        """Export a full batch as soon as there is one, and whatever is queued every ``OTEL_BSP_SCHEDULE_DELAY``.

        Only spans queued when an export starts are taken: spans ending while a batch is being sent wait for the
        next full batch or the next tick (draining the queue to empty instead sent a chain of requests of a few
        spans each, every one costing the HTTP client's fixed work on the request thread's GIL, for as long as
        requests kept arriving)."""
        deadline = time.monotonic() + self._delay
        while not self._stopped:
            left = deadline - time.monotonic()
            if left > 0 and len(self.queue) < self.batch:
                self.wake.wait(left)
                self.wake.clear()
            if time.monotonic() >= deadline:
                self.flush()
                deadline = time.monotonic() + self._delay
            else:
                self._export(full_only=True)

    def flush(self) -> None:
        """Export every span finished by now, in batches."""
        self._export(full_only=False)

    def drop(self, count: int = 1) -> None:
        """Count spans dropped because the queue was full (told in the log when exporting, and at exit)."""
        with self._drop_lock:
            first = self.dropped == 0
            self.dropped += count
        if first:
            log.warning("the span export queue is full (OTEL_BSP_MAX_QUEUE_SIZE=%d): spans are dropped until the "
                        "exporter catches up", self.limit)

    def _report_dropped(self) -> None:
        dropped = self.dropped
        if dropped != self._dropped_reported:
            log.warning("%d spans dropped (%d since the last export): the export queue (OTEL_BSP_MAX_QUEUE_SIZE=%d) "
                        "was full", dropped, dropped - self._dropped_reported, self.limit)
            self._dropped_reported = dropped

    def _export(self, full_only: bool) -> None:
        with self._export_lock:
            queue, size = self.queue, self.batch
            waiting = len(queue)
            while waiting >= size or (waiting and not full_only):
                take = min(waiting, size)
                waiting -= take
                batch = queue[:take]  # a slice and a slice deletion, each atomic: spans appended meanwhile stay
                del queue[:take]
                payload = otlp_spans.request(batch, self._prefix)
                for exporter in self._exporters:
                    try:
                        exporter.export_encoded(payload, take)
                    except Exception:  # an exporter must never take the process down (the SDK's processors agree)
                        log.warning("exporting %d spans with %s failed", take, type(exporter).__name__,
                                    exc_info=True)
            self._report_dropped()

    def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.wake.set()
        self.flush()
        for exporter in self._exporters:
            exporter.shutdown()
