"""OIDC: a bearer token becomes a user when an identity provider's key signed it and its claims hold.

* The discovery document (``auth_discovery_url``) names the JWKS; both are read when the server starts, and a
  provider that cannot be read then stops the start (``AuthConfigError``).
* Keys are kept ``jwks_cache_lifespan_seconds``, then re-read; a token naming a key id not in the set triggers
  one re-read (at most one every ``UNKNOWN_KID_REFRESH_SECONDS``, so random key ids cannot flood the provider).
  A failed re-read keeps the keys held (logged): the provider going down does not lock everybody out.
* The signature is checked with the algorithm of the key that the token names, never with the token's own say:
  ``none`` and the HMAC family are refused outright, an RSA key verifies only RS*/PS*, an EC key only the ES*
  of its curve, and a key that declares ``alg`` only that one. Symmetric (``oct``) keys in a JWKS are ignored.
* ``exp`` is required and checked, ``nbf`` checked when present (10 s leeway, as Feast); ``aud`` and ``iss``
  are checked when ``audience`` / ``issuer`` are configured (as Feast: unset = not checked).
* The user: the first string among ``preferred_username``, ``upn``, ``azp``, ``appid``, ``sub``; roles from
  ``resource_access.<client_id>.roles`` (when ``client_id`` is set) and the top-level ``roles``; groups from
  ``groups``. A token with a ``kubernetes.io`` claim (a service-account token) is reviewed by the Kubernetes
  API instead, as Feast does, when one is reachable; the user then carries only its namespace.
"""

from __future__ import annotations

import logging
import threading
import time

import jwt
from jwt import PyJWK

from ..errors import AuthConfigError, AuthenticationError
from . import http
from .config import OidcAuthConfig
from .user import User

log = logging.getLogger(__name__)

LEEWAY_SECONDS = 10
UNKNOWN_KID_REFRESH_SECONDS = 5.0
USERNAME_CLAIMS = ("preferred_username", "upn", "azp", "appid", "sub")

_RSA = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC = {"P-256": ("ES256",), "P-384": ("ES384",), "P-521": ("ES512",), "secp256k1": ("ES256K",)}
ASYMMETRIC = frozenset((*_RSA, "ES256", "ES384", "ES512", "ES256K", "EdDSA"))


def algorithms_for(jwk: dict) -> tuple[str, ...]:
    """The algorithms a JWK may verify: its declared ``alg``, else its key type's family."""
    declared = jwk.get("alg")
    if declared:
        return (declared,) if declared in ASYMMETRIC else ()
    kty = jwk.get("kty")
    if kty == "RSA":
        return _RSA
    if kty == "EC":
        return _EC.get(jwk.get("crv"), ())
    if kty == "OKP":
        return ("EdDSA",)
    return ()


