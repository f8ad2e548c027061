"""Feature views and their projections (``view[["a", "b"]]``, ``view.with_name("alias")``)."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import types
from . import wire
from .base import Described, check_unmodeled, ttl_to_seconds
from .entity import Entity
from .field import Field
from .sources import DataSource, source_from_dict

# Feast gives entity-less views this placeholder entity, whose join key holds "" for every row
DUMMY_ENTITY_NAME = "__dummy"
DUMMY_ENTITY_ID = "__dummy_id"
DUMMY_ENTITY_VAL = ""
DUMMY_ENTITY_FIELD = Field(name=DUMMY_ENTITY_ID, dtype=types.String)


class FeatureViewState(enum.IntEnum):
    """Feast's ``FeatureViewState`` (``meta.state``): online reads need UNSPECIFIED or AVAILABLE_ONLINE."""

    STATE_UNSPECIFIED = 0
    CREATED = 1
    GENERATED = 2
    MATERIALIZING = 3
    AVAILABLE_ONLINE = 4


@dataclass
class FeatureViewProjection:
    """Which features of a view a reference selects, under which name, joined on which columns (Feast's class).

    ``name`` is the view's name and ``name_alias`` the name it is used under (``view.with_name("alias")``);
    ``name_to_use()`` is the one feature references and full feature names carry. ``features`` are the
    selected features with their types; ``desired_features`` the names selected from a view whose schema was
    not known yet (an apply infers it).
    """

    name: str
    name_alias: str | None = None
    desired_features: list[str] = field(default_factory=list)
    features: list[Field] = field(default_factory=list)
    join_key_map: dict[str, str] = field(default_factory=dict)
    timestamp_field: str | None = None
    date_partition_column: str | None = None
    created_timestamp_column: str | None = None
    batch_source: DataSource | None = field(default=None, compare=False, repr=False)
    _wire: tuple | None = field(default=None, compare=False, repr=False)

    def name_to_use(self) -> str:
        """The name used in feature references and full feature names."""
        return self.name_alias or self.name

    @property
    def feature_names(self) -> list[str]:
        """The selected features' names (typed ones, else the desired ones)."""
        return [f.name for f in self.features] if self.features else list(self.desired_features)

    def get_feature(self, feature_name: str) -> Field:
        for feature in self.features:
            if feature.name == feature_name:
                return feature
        raise KeyError(f"feature {feature_name!r} is not in the projection of {self.name_to_use()!r}")

    @staticmethod
    def from_definition(base_feature_view) -> FeatureViewProjection:
        """The projection selecting every feature of a view, under its own name. As Feast's, a feature view's
        carries its batch source and that source's created-timestamp column (also as ``timestamp_field``:
        Feast's own quirk, kept so upstream Feast reads the same projection back and plans no change)."""
        source = getattr(base_feature_view, "batch_source", None)  # an on-demand view has none
        created = (source.created_timestamp_column or None) if source is not None else None
        return FeatureViewProjection(name=base_feature_view.name, features=list(base_feature_view.features),
                                     timestamp_field=created, created_timestamp_column=created, batch_source=source)

    from_feature_view_definition = from_definition

    def __bool__(self) -> bool:
        return True

    # ---- wire form: feast.core.FeatureViewProjection ----

    # the copies of the view's sources, version_tag and view_type are not modeled: Feast's readers do not need
    # them, and a projection read keeps them
    MODELED = (
        "feature_view_name", "feature_columns", "feature_view_name_alias", "join_key_map", "timestamp_field",
        "date_partition_column", "created_timestamp_column",
    )

    def _build_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2
        from ..protos.feast.core.FeatureViewProjection_pb2 import (
            FeatureViewProjection as FeatureViewProjectionProto,
        )

        proto = FeatureViewProjectionProto(
            feature_view_name=self.name, feature_view_name_alias=self.name_alias or "",
            timestamp_field=self.timestamp_field or "", date_partition_column=self.date_partition_column or "",
            created_timestamp_column=self.created_timestamp_column or "",
        )
        if self.features:
            proto.feature_columns.extend(f.to_proto() for f in self.features)
        else:
            proto.feature_columns.extend(FeatureSpecV2(name=n) for n in self.desired_features)
        proto.join_key_map.update(self.join_key_map)
        if self.batch_source is not None:
            proto.batch_source.CopyFrom(self.batch_source.to_proto())
        proto.view_type = "featureView"
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> FeatureViewProjection:
        fields = [Field.from_proto(f) for f in proto.feature_columns]
        typed = [f for f in fields if f.dtype is not types.Invalid]  # a column written by name only has no type
        projection = cls(
            name=proto.feature_view_name, name_alias=proto.feature_view_name_alias or None,
            desired_features=[] if len(typed) == len(fields) else [f.name for f in fields],
            features=typed if len(typed) == len(fields) else [],
            join_key_map=dict(proto.join_key_map), timestamp_field=proto.timestamp_field or None,
            date_partition_column=proto.date_partition_column or None,
            created_timestamp_column=proto.created_timestamp_column or None,
            batch_source=DataSource.from_proto(proto.batch_source) if proto.HasField("batch_source") else None,
        )
        wire.remember(projection, proto)
        return projection

    # ---- the registry's dict form ----

    def to_dict(self) -> dict:
        data = {
            "view": self.name, "features": self.feature_names, "alias": self.name_alias or "",
            "join_key_map": dict(self.join_key_map),
        }
        if self.features:
            data["fields"] = [f.to_dict() for f in self.features]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureViewProjection:
        fields = [Field.from_dict(f) for f in data.get("fields", [])]
        return cls(
            name=data["view"], name_alias=data["alias"] or None,
            desired_features=[] if fields else list(data["features"]), features=fields,
            join_key_map=dict(data["join_key_map"]),
        )


