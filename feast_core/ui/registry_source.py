"""The UI's view of the registry: re-read at most every ``ttl`` seconds, whatever the store's own cache ttl.

The store's registry cache (``cache_ttl_seconds``, 600 s by default) suits feature serving, not a page a
person reloads after ``feast apply``; the UI keeps its own clock over the same backend so new objects show
up within ``registry_ttl_sec`` without a restart.
"""

from __future__ import annotations

import threading
import time

from ..errors import FeastError
from ..registry import ProjectObjects, Registry, Snapshot


class RegistryUnavailable(Exception):
    """The registry cannot be read or parsed; ``reason`` says why, for the error page and /health."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RegistrySource:
    def __init__(self, registry: Registry, ttl_seconds: float, visibility=None) -> None:
        self._registry = registry
        self._visibility = visibility  # ui/access.Visibility: what the request's user may see
        self._ttl = ttl_seconds
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """A snapshot no older than the ttl (0 or less: re-read on every call)."""
        with self._lock:
            fresh = self._read_at is not None and self._ttl > 0 and time.monotonic() - self._read_at < self._ttl
            try:
                snapshot = self._registry.snapshot(allow_cache=True) if fresh else self._registry.refresh()
            except FeastError as exc:
                self._read_at = None
                raise RegistryUnavailable(str(exc)) from None
            except OSError as exc:  # a backend that lets a socket or file error through
                self._read_at = None
                raise RegistryUnavailable(f"registry cannot be read: {exc}") from None
            if not fresh:
                self._read_at = time.monotonic()
            return snapshot

    def project_names(self, snapshot: Snapshot) -> list[str]:
        """The projects the request's user may see."""
        names = snapshot.project_names
        if self._visibility is None:
            return names
        return [n for n in names if self._visibility.project_visible(self._parsed(snapshot, n))]

    def project(self, snapshot: Snapshot, name: str) -> ProjectObjects:
        """A project's parsed objects, less what the request's user may not see."""
        objects = self._parsed(snapshot, name)
        return objects if self._visibility is None else self._visibility.view(objects)

    def _parsed(self, snapshot: Snapshot, name: str) -> ProjectObjects:
        """A project's parsed objects; a record the definitions cannot parse makes the registry unavailable."""
        try:
            return snapshot.require_project(name)
        except FeastError:
            raise
        except (KeyError, ValueError, TypeError) as exc:
            raise RegistryUnavailable(
                f"project {name!r} in the registry cannot be parsed ({type(exc).__name__}: {exc}); "
                "was it written by a different version of feast-core?"
            ) from None


__all__ = ["RegistrySource", "RegistryUnavailable"]
