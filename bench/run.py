"""Benchmark harness: historical retrieval, materialization and online reads on one workload.

    python bench/run.py --sizes small,medium,large [--impls feast_core,feast,feast_core_pg] [--out bench/results]
    python bench/run.py --sizes medium,large --impls feast_core,feast_core_spark,feast_spark \
        --feast-python .venv-feast-spark/bin/python --out bench/spark_results

Each measurement runs in its own process so its peak memory is its own. feast_core is always
measured; Feast too when it is importable (``pip install feast``), so ratios come from one run.
The DuckDB floor is a hand-written ASOF join of the same files. ``feast_core_pg`` runs feast_core
with its PostgreSQL offline and online stores on a throwaway server (bench/pg.py, data kept in
bench/work/pg); its floor is the same join hand-written in PostgreSQL SQL, timed the same way. ``feast_core_spark``
runs feast_core with its Spark offline store (a SparkSource over the same parquet file, local Spark) and the
``spark.engine`` batch engine; ``feast_spark`` runs Feast's own Spark offline store and engine on the same
settings (``--feast-python``: a venv with ``feast[spark]``, made with
``.venv/bin/uv venv -p .venv/bin/python .venv-feast-spark && VIRTUAL_ENV=.venv-feast-spark .venv/bin/uv pip install
'feast[spark]==0.67.0'``; it brings its own pyspark 4.3). For those two, ``seconds_warm`` is a
second retrieval in the same process, ``seconds_apply`` the apply before the first (the Spark session starts
in it) and ``jvm_peak_mb`` the Spark JVM's peak memory (``peak_rss_mb`` is the Python driver's alone).
Results go to ``<out>.json`` (appended per run) and ``<out>.md`` (a table), with the machine noted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pg  # noqa: E402
import workload  # noqa: E402

WORK = HERE / "work"
PG_DATA = WORK / "pg"
PG_ONLINE_SCHEMA = "feast_online"
SPARK_IMPLS = ("feast_core_spark", "feast_spark")
# local Spark on this machine: both cores, memory enough for the large workload's shuffle
SPARK_CONF = {
    "spark.master": "local[2]", "spark.driver.memory": "6g", "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false", "spark.sql.session.timeZone": "UTC",
}
SPARK_DEFINITIONS = '''
from datetime import timedelta

from {package} import Entity, FeatureView, Field
from {package}.infra.offline_stores.contrib.spark_offline_store.spark_source import SparkSource
from {package}.types import Float32, Float64, Int64

driver = Entity(name="driver", join_keys=["driver_id"])
source = SparkSource(name="driver_stats", path="{path}", file_format="parquet", timestamp_field="event_timestamp",
                     created_timestamp_column="created")
driver_stats = FeatureView(
    name="driver_stats", entities=[driver], ttl=timedelta(days=2), source=source,
    schema=[Field(name="conv_rate", dtype=Float32), Field(name="acc_rate", dtype=Float32),
            Field(name="avg_daily_trips", dtype=Int64), Field(name="rating", dtype=Float64)],
)
'''


# ---- tasks, each run in a child process --------------------------------------------------


def _repo(impl: str, size: workload.Size) -> Path:
    data = WORK / size.name
    repo = data / impl
    repo.mkdir(parents=True, exist_ok=True)
    if impl == "feast_core_pg":
        server = pg.settings(PG_DATA)
        block = "".join(f"  {k}: {v}\n" for k, v in {**server, "database": f"bench_{size.name}"}.items())
        stores = (f"online_store:\n  type: postgres\n{block}  db_schema: {PG_ONLINE_SCHEMA}\n"
                  f"offline_store:\n  type: postgres\n{block}")
        definitions = workload.REPO_DEFINITIONS.replace("FileSource", "PostgreSQLSource").replace(
            'path="{path}"', 'table="driver_stats"').format(package="feast_core")
    elif impl in SPARK_IMPLS:
        conf = "".join(f"    {k}: \"{v}\"\n" for k, v in SPARK_CONF.items())
        stores = (f"online_store:\n  type: sqlite\n  path: data/online.db\noffline_store:\n  type: spark\n"
                  f"  spark_conf:\n{conf}batch_engine:\n  type: spark.engine\n  partitions: 2\n")
        definitions = SPARK_DEFINITIONS.format(
            package="feast_core" if impl == "feast_core_spark" else "feast", path=str(data / "features.parquet"))
    else:
        stores = "online_store:\n  type: sqlite\n  path: data/online.db\noffline_store:\n  type: file\n"
        definitions = workload.REPO_DEFINITIONS.format(
            package="feast_core" if impl == "feast_core" else "feast", path=str(data / "features.parquet"))
    (repo / "feature_store.yaml").write_text(
        f"project: bench\nprovider: local\nregistry: data/registry.db\n{stores}entity_key_serialization_version: 3\n"
    )
    (repo / "definitions.py").write_text(definitions)
    return repo


def _store(impl: str, size: workload.Size, apply: bool = False):
    repo = _repo(impl, size)
    os.chdir(repo)
    sys.path.insert(0, str(repo))
    if impl in SPARK_IMPLS:  # local Spark's Python workers run this interpreter (Feast's engine imports feast in them)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    module = importlib.import_module({"feast_core_pg": "feast_core", "feast_core_spark": "feast_core",
                                      "feast_spark": "feast"}.get(impl, impl))
    store = module.FeatureStore(repo_path=str(repo))
    if apply:
        import definitions

        store.apply([definitions.driver, definitions.source, definitions.driver_stats])
    return store


def warm_up_timezones() -> None:
    """pandas loads its time-zone data on first use (about a second); keep that out of every timing."""
    import pyarrow as pa

    for zone in ("UTC", "Etc/UTC"):
        pa.table({"t": pa.array([0], pa.timestamp("us", tz=zone))}).to_pandas()


def task_historical(impl: str, size: workload.Size) -> dict:
    import pandas as pd

    opened = time.perf_counter()
    store = _store(impl, size, apply=True)
    applied = time.perf_counter() - opened  # Spark: the apply reads the source, so the session starts in it
    entity_df = pd.read_parquet(WORK / size.name / "entities.parquet")
    warm_up_timezones()
    started = time.perf_counter()
    df = store.get_historical_features(entity_df=entity_df, features=workload.FEATURES).to_df()
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "rows": len(df), "digest": digest(df), **matched_answers(df)}
    if impl in SPARK_IMPLS:  # a second retrieval: the JVM warm, as in a notebook's second call
        del df
        started = time.perf_counter()
        again = store.get_historical_features(entity_df=entity_df, features=workload.FEATURES).to_df()
        result["seconds_warm"] = time.perf_counter() - started
        result["seconds_apply"] = applied
        result["warm_digest_equal"] = digest(again) == result["digest"]
        result["jvm_peak_mb"] = jvm_peak_mb()
    return result


def digest(df) -> str:
    """A digest of the join's answer that does not depend on column order, dtypes or timestamp units: every
    entity row's key, timestamp (µs) and features, in input order."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    h.update(df["driver_id"].to_numpy(dtype=np.int64).tobytes())
    stamps = df["event_timestamp"]
    if stamps.dt.tz is None:  # Feast's Spark store returns naive timestamps in the session's time zone, UTC
        stamps = stamps.dt.tz_localize("UTC")
    h.update(stamps.dt.tz_convert("UTC").astype("datetime64[us, UTC]").astype("int64").to_numpy().tobytes())
    for name in ("conv_rate", "acc_rate", "avg_daily_trips", "rating"):
        values = df[name].astype("float64").to_numpy()
        h.update(np.where(np.isnan(values), -1.0, values).round(6).tobytes())
    return h.hexdigest()[:16]


