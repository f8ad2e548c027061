"""``feast serve_offline``: Feast's Arrow Flight offline server over a FeatureStore (feast-wire-formats §5.2).

Both of Feast's flows are served:

* ``do_exchange`` (Feast 0.67's client): the command in the descriptor, the upload on the stream, the answer back
  on the same stream. Nothing is kept between calls, so any replica can answer.
* ``do_put`` -> ``get_flight_info`` -> ``do_get`` (Feast up to 0.66): ``do_put`` runs a write at once, or keeps a
  read's upload under its descriptor; ``get_flight_info`` answers one endpoint whose ticket is ``repr`` of the
  descriptor key, as Feast's server makes it; ``do_get`` runs the read. Kept uploads belong to the user who sent
  them, are dropped after ``PENDING_SECONDS``, and at most ``PENDING_MAX`` (or ``PENDING_BYTES``) are held.

Answers stream as record batches of bounded size (offline_calls.table_batches); pulls stream straight from the
offline store, batch by batch.

Authentication: with ``auth`` on, every call needs ``authorization: Bearer <token>`` among its headers; the
middleware validates it when the call starts (one validation per token, cached) and refuses the call as
Flight's *unauthenticated*. Permissions are checked per call (offline_calls). Errors travel as Feast's do: a
FeastError becomes ``Flight error: {"module", "class", "message"}`` (a refused permission with gRPC status
PERMISSION_DENIED, an unavailable store UNAVAILABLE, the rest UNKNOWN as in Feast) so Feast's client and ours
rebuild the typed exception; anything unplanned is logged here with its traceback and answered without it.

Telemetry: a server span per call (``rpc.system=apache_arrow_flight``, ``rpc.method``, ``feast.api``), continuing
the caller's trace from its headers; the retrieval's own spans are its children; each call is counted and timed
(``observe_request``), refusals counted (``auth_failure``).
"""

from __future__ import annotations

import ast
import contextlib
import logging
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.flight as fl

from .. import telemetry
from ..auth.bearer import authorization_from_metadata
from ..auth.enforce import Guard
from ..auth.user import User
from ..errors import (
    AuthenticationError,
    ConfigError,
    FeastError,
    FeastPermissionError,
    InvalidRequestError,
    StoreUnavailableError,
)
from ..store import FeatureStore
from .offline_calls import READS, WRITES, OfflineCalls, Result, parse_command
from .tls import KeyPair

log = logging.getLogger(__name__)

SERVICE_NAME = "feast-offline-server"
FLIGHT_SERVICE = "arrow.flight.protocol.FlightService"
DEFAULT_PORT = 8815
UNAUTHENTICATED = "Invalid or expired access token"
PENDING_SECONDS = 600.0
PENDING_MAX = 256
PENDING_BYTES = 4 << 30
CMD = 2  # FlightDescriptor type CMD, the first element of Feast's descriptor key


def flight_error(error: FeastError) -> fl.FlightError:
    """The Flight error carrying a FeastError as Feast's servers send it (``Flight error: <detail JSON>``)."""
    text = f"Flight error: {error.to_error_detail()}"
    if isinstance(error, AuthenticationError):
        return fl.FlightUnauthenticatedError(UNAUTHENTICATED)
    if isinstance(error, FeastPermissionError):
        return fl.FlightUnauthorizedError(text)
    if isinstance(error, StoreUnavailableError):
        return fl.FlightUnavailableError(text)
    return fl.FlightError(error.to_error_detail())  # pyarrow prefixes "Flight error: " itself (gRPC UNKNOWN)


class _Call(fl.ServerMiddleware):
    """What a call's middleware learnt when it started: who calls, and the headers (for trace context)."""

    def __init__(self, user: User | None, headers: dict) -> None:
        self.user = user
        self.carrier = {k: (v[0] if isinstance(v, list) and v else v) for k, v in headers.items()
                        if isinstance(k, str)}

    def call_completed(self, exception) -> None:
        pass


class _Authenticate(fl.ServerMiddlewareFactory):
    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def start_call(self, info, headers):
        user = None
        if self.guard.enabled:
            authorization = authorization_from_metadata(headers)
            try:
                user = self.guard.user(authorization)
            except AuthenticationError as error:
                log.info("refused a Flight %s call: %s", info.method, error)
                telemetry.auth_failure("missing_token" if authorization is None else "invalid_token")
                raise fl.FlightUnauthenticatedError(UNAUTHENTICATED) from None
        return _Call(user, headers)


