"""The registry in Feast's format: the file's bytes, what an apply keeps, safety, and migrating earlier registries."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest

from feast_core import (
    Entity,
    FeatureService,
    FeatureStore,
    FeatureView,
    Field,
    FileSource,
    RequestSource,
)
from feast_core.errors import RegistryError
from feast_core.on_demand_feature_view import on_demand_feature_view
from feast_core.protos.feast.core.Registry_pb2 import Registry as RegistryProto
from feast_core.registry import Changes, FileRegistryStore
from feast_core.types import Float64, Int64, ValueType

T0 = datetime(2025, 3, 1, tzinfo=timezone.utc)
CONFIG = (
    "project: {project}\nprovider: local\nregistry: {registry}\n"
    "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n"
)


def make_repo(path: Path, project: str = "shop", registry: str = "data/registry.db") -> Path:
    (path / "data").mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(CONFIG.format(project=project, registry=registry))
    pd.DataFrame({
        "driver_id": [1, 2], "trips": [10, 20], "rating": [4.0, 3.0], "ts": [T0, T0 + timedelta(hours=1)],
    }).to_parquet(path / "data" / "drivers.parquet")
    return path


def declared(repo: Path, description: str = "") -> list:
    driver = Entity(name="driver", join_keys=["driver_id"])
    source = FileSource(name="drivers_src", path=str(repo / "data" / "drivers.parquet"), timestamp_field="ts")
    stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(days=1), source=source,
                        schema=[Field(name="trips", dtype=Int64), Field(name="rating", dtype=Float64)],
                        description=description)
    totals = FeatureView(name="totals", ttl=timedelta(0), source=source, schema=[Field(name="trips", dtype=Int64)])
    extra = RequestSource(name="extra", schema=[Field(name="bonus", dtype=Float64)])

    @on_demand_feature_view(sources=[stats, extra], schema=[Field(name="boosted", dtype=Float64)])
    def boosted(inputs: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"boosted": inputs["rating"] + inputs["bonus"]})

    service = FeatureService(name="service", features=[stats[["rating"]], boosted])
    return [driver, source, stats, totals, extra, boosted, service]


def registry_of(repo: Path) -> RegistryProto:
    return RegistryProto.FromString((repo / "data" / "registry.db").read_bytes())


def by_name(messages) -> dict:
    return {(m.spec.name if "spec" in m.DESCRIPTOR.fields_by_name else m.name): m for m in messages}


# ---- the file is Feast's Registry message ---------------------------------------------------------------


def test_the_file_is_feasts_registry_message_as_feast_apply_writes_it(tmp_path):
    repo = make_repo(tmp_path)
    store = FeatureStore(repo_path=repo)
    store.apply(declared(repo))
    registry = registry_of(repo)
    assert registry.registry_schema_version == "1" and len(registry.version_id) == 36
    assert [p.spec.name for p in registry.projects] == ["shop"]
    for kind in ("entities", "data_sources", "feature_views", "on_demand_feature_views", "feature_services"):
        for item in getattr(registry, kind):
            project = item.spec.project if kind != "data_sources" else item.project
            assert project == "shop", (kind, item)
    entities = by_name(registry.entities)
    assert set(entities) == {"driver", "__dummy"} and entities["__dummy"].spec.join_key == "__dummy_id"
    assert [e.name for e in store.list_entities()] == ["driver"]  # the placeholder is stored, never listed
    totals = by_name(registry.feature_views)["totals"]
    assert list(totals.spec.entities) == ["__dummy"] and totals.spec.version == "latest"
    history = {(r.feature_view_name, r.version_number, r.feature_view_type)
               for r in registry.feature_view_version_history.records}
    assert history == {("driver_stats", 0, "feature_view"), ("totals", 0, "feature_view"),
                       ("boosted", 0, "on_demand_feature_view")}
    tables = {(o.infra_object_class_type, o.sqlite_table.path, o.sqlite_table.name) for o in registry.infra.infra_objects}
    online = str((repo / "data" / "online.db").absolute())
    assert tables == {("feast.infra.online_stores.sqlite.SqliteTable", online, "shop_driver_stats"),
                      ("feast.infra.online_stores.sqlite.SqliteTable", online, "shop_totals")}
    store.close()


def test_an_apply_compares_objects_as_feast_and_keeps_unchanged_bytes_and_times(tmp_path):
    repo = make_repo(tmp_path)
    store = FeatureStore(repo_path=repo)
    store.apply(declared(repo))
    before = (repo / "data" / "registry.db").read_bytes()
    assert not store.apply(declared(repo))  # nothing changed: nothing written
    assert (repo / "data" / "registry.db").read_bytes() == before

    first = registry_of(repo)
    changed = store.apply(declared(repo, description="now described"))
    assert [str(c) for c in changed.changes] == ["Updated feature view driver_stats"]
    second = registry_of(repo)
    assert second.version_id != first.version_id
    old, new = by_name(first.feature_views), by_name(second.feature_views)
    assert new["totals"].SerializeToString() == old["totals"].SerializeToString()
    assert new["driver_stats"].meta.created_timestamp == old["driver_stats"].meta.created_timestamp
    assert new["driver_stats"].meta.last_updated_timestamp != old["driver_stats"].meta.last_updated_timestamp
    # a description is not a new version (Feast's rule); a schema change is
    assert new["driver_stats"].meta.current_version_number == 0
    store.close()


def test_a_read_only_registry_file_is_respected(tmp_path):
    repo = make_repo(tmp_path)
    store = FeatureStore(repo_path=repo)
    store.apply(declared(repo))
    path = repo / "data" / "registry.db"
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with pytest.raises(RegistryError, match=r"read-only \(mode 0444\).*chmod u\+w"):
            store.apply(declared(repo, description="changed"))
        with pytest.raises(RegistryError, match="read-only"):
            store.teardown()
        assert stat.S_IMODE(path.stat().st_mode) == 0o444 and path.read_bytes() == before
        assert [v.name for v in store.list_feature_views()] == ["driver_stats", "totals"]  # reads still work
    finally:
        path.chmod(0o644)
    store.close()


def test_a_replaced_registry_keeps_its_permissions(tmp_path):
    repo = make_repo(tmp_path)
    store = FeatureStore(repo_path=repo)
    store.apply(declared(repo))
    path = repo / "data" / "registry.db"
    path.chmod(0o640)
    store.apply(declared(repo, description="changed"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    store.close()


@pytest.mark.parametrize("content, expected", [
    (b"\xff\xfe garbage \x00\x01" * 20, "not a Feast registry"),
    (RegistryProto(registry_schema_version="2").SerializeToString(), "registry_schema_version '2' is newer"),
    (b"project: shop\nregistry: data/registry.db\n", "not a Feast registry"),
])
def test_a_registry_file_it_cannot_read_stops_every_command_and_is_left_as_it_is(tmp_path, content, expected):
    repo = make_repo(tmp_path)
    path = repo / "data" / "registry.db"
    path.write_bytes(content)
    store = FeatureStore(repo_path=repo)
    for command in (store.list_feature_views, lambda: store.apply(declared(repo)), store.teardown):
        with pytest.raises(RegistryError, match=expected) as caught:
            command()
        assert str(path) in str(caught.value)
    assert path.read_bytes() == content
    store.close()


APPLIER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from feast_core.definitions import Entity
    from feast_core.registry import Changes, FileRegistryStore
    path, writer, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    store = FileRegistryStore(Path(path))
    while time.time() < start:
        time.sleep(0.001)
    for i in range(25):
        store.apply(Changes("proj", upserts={"entities": [Entity(name=f"e_{writer}_{i}").to_proto()]}))
""")


