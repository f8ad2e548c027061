"""What the UI shows about a project's objects: their JSON form, who uses whom, and text search.

Plain functions over a registry ``ProjectObjects``; the pages and the JSON API both build on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..definitions import FeatureView, OnDemandFeatureView, PushSource
from ..registry import Materialization, ProjectObjects
from ..registry.snapshot import NEVER


@dataclass(frozen=True)
class Kind:
    key: str  # the registry's kind name, also the JSON API's collection name
    slug: str  # the page URL segment
    title: str  # plural, for headings and the sidebar
    noun: str  # singular, for "feature view 'x'"


KINDS = [
    Kind("entities", "entities", "Entities", "entity"),
    Kind("data_sources", "data-sources", "Data sources", "data source"),
    Kind("feature_views", "feature-views", "Feature views", "feature view"),
    Kind("on_demand_feature_views", "on-demand-feature-views", "On-demand feature views", "on-demand feature view"),
    Kind("feature_services", "feature-services", "Feature services", "feature service"),
    Kind("permissions", "permissions", "Permissions", "permission"),
    Kind("saved_datasets", "saved-datasets", "Saved datasets", "saved dataset"),
]
# kinds outside the lineage picture (they are not data flowing into features)
NO_LINEAGE = ("permissions", "saved_datasets")
BY_KEY = {k.key: k for k in KINDS}
BY_SLUG = {k.slug: k for k in KINDS}


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def materialization_dict(state: Materialization) -> dict:
    return {
        "most_recent_end": iso(state.most_recent_end),
        "state": state.state.name,
        "intervals": [[iso(s), iso(e)] for s, e in state.intervals],
    }


def object_dict(objects: ProjectObjects, kind: str, obj) -> dict:
    """An object's registry dict plus its timestamps (and a view's materialization), as the API returns it."""
    data = obj.to_dict() if not isinstance(obj, OnDemandFeatureView) else _odfv_dict(objects, obj.name)
    stamps = objects.timestamps(kind, obj.name)
    data["created"], data["last_updated"] = (iso(stamps[0]), iso(stamps[1])) if stamps else (None, None)
    if kind == "feature_views":
        data["materialization"] = materialization_dict(materialization(objects, obj.name))
    return data


def _odfv_dict(objects: ProjectObjects, name: str) -> dict:
    # what the user declared, without the function's pickle: listing never loads (or hands out) user code
    return objects.get("on_demand_feature_views", name)._declared()


def other_objects(objects: ProjectObjects) -> list[dict]:
    """Objects of kinds feast_core does not model (label views, validation references, ...), by name and kind."""
    return [{"type": o.kind, "kind": o.label, "name": o.name} for o in objects.others()]


def materialization(objects: ProjectObjects, view_name: str) -> Materialization:
    return objects.materialization.get(view_name, NEVER)


def view_inputs(view) -> list[tuple[str, str]]:
    """(kind, name) of what a feature view or on-demand feature view reads from."""
    if isinstance(view, FeatureView):
        inputs = [("data_sources", view.source.name)]
        if isinstance(view.source, PushSource):
            inputs.append(("data_sources", view.batch_source.name))
        return inputs
    return [("view", p.name) for p in view.view_sources] + [("data_sources", r.name) for r in view.request_sources]


def resolve_view(objects: ProjectObjects, name: str) -> str | None:
    """Which kind a view name refers to (feature view or on-demand feature view), if any."""
    if name in objects.objects["feature_views"]:
        return "feature_views"
    if name in objects.objects["on_demand_feature_views"]:
        return "on_demand_feature_views"
    return None


def edges(objects: ProjectObjects) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Every lineage edge (from (kind, name), to (kind, name)) between objects that exist."""
    found: list[tuple[tuple[str, str], tuple[str, str]]] = []

    def add(src: tuple[str, str], dst: tuple[str, str]) -> None:
        kind, name = src
        if kind == "view":
            kind = resolve_view(objects, name)
            if kind is None:
                return
        elif name not in objects.objects[kind]:
            return
        edge = ((kind, name), dst)
        if edge not in found:
            found.append(edge)

    for fv in objects.list("feature_views"):
        for src in view_inputs(fv):
            add(src, ("feature_views", fv.name))
    for odfv in objects.list("on_demand_feature_views"):
        for src in view_inputs(odfv):
            add(src, ("on_demand_feature_views", odfv.name))
    for service in objects.list("feature_services"):
        for projection in service.projections:
            add(("view", projection.name), ("feature_services", service.name))
    for fv in objects.list("feature_views"):
        for entity in fv.entities:
            if entity in objects.objects["entities"]:
                edge = (("entities", entity), ("feature_views", fv.name))
                if edge not in found:
                    found.append(edge)
    return found


def used_by(objects: ProjectObjects, kind: str, name: str) -> list[tuple[str, str]]:
    return [dst for src, dst in edges(objects) if src == (kind, name)]


def uses(objects: ProjectObjects, kind: str, name: str) -> list[tuple[str, str]]:
    return [src for src, dst in edges(objects) if dst == (kind, name)]


def searchable_text(obj) -> str:
    """Lower-cased words a filter or search matches: name, description, owner, tags, feature names, types."""
    parts = [obj.name, getattr(obj, "description", ""), getattr(obj, "owner", "")]
    parts += [f"{k}={v}" for k, v in getattr(obj, "tags", {}).items()]
    for field in getattr(obj, "features", None) or getattr(obj, "schema", None) or []:
        parts += [field.name, field.dtype.name]
    if isinstance(obj, FeatureView):
        parts += obj.entities + [obj.source.name]
    for projection in getattr(obj, "projections", []):
        parts += [projection.name, *projection.feature_names]
    parts += [getattr(obj, "type", "") or "", getattr(obj, "path", "") or "", getattr(obj, "table", "") or ""]
    return " ".join(p for p in parts if p).lower()


def search(objects: ProjectObjects, query: str) -> list[tuple[Kind, object]]:
    """Objects of every kind whose text contains every word of ``query`` (case-insensitive)."""
    words = query.lower().split()
    if not words:
        return []
    hits = []
    for kind in KINDS:
        for obj in objects.list(kind.key):
            text = searchable_text(obj)
            if all(w in text for w in words):
                hits.append((kind, obj))
    return hits
