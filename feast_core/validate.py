"""Checking and completing declared objects before an apply writes anything.

Entity types are inferred from the views that use them, empty schemas from the source's columns,
and every reference (view to entity, service to view and feature) is resolved; any fault raises
an error naming the object, and the registry is untouched.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from . import definitions, diff
from .definitions import DataSource, FeatureView, Field, OnDemandFeatureView
from .definitions.base import check_stored_name
from .definitions.feature_view import DUMMY_ENTITY_NAME
from .errors import (
    ConflictingFeatureViewNames,
    DataSourceError,
    DataSourceNotFoundException,
    DataSourceRepeatNamesException,
    RegistryInferenceFailure,
    RepoError,
)
from .registry.snapshot import ProjectObjects
from .transform import try_on_sample
from .types import Invalid, column_fits, describe_arrow, from_arrow, from_value_type

log = logging.getLogger(__name__)

SchemaReader = Callable[[DataSource], pa.Schema]


@dataclass
class Desired:
    """The objects an apply wants, completed and checked, per registry kind; the project's if declared."""

    objects: dict[str, dict[str, object]]
    project: definitions.Project | None


APPLIED_KINDS = (*diff.KIND_LABELS, "saved_datasets")


def prepare(
    items: list, project: str, registered: ProjectObjects, source_schema: SchemaReader, skip_source_validation: bool,
    skip_feature_view_validation: bool = False, timestamps: bool = True,
) -> Desired:
    """Check and complete declared objects (entity types, inferred schemas, sources) before anything is written.

    ``registered`` holds what references may resolve to besides ``items`` (empty for a whole repo).
    ``source_schema`` reads a data source's columns; nothing is written. With ``timestamps`` False a source
    without timestamp_field is not read to find it (Feast's view inference on its own leaves that to apply). Each on-demand view's function is
    tried on one made-up row (unless ``skip_feature_view_validation``): it must return every declared feature.
    The views and entities returned are the user's own where nothing needed completing, else completed copies
    (``fill_in`` gives the user's objects what was inferred, as Feast's apply does).
    """
    by_kind: dict[str, dict[str, object]] = {k: {} for k in ("projects", *APPLIED_KINDS)}
    views_by_name: dict[str, object] = {}  # lower-cased name -> the object declared with it
    for obj in items:
        kind = "saved_datasets" if isinstance(obj, definitions.SavedDataset) else None
        try:
            kind = kind or definitions.kind_of(obj)
        except TypeError:
            raise RepoError(f"cannot apply {obj!r}: not an entity, view, source, service or permission") from None
        if kind != "data_sources":  # a source's name defaults to its path; the others name tables and objects
            try:
                check_stored_name(diff.KIND_LABELS.get(kind, kind), obj.name)
            except ValueError as exc:
                raise RepoError(str(exc)) from None
        if isinstance(obj, (FeatureView, OnDemandFeatureView)):
            # as in Feast: two feature views of any kind may not share a name, whatever its case
            first = views_by_name.setdefault(obj.name.lower(), obj)
            if first is not obj:
                raise ConflictingFeatureViewNames(obj.name, type(first).__name__, type(obj).__name__)
            obj = _unprojected(obj)
        seen = by_kind[kind].get(obj.name)
        if seen is not None and seen is not obj and seen != obj:
            raise RepoError(f"two different {diff.KIND_LABELS.get(kind, kind)} objects are named {obj.name!r}")
        by_kind[kind][obj.name] = obj
    declared_project = by_kind.pop("projects").get(project)
    # the entities and sources a view was declared with are applied with it
    for view in list(by_kind["feature_views"].values()):
        for entity in view.entity_objects:
            other = by_kind["entities"].setdefault(entity.name, entity)
            if other is not entity and other != entity:
                if not _same_but_inferred(other, entity):
                    raise RepoError(f"two different entity objects are named {entity.name!r}")
                if other.value_type.name == "UNKNOWN":  # keep the one an earlier apply filled in
                    by_kind["entities"][entity.name] = entity
        for source in (view.source, view.batch_source):
            if source is not None:
                by_kind["data_sources"].setdefault(source.name, source)
    for view in by_kind["on_demand_feature_views"].values():
        for request in view.request_sources:
            by_kind["data_sources"].setdefault(request.name, request)
    # as in Feast, a stream or push source is applied with the batch source it reads back from
    for source in list(by_kind["data_sources"].values()):
        batch = source.batch_source
        if batch is not None and batch is not source:
            by_kind["data_sources"].setdefault(batch.name, batch)
    _check_source_names(items, by_kind)
    entities = {**registered.objects["entities"], **by_kind["entities"]}
    schemas: dict[str, pa.Schema] = {}
    views = {
        view.name: _complete_view(view, entities, schemas, source_schema, skip_source_validation, timestamps)
        for view in by_kind["feature_views"].values()
    }
    # entities with no declared type take the type of their join key in the views that use them
    typed_entities = {}
    for name, entity in by_kind["entities"].items():
        if entity.value_type.name == "UNKNOWN":
            for view in views.values():
                column = next((f for f in view.entity_columns if f.name == entity.join_key), None)
                if column is not None and name in view.entities:
                    entity = copy.copy(entity)
                    entity.value_type = column.dtype.value_type
                    break
        typed_entities[name] = entity
    all_views = {**registered.objects["feature_views"], **views}
    all_odfvs = {**registered.objects["on_demand_feature_views"], **by_kind["on_demand_feature_views"]}
    for odfv in by_kind["on_demand_feature_views"].values():
        odfv.view_sources = [
            _complete_projection(f"on-demand feature view {odfv.name!r}", source, all_views, {})
            for source in odfv.view_sources
        ]
        if not skip_feature_view_validation:
            try_on_sample(odfv, _odfv_inputs(odfv, all_views))
    for service in by_kind["feature_services"].values():
        service.projections = [
            _complete_projection(f"feature service {service.name!r}", projection, all_views, all_odfvs)
            for projection in service.projections
        ]
    return Desired({**by_kind, "entities": typed_entities, "feature_views": views}, declared_project)


