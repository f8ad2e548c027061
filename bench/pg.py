"""PostgreSQL for the benchmark: a throwaway server on loopback, the workload loaded into it, the SQL floor.

    python bench/pg.py start DIR     # prints "host port user password"; the data lives in DIR
    python bench/pg.py stop DIR

(Not the tests' fixture: bench stands alone.)
As root, initdb and pg_ctl refuse to run, so the server runs as the ``postgres`` user. Durability is off
(fsync, synchronous_commit, full_page_writes), as on the throwaway servers of the tests; memory settings are
those of a small dedicated box (the large table and its index fit in shared_buffers). Each size gets a database ``bench_<size>`` with the feature rows in table
``driver_stats`` (index on (driver_id, event_timestamp), as a DBA would give a feature table) and the
entity rows in ``entities``; it is loaded once and kept in DIR between runs.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

USER = "postgres"
SETTINGS = {
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "50",
    "shared_buffers": "2GB", "work_mem": "64MB", "maintenance_work_mem": "512MB", "max_wal_size": "4GB",
    "max_parallel_workers_per_gather": "2",
}


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if not initdb:
        raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    return Path(initdb).parent


def _as_owner(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(root: Path) -> dict:
    """initdb (once) and start; returns the connection settings (also kept in ROOT/server)."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    info = root / "server"
    if not (root / "data").exists():
        password = "bench-" + secrets.token_hex(6)
        (root / "pwfile").write_text(password + "\n")
        if os.geteuid() == 0:
            shutil.chown(root / "pwfile", "postgres", "postgres")
        subprocess.run(_as_owner(str(_bin() / "initdb"), "-D", str(root / "data"), "-A", "scram-sha-256", "-U", USER,
                                 f"--pwfile={root / 'pwfile'}", "--no-sync", "-E", "UTF8"), check=True, capture_output=True)
    password = (root / "pwfile").read_text().strip()
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} " + " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
    subprocess.run(_as_owner(str(_bin() / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w",
                             "-o", options, "start"), check=True, capture_output=True)
    settings = {"host": "127.0.0.1", "port": port, "user": USER, "password": password}
    info.write_text(" ".join(str(v) for v in settings.values()))
    return settings


def settings(root: Path) -> dict:
    host, port, user, password = (root / "server").read_text().split()
    return {"host": host, "port": int(port), "user": user, "password": password}


def stop(root: Path) -> None:
    root = root.resolve()
    subprocess.run(_as_owner(str(_bin() / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop"),
                   check=False, capture_output=True)


def connect(server: dict, database: str = "postgres", **kwargs):
    import psycopg

    return psycopg.connect(host=server["host"], port=server["port"], user=server["user"],
                           password=server["password"], dbname=database, options="-c TimeZone=UTC", **kwargs)


def load(server: dict, size_name: str, data: Path) -> str:
    """Create and fill ``bench_<size>`` from the workload's parquet files unless it is already loaded."""
    import psycopg
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from feast_core.pg.arrow import copy_in

    database = f"bench_{size_name}"
    expected = pq.ParquetFile(data / "features.parquet").metadata.num_rows
    try:
        with connect(server, database) as conn:
            if conn.execute("SELECT rows FROM loaded").fetchone()[0] == expected:
                return prewarm(server, database)
    except psycopg.Error:
        pass
    with connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database}")
        conn.execute(f"CREATE DATABASE {database}")
    with connect(server, database) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE driver_stats (driver_id int8, conv_rate float4, acc_rate float4, "
                    "avg_daily_trips int8, rating float8, event_timestamp timestamptz, created timestamptz)")
        cur.execute("CREATE TABLE entities (row_id int8, driver_id int8, event_timestamp timestamptz)")
        types = ["int8", "float4", "float4", "int8", "float8", "timestamptz", "timestamptz"]
        for batch in pq.ParquetFile(data / "features.parquet").iter_batches(1_000_000):
            table = pa.Table.from_batches([batch])
            copy_in(cur, "driver_stats", table.column_names, table, pg_types=types)
        entities = pq.read_table(data / "entities.parquet")
        entities = entities.add_column(0, "row_id", pa.array(range(entities.num_rows), pa.int64()))
        copy_in(cur, "entities", entities.column_names, entities, pg_types=["int8", "int8", "timestamptz"])
        cur.execute("CREATE INDEX ON driver_stats (driver_id, event_timestamp)")
        cur.execute("CREATE TABLE loaded AS SELECT count(*) AS rows FROM driver_stats")
    with connect(server, database, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return prewarm(server, database)


def prewarm(server: dict, database: str) -> str:
    """Read the feature table and its indexes into shared buffers (a freshly started server has none), so
    the floor and the measured store both run warm, whichever runs first."""
    import psycopg

    with connect(server, database, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            conn.execute("SELECT pg_prewarm(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')")
        except psycopg.Error as error:  # contrib not installed: runs start cold
            print(f"pg_prewarm unavailable ({error}); timings start with a cold buffer cache", file=sys.stderr)
    return database


# The floor: the same point-in-time join written by hand, bare like the DuckDB floor (the ttl check, no
# created-time tie-break), entity rows already in the server, rows fetched by psycopg in input order.
FLOOR_SQL = """
SELECT e.row_id, e.driver_id, e.event_timestamp, f.conv_rate, f.acc_rate, f.avg_daily_trips, f.rating
FROM entities e LEFT JOIN LATERAL (
    SELECT s.conv_rate, s.acc_rate, s.avg_daily_trips, s.rating FROM driver_stats s
    WHERE s.driver_id = e.driver_id AND s.event_timestamp <= e.event_timestamp
      AND s.event_timestamp >= e.event_timestamp - interval '2 days'
    ORDER BY s.event_timestamp DESC LIMIT 1) f ON true
ORDER BY e.row_id
"""


if __name__ == "__main__":
    action, where = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        print(" ".join(str(v) for v in start(where).values()))
    else:
        stop(where)