def test_two_processes_writing_the_file_at_once_lose_nothing(tmp_path):
    import time

    path = tmp_path / "registry.db"
    start = str(time.time() + 2.0)
    procs = [subprocess.Popen([sys.executable, "-c", APPLIER, str(path), w, start], stderr=subprocess.PIPE)
             for w in "ab"]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    names = {e.spec.name for e in FileRegistryStore(path).read().entities}
    assert names == {f"e_{w}_{i}" for w in "ab" for i in range(25)}


def test_objects_feast_core_does_not_model_are_kept_when_it_writes(tmp_path):
    from feast_core.protos.feast.core.StreamFeatureView_pb2 import StreamFeatureView

    path = tmp_path / "registry.db"
    registry = RegistryProto(registry_schema_version="1")
    stream = StreamFeatureView()
    stream.spec.name, stream.spec.project = "clicks", "proj"
    stream.spec.user_defined_function.body = b"\x80\x04 not importable here"
    registry.stream_feature_views.append(stream)
    path.write_bytes(registry.SerializeToString())
    store = FileRegistryStore(path)
    store.apply(Changes("proj", upserts={"entities": [Entity(name="driver").to_proto()]}))
    assert store.read().stream_feature_views[0] == stream
    store.delete_project("proj")
    assert not store.read().stream_feature_views


