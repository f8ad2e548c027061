from __future__ import annotations

from .. import types
from ..types import Array, FeastType, PrimitiveFeastType, UnsupportedType
from . import wire
from .base import check_tags


class Field:
    """A named, typed column of a feature view or request source (Feast's ``FeatureSpecV2`` on the wire)."""

    def __init__(
        self,
        *,
        name: str,
        dtype: FeastType,
        description: str = "",
        tags: dict[str, str] | None = None,
        vector_index: bool = False,
        vector_length: int = 0,
        vector_search_metric: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Field needs a non-empty string name, got {name!r}")
        if not isinstance(dtype, (PrimitiveFeastType, Array, UnsupportedType)):
            raise ValueError(f"field {name!r}: dtype must be a feast_core type such as Int64, got {dtype!r}")
        self.name = name
        self.dtype = dtype
        self.description = description or ""
        self.tags = check_tags("field", name, tags)
        # kept for Feast's vector search declarations; feast_core does not index vectors
        self.vector_index = bool(vector_index)
        self.vector_length = int(vector_length or 0)
        self.vector_search_metric = vector_search_metric or ""

    def to_dict(self) -> dict:
        data = {"name": self.name, "dtype": self.dtype.name, "description": self.description, "tags": self.tags}
        if self.vector_index or self.vector_length or self.vector_search_metric:
            data.update(
                vector_index=self.vector_index, vector_length=self.vector_length,
                vector_search_metric=self.vector_search_metric,
            )
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Field:
        return cls(
            name=data["name"], dtype=types.from_name(data["dtype"]), description=data["description"], tags=data["tags"],
            vector_index=data.get("vector_index", False), vector_length=data.get("vector_length", 0),
            vector_search_metric=data.get("vector_search_metric", ""),
        )

    # ---- wire form: feast.core.FeatureSpecV2 ----

    MODELED = ("name", "value_type", "tags", "description", "vector_index", "vector_search_metric", "vector_length")

    def _build_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2

        proto = FeatureSpecV2(name=self.name, value_type=types.to_proto_value_type(self.dtype))
        if self.tags:
            proto.tags.update(self.tags)
        if self.description:
            proto.description = self.description
        if self.vector_index or self.vector_length or self.vector_search_metric:
            proto.vector_index, proto.vector_length = self.vector_index, self.vector_length
            proto.vector_search_metric = self.vector_search_metric
        return proto

    def _state(self) -> tuple:
        """Everything the wire form holds, as plain values (fields are many: cheaper than a proto)."""
        return (
            self.name, self.dtype, self.description, tuple(sorted(self.tags.items())), self.vector_index,
            self.vector_length, self.vector_search_metric,
        )

    def to_proto(self):
        kept = self.__dict__.get("_wire")
        if kept and self._state() == kept[1]:
            return wire.copy_message(kept[0])
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> Field:
        field = cls.__new__(cls)
        field.name = proto.name
        field.dtype = types.from_proto_value_type(proto.value_type)
        field.description = proto.description
        field.tags = dict(proto.tags)
        field.vector_index = proto.vector_index
        field.vector_length = proto.vector_length
        field.vector_search_metric = proto.vector_search_metric
        wire.remember(field, proto)
        return field

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, dtype={self.dtype!r})"
