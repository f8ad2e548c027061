"""The benchmark workload, generated deterministically.

A view keyed by driver_id with 4 features and a ttl of 2 days over 30 days of history, and an
entity dataframe of (driver_id, event_timestamp) rows to join against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

END = datetime(2026, 11, 1, tzinfo=timezone.utc)
START = END - timedelta(days=30)
TTL = timedelta(days=2)


@dataclass(frozen=True)
class Size:
    name: str
    keys: int
    rows: int
    entity_rows: int


SIZES = {
    "small": Size("small", 1_000, 100_000, 10_000),
    "medium": Size("medium", 10_000, 1_000_000, 100_000),
    "large": Size("large", 100_000, 10_000_000, 1_000_000),
}

CHUNK = 1_000_000


def _stamps(rng: np.random.Generator, n: int) -> np.ndarray:
    span_us = int((END - START).total_seconds() * 1_000_000)
    start_us = int(START.timestamp() * 1_000_000)
    return start_us + rng.integers(0, span_us, n, dtype=np.int64)


def write_features(size: Size, path: Path) -> None:
    """Feature rows, written in chunks so generation memory stays bounded."""
    rng = np.random.default_rng(42)
    schema = pa.schema([
        ("driver_id", pa.int64()), ("conv_rate", pa.float32()), ("acc_rate", pa.float32()),
        ("avg_daily_trips", pa.int64()), ("rating", pa.float64()),
        ("event_timestamp", pa.timestamp("us", tz="UTC")), ("created", pa.timestamp("us", tz="UTC")),
    ])
    with pq.ParquetWriter(path, schema) as writer:
        for offset in range(0, size.rows, CHUNK):
            n = min(CHUNK, size.rows - offset)
            stamps = _stamps(rng, n)
            writer.write_table(pa.table({
                "driver_id": rng.integers(0, size.keys, n, dtype=np.int64) + 1000,
                "conv_rate": rng.random(n, dtype=np.float32),
                "acc_rate": rng.random(n, dtype=np.float32),
                "avg_daily_trips": rng.integers(0, 1000, n, dtype=np.int64),
                "rating": rng.random(n) * 5,
                "event_timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
                "created": pa.array(stamps + 1_000_000, pa.timestamp("us", tz="UTC")),
            }, schema=schema))


def write_entities(size: Size, path: Path) -> None:
    rng = np.random.default_rng(7)
    n = size.entity_rows
    pq.write_table(pa.table({
        "driver_id": rng.integers(0, size.keys, n, dtype=np.int64) + 1000,
        "event_timestamp": pa.array(_stamps(rng, n), pa.timestamp("us", tz="UTC")),
    }), path)


def online_keys(size: Size, count: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(k) + 1000 for k in rng.integers(0, size.keys, count)]


REPO_DEFINITIONS = '''
from datetime import timedelta

from {package} import Entity, FeatureService, FeatureView, Field, FileSource
from {package}.types import Float32, Float64, Int64

driver = Entity(name="driver", join_keys=["driver_id"])
source = FileSource(name="driver_stats", path="{path}", timestamp_field="event_timestamp",
                    created_timestamp_column="created")
driver_stats = FeatureView(
    name="driver_stats", entities=[driver], ttl=timedelta(days=2), source=source,
    schema=[Field(name="conv_rate", dtype=Float32), Field(name="acc_rate", dtype=Float32),
            Field(name="avg_daily_trips", dtype=Int64), Field(name="rating", dtype=Float64)],
)
'''

FEATURES = ["driver_stats:conv_rate", "driver_stats:acc_rate", "driver_stats:avg_daily_trips", "driver_stats:rating"]
