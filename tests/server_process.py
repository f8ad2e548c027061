"""A feast server (``serve_offline``, ``serve_registry``, ...; ours, or upstream Feast's with ``command``) in a
subprocess on a free loopback port, with its output kept for the test to read."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen, log, what: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"{what} exited with {process.returncode}:\n{log.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{what} did not listen on {port} within 120 s")


class ServerProcess:
    """``feast <subcommand> -h 127.0.0.1 -p <port> <args>`` run in ``repo``; ``stop()`` returns (code, output)."""

    def __init__(self, repo: Path, subcommand: str, *args: str, command: list[str] | None = None,
                 env: dict | None = None) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 -- closed in stop()
        base = command or [sys.executable, "-m", "feast_core.cli"]
        environment = {k: v for k, v in os.environ.items() if k not in ("FEAST_FS_YAML_FILE_PATH",)}
        environment.update({"PYTHONPATH": str(ROOT)} if command is None else {})
        environment.update(env or {})
        host = [] if subcommand == "serve_registry" and command is not None else ["-h", "127.0.0.1"]
        self.process = subprocess.Popen([*base, subcommand, *host, "-p", str(self.port), *args], cwd=repo,
                                        env=environment, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        try:
            wait_listening(self.port, self.process, self.log, subcommand)
        except AssertionError:
            self.stop()
            raise

    def stop(self) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.seek(0)
        output = self.log.read()
        self.log.close()
        return self.process.returncode, output
