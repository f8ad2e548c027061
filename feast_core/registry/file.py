"""The file registry: one serialized ``feast.core.Registry`` message, as Feast 0.67 writes ``registry.db``.

One file holds every project. Each write sets ``registry_schema_version`` "1", a new ``version_id`` and
``last_updated``, as Feast does. Unlike Feast, writes are safe:

* a writer takes an exclusive ``fcntl`` lock on ``<path>.lock``, re-reads the file under it, applies its
  changes on top, writes ``<path>.tmp-<pid>``, fsyncs it and renames it over the file: readers see the
  old or the new registry, never a torn one, and two writers both land (the second on top of the first);
* anything that fails before the rename (a bad object, a full disk) leaves the file byte for byte as it was;
* the file keeps its permissions; a registry made read-only (no write bit) is not replaced: the write
  stops with an error saying so.

A file that is not a Feast registry (garbage, another format, a newer schema) stops every command with
an error naming it; nothing is rewritten. A file in feast_core's earlier JSON format is refused with the
command that converts it (``feast migrate``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import threading
import time
from datetime import datetime
from pathlib import Path

from google.protobuf.message import DecodeError

from ..errors import RegistryError
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from . import legacy, message
from .base import Changes
from .legacy import Conversion

LOCK_TIMEOUT_SECONDS = 60.0
BACKUP_SUFFIX = ".feast-core-v1.json"  # where feast migrate keeps the earlier file


def parse(data: bytes, path: Path) -> RegistryProto:
    """``data`` as a Registry, or a RegistryError naming ``path`` and saying what to do."""
    if legacy.is_legacy_file(data):
        raise RegistryError(legacy.file_refusal(path))
    try:
        registry = RegistryProto.FromString(data)
    except DecodeError as exc:
        raise RegistryError(
            f"registry {path}: not a Feast registry (cannot be parsed as a feast.core.Registry message: {exc}); "
            "it was left as it is: point registry.path at a Feast registry file, or move this file away"
        ) from None
    version = registry.registry_schema_version
    if version not in ("", message.SCHEMA_VERSION):
        raise RegistryError(
            f"registry {path}: registry_schema_version {version!r} is newer than the one feast_core reads "
            f"({message.SCHEMA_VERSION!r}); it was left as it is: use a feast_core release that reads it"
        )
    if not version and data and not message.project_names(registry):
        # bytes that happen to parse (protobuf is lenient) but hold nothing a registry would
        raise RegistryError(
            f"registry {path}: not a Feast registry (no schema version and no projects in {len(data)} bytes); "
            "it was left as it is: point registry.path at a Feast registry file, or move this file away"
        )
    return registry


class FileRegistryStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cache: tuple[tuple, RegistryProto] | None = None
        self._cache_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FileRegistryStore({str(self.path)!r})"

    @property
    def label(self) -> str:
        return f"file registry {self.path}"

    # ---- reading ------------------------------------------------------------------------------

    def _load(self) -> tuple[tuple | None, RegistryProto]:
        """(identity of the file read, its registry); a missing file is an empty registry."""
        try:
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                identity = (info.st_ino, info.st_size, info.st_mtime_ns)
                cached = self._cache
                if cached is not None and cached[0] == identity:
                    return identity, cached[1]
                data = handle.read()
        except FileNotFoundError:
            return None, RegistryProto()
        except IsADirectoryError:
            raise RegistryError(f"registry {self.path}: is a directory, not a registry file") from None
        except OSError as exc:
            raise RegistryError(f"registry {self.path}: cannot read: {exc.strerror}") from None
        return identity, parse(data, self.path)

    def read(self) -> RegistryProto:
        """The registry (callers must not change it: it is shared until the file changes)."""
        with self._cache_lock:
            identity, registry = self._load()
            if identity is not None:
                self._cache = (identity, registry)
            return registry

    # ---- writing ------------------------------------------------------------------------------

    def apply(self, changes: Changes) -> None:
        with self._locked() as (registry, now):
            message.apply_changes(registry, changes, now)

    def record_materialization(self, project: str, view: str, start: datetime, end: datetime) -> None:
        with self._locked() as (registry, now):
            if not message.record_materialization(registry, project, view, start, end, now):
                raise _Unchanged  # the view was deleted meanwhile: nothing to record

    def delete_project(self, project: str) -> None:
        with self._locked() as (registry, _now):
            message.delete_project(registry, project)

    def write_registry(self, registry: RegistryProto) -> None:
        """Replace the file with ``registry`` under the writers' lock (``feast migrate``)."""
        with self._locked() as (current, _now):
            current.CopyFrom(registry)

    def close(self) -> None:
        pass

    def _check_writable(self) -> int | None:
        """The file's permission bits (None if it does not exist); refuses a file without write permission."""
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RegistryError(f"registry {self.path}: cannot read: {exc.strerror}") from None
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise RegistryError(
                f"registry {self.path} is read-only (mode {mode:04o}), so it was not changed; "
                f"make it writable (chmod u+w {self.path}) to apply, or point registry.path at another file"
            )
        return mode

    @contextlib.contextmanager
    def _writer_lock(self):
        """The writers' lock (``<path>.lock``), waited for up to LOCK_TIMEOUT_SECONDS; yields the file's mode."""
        self._check_writable()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a+")  # noqa: SIM115 (closed by `with lock`)
        except OSError as exc:
            raise RegistryError(f"registry {self.path}: cannot create its lock file: {exc.strerror}") from None
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
            yield self._check_writable()  # again, under the lock

    @contextlib.contextmanager
    def _locked(self):
        """Lock, yield (a fresh copy of the registry, now), then write it, unless the block raised."""
        with self._writer_lock() as mode:
            _identity, shared = self._load()
            registry = RegistryProto()
            registry.CopyFrom(shared)  # the cached message stays as readers saw it
            now = message.utcnow()
            try:
                yield registry, now
            except _Unchanged:
                return
            message.stamp(registry, now)
            self._write(registry.SerializeToString(), mode)

    # ---- feast migrate -----------------------------------------------------------------------

    def migrate_legacy(self, dry_run: bool = False) -> Conversion | None:
        """Convert a registry file in feast_core's earlier JSON format to Feast's, keeping the old file as
        ``<path>.feast-core-v1.json`` (None: nothing to convert)."""
        with contextlib.ExitStack() as stack:
            mode = None if dry_run else stack.enter_context(self._writer_lock())
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise RegistryError(f"registry {self.path}: cannot read: {exc.strerror}") from None
            if not legacy.is_legacy_file(data):
                parse(data, self.path)  # a Feast registry already (or one we cannot read: say so)
                return None
            try:
                registry, counts = legacy.to_registry(legacy.read_file(data, self.path))
            except (ValueError, KeyError, TypeError) as exc:
                raise RegistryError(f"registry {self.path}: cannot convert it ({exc}); it was left as it is") from None
            if dry_run:
                return Conversion(counts, registry)
            backup = self.path.with_name(self.path.name + BACKUP_SUFFIX)
            try:
                if not backup.exists():
                    backup.write_bytes(data)
            except OSError as exc:
                raise RegistryError(f"registry {self.path}: cannot keep a copy at {backup}: {exc.strerror}") from None
            self._write(registry.SerializeToString(), mode)
            return Conversion(counts, registry)

    def _write(self, data: bytes, mode: int | None) -> None:
        tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise RegistryError(f"registry {self.path}: cannot write: {exc.strerror}") from None
        with contextlib.suppress(OSError):
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)


class _Unchanged(Exception):
    """Raised inside a locked block to leave the file as it is."""
