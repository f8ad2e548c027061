"""The web UI application: server-rendered pages, the JSON API, /health and static assets.

Every URL the pages carry is the configured ``root_path`` plus an absolute path, never a host: behind a
proxy that strips ``/feast`` the browser asks for ``/feast/...`` and the proxy hands us ``/...``. Requests
that arrive with the prefix still on are routed too (Starlette strips ``root_path`` when present).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import telemetry
from ..auth.enforce import Guard
from ..errors import FeastError, ObjectNotFoundError
from ..registry import ProjectObjects, Registry, Snapshot
from . import catalog, lineage
from .access import RequireToken, Visibility
from .api import build_router
from .headers import DEFAULT_FRAME_ANCESTORS, SecurityHeaders, security_headers
from .registry_source import RegistrySource, RegistryUnavailable

HERE = Path(__file__).parent


def normalise_root_path(root_path: str) -> str:
    """``"feast/"`` or ``"/feast/"`` -> ``"/feast"``; ``""`` or ``"/"`` -> ``""``."""
    root_path = (root_path or "").strip().strip("/")
    return f"/{root_path}" if root_path else ""


def human_duration(seconds: float) -> str:
    if not seconds:
        return "none (features never expire)"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{int(count)}{unit}")
    return " ".join(parts) or f"{seconds:g}s"


def show_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "\u2014"


class StripPrefix:
    """Accept requests whether or not a proxy stripped the prefix: ``/feast/p/x`` is served as ``/p/x``.

    (Setting the ASGI ``root_path`` instead breaks Starlette's static files for stripped requests.)
    """

    def __init__(self, app, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if self.prefix and scope["type"] == "http" and (path == self.prefix or path.startswith(self.prefix + "/")):
            raw = scope.get("raw_path") or path.encode()
            raw = raw[len(self.prefix):] if raw.startswith(self.prefix.encode()) else raw
            scope = {**scope, "path": path[len(self.prefix):] or "/", "raw_path": raw or b"/"}
        await self.app(scope, receive, send)


def create_app(store, root_path: str = "", registry_ttl_sec: float = 5, guard: Guard | None = None,
               token_header: str = "authorization", frame_ancestors: str = DEFAULT_FRAME_ANCESTORS) -> FastAPI:
    """The UI over ``store``'s registry, re-read at most every ``registry_ttl_sec`` seconds.

    With ``auth:`` on (``guard``, default: built from the block and started here, so an auth that cannot be
    honoured stops the start), every page needs a token in ``token_header`` and shows only what its user may
    DESCRIBE (see access.py). Pages from the origins ``frame_ancestors`` names may show the UI in a frame
    (see headers.py)."""
    headers = security_headers(frame_ancestors)  # a bad value fails here, before anything is served
    telemetry.configure(store.config, service="feast-ui", serving=True, store=store)
    prefix = normalise_root_path(root_path)
    registry: Registry = store.registry
    guard = guard if guard is not None else Guard(store.config.auth).start()
    source = RegistrySource(registry, registry_ttl_sec, Visibility(guard) if guard.enabled else None)

    def default_project(snapshot: Snapshot) -> str:
        names = source.project_names(snapshot)
        if store.project in names or not names:
            return store.project
        return names[0]

    def url(path: str) -> str:
        return prefix + path

    def object_url(project: str, kind: str, name: str) -> str:
        return url(f"/p/{quote(project, safe='')}/{catalog.BY_KEY[kind].slug}/{quote(name, safe='')}")

    def kind_url(project: str, kind: str) -> str:
        return url(f"/p/{quote(project, safe='')}/{catalog.BY_KEY[kind].slug}")

    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    templates.globals.update(
        url=url, object_url=object_url, kind_url=kind_url, kinds=catalog.KINDS, by_key=catalog.BY_KEY,
        human_duration=human_duration, show_time=show_time, quote=lambda s: quote(s, safe=""),
    )

    app = FastAPI(
        title="Feast UI API",
        description="Read-only registry API of the feast-core web UI.",
        version="1",
        servers=[{"url": prefix or "/"}],
        docs_url=None,  # FastAPI's Swagger page loads its assets from a CDN; /docs is served locally below
        redoc_url=None,
        openapi_url="/openapi.json",
        **telemetry.fastapi_options(),
    )
    app.add_middleware(RequireToken, guard=guard, token_header=token_header)
    if telemetry.tracing:
        app.add_middleware(telemetry.instrument_asgi, routes=app)  # inside StripPrefix: it sees the routes' paths
    app.add_middleware(StripPrefix, prefix=prefix)
    app.add_middleware(SecurityHeaders, headers=headers)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(build_router(source, default_project))

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("projects", [])
        context.setdefault("project", None)
        context.setdefault("active", "")
        return HTMLResponse(templates.get_template(name).render(**context), status_code=status)

    def error_page(status: int, title: str, reason: str, **context) -> HTMLResponse:
        return page("error.html", status=status, title=title, reason=reason, status_code=status, **context)

    def with_project(project: str, render) -> HTMLResponse:
        """Load the snapshot and the project, then render; registry and lookup failures become error pages."""
        try:
            snapshot = source.snapshot()
        except RegistryUnavailable as exc:
            return error_page(503, "The registry cannot be read", exc.reason)
        projects = source.project_names(snapshot)
        try:
            objects = source.project(snapshot, project)
            return render(objects, {"projects": projects, "project": objects.name, "snapshot": snapshot})
        except RegistryUnavailable as exc:
            return error_page(503, "The registry cannot be read", exc.reason, projects=projects)
        except ObjectNotFoundError as exc:
            return error_page(404, "Not found", str(exc), projects=projects,
                              project=project if project in projects else None)
        except FeastError as exc:
            return error_page(exc.http_status_code(), "Error", str(exc), projects=projects)

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        try:
            snapshot = source.snapshot()
        except RegistryUnavailable as exc:
            return JSONResponse({"status": "unavailable", "detail": exc.reason}, status_code=503)
        return JSONResponse({"status": "ok", "projects": len(snapshot.project_names)})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus: the UI process's CPU and memory, the registry's age, feature freshness."""
        if not telemetry.flags.any:
            return JSONResponse("metrics are off: feature_server.metrics.enabled is false", status_code=404)
        from ..telemetry.metrics import exposition

        payload, content_type = exposition()
        return Response(payload, media_type=content_type)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        schema = app.openapi()
        endpoints = [
            (path, method.upper(), op.get("summary", ""), [p["name"] for p in op.get("parameters", [])],
             any(p.get("required") for p in op.get("parameters", [])))
            for path, methods in schema["paths"].items() for method, op in methods.items()
        ]
        return page("docs.html", endpoints=endpoints, active="docs")

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        try:
            snapshot = source.snapshot()
        except RegistryUnavailable as exc:
            return error_page(503, "The registry cannot be read", exc.reason)
        return RedirectResponse(url(f"/p/{quote(default_project(snapshot), safe='')}"), status_code=303)

    @app.get("/projects", response_class=HTMLResponse, include_in_schema=False)
    def projects_page() -> HTMLResponse:
        try:
            snapshot = source.snapshot()
            rows = []
            for name in source.project_names(snapshot):
                objects = source.project(snapshot, name)
                rows.append((objects.project, {k.key: len(objects.objects[k.key]) for k in catalog.KINDS}))
        except RegistryUnavailable as exc:
            return error_page(503, "The registry cannot be read", exc.reason)
        current = default_project(snapshot)
        visible = source.project_names(snapshot)
        return page("projects.html", rows=rows, projects=visible,
                    project=current if current in visible else None, active="projects")

    @app.get("/select-project", include_in_schema=False)
    def select_project(project: str) -> RedirectResponse:
        return RedirectResponse(url(f"/p/{quote(project, safe='')}"), status_code=303)

    @app.get("/p/{project}", response_class=HTMLResponse, include_in_schema=False)
    def overview(project: str) -> HTMLResponse:
        def render(objects: ProjectObjects, ctx: dict) -> HTMLResponse:
            views = [(v, catalog.materialization(objects, v.name)) for v in objects.list("feature_views")]
            counts = {k.key: len(objects.objects[k.key]) for k in catalog.KINDS}
            feature_count = sum(len(v.features) for v in objects.list("feature_views"))
            return page("overview.html", objects=objects, views=views, counts=counts,
                        feature_count=feature_count, others=objects.others(), active="overview", **ctx)

        return with_project(project, render)

    @app.get("/p/{project}/lineage", response_class=HTMLResponse, include_in_schema=False)
    def lineage_page(project: str) -> HTMLResponse:
        def render(objects: ProjectObjects, ctx: dict) -> HTMLResponse:
            nodes = [(k, o.name) for k in ("entities", "data_sources", "feature_views", "on_demand_feature_views",
                                            "feature_services") for o in objects.list(k)]
            svg = lineage.render(nodes, catalog.edges(objects), lambda k, n: object_url(objects.name, k, n))
            return page("lineage.html", svg=svg, active="lineage", **ctx)

        return with_project(project, render)

    @app.get("/p/{project}/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(project: str, q: str = "") -> HTMLResponse:
        def render(objects: ProjectObjects, ctx: dict) -> HTMLResponse:
            return page("search.html", q=q, hits=catalog.search(objects, q), active="search", **ctx)

        return with_project(project, render)

    @app.get("/p/{project}/{slug}", response_class=HTMLResponse, include_in_schema=False)
    def list_page(project: str, slug: str) -> HTMLResponse:
        kind = catalog.BY_SLUG.get(slug)
        if kind is None:
            return error_page(404, "Not found", f"there is no page {slug!r}; pick one in the sidebar")

        def render(objects: ProjectObjects, ctx: dict) -> HTMLResponse:
            edges = catalog.edges(objects)
            rows = [
                (o, [d for s, d in edges if s == (kind.key, o.name)], catalog.searchable_text(o))
                for o in objects.list(kind.key)
            ]
            mats = {v.name: catalog.materialization(objects, v.name) for v in objects.list("feature_views")}
            return page(
                f"list_{kind.key}.html", kind=kind, rows=rows, mats=mats, active=kind.key,
                resolve_view=lambda n: catalog.resolve_view(objects, n), **ctx,
            )

        return with_project(project, render)

    @app.get("/p/{project}/{slug}/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def detail_page(project: str, slug: str, name: str) -> HTMLResponse:
        kind = catalog.BY_SLUG.get(slug)
        if kind is None:
            return error_page(404, "Not found", f"there is no page {slug!r}; pick one in the sidebar")

        def render(objects: ProjectObjects, ctx: dict) -> HTMLResponse:
            obj = objects.get(kind.key, name)
            edges = catalog.edges(objects)
            node = (kind.key, name)
            svg = None
            if kind.key not in catalog.NO_LINEAGE:
                nodes, near = lineage.neighbourhood(node, edges)
                svg = lineage.render(nodes, near, lambda k, n: object_url(objects.name, k, n), focus=node)
            stamps = objects.timestamps(kind.key, name)
            return page(
                f"detail_{kind.key}.html", kind=kind, obj=obj, objects=objects, svg=svg, stamps=stamps,
                used_by=[d for s, d in edges if s == node], uses=[s for s, d in edges if d == node],
                mat=catalog.materialization(objects, name) if kind.key == "feature_views" else None,
                resolve_view=lambda n: catalog.resolve_view(objects, n),
                api_url=url(f"/api/v1/{kind.key}/{quote(name, safe='')}?project={quote(objects.name, safe='')}"),
                active=kind.key, **ctx,
            )

        return with_project(project, render)

    return app


def serve_ui(store, host: str = "127.0.0.1", port: int = 8888, root_path: str = "", registry_ttl_sec: float = 5,
             token_header: str = "authorization", frame_ancestors: str = DEFAULT_FRAME_ANCESTORS, **_ignored) -> None:
    """``feast ui``: serve the UI with uvicorn until interrupted (on the loopback interface unless told otherwise)."""
    import uvicorn

    app = create_app(store, root_path=root_path, registry_ttl_sec=registry_ttl_sec, token_header=token_header,
                     frame_ancestors=frame_ancestors)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, forwarded_allow_ips="*")
