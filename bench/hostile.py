"""A short hostile run: what a careless or malicious user does to feast-core, and what they get back.

    python bench/hostile.py [--load-seconds 20]

Everything runs as a user would run it: the ``feast`` command in fresh processes, ``feast serve`` and
``feast ui`` on loopback ports, a throwaway PostgreSQL (stopped and started under load). The run counts
outcomes and writes them to ``hostile_results.json`` and ``hostile_results.md``; it asserts nothing, it
reports. Parts:

1. misspelt keys at every level of feature_store.yaml, unset ``${VAR}`` references, a file full of keys
   only Feast uses: each bad file must fail with one line naming the key or variable, the file and the
   line, and leave the registry as it was; the Feast file must load;
2. declared types that contradict the source (every feature of the demo declared String, Bool or
   Bytes against its numeric column): ``feast apply`` must refuse, naming view, field and types;
3. oversized online requests (a 60 MB body of 12 million keys, too many rows): 413, with the server's peak
   memory growth recorded; a large request within the limits still answered;
4. PostgreSQL stopped under concurrent online load, then started: every request answered (503 while
   down), how long the slowest answer took, how long until the first 200 after the restart;
5. ``feast ui``: the address it listens on by default, and the security headers on its responses;
6. a short load of good requests on the SQLite server: errors and memory before and after;
7. ``feast materialize-incremental`` killed with SIGKILL part way, then run again: what the registry recorded,
   where the second run started, and whether the online values equal those of a run never killed;
8. an integer key beyond Int64 (2**70) through the SDK and over HTTP: a clear error naming the entity, not a
   traceback;
9. a registry file made read-only (0444): ``feast apply`` with a change must refuse and leave it as it was.
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import pg  # noqa: E402  (the throwaway PostgreSQL helpers of the benchmark)

FEAST = [sys.executable, "-m", "feast_core.cli"]
ENV = {**{k: v for k, v in os.environ.items() if k not in ("FEAST_FS_YAML_FILE_PATH", "PGCONNECT_TIMEOUT",
                                                           "FEAST_PG_POOL_TIMEOUT")},
       "PYTHONPATH": str(ROOT)}


def feast(*args: str, cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    result = subprocess.run([*FEAST, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise SystemExit(f"feast {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory(pid: int) -> tuple[int, int]:
    """(resident, peak resident) of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


class Served:
    """``feast serve`` (or ``feast ui``) in a subprocess, logging to a file."""

    def __init__(self, repo: Path, command: str, *args: str, env: dict | None = None) -> None:
        import httpx

        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 -- closed in stop
        self.process = subprocess.Popen([*FEAST, command, "-p", str(self.port), *args], cwd=repo, env={**ENV, **(env or {})},
                                        stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=120)
        deadline = time.monotonic() + 120
        while True:
            try:
                self.client.get("/health")
                return
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"feast {command} did not start:\n{self.output()}") from None
                time.sleep(0.1)

    def output(self) -> str:
        return Path(self.log.name).read_text()

    def stop(self) -> str:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        text = self.output()
        self.log.close()
        os.unlink(self.log.name)
        return text


# ---- 1. configuration -----------------------------------------------------------------------------

CONFIG = """project: hostile
provider: local
registry:
  path: data/registry.db
  cache_ttl_seconds: 60
online_store:
  type: sqlite
  path: data/online_store.db
offline_store:
  type: file
batch_engine:
  type: local
entity_key_serialization_version: 3
coerce_tz_aware: true
auth:
  type: no_auth
"""
CONFIG_POSTGRES = """project: hostile
provider: local
registry:
  registry_type: sql
  path: postgresql+psycopg://feast:secret@db.example.com:5432/registry
  cache_ttl_seconds: 60
  sqlalchemy_config_kwargs:
    echo: false
online_store:
  type: postgres
  host: db.example.com
  port: 5432
  database: online
  db_schema: public
  user: feast
  password: secret
  sslmode: require
  min_conn: 1
  max_conn: 10
offline_store:
  type: postgres
  host: db.example.com
  port: 5432
  database: offline
  user: feast
  password: secret
  entity_select_mode: temp_table
entity_key_serialization_version: 3
"""
FEAST_ONLY = CONFIG + """openlineage:
  enabled: false
mlflow:
  enabled: false
data_quality_monitoring:
  auto_baseline: true
"""


