"""What traces and metrics cost ``feast serve``: the same load with them off and on, in one run.

    python bench/telemetry_load.py [--seconds 10] [--rounds 3] [--clients 8]

The repo, server and wrk load are bench/server_load.py's (small workload, one worker, SQLite, 1 key per
request). Each configuration gets its own server; rounds interleave the configurations so that a change in
the machine's load hits all of them, and the median of the rounds is recorded:

* ``off``: ``feature_server.metrics.enabled: false`` and no OTEL_* variable (no OpenTelemetry code loaded);
* ``metrics``: the default (every metric category recorded, ``/metrics`` served), no tracing;
* ``metrics+traces``: metrics, and every request traced (``OTEL_EXPORTER_OTLP_ENDPOINT`` to a loopback OTLP/HTTP
  sink in this process that reads and discards the exports; metrics exported every 5 s);
* ``metrics+traces 1%``: the same with ``OTEL_TRACES_SAMPLER=parentbased_traceidratio``, ``..._ARG=0.01``.

Every response is checked (wrk counts non-2xx answers; a run with any is reported as failed). Results are
appended to ``telemetry_results.json`` and rendered to ``telemetry_results.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
import server_load  # noqa: E402

OFF_BLOCK = "feature_server:\n  metrics:\n    enabled: false\n"


class Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that accepts every export and keeps only a byte count."""

    received = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        Sink.received += length
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def configurations(sink: str) -> dict[str, tuple[str, dict]]:
    traced = {"OTEL_EXPORTER_OTLP_ENDPOINT": sink, "OTEL_METRIC_EXPORT_INTERVAL": "5000"}
    return {
        "off": (OFF_BLOCK, {}),
        "metrics": ("", {}),
        "metrics+traces": ("", traced),
        "metrics+traces 1%": ("", {**traced, "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                                   "OTEL_TRACES_SAMPLER_ARG": "0.01"}),
    }


def measure(repo: Path, block: str, env: dict, clients: int, seconds: int) -> dict:
    config = repo / "feature_store.yaml"
    base = config.read_text().split("feature_server:")[0]
    config.write_text(base + block)
    port = server_load.free_port()
    server = server_load.start("feast_core", sys.executable, repo, port, env=env)
    try:
        server_load.wrk(port, 1, 1, 2)  # warm up
        result = server_load.wrk(port, clients, 1, seconds)
    finally:
        server_load.stop(server)
    if result["errors"] or result["socket_errors"]:
        raise RuntimeError(f"non-2xx answers or socket errors: {result}")
    return result


def render(runs: list[dict]) -> str:
    lines = ["# Telemetry cost: `feast serve` with traces and metrics off and on", "",
             "Produced by `python bench/telemetry_load.py` (wrk on loopback, one server worker, SQLite, small workload, "
             "1 key per request). Each figure is the median of the rounds of one run; the ratio is to `off` in the "
             "same run. Every figure is from a run recorded in telemetry_results.json.", ""]
    for entry in runs:
        m = entry["machine"]
        lines += [f"## Run of {entry['started']}", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
                  f"load average at start {entry.get('load_average', '?')}. {entry['clients']} clients, "
                  f"{entry['seconds']} s per measurement, {entry['rounds']} rounds.", "",
                  "| configuration | req/s (median) | of `off` | p50 ms | p99 ms | req/s per round |",
                  "|---|---|---|---|---|---|"]
        off = entry["results"]["off"]["req_per_s"]
        for name, r in entry["results"].items():
            lines.append(
                f"| {name} | {r['req_per_s']:.0f} | {r['req_per_s'] / off:.0%} | {r['p50_ms']:.3f} | {r['p99_ms']:.2f} "
                f"| {', '.join(f'{x:.0f}' for x in r['rounds'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", default=str(HERE / "telemetry_results"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    run.prepare(server_load.SIZE)
    repo = server_load.prepare("feast_core", sys.executable)
    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    configs = configurations(f"http://127.0.0.1:{sink.server_address[1]}")
    results: dict[str, list[dict]] = {name: [] for name in configs}
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    for round_ in range(args.rounds):
        for name, (block, env) in configs.items():
            result = measure(repo, block, env, args.clients, args.seconds)
            results[name].append(result)
            print(f"round {round_ + 1} {name}: {result['req_per_s']:.0f} req/s", flush=True)
    sink.shutdown()
    entry = {
        "started": started, "machine": run.machine(), "load_average": load, "clients": args.clients,
        "seconds": args.seconds, "rounds": args.rounds, "otlp_bytes_received": Sink.received,
        "results": {
            name: {
                "req_per_s": statistics.median(r["req_per_s"] for r in rs),
                "p50_ms": statistics.median(r["p50_ms"] for r in rs),
                "p99_ms": statistics.median(r["p99_ms"] for r in rs),
                "rounds": [r["req_per_s"] for r in rs],
            }
            for name, rs in results.items()
        },
    }
    run.record(Path(args.out), entry, render)


if __name__ == "__main__":
    main()
