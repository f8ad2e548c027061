"""The small protocol every registry store implements (file, SQL, and the remote client to come).

A store holds Feast's registry: objects as the bytes of their own messages. It answers four calls:

* ``read()``: the whole registry as one ``feast.core.Registry`` message (the SQL store assembles it as
  Feast does); its ``version_id`` changes whenever the content does (empty: unknown, always re-read);
* ``apply(changes)``: upserts and deletes of one project's objects, atomically: all or nothing, and
  concurrent appliers lose nothing (each applies its changes on top of what the others committed);
* ``record_materialization(project, view, start, end)``: a successful materialization, in the view's meta;
* ``delete_project(project)``: a project and everything in it.

What an upsert finally stores (timestamps, intervals, version history) is decided by ``message.merge``
against what is stored at that moment, inside the store's transaction or lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from google.protobuf.message import Message

from ..protos.feast.core.InfraObject_pb2 import InfraObject
from ..protos.feast.core.Project_pb2 import Project as ProjectProto
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto


@dataclass
class Changes:
    """One apply to one project.

    ``upserts``: per Registry field (``"feature_views"``, ...), the messages to create or replace, as the
    objects' ``to_proto()`` made them (the store sets project, timestamps and versions). ``deletes``: per
    field, names to remove. ``project_proto``: the project's declared entry (None: keep it, or create a bare
    one). ``infra``: the project's online-store tables to register (None: leave them as they are).
    """

    project: str
    upserts: dict[str, list[Message]] = field(default_factory=dict)
    deletes: dict[str, list[str]] = field(default_factory=dict)
    project_proto: ProjectProto | None = None
    infra: list[InfraObject] | None = None

    def is_empty(self) -> bool:
        return (
            not any(self.upserts.values()) and not any(self.deletes.values()) and self.project_proto is None
            and self.infra is None
        )


class RegistryStore(Protocol):
    """Where the registry lives (see the module docstring)."""

    def read(self) -> RegistryProto: ...

    def apply(self, changes: Changes) -> None: ...

    def record_materialization(self, project: str, view: str, start: datetime, end: datetime) -> None: ...

    def delete_project(self, project: str) -> None: ...

    def close(self) -> None: ...
