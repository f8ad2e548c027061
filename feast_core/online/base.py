"""What every online store does: keep the latest value per (entity key, feature) of each view, in Feast's
table layout, guarded by event time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa

from ..definitions import FeatureView
from ..errors import EntityDataError
from . import encoding

EVENT_TS = "event_timestamp"
CREATED_TS = "created_timestamp"

# Feast's online table: one row per (entity_key, feature_name), PRIMARY KEY(entity_key, feature_name)
FEAST_COLUMNS = ("entity_key", "feature_name", "value", "value_text", "vector_value", "event_ts", "created_ts")
REQUIRED_COLUMNS = frozenset({"entity_key", "feature_name", "value", "event_ts", "created_ts"})
OPTIONAL_COLUMNS = frozenset({"value_text", "vector_value", "value_num"})

# What a table named {project}_{view} turned out to be
MISSING, FEAST_LAYOUT, EARLIER_LAYOUT, OTHER_LAYOUT = "missing", "feast", "earlier feast_core", "other"

MIGRATE_HINT = (
    "run `feast migrate` to convert it to Feast's layout without loss (see docs: feast migrate), then run this again"
)


def table_name(project: str, view: FeatureView | str) -> str:
    return f"{project}_{view if isinstance(view, str) else view.name}"


def is_feast_layout(columns: set[str], primary_key: list[str]) -> bool:
    return (
        REQUIRED_COLUMNS <= columns <= REQUIRED_COLUMNS | OPTIONAL_COLUMNS
        and primary_key == ["entity_key", "feature_name"]
    )


def layout_refusal(store: str, table: str, layout: str, columns: list[str]) -> str:
    """The message for a table this store will not change: what it is, and what to do."""
    if layout == EARLIER_LAYOUT:
        return f"{store}: table {table!r} is in feast_core's earlier online layout (typed columns); {MIGRATE_HINT}"
    return (
        f"{store}: table {table!r} is not in Feast's online layout (it has columns {', '.join(columns)}), so "
        "feast_core leaves it as it is; rename or drop it yourself if it is not needed, or use another project name"
    )


def write_batch_keys(view: str, serializer: encoding.EntityKeySerializer, join_keys: list[str],
                     batch: pa.Table) -> pa.Array:
    """The serialized entity keys of a write batch (one per row), after the checks every store makes before it
    writes anything: the join key and event time columns are present and no join key is missing."""
    names = set(batch.column_names)
    missing = [k for k in join_keys + [EVENT_TS] if k not in names]
    if missing:
        raise EntityDataError(f"feature view {view!r}: rows to write lack column(s) {missing}")
    for key in join_keys:
        if batch.column(key).null_count:
            raise EntityDataError(f"feature view {view!r}: join key column {key!r} has missing values")
    return serializer.serialize_columns([batch.column(k) for k in join_keys], batch.num_rows)


def write_batch_times(batch: pa.Table, name: str, view: str, required: bool) -> pa.Array:
    """A write batch's event (``required``: no value may be missing) or created time column, checked to hold
    timestamps or dates, as one array."""
    column = encoding._combined(batch.column(name))
    if not (pa.types.is_timestamp(column.type) or pa.types.is_date(column.type)):
        raise EntityDataError(f"feature view {view!r}: column {name!r} holds {column.type} values, not timestamps")
    if required and column.null_count:
        raise EntityDataError(f"feature view {view!r}: column {name!r} has missing values")
    return column


@dataclass
class OnlineRead:
    """Rows read for a list of keys, aligned with the keys, per feature: ``values[f][i]`` is feature f's value
    for key i and ``event_ts[f][i]`` its event time in microseconds since the epoch (UTC); ``event_ts[f][i]``
    is None where key i has no row for f (a stored null has a time and the value None)."""

    event_ts: dict[str, list[int | None]]
    values: dict[str, list]
    # features the store found a row and a non-null value for at every key, as it decoded them (so the response
    # need not look for missing ones); a store that does not say leaves it empty
    complete: frozenset[str] = frozenset()
    # each feature's oldest event time (microseconds) where the store knows it without looking again, so that the
    # ttl check need not; a store that does not say leaves it None
    oldest: dict[str, int] | None = None


@dataclass
class MigrationStep:
    """One table ``feast migrate`` found: what it is and what it did (or would do) about it."""

    table: str
    layout: str
    rows: int = 0
    done: bool = False
    detail: str = field(default="")


class OnlineStore(Protocol):
    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        """Create the tables of ``keep`` that are missing and drop those of ``delete``. Refuses (changing
        nothing) when one of their tables exists in a layout other than Feast's."""

    def check(self, project: str, views: list[FeatureView]) -> None:
        """Raise, naming the table, if a table of these views exists in a layout this store may not change."""

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        """Upsert rows: columns are view.join_keys, feature names (a subset is allowed), EVENT_TS and
        optionally CREATED_TS. A value never replaces a stored one with a newer event timestamp (equal
        event timestamps: the newer or equal created timestamp wins). Atomic per call. Returns rows given."""

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        """Read ``features`` for ``keys`` (tuples in view.join_keys order) in one round trip."""

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        """Drop the tables of these views (refusing, before dropping any, a table in another layout)."""

    def migrate(self, project: str, views: list[FeatureView], dry_run: bool = False) -> list[MigrationStep]:
        """Convert tables of these views written in feast_core's earlier layout to Feast's, without loss."""

    def close(self) -> None: ...
