"""What COS shows and alerts on for Feast's servers: Grafana dashboards and Prometheus alert rules.

The one place that names Feast's metrics for the charms (docs/reference/metrics.md says what each one
means). Two workloads use it:

- ``feast ui`` (charm feast-ui): it answers no feature requests, so it exports only resource use,
  registry age and feature freshness (and prometheus-client's ``process_*``): :data:`UI`.
- ``feast serve`` (charm feast-server): Feast's request counter and latency histogram, online-store
  reads, pushes, materialization, registry refreshes and the offline store: :data:`FEATURE_SERVER`.

Each :class:`Monitoring` holds a dashboard (Grafana's JSON model, panels reading the
``${prometheusds}`` data source that COS's Grafana templates in) and alert rule groups in the
official Prometheus rule-file format. Queries carry no Juju topology: COS adds the ``juju_*`` label
matchers to rule expressions and the model/application/unit drop-downs to dashboards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

# The unique Charmhub library identifier, never change it
LIBID = "5d3e54e0c8f34a39a1f1a8f7a2d0c611"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

DATASOURCE = {"type": "prometheus", "uid": "${prometheusds}"}
RATE = "$__rate_interval"  # Grafana's range for rate() over the dashboard's scrape interval


@dataclass(frozen=True)
class Panel:
    """One time-series or stat panel: a title, PromQL targets ``(expr, legend)`` and a unit."""

    title: str
    targets: tuple[tuple[str, str], ...]
    unit: str = "short"
    kind: str = "timeseries"
    description: str = ""


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...]


@dataclass
class Monitoring:
    """A workload's dashboard and alert rules."""

    dashboard: dict
    alert_rules: dict = field(default_factory=dict)

    def dashboards(self) -> dict[str, dict]:
        """``{file stem: dashboard}``, as a charm ships them (copies: callers may change them)."""
        return {self.dashboard["title"].lower().replace(" ", "-"): copy.deepcopy(self.dashboard)}


def quantile(q: float, histogram: str, by: str = "", where: str = "") -> str:
    """``histogram_quantile`` over a histogram's buckets, summed ``by`` labels (``le`` always kept)."""
    labels = ", ".join(["le", *[label.strip() for label in by.split(",") if label.strip()]])
    selector = f"{histogram}_bucket{{{where}}}" if where else f"{histogram}_bucket"
    return f"histogram_quantile({q}, sum by ({labels}) (rate({selector}[{RATE}])))"


def _panel_json(panel: Panel, panel_id: int, x: int, y: int, width: int) -> dict:
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": dict(DATASOURCE),
        "gridPos": {"h": 8, "w": width, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if panel.kind == "timeseries" else {},
        "targets": [
            {"datasource": dict(DATASOURCE), "expr": expr, "legendFormat": legend, "refId": chr(ord("A") + i)}
            for i, (expr, legend) in enumerate(panel.targets)
        ],
    }


