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