FEATURE_COLUMNS = ("conv_rate", "acc_rate", "avg_daily_trips", "rating")


def matched_answers(df) -> dict:
    """The rows that matched a feature row (any feature value found) and a digest of them sorted by (driver_id,
    event_timestamp, values): what Feast's answer must equal. Feast 0.67 leaves out entity rows without a match
    (feast_core keeps them, with nulls, as the input-order digest shows), so only the matched rows compare."""
    import hashlib

    import numpy as np

    found = df[list(FEATURE_COLUMNS)].notna().any(axis=1).to_numpy()
    keys = df["driver_id"].to_numpy(dtype=np.int64)[found]
    stamps = df["event_timestamp"]
    if stamps.dt.tz is None:  # Feast's Spark store returns naive timestamps in its session's time zone, UTC
        stamps = stamps.dt.tz_localize("UTC")
    stamps = stamps.dt.tz_convert("UTC").astype("datetime64[us, UTC]").astype("int64").to_numpy()[found]
    values = []
    for name in FEATURE_COLUMNS:
        column = df[name].astype("float64").to_numpy()[found]
        values.append(np.where(np.isnan(column), -1.0, column).round(6))
    order = np.lexsort([*reversed(values), stamps, keys])  # the last key sorts first
    h = hashlib.sha256()
    for column in (keys, stamps, *values):
        h.update(np.ascontiguousarray(column[order]).tobytes())
    return {"matched": int(found.sum()), "matched_digest": h.hexdigest()[:16]}


