"""One registry and one online store shared by upstream Feast 0.67 and feast_core, both directions.

Three scenarios (module fixture ``world``, one upstream process each): a file registry with the SQLite online
store; the SQL registry on SQLite; the SQL registry, offline and online stores on PostgreSQL. In each, the same
repository (DEFINITIONS, only the imports differ) is applied twice: by upstream Feast as project ``up_proj``
and by feast_core as project ``core_proj``. For each project the side that did not apply it materializes it
first and reads; then the side that applied it reads those rows, materializes itself and reads: all three
online answers, and both sides' historical answers, must be equal. Each side lists and plans the other's
project (a plan of the same declarations must find nothing to change), and deletes objects the other wrote.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from upstream_feast import UpstreamSession

from feast_core import FeatureStore
from feast_core.definitions import SavedDataset, SavedDatasetFileStorage
from feast_core.repo import apply_repo, load_repo

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
KEYS = [1001, 1002, 1003, 9999]
START, END = T0 - timedelta(days=1), T0 + timedelta(days=1)

DEFINITIONS = '''
driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64, description="a driver",
                tags={"team": "drivers"})
stats_source = SOURCE
stats_push = PushSource(name="stats_push", batch_source=stats_source)
request = RequestSource(name="request", schema=[Field(name="val_to_add", dtype=Int64)])
stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(days=3650), source=stats_source,
                    schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32),
                            Field(name="trips", dtype=Int64)], tags={"team": "drivers"}, description="stats")
pushed = FeatureView(name="driver_pushed", entities=[driver], ttl=timedelta(days=3650), source=stats_push,
                     schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32)])


@on_demand_feature_view(sources=[stats, request], schema=[Field(name="conv_plus_val", dtype=Float64)], mode="pandas")
def conv_plus_val(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["conv_plus_val"] = inputs["conv_rate"] + inputs["val_to_add"]
    return out


@on_demand_feature_view(sources=[request], schema=[Field(name="doubled", dtype=Int64)], mode="python")
def doubled(inputs: dict) -> dict:
    return {"doubled": [v * 2 for v in inputs["val_to_add"]]}


service = FeatureService(name="driver_service", features=[stats[["conv_rate"]], conv_plus_val.with_name("odfv")])
readers = Permission(name="readers", types=[FeatureView], name_patterns=["driver.*"],
                     actions=[AuthzedAction.READ_ONLINE], policy=RoleBasedPolicy(roles=["reader"]))
project = Project(name=PROJECT, description="shared with the other SDK")
'''
FILE_SOURCE = 'FileSource(name="stats_source", path=DATA, timestamp_field="event_timestamp", created_timestamp_column="created")'
PG_SOURCE = ('PostgreSQLSource(name="stats_source", table="driver_stats", timestamp_field="event_timestamp", '
             'created_timestamp_column="created")')

OUR_IMPORTS = '''
from datetime import timedelta
import pandas as pd
from feast_core import (Entity, FeatureService, FeatureView, Field, FileSource, PostgreSQLSource, Project, PushSource,
                        RequestSource)
from feast_core.on_demand_feature_view import on_demand_feature_view
from feast_core.definitions import AuthzedAction, Permission, RoleBasedPolicy
from feast_core.types import Float32, Float64, Int64, ValueType
'''
UPSTREAM_IMPORTS = '''
from datetime import timedelta
import pandas as pd
from feast import (Entity, FeatureService, FeatureView, Field, FileSource, Project, PushSource, RequestSource,
                   ValueType)
from feast.infra.offline_stores.contrib.postgres_offline_store.postgres_source import PostgreSQLSource
from feast.on_demand_feature_view import on_demand_feature_view
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy
from feast.types import Float32, Float64, Int64
'''

# a stream feature view over Kafka (stored in Feast's own stream_feature_views field), in both repos
UPSTREAM_EXTRAS = '''
from feast import KafkaSource
from feast.data_format import JsonFormat
from feast.stream_feature_view import StreamFeatureView
stats_kafka = KafkaSource(name="stats_kafka", kafka_bootstrap_servers="localhost:9092", topic="stats",
                          timestamp_field="event_timestamp", batch_source=stats_source,
                          message_format=JsonFormat(schema_json="driver_id integer, conv_rate double"))
driver_stream = StreamFeatureView(name="driver_stream", entities=[driver], ttl=timedelta(days=3650), source=stats_kafka,
                                  schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32)],
                                  timestamp_field="event_timestamp")
'''

OUR_EXTRAS = UPSTREAM_EXTRAS.replace("from feast", "from feast_core")

FEATURES = ["driver_stats:conv_rate", "driver_stats:trips", "driver_pushed:conv_rate", "conv_plus_val:conv_plus_val",
            "doubled:doubled"]
ROWS = [{"driver_id": k, "val_to_add": i} for i, k in enumerate(KEYS)]
KINDS = ("entities", "data_sources", "feature_views", "on_demand_feature_views", "feature_services", "permissions",
         "saved_datasets")

# upstream: helpers defined once per session
UPSTREAM_HELPERS = '''
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
import pandas as pd
from feast import FeatureStore
from feast.repo_config import load_repo_config
from feast.repo_operations import apply_total, _get_repo_contents
from feast.saved_dataset import SavedDataset
from feast.infra.offline_stores.file_source import SavedDatasetFileStorage

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
START, END = T0 - timedelta(days=1), T0 + timedelta(days=1)

def store_of(repo):
    return FeatureStore(repo_path=repo)

def clean(values):
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]

def online(repo):
    store = store_of(repo)
    answer = store.get_online_features(features=FEATURES, entity_rows=ROWS, full_feature_names=True).to_dict()
    return {k: clean(v) for k, v in answer.items()}

def historical(repo):
    store = store_of(repo)
    entity_df = pd.DataFrame({"driver_id": [r["driver_id"] for r in ROWS], "val_to_add": [r["val_to_add"] for r in ROWS],
                              "event_timestamp": [T0 + timedelta(hours=5)] * len(ROWS)})
    frame = store.get_historical_features(entity_df=entity_df, features=FEATURES, full_feature_names=True).to_df()
    frame = frame.sort_values("driver_id").reset_index(drop=True)
    return {c: clean([v.item() if hasattr(v, "item") else v for v in frame[c]]) for c in frame.columns
            if c != "event_timestamp"}

def listing(repo):
    store = store_of(repo)
    return {
        "entities": sorted(e.name for e in store.list_entities()),
        "data_sources": sorted(s.name for s in store.list_data_sources()),
        "feature_views": sorted(v.name for v in store.list_feature_views()),
        "stream_feature_views": sorted(v.name for v in store.list_stream_feature_views()),
        "on_demand_feature_views": sorted(v.name for v in store.list_on_demand_feature_views()),
        "feature_services": sorted(s.name for s in store.list_feature_services()),
        "permissions": sorted(p.name for p in store.list_permissions()),
        "saved_datasets": sorted(d.name for d in store.list_saved_datasets()),
        "projects": sorted(p.name for p in store.list_projects()),
    }

def _only_source_times(diff):
    # upstream's plan reports its own unchanged stream view as updated: the copies of its sources carry the
    # times of each run in their meta; such a diff says nothing about what the other SDK wrote
    def bare(source):
        source = type(source).FromString(source.SerializeToString())
        source.ClearField("meta")
        if source.HasField("batch_source"):
            source.batch_source.ClearField("meta")
        return source
    return all(p.property_name in ("batch_source", "stream_source") and bare(p.val_existing) == bare(p.val_declared)
               for p in diff.feast_object_property_diffs)

def plan(repo):
    config = load_repo_config(Path(repo), Path(repo) / "feature_store.yaml")
    contents = _get_repo_contents(Path(repo), config.project, config)
    registry_diff, _, _ = FeatureStore(repo_path=repo).plan(contents)
    return [f"{d.transition_type.name} {d.feast_object_type.value} {d.name}: "
            + ", ".join(f"{p.property_name} {p.val_existing!r} -> {p.val_declared!r}" for p in d.feast_object_property_diffs)
            for d in registry_diff.feast_object_diffs if d.transition_type.name != "UNCHANGED" and d.name != "__dummy"
            and not (d.feast_object_type.value == "stream feature view" and _only_source_times(d))]
'''


@dataclass
class World:
    name: str
    root: Path
    repos: dict[str, Path]  # up (upstream's repo), core (ours), core_as_upstream (ours, declared with Feast)
    session: UpstreamSession
    results: dict = field(default_factory=dict)

    def upstream(self, code: str, repo: str = "up"):
        return self.session.run(code, cwd=self.repos[repo])

    def store(self, repo: str) -> FeatureStore:
        return FeatureStore(repo_path=self.repos[repo])


def _config(project: str, scenario: str, shared: Path, pg: dict | None) -> str:
    if scenario == "postgres":
        url = f"postgresql+psycopg://{pg['user']}:{pg['password']}@{pg['host']}:{pg['port']}/{pg['database']}"
        block = "".join(f"  {k}: {v}\n" for k, v in pg.items()) + "  sslmode: disable\n"
        return (f"project: {project}\nprovider: local\n"
                f"registry:\n  registry_type: sql\n  path: {url}?sslmode=disable\n  cache_ttl_seconds: 0\n"
                f"offline_store:\n  type: postgres\n{block}online_store:\n  type: postgres\n{block}"
                "entity_key_serialization_version: 3\n")
    registry = (f"registry:\n  path: {shared / 'registry.db'}\n  cache_ttl_seconds: 0\n" if scenario == "file" else
                f"registry:\n  registry_type: sql\n  path: sqlite:///{shared / 'registry.sqlite'}\n  cache_ttl_seconds: 0\n")
    return (f"project: {project}\nprovider: local\n{registry}"
            f"online_store:\n  type: sqlite\n  path: {shared / 'online.db'}\nentity_key_serialization_version: 3\n")


def _data(shared: Path) -> pd.DataFrame:
    rows = []
    for i, key in enumerate(KEYS[:-1]):
        for hour in range(3):
            stamp = T0 + timedelta(hours=hour)
            rows.append({"driver_id": key, "conv_rate": round(0.1 * (i + 1) + 0.01 * hour, 2), "trips": 10 * i + hour,
                         "event_timestamp": stamp, "created": stamp})
    frame = pd.DataFrame(rows)
    frame["conv_rate"] = frame["conv_rate"].astype("float32")
    frame.to_parquet(shared / "driver_stats.parquet")
    return frame


def _write_repo(path: Path, module: str, imports: str, project: str, source: str, config: str, data: Path,
                extras: str = "") -> Path:
    path.mkdir(parents=True)
    (path / "feature_store.yaml").write_text(config)
    body = (DEFINITIONS + extras).replace("SOURCE", source).replace("PROJECT", repr(project)).replace("DATA", repr(str(data)))
    (path / f"{module}.py").write_text(textwrap.dedent(imports) + body)
    return path


def _read_ours(store: FeatureStore) -> tuple[dict, dict]:
    import math

    def clean(values):
        return [None if isinstance(v, float) and math.isnan(v) else v for v in values]

    online = store.get_online_features(features=FEATURES, entity_rows=ROWS, full_feature_names=True).to_dict()
    entity_df = pd.DataFrame({"driver_id": [r["driver_id"] for r in ROWS], "val_to_add": [r["val_to_add"] for r in ROWS],
                              "event_timestamp": [T0 + timedelta(hours=5)] * len(ROWS)})
    frame = store.get_historical_features(entity_df=entity_df, features=FEATURES, full_feature_names=True).to_df()
    frame = frame.sort_values("driver_id").reset_index(drop=True)
    historical = {c: clean([v.item() if hasattr(v, "item") else v for v in frame[c]]) for c in frame.columns
                  if c != "event_timestamp"}
    return {k: clean(v) for k, v in online.items()}, historical


def _ui(store: FeatureStore) -> dict:
    """What feast_core's UI shows of a project: the JSON API's names per kind, and the overview page."""
    from fastapi.testclient import TestClient

    from feast_core.ui.app import create_app

    client = TestClient(create_app(store, registry_ttl_sec=0))
    shown = {kind: sorted(o["name"] for o in client.get(f"/api/v1/{kind}").json()[kind])
             for kind in KINDS}
    shown["other_objects"] = client.get("/api/v1/other_objects").json()["other_objects"]
    page = client.get(f"/p/{store.project}")
    shown["overview"] = [page.status_code, "driver_stream" in page.text]
    shown["pages"] = sorted({client.get(f"/p/{store.project}/{slug}/{name}").status_code for slug, name in (
        ("feature-views", "driver_stats"), ("feature-views", "driver_stream"), ("on-demand-feature-views", "conv_plus_val"), ("data-sources", "stats_kafka"),
        ("feature-services", "driver_service"), ("permissions", "readers"), ("saved-datasets", "up_training"),
        ("entities", "driver"))})
    return shown


def _listing(store: FeatureStore) -> dict:
    return {
        "entities": sorted(e.name for e in store.list_entities()),
        "data_sources": sorted(s.name for s in store.list_data_sources()),
        "feature_views": sorted(v.name for v in store.list_feature_views()),
        "stream_feature_views": sorted(v.name for v in store.list_stream_feature_views()),
        "on_demand_feature_views": sorted(v.name for v in store.list_on_demand_feature_views()),
        "feature_services": sorted(s.name for s in store.list_feature_services()),
        "permissions": sorted(p.name for p in store.list_permissions()),
        "saved_datasets": sorted(d.name for d in store.list_saved_datasets()),
        "projects": sorted(p.name for p in store.list_projects()),
    }


@pytest.fixture(scope="module", params=["file", "sql_sqlite", "postgres"])
def world(request, tmp_path_factory, upstream_feast):
    scenario = request.param
    root = tmp_path_factory.mktemp(f"interop_{scenario}")
    shared = root / "shared"
    shared.mkdir()
    frame = _data(shared)
    pg = None
    if scenario == "postgres":
        server = request.getfixturevalue("postgres_server")
        name = f"interop_{scenario}"
        with server.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        pg = {"host": server.host, "port": server.port, "database": name, "user": server.user,
              "password": server.password}
        with server.connect(name) as conn:
            conn.execute("CREATE TABLE driver_stats (driver_id BIGINT, conv_rate REAL, trips BIGINT, "
                         "event_timestamp TIMESTAMPTZ, created TIMESTAMPTZ)")
            with conn.cursor().copy("COPY driver_stats FROM STDIN") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row(tuple(row))
    source = PG_SOURCE if scenario == "postgres" else FILE_SOURCE
    data = shared / "driver_stats.parquet"
    repos = {
        "up": _write_repo(root / "up", "up_defs", UPSTREAM_IMPORTS, "up_proj", source,
                          _config("up_proj", scenario, shared, pg), data, UPSTREAM_EXTRAS),
        "core": _write_repo(root / "core", "core_defs", OUR_IMPORTS, "core_proj", source,
                            _config("core_proj", scenario, shared, pg), data, OUR_EXTRAS),
        "core_as_upstream": _write_repo(root / "core_up", "core_up_defs", UPSTREAM_IMPORTS, "core_proj", source,
                                        _config("core_proj", scenario, shared, pg), data, UPSTREAM_EXTRAS),
        "up_as_ours": _write_repo(root / "up_ours", "up_ours_defs", OUR_IMPORTS, "up_proj", source,
                                  _config("up_proj", scenario, shared, pg), data, OUR_EXTRAS),
    }
    session = UpstreamSession(upstream_feast, root / "upstream.log")
    world = World(scenario, root, repos, session)
    try:
        _play(world, shared)
        yield world
    finally:
        session.close()


def _play(world: World, shared: Path) -> None:
    """Everything both SDKs do, in order; the tests check what was recorded."""
    r = world.results
    up, core = str(world.repos["up"]), str(world.repos["core"])
    features = json.dumps(FEATURES)
    world.upstream(f"FEATURES = {features}\nROWS = {json.dumps(ROWS)}\n" + UPSTREAM_HELPERS)

    # upstream applies up_proj; feast_core lists, plans, materializes and reads it first
    world.upstream(f"""
        config = load_repo_config(Path({up!r}), Path({up!r}) / "feature_store.yaml")
        apply_total(config, Path({up!r}), skip_source_validation=False)
        store_of({up!r}).registry.apply_saved_dataset(SavedDataset(
            name="up_training", features=["driver_stats:conv_rate"], join_keys=["driver_id"],
            storage=SavedDatasetFileStorage(path="up_training.parquet"), tags={{"by": "upstream"}}), "up_proj")
    """)
    ours = world.store("up")
    r["core_lists_up"] = _listing(ours)
    r["core_plans_up"] = [str(c) for c in ours.plan(load_repo(world.repos["up_as_ours"]).objects).changes]
    ours.materialize(START, END, progress=False)
    r["core_reads_up"] = _read_ours(ours)
    r["core_describes_up_dataset"] = ours.get_saved_dataset("up_training").tags
    r["ui_of_up"] = _ui(ours)
    ours.close()
    r["up_reads_core_rows"] = world.upstream(f"result = online({up!r})")
    r["up_own"] = world.upstream(f"""
        store_of({up!r}).materialize(START.replace(tzinfo=None), END.replace(tzinfo=None))
        result = [online({up!r}), historical({up!r})]
    """)

    # feast_core applies core_proj; upstream lists, plans, materializes and reads it first
    ours = world.store("core")
    apply_repo(ours, world.repos["core"])
    ours.apply([SavedDataset(name="core_training", features=["driver_stats:conv_rate"], join_keys=["driver_id"],
                             storage=SavedDatasetFileStorage(path="core_training.parquet"), tags={"by": "feast_core"})])
    ours.close()
    r["up_lists_core"] = world.upstream(f"result = listing({core!r})")
    r["up_plans_core"] = world.upstream(f"result = plan({str(world.repos['core_as_upstream'])!r})", repo="core_as_upstream")
    r["up_describes_core"] = world.upstream(f"""
        store = store_of({core!r})
        view = store.get_feature_view("driver_stats")
        odfv = store.get_on_demand_feature_view("conv_plus_val")
        result = {{
            "view": [view.name, sorted(f.name for f in view.features), view.entities, view.ttl.days,
                     view.batch_source.name, dict(view.tags)],
            "udf": odfv.feature_transformation.udf(pd.DataFrame({{"conv_rate": [0.5], "val_to_add": [1]}}))
                   ["conv_plus_val"].tolist(),
            "service": [[p.name, p.name_alias or "", [f.name for f in p.features]]
                        for p in store.get_feature_service("driver_service").feature_view_projections],
            "dataset": [dict(d.tags) for d in store.list_saved_datasets() if d.name == "core_training"][0],
            "permission": sorted(store.get_permission("readers").policy.roles),
        }}
    """)
    r["up_reads_core"] = world.upstream(f"""
        store_of({core!r}).materialize(START.replace(tzinfo=None), END.replace(tzinfo=None))
        result = [online({core!r}), historical({core!r})]
    """)
    ours = world.store("core")
    r["core_reads_up_rows"] = _read_ours(ours)[0]
    ours.materialize(START, END, progress=False)
    r["core_own"] = _read_ours(ours)
    ours.close()

    # deletes, both ways
    world.upstream(f"""
        store = store_of({core!r})
        store.delete_feature_service("driver_service")
        store.delete_feature_view("doubled")
    """)
    ours = world.store("core")
    r["core_lists_core_after_upstream_deletes"] = _listing(ours)
    ours.close()
    ours = world.store("up")
    ours.delete_feature_service("driver_service")
    ours.delete_feature_view("driver_pushed")
    ours.close()
    r["up_lists_up_after_core_deletes"] = world.upstream(f"result = listing({up!r})")
    ours = world.store("core")
    ours.teardown()
    ours.close()
    world.upstream(f"store_of({up!r}).teardown()")
    ours = world.store("up")
    r["projects_after_teardowns"] = [p.name for p in ours.list_projects()]
    ours.close()


EXPECTED_LISTING = {
    "entities": ["driver"],
    "data_sources": ["request", "stats_kafka", "stats_push", "stats_source"],
    "feature_views": ["driver_pushed", "driver_stats"],
    "on_demand_feature_views": ["conv_plus_val", "doubled"],
    "feature_services": ["driver_service"],
    "permissions": ["readers"],
}


def test_feast_core_lists_and_plans_what_upstream_applied(world):
    listed = world.results["core_lists_up"]
    assert {k: listed[k] for k in EXPECTED_LISTING} == EXPECTED_LISTING
    assert listed["saved_datasets"] == ["up_training"] and listed["projects"] == ["up_proj"]
    assert listed["stream_feature_views"] == ["driver_stream"]
    assert world.results["core_describes_up_dataset"] == {"by": "upstream"}
    # the objects upstream stored read back as exactly what feast_core declares for the same repo
    assert world.results["core_plans_up"] == []


def test_feast_core_ui_shows_what_upstream_applied_every_kind(world):
    shown = world.results["ui_of_up"]
    # the UI lists stream feature views with the feature views
    assert {k: shown[k] for k in EXPECTED_LISTING} == {
        **EXPECTED_LISTING, "feature_views": ["driver_pushed", "driver_stats", "driver_stream"]}
    assert shown["saved_datasets"] == ["up_training"] and shown["other_objects"] == []
    assert shown["overview"] == [200, True] and shown["pages"] == [200]


def test_upstream_lists_plans_and_describes_what_feast_core_applied(world):
    listed = world.results["up_lists_core"]
    assert {k: listed[k] for k in EXPECTED_LISTING} == EXPECTED_LISTING
    assert listed["stream_feature_views"] == ["driver_stream"]
    assert listed["saved_datasets"] == ["core_training"] and listed["projects"] == ["core_proj", "up_proj"]
    described = world.results["up_describes_core"]
    assert described["view"] == ["driver_stats", ["conv_rate", "trips"], ["driver"], 3650, "stats_source",
                                 {"team": "drivers"}]
    assert described["udf"] == [1.5]
    assert described["service"] == [["driver_stats", "", ["conv_rate"]], ["conv_plus_val", "odfv", ["conv_plus_val"]]]
    assert described["dataset"] == {"by": "feast_core"} and described["permission"] == ["reader"]
    assert world.results["up_plans_core"] == []


ONLINE_COLUMNS = {"driver_id", "driver_stats__conv_rate", "driver_stats__trips", "driver_pushed__conv_rate",
                  "conv_plus_val__conv_plus_val"}


def same_online(ours: dict, theirs: dict) -> bool:
    """Equal values in every column upstream answers. (Upstream 0.67 leaves the request data columns and a
    python-mode on-demand view fed by request data only out of its online answer; feast_core returns them.)"""
    assert set(theirs) == ONLINE_COLUMNS, sorted(theirs)
    return {k: ours[k] for k in theirs} == theirs


def test_online_and_historical_values_are_equal_both_ways(world):
    r = world.results
    # up_proj: feast_core materialized and read first; upstream read those rows, then its own
    up_online, up_historical = r["up_own"]
    core_online, core_historical = r["core_reads_up"]
    assert up_online["driver_stats__trips"] == [2, 12, 22, None]  # rows were found, the unknown key was not
    assert same_online(core_online, up_online)
    assert r["up_reads_core_rows"] == up_online
    assert core_historical == up_historical and core_historical["doubled__doubled"] == [0, 2, 4, 6]
    # core_proj: upstream materialized and read first; feast_core read those rows, then its own
    core_online, core_historical = r["core_own"]
    up_online, up_historical = r["up_reads_core"]
    assert same_online(core_online, up_online) and r["core_reads_up_rows"] == core_online
    assert up_historical == core_historical


def test_deletes_and_teardowns_are_seen_by_the_other_side(world):
    r = world.results
    after_upstream = r["core_lists_core_after_upstream_deletes"]
    assert after_upstream["projects"] == ["core_proj", "up_proj"]
    assert after_upstream["feature_services"] == [] and after_upstream["on_demand_feature_views"] == ["conv_plus_val"]
    after_ours = r["up_lists_up_after_core_deletes"]
    assert after_ours["feature_services"] == [] and after_ours["feature_views"] == ["driver_stats"]
    assert r["projects_after_teardowns"] == []
