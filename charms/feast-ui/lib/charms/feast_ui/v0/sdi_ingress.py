"""Requirer side of the ``ingress`` interface as served by istio-pilot (serialized-data-interface).

Wire protocol (SDI, schema version ``v1``), all in the requirer's **application** databag:

- ``_supported_versions``: YAML list of the schema versions this side speaks, ``"- v1\\n"``.
- ``data``: YAML mapping (keys sorted) with ``service``, ``port`` and ``prefix`` (required by v1)
  and the optional ``rewrite`` and ``namespace``, e.g.
  ``"namespace: kubeflow\\nport: 8888\\nprefix: /app/\\nrewrite: /\\nservice: app\\n"``.

The provider (istio-pilot) publishes its own ``_supported_versions`` (``[v1, v2]``); ``data`` is
only sent once the provider has listed ``v1``, because the provider validates ``data`` against
the negotiated version. istio-pilot then creates a VirtualService routing ``prefix`` to
``<service>.<namespace>.svc.cluster.local:<port>``, rewritten to ``rewrite``.

The library is passive: call :meth:`SdiIngressRequirer.submit` from your reconcile and
:meth:`SdiIngressRequirer.problem` from your status collection.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from ops import CharmBase, Object, Relation

# The unique Charmhub library identifier, never change it
LIBID = "0106d1c3a80845099b5a82a9d5a1d5e7"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

VERSION = "v1"
VERSIONS_KEY = "_supported_versions"
DATA_KEY = "data"


class InvalidIngressRequestError(ValueError):
    """The request does not satisfy the v1 schema."""


@dataclass(frozen=True)
class IngressRequest:
    """What the requirer asks istio-pilot to route (schema v1)."""

    service: str
    port: int
    prefix: str
    rewrite: str | None = None
    namespace: str | None = None

    def __post_init__(self) -> None:
        if not self.service:
            raise InvalidIngressRequestError("service must not be empty")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise InvalidIngressRequestError(f"port must be an integer in 1..65535, got {self.port!r}")
        if not self.prefix.startswith("/"):
            raise InvalidIngressRequestError(f"prefix must start with '/', got {self.prefix!r}")

    def to_data(self) -> str:
        """The exact value of the ``data`` databag key."""
        data = {"service": self.service, "port": self.port, "prefix": self.prefix}
        if self.rewrite is not None:
            data["rewrite"] = self.rewrite
        if self.namespace is not None:
            data["namespace"] = self.namespace
        return yaml.safe_dump(data, sort_keys=True)


def encode_versions(versions: list[str]) -> str:
    """The exact value of the ``_supported_versions`` key."""
    return yaml.safe_dump(versions)


def parse_versions(raw: str | None) -> list[str] | None:
    """A remote ``_supported_versions`` value as a list; None when absent or unreadable."""
    if not raw:
        return None
    try:
        versions = yaml.safe_load(raw)
    except yaml.YAMLError:
        return None
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        return None
    return versions


class SdiIngressRequirer(Object):
    """Requests a route from istio-pilot over an SDI ``ingress`` relation."""

    def __init__(self, charm: CharmBase, relation_name: str = "ingress"):
        super().__init__(charm, relation_name)
        self._charm = charm
        self._relation_name = relation_name

    @property
    def relations(self) -> list[Relation]:
        """All relations on the endpoint."""
        return list(self._charm.model.relations.get(self._relation_name, ()))

    def remote_versions(self, relation: Relation) -> list[str] | None:
        """The versions the remote app supports, or None if it has not said (yet)."""
        if relation.app is None:
            return None
        return parse_versions(relation.data[relation.app].get(VERSIONS_KEY))

    def problem(self) -> tuple[str, str] | None:
        """``("waiting"|"blocked", message)`` if the route cannot be requested, else None.

        Pure: reads relation data, writes nothing.
        """
        for relation in self.relations:
            versions = self.remote_versions(relation)
            if versions is None:
                return ("waiting", f"Waiting for the {self._relation_name} provider to list its versions")
            if VERSION not in versions:
                theirs = ", ".join(versions) or "none"
                message = f"{self._relation_name}: no compatible version (we speak {VERSION}, the provider speaks {theirs})"
                return ("blocked", message)
        return None

    def submit(self, request: IngressRequest) -> None:
        """Advertise our version and, where the provider speaks v1, send the request.

        Leader only (a no-op elsewhere). Databags are only written when their value changes.
        """
        if not self._charm.unit.is_leader():
            return
        for relation in self.relations:
            databag = relation.data[self._charm.app]
            _set_if_changed(databag, VERSIONS_KEY, encode_versions([VERSION]))
            versions = self.remote_versions(relation)
            if versions is not None and VERSION in versions:
                _set_if_changed(databag, DATA_KEY, request.to_data())


def _set_if_changed(databag, key: str, value: str) -> None:
    if databag.get(key) != value:
        databag[key] = value
