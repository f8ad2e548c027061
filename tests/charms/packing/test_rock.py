"""The feast-ui rock builds from what its own directory holds: feast-core comes in as a wheel built first.

rockcraft cannot run here (it needs LXD or Multipass). What can be checked is checked: every part's
source lies inside rocks/feast-ui (all a managed build mounts), craft-parts' own models accept the
parts, and the tutorial's wheel step (scripts/build-rock-wheel) leaves in rocks/feast-ui/dist a wheel
that installs, from a copy of that directory alone, a working `feast` command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
ROCK_DIR = REPO / "rocks" / "feast-ui"
ROCK = yaml.safe_load((ROCK_DIR / "rockcraft.yaml").read_text())
CHARMCRAFT_PYTHON = REPO / ".venv-charmcraft" / "bin" / "python"

VALIDATE_PARTS = """
import json, sys
import yaml
from craft_parts import plugins
from craft_parts.errors import PartsError
from craft_parts.parts import PartSpec

errors = {}
for name, part in yaml.safe_load(open(sys.argv[1]))["parts"].items():
    plugin = part.get("plugin") or "nil"
    try:
        plugins.get_plugin_class(plugin).properties_class.unmarshal(dict(part))
        PartSpec.unmarshal(plugins.extract_part_properties(dict(part), plugin_name=plugin))
    except (ValueError, PartsError) as error:  # pydantic's ValidationError is a ValueError
        errors[name] = str(error)
print(json.dumps(errors))
"""


@pytest.mark.parametrize("name", sorted(ROCK["parts"]))
def test_part_sources_stay_inside_the_rock_directory(name):
    source = ROCK["parts"][name].get("source")
    if source is None:
        return
    assert "://" not in source, f"{name}: a remote source would not be this repository's code"
    resolved = (ROCK_DIR / source).resolve()
    assert resolved.is_relative_to(ROCK_DIR), f"{name}: source {source!r} leaves rocks/feast-ui"


def craft_parts_errors(rockcraft_yaml: Path) -> dict[str, str]:
    if not CHARMCRAFT_PYTHON.exists():
        if os.environ.get("FEAST_CORE_REQUIRE_CHARMCRAFT"):
            pytest.fail("craft-parts (in .venv-charmcraft) is not installed: run scripts/bootstrap")
        pytest.skip("craft-parts (in .venv-charmcraft) is not installed: run scripts/bootstrap")
    result = subprocess.run(
        [str(CHARMCRAFT_PYTHON), "-c", VALIDATE_PARTS, str(rockcraft_yaml)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(result.stdout)


def test_craft_parts_accepts_the_parts():
    assert craft_parts_errors(ROCK_DIR / "rockcraft.yaml") == {}


def test_craft_parts_would_name_a_misspelt_key(tmp_path):
    broken = yaml.safe_load((ROCK_DIR / "rockcraft.yaml").read_text())
    broken["parts"]["feast-core"]["python-requirement"] = broken["parts"]["feast-core"].pop("python-requirements")
    (tmp_path / "rockcraft.yaml").write_text(yaml.safe_dump(broken))
    errors = craft_parts_errors(tmp_path / "rockcraft.yaml")
    assert list(errors) == ["feast-core"]
    assert "python-requirement" in errors["feast-core"]


def test_feast_core_part_installs_the_wheel_named_in_dist():
    part = ROCK["parts"]["feast-core"]
    assert part["plugin"] == "python"
    assert part["source"] == "dist"
    assert part["python-requirements"] == ["requirements.txt"]


def test_wheel_step_gives_the_rock_directory_a_working_feast(tmp_path):
    subprocess.run([str(REPO / "scripts" / "build-rock-wheel")], check=True, capture_output=True, timeout=300)
    dist = ROCK_DIR / "dist"
    (wheel,) = dist.glob("feast_core-*.whl")
    assert (dist / "requirements.txt").read_text() == f"./{wheel.name}\n"

    # what a managed build sees: the rock directory alone
    rock_copy = tmp_path / "feast-ui"
    shutil.copytree(ROCK_DIR, rock_copy)
    venv = tmp_path / "venv"
    uv = REPO / ".venv" / "bin" / "uv"
    subprocess.run([str(uv), "venv", "-q", "-p", sys.executable, str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(uv), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "-r", "requirements.txt"],
        cwd=rock_copy / "dist", check=True, capture_output=True, timeout=600,
    )
    feast = venv / "bin" / "feast"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    ui_help = subprocess.run([str(feast), "ui", "--help"], capture_output=True, text=True, check=True,
                             timeout=120, cwd=tmp_path, env=env)
    assert "--root_path" in ui_help.stdout
    located = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import feast_core, importlib.resources as r;"
         "print(feast_core.__file__); print(r.files('feast_core.ui').joinpath('templates').is_dir())"],
        capture_output=True, text=True, check=True, timeout=120, cwd=tmp_path, env=env,
    ).stdout.split()
    assert Path(located[0]).is_relative_to(venv), "feast_core must come from the wheel, not this checkout"
    assert located[1] == "True", "the UI's templates must be in the wheel"
