"""``feast migrate`` as a user runs it, on a repo whose online table an earlier feast_core wrote."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from feast_core import FeatureStore

from . import earlier_online_layout as earlier

DEFINITIONS = '''
from feast_core import Entity, FeatureView, Field, FileSource
from feast_core.types import Array, Bool, Bytes, Float64, Int64, String, UnixTimestamp

driver = Entity(name="driver", join_keys=["driver_id"])
driver_stats = FeatureView(
    name="driver_stats", entities=[driver],
    source=FileSource(path="data/stats.parquet", timestamp_field="ts"),
    schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64),
            Field(name="city", dtype=String), Field(name="photo", dtype=Bytes), Field(name="active", dtype=Bool),
            Field(name="seen", dtype=UnixTimestamp), Field(name="tags", dtype=Array(String)),
            Field(name="scores", dtype=Array(Int64)), Field(name="blobs", dtype=Array(Bytes)),
            Field(name="stamps", dtype=Array(UnixTimestamp))],
)
'''


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "feature_store.yaml").write_text(
        "project: mig\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n"
    )
    (tmp_path / "definitions.py").write_text(DEFINITIONS)
    view = earlier.view()
    columns = {f.name: pa.array([row[f.name] for row in earlier.ROWS], f.dtype.arrow) for f in view.schema}
    columns["ts"] = pa.array(earlier.EVENT, pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table(columns), tmp_path / "data" / "stats.parquet")
    return tmp_path


def _table_rows(db: Path) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute('SELECT * FROM "mig_driver_stats" ORDER BY 1').fetchall()
    finally:
        conn.close()


def test_an_earlier_table_is_refused_by_apply_and_teardown_then_migrated(tmp_path, feast):
    repo = _repo(tmp_path)
    feast("apply", cwd=repo)
    # what an earlier feast_core left: its typed table in place of the one apply just made
    db = repo / "data" / "online.db"
    conn = sqlite3.connect(db)
    conn.execute('DROP TABLE "mig_driver_stats"')
    earlier.sqlite_table(conn, "mig_driver_stats")
    conn.close()
    before = _table_rows(db)

    for command in ("apply", "teardown"):
        line = feast.error_line(feast(command, cwd=repo, ok=False))
        assert "'mig_driver_stats'" in line and "feast migrate" in line
    assert feast("migrate", "--dry-run", cwd=repo).stdout.splitlines() == [
        "registry: nothing to migrate",
        "online store: table mig_driver_stats: earlier feast_core layout, 2 rows; would convert to Feast's layout"]
    assert _table_rows(db) == before

    assert feast("migrate", cwd=repo).stdout.splitlines() == [
        "registry: nothing to migrate",
        "online store: table mig_driver_stats: earlier feast_core layout, 2 rows; converted to Feast's layout"]
    assert feast("migrate", cwd=repo).stdout.splitlines() == [
        "registry: nothing to migrate",
        "online store: table mig_driver_stats: already in Feast's layout"]
    feast("apply", cwd=repo)
    store = FeatureStore(repo_path=repo)
    try:
        values = store.get_online_features([f"driver_stats:{f}" for f in earlier.FEATURES],
                                           [{"driver_id": 1}, {"driver_id": 2}]).to_dict()
    finally:
        store.close()
    assert {f: values[f] for f in earlier.FEATURES} == earlier.expected()
