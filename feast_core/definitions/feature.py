"""Feast's older column declaration, ``Feature(name, dtype=ValueType.X)``: still accepted by Feast, replaced by
``Field(name, dtype=Float32)``. ``Field.from_feature`` turns one into the other."""

from __future__ import annotations

from ..types import ValueType


class Feature:
    """A named column whose type is a ``ValueType`` (not a feast type such as Float32)."""

    def __init__(
        self, name: str, dtype: ValueType, description: str = "", labels: dict[str, str] | None = None
    ) -> None:
        if not isinstance(dtype, ValueType):
            raise ValueError(f"Feature {name!r}: dtype must be a ValueType, not {dtype!r}")
        if dtype is ValueType.UNKNOWN:
            raise ValueError(f"Feature {name!r}: dtype cannot be ValueType.UNKNOWN")
        self._name = name
        self._dtype = dtype
        self._description = description
        self._labels = dict(labels or {})

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    description = property(lambda self: self._description)
    labels = property(lambda self: self._labels)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Feature) and (other.name, other.dtype) == (self.name, self.dtype)

    def __hash__(self) -> int:
        return hash((self.name, self.dtype))

    def __lt__(self, other: Feature) -> bool:
        return self.name < other.name

    def __repr__(self) -> str:
        return f"Feature(name={self.name!r}, dtype={self.dtype.name})"

    def to_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2

        return FeatureSpecV2(name=self.name, value_type=int(self.dtype), description=self.description,
                             tags=self.labels)

    @classmethod
    def from_proto(cls, proto) -> Feature:
        return cls(name=proto.name, dtype=ValueType(proto.value_type), description=proto.description,
                   labels=dict(proto.tags))


__all__ = ["Feature"]
