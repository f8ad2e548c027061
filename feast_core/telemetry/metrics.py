"""The metrics: Prometheus instruments (Feast's names where Feast has one), read at ``/metrics`` and, when
OTLP metrics are configured, exported by ``otlp_metrics``. docs/reference/metrics.md says what each one means.

Recording goes through this module's instruments; callers check ``telemetry.flags.<category>`` first, so a
category switched off in ``feature_server: metrics:`` costs one attribute read. With several server workers
(``serve(workers=N)``) each process writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds
them up.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ENTITY_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000)  # Feast's
MATERIALIZE_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
OFFLINE_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
ROW_BUCKETS = (100, 1000, 10000, 100000, 500000, 1000000, 5000000)  # Feast's

# ---- Feast's metrics (same names and labels) ------------------------------------------------------

CPU = Gauge("feast_feature_server_cpu_usage", "CPU use of the server process, in percent of one core.",
            multiprocess_mode="liveall")
MEMORY = Gauge("feast_feature_server_memory_usage", "Resident memory of the server process, in percent of the "
               "machine's memory.", multiprocess_mode="liveall")
REQUESTS = Counter(
    "feast_feature_server_request_total",
    "Requests answered, by endpoint, outcome (success: status below 400, else error) and HTTP status code.",
    ["endpoint", "status", "code"],
)
REQUEST_LATENCY = Histogram(
    "feast_feature_server_request_latency_seconds",
    "Time to answer a request, by endpoint and (for /get-online-features) binned feature and feature view counts.",
    ["endpoint", "feature_count", "feature_view_count"], buckets=LATENCY_BUCKETS,
)
ONLINE_REQUESTS = Counter("feast_online_features_request_total", "Online feature requests served.")
ENTITY_COUNT = Histogram(
    "feast_online_features_entity_count", "Entity rows per online feature request.", buckets=ENTITY_BUCKETS
)
ONLINE_STATUS = Counter(
    "feast_online_features_status_total",
    "Feature values returned, by feature view and status (present, not_found, outside_max_age).",
    ["feature_view", "status"],
)
ONLINE_READ = Histogram(
    "feast_feature_server_online_store_read_duration_seconds",
    "Time to read one online request's features from the online store (all feature views).",
    buckets=LATENCY_BUCKETS,
)
PUSHES = Counter("feast_push_request_total", "Pushes, by push source and mode.", ["push_source", "mode"])
MATERIALIZATIONS = Counter(
    "feast_materialization_result_total", "Materializations of one feature view, by outcome.",
    ["feature_view", "status"],
)
MATERIALIZATION_SECONDS = Histogram(
    "feast_materialization_duration_seconds", "Time one feature view's materialization took.", ["feature_view"],
    buckets=MATERIALIZE_BUCKETS,
)
OFFLINE_REQUESTS = Counter(
    "feast_offline_store_request_total", "Historical retrievals computed, by method and outcome.",
    ["method", "status"],
)
OFFLINE_LATENCY = Histogram(
    "feast_offline_store_request_latency_seconds", "Time to compute a historical retrieval.", ["method"],
    buckets=OFFLINE_BUCKETS,
)
OFFLINE_ROWS = Histogram(
    "feast_offline_store_row_count", "Rows returned by a historical retrieval.", ["method"], buckets=ROW_BUCKETS
)
# feast_feature_freshness_seconds{feature_view, project}: see StoreCollector

# ---- feast_core's own ---------------------------------------------------------------------------

VIEW_READ = Histogram(
    "feast_online_store_read_seconds",
    "Time of one online-store read (one round trip) for one feature view, by online store type and view.",
    ["online_store", "feature_view"], buckets=LATENCY_BUCKETS,
)
MATERIALIZED_ROWS = Counter(
    "feast_materialization_rows_total", "Rows written to the online store by materialization.", ["feature_view"]
)
REGISTRY_REFRESHES = Counter(
    "feast_feature_server_registry_refresh_total", "Background registry refreshes, by outcome.", ["status"]
)
AUTH_FAILURES = Counter(
    "feast_auth_failures_total",
    "Requests refused by authentication or authorization, by reason (e.g. missing_token, invalid_token, forbidden).",
    ["reason"],
)
# feast_registry_age_seconds: see StoreCollector


class Deferred:
    """Samples of the request path, queued per series and applied to their instruments in bulk.

    Recording a sample is one C-level ``list.append`` on the series' own list (atomic under the GIL: no lock) --
    ``series(child)`` gives that ``append`` for one instrument child; ``series(histogram, counted=counter)`` also
    adds the number of samples to ``counter`` (a request counter and its latency histogram, recorded with one
    append); ``samples(sink)`` gives it for samples that ``sink`` applies itself (e.g. tuples feeding several
    instruments). ``apply()`` runs before every read of the metrics (``/metrics``, OTLP export) and every second on
    a daemon thread (so that, with several workers, a scrape answered by one sees the others' samples); it takes
    each list's samples with a slice and a slice deletion (both atomic: a sample appended meanwhile stays for the
    next time) and hands them to the series' sink, which adds them with C loops (see ``_observe_all``).
    """

    def __init__(self) -> None:
        self._series: list[tuple[list, Callable[[list], None]]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def series(self, child, counted=None) -> Callable[[float], None]:
        """The function recording one sample of ``child`` (a counter's increment or a histogram's observation);
        ``counted``: a counter child that counts the samples too."""
        sink = functools.partial(_observe_all, child) if isinstance(child, Histogram) else _adder(child)
        return self.samples(sink if counted is None else _counting(sink, counted))

    def samples(self, sink: Callable[[list], None]) -> Callable[[object], None]:
        """The function queueing one sample for ``sink``, which gets a list of them at each ``apply``."""
        samples: list = []
        with self._lock:
            self._series.append((samples, sink))
        return samples.append

    def start(self, interval: float = 1.0) -> None:
        if self._thread is not None:
            return

        def run() -> None:
            while True:
                time.sleep(interval)
                self.apply()

        self._thread = threading.Thread(target=run, name="feast-metrics-apply", daemon=True)
        self._thread.start()

    def apply(self) -> None:
        with self._lock:
            for samples, sink in self._series:
                count = len(samples)
                if count:
                    values = samples[:count]
                    del samples[:count]
                    sink(values)


def _adder(child) -> Callable[[list], None]:
    """A counter child's sink: one increment by the samples' sum."""
    return lambda values: child.inc(sum(values))


def _counting(sink: Callable[[list], None], counter) -> Callable[[list], None]:
    """``sink`` that also adds the number of samples to ``counter``."""
    def counted(values: list) -> None:
        sink(values)
        counter.inc(len(values))

    return counted


def _observe_all(child: Histogram, values) -> None:
    """Observe every value in ``values`` (numbers): sorted once in C, each bucket gets the number of values up to
    its bound found by bisection (prometheus-client's per-child ``_sum``/``_buckets`` when the installed version
    has them, checked; else one ``observe`` each)."""
    bounds, buckets, total = getattr(child, "_upper_bounds", None), getattr(child, "_buckets", None), \
        getattr(child, "_sum", None)
    if bounds is None or buckets is None or total is None or len(bounds) != len(buckets):
        for value in values:
            child.observe(value)
        return
    values = sorted(values)
    total.inc(sum(values))
    below, count = 0, len(values)
    for bound, bucket in zip(bounds, buckets):  # a value goes to the first bucket whose bound is >= it
        upto = bisect.bisect_right(values, bound)
        if upto > below:
            bucket.inc(upto - below)
            below = upto
            if below == count:
                break


DEFERRED = Deferred()


class RequestSeries(dict):
    """``requests[endpoint, code, (feature_count, feature_view_count)](seconds)``: one sample of Feast's request
    latency histogram that also counts the request in ``feast_feature_server_request_total`` (one append a
    request). A dict, so that finding a known label set's recording function is one C-level lookup; the first
    lookup of a label set makes it."""

    def __missing__(self, key: tuple[str, int, tuple[str, str]]) -> Callable[[float], None]:
        endpoint, code, (feature_count, feature_view_count) = key
        counter = REQUESTS.labels(endpoint, "success" if code < 400 else "error", str(code))
        record = DEFERRED.series(REQUEST_LATENCY.labels(endpoint, feature_count, feature_view_count), counted=counter)
        return self.setdefault(key, record)  # another thread may have made it meanwhile: both record the same child


class ViewSeries:
    """One feature view's online-read series: ``read((seconds, values, outside_max_age, not_found))`` records one
    read of the view -- its latency, the number of values read (features x entity rows), and how many of them were
    outside max age or not found (the rest are present: Feast's feast_online_features_status_total, where a stored
    null is present). A status's series is made when it is first counted, as Feast's are."""

    __slots__ = ("read", "_view", "_latency", "_statuses")

    def __init__(self, store_type: str, view: str) -> None:
        self._view = view
        self._latency = VIEW_READ.labels(store_type, view)
        self._statuses: dict[str, Counter] = {}
        self.read = DEFERRED.samples(self._apply)

    def _apply(self, reads: list[tuple[float, int, int, int]]) -> None:
        seconds, values, outside, not_found = zip(*reads)
        _observe_all(self._latency, seconds)
        outside, not_found = sum(outside), sum(not_found)
        self._count("present", sum(values) - outside - not_found)
        self._count("outside_max_age", outside)
        self._count("not_found", not_found)

    def _count(self, status: str, values: int) -> None:
        if values:
            child = self._statuses.get(status)
            if child is None:
                child = self._statuses[status] = ONLINE_STATUS.labels(self._view, status)
            child.inc(values)


class ViewsRead(dict):
    """The series of each feature view read from one type of online store, by view name (a dict: a known view's
    series is one C-level lookup away; the first lookup of a view makes them)."""

    def __init__(self, store_type: str) -> None:
        super().__init__()
        self.store_type = store_type

    def __missing__(self, view: str) -> ViewSeries:
        return self.setdefault(view, ViewSeries(self.store_type, view))


class StoreTypes(dict):
    """``views_read[store_type][view]``: ``ViewsRead`` by online store type."""

    def __missing__(self, store_type: str) -> ViewsRead:
        return self.setdefault(store_type, ViewsRead(store_type))


# recording functions: ``metrics.requests[endpoint, code, (feature_count, view_count)](seconds)``,
# ``metrics.views_read[store][view].read((seconds, values, outside_max_age, not_found))``,
# ``metrics.entity_count(rows)``, ``metrics.online_read(seconds)``
requests = RequestSeries()
views_read = StoreTypes()
entity_count = DEFERRED.series(ENTITY_COUNT, counted=ONLINE_REQUESTS)  # one online request served, of n rows
online_read = DEFERRED.series(ONLINE_READ)


def bin_feature_count(count: int, bins: list[int]) -> str:
    """Feast's ``feature_count`` label: the range of ``bins`` the count falls in (``1-10``, ``11-50``, ``201+``)."""
    if count == 0:
        return "0"
    lower = 1
    for upper in bins:
        if count <= upper:
            return f"{lower}-{upper}"
        lower = upper + 1
    return f"{lower}+"


