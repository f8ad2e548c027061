"""The COS applications as feast-ui's and feast-server's tests meet them: relation data shaped as prometheus-k8s,
grafana-k8s and loki-k8s write it, and tempo / opentelemetry-collector-k8s played through the published
charmlibs-interfaces-tracing provider."""

from __future__ import annotations

import json

import ops
from charmlibs.interfaces.tracing import TracingEndpointProvider
from ops import testing

MODEL = testing.Model(name="kubeflow", uuid="f4d59020-c8e7-4053-8044-a2c1e5591c7f")
LOKI_URL = "http://loki-0.loki-endpoints.cos.svc.cluster.local:3100/loki/api/v1/push"
OTLP_HTTP = "http://otelcol-0.otelcol-endpoints.cos.svc.cluster.local:4318"


def prometheus_relation(remote_app_data: dict | None = None) -> testing.Relation:
    # prometheus-k8s writes nothing on metrics-endpoint unless it rejects the rules ("event")
    return testing.Relation("metrics-endpoint", interface="prometheus_scrape", remote_app_name="prometheus",
                            remote_app_data=remote_app_data or {})


def grafana_relation(remote_app_data: dict | None = None) -> testing.Relation:
    return testing.Relation("grafana-dashboard", interface="grafana_dashboard", remote_app_name="grafana",
                            remote_app_data=remote_app_data or {})


def loki_relation(urls: dict[int, str] | None = None) -> testing.Relation:
    """loki-k8s: each unit writes {"url": ...} under ``endpoint`` in its unit databag."""
    urls = {0: LOKI_URL} if urls is None else urls
    return testing.Relation(
        "logging", interface="loki_push_api", remote_app_name="loki",
        remote_units_data={unit: {"endpoint": json.dumps({"url": url})} for unit, url in urls.items()},
    )


class Collector(ops.CharmBase):
    """Plays opentelemetry-collector-k8s / tempo on `tracing`, through the published provider."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.tracing = TracingEndpointProvider(self, relation_name="receive-traces")
        framework.observe(self.on["receive-traces"].relation_changed, self._publish)

    def _publish(self, event: ops.RelationChangedEvent) -> None:
        requested = self.tracing.requested_protocols()
        urls = {"otlp_http": OTLP_HTTP, "otlp_grpc": OTLP_HTTP.replace("http://", "").replace("4318", "4317")}
        self.tracing.publish_receivers([(protocol, urls[protocol]) for protocol in sorted(requested)])


def collector_answer(requirer_app_data: dict[str, str]) -> dict[str, str]:
    """What the collector writes back on `tracing` when feast-ui asked with ``requirer_app_data``."""
    ctx = testing.Context(Collector, meta={
        "name": "opentelemetry-collector-k8s",
        "provides": {"receive-traces": {"interface": "tracing"}},
    })
    rel = testing.Relation("receive-traces", remote_app_name="feast-ui", remote_app_data=requirer_app_data)
    out = ctx.run(ctx.on.relation_changed(rel), testing.State(leader=True, relations={rel}))
    return dict(out.get_relation(rel.id).local_app_data)


def tracing_relation(remote_app_data: dict | None = None) -> testing.Relation:
    return testing.Relation("tracing", interface="tracing", remote_app_name="otelcol",
                            remote_app_data=remote_app_data or {}, limit=1)
