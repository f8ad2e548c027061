"""Requirer side of the ``istio_ingress_route`` interface (istio-ingress-k8s, ambient mode).

The requirer writes one key to its **application** databag, ``config``: a compact JSON object
describing Gateway API listeners and routes. Key order and ``null`` values match what the
istio-ingress-k8s provider parses, for example::

    {"model":"kubeflow","listeners":[{"port":80,"protocol":"HTTP"}],
     "http_routes":[{"name":"http-route","listener":{"port":80,"protocol":"HTTP"},
       "backends":[{"service":"app","port":8080,"weight":null}],"hostnames":null,
       "matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/app/"},"method":null}],
       "filters":[{"urlRewrite":{"hostname":null,"path":{"type":"ReplacePrefixMatch",
         "replacePrefixMatch":"/"}},"type":"URLRewrite"}]}],
     "grpc_routes":[]}

The provider answers in its application databag with ``external_host`` and ``tls_enabled``
(``"True"``/``"False"``).

The library is passive: build an :class:`IngressRouteConfig` and call
:meth:`IstioIngressRouteRequirer.submit` from your reconcile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ops import CharmBase, Object, Relation

# The unique Charmhub library identifier, never change it
LIBID = "1f76d1decef048558ab98e6625f4d9f3"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

CONFIG_KEY = "config"
VALID_PROTOCOLS = ("HTTP", "HTTPS", "GRPC", "GRPCS")


class InvalidRouteError(ValueError):
    """The route configuration is not something the provider accepts."""


@dataclass(frozen=True)
class Listener:
    """A Gateway listener."""

    port: int
    protocol: str = "HTTP"

    def __post_init__(self) -> None:
        if self.protocol not in VALID_PROTOCOLS:
            raise InvalidRouteError(f"protocol must be one of {VALID_PROTOCOLS}, got {self.protocol!r}")
        if not 0 < self.port < 65536:
            raise InvalidRouteError(f"listener port out of range: {self.port}")

    def to_dict(self) -> dict[str, Any]:
        return {"port": self.port, "protocol": self.protocol}


@dataclass(frozen=True)
class Backend:
    """A Kubernetes Service the route sends traffic to."""

    service: str
    port: int
    weight: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "port": self.port, "weight": self.weight}


@dataclass(frozen=True)
class PathPrefixMatch:
    """Match requests whose path starts with ``value``."""

    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"headers": None, "path": {"type": "PathPrefix", "value": self.value}, "method": None}


@dataclass(frozen=True)
class PrefixRewrite:
    """Replace the matched prefix with ``replacement``."""

    replacement: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "urlRewrite": {
                "hostname": None,
                "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": self.replacement},
            },
            "type": "URLRewrite",
        }


@dataclass(frozen=True)
class HttpRoute:
    """One HTTPRoute attached to a listener."""

    name: str
    listener: Listener
    backends: tuple[Backend, ...]
    matches: tuple[PathPrefixMatch, ...] = ()
    filters: tuple[PrefixRewrite, ...] = ()
    hostnames: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "listener": self.listener.to_dict(),
            "backends": [b.to_dict() for b in self.backends],
            "hostnames": list(self.hostnames) if self.hostnames is not None else None,
            "matches": [m.to_dict() for m in self.matches],
            "filters": [f.to_dict() for f in self.filters],
        }


@dataclass(frozen=True)
class IngressRouteConfig:
    """Everything the requirer asks for."""

    model: str
    http_routes: tuple[HttpRoute, ...]
    listeners: tuple[Listener, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.listeners:
            unique = []
            for route in self.http_routes:
                if route.listener not in unique:
                    unique.append(route.listener)
            object.__setattr__(self, "listeners", tuple(unique))
        for route in self.http_routes:
            if route.listener not in self.listeners:
                raise InvalidRouteError(f"route {route.name!r} uses a listener that is not declared")

    def to_json(self) -> str:
        """The exact value of the ``config`` databag key."""
        return json.dumps(
            {
                "model": self.model,
                "listeners": [lst.to_dict() for lst in self.listeners],
                "http_routes": [r.to_dict() for r in self.http_routes],
                "grpc_routes": [],
            },
            separators=(",", ":"),
        )


class IstioIngressRouteRequirer(Object):
    """Submits route configuration to istio-ingress-k8s."""

    def __init__(self, charm: CharmBase, relation_name: str = "istio-ingress-route"):
        super().__init__(charm, relation_name)
        self._charm = charm
        self._relation_name = relation_name

    @property
    def relation(self) -> Relation | None:
        """The first relation on the endpoint, if any."""
        return self._charm.model.get_relation(self._relation_name)

    def is_ready(self) -> bool:
        """True when there is a relation to submit to."""
        return self.relation is not None

    def _remote(self, key: str) -> str | None:
        relation = self.relation
        if relation is None or relation.app is None:
            return None
        return relation.data[relation.app].get(key) or None

    @property
    def external_host(self) -> str | None:
        """The host name the provider exposes routes on, once it has said."""
        return self._remote("external_host")

    @property
    def tls_enabled(self) -> bool:
        """Whether the provider terminates TLS."""
        return (self._remote("tls_enabled") or "").lower() == "true"

    def submit(self, config: IngressRouteConfig) -> None:
        """Write the configuration; leader only, and only when it changes."""
        relation = self.relation
        if relation is None or not self._charm.unit.is_leader():
            return
        value = config.to_json()
        databag = relation.data[self._charm.app]
        if databag.get(CONFIG_KEY) != value:
            databag[CONFIG_KEY] = value
