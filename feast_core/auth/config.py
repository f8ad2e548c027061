"""Feast's ``auth:`` block as strict typed config: ``no_auth``, ``oidc`` (a server's form and a client's form)
and ``kubernetes``.

One ``auth:`` block serves both sides of a connection, as in Feast: a server reads the identity provider's
discovery URL and the claims to check; a client reads where its token comes from. An ``oidc`` block is the
client form when it carries any client credential (``client_secret``, ``token``, ``token_env_var``,
``username``, ``password``) or names neither ``auth_discovery_url`` nor ``client_id`` (a bare block: the token
comes from ``FEAST_OIDC_TOKEN`` or the pod's service-account token). Unknown keys are errors.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

CLIENT_KEYS = ("client_secret", "token", "token_env_var", "username", "password")


class AuthType(enum.Enum):
    """The ``type`` values of the ``auth:`` block (Feast's ``feast.permissions.auth.auth_type.AuthType``)."""

    NONE = "no_auth"
    OIDC = "oidc"
    KUBERNETES = "kubernetes"


class AuthConfig(BaseModel):
    """The ``auth:`` block; see the subclasses for each ``type``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["no_auth", "oidc", "kubernetes"] = "no_auth"

    @property
    def enabled(self) -> bool:
        return self.type != "no_auth"


class NoAuthConfig(AuthConfig):
    type: Literal["no_auth"] = "no_auth"


class OidcAuthConfig(AuthConfig):
    """A server validating tokens an OIDC provider signed."""

    type: Literal["oidc"] = "oidc"
    auth_discovery_url: str
    client_id: str | None = None
    ui_client_id: str | None = None
    verify_ssl: bool = True
    ca_cert_path: str = ""
    # a token's aud / iss claim must equal these when they are set; unset = not checked (as in Feast)
    audience: str | None = None
    issuer: str | None = None
    jwks_cache_lifespan_seconds: int = Field(default=300, gt=0)
    jwks_request_timeout_seconds: float = Field(default=10, gt=0)

    @field_validator("auth_discovery_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL, not {value!r}")
        return value


class OidcClientAuthConfig(OidcAuthConfig):
    """A client presenting a token: a literal ``token``, one read from ``token_env_var``, or one fetched from the
    provider's token endpoint with ``client_secret`` (client credentials, or the password grant when
    ``username`` and ``password`` are given). With none of them: ``FEAST_OIDC_TOKEN``, then the pod's
    service-account token."""

    auth_discovery_url: str | None = None  # type: ignore[assignment]
    username: str | None = None
    password: str | None = Field(default=None, repr=False)
    client_secret: str | None = Field(default=None, repr=False)
    token: str | None = Field(default=None, repr=False)
    token_env_var: str | None = None
    token_refresh_margin_seconds: float = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _one_credential_source(self) -> OidcClientAuthConfig:
        network = {"client_secret": self.client_secret, "auth_discovery_url": self.auth_discovery_url,
                   "client_id": self.client_id}
        if self.username or self.password:
            network.update(username=self.username, password=self.password)
        groups = {"token": {"token": self.token}, "token_env_var": {"token_env_var": self.token_env_var},
                  "client_secret": network}
        partial = {name: [k for k, v in keys.items() if not v] for name, keys in groups.items()
                   if any(keys.values()) and not all(keys.values())}
        for name, missing in partial.items():
            raise ValueError(f"the {name!r} credential needs {missing} as well (or remove the keys it uses)")
        active = [name for name, keys in groups.items() if all(keys.values())]
        if len(active) > 1:
            raise ValueError(f"give one token source, not {' and '.join(active)}")
        return self


class KubernetesAuthConfig(AuthConfig):
    """Servers review tokens with the Kubernetes API (TokenReview) and read roles from RoleBindings; clients send
    ``user_token``, else the pod's service-account token, else ``LOCAL_K8S_TOKEN``."""

    type: Literal["kubernetes"] = "kubernetes"
    user_token: str | None = Field(default=None, repr=False)


def is_oidc_client_block(block: dict) -> bool:
    """Feast's rule for which form an ``oidc`` block is."""
    if any(block.get(key) for key in CLIENT_KEYS):
        return True
    return not block.get("auth_discovery_url") and not block.get("client_id")


def _tag(value: Any) -> str:
    if isinstance(value, OidcClientAuthConfig):
        return "oidc-client"
    if isinstance(value, AuthConfig):
        return value.type
    if isinstance(value, dict):
        kind = value.get("type", "no_auth")
        if kind == "oidc" and is_oidc_client_block(value):
            return "oidc-client"
        return kind if isinstance(kind, str) else repr(kind)
    return "no_auth" if value is None else type(value).__name__


AuthBlock = Annotated[
    Annotated[NoAuthConfig, Tag("no_auth")]
    | Annotated[OidcAuthConfig, Tag("oidc")]
    | Annotated[OidcClientAuthConfig, Tag("oidc-client")]
    | Annotated[KubernetesAuthConfig, Tag("kubernetes")],
    Discriminator(_tag, custom_error_type="auth_type",
                  custom_error_message="auth type must be one of no_auth, oidc, kubernetes"),
]
# error locations name the tag (e.g. ('auth', 'oidc-client', 'token')); config.py drops it from messages
AUTH_TAGS = ("no_auth", "oidc", "oidc-client", "kubernetes")

__all__ = [
    "AUTH_TAGS", "AuthBlock", "AuthConfig", "KubernetesAuthConfig", "NoAuthConfig", "OidcAuthConfig",
    "OidcClientAuthConfig", "is_oidc_client_block",
]
