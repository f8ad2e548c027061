"""``feast migrate``: convert what earlier feast_core versions wrote to Feast's formats, without loss.

A migration is made of parts, one per store; each part looks first (``plan``), and changes things only when
every part found nothing it cannot convert. Parts today:

* ``online store``: feature-view tables in this project's earlier online layout (typed columns; on SQLite
  described by the ``feast_online_tables`` table) become Feast's layout (one row per entity and feature,
  serialized entity keys and Values) in one transaction per store: all tables or none.

The registry's part (earlier JSON/SQL registries to Feast's protobuf registry) belongs here as another
``Part`` when the registry moves to Feast's format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import OnlineDataError
from .online.base import EARLIER_LAYOUT, FEAST_LAYOUT, MISSING, OTHER_LAYOUT, MigrationStep

if TYPE_CHECKING:
    from .store import FeatureStore


@dataclass
class PartReport:
    """What one part found (and, unless it was a dry run, did)."""

    part: str
    steps: list[MigrationStep] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.steps:
            return [f"{self.part}: nothing to migrate"]
        out = []
        for step in self.steps:
            if step.layout == EARLIER_LAYOUT:
                verb = "converted" if step.done else "would convert"
                out.append(f"{self.part}: table {step.table}: earlier feast_core layout, {step.rows:,} rows; "
                           f"{verb} to Feast's layout")
            elif step.layout == FEAST_LAYOUT:
                out.append(f"{self.part}: table {step.table}: already in Feast's layout")
            elif step.layout == MISSING:
                out.append(f"{self.part}: table {step.table}: not created yet; nothing to do")
            else:
                out.append(f"{self.part}: {step.detail}")
        return out


@dataclass
class Part:
    name: str
    run: Callable[[FeatureStore, bool], PartReport]  # (store, dry_run) -> report


def _online_part(store: FeatureStore, dry_run: bool) -> PartReport:
    report = PartReport("online store")
    if store.config.online_store is None:
        return report
    views = [v for v in store.list_feature_views(allow_cache=False) if v.online]
    report.steps = store.online_store.migrate(store.project, views, dry_run=dry_run)
    return report


PARTS: list[Part] = [Part("online store", _online_part)]


def migrate(store: FeatureStore, dry_run: bool = False) -> list[PartReport]:
    """Look at every part; if none found something it cannot convert, convert (unless ``dry_run``)."""
    planned = [part.run(store, True) for part in PARTS]
    refused = [step.detail for report in planned for step in report.steps if step.layout == OTHER_LAYOUT]
    if refused:
        raise OnlineDataError("feast migrate changed nothing: " + "; ".join(refused))
    if dry_run:
        return planned
    return [part.run(store, False) for part in PARTS]


__all__ = ["PARTS", "Part", "PartReport", "migrate"]
