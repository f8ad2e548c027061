"""Upstream Feast, run in its own virtual environment (``.venv-upstream``, made by scripts/bootstrap).

Its ``feast`` command and ``feast`` package would clash with ours in one environment, so every call is a
fresh process of that environment's Python: ``run_python`` executes a script and returns what it printed
last as JSON; ``cli`` runs upstream's ``feast`` command. Interoperability tests drive both SDKs against
one registry and one online store and compare what each sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("FEAST_UPSTREAM_VENV", ROOT / ".venv-upstream"))
# CI sets this: there a missing upstream Feast is a failure, not a skip
REQUIRED_ENV = "FEAST_CORE_REQUIRE_UPSTREAM"


def available() -> bool:
    return (VENV / "bin" / "feast").exists()


@dataclass
class UpstreamFeast:
    venv: Path = VENV
    timeout: float = 300.0

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "FEAST_FS_YAML_FILE_PATH", "FEATURE_REPO_DIR_ENV_VAR")
        }
        env.update({"FEAST_USAGE": "False", "TZ": "UTC", "PYTHONWARNINGS": "ignore"})
        env.update(extra or {})
        return env

    def version(self) -> str:
        return self.run_python("import feast, json; print(json.dumps(feast.__version__))", cwd=ROOT)

    def run_python(self, script: str, cwd: Path, env: dict[str, str] | None = None, ok: bool = True):
        """Run ``script`` with upstream Feast; return the JSON its last stdout line holds (None if no output)."""
        result = subprocess.run(
            [self.python, "-c", textwrap.dedent(script)], cwd=cwd, env=self.env(env), capture_output=True,
            text=True, timeout=self.timeout, check=False,
        )
        if ok and result.returncode != 0:
            raise AssertionError(f"upstream Feast script failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        if not ok:
            return result
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def cli(self, *args: str, cwd: Path, env: dict[str, str] | None = None, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(self.venv / "bin" / "feast"), *args], cwd=cwd, env=self.env(env), capture_output=True, text=True,
            timeout=self.timeout, check=False,
        )
        if ok:
            assert result.returncode == 0, f"upstream feast {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
        return result


# A long-lived upstream process: importing Feast costs seconds, so a scenario keeps one process and sends it
# code. Each request is one JSON line {"code": ...}; the code runs in one namespace kept between requests and
# sets ``result`` (JSON-able); the answer is one JSON line on the process's own stdout (what the code prints
# goes to stderr, which is kept in a file for failures).
_SESSION_DRIVER = r'''
import json, os, sys, traceback, warnings
warnings.simplefilter("ignore")
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr
namespace = {}
for line in sys.stdin:
    request = json.loads(line)
    os.chdir(request["cwd"])
    try:
        exec(compile(request["code"], "<upstream session>", "exec"), namespace)
        answer = {"ok": True, "result": namespace.pop("result", None)}
    except BaseException:
        answer = {"ok": False, "error": traceback.format_exc()}
    answers.write(json.dumps(answer, default=str) + "\n")
    answers.flush()
'''


class UpstreamSession:
    """One upstream Feast process kept for a scenario: ``run(code, cwd)`` executes code there and returns the
    ``result`` it set. Close it (or use it as a context manager) when done."""

    def __init__(self, feast: UpstreamFeast, log: Path, env: dict[str, str] | None = None) -> None:
        self.feast = feast
        self.log_path = log
        self._log = open(log, "w")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            [feast.python, "-u", "-c", _SESSION_DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, text=True, env=feast.env(env), cwd=ROOT,
        )

    def run(self, code: str, cwd: Path, timeout: float | None = None):
        import select

        self.process.stdin.write(json.dumps({"code": textwrap.dedent(code), "cwd": str(cwd)}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout or self.feast.timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.close()
            raise AssertionError(f"upstream session gave no answer; its log:\n{self.log_path.read_text()[-4000:]}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise AssertionError(f"upstream Feast failed:\n{answer['error']}")
        return answer["result"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> UpstreamSession:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
