"""Connection settings and error messages for PostgreSQL, without ever exposing the password.

Credentials are passed to psycopg as separate keyword arguments, never assembled into a DSN string,
so user names and passwords may hold any character (``@ : / % # ' "`` included). Every error names
``host:port/database`` and PostgreSQL's own message, with the password scrubbed should it ever appear.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import psycopg

from ..errors import ConfigError, StoreUnavailableError

APPLICATION_NAME = "feast-core"

# How long to wait, in seconds, so that a request meets "PostgreSQL is down" (a 503) within a few seconds:
# - to connect: libpq's own variable (Feast, which leaves connect_timeout unset, obeys it too); a
#   ``connect_timeout`` in a registry URL's query string wins for that URL;
# - for a pooled connection when every one is busy (the online store's pool).
CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT = "PGCONNECT_TIMEOUT", 5.0
POOL_TIMEOUT_ENV, DEFAULT_POOL_TIMEOUT = "FEAST_PG_POOL_TIMEOUT", 5.0


def _seconds(variable: str, default: float) -> float:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"environment variable {variable}={text!r}: expected a number of seconds above 0")
    return value


def connect_timeout() -> float:
    return _seconds(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT)


def pool_timeout() -> float:
    return _seconds(POOL_TIMEOUT_ENV, DEFAULT_POOL_TIMEOUT)


@dataclass(frozen=True)
class Endpoint:
    """Where and as whom to connect."""

    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False, default="")
    options: tuple[tuple[str, str], ...] = ()  # extra libpq keywords: sslmode, sslrootcert, ...

    @property
    def label(self) -> str:
        """``host:port/database``: what error messages name."""
        return f"{self.host}:{self.port}/{self.database}"

    def kwargs(self) -> dict:
        """psycopg.connect keyword arguments. Sessions run in UTC so timestamps never depend on the server."""
        kwargs = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
            "connect_timeout": max(1, round(connect_timeout())),  # whole seconds; libpq waits 2 s for a 1
            "application_name": APPLICATION_NAME,
            "options": "-c TimeZone=UTC",
        }
        if self.password:
            kwargs["password"] = self.password
        kwargs.update(dict(self.options))
        return kwargs

    def connect(self, **extra) -> psycopg.Connection:
        try:
            return psycopg.connect(**self.kwargs(), **extra)
        except psycopg.OperationalError as error:
            raise self.unavailable(error) from None

    def scrub(self, text: str) -> str:
        if self.password and self.password in text:
            text = text.replace(self.password, "***")
        return text

    def message(self, error: BaseException) -> str:
        """PostgreSQL's message for an error, on one line, without the password."""
        text = str(error).strip() or type(error).__name__
        return self.scrub(" ".join(text.split()))

    def unavailable(self, error: BaseException, what: str = "") -> StoreUnavailableError:
        doing = f" while {what}" if what else ""
        return StoreUnavailableError(f"PostgreSQL at {self.label} is not reachable{doing}: {self.message(error)}")


def endpoint_from_config(config) -> Endpoint:
    """An Endpoint from a PostgreSQLConfig block (offline or online store)."""
    options = []
    for key, libpq in (
        ("sslmode", "sslmode"), ("sslkey_path", "sslkey"), ("sslcert_path", "sslcert"),
        ("sslrootcert_path", "sslrootcert"), ("keepalives_idle", "keepalives_idle"),
    ):
        value = getattr(config, key, None)
        if value is not None:
            options.append((libpq, str(value)))
    return Endpoint(config.host, int(config.port), config.database, config.user, config.password, tuple(options))


POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgres")


def endpoint_from_url(url: str) -> Endpoint:
    """``postgresql[+driver]://user:pass@host:port/db?sslmode=...`` with percent-encoded parts.

    The password is never echoed in an error: messages show the URL with the password replaced.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError as error:
        raise ConfigError(f"registry path {_redact(url)!r} is not a valid database URL: {error}") from None
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ConfigError(f"registry path {_redact(url)!r}: expected a postgresql:// URL")
    host = unquote(parts.hostname or "")
    database = unquote(parts.path.lstrip("/"))
    if not host or not database:
        raise ConfigError(
            f"registry path {_redact(url)!r} needs a host and a database: postgresql+psycopg://user:password@host:5432/db"
        )
    options = []
    for pair in filter(None, parts.query.split("&")):
        key, _, value = pair.partition("=")
        options.append((unquote(key), unquote(value)))
    return Endpoint(
        host=host, port=port, database=database,
        user=unquote(parts.username or ""), password=unquote(parts.password or ""), options=tuple(options),
    )


def _redact(url: str) -> str:
    """A URL with its password replaced by ``***`` (for messages)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, hostpart = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{hostpart}"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
