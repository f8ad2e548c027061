"""Feature views and their projections (``view[["a", "b"]]``, ``view.with_name("alias")``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta

from .base import Described, ttl_to_seconds
from .entity import Entity
from .field import Field
from .sources import DataSource, FileSource, PostgreSQLSource, PushSource, source_from_dict


@dataclass
class Projection:
    """Which features of a view a reference selects, under which name, joined on which columns."""

    view_name: str
    features: list[str]
    alias: str = ""
    join_key_map: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The name used in feature references and full feature names."""
        return self.alias or self.view_name

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
        self.projection = Projection(self.name, [f.name for f in self.features])

    def __getitem__(self, feature_names: list[str]):
        if isinstance(feature_names, str) or not isinstance(feature_names, (list, tuple)):
            raise TypeError(f"select features of {self.name!r} with a list: view[[\"a\", \"b\"]]")
        known = {f.name for f in self.features}
        unknown = [n for n in feature_names if n not in known]
        if unknown and known:
            raise ValueError(f"feature view {self.name!r} has no feature(s) {unknown}; it has {sorted(known)}")
        clone = copy.copy(self)
        clone.projection = Projection(
            self.name, list(feature_names), self.projection.alias, dict(self.projection.join_key_map)
        )
        return clone

    def with_name(self, alias: str):
        clone = copy.copy(self)
        clone.projection = Projection(self.name, list(self.projection.features), alias, dict(self.projection.join_key_map))
        return clone

    def with_join_key_map(self, join_key_map: dict[str, str]):
        clone = copy.copy(self)
        clone.projection = Projection(self.name, list(self.projection.features), self.projection.alias, dict(join_key_map))
        return clone


class FeatureView(Projectable, Described):
    """Features of one or more entities read from one source, valid for ``ttl`` after their event time."""

    kind = "feature view"

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
        if not isinstance(source, (FileSource, PostgreSQLSource, PushSource)):
            raise ValueError(
                f"feature view {name!r}: source must be a FileSource, PostgreSQLSource or PushSource, got {source!r}"
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
        view._reset_projection()
        return view
