"""``feast init``: a new feature repository from a template, with its demo data generated locally."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import RepoError

TEMPLATES = ("local",)
PROJECT_TOKEN = "__PROJECT__"
DRIVER_IDS = [1001, 1002, 1003, 1004, 1005]
HISTORY_DAYS = 15
FIXED_EVENT = datetime(2021, 4, 12, 7, 0, tzinfo=timezone.utc)  # the row the demo's training query finds

_PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_ADJECTIVES = ["brave", "calm", "eager", "fond", "keen", "lucid", "merry", "noble", "proud", "quick", "sunny", "witty"]
_ANIMALS = ["badger", "crane", "falcon", "gecko", "heron", "ibis", "lynx", "otter", "panda", "quail", "robin", "wren"]


def random_project_name() -> str:
    return f"{random.choice(_ADJECTIVES)}_{random.choice(_ANIMALS)}"


def driver_stats(now: datetime | None = None, seed: int = 0) -> pd.DataFrame:
    """Hourly statistics of drivers 1001..1005 over the 15 days before the current hour, plus one fixed row
    per driver at 2021-04-12 07:00 UTC. ``created`` is when the rows were made (naive, as Feast writes it)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    end = pd.Timestamp(now).floor("h")
    hours = pd.date_range(end - pd.Timedelta(days=HISTORY_DAYS), end, freq="h", inclusive="left", unit="ms")
    stamps = hours.append(pd.DatetimeIndex([pd.Timestamp(FIXED_EVENT)]).as_unit("ms"))
    rows = len(stamps) * len(DRIVER_IDS)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "event_timestamp": np.tile(stamps.values, len(DRIVER_IDS)),
            "driver_id": np.repeat(np.array(DRIVER_IDS, dtype="int64"), len(stamps)),
            "conv_rate": rng.random(rows).astype("float32"),
            "acc_rate": rng.random(rows).astype("float32"),
            "avg_daily_trips": rng.integers(0, 1000, rows, dtype="int64"),
        }
    )
    frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"]).dt.tz_localize("UTC")
    frame["created"] = pd.Timestamp(now.replace(tzinfo=None)).floor("ms")
    return frame


def init_repo(target: Path, template: str = "local", minimal: bool = False) -> Path:
    """Write a new repo at ``target`` (its name is the project's); returns the feature_repo directory."""
    if template not in TEMPLATES:
        raise RepoError(f"unknown template {template!r}; available: {', '.join(TEMPLATES)}")
    target = Path(target).resolve()
    project = target.name
    if not _PROJECT_NAME.match(project):
        raise RepoError(
            f"cannot use {project!r} as a project name: use letters, digits, '_' and '-', "
            "not starting with '_' or '-'"
        )
    feature_repo = target / "feature_repo"
    if (feature_repo / "feature_store.yaml").exists() or (target / "feature_store.yaml").exists():
        raise RepoError(f"{target} already holds a feature repository (feature_store.yaml); choose another directory")
    source = resources.files("feast_core") / "templates" / ("minimal" if minimal else template)
    _copy_tree(source, target, project)
    (feature_repo / "data").mkdir(parents=True, exist_ok=True)
    if not minimal:
        driver_stats().to_parquet(feature_repo / "data" / "driver_stats.parquet", index=False)
    return feature_repo


def _copy_tree(source, target: Path, project: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "__init__.py").touch()
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        name = ".gitignore" if entry.name == "gitignore" else entry.name
        if entry.is_dir():
            _copy_tree(entry, target / name, project)
        else:
            (target / name).write_text(entry.read_text().replace(PROJECT_TOKEN, project))


__all__ = ["driver_stats", "init_repo", "random_project_name"]
