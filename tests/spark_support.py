"""Spark for the tests: one lean local SparkSession per test session, and a Spark Connect server on loopback.

pyspark (the ``feast-core[spark]`` extra) and Java come from scripts/bootstrap. CI sets
FEAST_CORE_REQUIRE_SPARK, and there a missing Spark fails the tests instead of skipping them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REQUIRED_ENV = "FEAST_CORE_REQUIRE_SPARK"

# small and quiet: 2 cores shared with other work, tiny data; tables go to a temporary warehouse
WAREHOUSE = Path(tempfile.gettempdir()) / f"feast-core-tests-spark-warehouse-{os.getpid()}"
LEAN_CONF = {
    "spark.master": "local[2]",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "1g",
    "spark.sql.adaptive.coalescePartitions.initialPartitionNum": "2",
    "spark.sql.warehouse.dir": str(WAREHOUSE),
    # a short-lived JVM: the quick compiler only (C2 would compete for the 2 cores)
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
}


def missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed: run scripts/bootstrap (it installs feast-core[spark])"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed: run scripts/bootstrap (it installs openjdk-17-jre-headless)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ConnectServer:
    """A Spark Connect server (pyspark's own SparkConnectServer class, local[2]) on a loopback port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"sc://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="feast-core-spark-connect-"))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 300.0) -> None:
        import pyspark

        submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
        confs = {**LEAN_CONF, "spark.connect.grpc.binding.address": "127.0.0.1",
                 "spark.connect.grpc.binding.port": str(self.port), "spark.log.level": "ERROR"}
        command = [str(submit), "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                   "--name", "feast-core-tests"]
        for key, value in confs.items():
            command += ["--conf", f"{key}={value}"]
        env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
        env.pop("SPARK_REMOTE", None)
        self.log = open(self.workdir / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Spark Connect server exited: {(self.workdir / 'server.log').read_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Spark Connect server did not listen on {self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(self, "log"):
            self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
