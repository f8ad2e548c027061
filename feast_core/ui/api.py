"""The read-only JSON API under /api/v1: the same objects as the pages, as the registry stores them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..errors import FeastError
from ..registry import ProjectObjects
from . import catalog
from .registry_source import RegistrySource, RegistryUnavailable


def error_json(status: int, detail: str, error_type: str) -> JSONResponse:
    """Feast's REST error shape."""
    return JSONResponse({"status_code": status, "detail": detail, "error_type": error_type}, status_code=status)


def build_router(source: RegistrySource, default_project: Callable[[object], str]) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["registry"])

    def objects_for(project: str | None) -> ProjectObjects:
        snapshot = source.snapshot()
        return source.project(snapshot, project or default_project(snapshot))

    def answer(build: Callable[[], dict]) -> JSONResponse:
        try:
            return JSONResponse(build())
        except RegistryUnavailable as exc:
            return error_json(503, exc.reason, "RegistryUnavailable")
        except FeastError as exc:
            return error_json(exc.http_status_code(), str(exc), type(exc).__name__)

    project_query = Query(None, description="Project name; the feature_store.yaml project when omitted")

    @router.get("/projects", summary="All projects in the registry")
    def list_projects() -> JSONResponse:
        def build() -> dict:
            snapshot = source.snapshot()
            projects = []
            for name in source.project_names(snapshot):
                objects = source.project(snapshot, name)
                counts = {k.key: len(objects.objects[k.key]) for k in catalog.KINDS}
                counts["other_objects"] = len(objects.others())
                projects.append({**objects.project.to_dict(), "counts": counts})
            return {"projects": projects}

        return answer(build)

    @router.get("/projects/{project}", summary="One project and its object counts")
    def get_project(project: str) -> JSONResponse:
        def build() -> dict:
            snapshot = source.snapshot()
            objects = source.project(snapshot, project)
            counts = {k.key: len(objects.objects[k.key]) for k in catalog.KINDS}
            counts["other_objects"] = len(objects.others())
            return {**objects.project.to_dict(), "counts": counts}

        return answer(build)

    def add_kind(kind: catalog.Kind) -> None:
        def list_objects(project: str | None = project_query) -> JSONResponse:
            def build() -> dict:
                objects = objects_for(project)
                return {
                    "project": objects.name,
                    kind.key: [catalog.object_dict(objects, kind.key, o) for o in objects.list(kind.key)],
                }

            return answer(build)

        def get_object(name: str, project: str | None = project_query) -> JSONResponse:
            def build() -> dict:
                objects = objects_for(project)
                return catalog.object_dict(objects, kind.key, objects.get(kind.key, name))

            return answer(build)

        router.add_api_route(
            f"/{kind.key}", list_objects, methods=["GET"], summary=f"List {kind.title.lower()}",
            name=f"list_{kind.key}",
        )
        # data source names may be file paths, slashes included
        router.add_api_route(
            f"/{kind.key}/{{name:path}}", get_object, methods=["GET"], summary=f"One {kind.noun} by name",
            name=f"get_{kind.key}",
        )

    for kind in catalog.KINDS:
        add_kind(kind)

    @router.get("/other_objects", summary="Objects of kinds feast_core does not model, by name and kind")
    def other_objects(project: str | None = project_query) -> JSONResponse:
        def build() -> dict:
            objects = objects_for(project)
            return {"project": objects.name, "other_objects": catalog.other_objects(objects)}

        return answer(build)

    @router.get("/lineage", summary="Lineage edges: data source -> feature view -> on-demand view -> service")
    def lineage(project: str | None = project_query) -> JSONResponse:
        def build() -> dict:
            objects = objects_for(project)
            nodes = [{"type": k.key, "name": o.name} for k in catalog.KINDS for o in objects.list(k.key)
                     if k.key not in catalog.NO_LINEAGE]
            relationships = [
                {"source": {"type": s[0], "name": s[1]}, "target": {"type": d[0], "name": d[1]}}
                for s, d in catalog.edges(objects)
            ]
            return {"project": objects.name, "nodes": nodes, "relationships": relationships}

        return answer(build)

    @router.get("/search", summary="Objects of every kind matching all words of q")
    def search(q: str = Query(..., description="words to look for"), project: str | None = project_query):
        def build() -> dict:
            objects = objects_for(project)
            return {
                "project": objects.name,
                "results": [{"type": k.key, "name": o.name} for k, o in catalog.search(objects, q)],
            }

        return answer(build)

    return router
