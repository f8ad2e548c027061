"""Feast's dashboards and alert rules (lib/charms/feast_cos/v0/feast_monitoring.py) against the real workload:
every query names a metric the server exports, every expression parses (promtool), and every alert fires
on the series it is meant for and stays quiet otherwise (promtool test rules).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import yaml
from charms.feast_cos.v0 import feast_monitoring
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("FEAST_CORE_REQUIRE_CHARMCRAFT"),
    reason="promtool is not installed (scripts/bootstrap installs Debian's prometheus package)",
)

# PromQL words that are not metric names
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "rate", "increase", "irate", "histogram_quantile", "by", "without",
    "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
}


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects: identifiers outside strings, label matchers, ranges and
    by/without/on clauses, less PromQL's own words."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", text)
    return {word for word in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text) if word not in PROMQL_WORDS}


def panel_exprs(dashboard: dict) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] if p["type"] != "row" for t in p["targets"]]


def rule_exprs(rules: dict) -> list[str]:
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def exposition_names(text: str) -> set[str]:
    return {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}


def registered_names() -> set[str]:
    """Every sample name feast_core's instruments can expose (labelled ones show only once they have a child)."""
    from prometheus_client import Counter, Gauge, Histogram

    import feast_core.telemetry.metrics as instruments

    names = set()
    for value in vars(instruments).values():
        if isinstance(value, Counter):
            names.add(value._name + "_total")
        elif isinstance(value, Histogram):
            names.update(value._name + suffix for suffix in ("_bucket", "_sum", "_count"))
        elif isinstance(value, Gauge):
            names.add(value._name)
    return names