# ---- registries written by earlier feast_core releases ----------------------------------------------------


def legacy_record(obj, created: datetime) -> dict:
    spec = obj.to_dict()
    return {"spec": spec, "created": created.isoformat(), "last_updated": (created + timedelta(hours=1)).isoformat()}


def legacy_raw(repo: Path) -> dict:
    """The registry an earlier feast_core wrote for ``declared(repo)`` (its JSON layout, object dicts)."""
    objects = declared(repo)
    driver, source, stats, totals, extra, boosted, service = objects
    driver.value_type = ValueType.INT64  # as the earlier apply inferred it
    stats.entity_columns = [Field(name="driver_id", dtype=Int64)]
    kinds = {"entities": [driver], "data_sources": [source, extra], "feature_views": [stats, totals],
             "on_demand_feature_views": [boosted], "feature_services": [service], "permissions": []}
    project = {kind: {o.name: legacy_record(o, T0) for o in items} for kind, items in kinds.items()}
    project["project"] = None
    project["materialization"] = {"driver_stats": {
        "most_recent_end": (T0 + timedelta(days=2)).isoformat(), "last_run": T0.isoformat(),
        "intervals": [[T0.isoformat(), (T0 + timedelta(days=1)).isoformat()],
                      [(T0 + timedelta(days=1)).isoformat(), (T0 + timedelta(days=2)).isoformat()]],
    }}
    return {"format": "feast-core-registry", "format_version": 1, "version_id": "abc",
            "last_updated": T0.isoformat(), "projects": {"shop": project}}


def check_migrated(store: FeatureStore, repo: Path) -> None:
    assert [v.name for v in store.list_feature_views()] == ["driver_stats", "totals"]
    stats = store.get_feature_view("driver_stats")
    assert stats.created_timestamp == T0 and stats.last_updated_timestamp == T0 + timedelta(hours=1)
    state = store.get_materialization("driver_stats")
    assert state.intervals == [(T0, T0 + timedelta(days=1)), (T0 + timedelta(days=1), T0 + timedelta(days=2))]
    assert state.most_recent_end == T0 + timedelta(days=2) and state.state.name == "AVAILABLE_ONLINE"
    out = store.get_on_demand_feature_view("boosted").udf(pd.DataFrame({"rating": [1.0], "bonus": [0.5]}))
    assert out["boosted"].tolist() == [1.5]
    assert store.get_feature_service("service").feature_references == ["driver_stats:rating", "boosted:boosted"]
    assert not store.plan(declared(repo))  # what the repo declares is what was migrated


def test_an_earlier_registry_file_is_refused_then_migrated_without_loss(tmp_path, feast):
    repo = make_repo(tmp_path)
    path = repo / "data" / "registry.db"
    old = json.dumps(legacy_raw(repo), indent=1).encode()
    path.write_bytes(old)
    refused = feast.error_line(feast("feature-views", "list", cwd=repo, ok=False))
    assert "earlier JSON format" in refused and "feast migrate" in refused
    dry = feast("migrate", "--dry-run", cwd=repo).stdout
    assert "would convert" in dry and "2 feature views" in dry and path.read_bytes() == old
    done = feast("migrate", cwd=repo).stdout
    assert "converted to Feast's format" in done
    assert (repo / "data" / "registry.db.feast-core-v1.json").read_bytes() == old
    assert registry_of(repo).registry_schema_version == "1"
    store = FeatureStore(repo_path=repo)
    check_migrated(store, repo)
    store.close()
    assert feast("migrate", cwd=repo).stdout.splitlines() == ["registry: nothing to migrate", "online store: nothing to migrate"]


