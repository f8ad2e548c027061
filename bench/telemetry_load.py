"""What traces and metrics cost ``feast serve``: the same load with them off and on, in one run.

    python bench/telemetry_load.py [--seconds 10] [--rounds 3] [--clients 8]

The repo, server and wrk load are bench/server_load.py's (small workload, one worker, SQLite, 1 key per
request). Each configuration gets its own server; rounds interleave the configurations so that a change in
the machine's load hits all of them (in reverse order every other round), and the median of the rounds is recorded,
with the median of each round's share of ``off``'s req/s in that round beside it ("paired": a drift of the machine
over the run cancels out of it):

* ``off``: ``feature_server.metrics.enabled: false`` and no OTEL_* variable (no OpenTelemetry code loaded);
* ``metrics``: the default (every metric category recorded, ``/metrics`` served), no tracing;
* ``metrics+traces``: metrics, and every request traced (``OTEL_EXPORTER_OTLP_ENDPOINT`` to a loopback OTLP/HTTP
  sink in this process that reads and discards the exports; metrics exported every 5 s);
* ``metrics+traces 1%``: the same with ``OTEL_TRACES_SAMPLER=parentbased_traceidratio``, ``..._ARG=0.01``.

Every response is checked (wrk counts non-2xx answers; a run with any is reported as failed). Besides wrk's
figures, each measurement reads from /proc the server process's whole CPU time per request (all threads, user and
system: uvicorn, the kernel's share of the sockets, the span and metric exporters) and its context switches per
request, and this process's CPU per request (the OTLP sink, which shares the machine's cores with the server and
wrk): a ratio of CPU per request is steadier than one of req/s when the machine is shared. Results are
appended to ``telemetry_results.json`` and rendered to ``telemetry_results.md``.

On a machine shared with other work, wrk's throughput swings by 2x from one 5-second window to the next, far more
than what is measured here; ``--cpu`` therefore also measures the server's CPU time per request directly: the same
app (FastPath, dispatcher, store, SQLite) called in-process with the same request, in a fresh process per
configuration, 50 requests per sample, configurations interleaved, keeping the minimum (the sample least disturbed
by other processes) and the median. It leaves out uvicorn's and the kernel's share of a request, which telemetry
does not change, so its ratios overstate the cost for a real client. With traces on, its median is not the
server's: the in-process loop never waits on a socket, so the span exporter gets the interpreter only by forced
switches, falls behind, and its work lands in the samples unevenly; read the minimum.

``--instructions N`` also counts, under valgrind's callgrind, the instructions the whole server (every thread:
event loop, span exporter, metric recorder) executes per request over N requests sent one at a time on 8 kept-alive
connections after a warm-up: a count that does not move with the machine's other load, unlike every figure above,
though it leaves out the kernel and what a request costs beyond instructions (cache misses, thread switches).
Work done on a timer rather than per request is left out where it can be: the OTLP metric export is set to once
an hour for this measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import re
import socket
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
import server_load  # noqa: E402

OFF_BLOCK = "feature_server:\n  metrics:\n    enabled: false\n"


class Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that accepts every export and keeps only a byte count. It keeps connections open
    (HTTP/1.1), as a collector does, so that an exporter is not measured reconnecting for every batch."""

    protocol_version = "HTTP/1.1"
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


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads, ended ones included) of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def context_switches(pid: int) -> tuple[int, int]:
    """Voluntary and involuntary context switches of the live threads of process ``pid``."""
    voluntary = involuntary = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:  # the thread ended
            continue
        voluntary += int(status.split("\nvoluntary_ctxt_switches:")[1].split()[0])
        involuntary += int(status.split("nonvoluntary_ctxt_switches:")[1].split()[0])
    return voluntary, involuntary


