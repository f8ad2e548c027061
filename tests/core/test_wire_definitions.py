"""Every definition in Feast's wire format, checked against upstream Feast 0.67 in both directions.

One repo of definitions (DEFINITIONS) is executed twice: here with feast_core's imports, and in upstream
Feast's venv with Feast's. One upstream process (module fixture ``upstream``) reads the bytes of our
``to_proto()`` with Feast's ``X.from_proto`` and reports what it sees, runs the on-demand functions it
rebuilt on a sample input, and serializes its own objects for our ``from_proto``. Bytes travel as base64
in JSON.
"""

from __future__ import annotations

import base64
import json
import textwrap
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from feast_core.definitions import (
    AllowAll,
    CombinedGroupNamespacePolicy,
    DataSource,
    Entity,
    FeatureService,
    FeatureView,
    FileSource,
    OnDemandFeatureView,
    Permission,
    PostgreSQLSource,
    Project,
    PushSource,
    RequestSource,
    SavedDataset,
)
from feast_core.protos.feast.core import (
    DataSource_pb2,
    Entity_pb2,
    FeatureService_pb2,
    FeatureView_pb2,
    OnDemandFeatureView_pb2,
    Permission_pb2,
    Project_pb2,
    SavedDataset_pb2,
)

# The same declarations in both SDKs (only the imports differ). The functions' source, decorator lines
# included, is what both store as body_text.
DEFINITIONS = '''
driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64, description="a driver",
                tags={"team": "drivers"}, owner="ops@example.com")
stats_file = FileSource(name="stats_file", path="data/driver_stats.parquet", timestamp_field="event_timestamp",
                        created_timestamp_column="created", field_mapping={"conv": "conv_rate"},
                        tags={"src": "file"}, description="hourly stats")
stats_table = PostgreSQLSource(name="stats_table", table="driver_stats", timestamp_field="event_timestamp",
                               created_timestamp_column="created")
stats_query = PostgreSQLSource(name="stats_query", query="SELECT * FROM driver_stats WHERE x > 1",
                               timestamp_field="event_timestamp")
stats_push = PushSource(name="stats_push", batch_source=stats_file, description="pushed stats")
request = RequestSource(name="request", schema=[Field(name="val_to_add", dtype=Int64)])
stats = FeatureView(
    name="driver_stats", entities=[driver], ttl=timedelta(days=1), source=stats_file, online=True,
    schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32, description="rate"),
            Field(name="trips", dtype=Int64, tags={"k": "v"}), Field(name="embedding", dtype=Array(Float32))],
    tags={"team": "drivers"}, description="driver stats", owner="ops@example.com",
)
pushed = FeatureView(name="driver_pushed", entities=[driver], ttl=timedelta(0), source=stats_push,
                     schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32)])
from_table = FeatureView(name="driver_table", entities=[driver], ttl=timedelta(hours=2), source=stats_table,
                         schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64)])
global_stats = FeatureView(name="global_stats", ttl=timedelta(days=7), source=stats_query,
                           schema=[Field(name="total", dtype=Float64)])


@on_demand_feature_view(sources=[stats, request], schema=[Field(name="conv_plus_val", dtype=Float64)],
                        mode="pandas", description="rate plus a request value")
def conv_plus_val(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["conv_plus_val"] = inputs["conv_rate"] + inputs["val_to_add"]
    return out


@on_demand_feature_view(sources=[request], schema=[Field(name="doubled", dtype=Int64)], mode="python")
def doubled(inputs: dict) -> dict:
    return {"doubled": [v * 2 for v in inputs["val_to_add"]]}


service = FeatureService(name="driver_service", features=[stats[["conv_rate", "trips"]], conv_plus_val.with_name("odfv")],
                         tags={"use": "ranking"}, description="for ranking", owner="ml@example.com")
readers = Permission(name="readers", types=[FeatureView, FeatureService], name_patterns=["driver.*"],
                     actions=[AuthzedAction.READ_ONLINE, AuthzedAction.DESCRIBE],
                     policy=RoleBasedPolicy(roles=["reader"]), tags={"k": "v"}, required_tags={"team": "drivers"})
groups = Permission(name="groups", actions=[AuthzedAction.WRITE_ONLINE], policy=GroupBasedPolicy(groups=["g1", "g2"]))
namespaces = Permission(name="namespaces", types=[Entity], policy=NamespaceBasedPolicy(namespaces=["team-a"]))
combined = Permission(name="combined", types=[Project],
                      policy=CombinedGroupNamespacePolicy(groups=["g"], namespaces=["n"]))
project = Project(name="wire_project", description="the project", tags={"env": "test"})
dataset = SavedDataset(name="training_set", features=["driver_stats:conv_rate", "driver_stats:trips"],
                       join_keys=["driver_id"], storage=SavedDatasetFileStorage(path="data/training.parquet"),
                       full_feature_names=True, tags={"purpose": "training"}, feature_service_name="driver_service",
                       description="a training set")
'''

