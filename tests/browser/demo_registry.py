"""A demo feature repository for the UI tests: two projects, every kind of object, one materialization.

Used by tests/browser (through conftest) and tests/core/test_ui_api.py (loaded by file path, since the
test directories are not packages).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from feast_core.config import parse_config
from feast_core.definitions import (
    READ,
    Entity,
    FeatureService,
    FeatureView,
    Field,
    FileSource,
    OnDemandFeatureView,
    Permission,
    Project,
    PushSource,
    RequestSource,
    RoleBasedPolicy,
)
from feast_core.store import FeatureStore
from feast_core.types import Float64, Int64, String

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
XSS = "<script>window.__xss = 1</script>"
MATERIALIZED = (datetime(2024, 5, 1, tzinfo=timezone.utc), datetime(2024, 5, 2, 6, 30, tzinfo=timezone.utc))


def yaml_text(project: str, registry: str = "data/registry.db", registry_type: str = "file") -> str:
    return (
        f"project: {project}\n"
        f"registry:\n  registry_type: {registry_type}\n  path: {registry}\n  cache_ttl_seconds: 600\n"
        "provider: local\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\n"
        "entity_key_serialization_version: 3\n"
    )


def open_store(repo: Path, project: str, registry: str = "data/registry.db", registry_type: str = "file"):
    config = parse_config(yaml_text(project, registry, registry_type), str(repo / "feature_store.yaml"), repo)
    return FeatureStore(repo_path=repo, config=config)


def write_parquet(repo: Path) -> None:
    (repo / "data").mkdir(parents=True, exist_ok=True)
    stamps = [T0 + timedelta(hours=h) for h in range(4)]
    pd.DataFrame({
        "driver_id": [1001, 1002, 1001, 1002],
        "conv_rate": [0.5, 0.6, 0.7, 0.8],
        "acc_rate": [0.9, 0.8, 0.7, 0.6],
        "avg_daily_trips": [10, 20, 30, 40],
        "event_timestamp": stamps,
        "created": stamps,
    }).to_parquet(repo / "data" / "driver_stats.parquet")
    pd.DataFrame({
        "customer_id": ["c1", "c2"],
        "lifetime_value": [120.5, 33.0],
        "segment": ["gold", "silver"],
        "ts": stamps[:2],
    }).to_parquet(repo / "data" / "customers.parquet")


def trip_adjustments(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["conv_rate_plus_val1"] = inputs["conv_rate"] + inputs["val_to_add"]
    out["conv_rate_plus_val2"] = inputs["conv_rate"] + inputs["val_to_add_2"]
    return out


def driver_objects(repo: Path) -> dict:
    driver = Entity(name="driver", join_keys=["driver_id"], description="A driver of the ride-hailing fleet",
                    tags={"team": "drivers"}, owner="drivers@example.com")
    stats_source = FileSource(
        name="driver_hourly_stats_source", path=str(repo / "data" / "driver_stats.parquet"),
        timestamp_field="event_timestamp", created_timestamp_column="created",
        description="Hourly driver statistics from the trips pipeline",
    )
    push = PushSource(name="driver_stats_push_source", batch_source=stats_source)
    stats = FeatureView(
        name="driver_hourly_stats", entities=[driver], ttl=timedelta(days=1),
        schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float64, description="conversion"),
                Field(name="acc_rate", dtype=Float64), Field(name="avg_daily_trips", dtype=Int64)],
        source=stats_source, online=True, tags={"team": "drivers", "tier": "gold"}, owner="drivers@example.com",
        description="Hourly statistics per driver",
    )
    fresh = FeatureView(
        name="driver_hourly_stats_fresh", entities=[driver], ttl=timedelta(days=1),
        schema=[Field(name="driver_id", dtype=Int64), Field(name="conv_rate", dtype=Float64),
                Field(name="acc_rate", dtype=Float64)],
        source=push, online=True, tags={"team": "drivers"},
    )
    request = RequestSource(name="vals_to_add", schema=[Field(name="val_to_add", dtype=Int64),
                                                         Field(name="val_to_add_2", dtype=Int64)])
    odfv = OnDemandFeatureView(
        name="transformed_conv_rate", sources=[stats, request], udf=trip_adjustments, mode="pandas",
        schema=[Field(name="conv_rate_plus_val1", dtype=Float64), Field(name="conv_rate_plus_val2", dtype=Float64)],
        description="Conversion rate adjusted by request values",
    )
    service = FeatureService(
        name="driver_activity_v1", features=[stats[["conv_rate", "avg_daily_trips"]], odfv],
        description="Features for the driver activity model", owner="ml@example.com", tags={"model": "activity"},
    )
    service_fresh = FeatureService(name="driver_activity_v2", features=[fresh, odfv])
    reader = Permission(name="readers", types=[FeatureView, FeatureService], name_patterns=["driver.*"],
                        actions=READ, policy=RoleBasedPolicy(roles=["reader"]), tags={"scope": "read"})
    project = Project(name="driver_ranking", description="Ranks drivers by expected activity", owner="ml@example.com",
                      tags={"env": "demo"})
    return {"entities": [driver], "sources": [stats_source, push, request], "views": [stats, fresh],
            "odfvs": [odfv], "services": [service, service_fresh], "permissions": [reader], "project": project}


def build(repo: Path, registry: str = "data/registry.db", registry_type: str = "file") -> FeatureStore:
    """Apply the demo objects into two projects and record one materialization; return the first store."""
    write_parquet(repo)
    store = open_store(repo, "driver_ranking", registry, registry_type)
    objects = driver_objects(repo)
    store.apply([objects["project"], *objects["entities"], *objects["sources"], *objects["views"],
                 *objects["odfvs"], *objects["services"], *objects["permissions"]])
    store.registry.record_materialization("driver_ranking", "driver_hourly_stats", *MATERIALIZED)

    other = open_store(repo, "customer_360", registry, registry_type)
    customer = Entity(name="customer", join_keys=["customer_id"], description=XSS, tags={"note": XSS})
    source = FileSource(name="customer_profile_source", path=str(repo / "data" / "customers.parquet"),
                        timestamp_field="ts")
    profile = FeatureView(
        name="customer_profile", entities=[customer], ttl=timedelta(days=30), source=source,
        schema=[Field(name="customer_id", dtype=String), Field(name="lifetime_value", dtype=Float64),
                Field(name="segment", dtype=String)],
        description="Profile features; the description has markup: <b>bold</b> & " + XSS,
    )
    other.apply([Project(name="customer_360", description="Customer features"), customer, source, profile,
                 FeatureService(name="customer_service", features=[profile])])
    other.close()
    return store