def build_dashboard(title: str, description: str, rows: tuple[Row, ...]) -> dict:
    """Grafana's dashboard JSON model: rows of panels, three panels a line."""
    panels: list[dict] = []
    panel_id = 1
    y = 0
    for row in rows:
        panels.append({"id": panel_id, "type": "row", "title": row.title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        panel_id += 1
        y += 1
        width = 24 // min(3, len(row.panels))
        for index, panel in enumerate(row.panels):
            x = (index % 3) * width
            if index and index % 3 == 0:
                y += 8
            panels.append(_panel_json(panel, panel_id, x, y, width))
            panel_id += 1
        y += 8
    return {
        "title": title,
        "description": description,
        "tags": ["feast"],
        "timezone": "browser",
        "refresh": "30s",
        "schemaVersion": 39,
        "time": {"from": "now-1h", "to": "now"},
        "editable": True,
        "panels": panels,
        "templating": {"list": []},
        "annotations": {"list": []},
    }


# ---- panels both workloads export ---------------------------------------------------------------

UP = Panel("Targets up", (("sum(up)", "up"), ("count(up)", "scraped")), kind="stat",
           description="Units whose /metrics answered the last scrape, of those scraped.")
CPU = Panel("CPU", (("max by (juju_unit) (feast_feature_server_cpu_usage)", "{{juju_unit}}"),),
            unit="percent", description="CPU used over the last 5 s, in percent of one core (per process).")
MEMORY = Panel("Memory", (("max by (juju_unit) (feast_feature_server_memory_usage)", "{{juju_unit}}"),),
               unit="percent", description="Resident memory, in percent of the machine's memory.")
RESIDENT = Panel("Resident memory", (("max by (juju_unit) (process_resident_memory_bytes)", "{{juju_unit}}"),),
                 unit="bytes")
REGISTRY_AGE = Panel(
    "Registry age", (("max by (juju_unit) (feast_registry_age_seconds)", "{{juju_unit}}"),), unit="s",
    description="Seconds since the process last read the registry; growing past the refresh interval "
                "means refreshes fail.",
)
FRESHNESS = Panel(
    "Feature freshness", (("max by (project, feature_view) (feast_feature_freshness_seconds)",
                           "{{project}}/{{feature_view}}"),), unit="s",
    description="Seconds since the end of each view's most recent materialized interval.",
)

UI_DASHBOARD = build_dashboard(
    "Feast UI",
    "feast ui: resource use, registry age and feature freshness (the UI serves no feature requests).",
    (
        Row("Availability", (UP, REGISTRY_AGE, FRESHNESS)),
        Row("Resources", (CPU, MEMORY, RESIDENT)),
    ),
)

# ---- the feature server (feast serve) ------------------------------------------------------------

REQUESTS = "feast_feature_server_request_total"
LATENCY = "feast_feature_server_request_latency_seconds"

FEATURE_SERVER_DASHBOARD = build_dashboard(
    "Feast feature server",
    "feast serve: throughput, latency, errors, online-store reads, materialization and freshness.",
    (
        Row("Requests", (
            UP,
            Panel("Throughput", ((f"sum by (endpoint) (rate({REQUESTS}[{RATE}]))", "{{endpoint}}"),), unit="reqps"),
            Panel("Errors (5xx share)", (
                (f'sum(rate({REQUESTS}{{code=~"5.."}}[{RATE}])) / sum(rate({REQUESTS}[{RATE}]))', "5xx"),
                (f'sum(rate({REQUESTS}{{status="error"}}[{RATE}])) / sum(rate({REQUESTS}[{RATE}]))', "all errors"),
            ), unit="percentunit"),
        )),
        Row("Latency", (
            Panel("Latency p50 / p95 / p99", (
                (quantile(0.5, LATENCY), "p50"), (quantile(0.95, LATENCY), "p95"), (quantile(0.99, LATENCY), "p99"),
            ), unit="s"),
            Panel("Latency p99 by endpoint", ((quantile(0.99, LATENCY, by="endpoint"), "{{endpoint}}"),), unit="s"),
            Panel("Responses by status code", (
                (f"sum by (code) (rate({REQUESTS}[{RATE}]))", "{{code}}"),
                (f"sum by (reason) (rate(feast_auth_failures_total[{RATE}]))", "auth: {{reason}}"),
            ), unit="reqps"),
        )),
        Row("Online store", (
            Panel("Online-store read p99 by view", (
                (quantile(0.99, "feast_online_store_read_seconds", by="online_store, feature_view"),
                 "{{online_store}} {{feature_view}}"),
            ), unit="s"),
            Panel("Online-store read per request p50 / p99", (
                (quantile(0.5, "feast_feature_server_online_store_read_duration_seconds"), "p50"),
                (quantile(0.99, "feast_feature_server_online_store_read_duration_seconds"), "p99"),
            ), unit="s"),
            Panel("Feature values by status", (
                (f"sum by (status) (rate(feast_online_features_status_total[{RATE}]))", "{{status}}"),
            ), unit="ops"),
        )),
        Row("Materialization and freshness", (
            Panel("Materialization progress (rows/s)", (
                (f"sum by (feature_view) (rate(feast_materialization_rows_total[{RATE}]))", "{{feature_view}}"),
            ), unit="rowsps"),
            Panel("Materializations by outcome", (
                ("sum by (feature_view, status) (increase(feast_materialization_result_total[1h]))",
                 "{{feature_view}} {{status}}"),
            ), unit="short"),
            FRESHNESS,
        )),
        Row("Registry, pushes and the offline store", (
            REGISTRY_AGE,
            Panel("Pushes", ((f"sum by (push_source, mode) (rate(feast_push_request_total[{RATE}]))",
                              "{{push_source}} {{mode}}"),), unit="reqps"),
            Panel("Historical retrieval p99", (
                (quantile(0.99, "feast_offline_store_request_latency_seconds", by="method"), "{{method}}"),
            ), unit="s"),
        )),
        Row("Resources", (CPU, MEMORY, RESIDENT)),
    ),
)


# ---- alert rules ----------------------------------------------------------------------------------

def _alert(name: str, expr: str, for_: str, severity: str, summary: str, description: str) -> dict:
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


REGISTRY_STALE_SECONDS = 300
LATENCY_P99_SECONDS = 0.5
ERROR_SHARE = 0.05


def registry_stale(workload: str) -> dict:
    return _alert(
        f"{workload}RegistryStale", f"max by (juju_unit) (feast_registry_age_seconds) > {REGISTRY_STALE_SECONDS}",
        "5m", "warning", "{{ $labels.juju_unit }} has not read the registry for over 5 minutes",
        "feast_registry_age_seconds is {{ $value }} s: the registry database cannot be read, so changes from "
        "feast apply are not shown or served.",
    )


UI_ALERT_RULES = {"groups": [{"name": "feast_ui", "rules": [
    _alert("FeastUIDown", "up < 1", "5m", "critical", "feast ui on {{ $labels.juju_unit }} is down",
           "The UI's /metrics has not answered a scrape for 5 minutes (the process is not running or not "
           "reachable on port 8888)."),
    registry_stale("FeastUI"),
]}]}

FEATURE_SERVER_ALERT_RULES = {"groups": [{"name": "feast_feature_server", "rules": [
    _alert("FeastFeatureServerDown", "up < 1", "5m", "critical",
           "The feature server on {{ $labels.juju_unit }} is down",
           "Its /metrics has not answered a scrape for 5 minutes."),
    _alert(
        "FeastFeatureServerErrors",
        f'sum by (juju_unit) (rate({REQUESTS}{{code=~"5.."}}[5m])) / sum by (juju_unit) (rate({REQUESTS}[5m]))'
        f" > {ERROR_SHARE}",
        "5m", "critical", "{{ $labels.juju_unit }} answers over 5% of requests with a server error",
        "{{ $value | humanizePercentage }} of the feature server's requests got a 5xx answer over 5 minutes.",
    ),
    _alert(
        "FeastFeatureServerSlow",
        f"histogram_quantile(0.99, sum by (le, juju_unit) (rate({LATENCY}_bucket[5m]))) > {LATENCY_P99_SECONDS}",
        "10m", "warning", "{{ $labels.juju_unit }}: p99 request latency over 500 ms",
        "The 99th percentile of request latency is {{ $value }} s over 5 minutes.",
    ),
    registry_stale("FeastFeatureServer"),
]}]}

UI = Monitoring(UI_DASHBOARD, UI_ALERT_RULES)
FEATURE_SERVER = Monitoring(FEATURE_SERVER_DASHBOARD, FEATURE_SERVER_ALERT_RULES)
