"""Kubernetes: a bearer token becomes a user when the cluster's TokenReview says it is authenticated; roles,
groups and namespaces then come from RBAC, as Feast's Kubernetes auth reads them.

* Every token is reviewed (``TokenReview``); ``status.authenticated`` must be true, else 401 (Feast only logs a
  failed review and trusts an unverified JWT ``sub``; we never do). The identity is the reviewed username.
* A service account ``system:serviceaccount:<ns>:<sa>`` becomes user ``<ns>:<sa>`` with
  - roles: ``roleRef.name`` of the RoleBindings **in the server's own namespace** naming that service account;
  - groups: the review's groups, the ``Group`` subjects of RoleBindings in ``<ns>`` and of ClusterRoleBindings
    whose ClusterRole may get/list namespaces;
  - namespaces: ``<ns>``, plus ``<x>`` of every ``system:serviceaccounts:<x>`` group.
* Any other user: roles from RoleBindings in all namespaces and ClusterRoleBindings naming the user or one of
  its groups; namespaces where a ``dashboard-permissions-*`` RoleBinding (label ``opendatahub.io/dashboard:
  "true"``) or a RoleBinding to ClusterRole ``admin`` names the user.

The API client comes from lightkube's ``KubeConfig.from_env()``: in a pod, the pod's service account (the
server's namespace is the pod's); elsewhere ``$KUBECONFIG`` or ``~/.kube/config`` (its context's namespace).
``start()`` lists the RoleBindings of the server's namespace once: no API, no credentials or no RBAC right to
read them stops the server at start with the reason.
"""

from __future__ import annotations

import logging

import jwt
from lightkube import ApiError, Client, KubeConfig
from lightkube.core.exceptions import ConfigError as LightkubeConfigError
from lightkube.models.authentication_v1 import TokenReviewSpec
from lightkube.resources.authentication_v1 import TokenReview
from lightkube.resources.rbac_authorization_v1 import ClusterRole, ClusterRoleBinding, RoleBinding

from ..errors import AuthConfigError, AuthenticationError
from .user import User

log = logging.getLogger(__name__)

SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
SERVICE_ACCOUNTS_GROUP_PREFIX = "system:serviceaccounts:"
# how long a reviewed token's user is reused, at most (RBAC changes show within this)
REVIEW_CACHE_SECONDS = 60.0

# errors a call to the API can end in: an answer that is an error, or no answer at all
_API_ERRORS = (ApiError, OSError)
try:  # lightkube >= 1 talks httpx2, older releases httpx
    import httpx2 as _httpx
except ImportError:  # pragma: no cover - depends on the lightkube release installed
    import httpx as _httpx
_API_ERRORS = (*_API_ERRORS, _httpx.HTTPError)


def client_from_environment() -> Client:
    """The API client of this process's environment, or AuthConfigError saying why there is none."""
    try:
        config = KubeConfig.from_env()
    except (LightkubeConfigError, OSError, KeyError) as error:
        raise AuthConfigError(
            "auth (kubernetes): no Kubernetes API configuration: not in a pod (no service-account token) and no "
            f"usable $KUBECONFIG or ~/.kube/config ({error})"
        ) from None
    try:
        return Client(config=config, field_manager="feast-core")
    except (LightkubeConfigError, OSError, ValueError) as error:
        raise AuthConfigError(f"auth (kubernetes): the Kubernetes API configuration cannot be used: {error}") from None


