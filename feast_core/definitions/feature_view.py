"""Feature views and their projections (``view[["a", "b"]]``, ``view.with_name("alias")``)."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import types
from . import wire
from .base import Described, ttl_to_seconds
from .entity import Entity
from .field import Field
from .sources import BATCH_SOURCE_TYPES, DataSource, PushSource, UnsupportedSource, source_from_dict

# Feast gives entity-less views this placeholder entity (and join key); it never reaches our objects
DUMMY_ENTITY_NAME = "__dummy"
DUMMY_ENTITY_ID = "__dummy_id"


class FeatureViewState(enum.IntEnum):
    """Feast's ``FeatureViewState`` (``meta.state``): online reads need UNSPECIFIED or AVAILABLE_ONLINE."""

    STATE_UNSPECIFIED = 0
    CREATED = 1
    GENERATED = 2
    MATERIALIZING = 3
    AVAILABLE_ONLINE = 4


@dataclass
class Projection:
    """Which features of a view a reference selects, under which name, joined on which columns.

    ``fields`` holds the selected features' types when the projection was made from a view or read from
    a proto; the wire form (Feast's ``FeatureViewProjection``) carries them.
    """

    view_name: str
    features: list[str]
    alias: str = ""
    join_key_map: dict[str, str] = field(default_factory=dict)
    fields: list[Field] = field(default_factory=list, compare=False, repr=False)
    _wire: tuple | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        """The name used in feature references and full feature names."""
        return self.alias or self.view_name

    # ---- wire form: feast.core.FeatureViewProjection ----

    # the copies of the view's source and timestamp columns Feast adds, version_tag and view_type are
    # not modeled: Feast's readers do not need them, and a projection read keeps them
    MODELED = ("feature_view_name", "feature_columns", "feature_view_name_alias", "join_key_map")

    def _build_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2
        from ..protos.feast.core.FeatureViewProjection_pb2 import FeatureViewProjection

        typed = {f.name: f for f in self.fields}
        proto = FeatureViewProjection(feature_view_name=self.view_name, feature_view_name_alias=self.alias)
        proto.feature_columns.extend(
            typed[n].to_proto() if n in typed else FeatureSpecV2(name=n) for n in self.features
        )
        proto.join_key_map.update(self.join_key_map)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> Projection:
        fields = [Field.from_proto(f) for f in proto.feature_columns]
        projection = cls(
            proto.feature_view_name, [f.name for f in fields], proto.feature_view_name_alias,
            dict(proto.join_key_map), fields,
        )
        wire.remember(projection, proto)
        return projection

    def to_dict(self) -> dict:
        return {
            "view": self.view_name, "features": list(self.features), "alias": self.alias,
            "join_key_map": dict(self.join_key_map),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Projection:
        return cls(data["view"], list(data["features"]), data["alias"], dict(data["join_key_map"]))


class Projectable:
    """Projection helpers shared by feature views and on-demand feature views."""

    name: str
    features: list[Field]
    projection: Projection

    def _reset_projection(self) -> None:
        self.projection = Projection(self.name, [f.name for f in self.features], fields=list(self.features))

    def _fields_named(self, names: list[str]) -> list[Field]:
        typed = {f.name: f for f in self.features}
        return [typed[n] for n in names if n in typed]

    def __getitem__(self, feature_names: list[str]):
        if isinstance(feature_names, str) or not isinstance(feature_names, (list, tuple)):
            raise TypeError(f"select features of {self.name!r} with a list: view[[\"a\", \"b\"]]")
        known = {f.name for f in self.features}
        unknown = [n for n in feature_names if n not in known]
        if unknown and known:
            raise ValueError(f"feature view {self.name!r} has no feature(s) {unknown}; it has {sorted(known)}")
        clone = copy.copy(self)
        clone.projection = Projection(
            self.name, list(feature_names), self.projection.alias, dict(self.projection.join_key_map),
            self._fields_named(list(feature_names)),
        )
        return clone

    def with_name(self, alias: str):
        clone = copy.copy(self)
        features = list(self.projection.features)
        clone.projection = Projection(
            self.name, features, alias, dict(self.projection.join_key_map), self._fields_named(features)
        )
        return clone

    def with_join_key_map(self, join_key_map: dict[str, str]):
        clone = copy.copy(self)
        features = list(self.projection.features)
        clone.projection = Projection(
            self.name, features, self.projection.alias, dict(join_key_map), self._fields_named(features)
        )
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
        source: DataSource,
        schema: list[Field] | None = None,
        entities: list[Entity] | None = None,
        ttl: timedelta | None = timedelta(0),
        online: bool = True,
        offline: bool = False,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
        **_ignored,
    ) -> None:
        self._init_meta(name, description, tags, owner)
        if not isinstance(source, (*BATCH_SOURCE_TYPES, PushSource)):
            raise ValueError(
                f"feature view {name!r}: source must be a FileSource, PostgreSQLSource, SparkSource or PushSource, "
                f"got {source!r}"
            )
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
        for f in schema:
            if not isinstance(f, Field):
                raise ValueError(f"feature view {name!r}: schema must be a list of Field, got {f!r}")
            if f.name in source.field_mapping:
                raise ValueError(
                    f"feature view {name!r}: schema field {f.name!r} is a source column renamed by field_mapping "
                    f"to {source.field_mapping[f.name]!r}; use the mapped name"
                )
        names = [f.name for f in schema]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"feature view {name!r}: schema names {duplicates} more than once")
        self.source = source
        self.ttl = ttl
        self.online = bool(online)
        self.offline = bool(offline)
        self.entities = [e.name for e in entities]
        self.entity_objects = entities
        self.entity_columns = [f for f in schema if f.name in join_keys]
        self.features = [f for f in schema if f.name not in join_keys]
        self.schema_inferred = not schema
        self.materialization_intervals = []
        self._reset_projection()

    @property
    def batch_source(self) -> DataSource:
        return self.source.batch_source

    @property
    def stream_source(self) -> PushSource | None:
        return self.source if isinstance(self.source, PushSource) else None

    @property
    def join_keys(self) -> list[str]:
        return [f.name for f in self.entity_columns]

    @property
    def schema(self) -> list[Field]:
        return self.entity_columns + self.features

    @property
    def ttl_seconds(self) -> float:
        return ttl_to_seconds(self.ttl)

    def to_dict(self) -> dict:
        return {
            **self._meta_dict(),
            "source": self.source.to_dict(),
            "entities": list(self.entities),
            "entity_columns": [f.to_dict() for f in self.entity_columns],
            "features": [f.to_dict() for f in self.features],
            "ttl_seconds": self.ttl_seconds,
            "online": self.online,
            "offline": self.offline,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FeatureView:
        view = cls.__new__(cls)
        view._init_meta(data["name"], data["description"], data["tags"], data["owner"])
        view.source = source_from_dict(data["source"])
        view.ttl = timedelta(seconds=data["ttl_seconds"])
        view.online = data["online"]
        view.offline = data["offline"]
        view.entities = list(data["entities"])
        view.entity_objects = []
        view.entity_columns = [Field.from_dict(f) for f in data["entity_columns"]]
        view.features = [Field.from_dict(f) for f in data["features"]]
        view.schema_inferred = False
        view.materialization_intervals = []
        view._reset_projection()
        return view

    # ---- wire form: feast.core.FeatureView (spec.project is the registry's to set) ----

    # not modeled, kept from a view read: source_views, feature_transformation and mode (Feast's batch
    # feature views), enable_validation, version, org, disabled; meta current_version_number, version_id
    MODELED = (
        "spec.name", "spec.entities", "spec.features", "spec.tags", "spec.ttl", "spec.batch_source", "spec.online",
        "spec.stream_source", "spec.description", "spec.owner", "spec.entity_columns", "spec.offline",
        "meta.created_timestamp", "meta.last_updated_timestamp", "meta.materialization_intervals", "meta.state",
    )

    def _build_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2
        from ..protos.feast.core.FeatureView_pb2 import FeatureView as FeatureViewProto

        proto = FeatureViewProto()
        spec = proto.spec
        spec.name, spec.description, spec.owner = self.name, self.description, self.owner
        spec.online, spec.offline = self.online, self.offline
        spec.tags.update(self.tags)
        wire.set_duration(spec, "ttl", self.ttl)
        spec.features.extend(f.to_proto() for f in self.features)
        if self.entities:
            spec.entities.extend(self.entities)
            spec.entity_columns.extend(f.to_proto() for f in self.entity_columns)
        else:
            spec.entities.append(DUMMY_ENTITY_NAME)
            spec.entity_columns.append(
                FeatureSpecV2(name=DUMMY_ENTITY_ID, value_type=types.to_proto_value_type(types.String))
            )
        # a push-fed view: the push source is the stream source, its batch source the batch source
        if self.source.batch_source is not None:
            spec.batch_source.CopyFrom(self.source.batch_source.to_proto())
        stream = self.source if isinstance(self.source, PushSource) else self.__dict__.get("other_stream_source")
        if stream is not None:
            spec.stream_source.CopyFrom(stream.to_proto())
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
        spec, meta = proto.spec, proto.meta
        view = cls.__new__(cls)
        view.name, view.description, view.owner = spec.name, spec.description, spec.owner
        view.tags = dict(spec.tags)
        view.ttl = wire.get_duration(spec, "ttl")
        view.online, view.offline = spec.online, spec.offline
        entities = list(spec.entities)
        view.entities = [] if entities == [DUMMY_ENTITY_NAME] else entities
        view.entity_objects = []
        view.entity_columns = [Field.from_proto(f) for f in spec.entity_columns if f.name != DUMMY_ENTITY_ID]
        view.features = [Field.from_proto(f) for f in spec.features]
        view.schema_inferred = False
        batch = DataSource.from_proto(spec.batch_source) if spec.HasField("batch_source") else None
        stream = DataSource.from_proto(spec.stream_source) if spec.HasField("stream_source") else None
        if isinstance(stream, PushSource):
            if stream.batch_source is None:
                stream._batch_source = batch
            view.source = stream
        else:
            if stream is not None:
                view.other_stream_source = stream  # a Kafka or Kinesis source: kept, not read from
            view.source = batch if batch is not None else stream
        if view.source is None:
            view.source = UnsupportedSource.from_proto(spec.batch_source)  # a derived view with no source of its own
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
        view._reset_projection()
        wire.remember(view, proto)
        return view
