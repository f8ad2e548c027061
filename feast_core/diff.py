"""What an apply would change: the registry diff shown by ``feast plan`` and ``feast apply``."""

from __future__ import annotations

from dataclasses import dataclass, field

KIND_LABELS = {
    "entities": "entity",
    "data_sources": "data source",
    "feature_views": "feature view",
    "on_demand_feature_views": "on demand feature view",
    "feature_services": "feature service",
    "permissions": "permission",
}


@dataclass(frozen=True)
class Change:
    action: str  # "create" | "update" | "delete"
    kind: str
    name: str

    def __str__(self) -> str:
        verb = {"create": "Created", "update": "Updated", "delete": "Deleted"}[self.action]
        return f"{verb} {KIND_LABELS[self.kind]} {self.name}"


@dataclass
class RegistryDiff:
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of(self, action: str, kind: str | None = None) -> list[str]:
        return [c.name for c in self.changes if c.action == action and (kind is None or c.kind == kind)]

    def to_string(self) -> str:
        return "\n".join(str(c) for c in self.changes) if self.changes else "No changes to registry"


def compute(current: dict[str, dict[str, dict]], desired: dict[str, dict[str, dict]], delete_missing: bool) -> RegistryDiff:
    """Compare specs per kind and name (both sides in dict form)."""
    diff = RegistryDiff()
    for kind in KIND_LABELS:
        have, want = current.get(kind, {}), desired.get(kind, {})
        for name in sorted(want):
            if name not in have:
                diff.changes.append(Change("create", kind, name))
            elif _comparable(have[name]) != _comparable(want[name]):
                diff.changes.append(Change("update", kind, name))
        if delete_missing:
            diff.changes.extend(Change("delete", kind, name) for name in sorted(set(have) - set(want)))
    return diff


def _comparable(spec: dict) -> dict:
    # a pickled function's bytes differ between runs; its source text says whether it changed
    return {k: v for k, v in spec.items() if k != "udf_pickle"}
