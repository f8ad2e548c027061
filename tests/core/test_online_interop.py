"""One online store shared with upstream Feast 0.67, on SQLite and PostgreSQL.

Upstream's own online store classes (driven with FeatureView objects built in its venv, until the registry is
in Feast's format) write project "up" from the rows its materialization hands them; feast_core writes the
same rows into project "us" as a user does (``materialize`` from a parquet source, ``write_to_online_store``).
Then each side reads the other's, and the rows themselves are compared byte for byte.
"""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from feast_core import FeatureStore
from feast_core.config import PostgresOnlineStoreConfig, SqliteOnlineStoreConfig
from feast_core.definitions import Entity, FeatureView, Field, FileSource
from feast_core.online.base import CREATED_TS, EVENT_TS
from feast_core.online.postgres import PostgresOnlineStore
from feast_core.online.sqlite import SqliteOnlineStore
from feast_core.types import Array, Bool, Bytes, Float32, Float64, Int32, Int64, String, UnixTimestamp

T0 = datetime(2025, 1, 1, 2, 0, 0, 500_000, tzinfo=timezone.utc)
FEATURES = [
    ("i32", Int32), ("i64", Int64), ("f32", Float32), ("f64", Float64), ("s", String), ("b", Bytes), ("ok", Bool),
    ("at", UnixTimestamp), ("li", Array(Int64)), ("lf", Array(Float32)), ("ld", Array(Float64)),
    ("ls", Array(String)), ("lb", Array(Bool)), ("lt", Array(UnixTimestamp)),
]
# rows for driver 1001, 1002 (all null), 1003; ids 1004 is never written
DATA = {
    "driver_id": [1001, 1002, 1003],
    "i32": [7, None, -3], "i64": [2**40, None, -1], "f32": [1.2, None, float("nan")], "f64": [0.1, None, 1e20],
    "s": ["alice", None, ""], "b": [b"\x00\xff", None, b""], "ok": [True, None, False],
    "at": [T0, None, T0 - timedelta(days=400)], "li": [[1, 2], None, []], "lf": [[0.5, 0.25], None, []],
    "ld": [[1.5], None, []], "ls": [["a", "b"], None, []], "lb": [[True, False], None, []], "lt": [[T0], None, []],
}
EVENTS = [T0, T0 + timedelta(seconds=1), T0 - timedelta(hours=1)]
CREATED = [T0 + timedelta(minutes=1)] * 3
KEYS = [1003, 1004, 1001, 1002]

UPSTREAM = r"""
import json, sys, warnings
from datetime import datetime, timedelta, timezone
import pyarrow as pa
warnings.simplefilter("ignore")
from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast.repo_config import RepoConfig
from feast.types import Array, Bool, Bytes, Float32, Float64, Int32, Int64, String, UnixTimestamp
from feast.utils import _convert_arrow_to_proto
from feast.type_map import feast_value_type_to_python_type
from feast.protos.feast.types.EntityKey_pb2 import EntityKey
from feast.protos.feast.types.Value_pb2 import Value

spec = json.loads(SPEC)
TYPES = {"Int32": Int32, "Int64": Int64, "Float32": Float32, "Float64": Float64, "String": String, "Bytes": Bytes,
         "Bool": Bool, "UnixTimestamp": UnixTimestamp}
def dtype(name):
    return Array(TYPES[name[6:-1]]) if name.startswith("Array(") else TYPES[name]

driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64)
source = FileSource(name="src", path="unused.parquet", timestamp_field="event_timestamp", created_timestamp_column="created")
view = FeatureView(name="stats", entities=[driver], source=source, ttl=timedelta(0),
                   schema=[Field(name="driver_id", dtype=Int64)] + [Field(name=n, dtype=dtype(t)) for n, t in spec["features"]])
config = RepoConfig(project="up", provider="local", registry="data/registry.db", online_store=spec["online_store"],
                    entity_key_serialization_version=spec["version"], repo_path=".")
if spec["online_store"]["type"] == "sqlite":
    from feast.infra.online_stores.sqlite import SqliteOnlineStore as Store
else:
    from feast.infra.online_stores.postgres_online_store.postgres import PostgreSQLOnlineStore as Store
store = Store()

def plain(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, datetime):
        return {"ts": v.astimezone(timezone.utc).isoformat()}
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v

# 1. upstream writes project "up" the rows feast_core was given
table = pa.ipc.open_file(spec["arrow"]).read_all()
store.update(config, [], [view], [], [], False)
rows = _convert_arrow_to_proto(table, view, {"driver_id": ValueType.INT64})
store.online_write_batch(config, view, rows, None)

# 2. upstream reads what feast_core wrote into project "us"
config_us = config.model_copy(update={"project": "us"})
keys = [EntityKey(join_keys=["driver_id"], entity_values=[Value(int64_val=k)]) for k in spec["keys"]]
read = store.online_read(config_us, view, keys, [n for n, _ in spec["features"]])
out = []
for ts, values in read:
    if values is None:
        out.append(None)
        continue
    out.append({"ts": ts.astimezone(timezone.utc).isoformat() if ts.tzinfo else ts.replace(tzinfo=timezone.utc).isoformat(),
                "values": {n: plain(feast_value_type_to_python_type(v)) for n, v in values.items()}})
print(json.dumps(out))
"""


