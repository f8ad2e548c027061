"""The Canonical Observability Stack for a Feast workload charm, in one object.

A charm that runs a Feast server under Pebble (feast-ui, feast-server) declares these relations in
charmcraft.yaml::

    provides:
      metrics-endpoint: {interface: prometheus_scrape}
      grafana-dashboard: {interface: grafana_dashboard}
    requires:
      logging: {interface: loki_push_api}
      tracing: {interface: tracing, limit: 1}

and, in its holistic reconcile (``Observability.RELATIONS`` lists the relations whose events must
reach it)::

    self._cos = Observability(self, jobs=[ScrapeJob("feast_ui", 8888)], monitoring=feast_monitoring.UI)
    ...
    self._cos.publish()                                   # every unit (scrape address), leader data
    environment = self._cos.workload_environment("feast-ui")   # OTEL_* for the Pebble service
    targets = self._cos.log_targets(container)            # Pebble log-targets for the same layer
    problems = self._cos.rejections()                     # for collect-status (reads only)

Metrics: Prometheus scrapes each unit's ``/metrics`` (prometheus_scrape, our provider side); the
alert rules travel with the scrape jobs. Dashboards: grafana_dashboard (our provider side). Logs:
Pebble forwards the workload's output to every related Loki push endpoint (loki_push_api, our
requirer side). Traces: ``tracing`` through the published ``charmlibs-interfaces-tracing``; the
workload exports OTLP over HTTP to the receiver Tempo or opentelemetry-collector-k8s publishes,
configured by the standard ``OTEL_*`` variables feast_core reads. Putting them in the service's
environment means a changed endpoint changes the layer, and ``replan`` restarts the service.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from charmlibs.interfaces.tracing import TracingEndpointRequirer
from charms.feast_cos.v0.feast_monitoring import Monitoring
from charms.feast_cos.v0.grafana_dashboard import GrafanaDashboardProvider
from charms.feast_cos.v0.loki_push_api import LokiPushApiRequirer, log_targets
from charms.feast_cos.v0.prometheus_scrape import MetricsEndpointProvider, ScrapeJob
from cosl import JujuTopology
from ops import CharmBase, Container, ModelError, Object
from ops.pebble import ConnectionError as PebbleConnectionError

# The unique Charmhub library identifier, never change it
LIBID = "d8e3f1a5b7c94d2e8f6a0b3c5d7e9f12"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

logger = logging.getLogger(__name__)

METRICS_RELATION = "metrics-endpoint"
DASHBOARD_RELATION = "grafana-dashboard"
LOGGING_RELATION = "logging"
TRACING_RELATION = "tracing"
TRACING_PROTOCOL = "otlp_http"


def otel_environment(endpoint: str | None, service: str, topology: JujuTopology) -> dict[str, str]:
    """The OTEL_* variables that send a feast_core server's traces to ``endpoint`` (an OTLP/HTTP base URL).

    Only traces: metrics stay on ``/metrics`` for Prometheus (a tracing backend such as Tempo takes no
    metrics). ``{}`` without an endpoint, which leaves tracing off (feast_core then loads no
    OpenTelemetry code). The resource carries the Juju topology, as charm traces do.
    """
    if not endpoint:
        return {}
    attributes = {
        "juju_model": topology.model,
        "juju_model_uuid": topology.model_uuid,
        "juju_application": topology.application,
        "juju_unit": topology.unit or "",
        "juju_charm": topology.charm_name or "",
    }
    return {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{endpoint.rstrip('/')}/v1/traces",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
        "OTEL_SERVICE_NAME": service,
        "OTEL_RESOURCE_ATTRIBUTES": ",".join(f"{key}={quote(value, safe='')}" for key, value in attributes.items()),
    }


class Observability(Object):
    """Metrics, dashboards, alert rules, logs and traces of one workload container."""

    RELATIONS = (METRICS_RELATION, DASHBOARD_RELATION, LOGGING_RELATION, TRACING_RELATION)

    def __init__(self, charm: CharmBase, *, jobs: list[ScrapeJob], monitoring: Monitoring):
        super().__init__(charm, "observability")
        self._charm = charm
        self._jobs = list(jobs)
        self._monitoring = monitoring
        self.metrics = MetricsEndpointProvider(charm, METRICS_RELATION)
        self.dashboards = GrafanaDashboardProvider(charm, DASHBOARD_RELATION)
        self.logging = LokiPushApiRequirer(charm, LOGGING_RELATION)
        # protocols are requested by publish(), not here: constructing must not write relation data
        self.tracing = TracingEndpointRequirer(charm, relation_name=TRACING_RELATION)

    def publish(self) -> None:
        """Everything the related COS applications read from us (call from the reconcile, on every unit)."""
        self.metrics.publish(self._jobs, self._monitoring.alert_rules)
        self.dashboards.publish(self._monitoring.dashboards())
        self.logging.publish()
        if self._charm.unit.is_leader():
            for relation in self.tracing.relations:
                if relation.app is not None:
                    self.tracing.request_protocols([TRACING_PROTOCOL], relation=relation)

    def tracing_endpoint(self) -> str | None:
        """The related collector's OTLP/HTTP receiver, once it has published one."""
        relations = self.tracing.relations
        if not relations or not self.tracing.is_ready(relations[0]):
            return None
        data = self.tracing.get_all_endpoints(relations[0])
        for receiver in data.receivers if data else []:
            if receiver.protocol.name == TRACING_PROTOCOL:
                return receiver.url
        return None

    def workload_environment(self, service: str) -> dict[str, str]:
        """The OTEL_* variables for the Pebble service named ``service`` in traces."""
        return otel_environment(self.tracing_endpoint(), service, JujuTopology.from_charm(self._charm))

    def log_targets(self, container: Container) -> dict:
        """Pebble ``log-targets`` for ``container``'s layer: one per related Loki unit, gone ones disabled."""
        try:
            planned = container.get_plan().to_dict().get("log-targets", {}) if container.can_connect() else {}
        except (ModelError, PebbleConnectionError):
            planned = {}
        return log_targets(self.logging.endpoints(), JujuTopology.from_charm(self._charm), planned)

    def rejections(self) -> list[str]:
        """What related COS applications refused (alert rules, dashboards): reads relation data only."""
        return self.metrics.rejections() + self.dashboards.rejections()
