"""Where a client's token comes from, as Feast's clients find it (for our remote clients).

* ``no_auth``: no token, no header.
* ``oidc`` (client form): ``token``; else the variable ``token_env_var`` names (empty = error); else, with
  ``client_secret``, a token from the provider's token endpoint (``client_credentials``, or ``password`` with
  ``username``/``password``), reused until ``token_refresh_margin_seconds`` before it expires; else
  ``FEAST_OIDC_TOKEN``; else the pod's service-account token file.
* ``kubernetes``: ``user_token``; else the pod's service-account token file; else ``LOCAL_K8S_TOKEN``.

``token_source(config)`` returns a callable giving the current token (None for no_auth); call it per request:
file and variable sources are re-read (a projected service-account token rotates), fetched tokens are reused.
``forget()`` on the source drops a fetched token after a 401 so that the next call fetches a new one.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import jwt

from ..errors import AuthConfigError
from . import http
from .config import AuthConfig, KubernetesAuthConfig, OidcAuthConfig, OidcClientAuthConfig

SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")
OIDC_TOKEN_ENV = "FEAST_OIDC_TOKEN"
K8S_TOKEN_ENV = "LOCAL_K8S_TOKEN"


def _read_token_file(path: Path) -> str | None:
    try:
        token = path.read_text().strip()
    except OSError:
        return None
    return token or None


class TokenSource:
    """The current token of a client's ``auth:`` block."""

    service_account_token = SERVICE_ACCOUNT_TOKEN

    def __init__(self, config: AuthConfig) -> None:
        self.config = config
        self._fetched: tuple[str, float | None] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str | None:
        config = self.config
        if config.type == "no_auth":
            return None
        if isinstance(config, KubernetesAuthConfig):
            return self._kubernetes(config)
        if isinstance(config, OidcClientAuthConfig):
            return self._oidc(config)
        if isinstance(config, OidcAuthConfig):  # a server-form block used by a client: tokens from the environment
            return self._ambient("auth (oidc)")
        raise AuthConfigError(f"auth type {config.type!r} cannot provide a client token")

    def forget(self) -> None:
        with self._lock:
            self._fetched = None

    # ---- kubernetes ---------------------------------------------------------------------------

    def _kubernetes(self, config: KubernetesAuthConfig) -> str:
        if config.user_token:
            return config.user_token
        token = _read_token_file(self.service_account_token) or os.environ.get(K8S_TOKEN_ENV)
        if not token:
            raise AuthConfigError(
                f"auth (kubernetes): no token: set user_token, run in a pod with a service-account token "
                f"({self.service_account_token}), or set {K8S_TOKEN_ENV}"
            )
        return token

    # ---- oidc ---------------------------------------------------------------------------------

    def _oidc(self, config: OidcClientAuthConfig) -> str:
        if config.token:
            return config.token
        if config.token_env_var:
            token = os.environ.get(config.token_env_var)
            if not token:
                raise AuthConfigError(f"auth (oidc): token_env_var names {config.token_env_var!r}, which is unset or empty")
            return token
        if config.client_secret:
            return self._fetch(config)
        return self._ambient("auth (oidc)")

    def _ambient(self, what: str) -> str:
        token = os.environ.get(OIDC_TOKEN_ENV) or _read_token_file(self.service_account_token)
        if not token:
            raise AuthConfigError(
                f"{what}: no token: set token, token_env_var or client_secret (with auth_discovery_url and "
                f"client_id), set {OIDC_TOKEN_ENV}, or run in a pod with a service-account token"
            )
        return token

    def _fetch(self, config: OidcClientAuthConfig) -> str:
        with self._lock:
            fetched = self._fetched
            if fetched is not None:
                token, expires = fetched
                if expires is not None and time.time() < expires - config.token_refresh_margin_seconds:
                    return token
            token, expires = self._request(config)
            self._fetched = (token, expires)
            return token

    def _request(self, config: OidcClientAuthConfig) -> tuple[str, float | None]:
        timeout = config.jwks_request_timeout_seconds
        try:
            context = http.ssl_context(config.verify_ssl, config.ca_cert_path)
            discovery = http.get_json(config.auth_discovery_url, timeout, context)
        except (http.FetchError, OSError) as error:
            raise AuthConfigError(f"auth (oidc): cannot read the discovery document: {error}") from None
        endpoint = discovery.get("token_endpoint")
        if not isinstance(endpoint, str):
            raise AuthConfigError(f"auth (oidc): the discovery document at {config.auth_discovery_url} names no token_endpoint")
        form = {"client_id": config.client_id, "client_secret": config.client_secret}
        if config.username and config.password:
            form.update(grant_type="password", username=config.username, password=config.password)
        else:
            form["grant_type"] = "client_credentials"
        try:
            answer = http.post_form(endpoint, form, timeout, context)
        except http.FetchError as error:
            raise AuthConfigError(f"auth (oidc): the token endpoint refused a token: {error}") from None
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthConfigError(f"auth (oidc): the token endpoint {endpoint} answered no access_token")
        return token, _expiry(token, answer.get("expires_in"))


def _expiry(token: str, expires_in) -> float | None:
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    if isinstance(exp, (int, float)):
        return float(exp)
    if isinstance(expires_in, (int, float)):
        return time.time() + float(expires_in)
    return None


def token_source(config: AuthConfig) -> TokenSource:
    return TokenSource(config)


__all__ = ["K8S_TOKEN_ENV", "OIDC_TOKEN_ENV", "SERVICE_ACCOUNT_TOKEN", "TokenSource", "token_source"]
