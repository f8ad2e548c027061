"""Feast's ``Registry`` message: which field holds which kind, and what an apply, a materialization and a
project deletion change in the stored messages, as upstream Feast 0.67 changes them.

Every store keeps objects as the bytes of their own message (``feast.core.Entity``, ...). The file store
keeps the whole ``Registry``; the SQL store one row per object. Both call the functions here on the
messages they hold, so they write the same bytes:

* ``merge``: the message an upsert stores, from the message the apply built and the one stored before
  (``spec.project``, created and last-updated times, a feature view's materialization intervals and
  state, its version number and Feast's version-history records);
* ``add_interval``: a successful materialization recorded in a feature view's ``meta``;
* ``apply_changes`` / ``delete_project``: the same over a whole ``Registry`` (the file store).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from google.protobuf.message import Message

from ..definitions import wire
from ..definitions.feature_view import DUMMY_ENTITY_ID, DUMMY_ENTITY_NAME, FeatureViewState
from ..protos.feast.core.DataSource_pb2 import DataSource as DataSourceProto
from ..protos.feast.core.Entity_pb2 import Entity as EntityProto
from ..protos.feast.core.FeatureService_pb2 import FeatureService as FeatureServiceProto
from ..protos.feast.core.FeatureTable_pb2 import FeatureTable as FeatureTableProto
from ..protos.feast.core.FeatureView_pb2 import FeatureView as FeatureViewProto
from ..protos.feast.core.FeatureViewVersion_pb2 import FeatureViewVersionRecord
from ..protos.feast.core.InfraObject_pb2 import Infra, InfraObject
from ..protos.feast.core.LabelView_pb2 import LabelView as LabelViewProto
from ..protos.feast.core.OnDemandFeatureView_pb2 import OnDemandFeatureView as OnDemandFeatureViewProto
from ..protos.feast.core.Permission_pb2 import Permission as PermissionProto
from ..protos.feast.core.Project_pb2 import Project as ProjectProto
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from ..protos.feast.core.SavedDataset_pb2 import SavedDataset as SavedDatasetProto
from ..protos.feast.core.StreamFeatureView_pb2 import StreamFeatureView as StreamFeatureViewProto
from ..protos.feast.core.ValidationProfile_pb2 import ValidationReference as ValidationReferenceProto

SCHEMA_VERSION = "1"  # Registry.registry_schema_version, as Feast writes it

# Registry field -> message class. The modeled kinds are read into feast_core's definitions; the others
# are kept exactly as they were written and listed by name.
MESSAGE_TYPES: dict[str, type[Message]] = {
    "projects": ProjectProto,
    "entities": EntityProto,
    "data_sources": DataSourceProto,
    "feature_views": FeatureViewProto,
    "on_demand_feature_views": OnDemandFeatureViewProto,
    "feature_services": FeatureServiceProto,
    "saved_datasets": SavedDatasetProto,
    "permissions": PermissionProto,
    "stream_feature_views": StreamFeatureViewProto,
    "validation_references": ValidationReferenceProto,
    "label_views": LabelViewProto,
    "feature_tables": FeatureTableProto,
}
OTHER_KINDS = ("label_views", "validation_references", "feature_tables")
MODELED_KINDS = tuple(k for k in MESSAGE_TYPES if k not in OTHER_KINDS)
OBJECT_KINDS = tuple(k for k in MESSAGE_TYPES if k != "projects")
VIEW_KINDS = ("feature_views", "on_demand_feature_views", "stream_feature_views", "label_views")

LABELS = {
    "projects": "project",
    "entities": "entity",
    "data_sources": "data source",
    "feature_views": "feature view",
    "on_demand_feature_views": "on demand feature view",
    "feature_services": "feature service",
    "saved_datasets": "saved dataset",
    "permissions": "permission",
    "stream_feature_views": "stream feature view",
    "validation_references": "validation reference",
    "label_views": "label view",
    "feature_tables": "feature table",
}

# Feast's version-history type names
VERSIONED_TYPES = {"feature_views": "feature_view", "on_demand_feature_views": "on_demand_feature_view"}

SQLITE_TABLE_CLASS = "feast.infra.online_stores.sqlite.SqliteTable"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---- names, projects ----------------------------------------------------------------------------------


def _has_spec(message: Message) -> bool:
    return "spec" in message.DESCRIPTOR.fields_by_name


def name_of(message: Message) -> str:
    return message.spec.name if _has_spec(message) else message.name


def project_of(message: Message) -> str:
    return message.spec.project if _has_spec(message) else message.project


def set_project(message: Message, project: str) -> None:
    if _has_spec(message):
        message.spec.project = project
    else:
        message.project = project


def project_names(registry: RegistryProto) -> set[str]:
    """Every project the registry knows: its ``projects`` entries, the projects its objects name, and the
    deprecated ``project_metadata`` entries (Feast reads those as projects too)."""
    names = {p.spec.name for p in registry.projects}
    names.update(m.project for m in registry.project_metadata)
    for kind in OBJECT_KINDS:
        names.update(project_of(m) for m in getattr(registry, kind))
    names.discard("")
    return names


def dummy_entity() -> EntityProto:
    """Feast's placeholder entity for views without entities; ``feast apply`` always registers it."""
    message = EntityProto()
    message.spec.name, message.spec.join_key = DUMMY_ENTITY_NAME, DUMMY_ENTITY_ID
    return message