OUR_IMPORTS = '''
from datetime import timedelta
import pandas as pd
from feast_core.definitions import (
    Entity, FeatureService, FeatureView, Field, FileSource, PostgreSQLSource, Project, PushSource, RequestSource,
    SavedDataset, SavedDatasetFileStorage, on_demand_feature_view, Permission, AuthzedAction, RoleBasedPolicy,
    GroupBasedPolicy, NamespaceBasedPolicy, CombinedGroupNamespacePolicy,
)
from feast_core.types import Array, Float32, Float64, Int64, ValueType
'''

UPSTREAM_IMPORTS = '''
from datetime import timedelta
import pandas as pd
from feast import (
    Entity, FeatureService, FeatureView, Field, FileSource, Project, PushSource, RequestSource, ValueType,
)
from feast.infra.offline_stores.contrib.postgres_offline_store.postgres_source import PostgreSQLSource
from feast.infra.offline_stores.file_source import SavedDatasetFileStorage
from feast.on_demand_feature_view import on_demand_feature_view
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import (
    CombinedGroupNamespacePolicy, GroupBasedPolicy, NamespaceBasedPolicy, RoleBasedPolicy,
)
from feast.saved_dataset import SavedDataset
from feast.types import Array, Float32, Float64, Int64
'''

# name in DEFINITIONS -> the upstream class that reads it (module, class)
KINDS = {
    "driver": "feast.entity.Entity",
    "stats_file": "feast.data_source.DataSource", "stats_table": "feast.data_source.DataSource",
    "stats_query": "feast.data_source.DataSource", "stats_push": "feast.data_source.DataSource",
    "request": "feast.data_source.DataSource",
    "stats": "feast.feature_view.FeatureView", "pushed": "feast.feature_view.FeatureView",
    "from_table": "feast.feature_view.FeatureView", "global_stats": "feast.feature_view.FeatureView",
    "conv_plus_val": "feast.on_demand_feature_view.OnDemandFeatureView",
    "doubled": "feast.on_demand_feature_view.OnDemandFeatureView",
    "service": "feast.feature_service.FeatureService",
    "readers": "feast.permissions.permission.Permission", "groups": "feast.permissions.permission.Permission",
    "namespaces": "feast.permissions.permission.Permission", "combined": "feast.permissions.permission.Permission",
    "project": "feast.project.Project",
    "dataset": "feast.saved_dataset.SavedDataset",
}
PROTO_CLASSES = {
    "feast.entity.Entity": Entity_pb2.Entity, "feast.data_source.DataSource": DataSource_pb2.DataSource,
    "feast.feature_view.FeatureView": FeatureView_pb2.FeatureView,
    "feast.on_demand_feature_view.OnDemandFeatureView": OnDemandFeatureView_pb2.OnDemandFeatureView,
    "feast.feature_service.FeatureService": FeatureService_pb2.FeatureService,
    "feast.permissions.permission.Permission": Permission_pb2.Permission,
    "feast.project.Project": Project_pb2.Project, "feast.saved_dataset.SavedDataset": SavedDataset_pb2.SavedDataset,
}
OUR_CLASSES = {
    "feast.entity.Entity": Entity, "feast.data_source.DataSource": DataSource, "feast.feature_view.FeatureView": FeatureView,
    "feast.on_demand_feature_view.OnDemandFeatureView": OnDemandFeatureView,
    "feast.feature_service.FeatureService": FeatureService, "feast.permissions.permission.Permission": Permission,
    "feast.project.Project": Project, "feast.saved_dataset.SavedDataset": SavedDataset,
}

