"""A statement run with libpq's own prepared-statement calls, for the hot path of online reads.

psycopg's ``execute`` drives the protocol from Python (a generator per call, several waits for the socket,
a cursor, an adapter map, a transformer), which costs more client time than a small read takes on the
server: 40-70 us for one key, 0.2 ms for a 14 kB result. Here a statement is prepared once per connection
under a fixed name (``PQprepare``) and each call is one ``PQexecPrepared`` with binary parameters and
results, a blocking libpq call that releases the GIL while it waits, on a connection from the same psycopg
pool. Errors are psycopg's own exception classes (``psycopg.errors.UndefinedTable``...), and a connection
that broke raises ``psycopg.OperationalError``, so pg/pool.py recovers as from any other call.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence

import psycopg
from psycopg import errors as pg_errors
from psycopg import pq

_OK = pq.ExecStatus.COMMAND_OK
_TUPLES = pq.ExecStatus.TUPLES_OK
_BINARY = 1


class Statement:
    """One SQL statement with ``$n`` parameters of fixed types (OIDs), run on psycopg connections."""

    def __init__(self, sql: str, param_types: Sequence[int]) -> None:
        self.sql = sql.encode("utf-8")
        self.param_types = list(param_types)
        self.name = b"feast_core_" + hashlib.sha1(self.sql).hexdigest()[:20].encode()
        self._formats = [_BINARY] * len(self.param_types)
        # the connections this statement is prepared on (a connection that is gone drops out by itself)
        self._prepared: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()

    def run(self, conn: psycopg.Connection, params: Sequence[bytes | None]) -> pq.abc.PGresult:
        """Execute on ``conn`` (idle, outside a transaction block or inside one); returns the result rows in
        binary (``result.get_value(row, column)`` is the column's bytes or None)."""
        pgconn = conn.pgconn
        if conn not in self._prepared:
            self._prepare(conn)
        result = pgconn.exec_prepared(self.name, params, self._formats, _BINARY)
        if result.status != _TUPLES and _sqlstate(result) == "26000":  # deallocated meanwhile (DISCARD ALL...)
            self._prepare(conn)
            result = pgconn.exec_prepared(self.name, params, self._formats, _BINARY)
        if result.status != _TUPLES:
            raise _error(conn, result)
        return result

    def _prepare(self, conn: psycopg.Connection) -> None:
        result = conn.pgconn.prepare(self.name, self.sql, self.param_types)
        if result.status != _OK and _sqlstate(result) == "42P05":  # already there (prepared before a reset)
            self._prepared.add(conn)
            return
        if result.status != _OK:
            raise _error(conn, result)
        self._prepared.add(conn)


def _sqlstate(result: pq.abc.PGresult) -> str:
    state = result.error_field(pq.DiagnosticField.SQLSTATE)
    return state.decode("ascii", "replace") if state else ""


def _error(conn: psycopg.Connection, result: pq.abc.PGresult) -> psycopg.Error:
    encoding = conn.info.encoding
    if conn.pgconn.status == pq.ConnStatus.BAD:  # the server went away: let the pool recover
        message = result.get_error_message(encoding) or conn.pgconn.get_error_message(encoding)
        return psycopg.OperationalError(f"connection lost: {message.strip()}")
    return pg_errors.error_from_result(result, encoding=encoding)
