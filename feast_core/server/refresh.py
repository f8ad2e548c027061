"""Re-read the registry on a background thread, so that no request ever waits on a refresh."""

from __future__ import annotations

import logging
import threading

from .. import telemetry
from ..errors import FeastError
from ..store import FeatureStore

log = logging.getLogger(__name__)


class RegistryRefresher:
    """Every ``interval`` seconds, ``store.refresh_registry()``. Requests read the cached snapshot only: the
    store's own expiry is switched off (``cache_ttl_seconds = 0``), so the refresh happens here and nowhere else."""

    def __init__(self, store: FeatureStore, interval: float) -> None:
        self.store = store
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        store.registry.cache_ttl_seconds = 0

    def refresh_now(self) -> bool:
        try:
            self.store.refresh_registry()
        except (FeastError, OSError) as error:
            self.last_error = str(error)
            _count("error")
            log.warning("registry refresh failed; still serving the last registry read: %s", error)
            return False
        self.last_error = None
        _count("ok")
        return True

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="feast-registry-refresh", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.refresh_now()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def _count(status: str) -> None:
    if telemetry.flags.freshness:
        from ..telemetry.metrics import REGISTRY_REFRESHES

        REGISTRY_REFRESHES.labels(status).inc()
