"""TLS for feast_core's gRPC and Arrow Flight servers, as Feast's take it: a PEM private key and a PEM certificate
(chain), given together (``-k/--key`` and ``-c/--cert``) or not at all. Clients are not asked for certificates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError


@dataclass(frozen=True)
class KeyPair:
    key: bytes
    cert: bytes


def _read(path: str, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(f"TLS {what} {path}: cannot read: {error.strerror}") from None
    if b"-----BEGIN" not in data:
        raise ConfigError(f"TLS {what} {path}: not a PEM file")
    return data


def key_pair(key: str | None, cert: str | None) -> KeyPair | None:
    """The server's key and certificate, or None for plain text; ConfigError when only one is given or a file
    cannot be read."""
    if not key and not cert:
        return None
    if not key or not cert:
        raise ConfigError("TLS needs both a key (-k/--key) and a certificate (-c/--cert), or neither")
    return KeyPair(_read(key, "key"), _read(cert, "certificate"))
