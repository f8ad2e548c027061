"""Pack every charm once per session with charmcraft's own build code (scripts/pack-charms).

Packing needs `.venv-charmcraft`, which scripts/bootstrap makes. Without it these tests skip,
except in CI (.ci/run sets FEAST_CORE_REQUIRE_CHARMCRAFT), where that is a failure.
"""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CHARMCRAFT_VENV = REPO / ".venv-charmcraft"
REQUIRED_ENV = "FEAST_CORE_REQUIRE_CHARMCRAFT"
# scripts/pack-charms links the Python it builds charm venvs with here
CHARM_PYTHON_LINK = REPO / "build" / "pack" / "python3-for-charm-venv" / "python3"


def _unpack(charm_file: Path, target: Path) -> Path:
    """Unzip a .charm as Juju does, keeping the file modes stored in the archive."""
    with zipfile.ZipFile(charm_file) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, target))
            mode = info.external_attr >> 16
            if mode and not info.is_dir():
                path.chmod(stat.S_IMODE(mode))
    return target


@pytest.fixture(scope="session")
def packed_charms(tmp_path_factory) -> dict[str, Path]:
    """{charm name: the .charm file} for every charm under charms/."""
    if not (CHARMCRAFT_VENV / "bin" / "charmcraft").exists():
        message = f"charmcraft is not installed in {CHARMCRAFT_VENV}: run scripts/bootstrap"
        if os.environ.get(REQUIRED_ENV):
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("packed")
    result = subprocess.run(
        [str(REPO / "scripts" / "pack-charms"), "--out", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, f"scripts/pack-charms failed:\n{result.stdout}\n{result.stderr}"
    return {path.name.split("_")[0]: path for path in sorted(out.glob("*.charm"))}


@pytest.fixture(scope="session")
def unpacked_charms(packed_charms, tmp_path_factory) -> dict[str, Path]:
    """{charm name: directory holding the unpacked .charm}."""
    root = tmp_path_factory.mktemp("unpacked")
    return {name: _unpack(path, root / name) for name, path in packed_charms.items()}


@pytest.fixture(scope="session")
def charm_python(packed_charms) -> str:
    """The Python the packed venvs were built with (3.12 where installed, as on Ubuntu 24.04)."""
    if CHARM_PYTHON_LINK.exists():
        return str(CHARM_PYTHON_LINK.resolve())
    return "python3"


@pytest.fixture(scope="session")
def scenario_only(tmp_path_factory) -> Path:
    """A directory holding only ops-scenario (which plays Juju), linked from this repo's venv."""
    import scenario

    directory = tmp_path_factory.mktemp("scenario-only")
    (directory / "scenario").symlink_to(Path(scenario.__file__).parent)
    return directory
