"""Provider side of the ``prometheus_scrape`` interface (prometheus-k8s, opentelemetry-collector-k8s).

The interface's owners publish it only as a Charmhub library (``charms.prometheus_k8s.v0.prometheus_scrape``),
not as a Python package; this is our implementation of the provider's half of its wire format, which
charm-relation-interfaces documents (``interfaces/prometheus_scrape/v0``):

- application databag (leader): ``scrape_metadata`` -- JSON of the Juju topology (``model``,
  ``model_uuid``, ``application``, ``unit``, ``charm_name``); ``scrape_jobs`` -- JSON list of scrape
  configurations (``job_name``, ``metrics_path``, ``static_configs`` whose targets are ``"*:<port>"``:
  the requirer replaces ``*`` with each unit's address); ``alert_rules`` -- JSON of a Prometheus rule
  file (``{"groups": [...]}``) whose rules carry the ``juju_*`` topology labels.
- each unit's databag: ``prometheus_scrape_unit_address`` (the unit's bind address),
  ``prometheus_scrape_unit_name`` (and ``prometheus_scrape_unit_path``, a prefix for ``metrics_path``
  when scraped through a proxy: left out, as Prometheus scrapes the pod).

The requirer prefixes job names with the topology, so names only need to be unique within this
charm. It may answer with ``event`` = ``{"errors": ...}`` in its application databag when it
rejected the rules. The library is passive: call :meth:`MetricsEndpointProvider.publish` from the
reconcile.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass

from cosl import AlertRules, JujuTopology
from ops import CharmBase, Object

# The unique Charmhub library identifier, never change it
LIBID = "a4d1f0a6e6b14f6c9f3b2f6d7b9c0e21"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

DEFAULT_RELATION_NAME = "metrics-endpoint"


@dataclass(frozen=True)
class ScrapeJob:
    """Scrape every unit of this application on ``port`` at ``path``."""

    name: str
    port: int
    path: str = "/metrics"

    def __post_init__(self) -> None:
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ValueError(f"scrape job {self.name!r}: port must be an integer in 1..65535, got {self.port!r}")
        if not self.path.startswith("/"):
            raise ValueError(f"scrape job {self.name!r}: metrics path must start with '/', got {self.path!r}")

    def to_dict(self) -> dict:
        return {"job_name": self.name, "metrics_path": self.path, "static_configs": [{"targets": [f"*:{self.port}"]}]}


def rules_with_topology(rules: dict, topology: JujuTopology) -> dict:
    """``rules`` (a Prometheus rule file) with the topology labels every rule must carry, as cosl adds them."""
    alert_rules = AlertRules(query_type="promql", topology=topology)
    if rules:
        alert_rules.add(rules, group_name_prefix=topology.identifier)
    return alert_rules.as_dict()


class MetricsEndpointProvider(Object):
    """Tells the related Prometheus (or collector) how to scrape this application, and what to alert on."""

    def __init__(self, charm: CharmBase, relation_name: str = DEFAULT_RELATION_NAME):
        super().__init__(charm, relation_name)
        self._charm = charm
        self._relation_name = relation_name

    @property
    def relations(self):
        return self._charm.model.relations[self._relation_name]

    def _unit_address(self, relation) -> str:
        binding = self._charm.model.get_binding(relation)
        address = binding.network.bind_address if binding is not None else None
        if address is not None:
            try:
                return str(ipaddress.ip_address(str(address)))
            except ValueError:
                pass
        return socket.getfqdn()

    def publish(self, jobs: list[ScrapeJob], alert_rules: dict) -> None:
        """Write this unit's address on every relation and, on the leader, the jobs and rules."""
        if not self.relations:
            return
        topology = JujuTopology.from_charm(self._charm)
        app_data = {
            "scrape_metadata": json.dumps(topology.as_dict()),
            "scrape_jobs": json.dumps([job.to_dict() for job in jobs]),
            "alert_rules": json.dumps(rules_with_topology(alert_rules, topology), sort_keys=True),
        }
        for relation in self.relations:
            unit_data = relation.data[self._charm.unit]
            wanted = {
                "prometheus_scrape_unit_address": self._unit_address(relation),
                "prometheus_scrape_unit_name": self._charm.unit.name,
            }
            for key, value in wanted.items():
                if unit_data.get(key) != value:
                    unit_data[key] = value
            if self._charm.unit.is_leader():
                databag = relation.data[self._charm.app]
                for key, value in app_data.items():
                    if databag.get(key) != value:
                        databag[key] = value

    def rejections(self) -> list[str]:
        """What the related apps said they could not use (their ``event`` errors), for the status."""
        problems = []
        for relation in self.relations:
            if relation.app is None:
                continue
            raw = relation.data[relation.app].get("event")
            try:
                errors = json.loads(raw).get("errors") if raw else None
            except (ValueError, AttributeError):
                continue
            if errors:
                problems.append(f"{relation.app.name} rejected the alert rules: {errors}")
        return problems