LEGACY_SQLITE_TABLES = [
    "CREATE TABLE feast_core_registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE feast_core_projects (project TEXT PRIMARY KEY, spec TEXT NOT NULL, created TEXT NOT NULL, "
    "last_updated TEXT NOT NULL)",
    "CREATE TABLE feast_core_objects (project TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, "
    "created TEXT NOT NULL, last_updated TEXT NOT NULL, PRIMARY KEY (project, kind, name))",
    "CREATE TABLE feast_core_materialization (project TEXT NOT NULL, view TEXT NOT NULL, state TEXT NOT NULL, "
    "PRIMARY KEY (project, view))",
]


def test_earlier_sql_registry_tables_are_refused_then_migrated_without_loss(tmp_path, feast):
    repo = make_repo(tmp_path, registry="\n  registry_type: sql\n  path: sqlite:///data/registry.sqlite")
    raw = legacy_raw(repo)["projects"]["shop"]
    with sqlite3.connect(repo / "data" / "registry.sqlite") as conn:
        for statement in LEGACY_SQLITE_TABLES:
            conn.execute(statement)
        conn.execute("INSERT INTO feast_core_registry_meta VALUES ('schema_version', '1')")
        for kind in ("entities", "data_sources", "feature_views", "on_demand_feature_views", "feature_services"):
            for name, record in raw[kind].items():
                conn.execute("INSERT INTO feast_core_objects VALUES ('shop', ?, ?, ?, ?, ?)",
                             (kind, name, json.dumps(record["spec"]), record["created"], record["last_updated"]))
        conn.execute("INSERT INTO feast_core_materialization VALUES ('shop', 'driver_stats', ?)",
                     (json.dumps(raw["materialization"]["driver_stats"]),))
    refused = feast.error_line(feast("feature-views", "list", cwd=repo, ok=False))
    assert "earlier tables" in refused and "feast migrate" in refused
    with sqlite3.connect(repo / "data" / "registry.sqlite") as conn:  # refusing created nothing
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {
            "feast_core_registry_meta", "feast_core_projects", "feast_core_objects", "feast_core_materialization"}
    assert "converted to Feast's format" in feast("migrate", cwd=repo).stdout
    store = FeatureStore(repo_path=repo)
    check_migrated(store, repo)
    store.close()
    with sqlite3.connect(repo / "data" / "registry.sqlite") as conn:  # the earlier tables are kept
        assert conn.execute("SELECT count(*) FROM feast_core_objects").fetchone() == (7,)


def test_an_on_demand_function_pickled_by_an_earlier_release_still_runs(tmp_path):
    repo = make_repo(tmp_path)
    raw = legacy_raw(repo)
    spec = raw["projects"]["shop"]["on_demand_feature_views"]["boosted"]["spec"]
    spec["udf_string"] = ""  # only the earlier pickle is left: it must be what converts the function

    def boosted(inputs):
        return pd.DataFrame({"boosted": inputs["rating"] * 10})

    spec["udf_pickle"] = base64.b64encode(cloudpickle.dumps(boosted)).decode()
    (repo / "data" / "registry.db").write_text(json.dumps(raw))
    store = FeatureStore(repo_path=repo)
    assert store.registry.store.migrate_legacy() is not None
    store.refresh_registry()
    udf = store.get_on_demand_feature_view("boosted").udf
    assert udf(pd.DataFrame({"rating": [2.0]}))["boosted"].tolist() == [20.0]
    store.close()
    assert os.path.exists(repo / "data" / "registry.db.feast-core-v1.json")
