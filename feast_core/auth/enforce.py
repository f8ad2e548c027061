"""The one authorization decision every face calls, and the Guard a server holds.

``enforce(permissions, user, resources, actions)`` is Feast's decision:

* a permission applies to a resource when its types, name patterns (full match) and required tags match the
  resource and its actions cover every requested action;
* one applying permission whose policy grants the user is enough (Feast's AFFIRMATIVE strategy);
* a resource no permission applies to is refused ("No permissions defined to manage ...");
* when the project defines **no permissions at all**, an authenticated user may do everything (logged once)
  and a request without a user is refused -- Feast's rule since 0.5x;
* ``filter_only=True`` (lists, the UI) drops what is refused instead of raising.

Refusals raise ``FeastPermissionError`` (HTTP 403, gRPC PERMISSION_DENIED) with Feast's message text.

``Guard`` is what a server builds once from its ``auth:`` block: ``user(header)`` turns an ``Authorization``
header into a User (cached per token, see tokens.py), ``check(...)`` runs ``enforce`` with the decision
remembered per registry snapshot, user and request. With ``no_auth`` there is no user and every check passes,
as in Feast (no security manager).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Hashable, Sequence

from ..errors import AuthenticationError, FeastPermissionError
from . import bearer
from .config import AuthConfig, KubernetesAuthConfig, OidcAuthConfig
from .tokens import TokenCache
from .user import User

log = logging.getLogger(__name__)

_warned_no_permissions = False


def _action_names(actions) -> str:
    return str([getattr(a, "name", str(a)).upper() for a in actions])


def enforce(permissions: Sequence, user: User | None, resources: Sequence, actions, filter_only: bool = False) -> list:
    """The resources ``user`` may act on with all of ``actions``; FeastPermissionError for the first refused one
    (unless ``filter_only``, which leaves refused ones out)."""
    actions = list(actions) if isinstance(actions, (list, tuple)) else [actions]
    if not permissions:
        if user is None or not user.username:
            raise FeastPermissionError("No permissions defined and no authenticated user context. Access denied.")
        global _warned_no_permissions
        if not _warned_no_permissions:
            _warned_no_permissions = True
            log.warning("no permissions are defined in the registry: every authenticated user may do everything; "
                        "define Permission objects and run feast apply to restrict access")
        return list(resources)
    permitted = []
    for resource in resources:
        kind, name = type(resource).__name__, getattr(resource, "name", "")
        applying = [p for p in permissions if p.match_actions(actions) and p.match_resource(resource)]
        if not applying:
            if filter_only:
                continue
            raise FeastPermissionError(f"No permissions defined to manage {_action_names(actions)} on {kind}/{name}.")
        refusals = []
        for permission in applying:
            granted, why = permission.policy.validate_user(user if user is not None else User(""))
            if granted:
                permitted.append(resource)
                break
            refusals.append(f"Permission {permission.name} denied execution of {_action_names(actions)} "
                            f"to {kind}:{name}: {why}")
        else:
            if not filter_only:
                raise FeastPermissionError(",".join(refusals))
    return permitted


def authenticator_for(config: AuthConfig):
    """The token validator of an ``auth:`` block, with its cache lifetime; None for no_auth."""
    if isinstance(config, OidcAuthConfig):
        from .oidc import OidcAuthenticator

        reviewer = _LazyServiceAccountReviewer()
        return OidcAuthenticator(config, kubernetes_reviewer=reviewer), float(config.jwks_cache_lifespan_seconds)
    if isinstance(config, KubernetesAuthConfig):
        from .kubernetes import REVIEW_CACHE_SECONDS, KubernetesAuthenticator

        return KubernetesAuthenticator(), REVIEW_CACHE_SECONDS
    if config.type == "no_auth":
        return None, 0.0
    raise ValueError(f"auth type {config.type!r} has no server side")


class _LazyServiceAccountReviewer:
    """OIDC servers review ``kubernetes.io`` tokens with the Kubernetes API when they run where one is configured
    (as Feast does); elsewhere such a token is refused like any token the provider did not sign."""

    def __init__(self) -> None:
        self._authenticator = None

    def __call__(self, token: str):
        from ..errors import AuthConfigError
        from .kubernetes import KubernetesAuthenticator

        if self._authenticator is None:
            try:
                authenticator = KubernetesAuthenticator()
                authenticator.client  # noqa: B018 - builds the client, or says why there is none
            except AuthConfigError as error:
                raise AuthenticationError(f"a Kubernetes token, and no Kubernetes API to review it: {error}") from None
            self._authenticator = authenticator
        return self._authenticator.namespace_only(token)


class Guard:
    """A server's authentication and authorization, built once from its ``auth:`` block."""

    def __init__(self, config: AuthConfig, authenticator=None, cache_seconds: float | None = None) -> None:
        self.config = config
        if authenticator is None and config.type != "no_auth":
            authenticator, default_seconds = authenticator_for(config)
            cache_seconds = default_seconds if cache_seconds is None else cache_seconds
        self.authenticator = authenticator
        self.enabled = authenticator is not None
        self.tokens = TokenCache(authenticator.authenticate, cache_seconds or 60.0) if self.enabled else None
        self._scopes: dict[int, tuple[object, list, dict]] = {}
        self._scope_lock = threading.Lock()

    def start(self) -> Guard:
        """Reach the identity provider / Kubernetes API now: AuthConfigError stops the server that calls this."""
        if self.enabled:
            self.authenticator.start()
            log.info("auth: %s; requests need a bearer token", self.config.type)
        return self

    # ---- authentication ---------------------------------------------------------------------------

    def user(self, authorization: str | bytes | None) -> User | None:
        """The user of an ``Authorization`` header value (None with no_auth); AuthenticationError otherwise."""
        if not self.enabled:
            return None
        return self.tokens.user(bearer.token_from_header(authorization))

    async def user_async(self, authorization: str | bytes | None) -> User | None:
        """As ``user``, with a first-seen token validated off the event loop (it may call the provider or API)."""
        if not self.enabled:
            return None
        token = bearer.token_from_header(authorization)
        user = self.tokens.cached(token)
        if user is not None:
            return user
        return await asyncio.get_running_loop().run_in_executor(None, self.tokens.user, token)

    # ---- authorization ----------------------------------------------------------------------------

    def _scope(self, objects) -> tuple[list, dict]:
        """The permissions of a project's registry view and the decisions made against it so far."""
        scope = self._scopes.get(id(objects))
        if scope is not None and scope[0] is objects:
            return scope[1], scope[2]
        with self._scope_lock:
            if len(self._scopes) >= 16:
                self._scopes.pop(next(iter(self._scopes)))
            permissions = list(objects.list("permissions"))
            self._scopes[id(objects)] = (objects, permissions, {})
            return permissions, self._scopes[id(objects)][2]

    def check(self, user: User | None, objects, key: Hashable, resources: Callable[[], Sequence], actions) -> None:
        """Raise FeastPermissionError unless ``user`` may do ``actions`` to the resources. ``objects`` is the
        project's registry view (its permissions apply); ``key`` names the request's resources, so the decision
        is computed once per user, key and registry snapshot."""
        if not self.enabled:
            return
        permissions, decisions = self._scope(objects)
        memo = (user, key, tuple(actions))
        refusal = decisions.get(memo, False)
        if refusal is None:
            return
        if refusal is False:
            try:
                enforce(permissions, user, resources(), actions)
                refusal = None
            except FeastPermissionError as error:
                refusal = error
            if len(decisions) < 100_000:
                decisions[memo] = refusal
            if refusal is None:
                return
        log.info("refused %s: %s", user.username if user else "anonymous", refusal.details)
        raise FeastPermissionError(refusal.details)

    def require(self, user: User | None, objects, resources: Sequence, actions) -> None:
        """``check`` for a list of resources (keyed by their kinds and names)."""
        key = tuple((type(r).__name__, getattr(r, "name", "")) for r in resources)
        self.check(user, objects, key, lambda: resources, actions)

    def visible(self, user: User | None, objects, resources: Sequence, actions) -> list:
        """The resources the user may act on (all of them with no_auth)."""
        if not self.enabled:
            return list(resources)
        permissions, _ = self._scope(objects)
        return enforce(permissions, user, resources, actions, filter_only=True)

    def allows(self, user: User | None, objects, resource, actions) -> bool:
        return bool(self.visible(user, objects, [resource], actions))


__all__ = ["Guard", "authenticator_for", "enforce"]