# What upstream makes that we do not model: extra fields on a view, a Kafka-fed view, Feast's AllowAll
UPSTREAM_EXTRAS = '''
from feast.data_source import KafkaSource
from feast.data_format import JsonFormat
from feast.permissions.policy import AllowAll
versioned = FeatureView(name="versioned", entities=[driver], ttl=timedelta(days=1), source=stats_file,
                        schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32,
                                vector_index=True, vector_length=8, vector_search_metric="cosine")],
                        org="ads", version="v2", enable_validation=True)
kafka = KafkaSource(name="stats_kafka", kafka_bootstrap_servers="localhost:9092", topic="stats",
                    timestamp_field="event_timestamp", batch_source=stats_file,
                    message_format=JsonFormat(schema_json="driver_id integer, conv_rate double"))
streamed = FeatureView(name="driver_streamed", entities=[driver], ttl=timedelta(days=1), source=kafka,
                       schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float32)])
open_door = Permission(name="open_door", policy=AllowAll)
'''
EXTRA_KINDS = {"versioned": "feast.feature_view.FeatureView", "streamed": "feast.feature_view.FeatureView",
               "open_door": "feast.permissions.permission.Permission"}

SAMPLE = {"conv_rate": [0.5, 0.25], "val_to_add": [1, 2]}
EXPECTED_RESULTS = {"conv_plus_val": {"conv_plus_val": [1.5, 2.25]}, "doubled": {"doubled": [2, 4]}}

UPSTREAM_SCRIPT = """
import base64, importlib, json, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import pandas as pd
here = Path.cwd()
sys.path.insert(0, str(here))
import upstream_defs as defs

PROTOS = {
    "feast.entity.Entity": "Entity", "feast.data_source.DataSource": "DataSource",
    "feast.feature_view.FeatureView": "FeatureView",
    "feast.on_demand_feature_view.OnDemandFeatureView": "OnDemandFeatureView",
    "feast.feature_service.FeatureService": "FeatureService",
    "feast.permissions.permission.Permission": "Permission", "feast.project.Project": "Project",
    "feast.saved_dataset.SavedDataset": "SavedDataset",
}

def load(path):
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)

def proto_class(path):
    name = PROTOS[path]
    return load(f"feast.protos.feast.core.{name}_pb2.{name}")

def policy(p):
    return {"class": type(p).__name__, **{k: sorted(v) for k, v in vars(p).items() if isinstance(v, list)}}

def source(s):
    if s is None:
        return None
    out = {"class": type(s).__name__, "name": s.name, "timestamp_field": s.timestamp_field,
           "created_timestamp_column": s.created_timestamp_column, "field_mapping": dict(s.field_mapping),
           "tags": dict(s.tags), "description": s.description, "owner": s.owner}
    if hasattr(s, "path"):
        out["path"] = s.path
    if hasattr(s, "_postgres_options"):
        out["table"], out["query"] = s._postgres_options._table or "", s._postgres_options._query or ""
    if getattr(s, "batch_source", None) is not None:
        out["batch_source"] = s.batch_source.name
    if hasattr(s, "schema"):
        out["schema"] = [[f.name, str(f.dtype)] for f in s.schema]
    return out

def fields(fs):
    return [[f.name, str(f.dtype), f.description, dict(f.tags)] for f in fs]

def summary(obj):
    kind = type(obj).__name__
    if kind == "Entity":
        return {"name": obj.name, "join_key": obj.join_key, "value_type": obj.value_type.name,
                "description": obj.description, "tags": obj.tags, "owner": obj.owner}
    if kind == "FeatureView":
        return {"name": obj.name, "entities": obj.entities, "features": fields(obj.features),
                "entity_columns": fields(obj.entity_columns), "ttl": obj.ttl.total_seconds(), "online": obj.online,
                "batch_source": source(obj.batch_source), "stream_source": source(obj.stream_source),
                "tags": obj.tags, "description": obj.description, "owner": obj.owner,
                "intervals": [[s.isoformat(), e.isoformat()] for s, e in obj.materialization_intervals]}
    if kind == "OnDemandFeatureView":
        sample = SAMPLE
        if obj.mode == "pandas":
            result = obj.feature_transformation.udf(pd.DataFrame(sample)).to_dict(orient="list")
        else:
            result = obj.feature_transformation.udf(sample)
        return {"name": obj.name, "features": fields(obj.features), "mode": obj.mode,
                "view_sources": sorted(obj.source_feature_view_projections),
                "request_sources": sorted(obj.source_request_sources), "description": obj.description,
                "result": result}
    if kind == "FeatureService":
        return {"name": obj.name, "tags": obj.tags, "description": obj.description, "owner": obj.owner,
                "projections": [[p.name, p.name_alias or "", [f.name for f in p.features]]
                                for p in obj.feature_view_projections]}
    if kind == "Permission":
        return {"name": obj.name, "types": sorted(t.__name__ for t in obj.types), "name_patterns": obj.name_patterns,
                "actions": sorted(a.name for a in obj.actions), "policy": policy(obj.policy),
                "tags": obj.tags or {}, "required_tags": obj.required_tags or {}}
    if kind == "Project":
        return {"name": obj.name, "description": obj.description, "tags": obj.tags}
    if kind == "SavedDataset":
        return {"name": obj.name, "features": obj.features, "join_keys": obj.join_keys,
                "path": obj.storage.file_options.uri, "full_feature_names": obj.full_feature_names,
                "tags": obj.tags, "feature_service_name": obj.feature_service_name, "description": obj.description}
    return source(obj)

ours = json.loads((here / "ours.json").read_text())
read = {name: summary(load(path).from_proto(proto_class(path).FromString(base64.b64decode(b64))))
        for name, (path, b64) in ours.items()}
made = {name: base64.b64encode(getattr(defs, name).to_proto().SerializeToString()).decode() for name in NAMES}
print(json.dumps({"read": read, "made": made}))
"""


