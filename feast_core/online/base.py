"""What every online store does: keep one row per entity key per view, guarded by event time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

from ..definitions import FeatureView

EVENT_TS = "event_timestamp"
CREATED_TS = "created_timestamp"


def table_name(project: str, view: FeatureView | str) -> str:
    return f"{project}_{view if isinstance(view, str) else view.name}"


@dataclass
class OnlineRead:
    """Rows read for a list of keys, aligned with the keys: ``event_ts[i]`` is None where key i has no row.

    ``event_ts`` are microseconds since the epoch (UTC); ``values[f][i]`` is feature f's value for key i.
    """

    event_ts: list[int | None]
    values: dict[str, list]


class OnlineStore(Protocol):
    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        """Create or adapt the tables of ``keep`` (new features become new columns) and drop those of ``delete``."""

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        """Upsert rows: columns are view.join_keys, feature names (a subset is allowed), EVENT_TS and
        optionally CREATED_TS. A row never replaces a stored row with a newer event timestamp (equal
        event timestamps: the newer created timestamp wins). Atomic per call. Returns rows given."""

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        """Read rows for ``keys`` (tuples in view.join_keys order) in one round trip."""

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        """Drop everything the store keeps for these views."""

    def close(self) -> None: ...
