from __future__ import annotations

from ..types import ValueType
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