class PendingFlights:
    """Uploads of the legacy flow waiting for their ``do_get``."""

    def __init__(self, seconds: float = PENDING_SECONDS, most: int = PENDING_MAX, most_bytes: int = PENDING_BYTES):
        self.seconds, self.most, self.most_bytes = seconds, most, most_bytes
        self._items: OrderedDict[tuple, tuple[str | None, pa.Table, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            key, (_, _, at) = next(iter(self._items.items()))
            if now - at <= self.seconds and len(self._items) <= self.most and \
                    sum(t.nbytes for _, t, _ in self._items.values()) <= self.most_bytes:
                return
            del self._items[key]
            log.info("dropped an upload of the do_put/do_get flow never fetched (%s)", key[1][:80])

    def put(self, key: tuple, user: User | None, table: pa.Table) -> None:
        with self._lock:
            self._items[key] = (_owner(user), table, time.monotonic())
            self._items.move_to_end(key)
            self._expire(time.monotonic())

    def take(self, key: tuple, user: User | None) -> pa.Table:
        with self._lock:
            self._expire(time.monotonic())
            item = self._items.get(key)
            if item is None or item[0] != _owner(user):
                raise InvalidRequestError("no upload is waiting for this ticket (do_put first; uploads are kept "
                                          f"{int(self.seconds)} s, for the user who sent them)")
            del self._items[key]
            return item[1]

    def has(self, key: tuple, user: User | None) -> bool:
        with self._lock:
            item = self._items.get(key)
            return item is not None and item[0] == _owner(user)

    def keys(self, user: User | None) -> list[tuple]:
        with self._lock:
            return [k for k, (owner, _, _) in self._items.items() if owner == _owner(user)]


def _owner(user: User | None) -> str | None:
    return None if user is None else user.username


def descriptor_key(descriptor: fl.FlightDescriptor) -> tuple:
    """Feast's key of a descriptor: (type, command, path)."""
    return descriptor.descriptor_type.value, descriptor.command, tuple(descriptor.path or ())


def ticket_key(ticket: fl.Ticket) -> tuple:
    try:
        key = ast.literal_eval(ticket.ticket.decode())
    except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
        key = None
    if not (isinstance(key, tuple) and len(key) == 3 and key[0] == CMD and isinstance(key[1], bytes)):
        raise InvalidRequestError("the ticket is not one this server gave out (get_flight_info answers tickets)")
    return key


class OfflineServer(fl.FlightServerBase):
    def __init__(self, store: FeatureStore, guard: Guard, location: str, tls: KeyPair | None = None) -> None:
        super().__init__(
            location, middleware={"feast": _Authenticate(guard)},
            tls_certificates=[(tls.cert, tls.key)] if tls else None, verify_client=False,
        )
        self.store = store
        self.calls = OfflineCalls(store, guard)
        self.pending = PendingFlights()

    # ---- one call: span, metrics, errors -----------------------------------------------------------------

    @contextlib.contextmanager
    def _serving(self, context, method: str, api: str = ""):
        call: _Call | None = context.get_middleware("feast")
        started = time.perf_counter()
        code = 200
        attributes = {"rpc.system": "apache_arrow_flight", "rpc.service": FLIGHT_SERVICE, "rpc.method": method}
        if api:
            attributes["feast.api"] = api
        with telemetry.server_span(f"{FLIGHT_SERVICE}/{method}", attributes,
                                   carrier=call.carrier if call else None) as span:
            try:
                yield call.user if call else None
            except FeastError as error:
                code = error.http_status_code()
                if isinstance(error, FeastPermissionError):
                    telemetry.auth_failure("forbidden")
                    log.info("%s %s refused: %s", method, api, error)
                span.set_attribute("rpc.grpc.status_code", code)
                raise flight_error(error) from None
            except fl.FlightError:
                code = 500
                raise
            except Exception as error:  # the server's edge: log it, answer without the traceback
                code = 500
                log.error("Flight %s %s failed unexpectedly", method, api, exc_info=error)
                raise fl.FlightInternalError(f"internal error ({type(error).__name__}); see the offline server's log") \
                    from None
            finally:
                telemetry.observe_request(f"/{api or method}", code, time.perf_counter() - started)

    def _guarded_stream(self, result: Result, api: str) -> Iterator[pa.RecordBatch]:
        """A result's batches with errors raised while streaming answered as the rest are."""
        try:
            yield from result.batches
        except FeastError as error:
            raise flight_error(error) from None
        except fl.FlightError:
            raise
        except Exception as error:  # as in _serving
            log.error("streaming the answer of %s failed", api, exc_info=error)
            raise fl.FlightInternalError(f"internal error ({type(error).__name__}); see the offline server's log") \
                from None

    @staticmethod
    def _command(descriptor: fl.FlightDescriptor) -> dict:
        if descriptor.descriptor_type != fl.DescriptorType.CMD:
            raise InvalidRequestError("Feast's offline server takes command descriptors (a JSON command), not paths")
        return parse_command(descriptor.command)

    @staticmethod
    def _api(descriptor: fl.FlightDescriptor) -> str:
        try:
            return str(parse_command(descriptor.command)["api"]) if descriptor.command else ""
        except InvalidRequestError:
            return ""

    # ---- Feast 0.67: do_exchange ---------------------------------------------------------------------------

    def do_exchange(self, context, descriptor, reader, writer):
        with self._serving(context, "DoExchange", self._api(descriptor)) as user:
            command = self._command(descriptor)
            with telemetry.span("feast.offline_server.receive"):
                upload = reader.read_all()
            result = self.calls.read(command, upload, user)
            with telemetry.span("feast.offline_server.send") as span:
                writer.begin(result.schema)
                rows = 0
                for batch in result.batches:
                    writer.write_batch(batch)
                    rows += batch.num_rows
                span.set_attribute("feast.row_count", rows)

    # ---- Feast <= 0.66: do_put, get_flight_info, do_get ------------------------------------------------------

    def do_put(self, context, descriptor, reader, writer):
        with self._serving(context, "DoPut", self._api(descriptor)) as user:
            command = self._command(descriptor)
            with telemetry.span("feast.offline_server.receive"):
                upload = reader.read_all()
            if command["api"] in WRITES:
                self.calls.write(command, upload, user)
            elif command["api"] in READS:
                self.pending.put(descriptor_key(descriptor), user, upload)
            else:
                self.calls.read(command, upload, user)  # the unknown-call error

    def get_flight_info(self, context, descriptor):
        with self._serving(context, "GetFlightInfo", self._api(descriptor)) as user:
            key = descriptor_key(descriptor)
            if not self.pending.has(key, user):
                raise InvalidRequestError("no upload is waiting for this descriptor: do_put it first")
            return self._info(key, descriptor)

    @staticmethod
    def _info(key: tuple, descriptor: fl.FlightDescriptor) -> fl.FlightInfo:
        # no location: fetch from the server that answered (a proxy's or Service's address stays right)
        return fl.FlightInfo(pa.schema([]), descriptor, [fl.FlightEndpoint(repr(key).encode(), [])], -1, -1)

    def do_get(self, context, ticket):
        api = ""
        with self._serving(context, "DoGet") as user:
            key = ticket_key(ticket)
            command = parse_command(key[1])
            api = command["api"]
            upload = self.pending.take(key, user)
            result = self.calls.read(command, upload, user)
        return fl.GeneratorStream(result.schema, self._guarded_stream(result, api))

    def list_flights(self, context, criteria):
        with self._serving(context, "ListFlights") as user:
            keys = self.pending.keys(user)
        for key in keys:
            yield self._info(key, fl.FlightDescriptor.for_command(key[1]))

    def list_actions(self, context):
        return [
            ("offline_write_batch", "Writes the rows uploaded with do_put to the feature view's data source."),
            ("write_logged_features", "Not supported by feast_core (it does not log served features)."),
            ("persist", "Not supported by feast_core (retrieval results are not saved as datasets)."),
        ]

    def do_action(self, context, action):
        with self._serving(context, "DoAction", action.type):
            raise InvalidRequestError(f"action {action.type!r}: Feast's offline protocol runs its calls with "
                                      "do_exchange or do_put, not do_action")


def location(host: str, port: int, tls: bool) -> str:
    scheme = "grpc+tls" if tls else "grpc+tcp"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def serve_offline(store: FeatureStore, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                  tls: KeyPair | None = None, metrics: bool = False, metrics_port: int = 8000,
                  ready: threading.Event | None = None) -> None:
    """Serve ``store`` over Arrow Flight until SIGTERM/SIGINT. The ``auth`` block is honoured or nothing is
    served: an identity provider or Kubernetes API that cannot be reached stops the start."""
    guard = Guard(store.config.auth).start()
    telemetry.configure(store.config, service=SERVICE_NAME, serving=True, metrics=metrics)
    if metrics:
        from ..telemetry.metrics import serve_port

        serve_port(metrics_port, host)
    address = location(host, port, tls is not None)
    try:
        server = OfflineServer(store, guard, address, tls)
    except (pa.ArrowException, fl.FlightError) as error:
        raise ConfigError(f"the offline server cannot listen on {address}: {error} (is the port in use, or the "
                          "TLS key and certificate not a pair?)") from None
    log.info("offline server listening on %s (auth: %s)", location(host, server.port, tls is not None),
             store.config.auth.type)
    print(f"Offline server (Arrow Flight) listening on {location(host, server.port, tls is not None)}", flush=True)
    if ready is not None:
        ready.set()
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (Kubernetes stopping the pod) stops the server as Ctrl-C does: running calls finish first
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    try:
        server.serve()
    except KeyboardInterrupt:
        log.info("interrupted; stopping the offline server")
    finally:
        server.shutdown()
        store.close()


__all__ = ["DEFAULT_PORT", "OfflineServer", "flight_error", "serve_offline"]
