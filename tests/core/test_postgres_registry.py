"""The SQL registry against a real PostgreSQL server (and a real SQLite file)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest

from feast_core.definitions import Entity
from feast_core.errors import RegistryError, StoreUnavailableError
from feast_core.protos.feast.core.FeatureView_pb2 import FeatureView as FeatureViewProto
from feast_core.registry import Changes, Registry
from feast_core.registry.sql import SqlRegistryStore

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def url_of(db, user: str | None = None, password: str | None = None) -> str:
    user = quote(user or db.user, safe="")
    password = quote(password if password is not None else db.password, safe="")
    return f"postgresql+psycopg://{user}:{password}@{db.host}:{db.port}/{db.name}"


def entity(name: str, description: str = ""):
    return Entity(name=name, join_keys=[f"{name}_id"], description=description).to_proto()


def view(name: str, features: list[str], description: str = "") -> FeatureViewProto:
    message = FeatureViewProto()
    message.spec.name, message.spec.description, message.spec.online = name, description, True
    message.spec.entities.append("driver")
    for feature in features:
        message.spec.features.add(name=feature, value_type=4)
    return message


def found(registry, kind: str, name: str):
    return next(m for m in getattr(registry, kind) if m.spec.name == name)


def rows(db, sql: str) -> list[tuple]:
    with db.connect() as conn:
        return conn.execute(sql).fetchall()


def test_objects_live_in_feasts_tables_with_timestamps_versions_and_intervals(postgres_db, tmp_path: Path):
    store = SqlRegistryStore(url_of(postgres_db), tmp_path)
    store.apply(Changes("proj", upserts={"entities": [entity("driver")], "feature_views": [view("fv", ["a"])]}))
    first = store.read()
    assert [p.spec.name for p in first.projects] == ["proj"]
    driver = found(first, "entities", "driver")
    assert driver.spec.project == "proj" and driver.spec.join_key == "driver_id"
    created = driver.meta.created_timestamp.ToDatetime()
    assert found(first, "feature_views", "fv").spec.version == "latest"
    assert rows(postgres_db, "SELECT feature_view_name, version_number, feature_view_type "
                             "FROM feature_view_version_history") == [("fv", 0, "feature_view")]
    assert {r[0] for r in rows(postgres_db, "SELECT metadata_key FROM feast_metadata WHERE project_id = 'proj'")} == {
        "project_uuid", "last_updated_timestamp"}

    # an update keeps the created time; a schema change adds a version; a description change does not
    store.apply(Changes("proj", upserts={"entities": [entity("driver", "changed")], "feature_views": [view("fv", ["a", "b"])]}))
    store.apply(Changes("proj", upserts={"feature_views": [view("fv", ["a", "b"], "described")]}))
    for day in range(5):
        store.record_materialization("proj", "fv", T0 + timedelta(days=day), T0 + timedelta(days=day + 1))
    store.record_materialization("proj", "fv", T0 + timedelta(days=9), T0 + timedelta(days=10))

    registry = SqlRegistryStore(url_of(postgres_db), tmp_path).read()  # another process sees the same
    driver = found(registry, "entities", "driver")
    assert driver.spec.description == "changed" and driver.meta.created_timestamp.ToDatetime() == created
    fv = found(registry, "feature_views", "fv")
    assert fv.spec.description == "described" and fv.meta.current_version_number == 1
    assert rows(postgres_db, "SELECT version_number FROM feature_view_version_history ORDER BY 1") == [(0,), (1,)]
    intervals = [(i.start_time.ToDatetime(timezone.utc), i.end_time.ToDatetime(timezone.utc))
                 for i in fv.meta.materialization_intervals]
    assert intervals == [(T0, T0 + timedelta(days=5)), (T0 + timedelta(days=9), T0 + timedelta(days=10))]
    assert fv.meta.state == 4  # AVAILABLE_ONLINE
    # the bytes in the tables hold the project, and parse on their own
    (data,) = rows(postgres_db, "SELECT entity_proto FROM entities WHERE entity_name = 'driver'")[0]
    assert type(driver).FromString(bytes(data)).spec.project == "proj"

    store.apply(Changes("proj", deletes={"feature_views": ["fv"]}))
    assert not rows(postgres_db, "SELECT * FROM feature_view_version_history")
    store.delete_project("proj")
    assert not store.read().projects and not rows(postgres_db, "SELECT * FROM feast_metadata")


def test_sqlite_url_relative_to_the_repo(tmp_path: Path):
    store = SqlRegistryStore("sqlite:///data/registry.db", tmp_path)
    store.apply(Changes("proj", upserts={"entities": [entity("driver")]}))
    assert (tmp_path / "data" / "registry.db").is_file()
    again = SqlRegistryStore(f"sqlite:///{tmp_path / 'data' / 'registry.db'}", Path("/nonexistent"))
    assert found(again.read(), "entities", "driver").spec.join_key == "driver_id"


def test_a_registry_cache_sees_another_writer_after_refresh(postgres_db, tmp_path: Path):
    registry = Registry(SqlRegistryStore(url_of(postgres_db), tmp_path), cache_ttl_seconds=600)
    assert registry.snapshot().project_names == []
    SqlRegistryStore(url_of(postgres_db), tmp_path).apply(Changes("other", upserts={"entities": [entity("e")]}))
    assert registry.snapshot().project_names == []  # cached
    first = registry.refresh()
    assert first.project_names == ["other"]
    assert registry.refresh() is first  # nothing changed: the parsed snapshot is kept


def test_tables_it_cannot_read_stop_it_and_are_left_as_they_are(postgres_db, tmp_path: Path):
    with postgres_db.connect(autocommit=True) as conn:
        conn.execute("CREATE TABLE entities (name TEXT PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO entities VALUES ('x', 'not feast')")
    with pytest.raises(RegistryError, match="table 'entities' is not Feast's registry table.*entity_name"):
        SqlRegistryStore(url_of(postgres_db), tmp_path).read()
    assert rows(postgres_db, "SELECT * FROM entities") == [("x", "not feast")]
    assert not rows(postgres_db, "SELECT * FROM pg_tables WHERE tablename = 'projects'")  # nothing created


def test_a_row_that_is_not_its_message_is_named(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    SqlRegistryStore(url, tmp_path).apply(Changes("proj", upserts={"entities": [entity("driver")]}))
    import sqlite3

    with sqlite3.connect(tmp_path / "registry.db") as conn:
        conn.execute("UPDATE entities SET entity_proto = x'ffffffff' WHERE entity_name = 'driver'")
    with pytest.raises(RegistryError, match=r"table 'entities', row \('driver', project 'proj'\)"):
        SqlRegistryStore(url, tmp_path).read()


def test_verify_mode_refuses_missing_tables_and_creates_nothing(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    with pytest.raises(RegistryError, match="schema_mode: verify"):
        SqlRegistryStore(url, tmp_path, schema_mode="verify").read()
    import sqlite3

    with sqlite3.connect(tmp_path / "registry.db") as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


APPLIER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from feast_core.protos.feast.core.FeatureView_pb2 import FeatureView
    from feast_core.registry import Changes
    from feast_core.registry.sql import SqlRegistryStore
    url, writer, mode, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    store = SqlRegistryStore(url, Path("."))
    while time.time() < start:
        time.sleep(0.001)
    for i in range(30):
        message = FeatureView()
        message.spec.name = f"view_{writer}_{i}" if mode == "different" else "shared"
        message.spec.description = f"{writer} {i}"
        for j in range(20):
            message.spec.features.add(name=f"{writer}_{j}", value_type=4)
        store.apply(Changes("proj", upserts={"feature_views": [message]}))
""")


