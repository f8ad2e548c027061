"""feast_core's earlier registry formats, recognised so they are never misread, and converted by
``feast migrate`` without loss.

* file: one JSON document ``{"format": "feast-core-registry", "format_version": 1, "projects": {...}}``
  in which every object is a dict (``{"spec": ..., "created": iso, "last_updated": iso}``) and each
  view's materialization state sits beside it;
* SQL: the tables ``feast_core_registry_meta``, ``feast_core_projects``, ``feast_core_objects`` and
  ``feast_core_materialization``. After a migration they stay where they are (nothing is dropped), marked
  with ``migrated_to`` in ``feast_core_registry_meta`` so they are no longer in the way.

Both are read into the same raw dict (``projects -> {project, <kind>: {name: record}, materialization}``)
and converted to a Feast ``Registry``: each object through its definition (``from_dict`` then
``to_proto``), with its created and last-updated times, a view's intervals in its meta (state
AVAILABLE_ONLINE once materialized), version 0 in Feast's version history, and Feast's placeholder entity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import definitions
from ..definitions import FeatureViewState, wire
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from . import message

FORMAT = "feast-core-registry"
META_TABLE = "feast_core_registry_meta"
TABLES = ("feast_core_registry_meta", "feast_core_projects", "feast_core_objects", "feast_core_materialization")
MIGRATED_KEY = "migrated_to"
MIGRATE_COMMAND = "feast migrate"
# the kinds the earlier format held, in its own names (which are Feast's Registry fields)
KINDS = ("entities", "data_sources", "feature_views", "on_demand_feature_views", "feature_services", "permissions")


@dataclass(frozen=True)
class Conversion:
    """What ``feast migrate`` converts (or would): the objects per kind, and the registry they become."""

    counts: dict[str, int]
    registry: RegistryProto


def is_legacy_file(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"{") and FORMAT.encode() in head


def file_refusal(path: Path) -> str:
    return (
        f"registry {path} is in feast_core's earlier JSON format; run `{MIGRATE_COMMAND}` in the repository to "
        "convert it to Feast's registry format without loss (a copy of the old file is kept), then run this again"
    )


def sql_refusal(label: str) -> str:
    return (
        f"{label} holds a registry in feast_core's earlier tables ({', '.join(TABLES)}); run `{MIGRATE_COMMAND}` "
        "in the repository to copy it into Feast's registry tables without loss (the old tables are kept), "
        "then run this again"
    )


def read_file(data: bytes, path: Path) -> dict:
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise ValueError(f"registry {path}: earlier feast_core format, but not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("format_version") != 1:
        raise ValueError(f"registry {path}: not a feast_core registry of format version 1")
    return raw


def _moment(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def to_registry(raw: dict) -> tuple[RegistryProto, dict[str, int]]:
    """The earlier raw registry as a Feast Registry, and how many objects of each kind it held."""
    registry = RegistryProto()
    counts: dict[str, int] = {}
    now = message.utcnow()
    for project, content in sorted(raw.get("projects", {}).items()):
        record = content.get("project")
        spec = record["spec"] if record else {"name": project, "description": "", "tags": {}, "owner": ""}
        entry = definitions.Project.from_dict(spec).to_proto()
        entry.spec.name = project
        wire.set_timestamp(entry.meta, "created_timestamp", _moment(record and record.get("created"), now))
        wire.set_timestamp(entry.meta, "last_updated_timestamp", _moment(record and record.get("last_updated"), now))
        registry.projects.append(entry)
        dummy = message.dummy_entity()
        dummy.spec.project = project
        registry.entities.append(dummy)
        materialization = content.get("materialization", {})
        for kind in KINDS:
            for name, item in sorted(content.get(kind, {}).items()):
                obj = definitions.from_dict(kind, item["spec"])
                created = _moment(item.get("created"), now)
                merged = message.merge(kind, obj.to_proto(), None, project, created, lambda: 0)
                stored = merged.message
                wire.set_timestamp(stored.meta, "last_updated_timestamp", _moment(item.get("last_updated"), created))
                state = materialization.get(name) if kind == "feature_views" else None
                if state and state.get("intervals"):
                    for start, end in state["intervals"]:
                        interval = stored.meta.materialization_intervals.add()
                        wire.set_timestamp(interval, "start_time", _moment(start, now))
                        wire.set_timestamp(interval, "end_time", _moment(end, now))
                    stored.meta.state = FeatureViewState.AVAILABLE_ONLINE
                getattr(registry, kind).append(stored)
                registry.feature_view_version_history.records.extend(merged.records)
                counts[kind] = counts.get(kind, 0) + 1
    message.stamp(registry, now)
    return registry, counts


def read_sql(cursor, from_json, from_ts) -> dict:
    """The earlier SQL tables as the raw dict (``from_json``/``from_ts`` decode the dialect's columns)."""
    projects: dict[str, dict] = {}

    def project(name: str) -> dict:
        return projects.setdefault(name, {"project": None, **{k: {} for k in KINDS}, "materialization": {}})

    cursor.execute("SELECT project, spec, created, last_updated FROM feast_core_projects")
    for name, spec, created, updated in cursor.fetchall():
        project(name)["project"] = {"spec": from_json(spec), "created": from_ts(created), "last_updated": from_ts(updated)}
    cursor.execute("SELECT project, kind, name, spec, created, last_updated FROM feast_core_objects")
    for name, kind, obj, spec, created, updated in cursor.fetchall():
        if kind not in KINDS:
            raise ValueError(f"table feast_core_objects holds an object of kind {kind!r} that this release cannot convert")
        project(name)[kind][obj] = {"spec": from_json(spec), "created": from_ts(created), "last_updated": from_ts(updated)}
    cursor.execute("SELECT project, view, state FROM feast_core_materialization")
    for name, view, state in cursor.fetchall():
        project(name)["materialization"][view] = from_json(state)
    return {"format": FORMAT, "format_version": 1, "projects": projects}
