"""The SQL registry against a real PostgreSQL server (and a real SQLite file)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest

from feast_core.definitions import Entity
from feast_core.errors import StoreUnavailableError
from feast_core.registry import Registry
from feast_core.registry.base import MAX_INTERVALS, Changes, Snapshot
from feast_core.registry.sql import SqlRegistryStore

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def url_of(db, user: str | None = None, password: str | None = None) -> str:
    user = quote(user or db.user, safe="")
    password = quote(password if password is not None else db.password, safe="")
    return f"postgresql+psycopg://{user}:{password}@{db.host}:{db.port}/{db.name}"


def entity_spec(name: str, description: str = "") -> dict:
    return Entity(name=name, join_keys=[f"{name}_id"], description=description).to_dict()


def test_round_trip_keeps_objects_timestamps_and_materialization(postgres_db, tmp_path: Path):
    store = SqlRegistryStore(url_of(postgres_db), tmp_path)
    store.apply(Changes("proj", upserts={"entities": {"driver": entity_spec("driver")}, "feature_views": {"fv": {"x": 1}}}))
    first = store.read()["projects"]["proj"]
    assert first["entities"]["driver"]["spec"] == entity_spec("driver")
    assert first["project"]["spec"]["name"] == "proj"
    created = first["entities"]["driver"]["created"]

    store.apply(Changes("proj", upserts={"entities": {"driver": entity_spec("driver", "changed")}},
                        deletes={"feature_views": ["fv"]}))
    for day in range(MAX_INTERVALS + 3):
        store.apply(Changes("proj", upserts={"feature_views": {"fv2": {"y": 2}}}))
        store.record_materialization("proj", "fv2", T0 + timedelta(days=day), T0 + timedelta(days=day + 1))

    # a second store (another process) sees the same registry
    raw = SqlRegistryStore(url_of(postgres_db), tmp_path).read()
    project = raw["projects"]["proj"]
    assert project["entities"]["driver"]["spec"]["description"] == "changed"
    assert project["entities"]["driver"]["created"] == created
    assert project["entities"]["driver"]["last_updated"] > created
    assert "fv" not in project["feature_views"]
    state = project["materialization"]["fv2"]
    assert len(state["intervals"]) == MAX_INTERVALS
    assert datetime.fromisoformat(state["most_recent_end"]) == T0 + timedelta(days=MAX_INTERVALS + 3)
    parsed = Snapshot({**raw, "projects": {"proj": {**project, "feature_views": {}}}}).project("proj")
    assert parsed.get("entities", "driver").description == "changed"

    store.delete_project("proj")
    assert "proj" not in store.read()["projects"]


def test_sqlite_url_relative_to_the_repo(tmp_path: Path):
    store = SqlRegistryStore("sqlite:///data/registry.db", tmp_path)
    store.apply(Changes("proj", upserts={"entities": {"driver": entity_spec("driver")}}))
    assert (tmp_path / "data" / "registry.db").is_file()
    again = SqlRegistryStore(f"sqlite:///{tmp_path / 'data' / 'registry.db'}", Path("/nonexistent"))
    assert again.read()["projects"]["proj"]["entities"]["driver"]["spec"] == entity_spec("driver")


def test_a_registry_cache_sees_another_writer_after_refresh(postgres_db, tmp_path: Path):
    registry = Registry(SqlRegistryStore(url_of(postgres_db), tmp_path), cache_ttl_seconds=600)
    assert registry.snapshot().project_names == []
    SqlRegistryStore(url_of(postgres_db), tmp_path).apply(Changes("other", upserts={"entities": {"e": entity_spec("e")}}))
    assert registry.snapshot().project_names == []  # cached
    assert registry.refresh().project_names == ["other"]


APPLIER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from feast_core.registry.base import Changes
    from feast_core.registry.sql import SqlRegistryStore
    url, writer, mode, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    store = SqlRegistryStore(url, Path("."))
    while time.time() < start:
        time.sleep(0.001)
    for i in range(30):
        name = f"view_{writer}_{i}" if mode == "different" else "shared"
        spec = {"writer": writer, "round": i, "fields": [f"{writer}_{j}" for j in range(20)]}
        store.apply(Changes("proj", upserts={"feature_views": {name: spec}}))
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
    views = SqlRegistryStore(url, Path(".")).read()["projects"]["proj"]["feature_views"]
    assert sorted(views) == sorted(f"view_{w}_{i}" for w in "ab" for i in range(30))


def test_two_processes_applying_the_same_view_end_with_one_whole_version(postgres_db):
    url = url_of(postgres_db)
    run_appliers(url, "same")
    spec = SqlRegistryStore(url, Path(".")).read()["projects"]["proj"]["feature_views"]["shared"]["spec"]
    assert spec["round"] == 29
    assert spec["fields"] == [f"{spec['writer']}_{j}" for j in range(20)]


def test_sqlite_registry_with_two_concurrent_processes(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    run_appliers(url, "different")
    views = SqlRegistryStore(url, tmp_path).read()["projects"]["proj"]["feature_views"]
    assert len(views) == 60


SPECIAL = "p@ss:w/o%r#d'\"x"


def test_user_and_password_with_special_characters_work_percent_encoded(postgres_db, tmp_path: Path):
    with postgres_db.connect(autocommit=True) as conn:
        conn.execute("CREATE ROLE \"us@r:/x\" LOGIN PASSWORD 'p@ss:w/o%r#d''\"x'")
        conn.execute(f'GRANT ALL ON DATABASE "{postgres_db.name}" TO "us@r:/x"')
        conn.execute('GRANT ALL ON SCHEMA public TO "us@r:/x"')
    store = SqlRegistryStore(url_of(postgres_db, user="us@r:/x", password=SPECIAL), tmp_path)
    store.apply(Changes("proj", upserts={"entities": {"driver": entity_spec("driver")}}))
    assert "driver" in store.read()["projects"]["proj"]["entities"]


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
    store.apply(Changes("proj", upserts={"entities": {"driver": entity_spec("driver")}}))
    postgres_server.stop()
    try:
        with pytest.raises(StoreUnavailableError, match=f"{postgres_db.port}/{postgres_db.name}"):
            store.read()
    finally:
        postgres_server.start()
    assert "driver" in store.read()["projects"]["proj"]["entities"]
    assert json.dumps(store.read())  # plain data
