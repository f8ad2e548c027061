"""Opening SQLite files shared by several processes (the SQL registry and the online store)."""

from __future__ import annotations

import sqlite3
import time


def enable_wal(conn: sqlite3.Connection, wait_seconds: float) -> None:
    """Switch a database to WAL, waiting out another process doing the same.

    Changing the journal mode needs an exclusive lock, and SQLite reports "database is locked" at
    once, instead of calling the busy handler, when two processes race to do it on a new file.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