# ---- values computed when read --------------------------------------------------------------------


class StoreCollector:
    """Freshness per feature view and the registry's age, computed from the served stores when metrics are read
    (so they are exact at every scrape, and cost nothing between scrapes)."""

    def __init__(self) -> None:
        self._stores: weakref.WeakSet = weakref.WeakSet()
        self.freshness = False
        self._lock = threading.Lock()

    def watch(self, store) -> None:
        with self._lock:
            self._stores.add(store)

    def collect(self):
        with self._lock:
            stores = list(self._stores)
        if not self.freshness or not stores:
            return
        fresh = GaugeMetricFamily(
            "feast_feature_freshness_seconds",
            "Seconds since the end of the most recent materialization interval, by feature view and project.",
            labels=["feature_view", "project"],
        )
        age = GaugeMetricFamily(
            "feast_registry_age_seconds", "Seconds since this process last read the registry (the oldest of its stores)."
        )
        now = time.time()
        oldest = None
        seen = set()
        for store in stores:
            registry = store.registry
            seconds = registry.age_seconds()
            if seconds is not None:
                oldest = seconds if oldest is None else max(oldest, seconds)
            snapshot = registry.cached_snapshot
            if snapshot is None or store.project not in snapshot.project_names:
                continue
            for view, state in sorted(snapshot.project(store.project).materialization.items()):
                if state.most_recent_end is not None and (view, store.project) not in seen:
                    seen.add((view, store.project))
                    fresh.add_metric([view, store.project], now - state.most_recent_end.timestamp())
        yield fresh
        if oldest is not None:
            age.add_metric([], oldest)
            yield age


