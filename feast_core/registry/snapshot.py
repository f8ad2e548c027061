"""The registry in memory: a parsed, immutable view of one ``Registry`` message.

A ``Snapshot`` indexes the message's objects by project once; a project's objects of one kind are read
into feast_core's definitions (``from_proto``) the first time they are asked for, so a server that only
serves features never parses permissions, and nothing is parsed twice. Kinds feast_core does not model
(label views, validation references, feature tables) are kept as messages and
listed by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import DecodeError, Message

from .. import definitions
from ..definitions import FeatureViewState, Project, wire
from ..definitions.feature_view import DUMMY_ENTITY_NAME
from ..errors import (
    DataSourceNotFoundError,
    EntityNotFoundError,
    FeastObjectNotFoundException,
    FeatureServiceNotFoundError,
    FeatureViewNotFoundError,
    OnDemandFeatureViewNotFoundError,
    PermissionNotFoundError,
    ProjectNotFoundError,
    RegistryError,
    SavedDatasetNotFound,
)
from ..protos.feast.core.Project_pb2 import Project as ProjectProto
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from .message import LABELS, MESSAGE_TYPES, MODELED_KINDS, OTHER_KINDS, name_of, project_names, project_of

# the kinds a project's objects are read into (projects are the snapshot's own); stream feature views are
# feature views (as in feast_core's definitions), read from their own Registry field
KINDS = [k for k in MODELED_KINDS if k not in ("projects", "stream_feature_views")]
STORED_IN = {"feature_views": ("feature_views", "stream_feature_views")}

_NOT_FOUND: dict[str, type[FeastObjectNotFoundException]] = {
    "entities": EntityNotFoundError,
    "data_sources": DataSourceNotFoundError,
    "feature_views": FeatureViewNotFoundError,
    "on_demand_feature_views": OnDemandFeatureViewNotFoundError,
    "feature_services": FeatureServiceNotFoundError,
    "permissions": PermissionNotFoundError,
    "saved_datasets": SavedDatasetNotFound,
}


@dataclass(frozen=True)
class Materialization:
    """A feature view's materialization record (Feast's ``FeatureViewMeta``): the intervals written to the
    online store, the latest end among them, and the view's state."""

    most_recent_end: datetime | None
    intervals: list[tuple[datetime, datetime]]
    state: FeatureViewState = FeatureViewState.STATE_UNSPECIFIED

    @classmethod
    def of(cls, view) -> Materialization:
        intervals = sorted((s, e) for s, e in view.materialization_intervals if s is not None and e is not None)
        return cls(max((e for _, e in intervals), default=None), intervals, view.state)


NEVER = Materialization(None, [])


@dataclass(frozen=True)
class OtherObject:
    """An object of a kind feast_core does not model, listed by name and kind and kept as it was written."""

    kind: str
    name: str
    message: Message

    @property
    def label(self) -> str:
        return LABELS[self.kind]


class _Parsed(Mapping):
    """kind -> {name: object}, each kind read from its messages on first access."""

    def __init__(self, owner: ProjectObjects) -> None:
        self._owner = owner
        self._kinds: dict[str, dict[str, object]] = {}

    def __getitem__(self, kind: str) -> dict[str, object]:
        parsed = self._kinds.get(kind)
        if parsed is None:
            if kind not in KINDS:
                raise KeyError(kind)
            parsed = self._kinds[kind] = self._owner._parse(kind)
        return parsed

    def __iter__(self) -> Iterator[str]:
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