def misspellings(text: str) -> list[tuple[str, str, str, int]]:
    """(bad file text, bad key, right key, line) for every key of ``text`` with one letter dropped."""
    lines = text.splitlines()
    out = []
    for number, line in enumerate(lines, 1):
        match = re.match(r"^(\s*)([a-z_]+):", line)
        # a block's type picks its model (a wrong one is its own error); sqlalchemy_config_kwargs is free-form
        if not match or match.group(2) == "type" or len(match.group(1)) > 2:
            continue
        key = match.group(2)
        bad = key[:len(key) // 2] + key[len(key) // 2 + 1:]
        changed = lines[:number - 1] + [line.replace(key + ":", bad + ":", 1)] + lines[number:]
        out.append(("\n".join(changed) + "\n", bad, key, number))
    return out


def unset_variables(text: str) -> list[tuple[str, str, int]]:
    """(bad file text, variable, line) with each scalar value replaced by an unset ${VAR}."""
    lines = text.splitlines()
    out = []
    for number, line in enumerate(lines, 1):
        match = re.match(r"^(\s*)([a-z_]+): (\S.*)$", line)
        if not match or match.group(2) == "type":
            continue
        variable = f"HOSTILE_UNSET_{match.group(2).upper()}"
        changed = lines[:number - 1] + [f"{match.group(1)}{match.group(2)}: ${{{variable}}}"] + lines[number:]
        out.append(("\n".join(changed) + "\n", variable, number))
    return out


def run_config(work: Path) -> dict:
    repo = work / "config_repo"
    (repo / "data").mkdir(parents=True)
    (repo / "feature_store.yaml").write_text(CONFIG)
    (repo / "definitions.py").write_text("from feast_core import Entity\ndriver = Entity(name='driver', join_keys=['driver_id'])\n")
    feast("apply", cwd=repo, check=True)
    registry = (repo / "data" / "registry.db").read_bytes()
    results = {"misspelt keys": [0, 0], "unset variables": [0, 0], "tracebacks": 0, "registry changed": 0}
    cases = []
    for config in (CONFIG, CONFIG_POSTGRES):
        cases += [("misspelt keys", text, [rf"unknown key '{bad}'", rf"did you mean '{right}'", rf"bad\.yaml:{line}:"])
                  for text, bad, right, line in misspellings(config)]
        cases += [("unset variables", text, [rf"environment variable {variable} is not set \(line {line}, "])
                  for text, variable, line in unset_variables(config)]
    for kind, text, patterns in cases:
        (repo / "bad.yaml").write_text(text)
        result = feast("-f", str(repo / "bad.yaml"), "apply", cwd=repo)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        results[kind][1] += 1
        results["tracebacks"] += "Traceback" in result.stderr
        if result.returncode == 1 and errors and all(re.search(p, result.stderr) for p in patterns):
            results[kind][0] += 1
        else:
            print(f"  not caught as expected ({kind}):\n{result.stderr}", file=sys.stderr)
        results["registry changed"] += (repo / "data" / "registry.db").read_bytes() != registry
    (repo / "feast_only.yaml").write_text(FEAST_ONLY)
    loaded = feast("-f", str(repo / "feast_only.yaml"), "entities", "list", cwd=repo)
    results["Feast-only keys load"] = loaded.returncode == 0 and "driver" in loaded.stdout
    return results


# ---- 2. declared types against the source ------------------------------------------------------------


def run_types(work: Path) -> dict:
    base = work / "types"
    base.mkdir()
    feast("init", "demo", cwd=base, check=True)
    repo = base / "demo" / "feature_repo"
    definitions = (repo / "feature_definitions.py").read_text()
    feast("apply", cwd=repo, check=True)
    registry = (repo / "data" / "registry.db").read_bytes()
    refused = total = tracebacks = changed = 0
    for feature in ("conv_rate", "acc_rate", "avg_daily_trips"):
        for wrong in ("String", "Bool", "Bytes"):
            pattern = re.compile(rf'Field\(name="{feature}", dtype=\w+')
            text = pattern.sub(f'Field(name="{feature}", dtype={wrong}', definitions, count=1)
            text = text.replace("from feast_core.types import Float32, Float64, Int64",
                                "from feast_core.types import Bool, Bytes, Float32, Float64, Int64, String")
            (repo / "feature_definitions.py").write_text(text)
            result = feast("apply", cwd=repo)
            total += 1
            tracebacks += "Traceback" in result.stderr
            if result.returncode == 1 and re.search(
                    rf"feature view 'driver_hourly_stats': field '{feature}' is declared {wrong} but column", result.stderr):
                refused += 1
            else:
                print(f"  type not refused: {feature} as {wrong}:\n{result.stderr}", file=sys.stderr)
            changed += (repo / "data" / "registry.db").read_bytes() != registry
    (repo / "feature_definitions.py").write_text(definitions)
    return {"contradicting declarations refused": [refused, total], "tracebacks": tracebacks, "registry changed": changed}


# ---- 3. oversized online requests ----------------------------------------------------------------------


def served_demo(work: Path, name: str, online_block: str = "") -> Path:
    base = work / name
    base.mkdir()
    feast("init", "demo", cwd=base, check=True)
    repo = base / "demo" / "feature_repo"
    if online_block:
        text = (repo / "feature_store.yaml").read_text()
        text = re.sub(r"online_store:\n  type: sqlite\n  path: data/online_store.db\n", online_block, text)
        (repo / "feature_store.yaml").write_text(text)
    feast("apply", cwd=repo, check=True)
    feast("materialize", "2000-01-01T00:00:00", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"), cwd=repo,
          check=True)
    return repo


def body(keys: int) -> bytes:
    return (b'{"features": ["driver_hourly_stats:conv_rate"], "entities": {"driver_id": ['
            + b"1001," * (keys - 1) + b"1001]}}")


def run_limits(repo: Path) -> dict:
    server = Served(repo, "serve", "--no-access-log")
    results = {}
    try:
        pid = server.process.pid
        post = server.client.post
        rss, _ = memory(pid)
        huge = body(12_000_000)
        response = post("/get-online-features", content=huge)
        _, peak = memory(pid)
        results[f"{len(huge) // 1_000_000} MB body, 12M keys"] = response.status_code
        results["  server peak memory growth (MB)"] = peak - rss
        results["100,001 rows"] = post("/get-online-features", content=body(100_001)).status_code
        wide = {"features": [f"driver_hourly_stats:{f}" for f in ("conv_rate", "acc_rate", "avg_daily_trips")],
                "entities": {"driver_id": [1001] * 100_000}}
        results["100,000 rows x 3 features (within both limits)"] = post("/get-online-features", json=wide).status_code
        results["  server peak memory (MB)"] = memory(pid)[1]
        results["after: one key"] = post("/get-online-features", content=body(1)).status_code
    finally:
        output = server.stop()
    results["tracebacks"] = output.count("Traceback")
    return results


# ---- 4. PostgreSQL outage -----------------------------------------------------------------------------


def start_postgres() -> dict:
    root = Path(tempfile.mkdtemp(prefix="feast-hostile-pg-"))  # its own, so that the postgres user can enter it
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    password = "hostile"
    (root / "pwfile").write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root / "pwfile", "postgres", "postgres")
    subprocess.run(pg._as_owner(str(pg._bin() / "initdb"), "-D", str(root / "data"), "-A", "scram-sha-256", "-U", "postgres",
                                f"--pwfile={root / 'pwfile'}", "--no-sync", "-E", "UTF8"), check=True, capture_output=True)
    settings = {"host": "127.0.0.1", "port": free_port(), "user": "postgres", "password": password, "root": root}
    postgres_ctl(settings, "start")
    return settings


