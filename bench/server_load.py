"""Feature-server load benchmark: ``feast serve`` of feast_core and of Feast, same data, same run.

    python bench/server_load.py [--feast-python /path/to/venv/bin/python] [--seconds 10] [--soak 60] [--auth]

For each implementation it builds a repo on the small workload (bench/workload.py), applies and
materializes it into SQLite, starts ``feast serve`` with one worker on a loopback port, and drives
it with wrk (Debian package ``wrk``) for a bounded time per scenario: 1 client and 1 key, 8 clients
and 1 key, 1 client and 100 keys; then a soak at 8 clients while sampling the server's resident
memory. Results are appended to ``server_results.json`` and rendered to ``server_results.md``.

``--auth`` adds feast_core with auth on, same data, same run: ``feast_core+oidc`` (a loopback OIDC provider,
tests/oidc_provider.py) and ``feast_core+kubernetes`` (the loopback Kubernetes API double, tests/kube_api.py),
each with a Permission the token's user must satisfy, wrk sending one bearer token. Before the load, a request
with the token must answer 200 with values and one without must answer 401; the target is 80 % of the no-auth
requests per second at 8 clients.
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
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the loopback OIDC provider and Kubernetes API double

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
store.materialize(datetime.fromisoformat("{start}"), datetime.fromisoformat("{end}"))
"""
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}wrk.body = [[{body}]]
"""
PERMISSION = """
from feast_core import FeatureView
from feast_core.permissions.action import AuthzedAction
from feast_core.permissions.permission import Permission
from feast_core.permissions.policy import {policy}
store.apply([Permission(name="bench-readers", types=[FeatureView], policy={policy}({values}),
                        actions=[AuthzedAction.READ_ONLINE])])
"""


class AuthSetup:
    """The identity side of an auth impl: the feature_store.yaml block, the token, the environment."""

    def __init__(self, kind: str, scratch: Path) -> None:
        self.kind = kind
        self.env: dict[str, str] = {}
        if kind == "oidc":
            from oidc_provider import CLIENT_ID, OidcProvider

            self.double = OidcProvider()
            self.block = (f"auth:\n  type: oidc\n  auth_discovery_url: {self.double.discovery_url}\n"
                          f"  client_id: {CLIENT_ID}\n")
            claims = self.double.claims(username="bench", roles=("reader",))
            claims["exp"] += 3600
            self.token = self.double.mint(claims)
            self.permission = PERMISSION.format(policy="RoleBasedPolicy", values="roles=['reader']")
        else:
            from kube_api import KubeApi

            self.double = KubeApi()
            self.token = "bench-notebook-token"
            self.double.tokens[self.token] = {"username": "system:serviceaccount:team-a:default-editor",
                                              "groups": ["system:serviceaccounts:team-a"]}
            self.env["KUBECONFIG"] = str(self.double.kubeconfig(scratch / "kubeconfig", namespace="feast"))
            self.block = "auth:\n  type: kubernetes\n"
            self.permission = PERMISSION.format(policy="NamespaceBasedPolicy", values="namespaces=['team-a']")

    def close(self) -> None:
        self.double.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body(keys: int) -> str:
    return json.dumps({
        "features": workload.FEATURES,
        "entities": {"driver_id": workload.online_keys(SIZE, keys, seed=keys)},
    })


def prepare(impl: str, python: str, auth: AuthSetup | None = None) -> Path:
    repo = HERE / "work" / "server" / impl
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    (repo / "feature_store.yaml").write_text(
        "project: bench\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\nentity_key_serialization_version: 3\n"
    )
    package = "feast_core" if impl.startswith("feast_core") else "feast"
    (repo / "definitions.py").write_text(
        workload.REPO_DEFINITIONS.format(package=package, path=str(HERE / "work" / "small" / "features.parquet"))
    )
    setup = SETUP.format(package=package, start=workload.START.isoformat(), end=workload.END.isoformat())
    setup += auth.permission if auth else ""
    subprocess.run([python, "-c", setup], cwd=repo, check=True, capture_output=True)
    if auth is not None:
        config = repo / "feature_store.yaml"
        config.write_text(config.read_text() + auth.block)
    return repo


def start(impl: str, python: str, repo: Path, port: int, env: dict | None = None) -> subprocess.Popen:
    """``feast serve`` on ``port``; ``env``: extra environment variables (OTEL_* settings are dropped otherwise)."""
    module = "feast_core.cli" if impl.startswith("feast_core") else "feast.cli.cli"
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


def lua(keys: int, token: str | None) -> str:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else ""
    return LUA.format(body=body(keys), auth=auth)


def check_answers(port: int, token: str) -> None:
    """With the token: 200 with the features asked for; without: 401 (so the load measures authorized reads)."""
    def post(headers: dict) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/get-online-features", data=body(1).encode(),
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    status, answer = post({"Authorization": f"Bearer {token}"})
    names = json.loads(answer)["metadata"]["feature_names"] if status == 200 else []
    if status != 200 or names[1:] != [f.split(":")[1] for f in workload.FEATURES]:
        raise RuntimeError(f"an authorized read answered {status}: {answer[:200]!r}")
    status, answer = post({})
    if status != 401:
        raise RuntimeError(f"a read without a token answered {status}, not 401")


def wrk(port: int, clients: int, keys: int, seconds: int, token: str | None = None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua(keys, token))
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


def http_answers(port: int, token: str | None) -> dict:
    """The server's answers to every request body the load uses and to 50 more of 100 keys, digested the same
    way as the SDK's (bench/workload.py): feature names from the metadata, one value per entity row."""
    bodies = [body(1), body(100)] + [
        json.dumps({"features": workload.FEATURES, "entities": {"driver_id": workload.online_keys(SIZE, 100, seed)}})
        for seed in range(50)
    ]
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    responses = []
    for text in bodies:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/get-online-features", data=text.encode(),
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=30) as reply:
            answer = json.loads(reply.read())
        names = answer["metadata"]["feature_names"]
        responses.append({name: result["values"] for name, result in zip(names, answer["results"])})
    return workload.answers(responses)