# ---- one upsert --------------------------------------------------------------------------------------


@dataclass
class Merged:
    """What an upsert stores: the object's message and Feast's version-history records to add."""

    message: Message
    records: list[FeatureViewVersionRecord] = field(default_factory=list)
    drop_history: bool = False  # a new view: records of an earlier view of that name are dropped


def _meta(message: Message) -> Message | None:
    return message.meta if "meta" in message.DESCRIPTOR.fields_by_name else None


def merge(
    kind: str, new: Message, old: Message | None, project: str, now: datetime, next_version: Callable[[], int]
) -> Merged:
    """The message to store for ``new`` (a copy; ``new`` is not changed), given the one stored before.

    As Feast: ``spec.project`` set; created time kept from ``old`` (else now), last updated now; a feature
    view keeps its materialization intervals and its state; views get ``spec.version = "latest"`` when
    unversioned, version 0 when created and the next version when their schema or function changes, each
    with a version-history record of its bytes (the previous bytes are recorded as version 0 first when
    the view had no history). ``next_version()`` is the next free version number of the view.
    """
    message = wire.copy_message(new)
    set_project(message, project)
    meta = _meta(message)
    if meta is not None and "created_timestamp" in meta.DESCRIPTOR.fields_by_name:
        old_meta = _meta(old) if old is not None else None
        if old_meta is not None and old_meta.HasField("created_timestamp"):
            meta.created_timestamp.CopyFrom(old_meta.created_timestamp)
        else:
            wire.set_timestamp(meta, "created_timestamp", now)
        wire.set_timestamp(meta, "last_updated_timestamp", now)
    if kind == "feature_views" and old is not None:
        del meta.materialization_intervals[:]
        meta.materialization_intervals.extend(old.meta.materialization_intervals)
        if meta.state == FeatureViewState.STATE_UNSPECIFIED:
            meta.state = old.meta.state
    if kind not in VERSIONED_TYPES:
        return Merged(message)
    if not message.spec.version:
        message.spec.version = "latest"
    if old is None:
        message.meta.current_version_number = 0
        return Merged(message, [_record(kind, message, project, 0, now)], drop_history=True)
    if not _schema_changed(kind, old, message):
        message.meta.current_version_number = old.meta.current_version_number
        return Merged(message)
    records = []
    number = next_version()
    if number == 0:
        records.append(_record(kind, old, project, 0, now))
        number = 1
    message.meta.current_version_number = number
    records.append(_record(kind, message, project, number, now))
    return Merged(message, records)


def _record(kind: str, message: Message, project: str, number: int, now: datetime) -> FeatureViewVersionRecord:
    record = FeatureViewVersionRecord(
        feature_view_name=name_of(message), project_id=project, version_number=number,
        feature_view_type=VERSIONED_TYPES[kind], feature_view_proto=message.SerializeToString(),
        description="", version_id=str(uuid.uuid4()),
    )
    wire.set_timestamp(record, "created_timestamp", now)
    return record