class KeySet:
    """A provider's signing keys by key id, re-read when stale or when a token names a key id not held."""

    def __init__(self, jwks_uri: str, lifespan: float, timeout: float, context) -> None:
        self.jwks_uri, self.lifespan, self.timeout, self.context = jwks_uri, lifespan, timeout, context
        self._keys: dict[str | None, tuple[PyJWK, tuple[str, ...]]] = {}
        self._read_at = 0.0
        self._last_miss_refresh = 0.0
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read the key set now; raises http.FetchError."""
        document = http.get_json(self.jwks_uri, self.timeout, self.context)
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise http.FetchError(f"{self.jwks_uri} holds no 'keys' list")
        keys: dict[str | None, tuple[PyJWK, tuple[str, ...]]] = {}
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            algorithms = algorithms_for(entry)
            if not algorithms:
                continue  # symmetric, unknown or mislabelled keys never verify anything
            try:
                key = PyJWK.from_dict(entry)
            except (jwt.PyJWTError, ValueError, TypeError) as error:
                log.warning("ignoring a JWKS key (kid %r) that cannot be loaded: %s", entry.get("kid"), error)
                continue
            keys[entry.get("kid")] = (key, algorithms)
        if not keys:
            raise http.FetchError(f"{self.jwks_uri} holds no usable signing key")
        with self._lock:
            self._keys, self._read_at = keys, time.monotonic()

    def _refresh(self, reason: str) -> None:
        try:
            self.load()
        except http.FetchError as error:
            log.warning("could not re-read the JWKS (%s); keeping the keys held: %s", reason, error)

    def key(self, kid: str | None) -> tuple[PyJWK, tuple[str, ...]]:
        if time.monotonic() - self._read_at > self.lifespan:
            self._refresh("cache lifespan over")
        found = self._find(kid)
        if found is None:
            now = time.monotonic()
            with self._lock:
                allowed = now - self._last_miss_refresh >= UNKNOWN_KID_REFRESH_SECONDS
                if allowed:
                    self._last_miss_refresh = now
            if allowed:
                self._refresh(f"unknown key id {kid!r}")
                found = self._find(kid)
        if found is None:
            raise AuthenticationError(f"no signing key {kid!r} in the provider's key set")
        return found

    def _find(self, kid: str | None):
        keys = self._keys
        if kid is not None:
            return keys.get(kid)
        return next(iter(keys.values())) if len(keys) == 1 else None


class OidcAuthenticator:
    """Validates tokens for a server configured with ``auth: {type: oidc, ...}``."""

    def __init__(self, config: OidcAuthConfig, kubernetes_reviewer=None) -> None:
        self.config = config
        self.discovery: dict = {}
        self.keys: KeySet | None = None
        self._kubernetes_reviewer = kubernetes_reviewer

    def start(self) -> None:
        """Read the discovery document and the key set; AuthConfigError when either cannot be had."""
        config = self.config
        if not config.auth_discovery_url:
            raise AuthConfigError("auth (oidc): a server needs auth_discovery_url (this block is a client's: it names "
                                  "only where a token comes from)")
        try:
            context = http.ssl_context(config.verify_ssl, config.ca_cert_path)
        except (OSError, ValueError) as error:
            raise AuthConfigError(f"auth (oidc): {error}") from None
        try:
            self.discovery = http.get_json(config.auth_discovery_url, config.jwks_request_timeout_seconds, context)
        except http.FetchError as error:
            raise AuthConfigError(f"auth (oidc): cannot read the discovery document: {error}") from None
        jwks_uri = self.discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("http://", "https://")):
            raise AuthConfigError(f"auth (oidc): the discovery document at {config.auth_discovery_url} names no jwks_uri")
        self.keys = KeySet(jwks_uri, config.jwks_cache_lifespan_seconds, config.jwks_request_timeout_seconds, context)
        try:
            self.keys.load()
        except http.FetchError as error:
            raise AuthConfigError(f"auth (oidc): cannot read the signing keys: {error}") from None

    def authenticate(self, token: str) -> tuple[User, float | None]:
        """The user a token stands for and when the token expires (epoch seconds), or AuthenticationError."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"not a JWT: {error}") from None
        if isinstance(unverified.get("kubernetes.io"), dict) and self._kubernetes_reviewer is not None:
            return self._kubernetes_reviewer(token)
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC:
            raise AuthenticationError(f"token algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise AuthenticationError("token key id is not a string")
        assert self.keys is not None, "OidcAuthenticator.start() was not called"
        key, algorithms = self.keys.key(kid)
        if algorithm not in algorithms:
            raise AuthenticationError(f"token algorithm {algorithm!r} does not fit key {kid!r} ({', '.join(algorithms)})")
        config = self.config
        try:
            claims = jwt.decode(
                token, key.key, algorithms=[algorithm], audience=config.audience, issuer=config.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp"], "verify_aud": config.audience is not None,
                         "verify_iss": config.issuer is not None},
            )
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"token rejected: {type(error).__name__}: {error}") from None
        return self.user_from_claims(claims), float(claims["exp"])

    def user_from_claims(self, claims: dict) -> User:
        username = next((claims[c] for c in USERNAME_CLAIMS if isinstance(claims.get(c), str)), None)
        if username is None:
            raise AuthenticationError(f"token names no user (none of {', '.join(USERNAME_CLAIMS)})")
        roles: list[str] = []
        if self.config.client_id:
            client = claims.get("resource_access", {})
            client = client.get(self.config.client_id) if isinstance(client, dict) else None
            roles += _strings(client.get("roles") if isinstance(client, dict) else None)
        roles += _strings(claims.get("roles"))
        return User(username, roles=roles, groups=_strings(claims.get("groups")))


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