def _complete_view(
    view: FeatureView, entities: dict, schemas: dict, source_schema: SchemaReader, skip_validation: bool,
    timestamps: bool = True,
) -> FeatureView:
    """The view with its entity columns typed and an empty schema inferred (a copy when anything changed)."""
    if view.source is None:
        raise RepoError(
            f"feature view {view.name!r} has no source to read its rows from (a derived view needs sink_source)"
        )
    declared = {e.name: e for e in view.entity_objects}
    join_keys = []
    view_entities = [e for e in view.entities if e != DUMMY_ENTITY_NAME]  # without an entity-less view's placeholder
    for name in view_entities:
        entity = declared.get(name) or entities.get(name)
        if entity is None:
            raise RepoError(f"feature view {view.name!r} uses entity {name!r}, which is not defined")
        join_keys.append(entity.join_key)
    source = view.batch_source
    schema = None
    declared_keys = {f.name for f in view.entity_columns}
    untyped_keys = [
        key for name, key in zip(view_entities, join_keys)
        if key not in declared_keys and (declared.get(name) or entities[name]).value_type.name == "UNKNOWN"
    ]
    # the source is read to infer what the view leaves out; otherwise only to check it, and only if it has data
    # already (as in Feast, a repo whose data does not exist yet applies)
    inferring = view.schema_inferred or bool(untyped_keys) or (timestamps and not source.timestamp_field)
    if inferring or not skip_validation:
        if source.name not in schemas:
            try:
                schemas[source.name] = source_schema(source)
            except DataSourceNotFoundException as exc:
                if inferring:
                    raise RegistryInferenceFailure(
                        f"feature view {view.name!r}", f"its source has nothing to read the {_missing_parts(view, untyped_keys)} from: {exc}"
                    ) from None
                log.info("not checking %s: %s", view.name, exc)
                schemas[source.name] = None
        schema = schemas[source.name]
    if schema is not None:
        columns = {source.mapped(f.name): f for f in schema}
        # timestamp_field names a column after field_mapping (as in Feast)
        if source.timestamp_field and source.mapped(source.timestamp_field) not in columns:
            raise DataSourceError(
                f"data source {source.name!r} has no timestamp column {source.timestamp_field!r}; "
                f"it has {', '.join(columns)}"
            )
        if not source.timestamp_field and timestamps:
            stamps = [f.name for f in schema if pa.types.is_timestamp(f.type)]
            if len(stamps) != 1:
                raise DataSourceError(
                    f"data source {source.name!r} needs timestamp_field: it has {len(stamps)} timestamp columns"
                )
    entity_columns = {f.name: f for f in view.entity_columns}
    for name, key in zip(view_entities, join_keys):
        if key in entity_columns:
            continue
        entity = declared.get(name) or entities[name]
        if entity.value_type.name != "UNKNOWN":
            entity_columns[key] = Field(name=key, dtype=from_value_type(entity.value_type))
        elif schema is not None and key in columns:
            entity_columns[key] = Field(name=key, dtype=from_arrow(columns[key].type))
        else:
            raise RepoError(
                f"feature view {view.name!r}: cannot tell the type of join key {key!r}: give entity {name!r} a "
                f"value_type, declare {key!r} in the view's schema, or let its source hold a {key!r} column"
            )
    features = list(view.features)
    if schema is not None:
        skip = set(join_keys) | {source.mapped(source.timestamp_field), source.mapped(source.created_timestamp_column)}
        if view.schema_inferred:
            features = [
                Field(name=name, dtype=from_arrow(f.type)) for name, f in columns.items() if name not in skip
            ]
        missing = [f.name for f in features if f.name not in columns]
        missing += [k for k in join_keys if k not in columns]
        if missing:
            raise DataSourceError(
                f"feature view {view.name!r}: column(s) {', '.join(missing)} not in data source "
                f"{source.name!r} (it has {', '.join(columns)})"
            )
        if not skip_validation:
            _check_types(view, [*view.entity_columns, *features], columns, source)
    if any(f.dtype is Invalid for f in features):
        raise RepoError(f"feature view {view.name!r}: a feature has type Invalid")
    typed_keys = [entity_columns[k] for k in join_keys]
    if view.entityless:
        typed_keys.append(definitions.feature_view.DUMMY_ENTITY_FIELD)
    if typed_keys == view.entity_columns and features == view.features and not view.schema_inferred:
        return view
    completed = copy.copy(view)
    completed.entity_columns = typed_keys
    completed.features = features
    completed.schema_inferred = False
    completed._reset_projection()
    return completed


