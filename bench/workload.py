"""The benchmark workload, generated deterministically.

A view keyed by driver_id with 4 features and a ttl of 2 days over the 30 days before ``END``, and an
entity dataframe of (driver_id, event_timestamp) rows to join against it. ``END`` is the start of the
current UTC day (or ``FEAST_BENCH_END=YYYY-MM-DD``; the harness fixes it once per run), and every driver also
reports once in the 12 hours before ``END``: an online read during the run asks for values within the view's
ttl, a question whose correct answer has values (Feast ignores the ttl online, feast_core does not).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

END_ENV = "FEAST_BENCH_END"


def _end() -> datetime:
    if os.environ.get(END_ENV):
        return datetime.fromisoformat(os.environ[END_ENV]).replace(tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    return datetime(now.year, now.month, now.day, tzinfo=timezone.utc)


END = _end()
START = END - timedelta(days=30)
TTL = timedelta(days=2)
RECENT = timedelta(hours=12)  # every driver's last report falls in the RECENT before END


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
    """Feature rows (``size.rows`` over the 30 days, then one recent row per driver), written in chunks so
    generation memory stays bounded."""
    rng = np.random.default_rng(42)
    schema = pa.schema([
        ("driver_id", pa.int64()), ("conv_rate", pa.float32()), ("acc_rate", pa.float32()),
        ("avg_daily_trips", pa.int64()), ("rating", pa.float64()),
        ("event_timestamp", pa.timestamp("us", tz="UTC")), ("created", pa.timestamp("us", tz="UTC")),
    ])
    def chunk(keys: np.ndarray, stamps: np.ndarray) -> pa.Table:
        n = len(keys)
        return pa.table({
            "driver_id": keys,
            "conv_rate": rng.random(n, dtype=np.float32),
            "acc_rate": rng.random(n, dtype=np.float32),
            "avg_daily_trips": rng.integers(0, 1000, n, dtype=np.int64),
            "rating": rng.random(n) * 5,
            "event_timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "created": pa.array(stamps + 1_000_000, pa.timestamp("us", tz="UTC")),
        }, schema=schema)

    with pq.ParquetWriter(path, schema) as writer:
        for offset in range(0, size.rows, CHUNK):
            n = min(CHUNK, size.rows - offset)
            stamps = _stamps(rng, n)
            writer.write_table(chunk(rng.integers(0, size.keys, n, dtype=np.int64) + 1000, stamps))
        recent_us = int(RECENT.total_seconds() * 1_000_000)
        end_us = int(END.timestamp() * 1_000_000)
        for offset in range(0, size.keys, CHUNK):
            keys = np.arange(offset, min(offset + CHUNK, size.keys), dtype=np.int64) + 1000
            writer.write_table(chunk(keys, end_us - 1 - rng.integers(0, recent_us, len(keys), dtype=np.int64)))


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
JOIN_KEYS = ("driver_id",)


def _canonical(value):
    """A value as both implementations' answers are compared: floats at float32 precision (Float32 features
    are float32 values, printed by some as widened doubles and by others as float32 text)."""
    if isinstance(value, float):
        return repr(struct.unpack("<f", struct.pack("<f", value))[0]) if value == value else "nan"
    return value


def answers(responses: Iterable[dict[str, list]]) -> dict:
    """How many feature values a series of online answers held (non-null), and a digest of all of them.

    Each response maps output names (join keys included) to one value per entity row, as
    ``OnlineResponse.to_dict()`` does; the HTTP harness builds the same mapping from the JSON body. The same
    function digests feast_core's and Feast's answers, so equal digests mean equal answers."""
    digest = hashlib.sha256()
    found = asked = 0
    for response in responses:
        for name in sorted(response):
            values = [_canonical(v) for v in response[name]]
            if name not in JOIN_KEYS:
                asked += len(values)
                found += sum(v is not None for v in values)
            digest.update(json.dumps([name, values]).encode())
    return {"values_found": found, "values_asked": asked, "digest": digest.hexdigest()[:16]}


def answer_check(ours: dict | None, feast: dict | None) -> str:
    """How an implementation's answers compare with Feast's in the same run."""
    if not ours or "digest" not in ours:
        return "no answers"
    if not feast or "digest" not in feast:
        return "unchecked (Feast not run)"
    if ours["digest"] == feast["digest"] and ours["values_found"] == feast["values_found"]:
        return "same as Feast"
    return "DIFFERENT from Feast: not a result"
