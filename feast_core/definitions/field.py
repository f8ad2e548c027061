from __future__ import annotations

from .. import types
from ..types import Array, FeastType, FeastTypeBase, Set, Struct
from . import wire
from .base import check_tags

# Feast keeps the inner types of nested and struct fields in these tags (the ValueType alone cannot say them)
STRUCT_SCHEMA_TAG = "feast:struct_schema"
NESTED_COLLECTION_INNER_TYPE_TAG = "feast:nested_inner_type"
INTERNAL_TAGS = (STRUCT_SCHEMA_TAG, NESTED_COLLECTION_INNER_TYPE_TAG)


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
        if not isinstance(dtype, FeastTypeBase):
            raise ValueError(
                f"field {name!r}: dtype must be a feast type such as Int64 or Array(String), got {dtype!r}"
                + (" (a ValueType: use feast_core.types.from_value_type)" if isinstance(dtype, types.ValueType) else "")
            )
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
        proto.tags.update(_type_tags(self.dtype))
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
        tags = dict(proto.tags)
        field.dtype = _dtype_from_tags(types.from_proto_value_type(proto.value_type), tags)
        field.description = proto.description
        field.tags = {k: v for k, v in tags.items() if k not in INTERNAL_TAGS}
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

    @classmethod
    def from_feature(cls, feature) -> Field:
        """A ``Field`` for Feast's older ``Feature(name, dtype=ValueType.X)``."""
        return cls(name=feature.name, dtype=types.from_value_type(feature.dtype), description=feature.description,
                   tags=feature.labels)


def _type_tags(dtype: FeastType) -> dict[str, str]:
    """The tags Feast writes for a struct or nested field's inner types."""
    tags = {}
    if isinstance(dtype, Struct):
        tags[STRUCT_SCHEMA_TAG] = types.struct_schema(dtype)
    elif isinstance(dtype, Array) and isinstance(dtype.base_type, Struct):
        tags[STRUCT_SCHEMA_TAG] = types.struct_schema(dtype.base_type)
    if isinstance(dtype, (Array, Set)) and dtype.nested:
        tags[NESTED_COLLECTION_INNER_TYPE_TAG] = types.to_tag_string(dtype)
    return tags


def _dtype_from_tags(dtype: FeastType, tags: dict[str, str]) -> FeastType:
    """The full type of a field read from a proto: its ValueType, refined by the inner-type tags."""
    value_type = getattr(dtype, "value_type", None)
    if value_type == types.ValueType.STRUCT and STRUCT_SCHEMA_TAG in tags:
        return types.from_struct_schema(tags[STRUCT_SCHEMA_TAG])
    if value_type == types.ValueType.STRUCT_LIST and STRUCT_SCHEMA_TAG in tags:
        return Array(types.from_struct_schema(tags[STRUCT_SCHEMA_TAG]))
    if value_type in (types.ValueType.VALUE_LIST, types.ValueType.VALUE_SET) and NESTED_COLLECTION_INNER_TYPE_TAG in tags:
        return types.from_tag_string(tags[NESTED_COLLECTION_INNER_TYPE_TAG])
    return dtype