def fill_in(items: list, desired: Desired) -> None:
    """After an apply: the objects passed to it carry what the apply inferred, as in Feast (a view's entity
    columns and inferred features, an entity's value type)."""
    for obj in items:
        if isinstance(obj, FeatureView):
            completed = desired.objects["feature_views"].get(obj.name)
            if completed is None or completed is obj:
                continue
            obj.entity_columns = list(completed.entity_columns)
            if obj.schema_inferred:
                obj.features = list(completed.features)
                obj.schema_inferred = False
                obj._reset_projection()
            for entity in obj.entity_objects:
                fill_in([entity], desired)
        elif isinstance(obj, definitions.Entity):
            completed = desired.objects["entities"].get(obj.name)
            if completed is not None and obj.value_type.name == "UNKNOWN":
                obj.value_type = completed.value_type


def _odfv_inputs(odfv: OnDemandFeatureView, views: dict) -> dict[str, object]:
    """The columns an on-demand view's function receives, with their types."""
    inputs: dict[str, object] = {}
    for source in odfv.view_sources:
        view = views[source.name]
        types = {f.name: f.dtype for f in (*view.entity_columns, *view.features)}
        for key in view.entity_key_columns:
            inputs[source.join_key_map.get(key, key)] = types[key]
        for feature in source.feature_names:
            inputs[feature] = inputs[f"{source.name_to_use()}__{feature}"] = types[feature]
    for request in odfv.request_sources:
        inputs.update({f.name: f.dtype for f in request.schema})
    return inputs


def _same_but_inferred(a, b) -> bool:
    """Two entities that differ only in a value type one of them had filled in by an earlier apply."""
    left, right = a.to_dict(), b.to_dict()
    if "UNKNOWN" not in (left["value_type"], right["value_type"]):
        return False
    left.pop("value_type"), right.pop("value_type")
    return left == right


def _check_source_names(items: list, by_kind: dict) -> None:
    """As in Feast: data sources (declared, or inline in a view) with the same name, whatever its case, must be
    the same source."""
    seen: dict[str, DataSource] = {}
    declared = [o for o in items if isinstance(o, DataSource)]
    inline = [s for v in by_kind["feature_views"].values() for s in (v.source, v.batch_source) if s is not None]
    inline += [r for v in by_kind["on_demand_feature_views"].values() for r in v.request_sources]
    for source in declared + inline:
        first = seen.setdefault(source.name.lower(), source)
        if first is not source and first != source:
            raise DataSourceRepeatNamesException(source.name)


def _check_types(view: FeatureView, declared: list[Field], columns: dict[str, pa.Field], source: DataSource) -> None:
    for field in declared:
        column = columns.get(field.name)
        if column is not None and not column_fits(field.dtype, column.type):
            raise RepoError(
                f"feature view {view.name!r}: field {field.name!r} is declared {field.dtype} but column "
                f"{column.name!r} of data source {source.name!r} holds {describe_arrow(column.type)}; "
                "declare a type that fits the column (or apply with --skip-source-validation)"
            )


def _missing_parts(view: FeatureView, untyped_keys: list[str]) -> str:
    parts = (["schema"] if view.schema_inferred else []) + [f"type of join key {k!r}" for k in untyped_keys]
    return " and ".join(parts) or "timestamp field"


def _unprojected(view):
    """A view as declared, whatever projection the user's object carries."""
    projection = view.projection
    if projection.name_alias is None and not projection.join_key_map and projection.feature_names == [
        f.name for f in view.features
    ]:
        return view
    clone = copy.copy(view)
    clone._reset_projection()
    return clone


def _complete_projection(owner: str, projection, views: dict, odfvs: dict):
    """The projection with the types of the features it selects (all of the view's when it names none), as
    Feast's ``infer_features`` completes a feature service; RepoError naming what does not exist."""
    target = views.get(projection.name) or odfvs.get(projection.name)
    if target is None:
        raise RepoError(f"{owner} refers to feature view {projection.name!r}, which is not defined")
    try:
        return definitions.complete_projection(projection, target, owner)
    except ValueError as exc:
        raise RepoError(str(exc)) from None


def update_feature_views_with_inferred_features_and_entities(provider, fvs: list, entities: list, config) -> None:
    """Feast's inference step on its own: give ``fvs`` (and ``entities``) the entity columns, features and value
    types an apply would infer, reading sources' schemas through ``provider``'s offline store; nothing is
    written. RepoError (or the source's error) names what cannot be inferred."""
    from .registry.snapshot import empty_project

    items = [*entities, *fvs]
    desired = prepare(items, config.project, empty_project(config.project),
                      provider.offline_store.source_schema, skip_source_validation=True, timestamps=False)
    fill_in(items, desired)
