"""The registry's data model and the small protocol its stores implement.

A store keeps the registry's *raw* form: for each project, for each kind, for each name, a record
``{"spec": <object dict>, "created": iso, "last_updated": iso}``, plus each view's materialization
state. ``Snapshot`` turns that into declared objects once per refresh, so reads never re-parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from .. import definitions
from ..errors import (
    DataSourceNotFoundError,
    EntityNotFoundError,
    FeatureServiceNotFoundError,
    FeatureViewNotFoundError,
    OnDemandFeatureViewNotFoundError,
    PermissionNotFoundError,
    ProjectNotFoundError,
)

KINDS = [k for k in definitions.KINDS if k != "projects"]
MAX_INTERVALS = 10  # materialization history kept per view: bounded, whatever the number of runs

FORMAT = "feast-core-registry"
FORMAT_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


@dataclass
class Changes:
    """One apply: objects to create or replace, and names to delete, per kind, for one project."""

    project: str
    upserts: dict[str, dict[str, dict]] = field(default_factory=dict)  # kind -> name -> spec
    deletes: dict[str, list[str]] = field(default_factory=dict)  # kind -> names
    project_spec: dict | None = None

    def is_empty(self) -> bool:
        return not any(self.upserts.values()) and not any(self.deletes.values()) and self.project_spec is None


class RegistryStore(Protocol):
    """Where the raw registry lives. Every write is atomic; concurrent writers never lose an object."""

    def read(self) -> dict:
        """The whole raw registry: ``{"version_id", "last_updated", "projects": {name: raw project}}``."""

    def apply(self, changes: Changes) -> None:
        """Upsert and delete the given objects of one project in one atomic step."""

    def record_materialization(self, project: str, view: str, start: datetime, end: datetime) -> None:
        """Note a successful materialization of ``view`` over [start, end] (bounded history)."""

    def delete_project(self, project: str) -> None:
        """Remove a project and everything in it."""


def empty_project() -> dict:
    return {"project": None, **{kind: {} for kind in KINDS}, "materialization": {}}


def apply_to_raw(raw: dict, changes: Changes, now: datetime) -> None:
    """Apply ``changes`` to a raw registry dict in place (used by stores that rewrite a whole document)."""
    project = raw["projects"].setdefault(changes.project, empty_project())
    stamp = iso(now)
    if changes.project_spec is not None or project["project"] is None:
        spec = changes.project_spec or {"name": changes.project, "description": "", "tags": {}, "owner": ""}
        created = project["project"]["created"] if project["project"] else stamp
        project["project"] = {"spec": spec, "created": created, "last_updated": stamp}
    for kind, objects in changes.upserts.items():
        for name, spec in objects.items():
            old = project[kind].get(name)
            if old is not None and old["spec"] == spec:
                continue
            project[kind][name] = {"spec": spec, "created": old["created"] if old else stamp, "last_updated": stamp}
    for kind, names in changes.deletes.items():
        for name in names:
            project[kind].pop(name, None)
            if kind == "feature_views":
                project["materialization"].pop(name, None)


def add_interval(state: dict | None, start: datetime, end: datetime) -> dict:
    """A view's materialization state after one more successful run."""
    state = dict(state or {"most_recent_end": None, "intervals": []})
    intervals = list(state["intervals"]) + [[iso(start), iso(end)]]
    state["intervals"] = intervals[-MAX_INTERVALS:]
    if state["most_recent_end"] is None or datetime.fromisoformat(state["most_recent_end"]) < end:
        state["most_recent_end"] = iso(end)
    state["last_run"] = iso(utcnow())
    return state


@dataclass(frozen=True)
class Materialization:
    most_recent_end: datetime | None
    intervals: list[tuple[datetime, datetime]]
    last_run: datetime | None

    @classmethod
    def from_raw(cls, raw: dict | None) -> Materialization:
        if not raw:
            return cls(None, [], None)
        parse = datetime.fromisoformat
        return cls(
            parse(raw["most_recent_end"]) if raw.get("most_recent_end") else None,
            [(parse(s), parse(e)) for s, e in raw.get("intervals", [])],
            parse(raw["last_run"]) if raw.get("last_run") else None,
        )


_NOT_FOUND = {
    "entities": EntityNotFoundError,
    "data_sources": DataSourceNotFoundError,
    "feature_views": FeatureViewNotFoundError,
    "on_demand_feature_views": OnDemandFeatureViewNotFoundError,
    "feature_services": FeatureServiceNotFoundError,
    "permissions": PermissionNotFoundError,
}


class ProjectObjects:
    """The declared objects of one project, parsed once."""

    def __init__(self, name: str, raw: dict) -> None:
        self.name = name
        self.raw = raw
        record = raw.get("project")
        self.project = definitions.Project.from_dict(record["spec"]) if record else definitions.Project(name=name)
        self.objects: dict[str, dict[str, object]] = {
            kind: {n: definitions.from_dict(kind, rec["spec"]) for n, rec in raw.get(kind, {}).items()} for kind in KINDS
        }
        self.materialization = {v: Materialization.from_raw(m) for v, m in raw.get("materialization", {}).items()}
        for name, state in self.materialization.items():  # Feast's views carry their intervals
            view = self.objects["feature_views"].get(name)
            if view is not None:
                view.materialization_intervals = list(state.intervals)

    def list(self, kind: str) -> list:
        return [self.objects[kind][n] for n in sorted(self.objects[kind])]

    def get(self, kind: str, name: str):
        try:
            return self.objects[kind][name]
        except KeyError:
            raise _NOT_FOUND[kind](name, self.name, list(self.objects[kind])) from None

    def timestamps(self, kind: str, name: str) -> tuple[datetime, datetime] | None:
        record = self.raw.get(kind, {}).get(name)
        if record is None:
            return None
        return datetime.fromisoformat(record["created"]), datetime.fromisoformat(record["last_updated"])


class Snapshot:
    """An immutable, parsed copy of the registry at one moment."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.version_id: str = raw.get("version_id", "")
        self.last_updated = datetime.fromisoformat(raw["last_updated"]) if raw.get("last_updated") else None
        self._projects: dict[str, ProjectObjects] = {}

    @property
    def project_names(self) -> list[str]:
        return sorted(self.raw.get("projects", {}))

    def project(self, name: str) -> ProjectObjects:
        if name not in self._projects:
            raw = self.raw.get("projects", {}).get(name)
            if raw is None:
                raw = empty_project()
            self._projects[name] = ProjectObjects(name, raw)
        return self._projects[name]

    def require_project(self, name: str) -> ProjectObjects:
        if name not in self.raw.get("projects", {}):
            raise ProjectNotFoundError(name, known=self.project_names)
        return self.project(name)


def empty_raw() -> dict:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "version_id": "", "last_updated": None, "projects": {}}