STORES = StoreCollector()
REGISTRY.register(STORES)


def collectors() -> CollectorRegistry:
    """What ``/metrics`` shows: this process's registry, or every worker's samples pooled when there are several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(STORES)
        return registry
    return REGISTRY


def serve_port(port: int, host: str = "0.0.0.0") -> None:
    """Serve the metrics on a port of their own, on a daemon thread (Feast's ``--metrics`` server)."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, host, registry=collectors())
    except OSError as error:  # the server itself still starts; /metrics on its own port has the same numbers
        log.warning("cannot serve metrics on %s:%s (%s); they are still at /metrics", host, port, error)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric."""
    DEFERRED.apply()
    return generate_latest(collectors()), CONTENT_TYPE_LATEST


# ---- resource use -------------------------------------------------------------------------------


class ResourceSampler:
    """Samples this process's CPU and memory use into the two gauges every ``interval`` seconds, as Feast does."""

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        import psutil

        process = psutil.Process()
        process.cpu_percent()  # the first call starts the measuring interval

        def run() -> None:
            while True:
                with process.oneshot():
                    CPU.set(process.cpu_percent())
                    MEMORY.set(process.memory_percent())
                if self._stop.wait(self.interval):
                    return

        self._thread = threading.Thread(target=run, name="feast-resource-metrics", daemon=True)
        self._thread.start()


RESOURCES = ResourceSampler()
