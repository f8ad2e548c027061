"""``feast migrate``: convert what earlier feast_core versions wrote to Feast's formats, without loss.

A migration is made of parts, run in order. Every part first looks (a dry run of all of them); things are
changed only when no part found something it cannot convert, and then part by part. Parts today:

* ``registry``: a file registry in feast_core's earlier JSON format becomes Feast's ``Registry`` message
  (the old file is kept beside it as ``<file>.feast-core-v1.json``); a SQL registry in the earlier
  ``feast_core_*`` tables is copied into Feast's tables in one transaction (the old tables are kept, marked
  migrated). Every object keeps its definition, created and updated times and materialization intervals.

A later part that needs the registry's objects (the feature views whose online tables it converts) reads
them from ``Migration.registry_view()``: the converted registry while looking, the registry once converted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import RegistryError
from .registry.message import LABELS
from .registry.snapshot import ProjectObjects, Snapshot

if TYPE_CHECKING:
    from .registry.legacy import Conversion
    from .store import FeatureStore


@dataclass
class PartReport:
    """What one part found (and, unless it was a dry run, did): lines to show, and what it cannot convert."""

    part: str
    messages: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{self.part}: {m}" for m in self.messages] or [f"{self.part}: nothing to migrate"]


@dataclass
class Migration:
    store: FeatureStore
    dry_run: bool
    conversion: Conversion | None = None  # the registry part's, when the registry is (or was) in the earlier format

    def registry_view(self) -> ProjectObjects:
        """The project's objects: from the converted registry while looking, else from the registry."""
        if self.dry_run and self.conversion is not None:
            return Snapshot(self.conversion.registry).project(self.store.project)
        return self.store.registry.snapshot(allow_cache=False).project(self.store.project)


def _plural(label: str, n: int) -> str:
    if n == 1:
        return label
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


def _registry_part(migration: Migration) -> PartReport:
    report = PartReport("registry")
    backend = migration.store.registry.store
    convert = getattr(backend, "migrate_legacy", None)
    conversion = convert(dry_run=migration.dry_run) if convert is not None else None
    if conversion is None:
        return report
    migration.conversion = conversion
    held = ", ".join(f"{n} {_plural(LABELS[k], n)}" for k, n in sorted(conversion.counts.items())) or "no objects"
    verb = "would convert" if migration.dry_run else "converted"
    report.messages.append(f"{backend.label}: earlier feast_core format ({held}); {verb} to Feast's format")
    if not migration.dry_run:
        migration.store.refresh_registry()
    return report


@dataclass
class Part:
    name: str
    run: Callable[[Migration], PartReport]


def _online_part(migration: Migration) -> PartReport:
    from .online.base import EARLIER_LAYOUT, FEAST_LAYOUT, MISSING, OTHER_LAYOUT

    report = PartReport("online store")
    store = migration.store
    if store.config.online_store is None:
        return report
    views = [v for v in migration.registry_view().list("feature_views") if v.online]
    for step in store.online_store.migrate(store.project, views, dry_run=migration.dry_run):
        if step.layout == EARLIER_LAYOUT:
            verb = "converted" if step.done else "would convert"
            report.messages.append(f"table {step.table}: earlier feast_core layout, {step.rows:,} rows; "
                                   f"{verb} to Feast's layout")
        elif step.layout == FEAST_LAYOUT:
            report.messages.append(f"table {step.table}: already in Feast's layout")
        elif step.layout == MISSING:
            report.messages.append(f"table {step.table}: not created yet; nothing to do")
        else:
            report.messages.append(step.detail)
            if step.layout == OTHER_LAYOUT:
                report.refusals.append(step.detail)
    return report


PARTS: list[Part] = [Part("registry", _registry_part), Part("online store", _online_part)]


def migrate(store: FeatureStore, dry_run: bool = False) -> list[PartReport]:
    """Look at every part; if none found something it cannot convert, convert (unless ``dry_run``)."""
    look = Migration(store, dry_run=True)
    planned = [part.run(look) for part in PARTS]
    refused = [r for report in planned for r in report.refusals]
    if refused:
        raise RegistryError("feast migrate changed nothing: " + "; ".join(refused))
    if dry_run:
        return planned
    run = Migration(store, dry_run=False)
    return [part.run(run) for part in PARTS]


__all__ = ["PARTS", "Migration", "Part", "PartReport", "migrate"]
