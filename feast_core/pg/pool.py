"""A PostgreSQL connection pool that answers "the server is down" within seconds and heals by itself.

psycopg_pool alone, when the server stops under a warm pool, drops the dead connections and reconnects in the
background with a doubling back-off; meanwhile every caller waits the whole pool timeout for a connection that
cannot come (requests queued behind one another waited a minute and more), and after the server is back the
back-off can hold service off for as long again. Here:

* a dead connection or a pool timeout makes the next step a direct connection attempt (``probe``): refused or
  timed out (``PGCONNECT_TIMEOUT``) is StoreUnavailableError at once -- a 503 from the feature server;
* while the server is known to be down the pool is closed (no background reconnect storm) and every call
  probes first, so each fails as fast as a refused connection;
* the first probe that succeeds opens a fresh pool, and service resumes with that call;
* a pool that times out with the server up is busy: StoreUnavailableError after ``FEAST_PG_POOL_TIMEOUT``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ..errors import StoreUnavailableError
from .connection import POOL_TIMEOUT_ENV, Endpoint, pool_timeout


class Pool:
    """Pooled connections to one endpoint; ``run(work, what)`` is the one way to use them."""

    def __init__(self, endpoint: Endpoint, min_size: int, max_size: int, name: str, **connection_kwargs) -> None:
        self.endpoint = endpoint
        self.min_size = max(1, min_size)
        self.max_size = max(max_size, self.min_size)
        self.name = name
        self.connection_kwargs = connection_kwargs
        self.timeout = pool_timeout()
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    def _open(self) -> ConnectionPool:
        pool = self._pool
        if pool is not None:
            return pool
        # fail fast, with PostgreSQL's reason, before a pool waits; outside the lock, so that while the server
        # is down every caller fails on its own attempt instead of queueing behind the others'
        self.endpoint.connect().close()
        with self._lock:
            if self._pool is None:
                pool = ConnectionPool(
                    "", kwargs={**self.endpoint.kwargs(), **self.connection_kwargs}, min_size=self.min_size,
                    max_size=self.max_size, open=False, name=self.name,
                )
                try:
                    pool.open(wait=True, timeout=self.timeout)
                except PoolTimeout as error:
                    pool.close()
                    raise self.endpoint.unavailable(error, "opening the connection pool") from None
                self._pool = pool
            return self._pool

    def _discard(self, pool: ConnectionPool) -> None:
        """Close ``pool`` (if it is still the current one): the next call probes the server and opens a new one."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.close(timeout=0)

    def _recover(self, pool: ConnectionPool, error: BaseException, what: str) -> None:
        """After ``error`` on ``pool``: StoreUnavailableError if the server cannot be reached (and the pool is
        discarded), or if every connection is busy; otherwise ready for one more try."""
        try:
            self.endpoint.connect().close()
        except StoreUnavailableError:
            self._discard(pool)
            raise
        if pool.closed:
            return  # another call discarded it meanwhile
        if isinstance(error, PoolTimeout):
            if pool.get_stats().get("pool_size", 0) == 0:
                self._discard(pool)  # the server is back but the pool is still backing off: start afresh
                return
            raise StoreUnavailableError(
                f"PostgreSQL at {self.endpoint.label}: all {self.max_size} pooled connections stayed busy for "
                f"{self.timeout:g} s while {what} (raise max_conn, or {POOL_TIMEOUT_ENV})"
            ) from None
        with contextlib.suppress(PoolClosed):  # closed by another call meanwhile
            pool.check()  # the server restarted: replace the connections that died with it

    def run(self, work: Callable[[psycopg.Connection], object], what: str, transaction: bool = True):
        """Run ``work`` on a pooled connection, in one transaction unless ``transaction=False``; after a server
        restart, once more on a fresh connection."""
        for attempt in (0, 1):
            pool = self._open()
            try:
                with pool.connection(timeout=self.timeout) as conn:
                    if not transaction:
                        return work(conn)
                    with conn.transaction():
                        return work(conn)
            except (PoolTimeout, psycopg.OperationalError) as error:
                if isinstance(error, pg_errors.QueryCanceled):  # the server is up; the statement was cancelled
                    raise self.endpoint.unavailable(error, what) from None
                self._recover(pool, error, what)
                if attempt == 1:
                    raise self.endpoint.unavailable(error, what) from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
