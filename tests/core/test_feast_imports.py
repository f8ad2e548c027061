"""A repo written for Feast runs with only `feast` changed to `feast_core` in its imports."""

import sys

import pandas as pd

FEAST_STYLE_DEFINITIONS = '''
from datetime import timedelta

import pandas as pd

from feast import Entity, FeatureService, FeatureView, Field, FileSource, Project, PushSource, RequestSource
from feast.feature_logging import LoggingConfig
from feast.infra.offline_stores.file_source import FileLoggingDestination
from feast.on_demand_feature_view import on_demand_feature_view
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy
from feast.types import Array, Float32, Float64, Int64, String
from feast.value_type import ValueType

project = Project(name="imports_check", description="a Feast-style repo")
driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64)
source = FileSource(name="stats", path="data/stats.parquet", timestamp_field="event_timestamp",
                    created_timestamp_column="created")
stats = FeatureView(
    name="driver_stats", entities=[driver], ttl=timedelta(days=1), source=source, online=True,
    schema=[Field(name="conv_rate", dtype=Float32), Field(name="trips", dtype=Int64),
            Field(name="tags", dtype=Array(String))],
    tags={"team": "drivers"},
)
extra = RequestSource(name="extra", schema=[Field(name="bonus", dtype=Int64)])


@on_demand_feature_view(sources=[stats, extra], schema=[Field(name="boosted", dtype=Float64)])
def boosted(inputs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"boosted": inputs["conv_rate"] + inputs["bonus"]})


push = PushSource(name="stats_push", batch_source=source)
service = FeatureService(name="driver_v1", features=[stats[["conv_rate"]], boosted],
                         logging_config=LoggingConfig(destination=FileLoggingDestination(path="data")))
readers = Permission(name="readers", types=[FeatureView], name_patterns=[".*"],
                     policy=RoleBasedPolicy(roles=["reader"]), actions=[AuthzedAction.READ_ONLINE])
'''


def test_a_feast_repo_with_renamed_imports_applies_and_serves(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    now = pd.Timestamp.now(tz="UTC").floor("s")
    pd.DataFrame({
        "driver_id": [1001], "conv_rate": [0.5], "trips": [3], "tags": [["a", "b"]],
        "event_timestamp": [now], "created": [now],
    }).to_parquet(tmp_path / "data" / "stats.parquet")
    (tmp_path / "feature_store.yaml").write_text(
        "project: imports_check\nregistry: data/registry.db\nprovider: local\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n"
    )
    (tmp_path / "definitions.py").write_text(
        FEAST_STYLE_DEFINITIONS.replace("from feast import", "from feast_core import")
        .replace("from feast.", "from feast_core.")
    )
    monkeypatch.chdir(tmp_path)
    from feast_core import FeatureStore
    from feast_core.data_source import PushMode
    from feast_core.repo import apply_repo

    store = FeatureStore(repo_path=tmp_path)
    diff = apply_repo(store, tmp_path)
    assert "Created feature view driver_stats" in diff.to_string()
    assert "Created permission readers" in diff.to_string()
    store.materialize(now - pd.Timedelta(days=1), now, progress=False)
    store.push("stats_push", pd.DataFrame({  # rows land in the source, offline
        "driver_id": [1001], "conv_rate": [0.75], "trips": [4], "tags": [["c"]],
        "event_timestamp": [now], "created": [now + pd.Timedelta(seconds=1)],
    }), to=PushMode.OFFLINE)
    store.materialize(now - pd.Timedelta(days=1), now, progress=False)
    online = store.get_online_features(
        features=store.get_feature_service("driver_v1"), entity_rows=[{"driver_id": 1001, "bonus": 1}]
    ).to_dict()
    assert online["conv_rate"] == [0.75] and online["boosted"] == [1.75]
    sys.modules.pop("definitions", None)
