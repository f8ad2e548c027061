"""Online tables as this project's earlier feast_core versions wrote them (typed columns), for migration and
safety tests: the same DDL and stored forms, written with plain SQL."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
AT = datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# the rows each earlier table holds, and what reading them in Feast's layout must give
ROWS = [
    {"driver_id": 1, "trips": 10, "rate": 0.5, "city": "Oslo", "photo": b"\x00\xff", "active": True, "seen": AT,
     "tags": ["a", "b"], "scores": [1, 2], "blobs": [b"\x01"], "stamps": [AT]},
    {"driver_id": 2, "trips": None, "rate": None, "city": None, "photo": None, "active": False, "seen": None,
     "tags": None, "scores": [], "blobs": None, "stamps": None},
]
FEATURES = ["trips", "rate", "city", "photo", "active", "seen", "tags", "scores", "blobs", "stamps"]
TYPES = {"driver_id": "Int64", "trips": "Int64", "rate": "Float64", "city": "String", "photo": "Bytes",
         "active": "Bool", "seen": "UnixTimestamp", "tags": "Array(String)", "scores": "Array(Int64)",
         "blobs": "Array(Bytes)", "stamps": "Array(UnixTimestamp)"}
EVENT = [T0, T0 + timedelta(hours=1)]
CREATED = [T0 + timedelta(minutes=1), None]


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def sqlite_table(conn, table: str) -> None:
    """The earlier SQLite layout: typed columns, JSON arrays, integer microseconds, and the metadata table."""
    conn.execute("CREATE TABLE IF NOT EXISTS feast_online_tables (table_name TEXT PRIMARY KEY, schema TEXT NOT NULL)")
    conn.execute(
        f'CREATE TABLE "{table}" ("driver_id" INTEGER NOT NULL, "trips" INTEGER, "rate" REAL, "city" TEXT, '
        '"photo" BLOB, "active" INTEGER, "seen" INTEGER, "tags" TEXT, "scores" TEXT, "blobs" TEXT, "stamps" TEXT, '
        'event_ts INTEGER NOT NULL, created_ts INTEGER, PRIMARY KEY ("driver_id")) WITHOUT ROWID'
    )
    schema = {"keys": [["driver_id", "Int64"]], "features": [[f, TYPES[f]] for f in FEATURES]}
    conn.execute("INSERT INTO feast_online_tables VALUES (?, ?)", (table, json.dumps(schema)))
    for row, event, created in zip(ROWS, EVENT, CREATED):
        conn.execute(
            f'INSERT INTO "{table}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (row["driver_id"], row["trips"], row["rate"], row["city"], row["photo"], int(row["active"]),
             None if row["seen"] is None else _micros(row["seen"]),
             None if row["tags"] is None else json.dumps(row["tags"]),
             None if row["scores"] is None else json.dumps(row["scores"]),
             None if row["blobs"] is None else json.dumps([base64.b64encode(b).decode() for b in row["blobs"]]),
             None if row["stamps"] is None else json.dumps([_micros(s) for s in row["stamps"]]),
             _micros(event), None if created is None else _micros(created)),
        )
    conn.commit()


def postgres_table(conn, schema: str, table: str) -> None:
    """The earlier PostgreSQL layout: typed columns (arrays as PostgreSQL arrays) and TIMESTAMPTZ times."""
    conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    conn.execute(
        f'CREATE TABLE "{schema}"."{table}" ("driver_id" BIGINT NOT NULL, "trips" BIGINT, "rate" DOUBLE PRECISION, '
        '"city" TEXT, "photo" BYTEA, "active" BOOLEAN, "seen" TIMESTAMPTZ, "tags" TEXT[], "scores" BIGINT[], '
        '"blobs" BYTEA[], "stamps" TIMESTAMPTZ[], event_ts TIMESTAMPTZ NOT NULL, created_ts TIMESTAMPTZ, '
        'PRIMARY KEY ("driver_id"))'
    )
    for row, event, created in zip(ROWS, EVENT, CREATED):
        conn.execute(
            f'INSERT INTO "{schema}"."{table}" VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)',
            (row["driver_id"], row["trips"], row["rate"], row["city"], row["photo"], row["active"], row["seen"],
             row["tags"], row["scores"], row["blobs"], row["stamps"], event, created),
        )
    conn.commit()


def view():
    """The feature view those tables belong to."""
    from feast_core import types
    from feast_core.definitions import Entity, FeatureView, Field, FileSource

    return FeatureView(
        name="driver_stats", source=FileSource(path="data/stats.parquet", timestamp_field="ts"),
        entities=[Entity(name="driver", join_keys=["driver_id"])],
        schema=[Field(name=name, dtype=types.from_name(t)) for name, t in TYPES.items()],
    )


def expected() -> dict[str, list]:
    """Feature values of drivers 1 and 2 once migrated (Feast's forms: nulls in lists as zero values)."""
    return {f: [row[f] for row in ROWS] for f in FEATURES}