Projection = FeatureViewProjection  # feast_core's earlier name


def complete_projection(projection: FeatureViewProjection, view, owner: str) -> FeatureViewProjection:
    """A copy of ``projection`` with the types of the features it selects from ``view`` (all of them when it
    names none); ValueError naming ``owner`` for a feature the view does not have."""
    typed = {f.name: f for f in view.features}
    wanted = projection.feature_names or list(typed)
    unknown = [f for f in wanted if f not in typed]
    if unknown:
        raise ValueError(f"{owner} selects {unknown} from {projection.name!r}, which has {sorted(typed)}")
    completed = copy.copy(projection)
    completed.features, completed.desired_features = [typed[f] for f in wanted], []
    completed.join_key_map = dict(projection.join_key_map)
    completed._wire = None
    return completed


class Projectable:
    """Projection helpers shared by feature views and on-demand feature views (Feast's BaseFeatureView part)."""

    name: str
    features: list[Field]
    projection: FeatureViewProjection

    def _reset_projection(self) -> None:
        self.projection = FeatureViewProjection.from_definition(self)

    def __copy__(self):
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone.projection = copy.copy(self.projection)
        clone.projection.join_key_map = dict(self.projection.join_key_map)
        clone.projection._wire = None
        return clone

    def _projected(self, **changes):
        clone = copy.copy(self)
        for attribute, value in changes.items():
            setattr(clone.projection, attribute, value)
        return clone

    def __getitem__(self, feature_names: list[str]):
        """The view with only ``feature_names`` selected (``view[["a", "b"]]``)."""
        if isinstance(feature_names, str) or not isinstance(feature_names, (list, tuple)):
            raise TypeError(f"select features of {self.name!r} with a list: view[[\"a\", \"b\"]]")
        if not self.features:  # not inferred yet: the names are checked when an apply knows the schema
            return self._projected(features=[], desired_features=list(feature_names))
        typed = {f.name: f for f in self.features}
        unknown = [n for n in feature_names if n not in typed]
        if unknown:
            raise ValueError(f"feature view {self.name!r} has no feature(s) {unknown}; it has {sorted(typed)}")
        return self._projected(features=[typed[n] for n in feature_names], desired_features=[])

    def with_name(self, name: str):
        """The view used under another name (``name_to_use()``): two projections of one view can then be
        requested together. ``projection.name`` stays the view's own name."""
        return self._projected(name_alias=name)

    def with_join_key_map(self, join_key_map: dict[str, str]):
        """The view joined on differently named entity columns: ``{join key: column of the entity rows}``."""
        return self._projected(join_key_map=dict(join_key_map))

    def with_projection(self, feature_view_projection: FeatureViewProjection):
        """The view with ``feature_view_projection`` (which must be of this view) applied."""
        if feature_view_projection.name != self.name:
            raise ValueError(
                f"the projection is of {feature_view_projection.name!r}, not of feature view {self.name!r}"
            )
        clone = copy.copy(self)
        clone.projection = copy.copy(feature_view_projection)
        clone.projection.join_key_map = dict(feature_view_projection.join_key_map)
        return clone