def measure(impl: str, python: str, seconds: int, soak: int) -> dict:
    kind = impl.partition("+")[2]
    auth = AuthSetup(kind, Path(tempfile.mkdtemp(prefix="bench-auth-"))) if kind else None
    token = auth.token if auth else None
    repo = prepare(impl, python, auth)
    port = free_port()
    server = start(impl, python, repo, port, auth.env if auth else None)
    try:
        if token:
            check_answers(port, token)
        wrk(port, 1, 1, 2, token)  # warm up
        result = {
            "answers": http_answers(port, token),
            "c1_k1": wrk(port, 1, 1, seconds, token),
            "c8_k1": wrk(port, 8, 1, seconds, token),
            "c1_k100": wrk(port, 1, 100, seconds, token),
        }
        for scenario in ("c1_k1", "c8_k1", "c1_k100"):
            if result[scenario]["errors"]:
                raise RuntimeError(f"{scenario}: {result[scenario]['errors']} non-2xx answers")
        if soak:
            before = rss_mb(server.pid)
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(lua(1, token))
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
        if auth is not None:
            auth.close()


def render(runs: list[dict]) -> str:
    lines = ["# Feature server load results", "",
             "Produced by `python bench/server_load.py` (wrk on loopback, one server worker, SQLite online store, "
             "small workload, 4 features). Every figure is from a run recorded in server_results.json.", ""]
    for entry in runs:
        m = entry["machine"]
        lines += [f"## Run of {entry['started']}", "",
                  *([f"Workload END (reads ask for values within the 2-day ttl of it): {entry['workload_end']}.", ""]
                    if "workload_end" in entry else []),
                  f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}."
                  + (f" Note: {entry['note']}." if entry.get("note") else ""), "",
                  "| impl | 1 client, 1 key p50 / p99 ms | req/s | 8 clients, 1 key req/s | p99 ms | 1 client, 100 keys p50 / p99 ms | soak errors | soak RSS MB (start → end) | values found / asked, digest | answers |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for impl, r in entry["results"].items():
            if "error" in r:
                lines.append(f"| {impl} | error: {r['error']} |||||||")
                continue
            answers = r.get("answers")
            found = f"{answers['values_found']:,} / {answers['values_asked']:,}, {answers['digest']}" if answers else "–"
            check = r.get("check", "–")
            if check.startswith("DIFFERENT"):
                lines.append(f"| {impl} | not a result: answers differ from Feast's |||||||| {found} | {check} |")
                continue
            soak = r.get("soak")
            soak_errors = f"{soak['errors']} of {soak['requests']}" if soak else "–"
            soak_rss = f"{soak['rss_mb_samples'][0]} → {soak['rss_mb_samples'][-1]}" if soak and soak["rss_mb_samples"] else "–"
            lines.append(
                f"| {impl} | {r['c1_k1']['p50_ms']:.3f} / {r['c1_k1']['p99_ms']:.3f} | {r['c1_k1']['req_per_s']:.0f} "
                f"| {r['c8_k1']['req_per_s']:.0f} | {r['c8_k1']['p99_ms']:.2f} "
                f"| {r['c1_k100']['p50_ms']:.3f} / {r['c1_k100']['p99_ms']:.3f} | {soak_errors} | {soak_rss} "
                f"| {found} | {check} |"
            )
        base = entry["results"].get("feast_core", {}).get("c8_k1", {}).get("req_per_s")
        ratios = [f"{impl}: {r['c8_k1']['req_per_s'] / base:.0%}" for impl, r in entry["results"].items()
                  if "+" in impl and base and "c8_k1" in r]
        if ratios:
            lines += ["", "Auth on, 8 clients, share of the no-auth requests per second: " + ", ".join(ratios) + "."]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feast-python", help="a Python with Feast installed, to measure Feast in the same run")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--soak", type=int, default=60)
    parser.add_argument("--out", default=str(HERE / "server_results"))
    parser.add_argument("--auth", action="store_true", help="also feast_core with OIDC and with Kubernetes auth on")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    os.environ[workload.END_ENV] = workload.END.date().isoformat()
    run.prepare(SIZE)
    impls = {"feast_core": sys.executable}
    if args.auth:
        impls.update({"feast_core+oidc": sys.executable, "feast_core+kubernetes": sys.executable})
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
    feast = entry["results"].get("feast", {}).get("answers")
    for impl, result in entry["results"].items():
        if "error" not in result:
            result["check"] = "Feast itself" if impl == "feast" else workload.answer_check(result.get("answers"), feast)
    entry["workload_end"] = workload.END.isoformat()
    run.record(Path(args.out), entry, render)


if __name__ == "__main__":
    main()
