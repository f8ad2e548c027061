"""Feature-server load benchmark: ``feast serve`` of feast_core and of Feast, same data, same run.

    python bench/server_load.py [--feast-python /path/to/venv/bin/python] [--seconds 10] [--soak 60]

For each implementation it builds a repo on the small workload (bench/workload.py), applies and
materializes it into SQLite, starts ``feast serve`` with one worker on a loopback port, and drives
it with wrk (Debian package ``wrk``) for a bounded time per scenario: 1 client and 1 key, 8 clients
and 1 key, 1 client and 100 keys; then a soak at 8 clients while sampling the server's resident
memory. Results are appended to ``server_results.json`` and rendered to ``server_results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the machine description and repo layout are shared with the main harness)
import workload  # noqa: E402

SIZE = workload.SIZES["small"]
SETUP = """
import sys
sys.path.insert(0, ".")
from datetime import datetime, timezone
import definitions
from {package} import FeatureStore
store = FeatureStore(repo_path=".")
store.apply([definitions.driver, definitions.source, definitions.driver_stats])
store.materialize(datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc))
"""
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body(keys: int) -> str:
    return json.dumps({
        "features": workload.FEATURES,
        "entities": {"driver_id": workload.online_keys(SIZE, keys, seed=keys)},
    })


def prepare(impl: str, python: str) -> Path:
    repo = HERE / "work" / "server" / impl
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    (repo / "feature_store.yaml").write_text(
        "project: bench\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n"
    )
    package = "feast_core" if impl == "feast_core" else "feast"
    (repo / "definitions.py").write_text(
        workload.REPO_DEFINITIONS.format(package=package, path=str(HERE / "work" / "small" / "features.parquet"))
    )
    subprocess.run([python, "-c", SETUP.format(package=package)], cwd=repo, check=True, capture_output=True)
    return repo


def start(impl: str, python: str, repo: Path, port: int, env: dict | None = None) -> subprocess.Popen:
    """``feast serve`` on ``port``; ``env``: extra environment variables (OTEL_* settings are dropped otherwise)."""
    module = "feast_core.cli" if impl == "feast_core" else "feast.cli.cli"
    command = [python, "-m", module, "serve", "-h", "127.0.0.1", "-p", str(port), "--no-access-log", "-w", "1"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    server = subprocess.Popen(command, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True, env={**environment, **(env or {})})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"{impl}: feast serve did not answer /health within 90 s")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (gunicorn forks a worker)."""
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def wrk(port: int, clients: int, keys: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(body=body(keys)))
    threads = min(clients, 2)
    done = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--latency", "-s", script.name,
         f"http://127.0.0.1:{port}/get-online-features"],
        capture_output=True, text=True, timeout=seconds + 30,
    )
    os.unlink(script.name)
    return parse_wrk(done.stdout)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    requests = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(requests.group(1)), "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def measure(impl: str, python: str, seconds: int, soak: int) -> dict:
    repo = prepare(impl, python)
    port = free_port()
    server = start(impl, python, repo, port)
    try:
        wrk(port, 1, 1, 2)  # warm up
        result = {
            "c1_k1": wrk(port, 1, 1, seconds),
            "c8_k1": wrk(port, 8, 1, seconds),
            "c1_k100": wrk(port, 1, 100, seconds),
        }
        if soak:
            before = rss_mb(server.pid)
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(LUA.format(body=body(1)))
            load = subprocess.Popen(
                ["wrk", "-t", "2", "-c", "8", "-d", f"{soak}s", "--latency", "-s", script.name,
                 f"http://127.0.0.1:{port}/get-online-features"], stdout=subprocess.PIPE, text=True,
            )
            samples = []
            while load.poll() is None:
                samples.append(round(rss_mb(server.pid), 1))
                time.sleep(5)
            output = load.stdout.read()
            os.unlink(script.name)
            result["soak"] = {**parse_wrk(output), "seconds": soak, "rss_mb_before": round(before, 1),
                              "rss_mb_samples": samples}
        return result
    finally:
        stop(server)


def render(runs: list[dict]) -> str:
    lines = ["# Feature server load results", "",
             "Produced by `python bench/server_load.py` (wrk on loopback, one server worker, SQLite online store, "
             "small workload, 4 features). Every figure is from a run recorded in server_results.json.", ""]
    for entry in runs:
        m = entry["machine"]
        lines += [f"## Run of {entry['started']}", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}.", "",
                  "| impl | 1 client, 1 key p50 / p99 ms | req/s | 8 clients, 1 key req/s | p99 ms | 1 client, 100 keys p50 / p99 ms | soak errors | soak RSS MB (start → end) |",
                  "|---|---|---|---|---|---|---|---|"]
        for impl, r in entry["results"].items():
            if "error" in r:
                lines.append(f"| {impl} | error: {r['error']} |||||||")
                continue
            soak = r.get("soak")
            soak_errors = f"{soak['errors']} of {soak['requests']}" if soak else "–"
            soak_rss = f"{soak['rss_mb_samples'][0]} → {soak['rss_mb_samples'][-1]}" if soak and soak["rss_mb_samples"] else "–"
            lines.append(
                f"| {impl} | {r['c1_k1']['p50_ms']:.3f} / {r['c1_k1']['p99_ms']:.3f} | {r['c1_k1']['req_per_s']:.0f} "
                f"| {r['c8_k1']['req_per_s']:.0f} | {r['c8_k1']['p99_ms']:.2f} "
                f"| {r['c1_k100']['p50_ms']:.3f} / {r['c1_k100']['p99_ms']:.3f} | {soak_errors} | {soak_rss} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feast-python", help="a Python with Feast installed, to measure Feast in the same run")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--soak", type=int, default=60)
    parser.add_argument("--out", default=str(HERE / "server_results"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    run.prepare(SIZE)
    impls = {"feast_core": sys.executable}
    if args.feast_python:
        impls["feast"] = args.feast_python
    entry = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": run.machine(),
             "results": {}}
    for impl, python in impls.items():
        try:
            entry["results"][impl] = measure(impl, python, args.seconds, args.soak)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            entry["results"][impl] = {"error": str(exc)[:200]}
        print(impl, json.dumps(entry["results"][impl]), flush=True)
    run.record(Path(args.out), entry, render)


if __name__ == "__main__":
    main()
