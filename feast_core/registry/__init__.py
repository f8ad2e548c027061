"""The registry: a store (file or SQL) in Feast's format, behind a cache that hands out parsed snapshots."""

from __future__ import annotations

import threading
import time

from ..config import RepoConfig
from .base import Changes, RegistryStore
from .file import FileRegistryStore
from .snapshot import Materialization, ProjectObjects, Snapshot, empty_project


def open_store(config: RepoConfig) -> RegistryStore:
    registry = config.registry
    if registry.registry_type == "sql":
        from .sql import SqlRegistryStore

        return SqlRegistryStore(
            registry.path, config.repo_path, schema_mode=registry.schema_mode,
            purge_feast_metadata=registry.purge_feast_metadata,
        )
    if registry.registry_type == "remote":
        from .remote import RemoteRegistryStore

        return RemoteRegistryStore(registry, config.auth)
    if "://" in registry.path and not registry.path.startswith("file://"):
        from ..errors import ConfigError

        raise ConfigError(
            f"{config.source}: registry path {registry.path!r} is a URL; set registry_type: sql for a database, "
            "or give a local file path"
        )
    return FileRegistryStore(config.resolve(registry.path.removeprefix("file://") or "data/registry.db"))


class Registry:
    """Caches a parsed snapshot for ``cache_ttl_seconds`` (0 = load once; refresh() always reloads).

    A refresh that finds the same registry (same message, or the same non-empty ``version_id``) keeps
    the snapshot it has, objects already parsed included.
    """

    def __init__(self, store: RegistryStore, cache_ttl_seconds: float) -> None:
        self.store = store
        self.cache_ttl_seconds = cache_ttl_seconds
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def snapshot(self, allow_cache: bool = True) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and allow_cache and not self._expired():
            return snapshot
        return self.refresh()

    def refresh(self) -> Snapshot:
        with self._lock:
            message = self.store.read()
            current = self._snapshot
            same = current is not None and (
                message is current.message or (message.version_id and message.version_id == current.version_id)
            )
            if not same:
                current = Snapshot(message)
            self._snapshot, self._loaded_at = current, time.monotonic()
            return current

    @property
    def cached_snapshot(self) -> Snapshot | None:
        """The snapshot last read, without reading anything (None before the first read)."""
        return self._snapshot

    def age_seconds(self) -> float | None:
        """Seconds since the registry was last read (None before the first read)."""
        return None if self._snapshot is None else time.monotonic() - self._loaded_at

    def _expired(self) -> bool:
        ttl = self.cache_ttl_seconds
        return ttl > 0 and time.monotonic() - self._loaded_at > ttl

    def apply(self, changes: Changes, refresh: bool = True) -> None:
        """Write ``changes``; with ``refresh`` (the default) the cached snapshot is re-read at once."""
        self.store.apply(changes)
        if refresh:
            self.refresh()

    def record_materialization(self, project, view, start, end) -> None:
        self.store.record_materialization(project, view, start, end)
        self.refresh()

    def delete_project(self, project: str) -> None:
        self.store.delete_project(project)
        self.refresh()

    def close(self) -> None:
        self.store.close()


__all__ = [
    "Changes", "FileRegistryStore", "Materialization", "ProjectObjects", "Registry", "RegistryStore", "Snapshot",
    "empty_project", "open_store",
]
