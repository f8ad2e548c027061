"""The Python driver's memory for one historical retrieval on Spark, apart from the session and the input.

    python bench/spark_memory.py [--size medium|large] [--calls 2]

Runs feast_core_spark as bench/run.py sets it up (its repo, SparkSource, local Spark) in this process and
prints, in MB: the resident memory after the apply (imports, Python's side of the session), after reading
the entity_df, and per retrieval the peak over the memory before it (the peak is reset first through
/proc/self/clear_refs) while the result is made as Arrow, then while it becomes a pandas DataFrame (to_df),
beside the sizes of that Arrow table and DataFrame. The result grows with the entity rows (10x from medium
to large); the feature rows stay in Spark. The workload is written first if it is missing.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
import workload  # noqa: E402


def status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def reset_peak() -> None:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=workload.SIZES)
    parser.add_argument("--calls", type=int, default=2)
    args = parser.parse_args()
    import warnings

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    import pandas as pd

    size = workload.SIZES[args.size]
    data = run.WORK / size.name
    if not (data / "features.parquet").exists():
        data.mkdir(parents=True, exist_ok=True)
        workload.write_features(size, data / "features.parquet")
        workload.write_entities(size, data / "entities.parquet")
    store = run._store("feast_core_spark", size, apply=True)
    out = {"size": size.name, "after_apply_mb": round(status("VmRSS"))}
    entity_df = pd.read_parquet(data / "entities.parquet")
    run.warm_up_timezones()
    out["after_reading_entity_df_mb"] = round(status("VmRSS"))
    out["entity_df_mb"] = round(entity_df.memory_usage(deep=True).sum() / 2**20, 1)
    for call in range(args.calls):
        reset_peak()
        before = status("VmRSS")
        job = store.get_historical_features(entity_df=entity_df, features=workload.FEATURES)
        table = job.to_arrow()
        arrow_peak = status("VmHWM") - before
        reset_peak()
        holding = status("VmRSS")
        df = job.to_df()
        out[f"retrieval_{call}"] = {
            "rss_before_mb": round(before), "peak_over_before_making_arrow_mb": round(arrow_peak),
            "arrow_result_mb": round(table.nbytes / 2**20, 1), "peak_over_that_in_to_df_mb": round(status("VmHWM") - holding),
            "dataframe_mb": round(df.memory_usage(deep=True).sum() / 2**20, 1), "digest": run.digest(df),
        }
        del job, table, df
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
