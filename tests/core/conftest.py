"""Fixtures for running the real ``feast`` command in a subprocess on repos made by ``feast init``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class FeastCli:
    """``feast ARGS`` as a user runs it: a fresh process, real files."""

    command = (sys.executable, "-m", "feast_core.cli")

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("FEAST_FS_YAML_FILE_PATH", "FEATURE_REPO_DIR_ENV_VAR")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        env.update(extra)
        return env

    def popen(self, *args: str, cwd: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [*self.command, *args], cwd=cwd, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def __call__(self, *args: str, cwd: Path, env: dict | None = None, ok: bool = True) -> subprocess.CompletedProcess:
        """With ok=True the command must succeed; with ok=False it must fail with no traceback, exit code 1
        (2 for a usage error: a bad argument or option, an unknown command)."""
        result = subprocess.run(
            [*self.command, *args], cwd=cwd, env=env or self.env(), capture_output=True, text=True, timeout=600, check=False
        )
        shown = f"feast {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
        if ok:
            assert result.returncode == 0, shown
        else:
            assert result.returncode in (1, 2), shown
            assert "Traceback" not in result.stderr, shown
        return result

    @staticmethod
    def error_line(result: subprocess.CompletedProcess) -> str:
        """The failure's message: exactly one ``Error: ...`` line on stderr."""
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        return lines[0]


@pytest.fixture(scope="session", autouse=True)
def bytecode_cache_for_subprocesses():
    """Let the ``feast`` and ``python`` processes the tests start reuse compiled bytecode.

    With PYTHONDONTWRITEBYTECODE set (and a venv installed without .pyc files), every subprocess would
    compile pandas, pyarrow and feast_core from source again, about a second each time. The cache lives
    outside the repo and the venv (PYTHONPYCACHEPREFIX); Python checks each entry against its source file.
    """
    saved = {name: os.environ.get(name) for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX",
                          str(Path(tempfile.gettempdir()) / f"feast-core-tests-pycache-{os.getuid()}"))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def feast() -> FeastCli:
    return FeastCli()


@pytest.fixture(scope="session")
def initialized_demo(tmp_path_factory, feast) -> Path:
    """A demo repo made by ``feast init demo``, never applied; copy it with ``fresh_demo_copy`` to use it."""
    base = tmp_path_factory.mktemp("initialized")
    feast("init", "demo", cwd=base)
    return base / "demo" / "feature_repo"


@pytest.fixture(scope="session")
def applied_demo(tmp_path_factory, initialized_demo, feast) -> Path:
    """The demo repo applied once; copy it with ``demo_copy`` before changing it."""
    target = tmp_path_factory.mktemp("template") / "demo"
    shutil.copytree(initialized_demo.parent, target)
    feature_repo = target / "feature_repo"
    feast("apply", cwd=feature_repo)
    return feature_repo


@pytest.fixture
def fresh_demo_copy(initialized_demo, tmp_path) -> Path:
    """A private copy of the demo repo as ``feast init demo`` left it; returns its feature_repo directory."""
    target = tmp_path / "demo"
    shutil.copytree(initialized_demo.parent, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "feature_repo"


@pytest.fixture
def demo_copy(applied_demo, tmp_path) -> Path:
    """A private copy of the applied demo repo (registry, data and all); returns its feature_repo directory."""
    target = tmp_path / "demo"
    shutil.copytree(applied_demo.parent, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "feature_repo"