def postgres_ctl(settings: dict, action: str) -> None:
    root = settings["root"]
    args = [str(pg._bin() / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w"]
    if action == "start":
        args += ["-o", f"-c listen_addresses=127.0.0.1 -p {settings['port']} -k {root} -c fsync=off"]
    else:
        args += ["-m", "fast"]
    subprocess.run(pg._as_owner(*args, action), check=True, capture_output=True)


def run_outage(work: Path, threads: int = 16, down_seconds: float = 10.0) -> dict:
    server_settings = start_postgres()
    try:
        block = "online_store:\n  type: postgres\n" + "".join(
            f"  {k}: {json.dumps(server_settings[k])}\n" for k in ("host", "port", "user", "password")
        ) + "  database: postgres\n"
        repo = served_demo(work, "outage", block)
        server = Served(repo, "serve", "--no-access-log")
        one = json.dumps({"features": ["driver_hourly_stats:conv_rate"], "entities": {"driver_id": [1001]}})
        answers: list[tuple[float, int, float]] = []  # (sent at, status, seconds)
        stop = threading.Event()

        def client() -> None:
            import httpx

            with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=120) as http:
                while not stop.is_set():
                    sent = time.monotonic()
                    try:
                        status = http.post("/get-online-features", content=one).status_code
                    except httpx.HTTPError:
                        status = 0
                    answers.append((sent, status, time.monotonic() - sent))

        with ThreadPoolExecutor(threads) as pool:
            for _ in range(threads):
                pool.submit(client)
            time.sleep(3)
            postgres_ctl(server_settings, "stop")
            stopped = time.monotonic()  # down from here (pg_ctl waited for the shutdown)
            time.sleep(down_seconds)
            restarting = time.monotonic()
            postgres_ctl(server_settings, "start")
            started = time.monotonic()
            time.sleep(5)
            stop.set()
        output = server.stop()
    finally:
        postgres_ctl(server_settings, "stop")
        shutil.rmtree(server_settings["root"], ignore_errors=True)
    during = [a for a in answers if stopped < a[0] and a[0] + a[2] < restarting]
    after_ok = [a[0] + a[2] for a in answers if a[0] > started and a[1] == 200]
    statuses = {}
    for _, status, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "requests": len(answers), "statuses": statuses,
        "while down: requests": len(during),
        "while down: statuses": sorted({a[1] for a in during}),
        "while down: slowest answer (s)": round(max((a[2] for a in during), default=0), 2),
        "after restart: first 200 (s)": round(min(after_ok) - started, 2) if after_ok else None,
        "unanswered (transport errors)": statuses.get(0, 0),
        "tracebacks": output.count("Traceback"),
    }


