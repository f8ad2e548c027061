"""Requirer side of the ``loki_push_api`` interface (loki-k8s, opentelemetry-collector-k8s), with Pebble
log forwarding.

The interface's owner publishes it only as a Charmhub library (``charms.loki_k8s.v1.loki_push_api``,
whose ``LogForwarder`` this mirrors), not as a Python package; this is our implementation of the
requirer's half of its wire format:

- each provider unit's databag, key ``endpoint``: JSON ``{"url": "http://<host>:3100/loki/api/v1/push"}``.
- the requirer's application databag (leader): ``metadata`` -- JSON of the Juju topology;
  ``alert_rules`` -- JSON of a Loki (LogQL) rule file, ``{}`` when there are none.

Logs travel by Pebble's own log forwarding (Juju >= 3.4): the workload container's plan gets one
``log-targets`` entry per Loki unit, ``type: loki``, forwarding every service's output with the
Juju topology as labels. A target whose Loki unit went away is kept with ``services: [-all]``:
Pebble layers can add and override targets but not delete them.
"""

from __future__ import annotations

import json

from cosl import JujuTopology
from ops import CharmBase, Object

# The unique Charmhub library identifier, never change it
LIBID = "c6a2b8e4f1d04b7a9e3c5d7f1a2b4c68"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

DEFAULT_RELATION_NAME = "logging"


def topology_labels(topology: JujuTopology) -> dict[str, str]:
    """The labels every forwarded line carries (those the loki_push_api library sets)."""
    return {
        "product": "Juju",
        "charm": topology.charm_name or "",
        "juju_model": topology.model,
        "juju_model_uuid": topology.model_uuid,
        "juju_application": topology.application,
        "juju_unit": topology.unit or "",
    }


def log_targets(endpoints: dict[str, str], topology: JujuTopology, planned: dict | None = None) -> dict:
    """Pebble ``log-targets``: ``endpoints`` ({Loki unit: push URL}) forwarding all services, and every
    target in ``planned`` (the container plan's current targets) that is no longer an endpoint, disabled."""
    targets = {}
    for name, target in (planned or {}).items():
        if name not in endpoints:
            targets[name] = {"override": "replace", "type": target.get("type", "loki"),
                             "location": target.get("location", "(removed)"), "services": ["-all"]}
    for name, url in sorted(endpoints.items()):
        targets[name] = {"override": "replace", "type": "loki", "location": url, "services": ["all"],
                         "labels": topology_labels(topology)}
    return targets


class LokiPushApiRequirer(Object):
    """Finds the related Loki push endpoints and describes this application to them."""

    def __init__(self, charm: CharmBase, relation_name: str = DEFAULT_RELATION_NAME):
        super().__init__(charm, relation_name)
        self._charm = charm
        self._relation_name = relation_name

    @property
    def relations(self):
        return self._charm.model.relations[self._relation_name]

    def endpoints(self) -> dict[str, str]:
        """``{Loki unit name: push URL}`` over every relation; units without a readable endpoint are left out."""
        found = {}
        for relation in self.relations:
            for unit in relation.units:
                raw = relation.data[unit].get("endpoint")
                try:
                    url = json.loads(raw)["url"] if raw else None
                except (ValueError, KeyError, TypeError):
                    url = None
                if isinstance(url, str) and url.startswith(("http://", "https://")):
                    found[unit.name] = url
        return found

    def publish(self, alert_rules: dict | None = None) -> None:
        """On the leader, write this application's topology and LogQL rules on every relation."""
        if not self.relations or not self._charm.unit.is_leader():
            return
        topology = JujuTopology.from_charm(self._charm)
        app_data = {
            "metadata": json.dumps(topology.as_dict()),
            "alert_rules": json.dumps(alert_rules or {}, sort_keys=True),
        }
        for relation in self.relations:
            databag = relation.data[self._charm.app]
            for key, value in app_data.items():
                if databag.get(key) != value:
                    databag[key] = value