@pytest.fixture(scope="module")
def ui_exposition(tmp_path_factory) -> set[str]:
    """The sample names a real `feast ui` serves at /metrics, as the charm runs it (--root_path /feast)."""
    repo = tmp_path_factory.mktemp("ui-metrics")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and k != "FEAST_FS_YAML_FILE_PATH"}
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run([sys.executable, "-m", "feast_core.cli", "init", "demo"], cwd=repo, env=env, check=True,
                   capture_output=True)
    feature_repo = repo / "demo" / "feature_repo"
    subprocess.run([sys.executable, "-m", "feast_core.cli", "apply"], cwd=feature_repo, env=env, check=True,
                   capture_output=True)
    # materialized views make the UI report their freshness
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    subprocess.run([sys.executable, "-m", "feast_core.cli", "materialize-incremental", now], cwd=feature_repo,
                   env=env, check=True, capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ui = subprocess.Popen(
        [sys.executable, "-m", "feast_core.cli", "ui", "-h", "127.0.0.1", "-p", str(port), "--root_path", "/feast"],
        cwd=feature_repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                assert ui.poll() is None, ui.stderr.read()
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "feast ui did not become healthy"
                time.sleep(0.1)
            response = client.get("/metrics")  # the path the charms' scrape jobs name
    finally:
        ui.terminate()
        ui.wait(timeout=60)
    assert response.status_code == 200, response.text
    return exposition_names(response.text)


# ---- the dashboards -------------------------------------------------------------------------------


@pytest.mark.parametrize("monitoring", [feast_monitoring.UI, feast_monitoring.FEATURE_SERVER], ids=["ui", "server"])
def test_dashboard_is_a_grafana_model_every_panel_reading_the_cos_prometheus(monitoring):
    ((stem, board),) = monitoring.dashboards().items()
    assert stem and board["title"] and board["panels"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${prometheusds}"}
        assert panel["targets"], panel["title"]
        assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])


def test_ui_dashboard_queries_only_what_feast_ui_exports(ui_exposition):
    exported = ui_exposition | {"up"}  # `up` is Prometheus's own, per scrape target
    for expr in panel_exprs(feast_monitoring.UI.dashboard):
        assert metric_names(expr) <= exported, f"{expr} names {metric_names(expr) - exported}"
    for expr in rule_exprs(feast_monitoring.UI.alert_rules):
        assert metric_names(expr) <= exported, expr


def test_ui_dashboard_shows_the_uis_own_metrics(ui_exposition):
    shown = set().union(*map(metric_names, panel_exprs(feast_monitoring.UI.dashboard)))
    assert {"feast_registry_age_seconds", "feast_feature_server_cpu_usage", "feast_feature_server_memory_usage",
            "process_resident_memory_bytes", "feast_feature_freshness_seconds"} <= shown & ui_exposition


def test_feature_server_dashboard_queries_only_what_feast_serve_exports(ui_exposition):
    # feast_core's instruments, and the gauges computed when /metrics is read (freshness, registry age),
    # which every server's exposition has once a view is materialized (seen here in the UI's)
    exported = registered_names() | (ui_exposition & {"feast_feature_freshness_seconds", "feast_registry_age_seconds",
                                                      "process_resident_memory_bytes"}) | {"up"}
    assert "feast_feature_freshness_seconds" in exported
    for expr in panel_exprs(feast_monitoring.FEATURE_SERVER.dashboard) + rule_exprs(
            feast_monitoring.FEATURE_SERVER.alert_rules):
        assert metric_names(expr) <= exported, f"{expr} names {metric_names(expr) - exported}"


def test_feature_server_dashboard_has_throughput_latency_errors_online_store_and_materialization():
    shown = set().union(*map(metric_names, panel_exprs(feast_monitoring.FEATURE_SERVER.dashboard)))
    assert {
        "feast_feature_server_request_total", "feast_feature_server_request_latency_seconds_bucket",
        "feast_online_store_read_seconds_bucket", "feast_feature_server_online_store_read_duration_seconds_bucket",
        "feast_materialization_rows_total", "feast_materialization_result_total", "feast_feature_freshness_seconds",
        "feast_registry_age_seconds", "feast_auth_failures_total",
    } <= shown
    exprs = panel_exprs(feast_monitoring.FEATURE_SERVER.dashboard)
    assert any('code=~"5.."' in e for e in exprs)
    assert {q for q in ("0.5", "0.95", "0.99") if any(f"histogram_quantile({q}," in e for e in exprs)} == {
        "0.5", "0.95", "0.99"}


def test_metric_names_reads_selectors_not_labels_or_functions():
    assert metric_names('histogram_quantile(0.99, sum by (le, endpoint) (rate(x_bucket{a="b"}[5m])))') == {
        "x_bucket"}
    assert metric_names('sum(rate(a_total{code=~"5.."}[$__rate_interval])) / sum(rate(b_total[1m]))') == {
        "a_total", "b_total"}


# ---- promtool: the expressions parse, the alerts fire when they should --------------------------------


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert PROMTOOL, "promtool is not installed: run scripts/bootstrap"
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@needs_promtool
@pytest.mark.parametrize("monitoring", [feast_monitoring.UI, feast_monitoring.FEATURE_SERVER], ids=["ui", "server"])
def test_rules_and_every_dashboard_query_pass_promtool_check(monitoring, tmp_path):
    (tmp_path / "alerts.rules").write_text(yaml.safe_dump(monitoring.alert_rules))
    # each panel query as a recording rule, so that promtool parses it ($__rate_interval is Grafana's)
    queries = [expr.replace("$__rate_interval", "5m") for expr in panel_exprs(monitoring.dashboard)]
    (tmp_path / "queries.rules").write_text(yaml.safe_dump({"groups": [{"name": "queries", "rules": [
        {"record": f"feast:query_{i}", "expr": q} for i, q in enumerate(queries)]}]}))
    result = promtool("check", "rules", "alerts.rules", "queries.rules", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


ALERT_TESTS = """
rule_files: [alerts.rules]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{juju_unit="feast-ui/0"}'
        values: '1 1 0x10'
      - series: 'up{juju_unit="feast-ui/1"}'
        values: '1x12'
      - series: 'feast_registry_age_seconds{juju_unit="feast-ui/0"}'
        values: '5 5 5'
      - series: 'feast_registry_age_seconds{juju_unit="feast-ui/1"}'
        values: '0+60x12'
    alert_rule_test:
      - eval_time: 5m
        alertname: FeastUIDown
        exp_alerts: []
      - eval_time: 8m
        alertname: FeastUIDown
        exp_alerts:
          - exp_labels: {severity: critical, juju_unit: feast-ui/0}
            exp_annotations:
              summary: feast ui on feast-ui/0 is down
              description: "The UI's /metrics has not answered a scrape for 5 minutes (the process is not running or not reachable on port 8888)."
      - eval_time: 12m
        alertname: FeastUIRegistryStale
        exp_alerts:
          - exp_labels: {severity: warning, juju_unit: feast-ui/1}
            exp_annotations:
              summary: feast-ui/1 has not read the registry for over 5 minutes
              description: "feast_registry_age_seconds is 720 s: the registry database cannot be read, so changes from feast apply are not shown or served."
"""

SERVER_ALERT_TESTS = """
rule_files: [alerts.rules]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # feast-server/0: 10 requests a minute, 2 of them 500s; feast-server/1: 10 a minute, none failing
      - series: 'feast_feature_server_request_total{juju_unit="feast-server/0",endpoint="/get-online-features",status="success",code="200"}'
        values: '0+8x20'
      - series: 'feast_feature_server_request_total{juju_unit="feast-server/0",endpoint="/get-online-features",status="error",code="500"}'
        values: '0+2x20'
      - series: 'feast_feature_server_request_total{juju_unit="feast-server/1",endpoint="/get-online-features",status="success",code="200"}'
        values: '0+10x20'
      # feast-server/1 answers slowly: every request above 1 s; feast-server/0 below 5 ms
      - series: 'feast_feature_server_request_latency_seconds_bucket{juju_unit="feast-server/0",le="0.005"}'
        values: '0+10x20'
      - series: 'feast_feature_server_request_latency_seconds_bucket{juju_unit="feast-server/0",le="+Inf"}'
        values: '0+10x20'
      - series: 'feast_feature_server_request_latency_seconds_bucket{juju_unit="feast-server/1",le="0.5"}'
        values: '0x20'
      - series: 'feast_feature_server_request_latency_seconds_bucket{juju_unit="feast-server/1",le="1"}'
        values: '0x20'
      - series: 'feast_feature_server_request_latency_seconds_bucket{juju_unit="feast-server/1",le="+Inf"}'
        values: '0+10x20'
      - series: 'up{juju_unit="feast-server/0"}'
        values: '1x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: FeastFeatureServerErrors
        exp_alerts:
          - exp_labels: {severity: critical, juju_unit: feast-server/0}
            exp_annotations:
              summary: feast-server/0 answers over 5% of requests with a server error
              description: 20% of the feature server's requests got a 5xx answer over 5 minutes.
      - eval_time: 15m
        alertname: FeastFeatureServerSlow
        exp_alerts:
          - exp_labels: {severity: warning, juju_unit: feast-server/1}
            exp_annotations:
              summary: "feast-server/1: p99 request latency over 500 ms"
              description: The 99th percentile of request latency is 1 s over 5 minutes.
      - eval_time: 15m
        alertname: FeastFeatureServerDown
        exp_alerts: []
"""


@needs_promtool
@pytest.mark.parametrize(("monitoring", "tests"), [(feast_monitoring.UI, ALERT_TESTS),
                                                   (feast_monitoring.FEATURE_SERVER, SERVER_ALERT_TESTS)],
                         ids=["ui", "server"])
def test_alerts_fire_for_the_failing_unit_only(monitoring, tests, tmp_path):
    (tmp_path / "alerts.rules").write_text(yaml.safe_dump(monitoring.alert_rules))
    (tmp_path / "tests.yaml").write_text(tests)
    result = promtool("test", "rules", "tests.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