def measure(repo: Path, block: str, env: dict, clients: int, seconds: int) -> dict:
    config = repo / "feature_store.yaml"
    base = config.read_text().split("feature_server:")[0]
    config.write_text(base + block)
    port = server_load.free_port()
    server = server_load.start("feast_core", sys.executable, repo, port, env=env)
    try:
        server_load.wrk(port, 1, 1, 2)  # warm up
        cpu, switches, own = process_cpu(server.pid), context_switches(server.pid), time.process_time()
        result = server_load.wrk(port, clients, 1, seconds)
        # the server's whole CPU per request (uvicorn, the kernel's share, every thread: exporters included), its
        # context switches, and this process's (the OTLP sink's) CPU: what one request costs the machine
        requests = max(result["requests"], 1)
        result["server_cpu_us"] = (process_cpu(server.pid) - cpu) / requests * 1e6
        after = context_switches(server.pid)
        result["switches_per_request"] = (after[0] + after[1] - switches[0] - switches[1]) / requests
        result["sink_cpu_us"] = (time.process_time() - own) / requests * 1e6
    finally:
        server_load.stop(server)
    if result["errors"] or result["socket_errors"]:
        raise RuntimeError(f"non-2xx answers or socket errors: {result}")
    return result


def instructions(repo: Path, block: str, env: dict, requests: int, warm_up: int = 1000) -> dict:
    """Instructions per request of ``feast serve`` under callgrind (see the module docstring): ``total`` over all
    threads and ``by_thread`` (callgrind's thread numbers, 1 the main thread; threads under 50 left out)."""
    config = repo / "feature_store.yaml"
    config.write_text(config.read_text().split("feature_server:")[0] + block)
    out = Path(tempfile.mkdtemp(prefix="feast-telemetry-callgrind-"))
    port = server_load.free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}/cg", sys.executable,
         "-m", "feast_core.cli", "serve", "-h", "127.0.0.1", "-p", str(port), "--no-access-log", "-w", "1"],
        cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**environment, **env, "OTEL_METRIC_EXPORT_INTERVAL": "3600000"})
    try:
        connections = _connect(port, 8, deadline=time.monotonic() + 600)
        message = _request(port)
        _send(connections, message, warm_up)
        subprocess.run(["callgrind_control", "--dump=before", str(server.pid)], capture_output=True, check=True)
        _send(connections, message, requests)
        subprocess.run(["callgrind_control", "--dump=after", str(server.pid)], capture_output=True, check=True)
    finally:
        server_load.stop(server)
    by_thread = {}
    for path in glob.glob(f"{out}/cg.2-*"):  # the second dump: what ran between the two
        head = Path(path).read_text(errors="replace")[:4096]
        thread = int(re.search(r"^thread: (\d+)", head, re.M).group(1))
        by_thread[thread] = int(re.search(r"^summary: (\d+)", head, re.M).group(1)) / requests
    shutil.rmtree(out, ignore_errors=True)
    if not by_thread:
        raise RuntimeError("callgrind wrote no dump between the two marks")
    return {"total": round(sum(by_thread.values())), "requests": requests,
            "by_thread": {t: round(n) for t, n in sorted(by_thread.items()) if n >= 50}}


def _connect(port: int, count: int, deadline: float) -> list[socket.socket]:
    while True:
        try:
            return [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _request(port: int) -> bytes:
    body = server_load.body(1).encode()
    return (f"POST /get-online-features HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _send(connections: list[socket.socket], message: bytes, count: int) -> None:
    """``count`` requests, one at a time, round the connections; each answer must be a 200 with a body."""
    for sent in range(count):
        connection = connections[sent % len(connections)]
        connection.sendall(message)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        head, body = answer.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))
        while len(body) < length:
            body += connection.recv(65536)
        if not head.startswith(b"HTTP/1.1 200") or not length:
            raise RuntimeError(f"answer {head[:200]!r}")