def _write_module(directory, name: str, imports: str, body: str):
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(imports) + body)
    return path


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    return tmp_path_factory.mktemp("wire")


@pytest.fixture(scope="module")
def ours(directory):
    """DEFINITIONS declared with feast_core, imported from a real file (so functions have source text)."""
    import importlib.util

    path = _write_module(directory, "ours_defs", OUR_IMPORTS, DEFINITIONS)
    spec = importlib.util.spec_from_file_location("wire_ours_defs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exchange(directory, ours, upstream_feast):
    """Our objects, and one upstream process's view of them plus its own objects' bytes."""
    _write_module(directory, "upstream_defs", UPSTREAM_IMPORTS, DEFINITIONS + UPSTREAM_EXTRAS)
    ours.everyone = Permission(name="everyone")  # AllowAll, which Feast cannot store (see permission.py)
    payload = {
        name: [kind, base64.b64encode(getattr(ours, name).to_proto().SerializeToString()).decode()]
        for name, kind in {**KINDS, "everyone": "feast.permissions.permission.Permission"}.items()
    }
    (directory / "ours.json").write_text(json.dumps(payload))
    script = f"SAMPLE = {SAMPLE!r}\nNAMES = {sorted({**KINDS, **EXTRA_KINDS})!r}\n" + UPSTREAM_SCRIPT
    result = upstream_feast.run_python(script, cwd=directory)
    made = {
        name: OUR_CLASSES[kind].from_proto(PROTO_CLASSES[kind].FromString(base64.b64decode(result["made"][name])))
        for name, kind in {**KINDS, **EXTRA_KINDS}.items()
    }
    return {"ours": ours, "read": result["read"], "made": made, "made_bytes": result["made"]}


# ---- what Feast reads from our bytes equals what we declared ----------------------------------------


def _source(s) -> dict | None:
    if s is None:
        return None
    names = {FileSource: "FileSource", PostgreSQLSource: "PostgreSQLSource", PushSource: "PushSource",
             RequestSource: "RequestSource"}
    out = {"class": names[type(s)], "name": s.name, "timestamp_field": s.timestamp_field,
           "created_timestamp_column": s.created_timestamp_column, "field_mapping": s.field_mapping,
           "tags": s.tags, "description": s.description, "owner": s.owner}
    if isinstance(s, FileSource):
        out["path"] = s.path
    if isinstance(s, PostgreSQLSource):
        out["table"], out["query"] = s.table, s.query
    if isinstance(s, PushSource):
        # Feast's PushSource keeps the timestamp columns on its batch source only (both write them)
        out.update(batch_source=s.batch_source.name, timestamp_field="", created_timestamp_column="", field_mapping={})
    if isinstance(s, RequestSource):
        out["schema"] = [[f.name, f.dtype.name] for f in s.schema]
    return out


def _fields(fields) -> list:
    return [[f.name, f.dtype.name, f.description, f.tags] for f in fields]


def test_feast_reads_our_entity_sources_project_and_saved_dataset(exchange):
    ours, read = exchange["ours"], exchange["read"]
    assert read["driver"] == {
        "name": "driver", "join_key": "driver_id", "value_type": "INT64", "description": "a driver",
        "tags": {"team": "drivers"}, "owner": "ops@example.com",
    }
    for name in ("stats_file", "stats_table", "stats_query", "stats_push", "request"):
        assert read[name] == _source(getattr(ours, name)), name
    assert read["stats_table"]["table"] == "driver_stats" and read["stats_query"]["query"].startswith("SELECT")
    assert read["project"] == {"name": "wire_project", "description": "the project", "tags": {"env": "test"}}
    assert read["dataset"] == {
        "name": "training_set", "features": ["driver_stats:conv_rate", "driver_stats:trips"], "join_keys": ["driver_id"],
        "path": "data/training.parquet", "full_feature_names": True, "tags": {"purpose": "training"},
        "feature_service_name": "driver_service", "description": "a training set",
    }


def test_feast_reads_our_feature_views(exchange):
    ours, read = exchange["ours"], exchange["read"]
    for name in ("stats", "pushed", "from_table", "global_stats"):
        view = getattr(ours, name)
        expected = {
            "name": view.name, "entities": view.entities, "features": _fields(view.features),
            "entity_columns": _fields(view.entity_columns), "ttl": view.ttl.total_seconds(), "online": True,
            "batch_source": _source(view.batch_source), "stream_source": _source(view.stream_source),
            "tags": view.tags, "description": view.description, "owner": view.owner, "intervals": [],
        }
        if view.entityless:  # Feast's placeholder for entity-less views
            expected["entities"], expected["entity_columns"] = ["__dummy"], [["__dummy_id", "String", "", {}]]
        assert read[name] == expected, name
    assert read["stats"]["ttl"] == 86400 and read["pushed"]["ttl"] == 0
    assert read["pushed"]["stream_source"]["class"] == "PushSource"
    assert read["stats"]["features"][2] == ["embedding", "Array(Float32)", "", {}]


def test_feast_rebuilds_and_runs_our_on_demand_functions(exchange):
    read = exchange["read"]
    assert read["conv_plus_val"] == {
        "name": "conv_plus_val", "features": [["conv_plus_val", "Float64", "", {}]], "mode": "pandas",
        "view_sources": ["driver_stats"], "request_sources": ["request"], "description": "rate plus a request value",
        "result": EXPECTED_RESULTS["conv_plus_val"],
    }
    assert read["doubled"]["mode"] == "python" and read["doubled"]["result"] == EXPECTED_RESULTS["doubled"]
    assert read["doubled"]["view_sources"] == [] and read["doubled"]["request_sources"] == ["request"]


def test_feast_reads_our_feature_service_with_its_projections(exchange):
    assert exchange["read"]["service"] == {
        "name": "driver_service", "tags": {"use": "ranking"}, "description": "for ranking", "owner": "ml@example.com",
        "projections": [["driver_stats", "", ["conv_rate", "trips"]], ["conv_plus_val", "odfv", ["conv_plus_val"]]],
    }


def test_feast_reads_our_permissions_and_policies(exchange):
    read = exchange["read"]
    assert read["readers"] == {
        "name": "readers", "types": ["FeatureService", "FeatureView"], "name_patterns": ["driver.*"],
        "actions": ["DESCRIBE", "READ_ONLINE"], "policy": {"class": "RoleBasedPolicy", "roles": ["reader"]},
        "tags": {"k": "v"}, "required_tags": {"team": "drivers"},
    }
    assert read["groups"]["policy"] == {"class": "GroupBasedPolicy", "groups": ["g1", "g2"]}
    assert len(read["groups"]["types"]) == 12  # no types declared: all of them
    assert read["namespaces"]["policy"] == {"class": "NamespaceBasedPolicy", "namespaces": ["team-a"]}
    assert read["namespaces"]["types"] == ["Entity"]
    assert read["combined"]["policy"] == {"class": "CombinedGroupNamespacePolicy", "groups": ["g"], "namespaces": ["n"]}
    # our AllowAll loads in Feast, as a policy no user satisfies (Feast cannot store its own AllowAll)
    assert read["everyone"]["policy"] == {"class": "RoleBasedPolicy", "roles": []}


# ---- what we read from Feast's bytes equals what we declared ----------------------------------------


def test_we_read_every_kind_feast_made_as_what_we_declared(exchange):
    ours, made = exchange["ours"], exchange["made"]
    for name in KINDS:
        assert made[name] == getattr(ours, name), name
    assert made["pushed"].source == ours.stats_push and made["pushed"].ttl == timedelta(0)
    assert made["global_stats"].entities == [] and made["global_stats"].entity_columns == []
    assert made["service"].feature_references == ["driver_stats:conv_rate", "driver_stats:trips", "odfv:conv_plus_val"]
    assert made["groups"].types == [] and made["combined"].policy == CombinedGroupNamespacePolicy(["g"], ["n"])
    assert made["dataset"].storage.path == "data/training.parquet"


def test_we_run_on_demand_functions_feast_stored(exchange):
    made = exchange["made"]
    result = made["conv_plus_val"].udf(pd.DataFrame(SAMPLE))
    assert result.to_dict(orient="list") == EXPECTED_RESULTS["conv_plus_val"]
    assert made["doubled"].udf(dict(SAMPLE)) == EXPECTED_RESULTS["doubled"]


def test_what_we_do_not_model_survives_a_rewrite(exchange):
    made, made_bytes = exchange["made"], exchange["made_bytes"]
    original = FeatureView_pb2.FeatureView.FromString(base64.b64decode(made_bytes["versioned"]))
    view = made["versioned"]
    unchanged = view.to_proto()
    assert unchanged.SerializeToString(deterministic=True) == original.SerializeToString(deterministic=True)
    view.ttl = timedelta(hours=3)
    view.materialization_intervals = [(datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 2, tzinfo=timezone.utc))]
    changed = view.to_proto()
    assert changed.spec.ttl.ToTimedelta() == timedelta(hours=3)
    assert len(changed.meta.materialization_intervals) == 1
    assert (changed.spec.org, changed.spec.version, changed.spec.enable_validation) == ("ads", "v2", True)
    assert changed.spec.features[0].vector_index and changed.spec.features[0].vector_search_metric == "cosine"

    streamed = made["streamed"]  # a Kafka-fed view: read from its batch source, the stream kept as written
    assert type(streamed.source).__name__ == "KafkaSource" and isinstance(streamed.batch_source, FileSource)
    streamed.description = "changed"
    rewritten = streamed.to_proto()
    assert rewritten.spec.description == "changed"
    assert rewritten.spec.stream_source.kafka_options.topic == "stats"

    # Feast's own AllowAll (a Policy with no arm) reads as AllowAll
    assert made["open_door"].policy is AllowAll


