from __future__ import annotations

from . import wire
from .base import Described


class Project(Described):
    """A namespace for registry objects; ``feature_store.yaml``'s ``project`` names the current one."""

    kind = "project"

    def __init__(
        self, *, name: str, description: str = "", tags: dict[str, str] | None = None, owner: str = "",
        created_timestamp=None, last_updated_timestamp=None,
    ) -> None:
        self._init_meta(name, description, tags, owner)
        self.created_timestamp, self.last_updated_timestamp = created_timestamp, last_updated_timestamp

    def is_valid(self) -> None:
        """ValueError unless the name is a valid project name."""
        from .base import check_stored_name

        check_stored_name("project", self.name)

    def to_dict(self) -> dict:
        return self._meta_dict()

    @classmethod
    def from_dict(cls, data: dict) -> Project:
        return cls(name=data["name"], description=data["description"], tags=data["tags"], owner=data["owner"])

    # ---- wire form: feast.core.Project ----

    MODELED = (
        "spec.name", "spec.description", "spec.tags", "spec.owner",
        "meta.created_timestamp", "meta.last_updated_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.Project_pb2 import Project as ProjectProto

        proto = ProjectProto()
        spec = proto.spec
        spec.name, spec.description, spec.owner = self.name, self.description, self.owner
        spec.tags.update(self.tags)
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> Project:
        spec = proto.spec
        project = cls.__new__(cls)
        project.name, project.description, project.owner = spec.name, spec.description, spec.owner
        project.tags = dict(spec.tags)
        project.created_timestamp = wire.get_timestamp(proto.meta, "created_timestamp")
        project.last_updated_timestamp = wire.get_timestamp(proto.meta, "last_updated_timestamp")
        wire.remember(project, proto)
        return project