class FeatureView(Projectable, Described):
    """Features of one or more entities read from one source, valid for ``ttl`` after their event time.

    ``materialization_intervals`` and ``state`` are the registry's record (Feast's ``FeatureViewMeta``),
    not part of the declaration.
    """

    kind = "feature view"
    state = FeatureViewState.STATE_UNSPECIFIED
    materialization_intervals: list[tuple[datetime, datetime]] | tuple = ()  # each view sets its own list

    def __init__(
        self,
        *,
        name: str,
        source: DataSource | FeatureView | list | None = None,
        schema: list[Field] | None = None,
        entities: list[Entity] | None = None,
        ttl: timedelta | None = timedelta(0),
        online: bool = True,
        offline: bool = False,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
        sink_source: DataSource | None = None,
        org: str = "",
        enable_validation: bool = False,
        mode: object = None,
        version: str = "latest",
        enabled: bool = True,
    ) -> None:
        """``source`` is where rows come from: a data source (file, table, query, push or stream), or other
        feature views this one is derived from (their output is written to ``sink_source``, which this view
        then reads; Feast's compute engines run the derivation, feast_core reads its result). Without
        ``entities`` the view has one row online, under Feast's placeholder entity."""
        self._init_meta(name, description, tags, owner)
        check_unmodeled("feature view", name, {"mode": mode, "version": version, "enabled": enabled},
                        {"mode": None, "version": "latest", "enabled": True})
        source_views = [source] if isinstance(source, FeatureView) else source
        if isinstance(source_views, (list, tuple)):
            if not all(isinstance(v, FeatureView) for v in source_views):
                raise ValueError(f"feature view {name!r}: a list source must hold feature views, got {source!r}")
            self.source_views, source = list(source_views), sink_source
        else:
            self.source_views = []
        if source is not None and not isinstance(source, DataSource):
            raise ValueError(f"feature view {name!r}: source must be a data source or feature views, got {source!r}")
        if sink_source is not None and not isinstance(sink_source, DataSource):
            raise ValueError(f"feature view {name!r}: sink_source must be a data source, got {sink_source!r}")
        if ttl is not None and not isinstance(ttl, timedelta):
            raise ValueError(f"feature view {name!r}: ttl must be a timedelta, got {ttl!r}")
        if ttl is not None and ttl < timedelta(0):
            raise ValueError(f"feature view {name!r}: ttl must not be negative")
        entities = list(entities or [])
        for entity in entities:
            if not isinstance(entity, Entity):
                raise ValueError(f"feature view {name!r}: entities must be Entity objects, got {entity!r}")
        join_keys = [e.join_key for e in entities]
        if len(set(join_keys)) != len(join_keys):
            raise ValueError(f"feature view {name!r}: two entities share a join key in {join_keys}")
        schema = list(schema or [])
        mapping = source.field_mapping if source is not None else {}
        for f in schema:
            if not isinstance(f, Field):
                raise ValueError(f"feature view {name!r}: schema must be a list of Field, got {f!r}")
            if f.name in mapping:
                raise ValueError(
                    f"feature view {name!r}: schema field {f.name!r} is a source column renamed by field_mapping "
                    f"to {mapping[f.name]!r}; use the mapped name"
                )
        names = [f.name for f in schema]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"feature view {name!r}: schema names {duplicates} more than once")
        by_key = {e.join_key: e for e in entities}
        for f in schema:
            entity = by_key.get(f.name)
            declared = entity.value_type if entity is not None else types.ValueType.UNKNOWN
            if declared != types.ValueType.UNKNOWN and types.from_value_type(declared) != f.dtype:
                raise ValueError(
                    f"feature view {name!r}: entity {entity.name!r} has type {declared.name}, but its "
                    f"join key {f.name!r} is declared {f.dtype}"
                )
        self.source = source
        self.sink_source = sink_source
        self.ttl = ttl
        self.online = bool(online)
        self.offline = bool(offline)
        # as in Feast: a view without entities carries the placeholder entity until it is applied
        self.entities = [e.name for e in entities] or [DUMMY_ENTITY_NAME]
        self.entity_objects = entities
        self.entity_columns = [f for f in schema if f.name in join_keys]
        self.features = [f for f in schema if f.name not in join_keys]
        self.schema_inferred = not self.features  # as in Feast: features are read from the source when none are declared
        self.materialization_intervals = []
        self.org, self.enable_validation = org or "", bool(enable_validation)
        self._reset_projection()

    @property
    def batch_source(self) -> DataSource | None:
        """Where the view's rows are read offline (a stream or push source's batch source)."""
        return self.source.batch_source if self.source is not None else None

    @property
    def stream_source(self) -> DataSource | None:
        """The push or stream source that feeds the view, if any."""
        return self.source if self.source is not None and self.source.batch_source is not self.source else None

    @property
    def transforms_rows(self) -> bool:
        """Whether the view's rows pass through a function before they are served (a batch feature view's)."""
        return False

    @property
    def entityless(self) -> bool:
        """Whether the view has no entities (one row online, under Feast's placeholder key ``__dummy_id``)."""
        return all(e == DUMMY_ENTITY_NAME for e in self.entities)

    @property
    def join_keys(self) -> list[str]:
        return [f.name for f in self.entity_columns]

    @property
    def entity_key_columns(self) -> list[str]:
        """The join keys entity rows and the source carry (the placeholder key of an entity-less view is not
        one of them)."""
        return [f.name for f in self.entity_columns if f.name != DUMMY_ENTITY_ID]

    @property
    def schema(self) -> list[Field]:
        return [f for f in self.entity_columns if f.name != DUMMY_ENTITY_ID] + self.features

    def update_materialization_intervals(self, existing_materialization_intervals: list) -> None:
        """Take over the intervals an earlier version of this view recorded, unless it has its own."""
        if not self.materialization_intervals and existing_materialization_intervals:
            self.materialization_intervals = list(existing_materialization_intervals)

    def ensure_valid(self) -> None:
        """ValueError if the view cannot be applied as it stands."""
        if not self.name:
            raise ValueError("feature view needs a name")
        if self.source is None and not self.source_views:
            raise ValueError(f"feature view {self.name!r} has no source to read its rows from")

    @property
    def ttl_seconds(self) -> float:
        return ttl_to_seconds(self.ttl)

    def to_dict(self) -> dict:
        data = {
            **self._meta_dict(),
            "source": self.source.to_dict() if self.source is not None else None,
            "entities": [e for e in self.entities if e != DUMMY_ENTITY_NAME],
            # an entity-less view's placeholder key column is implied, not stored (see from_dict)
            "entity_columns": [f.to_dict() for f in self.entity_columns if f.name != DUMMY_ENTITY_ID],
            "features": [f.to_dict() for f in self.features],
            "ttl_seconds": self.ttl_seconds,
            "online": self.online,
            "offline": self.offline,
        }
        if self.source_views:
            data["source_views"] = [v.to_dict() for v in self.source_views]
        for attribute in ("org", "enable_validation"):
            if getattr(self, attribute):
                data[attribute] = getattr(self, attribute)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureView:
        if cls is FeatureView and data.get("batch"):
            from .batch_feature_view import BatchFeatureView

            return BatchFeatureView._from_batch_dict(data, FeatureView._from_plain_dict(data))
        if cls is FeatureView and data.get("stream"):
            from .stream_feature_view import StreamFeatureView

            return StreamFeatureView._from_stream_dict(data, FeatureView._from_plain_dict(data))
        return cls._from_plain_dict(data)

    @classmethod
    def _from_plain_dict(cls, data: dict) -> FeatureView:
        view = FeatureView.__new__(FeatureView)
        view._init_meta(data["name"], data["description"], data["tags"], data["owner"])
        view.source = source_from_dict(data["source"]) if data["source"] else None
        view.sink_source = view.source if data.get("source_views") else None
        view.source_views = [FeatureView.from_dict(v) for v in data.get("source_views", [])]
        view.ttl = timedelta(seconds=data["ttl_seconds"])
        view.online = data["online"]
        view.offline = data["offline"]
        view.entities = list(data["entities"])
        view.entity_objects = []
        view.entity_columns = [Field.from_dict(f) for f in data["entity_columns"]]
        if not view.entities:  # as Feast reads an entity-less view: with its placeholder key column
            view.entity_columns.append(DUMMY_ENTITY_FIELD)
        view.features = [Field.from_dict(f) for f in data["features"]]
        view.schema_inferred = False
        view.materialization_intervals = []
        view.org = data.get("org", "")
        view.enable_validation = data.get("enable_validation", False)
        view._reset_projection()
        return view

    # ---- wire form: feast.core.FeatureView (spec.project is the registry's to set) ----

    # not modeled, kept from a view read: feature_transformation and mode (Feast's batch feature views: see
    # BatchFeatureView), version, disabled; meta current_version_number, version_id
    MODELED = (
        "spec.name", "spec.entities", "spec.features", "spec.tags", "spec.ttl", "spec.batch_source", "spec.online",
        "spec.stream_source", "spec.description", "spec.owner", "spec.entity_columns", "spec.offline",
        "spec.source_views", "spec.org", "spec.enable_validation",
        "meta.created_timestamp", "meta.last_updated_timestamp", "meta.materialization_intervals", "meta.state",
    )
    org = ""
    enable_validation = False

    def _fill_spec(self, spec, seen: tuple[str, ...]) -> None:
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2

        if self.name in seen:
            raise ValueError(f"Cycle detected during serialization of FeatureView: {self.name}")
        spec.name, spec.description, spec.owner = self.name, self.description, self.owner
        spec.online = self.online
        if "offline" in spec.DESCRIPTOR.fields_by_name:  # a stream view's spec has no `offline`
            spec.offline = self.offline
        spec.org, spec.enable_validation = self.org or "", bool(self.enable_validation)
        spec.tags.update(self.tags)
        wire.set_duration(spec, "ttl", self.ttl)
        spec.features.extend(f.to_proto() for f in self.features)
        entities = [e for e in self.entities if e != DUMMY_ENTITY_NAME]
        spec.entities.extend(entities or [DUMMY_ENTITY_NAME])
        spec.entity_columns.extend(f.to_proto() for f in self.entity_columns)
        if not entities and DUMMY_ENTITY_ID not in self.join_keys:
            spec.entity_columns.append(
                FeatureSpecV2(name=DUMMY_ENTITY_ID, value_type=types.to_proto_value_type(types.String))
            )
        # a view fed by a push or stream source: it is the stream source, its batch source the batch source
        if self.batch_source is not None:
            spec.batch_source.CopyFrom(self.batch_source.to_proto())
        if self.stream_source is not None:
            spec.stream_source.CopyFrom(self.stream_source.to_proto())
        for view in self.source_views:
            view._fill_spec(spec.source_views.add(), (*seen, self.name))

    def _build_proto(self):
        from ..protos.feast.core.FeatureView_pb2 import FeatureView as FeatureViewProto

        proto = FeatureViewProto()
        self._fill_spec(proto.spec, ())
        meta = proto.meta
        wire.set_timestamp(meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(meta, "last_updated_timestamp", self.last_updated_timestamp)
        for start, end in self.materialization_intervals:
            interval = meta.materialization_intervals.add()
            wire.set_timestamp(interval, "start_time", start)
            wire.set_timestamp(interval, "end_time", end)
        meta.state = int(self.state)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> FeatureView:
        """A stored view; never runs user code and never fails on parts feast_core does not model."""
        target = cls
        if cls is FeatureView and proto.spec.HasField("feature_transformation"):
            from .batch_feature_view import BatchFeatureView  # Feast's batch views carry a transformation

            target = BatchFeatureView
        view = target.__new__(target)
        view._read_spec(proto.spec, ())
        meta = proto.meta
        view.created_timestamp = wire.get_timestamp(meta, "created_timestamp")
        view.last_updated_timestamp = wire.get_timestamp(meta, "last_updated_timestamp")
        view.materialization_intervals = [
            (wire.get_timestamp(i, "start_time"), wire.get_timestamp(i, "end_time"))
            for i in meta.materialization_intervals
        ]
        try:
            view.state = FeatureViewState(meta.state)
        except ValueError:
            view.state = FeatureViewState.STATE_UNSPECIFIED  # a newer state; the kept proto still has it
        view._read_extra(proto.spec)
        view._reset_projection()
        wire.remember(view, proto)
        return view

    def _read_spec(self, spec, seen: tuple[str, ...]) -> None:
        if spec.name in seen:
            raise ValueError(f"Cycle detected while deserializing FeatureView: {spec.name}")
        self.name, self.description, self.owner = spec.name, spec.description, spec.owner
        self.tags = dict(spec.tags)
        self.ttl = wire.get_duration(spec, "ttl")
        self.online = spec.online
        self.offline = spec.offline if "offline" in spec.DESCRIPTOR.fields_by_name else False
        self.org, self.enable_validation = spec.org, spec.enable_validation
        entities = list(spec.entities)
        self.entities = [] if entities == [DUMMY_ENTITY_NAME] else entities
        self.entity_objects = []
        self.entity_columns = [Field.from_proto(f) for f in spec.entity_columns]  # with __dummy_id, as Feast
        self.features = [Field.from_proto(f) for f in spec.features]
        self.schema_inferred = False
        batch = DataSource.from_proto(spec.batch_source) if spec.HasField("batch_source") else None
        stream = DataSource.from_proto(spec.stream_source) if spec.HasField("stream_source") else None
        if stream is not None and stream.batch_source is None and hasattr(stream, "_batch_source"):
            stream._batch_source = batch
        self.source = stream if stream is not None else batch
        self.source_views = []
        for child in getattr(spec, "source_views", ()):
            view = FeatureView.__new__(FeatureView)
            view._read_spec(child, (*seen, spec.name))
            view.created_timestamp = view.last_updated_timestamp = None
            view.materialization_intervals, view.state = [], FeatureViewState.STATE_UNSPECIFIED
            view._reset_projection()
            self.source_views.append(view)
        self.sink_source = batch if self.source_views else None

    def _read_extra(self, spec) -> None:
        """What a subclass reads beyond a plain view's spec."""