# ---- our own round trip, and what reading never does -------------------------------------------------


def test_every_declared_object_survives_its_own_round_trip(ours):
    for name in KINDS:
        declared = getattr(ours, name)
        message = declared.to_proto()
        back = type(declared).from_proto(message) if not isinstance(declared, DataSource) else DataSource.from_proto(message)
        assert back == declared, name
        assert type(back) is type(declared), name
        assert back.to_proto() == message, name


def test_meta_timestamps_and_materialization_are_written_as_feast_writes_them(ours):
    view = ours.stats
    created = datetime(2025, 3, 1, 12, 30, 15, 661180, tzinfo=timezone.utc)
    view.created_timestamp = view.last_updated_timestamp = created
    view.materialization_intervals = [(created - timedelta(days=1), created)]
    try:
        message = view.to_proto()
        assert message.meta.created_timestamp.seconds == int(created.timestamp())
        assert message.meta.created_timestamp.nanos == 661180000
        back = FeatureView.from_proto(message)
        assert back.created_timestamp == created and back.materialization_intervals == view.materialization_intervals
        zero_ttl = ours.pushed.to_proto()
        assert zero_ttl.spec.HasField("ttl") and zero_ttl.spec.ttl.ToNanoseconds() == 0  # present, empty
    finally:
        view.created_timestamp = view.last_updated_timestamp = None
        view.materialization_intervals = []


