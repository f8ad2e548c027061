"""The floor of local Spark for the historical benchmark's job, in a warm session (no feast_core involved).

    python bench/spark_floor.py [--size medium] [--rounds 5] [--ui] [--note TEXT] [--out bench/spark_floor_results]

The Spark settings are bench/run.py's (local[2], session time zone UTC, Arrow on; ConvertToLocalRelation
excluded, as feast_core's session does). Each step runs once to
warm the JVM, then ``--rounds`` times; the minimum and median wall-clock seconds and the median CPU seconds
(this process and the Spark JVM, user + system: steadier than the wall clock on a shared machine) are
printed and appended to ``<out>.json`` / ``<out>.md`` with the load average before and after:

- ``empty job``: ``spark.range(1).collect()``, what any action costs at least;
- ``scan+count``: read the feature parquet (1M rows at medium) and count;
- ``collect 100k``: read it and collect as many rows as the entity frame has (row id + 4 features) to
  pandas through Arrow (``toPandas``) and to Arrow (``toArrow``);
- ``entity frame``: ``createDataFrame`` of the entity rows (row id, key, timestamp) from an Arrow table, and
  from pandas, each followed by a count (the rows must reach the JVM);
- ``broadcast join + agg``: the feature rows joined with the broadcast entity rows on the key, kept when
  T - ttl <= event time <= T, one aggregate per entity row: ``max`` of the event time (a fixed-width buffer:
  hash aggregation) and ``max_by`` of a struct (what a point-in-time join needs: the features of the latest
  row), counted, and the latter collected through Arrow; and the same join on (key, time bucket of width
  ttl), each entity row in its bucket and the one before, which meets fewer feature rows per entity row.

With ``--ui`` the Spark UI stays on (localhost:4040) and each step's stage times come from its REST API.
The DuckDB engine's figure to compare with is bench/results.md's feast_core historical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402
from run import SPARK_CONF, machine, record  # noqa: E402


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its Java children (local Spark's JVM): on a shared machine
    a steadier measure of the work than the wall clock."""
    ticks = os.sysconf("SC_CLK_TCK")
    me = str(os.getpid())
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = stat.parent.name
        if pid == me or fields[1] == me:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def timed(label: str, action, rounds: int, results: dict) -> None:
    action()  # warm: classes loaded, code generated
    times, cpu = [], []
    for _ in range(rounds):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        action()
        times.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - cpu_started)
    results[label] = {"min": min(times), "median": statistics.median(times), "cpu_median": statistics.median(cpu)}
    print(f"{label:<48} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s   "
          f"CPU (driver + JVM) median {statistics.median(cpu):6.3f} s", flush=True)