def _sorted_bytes(items: Iterable[Message]) -> list[bytes]:
    return sorted(i.SerializeToString(deterministic=True) for i in items)


def _schema_changed(kind: str, old: Message, new: Message) -> bool:
    """Feast's "version-significant" change: features, entities and join keys (and an on-demand view's
    function, mode and sources); descriptions, tags, ttl and sources of a feature view are not."""
    a, b = old.spec, new.spec
    if _sorted_bytes(a.features) != _sorted_bytes(b.features):
        return True
    if sorted(a.entities) != sorted(b.entities) or _sorted_bytes(a.entity_columns) != _sorted_bytes(b.entity_columns):
        return True
    if kind == "feature_views":
        return _sorted_bytes(a.source_views) != _sorted_bytes(b.source_views)
    udf_a, udf_b = a.feature_transformation.user_defined_function, b.feature_transformation.user_defined_function
    if (udf_a.name, udf_a.body_text, udf_a.mode) != (udf_b.name, udf_b.body_text, udf_b.mode):
        return True
    if a.mode != b.mode or _sorted_bytes(a.aggregations) != _sorted_bytes(b.aggregations):
        return True
    return {k: v.SerializeToString(deterministic=True) for k, v in a.sources.items()} != {
        k: v.SerializeToString(deterministic=True) for k, v in b.sources.items()
    }


def touch_project(message: ProjectProto | None, project: str, declared: ProjectProto | None, now: datetime) -> ProjectProto:
    """The project entry after an apply: as declared (or as it was, or a bare one), created time kept,
    last updated now."""
    result = wire.copy_message(declared if declared is not None else message if message is not None else ProjectProto())
    result.spec.name = project
    if message is not None and message.meta.HasField("created_timestamp"):
        result.meta.created_timestamp.CopyFrom(message.meta.created_timestamp)
    else:
        wire.set_timestamp(result.meta, "created_timestamp", now)
    wire.set_timestamp(result.meta, "last_updated_timestamp", now)
    return result


# ---- materialization ---------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def add_interval(view: FeatureViewProto, start: datetime, end: datetime, now: datetime) -> None:
    """Record [start, end] as materialized in ``view`` (changed in place), as Feast does: the interval is
    appended, the state becomes AVAILABLE_ONLINE, last updated now. One thing more: intervals that
    overlap or touch the new one are merged with it (the time covered is the same), so a view
    materialized incrementally every hour keeps one interval, not one per run."""
    start, end = _utc(start), _utc(end)
    kept = []
    for interval in view.meta.materialization_intervals:
        s = wire.get_timestamp(interval, "start_time")
        e = wire.get_timestamp(interval, "end_time")
        if s is not None and e is not None and s <= end and start <= e:
            start, end = min(start, s), max(end, e)
        else:
            kept.append(wire.copy_message(interval))
    del view.meta.materialization_intervals[:]
    view.meta.materialization_intervals.extend(kept)
    added = view.meta.materialization_intervals.add()
    wire.set_timestamp(added, "start_time", start)
    wire.set_timestamp(added, "end_time", end)
    view.meta.state = FeatureViewState.AVAILABLE_ONLINE
    wire.set_timestamp(view.meta, "last_updated_timestamp", now)


# ---- infra -------------------------------------------------------------------------------------------


def sqlite_tables(path: str, names: Iterable[str]) -> list[InfraObject]:
    """The infra entries Feast's SQLite online store registers: one per table, with the database's path."""
    return [
        InfraObject(infra_object_class_type=SQLITE_TABLE_CLASS, sqlite_table={"path": path, "name": name})
        for name in names
    ]


# ---- a whole Registry (the file store) ---------------------------------------------------------------


def find(registry: RegistryProto, kind: str, project: str, name: str) -> int | None:
    for index, message in enumerate(getattr(registry, kind)):
        if name_of(message) == name and project_of(message) == project:
            return index
    return None


def _remove(container, keep: Callable[[Message], bool]) -> None:
    kept = [wire.copy_message(m) for m in container if keep(m)]
    del container[:]
    container.extend(kept)


