"""``feast serve``: the feature server under uvicorn, with one or several worker processes.

One worker: the app is built here over the caller's FeatureStore. Several workers: uvicorn's own supervisor
spawns fresh processes that each build their app with ``app:app_from_environment`` (a factory reading the repo
path, the feature_store.yaml path and the options from an environment variable); they share the listening
socket, uvicorn restarts a worker that dies, and Prometheus samples are pooled in a multiprocess directory.
SIGTERM (or Ctrl-C) drains: the server stops accepting connections, lets in-flight requests finish (up to
``graceful_timeout`` seconds), then runs the app's shutdown (stops the registry refresh, waits for running
materializations).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path

import uvicorn

from .. import telemetry
from ..auth.enforce import Guard
from ..config import config_to_yaml
from ..store import FeatureStore
from .app import SERVICE_NAME, WORKER_ENV, create_app
from .limits import OnlineLimits
from .service import reads_inline


def _best(module: str, fallback: str) -> str:
    return module if importlib.util.find_spec(module) is not None else fallback


def serve(
    store: FeatureStore,
    host: str = "127.0.0.1",
    port: int = 6566,
    workers: int = 1,
    access_log: bool = True,
    keep_alive_timeout: int = 30,
    registry_ttl_sec: float | None = None,
    max_request_bytes: int | None = None,
    graceful_timeout: float = 30.0,
    metrics: bool = False,
    limits: OnlineLimits | None = None,
    tls_files: tuple[str, str] | None = None,
) -> None:
    """Serve ``store`` over HTTP until SIGTERM/SIGINT. ``workers=-1`` means 2 x CPUs + 1, as in Feast.

    ``metrics``: record metrics even if feature_server.metrics.enabled is false, and serve them on port 8000
    too, as ``feast serve --metrics`` does in Feast (they are always at ``/metrics`` on the server's port).
    ``limits``: how much one online request may ask for (server/limits.py).
    ``tls_files``: (key, certificate) PEM paths; the server speaks HTTPS."""
    limits = limits or OnlineLimits()
    if workers == -1:
        workers = 2 * (os.cpu_count() or 1) + 1
    # the auth block is honoured or nothing is served: an unreachable provider or API stops us here
    guard = Guard(store.config.auth).start()
    options = {
        "host": host, "port": port, "access_log": access_log, "timeout_keep_alive": keep_alive_timeout,
        "timeout_graceful_shutdown": graceful_timeout, "loop": _best("uvloop", "auto"),
        "http": _best("httptools", "auto"),
    }
    if tls_files is not None:  # HTTPS, as feast serve --key/--cert: (key, certificate) PEM paths
        options["ssl_keyfile"], options["ssl_certfile"] = tls_files
    if threading.current_thread() is threading.main_thread():
        # uvicorn drains on SIGTERM, then re-raises the signal under the handler it found at start; with this
        # one in place that re-raise is a no-op, so a drained server exits 0 instead of dying by the signal
        signal.signal(signal.SIGTERM, _drained)
    if workers <= 1:
        telemetry.configure(store.config, service=SERVICE_NAME, serving=True, metrics=metrics)
        if metrics:
            from ..telemetry.metrics import serve_port

            serve_port(METRICS_PORT, host)
        try:
            uvicorn.run(create_app(store, registry_ttl_sec, max_request_bytes, guard=guard, limits=limits), **options)
        finally:
            store.close()
        return
    with tempfile.TemporaryDirectory(prefix="feast-serve-") as scratch:
        config_file = _config_file(store, Path(scratch))
        metrics_dir = Path(scratch) / "metrics"
        metrics_dir.mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        os.environ[WORKER_ENV] = json.dumps({
            "repo_path": str(store.repo_path), "fs_yaml_file": str(config_file),
            "registry_ttl_sec": registry_ttl_sec, "max_request_bytes": max_request_bytes,
            "inline_reads": reads_inline(store), "metrics": metrics, "limits": dataclasses.asdict(limits),
        })
        store.close()
        if metrics:
            from ..telemetry.metrics import serve_port

            serve_port(METRICS_PORT, host)  # the supervisor reads every worker's samples
        uvicorn.run("feast_core.server.app:app_from_environment", factory=True, workers=workers, **options)
        shutil.rmtree(metrics_dir, ignore_errors=True)


METRICS_PORT = 8000  # Feast's metrics server port


def _drained(signum, frame) -> None:
    """SIGTERM outside uvicorn's own handling: the server has already drained and stopped."""


def _config_file(store: FeatureStore, scratch: Path) -> Path:
    """The feature_store.yaml the workers read: the one the store came from, or (for a store built from a
    config object) a copy written readable by this user only."""
    source = Path(store.config.source)
    if source.is_file():
        return source.resolve()
    target = scratch / "feature_store.yaml"
    target.write_text(config_to_yaml(store.config))
    target.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return target
