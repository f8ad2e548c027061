"""The Prometheus metrics, exported over OTLP too: every ``OTEL_METRIC_EXPORT_INTERVAL`` ms (default 60 000) and
once more at exit, the registry that ``/metrics`` shows is read and sent as OTLP data points.

Recording stays with prometheus-client (one instrument, about a microsecond per sample, pooled across worker
processes); this module only translates a reading, so metrics exported over OTLP and scraped from ``/metrics``
are the same numbers under the same names: counters are cumulative monotonic sums named as their Prometheus
samples (``..._total``), histograms keep their bucket bounds, gauges stay gauges. Imported only when OTLP
metrics are configured.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricsData,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

from ..errors import ConfigError
from . import traces
from .environment import otlp_protocol
from .metrics import DEFERRED, collectors

log = logging.getLogger(__name__)

STARTED_NS = time.time_ns()


def _exporter(name: str):
    if name == "otlp":
        if otlp_protocol("metrics") == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

            return OTLPMetricExporter()
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        from .otlp_http import exporter

        return exporter("metrics", OTLPMetricExporter)
    if name == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter()
    raise ConfigError(
        f"OTEL_METRICS_EXPORTER names {name!r}; feast_core exports metrics with 'otlp', 'console', 'prometheus' "
        "(the /metrics endpoint, always there) or 'none'"
    )


def _point_key(labels: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in labels.items() if k != "le"))


def translate(families, now_ns: int | None = None) -> list[Metric]:
    """Prometheus metric families (as ``registry.collect()`` gives them) as OTLP metrics."""
    now_ns = now_ns or time.time_ns()
    metrics = []
    for family in families:
        created: dict[tuple, int] = {}
        for sample in family.samples:
            if sample.name.endswith("_created"):
                created[_point_key(sample.labels)] = int(sample.value * 1e9)
        if family.type == "counter":
            points = [
                NumberDataPoint(dict(s.labels), created.get(_point_key(s.labels), STARTED_NS), now_ns, s.value)
                for s in family.samples if s.name.endswith("_total")
            ]
            if points:
                data = Sum(points, AggregationTemporality.CUMULATIVE, is_monotonic=True)
                metrics.append(Metric(f"{family.name}_total", family.documentation, "", data))
        elif family.type == "gauge":
            points = [NumberDataPoint(dict(s.labels), STARTED_NS, now_ns, s.value) for s in family.samples]
            if points:
                metrics.append(Metric(family.name, family.documentation, "", Gauge(points)))
        elif family.type == "histogram":
            series: dict[tuple, dict] = {}
            for s in family.samples:
                key = _point_key(s.labels)
                entry = series.setdefault(key, {"buckets": [], "count": 0, "sum": 0.0, "labels": key})
                if s.name.endswith("_bucket"):
                    entry["buckets"].append((float(s.labels["le"]), s.value))
                elif s.name.endswith("_count"):
                    entry["count"] = int(s.value)
                elif s.name.endswith("_sum"):
                    entry["sum"] = s.value
            points = []
            for key, entry in series.items():
                cumulative = sorted(entry["buckets"])
                bounds = [le for le, _ in cumulative if le != float("inf")]
                counts, previous = [], 0.0
                for _, total in cumulative:
                    counts.append(int(total - previous))
                    previous = total
                if len(counts) == len(bounds):  # no +Inf bucket read: the rest of the count lands there
                    counts.append(entry["count"] - int(previous))
                points.append(HistogramDataPoint(
                    dict(key), created.get(key, STARTED_NS), now_ns, entry["count"], entry["sum"], counts, bounds,
                    None, None,
                ))
            if points:
                data = Histogram(points, AggregationTemporality.CUMULATIVE)
                metrics.append(Metric(family.name, family.documentation, "", data))
    return metrics


class Exporter:
    """Reads the registry every interval on a daemon thread and exports it; once more at interpreter exit."""

    def __init__(self, names: list[str], service_name: str) -> None:
        self._exporters = [_exporter(n) for n in names]
        self._resource = traces.resource(service_name)
        self._interval = float(os.environ.get("OTEL_METRIC_EXPORT_INTERVAL", "60000")) / 1000
        self._timeout_ms = float(os.environ.get("OTEL_METRIC_EXPORT_TIMEOUT", "30000"))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="feast-otlp-metrics", daemon=True)

    def start(self) -> None:
        self._thread.start()
        atexit.register(self.shutdown)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.export()

    def export(self) -> None:
        with self._lock:
            from .. import __version__

            DEFERRED.apply()
            metrics = translate(collectors().collect())
            scope = InstrumentationScope(traces.SCOPE, __version__)
            data = MetricsData([ResourceMetrics(self._resource, [ScopeMetrics(scope, metrics, "")], "")])
            for exporter in self._exporters:
                try:
                    exporter.export(data, timeout_millis=self._timeout_ms)
                except Exception:  # an exporter must never take the process down; the SDK's readers do the same
                    log.warning("exporting metrics with %s failed", type(exporter).__name__, exc_info=True)

    def shutdown(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self.export()
        for exporter in self._exporters:
            exporter.shutdown()