def run_appliers(url: str, mode: str) -> None:
    import time

    start = str(time.time() + 2.0)
    procs = [
        subprocess.Popen([sys.executable, "-c", APPLIER, url, writer, mode, start], stderr=subprocess.PIPE)
        for writer in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()


def test_two_processes_applying_different_views_both_land(postgres_db):
    url = url_of(postgres_db)
    run_appliers(url, "different")
    views = SqlRegistryStore(url, Path(".")).read().feature_views
    assert sorted(v.spec.name for v in views) == sorted(f"view_{w}_{i}" for w in "ab" for i in range(30))


def test_two_processes_applying_the_same_view_end_with_one_whole_version(postgres_db):
    url = url_of(postgres_db)
    run_appliers(url, "same")
    (shared,) = SqlRegistryStore(url, Path(".")).read().feature_views
    writer, round_ = shared.spec.description.split()
    assert round_ == "29" and [f.name for f in shared.spec.features] == [f"{writer}_{j}" for j in range(20)]


def test_sqlite_registry_with_two_concurrent_processes(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    run_appliers(url, "different")
    assert len(SqlRegistryStore(url, tmp_path).read().feature_views) == 60


SPECIAL = "p@ss:w/o%r#d'\"x"


def test_user_and_password_with_special_characters_work_percent_encoded(postgres_db, tmp_path: Path):
    with postgres_db.connect(autocommit=True) as conn:
        conn.execute("CREATE ROLE \"us@r:/x\" LOGIN PASSWORD 'p@ss:w/o%r#d''\"x'")
        conn.execute(f'GRANT ALL ON DATABASE "{postgres_db.name}" TO "us@r:/x"')
        conn.execute('GRANT ALL ON SCHEMA public TO "us@r:/x"')
    store = SqlRegistryStore(url_of(postgres_db, user="us@r:/x", password=SPECIAL), tmp_path)
    store.apply(Changes("proj", upserts={"entities": [entity("driver")]}))
    assert found(store.read(), "entities", "driver")


def test_wrong_password_names_the_server_not_the_password(postgres_db, tmp_path: Path):
    store = SqlRegistryStore(url_of(postgres_db, password="Wr0ngSecretPassw0rd"), tmp_path)
    with pytest.raises(StoreUnavailableError) as caught:
        store.read()
    message = str(caught.value)
    assert f"{postgres_db.host}:{postgres_db.port}/{postgres_db.name}" in message
    assert "password authentication failed" in message
    assert "Wr0ngSecretPassw0rd" not in message


def test_missing_database_is_named(postgres_db, tmp_path: Path):
    url = url_of(postgres_db).rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(StoreUnavailableError, match="no_such_db"):
        SqlRegistryStore(url, tmp_path).read()


def test_registry_survives_a_server_restart(postgres_server, postgres_db, tmp_path: Path):
    store = SqlRegistryStore(url_of(postgres_db), tmp_path)
    store.apply(Changes("proj", upserts={"entities": [entity("driver")]}))
    postgres_server.stop()
    try:
        with pytest.raises(StoreUnavailableError, match=f"{postgres_db.port}/{postgres_db.name}"):
            store.read()
    finally:
        postgres_server.start()
    assert found(store.read(), "entities", "driver")