def _plain(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, datetime):
        return {"ts": v.astimezone(timezone.utc).isoformat()}
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def view() -> FeatureView:
    return FeatureView(
        name="stats", source=FileSource(name="src", path="unused.parquet", timestamp_field="event_timestamp"),
        entities=[Entity(name="driver", join_keys=["driver_id"])],
        schema=[Field(name="driver_id", dtype=Int64), *[Field(name=n, dtype=t) for n, t in FEATURES]],
    )


def batch() -> pa.Table:
    kinds = {n: t.arrow for n, t in FEATURES}
    columns = {"driver_id": pa.array(DATA["driver_id"], pa.int64())}
    columns.update({n: pa.array(DATA[n], kinds[n]) for n, _ in FEATURES})
    columns[EVENT_TS] = pa.array(EVENTS, pa.timestamp("us", tz="UTC"))
    columns[CREATED_TS] = pa.array(CREATED, pa.timestamp("us", tz="UTC"))
    return pa.table(columns)


def upstream_batch(path: Path) -> None:
    """The same rows as upstream's materialization hands them to its online store (source column names)."""
    table = batch().rename_columns(
        [c if c not in (EVENT_TS, CREATED_TS) else {EVENT_TS: "event_timestamp", CREATED_TS: "created"}[c]
         for c in batch().column_names])
    with pa.ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)


def feature_store_writes(tmp_path: Path, online_store: dict, how: str, version: int = 3) -> None:
    """feast_core fills project "us" as a user does: apply, then materialize the rows from a parquet source or
    hand them to write_to_online_store."""
    repo = tmp_path / "us"
    (repo / "data").mkdir(parents=True)
    rows = batch().rename_columns([{EVENT_TS: "event_timestamp", CREATED_TS: "created"}.get(c, c)
                                   for c in batch().column_names])
    pq.write_table(rows, repo / "data" / "rows.parquet")
    (repo / "feature_store.yaml").write_text(yaml.safe_dump({
        "project": "us", "provider": "local", "registry": "data/registry.db", "online_store": online_store,
        "entity_key_serialization_version": version,
    }))
    source = FileSource(name="src", path=str(repo / "data" / "rows.parquet"), timestamp_field="event_timestamp",
                        created_timestamp_column="created")
    driver = Entity(name="driver", join_keys=["driver_id"])
    fv = FeatureView(name="stats", source=source, entities=[driver],
                     schema=[Field(name="driver_id", dtype=Int64), *[Field(name=n, dtype=t) for n, t in FEATURES]])
    store = FeatureStore(repo_path=repo)
    try:
        store.apply([driver, fv])
        if how == "materialize":
            store.materialize(T0 - timedelta(days=1), T0 + timedelta(days=1), progress=False)
        else:
            store.write_to_online_store("stats", rows.to_pandas())
    finally:
        store.close()


def run_upstream(upstream_feast, tmp_path: Path, online_store: dict, version: int = 3):
    arrow = tmp_path / "rows.arrow"
    upstream_batch(arrow)
    spec = {"features": [(n, t.name) for n, t in FEATURES], "online_store": online_store, "version": version,
            "keys": KEYS, "arrow": str(arrow)}
    script = f"SPEC = {json.dumps(spec)!r}\n" + textwrap.dedent(UPSTREAM)
    return upstream_feast.run_python(script, cwd=tmp_path)


def ours_as_upstream_sees(read, keys_count: int) -> list:
    """Our read in the shape upstream's online_read answers: per key None, or its features' values."""
    out = []
    names = [n for n, _ in FEATURES]
    for i in range(keys_count):
        stamps = [read.event_ts[n][i] for n in names if read.event_ts[n][i] is not None]
        if not stamps:
            out.append(None)
            continue
        ts = datetime.fromtimestamp(max(stamps) / 1e6, tz=timezone.utc).isoformat()
        out.append({"ts": ts, "values": {n: _plain(read.values[n][i]) for n in names if read.event_ts[n][i] is not None}})
    return out