def jvm_peak_mb() -> float | None:
    """The peak resident memory of this process's Java children (a local Spark's JVM), if any."""
    peak = 0.0
    me = str(os.getpid())
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == me and fields.get("Name", "").strip() == "java":
            peak = max(peak, int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
    return peak or None


def task_materialize(impl: str, size: workload.Size) -> dict:
    store = _store(impl, size, apply=True)
    if impl == "feast_core_pg":
        with pg.connect(pg.settings(PG_DATA), f"bench_{size.name}", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_ONLINE_SCHEMA} CASCADE")
    else:
        online = _repo(impl, size) / "data" / "online.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(online) + suffix).unlink(missing_ok=True)
    store = _store(impl, size, apply=True)  # recreate the online tables
    started = time.perf_counter()
    store.materialize(workload.START, workload.END, **({"progress": False} if impl.startswith("feast_core") else {}))
    result = {"seconds": time.perf_counter() - started}
    if impl in SPARK_IMPLS:
        result["jvm_peak_mb"] = jvm_peak_mb()
    # what was materialized, outside the timing: the online task's requests, compared with Feast's in the same run
    result["answers"] = workload.answers(
        store.get_online_features(features=workload.FEATURES, entity_rows=rows).to_dict() for rows in online_requests(size)
    )
    return result


def online_requests(size: workload.Size) -> list[list[dict]]:
    """The entity rows of every online request the benchmark makes: 50 of 1 key and 50 of 100 keys."""
    return [[{"driver_id": k} for k in workload.online_keys(size, count, seed)]
            for count in (1, 100) for seed in range(50)]


def task_online(impl: str, size: workload.Size) -> dict:
    store = _store(impl, size)
    results = {}
    requests = online_requests(size)
    for count, iterations in ((1, 3000), (100, 1000)):
        batch = [rows for rows in requests if len(rows) == count]
        for rows in batch:  # warm up: plans, connections, page cache
            store.get_online_features(features=workload.FEATURES, entity_rows=rows)
        samples = []
        for i in range(iterations):
            rows = batch[i % len(batch)]
            started = time.perf_counter_ns()
            store.get_online_features(features=workload.FEATURES, entity_rows=rows).to_dict()
            samples.append((time.perf_counter_ns() - started) / 1e6)
        samples.sort()
        results[f"keys_{count}"] = {
            "p50_ms": statistics.median(samples), "p99_ms": samples[int(len(samples) * 0.99) - 1],
            "iterations": iterations,
        }
    # the answers, outside the timings: compared with Feast's in the same run (see measure)
    results["answers"] = workload.answers(
        store.get_online_features(features=workload.FEATURES, entity_rows=rows).to_dict() for rows in requests
    )
    return results


def task_duckdb_floor(impl: str, size: workload.Size) -> dict:
    """The floor: one ASOF join with the ttl check, in input order, without the created-timestamp tie-break."""
    import duckdb

    data = WORK / size.name
    # no extension autoloading: this machine may have no network, and timestamps are UTC already
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    sql = f"""
        WITH entities AS (
            SELECT *, row_number() OVER () AS row_id FROM read_parquet('{data / "entities.parquet"}')),
        features AS (
            SELECT driver_id, event_timestamp AS feature_ts, conv_rate, acc_rate, avg_daily_trips, rating
            FROM read_parquet('{data / "features.parquet"}'))
        SELECT e.driver_id, e.event_timestamp,
               CASE WHEN f.feature_ts >= e.event_timestamp - INTERVAL 2 DAY THEN f.conv_rate END AS conv_rate,
               CASE WHEN f.feature_ts >= e.event_timestamp - INTERVAL 2 DAY THEN f.acc_rate END AS acc_rate,
               CASE WHEN f.feature_ts >= e.event_timestamp - INTERVAL 2 DAY THEN f.avg_daily_trips END AS avg_daily_trips,
               CASE WHEN f.feature_ts >= e.event_timestamp - INTERVAL 2 DAY THEN f.rating END AS rating
        FROM entities e ASOF LEFT JOIN features f
          ON e.driver_id = f.driver_id AND e.event_timestamp >= f.feature_ts
        ORDER BY e.row_id
    """
    warm_up_timezones()
    started = time.perf_counter()
    df = con.sql(sql).to_arrow_table().to_pandas()
    return {"seconds": time.perf_counter() - started, "rows": len(df)}


def task_pg_floor(impl: str, size: workload.Size) -> dict:
    """The PostgreSQL floor: the same join hand-written in SQL over the loaded tables (bench/pg.py)."""
    with pg.connect(pg.settings(PG_DATA), f"bench_{size.name}") as conn:
        started = time.perf_counter()
        rows = conn.execute(pg.FLOOR_SQL).fetchall()
        return {"seconds": time.perf_counter() - started, "rows": len(rows)}


def task_pg_load(impl: str, size: workload.Size) -> dict:
    """Load the workload into PostgreSQL (in a child, so the parent's peak memory stays small)."""
    started = time.perf_counter()
    pg.load(pg.settings(PG_DATA), size.name, WORK / size.name)
    return {"seconds": time.perf_counter() - started}


TASKS = {
    "historical": task_historical,
    "pg_load": task_pg_load,
    "pg_floor": task_pg_floor,
    "materialize": task_materialize,
    "online": task_online,
    "duckdb_floor": task_duckdb_floor,
}


def child_main(task: str, impl: str, size_name: str) -> None:
    result = TASKS[task](impl, workload.SIZES[size_name])
    result["peak_rss_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(result))


# ---- the parent ---------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM starts afresh at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PYTHONS: dict[str, str] = {}  # impl -> interpreter, when it is not this one (--feast-python)


def run_child(task: str, impl: str, size: str, timeout: float) -> dict:
    command = [PYTHONS.get(impl, sys.executable), __file__, "--child", task, impl, size]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return {"error": " | ".join(tail) or f"exit code {done.returncode}"}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb
    import pyarrow

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory, 1), "python": platform.python_version(),
        "os": platform.platform(), "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__,
    }


