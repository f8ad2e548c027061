"""The file registry: one JSON document, replaced atomically, with a lock for writers.

Format (``format: feast-core-registry``, ``format_version: 1``)::

    {"format": "feast-core-registry", "format_version": 1,
     "version_id": "<uuid4 hex, new on every write>", "last_updated": "<ISO 8601 UTC>",
     "projects": {"<project>": {
         "project": {"spec": {...}, "created": iso, "last_updated": iso},
         "entities" | "data_sources" | "feature_views" | "on_demand_feature_views" | "feature_services"
           | "permissions": {"<name>": {"spec": {...}, "created": iso, "last_updated": iso}},
         "materialization": {"<view>": {"most_recent_end": iso, "intervals": [[iso, iso], ...], "last_run": iso}}}}}

Writers take an exclusive ``fcntl`` lock on ``<path>.lock``, read, change, write ``<path>.tmp-<pid>``,
fsync and ``os.replace`` it over the file: readers see the old or the new document, never a torn one,
and a second writer waits for the first and then applies its change on top of the first one's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from datetime import datetime
from pathlib import Path

from ..errors import RegistryError
from .base import FORMAT, Changes, add_interval, apply_to_raw, empty_raw, iso, utcnow

LOCK_TIMEOUT_SECONDS = 60.0


class FileRegistryStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> dict:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return empty_raw()
        except OSError as exc:
            raise RegistryError(f"registry {self.path}: cannot read: {exc.strerror}") from None
        if not text:  # an empty file (made by mkstemp, or touched) is an empty registry, as in Feast
            return empty_raw()
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RegistryError(f"registry {self.path}: not a feast-core registry (invalid JSON: {exc})") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise RegistryError(f"registry {self.path}: not a feast-core registry file (no 'format: {FORMAT}')")
        return raw

    def apply(self, changes: Changes) -> None:
        with self._locked() as raw:
            apply_to_raw(raw, changes, utcnow())

    def record_materialization(self, project: str, view: str, start: datetime, end: datetime) -> None:
        with self._locked() as raw:
            state = raw["projects"].get(project)
            if state is None or view not in state["feature_views"]:
                return  # the view was deleted meanwhile; nothing to record
            state["materialization"][view] = add_interval(state["materialization"].get(view), start, end)

    def delete_project(self, project: str) -> None:
        with self._locked() as raw:
            raw["projects"].pop(project, None)

    @contextlib.contextmanager
    def _locked(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a+")  # noqa: SIM115 (closed by `with lock`)
        except OSError as exc:
            raise RegistryError(f"registry {self.path}: cannot create: {exc.strerror}") from None
        with lock:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise RegistryError(
                            f"registry {self.path}: another process has held the write lock for "
                            f"{LOCK_TIMEOUT_SECONDS:.0f} s; try again when it finishes"
                        ) from None
                    time.sleep(0.05)
            raw = self.read()
            yield raw
            raw["version_id"] = uuid.uuid4().hex
            raw["last_updated"] = iso(utcnow())
            self._write(raw)

    def _write(self, raw: dict) -> None:
        tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "w") as handle:
                json.dump(raw, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise RegistryError(f"registry {self.path}: cannot write: {exc.strerror}") from None
