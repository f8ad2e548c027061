"""What an apply would change: the registry diff shown by ``feast plan`` and ``feast apply``.

Objects are compared as Feast compares them: by what they declare (``==`` on feast_core's definitions),
never by the registry's bookkeeping (timestamps, materialization intervals, versions) nor by the bytes of
a pickled function. An object that compares equal is left alone: its stored bytes and timestamps stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# the kinds a feature repository declares (and ``feast apply`` deletes when the repo no longer does)
KIND_LABELS = {
    "entities": "entity",
    "data_sources": "data source",
    "feature_views": "feature view",
    "on_demand_feature_views": "on demand feature view",
    "feature_services": "feature service",
    "permissions": "permission",
}
# kinds applied by name only (a repository does not declare them: callers keep them in ``desired``)
OTHER_LABELS = {"saved_datasets": "saved dataset"}


@dataclass(frozen=True)
class Change:
    action: str  # "create" | "update" | "delete"
    kind: str
    name: str

    def __str__(self) -> str:
        verb = {"create": "Created", "update": "Updated", "delete": "Deleted"}[self.action]
        return f"{verb} {KIND_LABELS.get(self.kind) or OTHER_LABELS[self.kind]} {self.name}"


@dataclass
class RegistryDiff:
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of(self, action: str, kind: str | None = None) -> list[str]:
        return [c.name for c in self.changes if c.action == action and (kind is None or c.kind == kind)]

    def to_string(self) -> str:
        return "\n".join(str(c) for c in self.changes) if self.changes else "No changes to registry"


def compute(
    current: Mapping[str, Mapping[str, object]], desired: Mapping[str, Mapping[str, object]], delete_missing: bool
) -> RegistryDiff:
    """Compare objects per kind and name; ``delete_missing``: what ``current`` has and ``desired`` lacks is
    deleted."""
    diff = RegistryDiff()
    for kind in (*KIND_LABELS, *OTHER_LABELS):
        have, want = current.get(kind, {}), desired.get(kind, {})
        for name in sorted(want):
            if name not in have:
                diff.changes.append(Change("create", kind, name))
            elif have[name] != want[name]:
                diff.changes.append(Change("update", kind, name))
        if delete_missing:
            diff.changes.extend(Change("delete", kind, name) for name in sorted(set(have) - set(want)))
    return diff
