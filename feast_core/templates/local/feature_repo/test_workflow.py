# The demo's whole round trip: apply, training rows, materialize, online reads, push, teardown.
# Run it from anywhere: `python test_workflow.py`. (`feast apply` imports this file too, so the work
# happens only when it is run as a script.)

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from feast_core import FeatureStore
from feast_core.data_source import PushMode

REPO = Path(__file__).resolve().parent


def feast(*args: str) -> None:
    """Run the `feast` command on this repo, as you would in a shell."""
    print(f"\n--- feast {' '.join(args)} ---", flush=True)  # before the child's output, also in a pipe
    subprocess.run([sys.executable, "-m", "feast_core.cli", "-c", str(REPO), *args], check=True)


def show(title: str, frame: pd.DataFrame) -> None:
    print(f"\n--- {title} ---")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(frame)


def training_rows(store: FeatureStore) -> None:
    # one row per (driver, moment) to label; features come from the latest row at or before it
    entity_df = pd.DataFrame(
        {
            "driver_id": [1001, 1002, 1003],
            "event_timestamp": [
                datetime(2021, 4, 12, 10, 59, 42),
                datetime(2021, 4, 12, 8, 12, 10),
                datetime(2021, 4, 12, 16, 40, 26),
            ],
            "label_driver_reported_satisfaction": [1, 5, 3],
            "val_to_add": [1, 2, 3],
            "val_to_add_2": [10, 20, 30],
        }
    )
    frame = store.get_historical_features(
        entity_df=entity_df,
        features=[
            "driver_hourly_stats:conv_rate",
            "driver_hourly_stats:acc_rate",
            "driver_hourly_stats:avg_daily_trips",
            "transformed_conv_rate:conv_rate_plus_val1",
            "transformed_conv_rate:conv_rate_plus_val2",
        ],
    ).to_df()
    show("Training rows (point in time correct, 2021-04-12)", frame)

    # the same, for scoring now, through a feature service
    entity_df["event_timestamp"] = pd.Timestamp.now(tz="UTC").floor("s")
    frame = store.get_historical_features(
        entity_df=entity_df, features=store.get_feature_service("driver_activity_v1")
    ).to_df()
    show("Batch scoring rows (now, feature service driver_activity_v1)", frame)


def online_features(store: FeatureStore, service: str | None = None) -> None:
    entity_rows = [
        {"driver_id": 1001, "val_to_add": 1000, "val_to_add_2": 2000},
        {"driver_id": 1002, "val_to_add": 1001, "val_to_add_2": 2002},
    ]
    if service is None:
        features = [
            "driver_hourly_stats:acc_rate",
            "transformed_conv_rate:conv_rate_plus_val1",
            "transformed_conv_rate:conv_rate_plus_val2",
        ]
        title = "Online features (by reference)"
    else:
        features = store.get_feature_service(service)
        title = f"Online features (feature service {service})"
    response = store.get_online_features(features=features, entity_rows=entity_rows).to_dict()
    show(title, pd.DataFrame(response))


def push_fresh_row(store: FeatureStore) -> None:
    now = pd.Timestamp.now(tz="UTC").floor("s")
    fresh = pd.DataFrame(
        {
            "driver_id": pd.Series([1001], dtype="int64"),
            "event_timestamp": [now],
            "created": [now],
            "conv_rate": pd.Series([1.0], dtype="float32"),
            "acc_rate": pd.Series([1.0], dtype="float32"),
            "avg_daily_trips": pd.Series([1000], dtype="int64"),
        }
    )
    print("\n--- Pushing a fresh row for driver 1001 (online and offline) ---")
    store.push("driver_stats_push_source", fresh, to=PushMode.ONLINE_AND_OFFLINE)


def run_demo() -> None:
    feast("apply")
    store = FeatureStore(repo_path=REPO)
    training_rows(store)

    print("\n--- Materializing everything up to now into the online store ---")
    store.materialize_incremental(end_date=datetime.now(timezone.utc))
    online_features(store)
    online_features(store, "driver_activity_v1")

    push_fresh_row(store)
    online_features(store, "driver_activity_v3")

    store.close()
    feast("teardown")
    print("\nDone. Run `feast apply` again to bring the registry back, then `feast serve` or `feast ui`.")


if __name__ == "__main__":
    run_demo()
