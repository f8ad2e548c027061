from __future__ import annotations

from .base import Described


class Project(Described):
    """A namespace for registry objects; ``feature_store.yaml``'s ``project`` names the current one."""

    kind = "project"

    def __init__(self, *, name: str, description: str = "", tags: dict[str, str] | None = None, owner: str = "") -> None:
        self._init_meta(name, description, tags, owner)

    def to_dict(self) -> dict:
        return self._meta_dict()

    @classmethod
    def from_dict(cls, data: dict) -> Project:
        return cls(name=data["name"], description=data["description"], tags=data["tags"], owner=data["owner"])