def apply_changes(registry: RegistryProto, changes, now: datetime) -> None:
    """Apply ``changes`` (a registry.base.Changes) to a whole Registry in place."""
    project = changes.project
    index = next((i for i, p in enumerate(registry.projects) if p.spec.name == project), None)
    current = registry.projects[index] if index is not None else None
    touched = touch_project(current, project, changes.project_proto, now)
    if index is None:
        registry.projects.append(touched)
    else:
        registry.projects[index].CopyFrom(touched)
    history = registry.feature_view_version_history.records
    old_views = _view_names(registry, project)
    for kind, messages in changes.upserts.items():
        container = getattr(registry, kind)
        for new in messages:
            name = name_of(new)
            at = find(registry, kind, project, name)
            old = container[at] if at is not None else None

            def next_version(name: str = name) -> int:
                numbers = [r.version_number for r in history if r.feature_view_name == name and r.project_id == project]
                return max(numbers) + 1 if numbers else 0

            merged = merge(kind, new, old, project, now, next_version)
            if merged.drop_history:
                _remove(history, lambda r, name=name: not (r.feature_view_name == name and r.project_id == project))
            for record in merged.records:
                _remove(history, lambda r, rec=record: not (
                    r.feature_view_name == rec.feature_view_name and r.project_id == project
                    and r.version_number == rec.version_number
                ))
                history.append(record)
            if at is None:
                container.append(merged.message)
            else:
                container[at].CopyFrom(merged.message)
    for kind, names in changes.deletes.items():
        doomed = set(names)
        _remove(getattr(registry, kind), lambda m, doomed=doomed: not (project_of(m) == project and name_of(m) in doomed))
        if kind in VERSIONED_TYPES:
            _remove(history, lambda r, doomed=doomed: not (r.project_id == project and r.feature_view_name in doomed))
    if changes.infra is not None:
        _replace_infra(registry.infra, project, old_views | _view_names(registry, project), changes.infra)


def _view_names(registry: RegistryProto, project: str) -> set[str]:
    """The project's feature views with online tables (stream feature views too)."""
    return {name_of(m) for kind in ("feature_views", "stream_feature_views") for m in getattr(registry, kind)
            if project_of(m) == project}


def _replace_infra(infra: Infra, project: str, views: set[str], objects: list[InfraObject]) -> None:
    """The file registry has one Infra for every project (Feast's own quirk: its apply replaces it with the
    applying project's); here only the entries of this project's tables are replaced."""
    ours = {f"{project}_{view}" for view in views} | {o.sqlite_table.name for o in objects}
    _remove(infra.infra_objects, lambda o: not (o.WhichOneof("infra_object") == "sqlite_table"
                                                 and o.sqlite_table.name in ours))
    infra.infra_objects.extend(objects)


def delete_project(registry: RegistryProto, project: str) -> None:
    """Remove a project and everything in it, the kinds feast_core does not model included."""
    tables = {f"{project}_{name_of(m)}" for kind in ("feature_views", "stream_feature_views")
              for m in getattr(registry, kind) if project_of(m) == project}
    for kind in OBJECT_KINDS:
        _remove(getattr(registry, kind), lambda m: project_of(m) != project)
    _remove(registry.projects, lambda p: p.spec.name != project)
    _remove(registry.project_metadata, lambda m: m.project != project)
    _remove(registry.feature_view_version_history.records, lambda r: r.project_id != project)
    _remove(registry.infra.infra_objects, lambda o: not (
        o.WhichOneof("infra_object") == "sqlite_table" and o.sqlite_table.name in tables
    ))


def record_materialization(registry: RegistryProto, project: str, view: str, start: datetime, end: datetime,
                           now: datetime) -> bool:
    """Record a materialization of ``view``; False when the view no longer exists (nothing is recorded)."""
    for kind in ("feature_views", "stream_feature_views"):
        at = find(registry, kind, project, view)
        if at is not None:
            add_interval(getattr(registry, kind)[at], start, end, now)
            return True
    return False


def stamp(registry: RegistryProto, now: datetime) -> None:
    """What every file write sets, as Feast: schema version "1", a new version id, last updated now."""
    registry.registry_schema_version = SCHEMA_VERSION
    registry.version_id = str(uuid.uuid4())
    wire.set_timestamp(registry, "last_updated", now)