def rows_of(fetch, table: str) -> list:
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in fetch(
        f'SELECT entity_key, feature_name, value, value_text, event_ts, created_ts FROM "{table}" ORDER BY 1, 2')]


@pytest.mark.parametrize("version", [3, 2])
def test_sqlite_materialized_both_directions(upstream_feast, tmp_path: Path, version: int):
    import sqlite3

    config = SqliteOnlineStoreConfig(path=str(tmp_path / "online.db"))
    feature_store_writes(tmp_path, {"type": "sqlite", "path": str(tmp_path / "online.db")}, "materialize", version)
    fv = view()
    upstream_read = run_upstream(upstream_feast, tmp_path, {"type": "sqlite", "path": str(tmp_path / "online.db")}, version)

    ours = SqliteOnlineStore(config, tmp_path, entity_key_version=version)
    names = [n for n, _ in FEATURES]
    keys = [(k,) for k in KEYS]
    from_upstream = ours.read("up", fv, keys, names)
    from_ours = ours.read("us", fv, keys, names)
    # each side reads the other's rows as the writer's own side reads them
    assert ours_as_upstream_sees(from_upstream, len(keys)) == upstream_read == ours_as_upstream_sees(from_ours, len(keys))
    # and the rows are the same bytes, timestamps as integer seconds
    conn = sqlite3.connect(tmp_path / "online.db")
    ours_rows, theirs_rows = rows_of(conn.execute, "us_stats"), rows_of(conn.execute, "up_stats")
    assert ours_rows == theirs_rows
    assert {type(r[4]) for r in ours_rows} == {int}
    if version == 3:
        upstream_table_survives_apply_and_type_change_and_teardown_drops_it(
            ours, lambda t: conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (t,)).fetchone() is not None)
    ours.close()


def test_postgres_written_both_directions(upstream_feast, postgres_db, tmp_path: Path):
    block = {"type": "postgres", **postgres_db.store_config(), "db_schema": "online", "sslmode": "disable"}
    feature_store_writes(tmp_path, block, "write_to_online_store")
    ours = PostgresOnlineStore(PostgresOnlineStoreConfig(**block))
    fv = view()
    upstream_read = run_upstream(upstream_feast, tmp_path, block)
    names = [n for n, _ in FEATURES]
    keys = [(k,) for k in KEYS]
    from_upstream = ours.read("up", fv, keys, names)
    from_ours = ours.read("us", fv, keys, names)
    assert ours_as_upstream_sees(from_upstream, len(keys)) == upstream_read == ours_as_upstream_sees(from_ours, len(keys))
    with postgres_db.connect(autocommit=True) as conn:  # no transaction holding locks the teardown must wait for
        def fetch(sql):
            return conn.execute(sql.replace('"us_stats"', "online.us_stats").replace('"up_stats"', "online.up_stats"))
        assert rows_of(fetch, "us_stats") == rows_of(fetch, "up_stats")
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'online'")}
        assert tables == {"us_stats", "up_stats"}
        upstream_table_survives_apply_and_type_change_and_teardown_drops_it(
            ours, lambda t: conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = 'online' AND tablename = %s",
                                         (t,)).fetchone() is not None)
    ours.close()


def upstream_table_survives_apply_and_type_change_and_teardown_drops_it(ours, table_exists) -> None:
    """A table upstream Feast wrote is in Feast's layout: it belongs to the view, so apply and a type change
    keep every row and teardown drops it, as Feast's own teardown does."""
    fv = view()
    assert ours.read("up", fv, [(1001,)], ["i64", "s"]).values == {"i64": [2**40], "s": ["alice"]}
    ours.update("up", [fv], [])
    retyped = FeatureView(name="stats", source=fv.source, entities=[Entity(name="driver", join_keys=["driver_id"])],
                          schema=[Field(name="driver_id", dtype=Int64), Field(name="i64", dtype=Float64),
                                  Field(name="s", dtype=String)])
    ours.update("up", [retyped], [])
    assert ours.read("up", retyped, [(1001,)], ["i64", "s"]).values == {"i64": [2**40], "s": ["alice"]}
    assert ours.read("up", fv, [(1003,)], ["lt"]).values == {"lt": [[]]}  # features the new view dropped stay too
    ours.teardown("up", [retyped])
    assert not table_exists("up_stats") and table_exists("us_stats")
