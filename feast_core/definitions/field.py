from __future__ import annotations

from .. import types
from ..types import Array, FeastType, PrimitiveFeastType
from .base import check_tags


class Field:
    """A named, typed column of a feature view or request source."""

    def __init__(
        self, *, name: str, dtype: FeastType, description: str = "", tags: dict[str, str] | None = None, **_vector
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Field needs a non-empty string name, got {name!r}")
        if not isinstance(dtype, (PrimitiveFeastType, Array)):
            raise ValueError(f"field {name!r}: dtype must be a feast_core type such as Int64, got {dtype!r}")
        self.name = name
        self.dtype = dtype
        self.description = description or ""
        self.tags = check_tags("field", name, tags)

    def to_dict(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name, "description": self.description, "tags": self.tags}

    @classmethod
    def from_dict(cls, data: dict) -> Field:
        return cls(
            name=data["name"], dtype=types.from_name(data["dtype"]), description=data["description"], tags=data["tags"]
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, dtype={self.dtype!r})"