class ProjectObjects:
    """The objects of one project: messages as stored, read into definitions on first use."""

    def __init__(self, name: str, project: ProjectProto | None, messages: dict[str, list[Message]]) -> None:
        self.name = name
        self.project_message = project
        self.messages: dict[str, dict[str, Message]] = {
            kind: {name_of(m): m for m in messages.get(kind, ())} for kind in MESSAGE_TYPES if kind != "projects"
        }
        self.has_dummy_entity = DUMMY_ENTITY_NAME in self.messages["entities"]
        self.messages["entities"].pop(DUMMY_ENTITY_NAME, None)  # Feast's placeholder: stored, never listed
        self.objects: Mapping[str, dict[str, object]] = _Parsed(self)
        self._project: Project | None = None
        self._materialization: dict[str, Materialization] | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            message = self.project_message
            if message is None:
                message = ProjectProto()
                message.spec.name = self.name
            self._project = self._read("projects", self.name, message)
        return self._project

    def _read(self, kind: str, name: str, message: Message):
        try:
            return definitions.from_proto(kind, message)
        except (ValueError, TypeError, KeyError, DecodeError) as exc:
            raise RegistryError(
                f"{LABELS[kind]} {name!r} of project {self.name!r} in the registry cannot be read "
                f"({type(exc).__name__}: {exc}); fix or delete it with the tool that wrote it"
            ) from None

    def _parse(self, kind: str) -> dict[str, object]:
        return {name: self._read(field, name, message)
                for field in STORED_IN.get(kind, (kind,)) for name, message in self.messages[field].items()}

    def stored_names(self, kind: str) -> list[str]:
        return [name for field in STORED_IN.get(kind, (kind,)) for name in self.messages[field]]

    def list(self, kind: str) -> list:
        objects = self.objects[kind]
        return [objects[n] for n in sorted(objects)]

    def get(self, kind: str, name: str):
        try:
            return self.objects[kind][name]
        except KeyError:
            raise _NOT_FOUND[kind](name, self.name, self.stored_names(kind)) from None

    def timestamps(self, kind: str, name: str) -> tuple[datetime | None, datetime | None] | None:
        obj = self.objects[kind].get(name)
        if obj is None:
            return None
        return obj.created_timestamp, obj.last_updated_timestamp

    @property
    def materialization(self) -> dict[str, Materialization]:
        if self._materialization is None:
            self._materialization = {v.name: Materialization.of(v) for v in self.list("feature_views")}
        return self._materialization

    def dump(self) -> dict:
        """Feast's ``registry-dump`` form: per kind (camelCase), the stored messages as JSON, by name; an
        on-demand view's function shows as its source text, not as its pickle."""
        from google.protobuf.json_format import MessageToDict

        result: dict = {"project": self.name}
        for kind in MESSAGE_TYPES:
            if kind == "projects" or not self.messages[kind]:
                continue
            items = []
            for name in sorted(self.messages[kind]):
                item = MessageToDict(self.messages[kind][name])
                udf = item.get("spec", {}).get("featureTransformation", {}).get("userDefinedFunction")
                if udf is not None:
                    udf["body"] = udf.get("bodyText", "")
                items.append(item)
            head, *rest = kind.split("_")
            result[head + "".join(w.title() for w in rest)] = items
        return result

    def sources_used_by_others(self) -> set[str]:
        """Names of the data sources that objects of kinds feast_core does not model read from (a label
        view's): an apply that does not declare them must keep them."""
        used = set()
        for kind in OTHER_KINDS:
            for item in self.messages[kind].values():
                if not item.HasField("spec"):
                    continue
                for field in ("batch_source", "stream_source", "source"):
                    if field in item.spec.DESCRIPTOR.fields_by_name and item.spec.HasField(field):
                        used.add(getattr(item.spec, field).name)
        return used

    def others(self) -> list[OtherObject]:
        """Objects of the kinds feast_core does not model, by kind then name."""
        return [OtherObject(kind, n, self.messages[kind][n]) for kind in OTHER_KINDS for n in sorted(self.messages[kind])]


class Snapshot:
    """An immutable, parsed copy of the registry at one moment (one ``Registry`` message)."""

    def __init__(self, message: RegistryProto) -> None:
        self.message = message
        self.version_id: str = message.version_id
        self.last_updated: datetime | None = wire.get_timestamp(message, "last_updated")
        self._names = sorted(project_names(message))
        self._entries = {p.spec.name: p for p in message.projects}
        self._by_project: dict[str, dict[str, list[Message]]] | None = None
        self._projects: dict[str, ProjectObjects] = {}

    @property
    def project_names(self) -> list[str]:
        return self._names

    def _index(self) -> dict[str, dict[str, list[Message]]]:
        if self._by_project is None:
            index: dict[str, dict[str, list[Message]]] = {}
            for kind in MESSAGE_TYPES:
                if kind == "projects":
                    continue
                for message in getattr(self.message, kind):
                    index.setdefault(project_of(message), {}).setdefault(kind, []).append(message)
            self._by_project = index
        return self._by_project

    def project(self, name: str) -> ProjectObjects:
        """A project's objects (empty when the project does not exist)."""
        found = self._projects.get(name)
        if found is None:
            found = self._projects[name] = ProjectObjects(name, self._entries.get(name), self._index().get(name, {}))
        return found

    def require_project(self, name: str) -> ProjectObjects:
        if name not in self._names:
            raise ProjectNotFoundError(name, known=self._names)
        return self.project(name)


def empty_project(name: str) -> ProjectObjects:
    """A project with nothing in it (what a whole-repo plan or apply resolves references against)."""
    return ProjectObjects(name, None, {})
