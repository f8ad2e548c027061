"""One validation per token: the user a token stands for is remembered until the token expires.

Validating a token costs a signature check (OIDC) or API calls (Kubernetes); a client sends the same token on
every request until it is refreshed, so the cache makes authentication a dictionary lookup. Entries live no
longer than the token's ``exp``, nor than ``max_age`` (so key rotation, revocation and RBAC changes show up
within it), and the cache holds at most ``capacity`` tokens (oldest dropped first).

A refused token is remembered too, for ``REFUSAL_SECONDS``: a client repeating a bad token does not make the
server ask the identity provider or the Kubernetes API again on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..errors import AuthenticationError
from .user import User

Authenticate = Callable[[str], "tuple[User, float | None]"]
REFUSAL_SECONDS = 5.0


class TokenCache:
    def __init__(self, authenticate: Authenticate, max_age: float, capacity: int = 10_000,
                 clock: Callable[[], float] = time.time) -> None:
        self._authenticate = authenticate
        self.max_age = max_age
        self.capacity = capacity
        self._clock = clock
        self._entries: dict[str, tuple[User, float]] = {}
        self._refused: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> User | None:
        """The remembered user of a token still valid now, else None (no validation is done here)."""
        entry = self._entries.get(token)
        if entry is not None and self._clock() < entry[1]:
            return entry[0]
        return None

    def user(self, token: str) -> User:
        """The token's user: remembered, or validated now (AuthenticationError when the token is no good)."""
        user = self.cached(token)
        if user is not None:
            return user
        refused = self._refused.get(token)
        if refused is not None and self._clock() < refused[1]:
            raise AuthenticationError(refused[0])
        try:
            user, expires = self._authenticate(token)
        except AuthenticationError as error:
            self._refuse(token, str(error))
            raise
        now = self._clock()
        until = now + self.max_age if expires is None else min(expires, now + self.max_age)
        if until > now:
            self._remember(token, user, until, now)
            return user
        raise AuthenticationError("token expired")

    def _refuse(self, token: str, reason: str) -> None:
        with self._lock:
            if len(self._refused) >= 1000:
                self._refused.clear()
            self._refused[token] = (reason, self._clock() + REFUSAL_SECONDS)

    def _remember(self, token: str, user: User, until: float, now: float) -> None:
        with self._lock:
            entries = self._entries
            if len(entries) >= self.capacity:
                for key in [k for k, (_, exp) in entries.items() if exp <= now]:
                    del entries[key]
                while len(entries) >= self.capacity:
                    del entries[next(iter(entries))]
            entries[token] = (user, until)

    def __len__(self) -> int:
        return len(self._entries)
