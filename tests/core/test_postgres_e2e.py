"""The three PostgreSQL stores together, configured as the feast-integrator charm renders them."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from feast_core.definitions import Entity, FeatureView, Field, PostgreSQLSource
from feast_core.errors import StoreUnavailableError
from feast_core.store import FeatureStore
from feast_core.types import Float64, Int64

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
N_KEYS = 2000


def charm_yaml(db, databases: dict[str, str]) -> str:
    """charm-protocols §2.3 with entity_key_serialization_version 3 and a postgresql+psycopg registry."""
    user, password = quote(db.user, safe=""), quote(db.password, safe="")
    return textwrap.dedent(f"""\
        project: feast_project
        registry:
          registry_type: sql
          path: postgresql+psycopg://{user}:{password}@{db.host}:{db.port}/{databases['registry']}
          cache_ttl_seconds: 60
          sqlalchemy_config_kwargs:
            echo: false
            pool_pre_ping: true
        provider: local
        offline_store:
          type: postgres
          host: {db.host}
          port: {db.port}
          database: {databases['offline']}
          db_schema: public
          user: {db.user}
          password: {db.password}
        online_store:
          type: postgres
          host: {db.host}
          port: {db.port}
          database: {databases['online']}
          db_schema: public
          user: {db.user}
          password: {db.password}
        entity_key_serialization_version: 3
        """)


@pytest.fixture
def repo(postgres_server, postgres_db, tmp_path: Path):
    names = {"registry": postgres_db.name, "offline": postgres_db.name + "_off", "online": postgres_db.name + "_on"}
    with postgres_server.connect(autocommit=True) as conn:
        for key in ("offline", "online"):
            conn.execute(f'CREATE DATABASE "{names[key]}"')
    with postgres_server.connect(names["offline"]) as conn:
        conn.execute("CREATE TABLE driver_stats (driver_id bigint, trips bigint, rate double precision, "
                     "event_timestamp timestamptz, created timestamptz)")
        conn.execute(
            "INSERT INTO driver_stats SELECT k, k * 10 + d, k + d / 10.0, %s + d * interval '1 hour', %s "
            "FROM generate_series(1, %s) k, generate_series(0, 2) d", (T0, T0, N_KEYS),
        )
    (tmp_path / "feature_store.yaml").write_text(charm_yaml(postgres_db, names))
    yield tmp_path
    with postgres_server.connect(autocommit=True) as conn:
        for key in ("offline", "online"):
            conn.execute(f'DROP DATABASE IF EXISTS "{names[key]}" WITH (FORCE)')


def definitions():
    driver = Entity(name="driver", join_keys=["driver_id"])
    source = PostgreSQLSource(name="driver_stats_source", table="driver_stats", timestamp_field="event_timestamp",
                              created_timestamp_column="created")
    view = FeatureView(name="driver_hourly_stats", entities=[driver], ttl=timedelta(0), source=source,
                       schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64),
                               Field(name="rate", dtype=Float64)])
    return [driver, source, view]


def test_apply_materialize_and_read_historical_and_online(repo: Path):
    store = FeatureStore(repo_path=repo)
    store.apply(definitions())
    assert [v.name for v in FeatureStore(repo_path=repo).list_feature_views()] == ["driver_hourly_stats"]

    entity_df = pd.DataFrame({"driver_id": [2, 1, 3], "event_timestamp": [T0 + timedelta(hours=1, minutes=5), T0, T0 - timedelta(hours=1)]})
    hist = store.get_historical_features(entity_df, ["driver_hourly_stats:trips", "driver_hourly_stats:rate"]).to_df()
    assert hist["trips"].tolist()[:2] == [21, 10] and pd.isna(hist["trips"].iloc[2])

    store.materialize(T0 - timedelta(days=1), T0 + timedelta(hours=3), progress=False)
    online = store.get_online_features(["driver_hourly_stats:trips", "driver_hourly_stats:rate"],
                                       [{"driver_id": 1}, {"driver_id": N_KEYS}, {"driver_id": N_KEYS + 1}]).to_dict()
    assert online["trips"] == [12, N_KEYS * 10 + 2, None]
    assert online["rate"][0] == pytest.approx(1.2)
    assert store.get_materialization("driver_hourly_stats", allow_cache=False).most_recent_end == T0 + timedelta(hours=3)


def test_server_restart_with_an_open_feature_store(repo: Path, postgres_server):
    store = FeatureStore(repo_path=repo)
    store.apply(definitions())
    store.materialize(T0 - timedelta(days=1), T0 + timedelta(hours=3), progress=False)
    read = lambda: store.get_online_features(["driver_hourly_stats:trips"], [{"driver_id": 1}]).to_dict()["trips"]  # noqa: E731
    assert read() == [12]
    postgres_server.stop()
    try:
        with pytest.raises(StoreUnavailableError) as caught:
            read()
        assert f"{postgres_server.host}:{postgres_server.port}/" in str(caught.value)
        assert postgres_server.password not in str(caught.value)
        with pytest.raises(StoreUnavailableError):
            store.refresh_registry()
    finally:
        postgres_server.start()
    assert read() == [12]
    store.refresh_registry()
    assert store.list_feature_views()[0].name == "driver_hourly_stats"


MATERIALIZER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta, timezone
    from feast_core.store import FeatureStore
    import feast_core.materialize as m
    T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
    store = FeatureStore(repo_path=sys.argv[1])
    original = m.materialize_view
    def slow(*args, **kwargs):
        kwargs["chunk_rows"] = 50
        return original(*args, **kwargs)
    m.materialize_view = slow
    online_write = store.online_store.write
    def write(*args):
        n = online_write(*args)
        print("chunk", flush=True)
        return n
    store.online_store.write = write
    store.materialize(T0 - timedelta(days=1), T0 + timedelta(hours=int(sys.argv[2])), progress=False)
    print("done", flush=True)
""")