def _odfv_message(body_text: str, body: bytes = b"") -> OnDemandFeatureView_pb2.OnDemandFeatureView:
    message = OnDemandFeatureView_pb2.OnDemandFeatureView()
    message.spec.name, message.spec.mode = "stored", "python"
    message.spec.features.add(name="out", value_type=4)
    message.spec.sources["request"].request_data_source.CopyFrom(
        RequestSource(name="request", schema=[ours_field("x")]).to_proto()
    )
    function = message.spec.feature_transformation.user_defined_function
    function.name, function.body_text, function.body, function.mode = "compute", body_text, body, "python"
    return message


def ours_field(name: str):
    from feast_core.definitions import Field
    from feast_core.types import Int64

    return Field(name=name, dtype=Int64)


def test_listing_a_stored_on_demand_view_runs_no_user_code(tmp_path):
    marker = tmp_path / "ran"
    body_text = textwrap.dedent(f"""
        open({str(marker)!r}, "w").close()

        @on_demand_feature_view(sources=[request], schema=[Field(name="out", dtype=Int64)], mode="python")
        def compute(inputs):
            return {{"out": [v + 1 for v in inputs["x"]]}}
        """)
    view = OnDemandFeatureView.from_proto(_odfv_message(body_text))
    assert view.to_proto().spec.feature_transformation.user_defined_function.body_text == body_text
    assert view == OnDemandFeatureView.from_proto(_odfv_message(body_text))
    assert [f.name for f in view.features] == ["out"] and view.request_sources[0].name == "request"
    assert not marker.exists()
    assert view.udf({"x": [1, 2]}) == {"out": [2, 3]}  # first use: the stored source runs
    assert marker.exists()


def test_a_function_whose_source_cannot_run_falls_back_to_the_pickle():
    from feast_core.definitions.transformations import pickle_by_value as _dill_by_value

    def compute(inputs):
        return {"out": [v * 10 for v in inputs["x"]]}

    view = OnDemandFeatureView.from_proto(_odfv_message("def compute(:\n", _dill_by_value(compute)))
    assert view.udf({"x": [1]}) == {"out": [10]}
    broken = OnDemandFeatureView.from_proto(_odfv_message("", b""))
    with pytest.raises(ValueError, match="'stored'.*cannot be rebuilt"):
        broken.udf  # noqa: B018


def test_fields_outside_our_schema_survive_a_change(ours):
    spec_bytes = ours.stats.to_proto().spec.SerializeToString() + b"\x98\x06\x2a"  # field 99 = 42, unknown to us
    message = FeatureView_pb2.FeatureView(spec=FeatureView_pb2.FeatureViewSpec.FromString(spec_bytes))
    view = FeatureView.from_proto(message)
    view.description = "changed"
    rewritten = view.to_proto()
    assert rewritten.spec.description == "changed"
    assert rewritten.spec.SerializeToString().endswith(b"\x98\x06\x2a")