def stage_times(app_url: str) -> list[dict]:
    with urllib.request.urlopen(f"{app_url}/stages?status=complete") as response:
        stages = json.load(response)
    return [{"id": s["stageId"], "name": s["name"][:60], "tasks": s["numTasks"],
             "ms": s.get("executorRunTime"), "shuffle_write": s.get("shuffleWriteBytes"),
             "input_rows": s.get("inputRecords")} for s in stages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=workload.SIZES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ui", action="store_true", help="keep the Spark UI on and print stage times")
    parser.add_argument("--note", default="", help="recorded with the figures (e.g. what else ran)")
    parser.add_argument("--out", default=str(HERE / "spark_floor_results"))
    args = parser.parse_args()
    load_before = os.getloadavg()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    import warnings

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    data = HERE / "work" / args.size
    features, entities_path = data / "features.parquet", data / "entities.parquet"
    if not features.exists():
        raise SystemExit(f"{features} is missing: run bench/run.py --sizes {args.size} once to write the workload")
    conf = {**SPARK_CONF, "spark.sql.execution.arrow.pyspark.enabled": "true",
            # as in feast_core's session (spark/session.py): local rows are not projected on the driver
            "spark.sql.optimizer.excludedRules": "org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation",
            "spark.ui.enabled": "true" if args.ui else "false", "spark.ui.showConsoleProgress": "false"}
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    started = time.perf_counter()
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    print(f"session start {time.perf_counter() - started:.2f} s; "
          f"Spark {spark.version}, {spark.sparkContext.master}, load {os.getloadavg()[0]:.2f}", flush=True)
    results: dict = {}
    try:
        entity_rows = pq.read_table(entities_path)
        n = entity_rows.num_rows
        upload = pa.table({"row_id": pa.array(np.arange(n, dtype=np.int64)), "ts": entity_rows["event_timestamp"],
                           "key": entity_rows["driver_id"]})
        upload_pandas = upload.to_pandas()
        ttl_us = int(workload.TTL.total_seconds() * 1_000_000)

        timed("empty job", lambda: spark.range(1).collect(), args.rounds, results)
        timed("scan+count", lambda: spark.read.parquet(str(features)).count(), args.rounds, results)

        def collect():
            return (spark.read.parquet(str(features)).limit(n)
                    .select(F.monotonically_increasing_id().alias("row_id"), "conv_rate", "acc_rate",
                            "avg_daily_trips", "rating"))

        timed(f"collect {n:,} rows toPandas (Arrow)", lambda: collect().toPandas(), args.rounds, results)
        timed(f"collect {n:,} rows toArrow", lambda: collect().toArrow(), args.rounds, results)
        timed(f"createDataFrame({n:,} rows, Arrow)+count", lambda: spark.createDataFrame(upload).count(),
              args.rounds, results)
        timed(f"createDataFrame({n:,} rows, pandas)+count", lambda: spark.createDataFrame(upload_pandas).count(),
              args.rounds, results)

        def joined():
            rows = spark.read.parquet(str(features))
            side = spark.createDataFrame(upload)
            condition = ((F.col("key") == F.col("driver_id")) & (F.col("event_timestamp") <= F.col("ts"))
                         & (F.unix_micros("event_timestamp") >= F.unix_micros("ts") - F.lit(ttl_us)))
            return rows.join(F.broadcast(side), condition, "inner")

        timed("broadcast join + max(ts) agg, count",
              lambda: joined().groupBy("row_id").agg(F.max("event_timestamp")).count(), args.rounds, results)

        def latest():
            return joined().groupBy("row_id").agg(F.max_by(
                F.struct("conv_rate", "acc_rate", "avg_daily_trips", "rating"),
                F.struct("event_timestamp", "created")).alias("m")).select("row_id", "m.*")

        timed("broadcast join + max_by(struct) agg, count", lambda: latest().count(), args.rounds, results)
        timed("broadcast join + max_by(struct) agg, toArrow", lambda: latest().toArrow(), args.rounds, results)

        def binned():  # the key and a time bucket of width ttl: each feature row meets the entity rows of 2 buckets
            bucket = f"(unix_micros({{0}}) - pmod(unix_micros({{0}}), {ttl_us})) div {ttl_us}"
            rows = spark.read.parquet(str(features)).withColumn("bucket", F.expr(bucket.format("event_timestamp")))
            side = spark.createDataFrame(upload).withColumn("b", F.expr(bucket.format("ts"))).select(
                "row_id", "ts", "key", F.explode(F.array(F.col("b"), F.col("b") - 1)).alias("entity_bucket"))
            condition = ((F.col("key") == F.col("driver_id")) & (F.col("bucket") == F.col("entity_bucket"))
                         & (F.col("event_timestamp") <= F.col("ts"))
                         & (F.unix_micros("event_timestamp") >= F.unix_micros("ts") - F.lit(ttl_us)))
            return rows.join(F.broadcast(side), condition, "inner").groupBy("row_id").agg(F.max_by(
                F.struct("conv_rate", "acc_rate", "avg_daily_trips", "rating"),
                F.struct("event_timestamp", "created")).alias("m")).select("row_id", "m.*")

        timed("broadcast join on (key, ttl bucket) + max_by agg, toArrow", lambda: binned().toArrow(), args.rounds,
              results)
        if args.ui:
            app = spark.sparkContext.uiWebUrl.rstrip("/")
            app_id = spark.sparkContext.applicationId
            for stage in stage_times(f"{app}/api/v1/applications/{app_id}")[:12]:
                print(stage)
            print("plan of the max_by join:")
            latest().explain("formatted")
    finally:
        spark.stop()
    record(Path(args.out), {"started": started_at, "machine": machine(), "note": args.note, "size": args.size,
                            "rounds": args.rounds, "spark": conf, "load_before": load_before,
                            "load_after": os.getloadavg(), "steps": results}, render)


def render(runs: list[dict]) -> str:
    lines = ["# The floor of local Spark for the historical benchmark's job", "",
             "Produced by `python bench/spark_floor.py` (see its docstring): each step in a warm session, Spark "
             "settings as bench/run.py's; wall-clock seconds (min, median of the rounds) and the median CPU "
             "seconds of the Python driver and the Spark JVM together.", ""]
    for run in runs:
        m = run["machine"]
        lines += [f"## Run of {run['started']}", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores; size {run['size']}, {run['rounds']} rounds; load average "
                  f"{run['load_before'][0]:.1f} before, {run['load_after'][0]:.1f} after."
                  + (f" Note: {run['note']}." if run.get("note") else ""), "",
                  "| step | wall min s | wall median s | CPU median s |", "|---|---|---|---|"]
        for step, value in run["steps"].items():
            lines.append(f"| {step} | {value['min']:.3f} | {value['median']:.3f} | {value['cpu_median']:.2f} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