# ---- 5. feast ui -------------------------------------------------------------------------------------


def run_ui(repo: Path) -> dict:
    ui = Served(repo, "ui")
    try:
        pages = ["/", "/p/demo", "/p/demo/feature-views", "/static/style.css", "/api/v1/projects", "/p/nope", "/nope"]
        responses = [ui.client.get(p, follow_redirects=True) for p in pages]
        with_headers = sum(
            1 for r in responses
            if "frame-ancestors 'self'" in r.headers.get("content-security-policy", "")
            and r.headers.get("x-content-type-options") == "nosniff" and r.headers.get("x-frame-options") == "SAMEORIGIN"
        )
        missing = ui.client.get("/api/v1/projects/nope").json()["detail"]
    finally:
        output = ui.stop()
    listening = re.search(r"Uvicorn running on (http://[^ ]+)", output)
    return {"default address": listening.group(1) if listening else None,
            "responses with CSP, frame-ancestors, X-Frame-Options and nosniff": [with_headers, len(responses)],
            "unknown project message": missing}


# ---- 6. load ------------------------------------------------------------------------------------------


def run_load(repo: Path, seconds: float, threads: int = 8) -> dict:
    server = Served(repo, "serve", "--no-access-log")
    one = json.dumps({"features": ["driver_hourly_stats:conv_rate"], "entities": {"driver_id": [1001]}})
    counts = {"requests": 0, "errors": 0}
    lock = threading.Lock()
    try:
        rss_before, _ = memory(server.process.pid)
        deadline = time.monotonic() + seconds

        def client() -> None:
            import httpx

            done = errors = 0
            with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as http:
                while time.monotonic() < deadline:
                    try:
                        errors += http.post("/get-online-features", content=one).status_code != 200
                    except httpx.HTTPError:
                        errors += 1
                    done += 1
            with lock:
                counts["requests"] += done
                counts["errors"] += errors

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: client(), range(threads)))
        rss_after, _ = memory(server.process.pid)
    finally:
        output = server.stop()
    return {**counts, "seconds": seconds, "memory before (MB)": rss_before, "memory after (MB)": rss_after,
            "tracebacks": output.count("Traceback")}


# ---- 7. killed materialization ---------------------------------------------------------------------------

KILL_KEYS = 400_000
KILL_END = datetime(2026, 11, 1, tzinfo=timezone.utc)
KILL_DEFINITIONS = """from datetime import timedelta
from feast_core import Entity, FeatureView, Field, FileSource
from feast_core.types import Float64, Int64
driver = Entity(name="driver", join_keys=["driver_id"])
stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(0),
                    source=FileSource(path="data/drivers.parquet", timestamp_field="ts"),
                    schema=[Field(name="driver_id", dtype=Int64), Field(name="trips", dtype=Int64),
                            Field(name="rate", dtype=Float64)])
"""


