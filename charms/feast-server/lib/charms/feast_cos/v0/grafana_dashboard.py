"""Provider side of the ``grafana_dashboard`` interface (grafana-k8s, opentelemetry-collector-k8s).

The interface's owner publishes it only as a Charmhub library (``charms.grafana_k8s.v0.grafana_dashboard``),
not as a Python package; this is our implementation of the provider's half of its wire format:

- application databag (leader), key ``dashboards``: JSON ``{"templates": {<id>: <template>}, "uuid": ...}``
  where each template is ``{"charm": <charm name>, "content": <the dashboard JSON, LZMA-compressed and
  base64-encoded (cosl.LZMABase64)>, "juju_topology": {"model", "model_uuid", "application", "unit"},
  "inject_dropdowns": true, "dashboard_alt_uid": <16 hex>}``; ids of dashboards shipped as files are
  ``file:<stem>``.
- The dashboard's ``uid`` is cosl's ``DashboardPath40UID`` of the charm name and the dashboard's path,
  and it is tagged ``charm: <name>``, so a new revision replaces it in Grafana rather than adding one.
- Grafana decodes every template, adds the Juju topology drop-downs and label matchers, and answers
  ``event`` = ``{"errors": [{"dashboard_id", "error"}]}`` for templates it could not read.

``uuid`` only makes the value change when the dashboards do (Juju drops writes of an unchanged value);
it is derived from the content here, so an unchanged dashboard is not re-sent on every hook.
"""

from __future__ import annotations

import hashlib
import json

from cosl import DashboardPath40UID, JujuTopology, LZMABase64
from ops import CharmBase, Object

# The unique Charmhub library identifier, never change it
LIBID = "b0c7e5d9a3f94e3c8d2e1f0a9b8c7d61"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

DEFAULT_RELATION_NAME = "grafana-dashboard"
DASHBOARDS_DIR = "src/grafana_dashboards"


def template(charm_name: str, stem: str, dashboard: dict, topology: JujuTopology) -> dict:
    """The template for one dashboard file ``<DASHBOARDS_DIR>/<stem>.json`` (``dashboard`` is not changed)."""
    content = dict(dashboard)
    if not DashboardPath40UID.is_valid(content.get("uid", "")):
        content["uid"] = DashboardPath40UID.generate(charm_name, f"{DASHBOARDS_DIR}/{stem}.json")
    tags = list(content.get("tags", []))
    if not any(tag.startswith("charm: ") for tag in tags):
        tags.append(f"charm: {charm_name}")
    content["tags"] = tags
    dashboard_id = f"file:{stem}"
    return {
        "charm": charm_name,
        "content": LZMABase64.compress(json.dumps(content, sort_keys=True)),
        "juju_topology": topology.as_dict(excluded_keys=["charm_name"]),
        "inject_dropdowns": True,
        "dashboard_alt_uid": hashlib.shake_256(f"{charm_name}-{dashboard_id}".encode()).hexdigest(8),
    }


def encode(templates: dict[str, dict]) -> str:
    """The exact value of the ``dashboards`` key."""
    stable = json.dumps(templates, sort_keys=True)
    return json.dumps({"templates": templates, "uuid": hashlib.sha256(stable.encode()).hexdigest()[:32]},
                      sort_keys=True)


class GrafanaDashboardProvider(Object):
    """Sends this charm's dashboards to the related Grafana (or collector)."""

    def __init__(self, charm: CharmBase, relation_name: str = DEFAULT_RELATION_NAME):
        super().__init__(charm, relation_name)
        self._charm = charm
        self._relation_name = relation_name

    @property
    def relations(self):
        return self._charm.model.relations[self._relation_name]

    def publish(self, dashboards: dict[str, dict]) -> None:
        """On the leader, put ``{file stem: dashboard JSON model}`` on every relation."""
        if not self.relations or not self._charm.unit.is_leader():
            return
        topology = JujuTopology.from_charm(self._charm)
        name = self._charm.meta.name
        value = encode({f"file:{stem}": template(name, stem, board, topology) for stem, board in dashboards.items()})
        for relation in self.relations:
            databag = relation.data[self._charm.app]
            if databag.get("dashboards") != value:
                databag["dashboards"] = value

    def rejections(self) -> list[str]:
        """Dashboards a related Grafana said it could not use (its ``event`` errors)."""
        problems = []
        for relation in self.relations:
            if relation.app is None:
                continue
            raw = relation.data[relation.app].get("event")
            try:
                errors = json.loads(raw).get("errors") if raw else None
            except (ValueError, AttributeError):
                continue
            for error in errors or []:
                if isinstance(error, dict):
                    problems.append(f"{relation.app.name} rejected dashboard {error.get('dashboard_id')}: "
                                    f"{error.get('error')}")
        return problems
