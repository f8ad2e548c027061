"""Prometheus metrics of the feature server, served at ``/metrics`` (names follow Feast's where Feast has one).

With several workers (``serve(workers=N)``), each worker process writes its samples to
``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve`` before the workers start) and ``/metrics`` adds them up.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ENTITY_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
MATERIALIZE_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600)

REQUESTS = Counter(
    "feast_feature_server_request_total", "Requests handled, by endpoint and HTTP status.", ["endpoint", "status"]
)
REQUEST_LATENCY = Histogram(
    "feast_feature_server_request_latency_seconds", "Time to answer a request, by endpoint and HTTP status.",
    ["endpoint", "status"], buckets=LATENCY_BUCKETS,
)
ONLINE_READ = Histogram(
    "feast_feature_server_online_store_read_duration_seconds",
    "Time to read features for one /get-online-features request from the online store.", buckets=LATENCY_BUCKETS,
)
ENTITY_COUNT = Histogram(
    "feast_online_features_entity_count", "Entity rows per /get-online-features request.", buckets=ENTITY_BUCKETS
)
PUSHES = Counter("feast_push_request_total", "Push requests, by push source and mode.", ["push_source", "mode"])
MATERIALIZATIONS = Counter(
    "feast_materialization_result_total", "Materialization runs, by feature view and outcome.", ["feature_view", "status"]
)
MATERIALIZATION_SECONDS = Histogram(
    "feast_materialization_duration_seconds", "Time one feature view's materialization took.", ["feature_view"],
    buckets=MATERIALIZE_BUCKETS,
)
REGISTRY_REFRESHES = Counter(
    "feast_feature_server_registry_refresh_total", "Background registry refreshes, by outcome.", ["status"]
)


class RequestMetrics:
    """Counts and times requests; the labelled children are looked up once per (endpoint, status)."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, int], tuple] = {}

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        key = (endpoint, status)
        children = self._children.get(key)
        if children is None:
            label = str(status)
            children = self._children[key] = (
                REQUESTS.labels(endpoint, label), REQUEST_LATENCY.labels(endpoint, label)
            )
        children[0].inc()
        children[1].observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric, summed over worker processes when there are several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