def prepare(size: workload.Size) -> None:
    """Generate the size's files, again when the workload's END (the start of the day) moved on."""
    data = WORK / size.name
    data.mkdir(parents=True, exist_ok=True)
    stamp = data / "END"
    if not (data / "features.parquet").exists() or not stamp.exists() or stamp.read_text() != workload.END.isoformat():
        print(f"generating {size.name}: {size.rows:,} feature rows, {size.entity_rows:,} entity rows", flush=True)
        workload.write_features(size, data / "features.parquet")
        workload.write_entities(size, data / "entities.parquet")
        stamp.write_text(workload.END.isoformat())


def render(runs: list[dict]) -> str:
    lines = ["# Benchmark results", "", "Produced by `python bench/run.py`; every figure is from a run recorded in "
             "results.json. Times in seconds unless marked; memory is the measuring process's peak RSS. "
             "'rows out' is the historical result's row count: the entity dataframe has 10,000 / 100,000 / "
             "1,000,000 rows (small / medium / large), and a correct join returns exactly that many. 'hist. matched, digest': "
             "the rows that found a feature row and a digest of them sorted by (driver_id, event_timestamp); Feast 0.67 "
             "returns only those rows, and 'hist. answers' compares them with Feast's in the same run.", ""]
    for run in runs:
        m = run["machine"]
        lines += [f"## Run of {run['started']}", "",
                  *([f"Workload END (online reads ask for values within the 2-day ttl of it): {run['workload_end']}.", ""]
                    if "workload_end" in run else []),
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
                  f"DuckDB {m['duckdb']}; pyarrow {m['pyarrow']}."
                  + (f" PostgreSQL {m['postgresql']}." if "postgresql" in m else "")
                  + (f" Note: {run['note']}." if run.get("note") else ""), "",
                  "| size | impl | historical s | rows out | hist. matched, digest | hist. answers | hist. peak MB | floor s (DuckDB; PostgreSQL SQL for _pg) | materialize s | mat. peak MB "
                  "| online 1 key p50/p99 ms | online 100 keys p50/p99 ms | online values found / asked, digest | answers |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in run["rows"]:
            def cell(task, key="seconds", fmt="{:.2f}", row=row):
                value = row.get(task, {})
                if "error" in value:
                    return "error: " + value["error"][:60]
                text = fmt.format(value[key]) if key in value else "–"
                if key == "seconds" and "seconds_warm" in value:  # Spark: the first retrieval, then a warm one
                    text += f" (warm {value['seconds_warm']:.2f}"
                    if "seconds_apply" in value:  # the apply before it, in which the session starts
                        text += f"; with apply and session start {value['seconds_apply'] + value['seconds']:.2f}"
                    text += ")"
                if key == "peak_rss_mb" and value.get("jvm_peak_mb"):  # Spark: the JVM beside the Python driver
                    text += f" (+JVM {value['jvm_peak_mb']:.0f})"
                return text

            historical = row.get("historical", {})
            hcheck = historical.get("check", "–")
            matched = (f"{historical['matched']:,}, {historical['matched_digest']}"
                       if "matched_digest" in historical else "–")
            online = row.get("online", {})
            found, check = "–", online.get("check", "–")
            if "error" in online:
                o1 = o100 = "error"
            elif online:
                o1 = f"{online['keys_1']['p50_ms']:.3f} / {online['keys_1']['p99_ms']:.3f}"
                o100 = f"{online['keys_100']['p50_ms']:.3f} / {online['keys_100']['p99_ms']:.3f}"
                answers = online.get("answers")
                if answers:
                    found = f"{answers['values_found']:,} / {answers['values_asked']:,}, {answers['digest']}"
                if check.startswith("DIFFERENT"):
                    o1 = o100 = "not a result"
            else:
                o1 = o100 = "–"
                materialized = row.get("materialize", {})  # a run without the online task: what materialize wrote
                if materialized.get("answers"):
                    answers = materialized["answers"]
                    found = f"{answers['values_found']:,} / {answers['values_asked']:,}, {answers['digest']} (after materialize)"
                    check = materialized.get("check", "–")
            lines.append(
                f"| {row['size']} | {row['impl']} | {'not a result' if hcheck.startswith('DIFFERENT') else cell('historical')} "
                f"| {cell('historical', 'rows', '{:,}')} | {matched} | {hcheck} "
                f"| {cell('historical', 'peak_rss_mb', '{:.0f}')} "
                f"| {cell('pg_floor' if 'pg_floor' in row else 'duckdb_floor')} "
                f"| {'not a result' if row.get('materialize', {}).get('check', '').startswith('DIFFERENT') else cell('materialize')} | {cell('materialize', 'peak_rss_mb', '{:.0f}')} "
                f"| {o1} | {o100} | {found} | {check} |"
            )
        lines.append("")
    return "\n".join(lines)


def record(out: Path, entry: dict, render_runs) -> None:
    """Append one run to ``<out>.json``, re-render ``<out>.md`` from all runs, print this run's table."""
    out.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(out.with_suffix(".json").read_text()) if out.with_suffix(".json").exists() else []
    history.append(entry)
    out.with_suffix(".json").write_text(json.dumps(history, indent=1) + "\n")
    out.with_suffix(".md").write_text(render_runs(history) + "\n")
    print(render_runs([entry]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,medium")
    parser.add_argument("--impls", default="feast_core,feast")
    parser.add_argument("--tasks", default="historical,duckdb_floor,materialize,online")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--feast-python", help="a Python with Feast installed (its own venv), to measure Feast too")
    parser.add_argument("--note", help="recorded with the run (e.g. the machine's load: `uptime`)")
    parser.add_argument("--child", nargs=3, metavar=("TASK", "IMPL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return
    if args.feast_python:
        PYTHONS["feast"] = PYTHONS["feast_spark"] = args.feast_python
    os.environ[workload.END_ENV] = workload.END.date().isoformat()  # every child process uses the same END
    impls = [
        i for i in args.impls.split(",")
        if i in ("feast_core_pg", "feast_core_spark") or i in PYTHONS or importlib.util.find_spec(i) is not None
    ]
    skipped = sorted(set(args.impls.split(",")) - set(impls))
    if skipped:
        print(f"not installed, skipped: {', '.join(skipped)}")
    run = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(), "rows": [],
           "workload_end": workload.END.isoformat(), **({"note": args.note} if args.note else {})}
    tasks = args.tasks.split(",")
    if "feast_core_pg" in impls:
        server = pg.start(PG_DATA)
        with pg.connect(server) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
        run["machine"]["postgresql"] = f"{version} ({', '.join(f'{k}={v}' for k, v in pg.SETTINGS.items())})"
    try:
        measure(run, args, impls, tasks)
    finally:
        if "feast_core_pg" in impls:
            pg.stop(PG_DATA)
    record(Path(args.out), run, render)


def measure(run: dict, args, impls: list[str], tasks: list[str]) -> None:
    for size_name in args.sizes.split(","):
        size = workload.SIZES[size_name]
        prepare(size)
        floor = run_child("duckdb_floor", "duckdb", size_name, args.timeout) if "duckdb_floor" in tasks else None
        for impl in impls:
            row = {"size": size_name, "impl": impl}
            if floor is not None:
                row["duckdb_floor"] = floor
            if impl == "feast_core_pg":
                loaded = run_child("pg_load", impl, size_name, args.timeout)
                if "error" in loaded:
                    raise SystemExit(f"loading {size_name} into PostgreSQL failed: {loaded['error']}")
                print(size_name, impl, "pg_load", json.dumps(loaded), flush=True)
                if "pg_floor" in tasks or "duckdb_floor" in tasks:
                    row["pg_floor"] = run_child("pg_floor", impl, size_name, args.timeout)
                    print(size_name, impl, "pg_floor", json.dumps(row["pg_floor"]), flush=True)
            for task in ("historical", "materialize", "online"):
                if task in tasks:
                    row[task] = run_child(task, impl, size_name, args.timeout)
                    print(size_name, impl, task, json.dumps(row[task]), flush=True)
            run["rows"].append(row)
        check_answers([r for r in run["rows"] if r["size"] == size_name])


def historical_check(ours: dict, feast: dict | None) -> str:
    """How an implementation's historical answer compares with Feast's in the same run: the matched rows, sorted."""
    if "matched_digest" not in ours:
        return "no answers"
    if not feast or "matched_digest" not in feast:
        return "unchecked (Feast not run)"
    if ours["matched_digest"] == feast["matched_digest"] and ours["matched"] == feast["matched"]:
        return "same as Feast"
    return "DIFFERENT from Feast: not a result"


def check_answers(rows: list[dict]) -> None:
    """Mark each implementation's historical and online answers as the same as Feast's on the same data, or not a
    result."""
    feast_historical = next((r.get("historical") for r in rows if r["impl"] in ("feast", "feast_spark")), None)
    for row in rows:
        historical = row.get("historical")
        if historical and "error" not in historical:
            historical["check"] = ("Feast itself" if row["impl"] in ("feast", "feast_spark")
                                   else historical_check(historical, feast_historical))
            if historical["check"].startswith("DIFFERENT"):
                print(f"{row['size']} {row['impl']}: historical answers differ from Feast's: "
                      f"{historical.get('matched')} matched, {historical.get('matched_digest')} vs "
                      f"{(feast_historical or {}).get('matched')}, {(feast_historical or {}).get('matched_digest')}",
                      flush=True)
    for task in ("online", "materialize"):  # materialize: the online answers right after it
        feast = next((r.get(task, {}).get("answers") for r in rows if r["impl"] == "feast"), None)
        for row in rows:
            result = row.get(task)
            if result and "error" not in result and "answers" in result:
                result["check"] = "Feast itself" if row["impl"] == "feast" else workload.answer_check(result["answers"], feast)
                if result["check"].startswith("DIFFERENT"):
                    print(f"{row['size']} {row['impl']}: {task} answers differ from Feast's: {result['answers']} vs {feast}",
                          flush=True)


if __name__ == "__main__":
    main()