def render(runs: list[dict]) -> str:
    lines = ["# Telemetry cost: `feast serve` with traces and metrics off and on", "",
             "Produced by `python bench/telemetry_load.py` (wrk on loopback, one server worker, SQLite, small workload, "
             "1 key per request). Each figure is the median of the rounds of one run; the ratio is to `off` in the "
             "same run. Every figure is from a run recorded in telemetry_results.json.", ""]
    for entry in runs:
        m = entry["machine"]
        measured = any("server_cpu_us" in r for r in entry["results"].values())
        whole = (" server CPU µs/request (median; per round) | `off`'s CPU over this | context switches/request "
                 "| sink CPU µs/request |", "---|---|---|---|") if measured else ("", "")
        lines += [f"## Run of {entry['started']}", "",
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
                  f"load average at start {entry.get('load_average', '?')}; code at {entry.get('commit', '?')}. "
                  f"{entry['clients']} clients, "
                  f"{entry['seconds']} s per measurement, {entry['rounds']} rounds.", "",
                  "| configuration | req/s (median) | of `off` | of `off`, paired | p50 ms | p99 ms | req/s per round |"
                  + whole[0],
                  "|---|---|---|---|---|---|---|" + whole[1]]
        if entry["results"]:
            off = entry["results"]["off"]["req_per_s"]
            off_cpu = entry["results"]["off"].get("server_cpu_us")
            for name, r in entry["results"].items():
                paired = f"{r['paired_share']:.0%}" if "paired_share" in r else ""
                line = (f"| {name} | {r['req_per_s']:.0f} | {r['req_per_s'] / off:.0%} | {paired} | {r['p50_ms']:.3f} "
                        f"| {r['p99_ms']:.2f} | {', '.join(f'{x:.0f}' for x in r['rounds'])} |")
                if "server_cpu_us" in r:
                    line += (f" {r['server_cpu_us']:.1f} ({', '.join(map(str, r['server_cpu_us_rounds']))}) "
                             f"| {off_cpu / r['server_cpu_us']:.0%} | {r['switches_per_request']:.2f} "
                             f"| {r['sink_cpu_us']:.1f} |")
                lines.append(line)
        else:
            lines.append("| (not measured) | | | | | | |")
        if entry.get("cpu"):
            cpu = entry["cpu"]
            lines += ["", "CPU per request of the app in-process (`--cpu`; lower is better; the share is `off`'s "
                      "CPU time over this configuration's, i.e. the throughput a CPU-bound server keeps):", "",
                      "| configuration | min µs | median µs | throughput kept (min) | (median) | samples |",
                      "|---|---|---|---|---|---|"]
            for name, c in cpu.items():
                lines.append(
                    f"| {name} | {c['min_us']:.1f} | {c['median_us']:.1f} | {cpu['off']['min_us'] / c['min_us']:.0%} "
                    f"| {cpu['off']['median_us'] / c['median_us']:.0%} | {c['samples']} |"
                )
        if entry.get("instructions"):
            counted = entry["instructions"]
            off = counted["off"]["total"]
            lines += ["", f"Instructions per request of the whole server (`--instructions`: callgrind, every thread, "
                      f"{next(iter(counted.values()))['requests']} requests one at a time on 8 connections; the share is "
                      "`off`'s count over this configuration's):", "",
                      "| configuration | instructions | of `off` | by thread (1: the event loop) |", "|---|---|---|---|"]
            for name, c in counted.items():
                threads = ", ".join(f"{t}: {n / 1000:.1f}k" for t, n in c["by_thread"].items())
                lines.append(f"| {name} | {c['total'] / 1000:.1f}k | {off / c['total']:.1%} | {threads} |")
        lines.append("")
    return "\n".join(lines)


