"""Historical retrieval through ``feast serve_offline`` beside the local call, same data, same run.

    python bench/offline_server.py [--size medium] [--rounds 5] [--feast-python .venv-upstream/bin/python]

On the workload of bench/workload.py it applies the repo (file offline store), starts ``feast serve_offline`` on a
loopback port, and in one client process alternates ``get_historical_features(entity_df, FEATURES).to_df()``
locally and through the server (``offline_store: type: remote``, the same registry), after one warm-up call of
each. Each answer is checked: the row count equals the entity rows, the matched count is reported, and the remote
answer must equal the local one (the same digest of its rows, sorted by key and time). With ``--feast-python``,
upstream Feast is measured the same way (its local call, and its remote client against its own
``feast serve_offline``); its answers are reported, not required to agree (its file store drops entity rows
without a match, and its remote answer differs from its local one).
The target (issue 12) is remote <= 1.5 x local. Results are appended to ``offline_server_results.json`` and
rendered to ``offline_server_results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the workload's repos, the machine description, recording)
import workload  # noqa: E402

APPLY = """
import sys
sys.path.insert(0, ".")
import definitions
from {package} import FeatureStore
FeatureStore(repo_path=".").apply([definitions.driver, definitions.source, definitions.driver_stats])
"""

# run in the client process of one implementation: alternate local and remote, print the timings as JSON
MEASURE = """
import hashlib, json, statistics, sys, time
import pandas as pd
from {package} import FeatureStore
local = FeatureStore(repo_path=sys.argv[1])
remote = FeatureStore(repo_path=sys.argv[2])
entity_df = pd.read_parquet(sys.argv[3])
features = json.loads(sys.argv[4])
rounds = int(sys.argv[5])

def digest(frame):
    ordered = frame.sort_values(["driver_id", "event_timestamp"], kind="stable").reset_index(drop=True)
    ordered = ordered[sorted(ordered.columns)]
    return hashlib.sha256(pd.util.hash_pandas_object(ordered, index=False).values.tobytes()).hexdigest()

def timed(store):
    started = time.perf_counter()
    frame = store.get_historical_features(entity_df=entity_df, features=features).to_df()
    return time.perf_counter() - started, frame

timed(local); timed(remote)  # warm up: plans, connections, page cache, time zones
samples = {{"local": [], "remote": []}}
for _ in range(rounds):
    for name, store in (("local", local), ("remote", remote)):
        seconds, frame = timed(store)
        samples[name].append(seconds)
        if name == "local":
            expected = frame
        else:
            answer = frame
local_digest, remote_digest = digest(expected), digest(answer)
same = local_digest == remote_digest
print(json.dumps({{"local_s": samples["local"], "remote_s": samples["remote"], "rows": len(answer),
                  "entity_rows": len(entity_df), "matched": int(answer["conv_rate"].notna().sum()),
                  "local_digest": local_digest, "remote_digest": remote_digest, "same_answer": same}}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"feast serve_offline exited:\n{log.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("feast serve_offline did not listen within 180 s")


def environment(python: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FEAST_FS_YAML_FILE_PATH", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"FEAST_USAGE": "False", "TZ": "UTC", "PYTHONWARNINGS": "ignore"})
    if python == sys.executable:
        env["PYTHONPATH"] = str(ROOT)
    return env


def measure(impl: str, python: str, size: workload.Size, rounds: int) -> dict:
    package = "feast_core" if impl == "feast_core" else "feast"
    repo = run._repo(impl, size)
    env = environment(python)
    subprocess.run([python, "-c", APPLY.format(package=package)], cwd=repo, env=env, check=True)
    feast = [python, "-m", "feast_core.cli"] if impl == "feast_core" else [str(Path(python).parent / "feast")]
    port = free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 -- closed below
    server = subprocess.Popen([*feast, "serve_offline", "-h", "127.0.0.1", "-p", str(port)], cwd=repo, env=env,
                              stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_listening(port, server, log)
        client = repo.parent / f"{impl}_remote_client"
        client.mkdir(exist_ok=True)
        (client / "feature_store.yaml").write_text(
            f"project: bench\nprovider: local\nregistry: {repo / 'data' / 'registry.db'}\n"
            f"offline_store:\n  type: remote\n  host: 127.0.0.1\n  port: {port}\n"
            f"online_store:\n  type: sqlite\n  path: {client / 'online.db'}\nentity_key_serialization_version: 3\n")
        done = subprocess.run(
            [python, "-c", MEASURE.format(package=package), str(repo), str(client),
             str(run.WORK / size.name / "entities.parquet"), json.dumps(workload.FEATURES), str(rounds)],
            cwd=repo, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return {"error": (done.stderr or done.stdout).strip().splitlines()[-1][:300]}
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    result["local_median_s"] = statistics.median(result["local_s"])
    result["remote_median_s"] = statistics.median(result["remote_s"])
    result["ratio"] = result["remote_median_s"] / result["local_median_s"]
    return result


def render(runs: list[dict]) -> str:
    lines = ["# Historical retrieval through feast serve_offline", "",
             "Produced by `python bench/offline_server.py`; every figure is from a run recorded in "
             "offline_server_results.json. Medians of alternating local and remote calls in one client process "
             "(after a warm-up of each); the server runs on the same machine. 'same answer': the remote frame's "
             "digest equals the local one's. Target (issue 12): ratio <= 1.5.", ""]
    for entry in runs:
        m = entry["machine"]
        lines += [f"## Run of {entry['started']} ({entry['size']}, {entry['rounds']} rounds)", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
                  f"pyarrow {m['pyarrow']}. Load average at start: {entry.get('load', '?')}.", "",
                  "| impl | local s (median) | remote s (median) | remote / local | rows | matched | same answer |",
                  "|---|---|---|---|---|---|---|"]
        for impl, r in entry["results"].items():
            if "error" in r:
                lines.append(f"| {impl} | error: {r['error'][:80]} | | | | | |")
                continue
            lines.append(f"| {impl} | {r['local_median_s']:.2f} | {r['remote_median_s']:.2f} | {r['ratio']:.2f} "
                         f"| {r['rows']:,} | {r['matched']:,} | {'yes' if r['same_answer'] else 'NO'} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="medium", choices=sorted(workload.SIZES))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--feast-python", help="a Python with Feast installed, to measure Feast the same way")
    parser.add_argument("--out", default=str(HERE / "offline_server_results"))
    args = parser.parse_args()
    size = workload.SIZES[args.size]
    run.prepare(size)
    entry = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "size": size.name,
             "rounds": args.rounds, "machine": run.machine(), "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
             "results": {}}
    entry["results"]["feast_core"] = measure("feast_core", sys.executable, size, args.rounds)
    if args.feast_python:
        entry["results"]["feast"] = measure("feast", args.feast_python, size, args.rounds)
    ours = entry["results"]["feast_core"]
    run.record(Path(args.out), entry, render)
    if "error" in ours or not ours["same_answer"] or ours["rows"] != size.entity_rows:
        raise SystemExit("feast_core's remote answer is missing or differs from its local one")


if __name__ == "__main__":
    main()