class KubernetesAuthenticator:
    """Reviews tokens and reads RBAC for a server configured with ``auth: {type: kubernetes}``."""

    def __init__(self, client: Client | None = None, namespace: str | None = None) -> None:
        self._client = client
        self._namespace = namespace

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = client_from_environment()
        return self._client

    @property
    def namespace(self) -> str:
        """The server's own namespace: where the RoleBindings that give service accounts roles live."""
        return self._namespace or self.client.namespace

    def start(self) -> None:
        """Check that the API answers and lets this server read its namespace's RoleBindings."""
        client, namespace = self.client, self.namespace
        try:
            list(client.list(RoleBinding, namespace=namespace))
        except ApiError as error:
            raise AuthConfigError(
                f"auth (kubernetes): the Kubernetes API refused to list RoleBindings in namespace {namespace!r} "
                f"({error.status.code} {error.status.reason}: {error.status.message}); grant this server's "
                "service account get/list on rolebindings and create on tokenreviews"
            ) from None
        except _API_ERRORS as error:
            raise AuthConfigError(f"auth (kubernetes): the Kubernetes API cannot be reached: {error}") from None

    # ---- the review ---------------------------------------------------------------------------

    def review(self, token: str) -> tuple[str, list[str]]:
        """The reviewed username and groups of a token, or AuthenticationError."""
        try:
            result = self.client.create(TokenReview(spec=TokenReviewSpec(token=token)))
        except ApiError as error:
            raise AuthenticationError(f"TokenReview failed: {error.status.code} {error.status.message}") from None
        except _API_ERRORS as error:
            raise AuthenticationError(f"TokenReview failed: the Kubernetes API cannot be reached: {error}") from None
        status = result.status
        if status is None or not status.authenticated or status.user is None or not status.user.username:
            reason = getattr(status, "error", None) or "not authenticated"
            raise AuthenticationError(f"TokenReview: {reason}")
        return status.user.username, list(status.user.groups or [])

    def authenticate(self, token: str) -> tuple[User, float | None]:
        username, groups = self.review(token)
        try:
            if username.startswith(SERVICE_ACCOUNT_PREFIX) and username.count(":") == 3:
                user = self._service_account(username, groups)
            else:
                user = self._person(username, groups)
        except _API_ERRORS as error:
            # the token is good, but we cannot tell what it may do: no answer rather than a wrong one
            raise AuthenticationError(f"cannot read RBAC for {username}: {error}") from None
        return user, _expiry(token)

    def namespace_only(self, token: str) -> tuple[User, float | None]:
        """A reviewed service-account token as a user with only its namespace (OIDC servers' path for
        ``kubernetes.io`` tokens, as Feast)."""
        username, groups = self.review(token)
        namespaces = [username.split(":")[2]] if username.startswith(SERVICE_ACCOUNT_PREFIX) and username.count(":") == 3 else []
        return User(username, namespaces=namespaces), _expiry(token)

    def _service_account(self, username: str, groups: list[str]) -> User:
        _, _, sa_namespace, sa_name = username.split(":")
        roles = [
            binding.roleRef.name for binding in self.client.list(RoleBinding, namespace=self.namespace)
            if any(s.kind == "ServiceAccount" and s.name == sa_name and (s.namespace or self.namespace) == sa_namespace
                   for s in binding.subjects or [])
        ]
        groups = list(groups)
        for binding in self.client.list(RoleBinding, namespace=sa_namespace):
            groups += [s.name for s in binding.subjects or [] if s.kind == "Group"]
        for binding in self.client.list(ClusterRoleBinding):
            subjects = [s.name for s in binding.subjects or [] if s.kind == "Group"]
            if subjects and self._grants_namespace_access(binding.roleRef.name, sa_namespace):
                groups += subjects
        namespaces = [sa_namespace] + [
            g[len(SERVICE_ACCOUNTS_GROUP_PREFIX):] for g in groups
            if g.startswith(SERVICE_ACCOUNTS_GROUP_PREFIX) and g.count(":") == 2
        ]
        return User(f"{sa_namespace}:{sa_name}", roles=sorted(set(roles)), groups=sorted(set(groups)),
                    namespaces=sorted(set(namespaces)))

    def _grants_namespace_access(self, cluster_role: str, namespace: str) -> bool:
        try:
            role = self.client.get(ClusterRole, cluster_role)
        except ApiError:
            return False
        for rule in role.rules or []:
            resources, verbs = rule.resources or [], rule.verbs or []
            if ({"namespaces", "*"} & set(resources)) and ({"get", "list", "*"} & set(verbs)):
                return True
            if namespace in (rule.resourceNames or []):
                return True
        return False

    def _person(self, username: str, groups: list[str]) -> User:
        def names_user(subject) -> bool:
            return (subject.kind == "User" and subject.name == username) or (
                subject.kind == "Group" and subject.name in groups)

        roles, namespaces = set(), set()
        for binding in self.client.list(RoleBinding, namespace="*"):
            subjects = binding.subjects or []
            if any(names_user(s) for s in subjects):
                roles.add(binding.roleRef.name)
            meta = binding.metadata
            dashboard = (meta.name or "").startswith("dashboard-permissions-") and (
                (meta.labels or {}).get("opendatahub.io/dashboard") == "true")
            admin = binding.roleRef.kind == "ClusterRole" and binding.roleRef.name == "admin"
            if (dashboard or admin) and any(s.kind == "User" and s.name == username for s in subjects):
                namespaces.add(meta.namespace)
        for binding in self.client.list(ClusterRoleBinding):
            if any(names_user(s) for s in binding.subjects or []):
                roles.add(binding.roleRef.name)
        namespaces.update(g[len(SERVICE_ACCOUNTS_GROUP_PREFIX):] for g in groups
                          if g.startswith(SERVICE_ACCOUNTS_GROUP_PREFIX) and g.count(":") == 2)
        return User(username, roles=sorted(roles), groups=sorted(set(groups)), namespaces=sorted(namespaces))


def _expiry(token: str) -> float | None:
    """A reviewed JWT's ``exp`` (the review vouched for it), to bound how long its user is reused."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return float(exp) if isinstance(exp, (int, float)) else None