def cpu_child(config_name: str, samples: int) -> None:
    """In a fresh process configured as ``config_name`` (its environment set by the parent): CPU microseconds per
    request of the feature server app, ``samples`` samples of 50 requests, printed as JSON."""
    from feast_core import FeatureStore
    from feast_core.server.app import create_app

    repo = Path(tempfile.mkdtemp(prefix="feast-telemetry-cpu-"))
    shutil.copytree(HERE / "work" / "server" / "feast_core", repo, dirs_exist_ok=True)
    block = OFF_BLOCK if config_name == "off" else ""
    config = repo / "feature_store.yaml"
    config.write_text(config.read_text().split("feature_server:")[0] + block)
    app = create_app(FeatureStore(repo_path=repo), registry_ttl_sec=0)
    body = server_load.body(1).encode()
    scope = {"type": "http", "method": "POST", "path": "/get-online-features", "raw_path": b"/get-online-features",
             "query_string": b"", "scheme": "http", "server": ("127.0.0.1", 6566), "client": ("127.0.0.1", 50000),
             "http_version": "1.1", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:6566"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())]}
    statuses = set()

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    async def measure() -> list[float]:
        for _ in range(200):
            await app(dict(scope), receive, send)
        found = []
        for _ in range(samples):
            started = time.process_time()
            for _ in range(50):
                await app(dict(scope), receive, send)
            found.append((time.process_time() - started) / 50 * 1e6)
        return found

    found = asyncio.run(measure())
    if statuses != {200}:
        raise SystemExit(f"answers other than 200: {statuses}")
    shutil.rmtree(repo, ignore_errors=True)
    print(json.dumps(found))


def measure_cpu(configs: dict, rounds: int, samples: int) -> dict[str, dict]:
    found: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(rounds):
        for name, (_, env) in configs.items():
            environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
            done = subprocess.run([sys.executable, __file__, "--cpu-child", name, str(samples)], capture_output=True,
                                  text=True, env={**environment, **env}, check=True)
            found[name] += json.loads(done.stdout.strip().splitlines()[-1])
    return {name: {"min_us": min(xs), "median_us": statistics.median(xs), "samples": len(xs)}
            for name, xs in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", default=str(HERE / "telemetry_results"))
    parser.add_argument("--cpu", action="store_true", help="also measure CPU per request in-process (see above)")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk measurements")
    parser.add_argument("--instructions", type=int, default=0, metavar="N",
                        help="also count instructions per request under callgrind over N requests (see above)")
    parser.add_argument("--cpu-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu_child:
        cpu_child(args.cpu_child[0], int(args.cpu_child[1]))
        return
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
    cpu = measure_cpu(configs, args.rounds, 40) if args.cpu else None
    if args.instructions and shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind: apt-get install valgrind")
    counted = {name: instructions(repo, block, env, args.instructions) for name, (block, env) in configs.items()} \
        if args.instructions else None
    for round_ in range(0 if args.no_load else args.rounds):
        order = list(configs.items())
        for name, (block, env) in order if round_ % 2 == 0 else order[::-1]:  # no configuration always runs first
            result = measure(repo, block, env, args.clients, args.seconds)
            results[name].append(result)
            print(f"round {round_ + 1} {name}: {result['req_per_s']:.0f} req/s", flush=True)
    sink.shutdown()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout
    entry = {
        "started": started, "commit": commit.strip(), "machine": run.machine(), "load_average": load, "clients": args.clients,
        "seconds": args.seconds, "rounds": args.rounds, "otlp_bytes_received": Sink.received,
        "results": {
            name: {
                "req_per_s": statistics.median(r["req_per_s"] for r in rs),
                "p50_ms": statistics.median(r["p50_ms"] for r in rs),
                "p99_ms": statistics.median(r["p99_ms"] for r in rs),
                "rounds": [r["req_per_s"] for r in rs],
                # this configuration's req/s over off's in the same round: a slow drift of the machine cancels out
                "paired_share": statistics.median(r["req_per_s"] / o["req_per_s"] for r, o in zip(rs, results["off"])),
                "server_cpu_us": statistics.median(r["server_cpu_us"] for r in rs),
                "server_cpu_us_rounds": [round(r["server_cpu_us"], 1) for r in rs],
                "switches_per_request": statistics.median(r["switches_per_request"] for r in rs),
                "sink_cpu_us": statistics.median(r["sink_cpu_us"] for r in rs),
            }
            for name, rs in results.items() if rs
        },
        "cpu": cpu,
        "instructions": counted,
    }
    run.record(Path(args.out), entry, render)


if __name__ == "__main__":
    main()
