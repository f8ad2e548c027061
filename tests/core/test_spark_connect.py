"""feast_core over Spark Connect: a real Spark Connect server on loopback (pyspark's own SparkConnectServer, a
JVM of its own) and a client process with no JVM, as a notebook talking to a cluster would be.

pyspark cannot mix a classic SparkContext and Spark Connect in one interpreter, so the client side runs as a
separate Python process: the ``feast`` command and a short script.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

H = timedelta(hours=1)
# recent rows: online reads check the 3 h ttl against the time of reading
T0 = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - 2 * H
TS = pa.timestamp("us", "UTC")

DEFINITIONS = '''
from datetime import timedelta

from feast_core import Entity, FeatureView, Field
from feast_core.infra.offline_stores.contrib.spark_offline_store.spark_source import SparkSource
from feast_core.types import Float64, Int64

driver = Entity(name="driver", join_keys=["driver_id"])
stats = SparkSource(name="stats", path="{path}", file_format="parquet", timestamp_field="event_timestamp",
                    created_timestamp_column="created")
driver_stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(hours=3), source=stats,
                           schema=[Field(name="trips", dtype=Int64), Field(name="rate", dtype=Float64)])
'''

CLIENT = '''
import json, sys
from datetime import datetime, timedelta, timezone
import pandas as pd
from feast_core import FeatureStore

T0 = datetime.fromisoformat(sys.argv[2])
H = timedelta(hours=1)
store = FeatureStore(repo_path=sys.argv[1])
entity = pd.DataFrame({"driver_id": [2, 1, 1, 9, 1], "event_timestamp": [T0 + 2 * H, T0 + 2 * H, T0 + 30 * H, T0, T0 - H]})
table = store.get_historical_features(entity_df=entity, features=["driver_stats:trips", "driver_stats:rate"]).to_arrow()
store.materialize(T0 - H, T0 + 10 * H, progress=False)
online = store.get_online_features(features=["driver_stats:trips"], entity_rows=[{"driver_id": k} for k in (1, 2, 9)])
from pyspark.core.context import SparkContext
engine = store._materialization_engine()
print(json.dumps({
    "trips": table["trips"].to_pylist(), "rate": table["rate"].to_pylist(),
    "online": online.to_dict()["trips"],
    "jvm_here": SparkContext._gateway is not None,
    "executors_here": engine.writes_from_executors,
    "describe": engine.reader.spark.describe(),
}))
'''


def run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "FEAST_FS_YAML_FILE_PATH")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def connect_repo(spark_connect_server, tmp_path) -> Path:
    data = tmp_path / "data" / "stats"
    data.mkdir(parents=True)
    pq.write_table(pa.table({
        "driver_id": pa.array([1, 1, 1, 2], pa.int64()),
        "event_timestamp": pa.array([T0, T0 + H, T0 + H, T0 + H], TS),
        "created": pa.array([T0, T0, T0 + 2 * H, T0], TS),
        "trips": pa.array([10, 11, 12, 20], pa.int64()),
        "rate": [1.0, 1.1, 1.2, 2.0],
    }), data / "part-0.parquet")
    (tmp_path / "definitions.py").write_text(DEFINITIONS.format(path=str(data)))
    (tmp_path / "feature_store.yaml").write_text(yaml.safe_dump({
        "project": "connect", "registry": "data/registry.db", "provider": "local",
        "online_store": {"type": "sqlite", "path": "data/online.db"},
        "offline_store": {"type": "spark", "spark_conf": {"spark.remote": spark_connect_server.url,
                                                          "spark.sql.shuffle.partitions": "2"}},
        "batch_engine": {"type": "spark.engine", "partitions": 2},
    }))
    return tmp_path


def test_a_repo_applies_joins_and_materializes_over_spark_connect(connect_repo):
    applied = run([sys.executable, "-m", "feast_core.cli", "apply"], connect_repo)
    assert applied.returncode == 0, applied.stderr
    client = run([sys.executable, "-c", CLIENT, str(connect_repo), T0.isoformat()], connect_repo)
    assert client.returncode == 0, client.stderr
    result = json.loads(client.stdout.strip().splitlines()[-1])
    # ties at T0+H go to the later created time (12); T0+30H is beyond the 3 h ttl; no key 9; before any row
    assert result["trips"] == [20, 12, None, None, None]
    assert result["rate"] == [2.0, 1.2, None, None, None]
    assert result["online"] == [12, 20, None]
    assert result["jvm_here"] is False  # the client started no JVM: the server did the work
    assert result["executors_here"] is True  # a local server on loopback: its executors write the SQLite file
    assert result["describe"].startswith("Spark Connect at sc://127.0.0.1:")


def test_an_unreachable_connect_server_is_named(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = textwrap.dedent(f'''
        from feast_core.config import SparkOfflineStoreConfig
        from feast_core.errors import StoreUnavailableError
        from feast_core.definitions import SparkSource
        from feast_core.offline.spark import SparkOfflineStore
        store = SparkOfflineStore(SparkOfflineStoreConfig(type="spark", spark_conf={{"spark.remote": "sc://127.0.0.1:{port}"}}), ".")
        try:
            store.source_schema(SparkSource(name="s", table="t", timestamp_field="ts"))
        except StoreUnavailableError as error:
            print("UNAVAILABLE", error)
    ''')
    result = run([sys.executable, "-c", script], tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("UNAVAILABLE"), result.stdout + result.stderr
    assert f"sc://127.0.0.1:{port}" in result.stdout
    assert "Traceback" not in result.stdout
