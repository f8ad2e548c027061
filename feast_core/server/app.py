"""The feature server's ASGI app: Feast's HTTP protocol on FastAPI, with a fast path for the data endpoints.

``create_app`` returns a FastAPI app whose routes (and so ``/docs`` and ``/openapi.json``) describe every
endpoint. The POST data endpoints are answered by ``FastPath``, a plain ASGI middleware in front of FastAPI's
routing: it reads the raw body and hands it to the same ``answer`` the routes use, skipping routing, dependency
solving and response classes -- about 2.5x the requests per second of a plain FastAPI route on this workload.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from time import perf_counter
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import Response

from .. import telemetry
from ..auth.enforce import Guard
from ..errors import AuthenticationError, FeastError
from ..store import FeatureStore
from . import schemas
from .limits import OnlineLimits
from .problems import RequestError, feast_error_response, internal_error_response, request_error_body
from .refresh import RegistryRefresher
from .service import NO_LABELS, Endpoints

log = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024
WORKER_ENV = "FEAST_CORE_SERVER_WORKER"
JSON_HEADERS = [(b"content-type", b"application/json")]
SERVICE_NAME = "feast-feature-server"
# Feast's answer to a request without a valid token, whatever is wrong with it (the reason is logged)
UNAUTHENTICATED = b'{"detail":"Invalid or expired access token"}'


class ClientDisconnected(Exception):
    pass


class Dispatcher:
    """Runs one endpoint: the error mapping and the request metrics every data endpoint shares."""

    def __init__(self, endpoints: Endpoints, max_request_bytes: int, guard: Guard | None = None) -> None:
        self.max_request_bytes = max_request_bytes
        self.guard = guard if guard is not None else endpoints.access.guard
        self.routes = {
            "/get-online-features": ("get-online-features", endpoints.get_online_features),
            "/push": ("push", endpoints.push),
            "/write-to-online-store": ("write-to-online-store", endpoints.write_to_online_store),
            "/materialize": ("materialize", endpoints.materialize),
            "/materialize-incremental": ("materialize-incremental", endpoints.materialize_incremental),
        }

    def too_large(self, declared_length: int) -> RequestError | None:
        if declared_length > self.max_request_bytes:
            return RequestError(
                f"the request body has {declared_length} bytes; this server accepts at most "
                f"{self.max_request_bytes} (serve --max-request-bytes)", status=413,
            )
        return None

    async def answer(
        self, path: str, body: bytes | RequestError, query_string: bytes, authorization: bytes | str | None = None
    ) -> tuple[int, bytes]:
        name, handler = self.routes[path]
        if telemetry.flags.request:
            labels = [NO_LABELS]  # the endpoint's Feast labels, if it has some (see service.NO_LABELS)
            started = perf_counter()
        else:
            labels = None
        try:
            user = await self.guard.user_async(authorization) if self.guard.enabled else None
            if isinstance(body, RequestError):
                raise body
            query = dict(parse_qsl(query_string.decode("latin-1"))) if query_string else {}
            status, payload = await handler(body, query, user, labels)
        except AuthenticationError as error:
            log.info("%s: refused a request without a valid token: %s", name, error)
            status, payload = 401, UNAUTHENTICATED
        except RequestError as error:
            status, payload = error.status, request_error_body(error)
        except FeastError as error:
            status, payload = feast_error_response(error)
        except Exception as error:
            status, payload = internal_error_response(error, name)
        if labels is not None:
            telemetry.metrics.requests[path, status, labels[0]](perf_counter() - started)
        return status, payload


def first_values(headers) -> dict:
    """An ASGI scope's headers by (lower-case bytes) name, each name's first value."""
    return dict(reversed(headers if headers.__class__ is list else list(headers)))


class FastPath:
    """Plain ASGI in front of FastAPI for the POST data endpoints (see the module docstring). With tracing on, each
    request it answers gets its server span here (the ASGI instrumentation, which traces the other routes, costs
    more than the whole request)."""

    def __init__(self, app, dispatcher: Dispatcher) -> None:
        self.app = app
        self.dispatcher = dispatcher
        self.spans = telemetry.spans  # None when tracing is off (settled by telemetry.configure, before this)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.dispatcher.routes:
            headers = first_values(scope["headers"])
            spans = self.spans
            if spans is not None:
                span = spans.start_http(scope, scope["path"], headers)
                try:
                    status = await self._answer(scope, headers, receive, send)
                except BaseException as error:
                    spans.end_http(span, 500, error)
                    raise
                spans.end_http(span, status)
                return
            await self._answer(scope, headers, receive, send)
            return
        await self.app(scope, receive, send)

    async def _answer(self, scope, headers: dict, receive, send) -> int:
        try:
            body = await self._body(headers.get(b"content-length"), receive)
        except ClientDisconnected:
            return 499
        except RequestError as error:
            body = error
        status, payload = await self.dispatcher.answer(scope["path"], body, scope["query_string"],
                                                       headers.get(b"authorization"))
        headers = [*JSON_HEADERS, (b"content-length", str(len(payload)).encode())] if payload else \
            [(b"content-length", b"0")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return status

    async def _body(self, declared: bytes | None, receive) -> bytes:
        """The request's body, refused as too large by its declared length (``declared``: its Content-Length) or as
        it arrives."""
        limit = self.dispatcher.max_request_bytes
        if declared is not None and declared.isdigit():
            error = self.dispatcher.too_large(int(declared))
            if error is not None:
                raise error
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        body = message.get("body", b"")
        if not message.get("more_body"):
            return body
        chunks, size = [body], len(body)
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise self.dispatcher.too_large(size)
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


def create_app(
    store: FeatureStore,
    registry_ttl_sec: float | None = None,
    max_request_bytes: int | None = None,
    fast_path: bool = True,
    inline_reads: bool | None = None,
    guard: Guard | None = None,
    limits: OnlineLimits | None = None,
) -> FastAPI:
    """The feature server over ``store``. The registry is re-read every ``registry_ttl_sec`` seconds on a
    background thread (default: the registry's cache_ttl_seconds; 0 = read once at startup). ``limits`` bound
    what one online request may ask for (see limits.py).

    The ``auth:`` block is enforced on every data endpoint: ``guard`` (default: one built from the block and
    started here, so an auth that cannot be honoured raises AuthConfigError before anything is served)."""
    telemetry.configure(store.config, service=SERVICE_NAME, serving=True, store=store)
    ttl = store.config.registry.cache_ttl_seconds if registry_ttl_sec is None else registry_ttl_sec
    guard = guard if guard is not None else Guard(store.config.auth).start()
    endpoints = Endpoints(store, inline_reads, guard, limits)
    dispatcher = Dispatcher(endpoints, max_request_bytes or DEFAULT_MAX_REQUEST_BYTES, guard)
    refresher = RegistryRefresher(store, ttl)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        refresher.refresh_now()
        refresher.start()
        try:
            yield
        finally:
            refresher.stop()
            endpoints.close()

    app = FastAPI(
        title="Feast feature server (feast_core)",
        description="Feast's feature server HTTP protocol: online features, push, writes and materialization.",
        lifespan=lifespan,
        **telemetry.fastapi_options(),
    )
    app.state.endpoints, app.state.refresher, app.state.dispatcher = endpoints, refresher, dispatcher

    async def routed(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        body: bytes | RequestError | None = dispatcher.too_large(int(declared)) if declared.isdigit() else None
        if body is None:
            body = await request.body()
            body = dispatcher.too_large(len(body)) or body
        status, payload = await dispatcher.answer(request.url.path, body, request.scope["query_string"],
                                                  request.headers.get("authorization"))
        return Response(payload, status_code=status, media_type="application/json" if payload else None)

    for path, (name, _) in dispatcher.routes.items():
        app.add_api_route(
            path, routed, methods=["POST"], name=name, summary=schemas.SUMMARIES[name],
            openapi_extra=schemas.request_body(name), responses=schemas.RESPONSES[name],
        )

    @app.get("/health", summary="200 when the registry has been read, else 503")
    def health() -> Response:
        status, payload = endpoints.health()
        return Response(payload, status_code=status, media_type="application/json" if payload else None)

    @app.get("/metrics", summary="Prometheus metrics (off when feature_server.metrics.enabled is false)")
    def metrics() -> Response:
        if not telemetry.flags.any:
            return Response(b'"metrics are off: feature_server.metrics.enabled is false"', status_code=404,
                            media_type="application/json")
        from ..telemetry.metrics import exposition

        payload, content_type = exposition()
        return Response(payload, media_type=content_type)

    if telemetry.tracing:
        app.add_middleware(telemetry.instrument_asgi, routes=app)  # the routes FastPath leaves to FastAPI
    if fast_path:
        app.add_middleware(FastPath, dispatcher=dispatcher)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker of ``serve(workers=N)``: the store and options come from ``WORKER_ENV``."""
    from ..config import load_config

    telemetry.default_service(SERVICE_NAME)  # before the store: its creation sets up the exporters
    options = json.loads(os.environ[WORKER_ENV])
    repo_path = Path(options["repo_path"])
    store = FeatureStore(repo_path=repo_path, config=load_config(repo_path, options["fs_yaml_file"]))
    telemetry.configure(store.config, service=SERVICE_NAME, serving=True, metrics=options.get("metrics", False))
    return create_app(store, options["registry_ttl_sec"], options["max_request_bytes"], inline_reads=options["inline_reads"],
                      limits=OnlineLimits(**options["limits"]))