def kill_repo(path: Path) -> Path:
    """A repo of KILL_KEYS drivers with 3 rows each over the 10 days before KILL_END, written in chunks of 10,000."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(15)
    rows = KILL_KEYS * 3
    span = int(10 * 86400 * 1e6)
    stamps = int(KILL_END.timestamp() * 1e6) - span + rng.integers(0, span, rows)
    (path / "data").mkdir(parents=True)
    pq.write_table(pa.table({
        "driver_id": pa.array(np.tile(np.arange(KILL_KEYS), 3), pa.int64()),
        "trips": pa.array(np.arange(rows), pa.int64()),
        "rate": pa.array(rng.random(rows)),
        "ts": pa.array(stamps, pa.timestamp("us", tz="UTC")),
    }), path / "data" / "drivers.parquet")
    (path / "feature_store.yaml").write_text(
        "project: killed\nprovider: local\nregistry: data/registry.db\n"
        "online_store:\n  type: sqlite\n  path: data/online.db\n"
        "materialization:\n  online_write_batch_size: 10000\nentity_key_serialization_version: 3\n")
    (path / "definitions.py").write_text(KILL_DEFINITIONS)
    feast("apply", cwd=path, check=True)
    return path


def online_values(repo: Path) -> list:
    from feast_core import FeatureStore

    store = FeatureStore(repo_path=repo)
    try:
        rows = {"driver_id": list(range(KILL_KEYS))}
        values = store.get_online_features(["driver_stats:trips", "driver_stats:rate"], rows).to_dict()
        return list(zip(values["trips"], values["rate"]))
    finally:
        store.close()


def recorded_end(repo: Path) -> datetime | None:
    from feast_core import FeatureStore

    store = FeatureStore(repo_path=repo)
    try:
        return store.get_materialization("driver_stats", allow_cache=False).most_recent_end
    finally:
        store.close()


def run_killed_materialization(work: Path, fractions: tuple[float, ...] = (0.6, 0.75, 0.9)) -> dict:
    """Kill a run at ``fractions`` of the time an uninterrupted one took (its start-up included)."""
    import shutil as files

    reference = kill_repo(work / "kill_reference")
    began = time.monotonic()
    feast("materialize-incremental", KILL_END.isoformat(), cwd=reference, check=True)
    took = time.monotonic() - began
    expected = online_values(reference)
    rounds = len(fractions)
    results = {"uninterrupted run (s)": round(took, 1), "runs killed part way": [0, rounds],
               "keys online at each kill (%)": [], "recorded progress at each kill (% of the window)": [],
               "reruns that continued from the recorded point": [0, rounds],
               "reruns whose values equal an uninterrupted run's": [0, rounds],
               "keys holding a value of neither (torn)": 0, "tracebacks": 0}
    start = KILL_END - timedelta(weeks=52)  # where a first incremental run of a view with no ttl starts
    for number, fraction in enumerate(fractions):
        repo = work / f"kill_{number}"
        files.copytree(reference, repo, ignore=files.ignore_patterns("online.db*", "registry.db*"))
        feast("apply", cwd=repo, check=True)
        run = subprocess.Popen([*FEAST, "materialize-incremental", KILL_END.isoformat()], cwd=repo, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            run.wait(timeout=took * fraction)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
        run.communicate(timeout=60)
        killed = run.returncode == -signal.SIGKILL
        results["runs killed part way"][0] += killed
        at_kill = recorded_end(repo)
        partial = online_values(repo)
        results["keys online at each kill (%)"].append(round(100 * sum(v != (None, None) for v in partial) / KILL_KEYS))
        results["recorded progress at each kill (% of the window)"].append(
            0 if at_kill is None else round(100 * (at_kill - start) / (KILL_END - start)))
        results["keys holding a value of neither (torn)"] += sum(
            1 for v, e in zip(partial, expected) if v != (None, None) and v != e)
        rerun = feast("materialize-incremental", KILL_END.isoformat(), cwd=repo, check=True)
        results["tracebacks"] += "Traceback" in rerun.stderr
        started = re.search(r"driver_stats from (\S+ \S+)", rerun.stdout)
        if killed and at_kill is not None and started and started.group(1).startswith(f"{at_kill:%Y-%m-%d %H:%M:%S}"):
            results["reruns that continued from the recorded point"][0] += 1
        results["reruns whose values equal an uninterrupted run's"][0] += online_values(repo) == expected
    return results


# ---- 8. keys beyond Int64 ---------------------------------------------------------------------------------


def run_big_keys(repo: Path) -> dict:
    from feast_core import FeatureStore

    results = {}
    store = FeatureStore(repo_path=repo)
    try:
        store.get_online_features(["driver_hourly_stats:conv_rate"], [{"driver_id": 2**70}])
        results["SDK, driver_id 2**70"] = "answered (no error)"
    except Exception as error:  # what the user sees, whatever it is
        results["SDK, driver_id 2**70"] = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
    finally:
        store.close()
    server = Served(repo, "serve", "--no-access-log")
    try:
        response = server.client.post("/get-online-features", content=body(1).replace(b"1001]", str(2**70).encode() + b"]"))
        results["HTTP, driver_id 2**70: status"] = response.status_code
        results["HTTP, driver_id 2**70: detail"] = response.text[:200]
    finally:
        output = server.stop()
    results["tracebacks"] = output.count("Traceback")
    return results


# ---- 9. read-only registry -------------------------------------------------------------------------------


def run_read_only_registry(work: Path) -> dict:
    base = work / "read_only"
    base.mkdir()
    feast("init", "demo", cwd=base, check=True)
    repo = base / "demo" / "feature_repo"
    feast("apply", cwd=repo, check=True)
    registry = repo / "data" / "registry.db"
    registry.chmod(0o444)
    before = registry.read_bytes()
    with (repo / "feature_definitions.py").open("a") as definitions:
        definitions.write("\nrider = Entity(name='rider', join_keys=['rider_id'])\n")
    result = feast("apply", cwd=repo)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    mode = registry.stat().st_mode & 0o777
    registry.chmod(0o644)
    return {"feast apply exit code": result.returncode, "error": errors[0][:200] if errors else None,
            "mode after": f"{mode:04o}", "registry bytes unchanged": registry.read_bytes() == before,
            "tracebacks": "Traceback" in result.stderr}


def _shown(value) -> str:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]} of {value[1]}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def render(result: dict) -> str:
    lines = [f"# Hostile run, {result['when']}", "", f"`python bench/hostile.py` on {result['machine']}.", ""]
    for part, values in result["parts"].items():
        lines += [f"## {part}", "", "| what | outcome |", "|---|---|"]
        lines += [f"| {k} | {_shown(v)} |" for k, v in values.items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--parts", default="1,2,3,4,5,6,7,8,9",
                        help="Which parts to run (comma-separated numbers); the results files are written by a full run only.")
    options = parser.parse_args()
    chosen = {int(n) for n in options.parts.split(",")}
    work = Path(tempfile.mkdtemp(prefix="feast-hostile-"))
    demo: list[Path] = []

    def served() -> Path:
        if not demo:
            demo.append(served_demo(work, "served"))
        return demo[0]

    plan = [
        (1, "1. feature_store.yaml", lambda: run_config(work)),
        (2, "2. declared types against the source", lambda: run_types(work)),
        (3, "3. oversized online requests", lambda: run_limits(served())),
        (4, "4. PostgreSQL stopped for 10 s under 16 clients", lambda: run_outage(work)),
        (5, "5. feast ui", lambda: run_ui(served())),
        (6, "6. load, 8 clients", lambda: run_load(served(), options.load_seconds)),
        (7, "7. materialize-incremental killed with SIGKILL, then run again", lambda: run_killed_materialization(work)),
        (8, "8. an entity key of 2**70", lambda: run_big_keys(served())),
        (9, "9. a registry file made read-only (0444)", lambda: run_read_only_registry(work)),
    ]
    parts = {}
    try:
        for number, title, run in plan:
            if number in chosen:
                print(title, file=sys.stderr)
                parts[title] = run()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    result = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": f"{os.cpu_count()} CPUs (load average {load:.1f} at the end), Python {sys.version.split()[0]}",
              "parts": parts}
    if chosen == {number for number, _, _ in plan}:
        (HERE / "hostile_results.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        (HERE / "hostile_results.md").write_text(render(result))
    print(render(result))


if __name__ == "__main__":
    main()