def test_materialization_killed_with_sigkill_leaves_old_or_new_values_and_a_rerun_completes(repo: Path):
    store = FeatureStore(repo_path=repo)
    store.apply(definitions())
    store.materialize(T0 - timedelta(days=1), T0, progress=False)  # old values: d = 0
    proc = subprocess.Popen([sys.executable, "-c", MATERIALIZER, str(repo), "3"], stdout=subprocess.PIPE, text=True)
    chunks = 0
    while chunks < 5:
        line = proc.stdout.readline()
        assert line, "the materialization ended before it could be killed"
        chunks += line.startswith("chunk")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    keys = [{"driver_id": k} for k in range(1, N_KEYS + 1)]
    values = store.get_online_features(["driver_hourly_stats:trips", "driver_hourly_stats:rate"], keys).to_dict()
    for k, trips, rate in zip(range(1, N_KEYS + 1), values["trips"], values["rate"]):
        assert (trips, rate) in ((k * 10, pytest.approx(k)), (k * 10 + 2, pytest.approx(k + 0.2)))
    assert sum(t == k * 10 + 2 for k, t in zip(range(1, N_KEYS + 1), values["trips"])) >= 250
    rerun = subprocess.run([sys.executable, "-c", MATERIALIZER, str(repo), "3"], capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    values = store.get_online_features(["driver_hourly_stats:trips"], keys).to_dict()
    assert values["trips"] == [k * 10 + 2 for k in range(1, N_KEYS + 1)]


def test_two_materializations_of_one_view_at_once_end_with_the_newest_values(repo: Path):
    store = FeatureStore(repo_path=repo)
    store.apply(definitions())
    # one run reaches the newest rows (d = 2), the other only d = 1; they write chunk by chunk, interleaved
    runs = [subprocess.Popen([sys.executable, "-c", MATERIALIZER, str(repo), hours], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for hours in ("3", "1")]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    keys = [{"driver_id": k} for k in range(1, N_KEYS + 1)]
    values = store.get_online_features(["driver_hourly_stats:trips", "driver_hourly_stats:rate"], keys).to_dict()
    assert values["trips"] == [k * 10 + 2 for k in range(1, N_KEYS + 1)]
    assert values["rate"] == pytest.approx([k + 0.2 for k in range(1, N_KEYS + 1)])
    state = store.get_materialization("driver_hourly_stats", allow_cache=False)
    # both runs recorded; their windows overlap, so they are one interval
    assert state.intervals == [(T0 - timedelta(days=1), T0 + timedelta(hours=3))]
