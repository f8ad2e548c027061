from __future__ import annotations

import warnings

from ..types import ValueType
from . import wire
from .base import Described


class Entity(Described):
    """A thing features are about, identified by one join key (``driver_id``)."""

    kind = "entity"

    def __init__(
        self,
        *,
        name: str,
        join_keys: list[str] | None = None,
        value_type: ValueType | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
    ) -> None:
        self._init_meta(name, description, tags, owner)
        if join_keys is not None and (
            not isinstance(join_keys, (list, tuple)) or not all(isinstance(k, str) and k for k in join_keys)
        ):
            raise ValueError(f"entity {name!r}: join_keys must be a list of one non-empty string")
        if join_keys is not None and len(join_keys) > 1:
            raise ValueError(
                f"entity {name!r} has {len(join_keys)} join keys; an entity has exactly one: "
                "declare one entity per key and list them all in the feature view"
            )
        self.join_key = join_keys[0] if join_keys else name
        if value_type is not None and not isinstance(value_type, ValueType):
            raise ValueError(f"entity {name!r}: value_type must be a ValueType, got {value_type!r}")
        if value_type is None:  # Feast's warning: its next release requires the type
            warnings.warn(
                f"Entity value_type will be mandatory in the next release. Please specify a value_type for entity "
                f"'{name}' (feast_core infers it from the feature views that use the entity until then).",
                DeprecationWarning, stacklevel=2,
            )
        self.value_type = value_type or ValueType.UNKNOWN

    @property
    def join_keys(self) -> list[str]:
        return [self.join_key]

    def to_dict(self) -> dict:
        return {**self._meta_dict(), "join_key": self.join_key, "value_type": self.value_type.name}

    @classmethod
    def from_dict(cls, data: dict) -> Entity:
        return cls(
            name=data["name"],
            join_keys=[data["join_key"]],
            value_type=ValueType[data["value_type"]],
            description=data["description"],
            tags=data["tags"],
            owner=data["owner"],
        )

    # ---- wire form: feast.core.Entity (spec.project is the registry's to set) ----

    MODELED = (
        "spec.name", "spec.value_type", "spec.description", "spec.join_key", "spec.tags", "spec.owner",
        "meta.created_timestamp", "meta.last_updated_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.Entity_pb2 import Entity as EntityProto

        proto = EntityProto()
        spec = proto.spec
        spec.name, spec.value_type, spec.join_key = self.name, int(self.value_type), self.join_key
        spec.description, spec.owner = self.description, self.owner
        spec.tags.update(self.tags)
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> Entity:
        spec = proto.spec
        entity = cls.__new__(cls)
        # no name checks: a registry written by Feast holds names we would not accept (``__dummy``)
        entity.name, entity.description, entity.owner = spec.name, spec.description, spec.owner
        entity.tags = dict(spec.tags)
        entity.join_key = spec.join_key or spec.name
        try:
            entity.value_type = ValueType(spec.value_type)
        except ValueError:
            entity.value_type = ValueType.UNKNOWN  # a type newer than ours; the kept proto still has it
        entity.created_timestamp = wire.get_timestamp(proto.meta, "created_timestamp")
        entity.last_updated_timestamp = wire.get_timestamp(proto.meta, "last_updated_timestamp")
        wire.remember(entity, proto)
        return entity
