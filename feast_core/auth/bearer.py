"""``Authorization: Bearer <token>``, as Feast's servers read it and its clients write it."""

from __future__ import annotations

from ..errors import AuthenticationError

SCHEME = "bearer"


def token_from_header(value: str | bytes | None) -> str:
    """The token of an ``Authorization`` header value. The scheme is case-insensitive (``bearer`` works, as in
    Feast); anything else -- no header, another scheme, no token, extra words -- is an AuthenticationError."""
    if value is None:
        raise AuthenticationError("missing Authorization header")
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationError("the Authorization header is not ASCII") from None
    parts = value.split()
    if len(parts) != 2 or parts[0].lower() != SCHEME:
        raise AuthenticationError("the Authorization header is not 'Bearer <token>'")
    return parts[1]


def header_value(token: str) -> str:
    return f"Bearer {token}"


def authorization_from_metadata(metadata) -> str | None:
    """The ``authorization`` value among gRPC invocation metadata or Arrow Flight call headers (pairs or a dict
    of key -> value or list of values; keys compared case-insensitively), for the interceptors of those servers."""
    items = metadata.items() if hasattr(metadata, "items") else (metadata or ())
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if key.lower() == "authorization":
            if isinstance(value, (list, tuple)):
                value = value[0] if value else None
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None
