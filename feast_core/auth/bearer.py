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
