"""The web UI in headless Chromium: every page of a demo registry, lineage links, filter, projects, prefix, errors.

Screenshots land in test-artifacts/ui/ (gitignored).
"""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urldefrag, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser


def crawl(page, start: str, limit: int = 200) -> list[str]:
    """Visit every same-origin HTML page reachable from ``start``; return the URLs visited."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    seen, queue = [], [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.append(url)
        response = page.page.goto(url)
        assert response is not None and response.status == 200, f"{url} -> {response and response.status}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        assert page.page.locator("h1").count() >= 1, f"{url} has no heading"
        hrefs = page.page.eval_on_selector_all("a[href]", "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)")
        for href in hrefs:
            href = urldefrag(href)[0]
            if href.startswith(origin) and href not in seen and href not in queue:
                queue.append(href)
    return seen


def test_every_page_of_both_projects_renders_and_every_link_resolves(ui, page):
    visited = crawl(page, ui.url + "/")
    paths = {urlsplit(u).path for u in visited}
    # both projects, every kind's list and detail pages, lineage, search, API documentation and JSON
    for expected in [
        "/p/driver_ranking", "/p/customer_360", "/p/driver_ranking/lineage",
        "/p/driver_ranking/entities/driver", "/p/driver_ranking/data-sources/driver_stats_push_source",
        "/p/driver_ranking/data-sources/vals_to_add", "/p/driver_ranking/feature-views/driver_hourly_stats",
        "/p/driver_ranking/on-demand-feature-views/transformed_conv_rate",
        "/p/driver_ranking/feature-services/driver_activity_v1", "/p/driver_ranking/permissions/readers",
        "/p/customer_360/feature-views/customer_profile", "/docs", "/openapi.json", "/api/v1/feature_views",
    ]:
        assert expected in paths, f"{expected} was not reachable by links"
    assert page.failures == [], page.failures
    assert page.console_errors == [], page.console_errors
    assert page.csp_violations == [], page.csp_violations

    for name, path in [
        ("overview", "/p/driver_ranking"), ("lineage", "/p/driver_ranking/lineage"),
        ("entities", "/p/driver_ranking/entities"), ("data-sources", "/p/driver_ranking/data-sources"),
        ("feature-views", "/p/driver_ranking/feature-views"),
        ("feature-view", "/p/driver_ranking/feature-views/driver_hourly_stats"),
        ("on-demand-feature-view", "/p/driver_ranking/on-demand-feature-views/transformed_conv_rate"),
        ("feature-service", "/p/driver_ranking/feature-services/driver_activity_v1"),
        ("permissions", "/p/driver_ranking/permissions"), ("data-source", "/p/driver_ranking/data-sources/vals_to_add"),
        ("docs", "/docs"),
    ]:
        page.page.goto(ui.url + path)
        page.shot(name)


def test_overview_shows_counts_and_last_materialization(ui, page):
    page.page.goto(ui.url + "/p/driver_ranking")
    cards = {
        page.page.locator(".card .label").nth(i).inner_text(): page.page.locator(".card .count").nth(i).inner_text()
        for i in range(page.page.locator(".card").count())
    }
    assert cards["Feature views"] == "2"
    assert cards["Data sources"] == "3"
    assert cards["Features"] == "5"
    row = page.page.locator("tr", has=page.page.locator("a", has_text=re.compile("^driver_hourly_stats$")))
    assert "materialized" in row.inner_text()
    assert "2024-05-02 06:30:00 UTC" in row.inner_text()
    fresh = page.page.locator("tr", has=page.page.locator("a", has_text="driver_hourly_stats_fresh"))
    assert "not materialized" in fresh.inner_text()


def test_feature_view_page_shows_schema_ttl_entities_source_and_materialization(ui, page):
    page.page.goto(ui.url + "/p/driver_ranking/feature-views/driver_hourly_stats")
    schema = page.page.locator("table.schema tbody tr")
    rows = [[c.strip() for c in schema.nth(i).locator("td").all_inner_texts()[:3]] for i in range(schema.count())]
    assert rows == [
        ["driver_id", "Int64", "entity key"], ["conv_rate", "Float64", "feature"],
        ["acc_rate", "Float64", "feature"], ["avg_daily_trips", "Int64", "feature"],
    ]
    details = page.page.locator("dl.meta").first.inner_text()
    assert "1d" in details and "driver_hourly_stats_source" in details and "drivers@example.com" in details
    assert "team=drivers" in details and "tier=gold" in details
    assert page.page.locator(".last-interval").inner_text() == "2024-05-01 00:00:00 UTC → 2024-05-02 06:30:00 UTC"
    page.page.click("dl.meta >> a:text-is('driver')")
    assert page.page.locator("h1").inner_text().startswith("driver")
    assert "driver_id" in page.page.locator("dl.meta").first.inner_text()


def test_on_demand_view_page_shows_its_function_source(ui, page):
    page.page.goto(ui.url + "/p/driver_ranking/on-demand-feature-views/transformed_conv_rate")
    source = page.page.locator("pre.udf").inner_text()
    assert source.startswith("def trip_adjustments(inputs: pd.DataFrame) -> pd.DataFrame:")
    assert 'inputs["conv_rate"] + inputs["val_to_add"]' in source


def test_every_lineage_node_links_to_its_object_page(ui, page):
    page.page.goto(ui.url + "/p/driver_ranking/lineage")
    nodes = page.page.locator("svg.lineage a.node-link")
    found = [(nodes.nth(i).get_attribute("data-kind"), nodes.nth(i).get_attribute("data-name"))
             for i in range(nodes.count())]
    assert ("data_sources", "driver_hourly_stats_source") in found
    assert ("feature_services", "driver_activity_v2") in found
    assert len(found) == 1 + 3 + 2 + 1 + 2  # entity, sources, views, on-demand view, services
    edges = page.page.locator("svg.lineage path.edge")
    pairs = {(edges.nth(i).get_attribute("data-from"), edges.nth(i).get_attribute("data-to"))
             for i in range(edges.count())}
    assert ("driver_hourly_stats_source", "driver_hourly_stats") in pairs
    assert ("driver_hourly_stats", "transformed_conv_rate") in pairs
    assert ("vals_to_add", "transformed_conv_rate") in pairs
    assert ("transformed_conv_rate", "driver_activity_v1") in pairs
    for _kind, name in found:
        page.page.goto(ui.url + "/p/driver_ranking/lineage")
        page.page.locator(f'svg.lineage a.node-link[data-name="{name}"]').click()
        page.page.wait_for_load_state()
        assert page.page.locator("h1.object-name").inner_text().split()[0] == name
        # the object's own page repeats its neighbourhood with itself highlighted
        assert page.page.locator(f'svg.lineage a.node-link[data-name="{name}"] g.focus').count() == 1
    assert page.failures == []


def test_filter_box_narrows_the_list_and_enter_searches_every_kind(ui, page):
    page.page.goto(ui.url + "/p/driver_ranking/feature-views")
    rows = page.page.locator("table.filterable tbody tr")
    assert rows.count() == 2
    page.page.fill("#filter", "fresh")
    visible = [rows.nth(i).locator("td").first.inner_text() for i in range(2) if rows.nth(i).is_visible()]
    assert visible == ["driver_hourly_stats_fresh"]
    page.page.fill("#filter", "avg_daily_trips")  # a feature name matches its view
    visible = [rows.nth(i).locator("td").first.inner_text() for i in range(2) if rows.nth(i).is_visible()]
    assert visible == ["driver_hourly_stats"]
    page.page.fill("#filter", "no-such-thing")
    assert page.page.locator(".no-match").is_visible()
    page.shot("filter-no-match")

    page.page.fill("#filter", "team=drivers")
    page.page.press("#filter", "Enter")
    page.page.wait_for_url(re.compile(r"/p/driver_ranking/search\?q="))
    results = page.page.locator("table.results tbody tr")
    found = sorted(results.nth(i).locator("td").first.inner_text() for i in range(results.count()))
    assert found == ["driver", "driver_hourly_stats", "driver_hourly_stats_fresh"]
    page.shot("search")


def test_project_selector_switches_projects(ui, page):
    page.page.goto(ui.url + "/p/driver_ranking/entities")
    page.page.select_option("#project-select", "customer_360")
    page.page.wait_for_url(re.compile(r"/p/customer_360$"))
    assert page.page.locator("h1").inner_text() == "customer_360"
    page.page.click("nav >> text=Feature views")
    assert page.page.locator("table.filterable tbody tr").all_inner_texts()[0].startswith("customer_profile")
    assert page.page.locator("#project-select").input_value() == "customer_360"


def test_user_text_is_escaped_and_never_run(ui, page):
    page.page.goto(ui.url + "/p/customer_360/entities/customer")
    description = page.page.locator("dd.description").inner_text()
    assert description == "<script>window.__xss = 1</script>"
    assert page.page.evaluate("window.__xss") is None
    assert "note=<script>window.__xss = 1</script>" in page.page.locator("dl.meta").first.inner_text()
    page.page.goto(ui.url + "/p/customer_360/feature-views/customer_profile")
    assert "<b>bold</b> & <script>" in page.page.locator("dd.description").inner_text()
    assert page.page.locator("dd.description b").count() == 0
    assert page.page.evaluate("window.__xss") is None
    page.page.goto(ui.url + "/p/customer_360/entities")
    assert page.page.evaluate("window.__xss") is None
    page.shot("escaped")


FORWARDED_HEADERS = ("content-type", "location", "content-security-policy", "x-frame-options", "x-content-type-options")


def dashboard_page(frame_url: str) -> bytes:
    """A page that shows the UI in an iframe, as the Kubeflow dashboard does."""
    return f'<!doctype html><title>dashboard</title><h1>Dashboard</h1><iframe src="{frame_url}"></iframe>'.encode()


class PrefixProxy:
    """A reverse proxy that serves ``/feast/...`` by asking the backend for ``/...``, as Istio's rewrite does;
    at ``/dashboard`` a page framing the UI from the same origin, as the Kubeflow dashboard behind the same gateway."""

    def __init__(self, backend: str, prefix: str = "/feast") -> None:
        self.requests: list[str] = []
        self.backend = httpx.Client(base_url=backend, follow_redirects=False, timeout=10)  # one pool, kept alive
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                proxy.requests.append(self.path)
                if self.path == "/dashboard":
                    body = dashboard_page(prefix + "/p/driver_ranking")
                    self.send_response(200)
                    self.send_header("content-type", "text/html")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if not (self.path == prefix or self.path.startswith(prefix + "/")):
                    self.send_error(404, "outside the proxied prefix")
                    return
                upstream = proxy.backend.get(self.path[len(prefix):] or "/")
                self.send_response(upstream.status_code)
                for key in FORWARDED_HEADERS:
                    if key in upstream.headers:
                        self.send_header(key, upstream.headers[key])
                self.send_header("content-length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> PrefixProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.backend.close()


def test_behind_a_proxy_that_strips_the_prefix_every_link_asset_and_api_call_resolves(
    demo_repo, demo_module, serve, page
):
    store = demo_module.open_store(demo_repo, "driver_ranking")
    with serve(store, root_path="/feast") as server, PrefixProxy(server.url) as proxy:
        visited = crawl(page, proxy.url + "/feast/")
        assert page.failures == [], page.failures
        # Chromium asks for /favicon.ico by itself on pages that name no icon (the JSON ones)
        assert page.csp_violations == [], page.csp_violations
        outside = [p for p in proxy.requests if not p.startswith("/feast/") and p != "/favicon.ico"]
        assert outside == [], f"requests escaped the prefix: {outside}"
        assert any(p.startswith("/feast/static/style.css") for p in proxy.requests)
        assert any(p.startswith("/feast/static/ui.js") for p in proxy.requests)
        assert any(u.startswith(proxy.url + "/feast/api/v1/") for u in visited)
        assert len(visited) > 30
        page.page.goto(proxy.url + "/feast/p/driver_ranking/feature-views")
        assert page.page.evaluate("getComputedStyle(document.querySelector('.sidebar')).position") == "sticky"
        page.page.select_option("#project-select", "customer_360")
        page.page.wait_for_url(proxy.url + "/feast/p/customer_360")
        page.shot("prefix-mode")
    store.close()


class ForeignSite:
    """A page at another origin (another port) that tries to show the UI in an iframe."""

    def __init__(self, frame_url: str) -> None:
        body = dashboard_page(frame_url)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ForeignSite:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def framed_heading(page, url: str) -> str | None:
    """The heading the UI shows inside the iframe of the page at ``url``, or None if the browser refused to frame it."""
    page.page.goto(url)
    page.page.wait_for_load_state("load")
    [frame] = page.page.main_frame.child_frames
    if not frame.url.startswith("http"):
        return None  # Chromium shows chrome-error:// in a frame that frame-ancestors forbids
    return frame.locator("h1").first.inner_text()


def test_the_dashboard_at_the_same_origin_can_frame_the_ui_and_other_sites_cannot(demo_repo, demo_module, serve, page):
    store = demo_module.open_store(demo_repo, "driver_ranking")
    with serve(store, root_path="/feast") as server, PrefixProxy(server.url) as proxy:
        assert framed_heading(page, proxy.url + "/dashboard")  # the Kubeflow dashboard's case
        assert page.csp_violations == [], page.csp_violations
        with ForeignSite(proxy.url + "/feast/p/driver_ranking") as foreign:
            assert framed_heading(page, foreign.url) is None
            assert any("frame-ancestors" in v for v in page.csp_violations), page.csp_violations
    with serve(store, root_path="/feast", frame_ancestors="'self' http://127.0.0.1:*") as server, \
            PrefixProxy(server.url) as proxy, ForeignSite(proxy.url + "/feast/p/driver_ranking") as foreign:
        assert framed_heading(page, foreign.url)  # a dashboard at another origin, named in --frame-ancestors
    store.close()


def test_a_new_apply_shows_up_without_restarting_the_ui(tmp_path, demo_module, serve, page):
    from feast_core.definitions import Entity

    store = demo_module.build(tmp_path)
    with serve(store, registry_ttl_sec=0.2) as server:
        page.page.goto(server.url + "/p/driver_ranking/entities")
        assert page.page.locator("table.filterable tbody tr").count() == 1
        writer = demo_module.open_store(tmp_path, "driver_ranking")
        writer.apply([Entity(name="rider", join_keys=["rider_id"], description="added later")])
        writer.close()
        deadline = time.monotonic() + 20
        while page.page.locator("a:text-is('rider')").count() == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            page.page.reload()
        assert page.page.locator("a:text-is('rider')").count() == 1
    store.close()


def test_an_unreadable_registry_shows_an_error_page_that_says_why(tmp_path, demo_module, serve, page):
    store = demo_module.build(tmp_path)
    registry_file = tmp_path / "data" / "registry.db"
    good = registry_file.read_bytes()
    with serve(store, registry_ttl_sec=0) as server:
        registry_file.write_bytes(b"{ this is not a registry")
        for path in ["/", "/p/driver_ranking", "/p/driver_ranking/feature-views/driver_hourly_stats"]:
            response = page.page.goto(server.url + path)
            assert response.status == 503
            assert "The registry cannot be read" in page.page.locator("h1").inner_text()
            assert "not a Feast registry (cannot be parsed" in page.page.locator(".reason").inner_text()
            assert str(registry_file) in page.page.locator(".reason").inner_text()
        page.shot("error-registry")
        assert httpx.get(server.url + "/health").status_code == 503
        api = httpx.get(server.url + "/api/v1/entities")
        assert api.status_code == 503 and "not a Feast registry" in api.json()["detail"]

        registry_file.write_bytes(good)
        assert page.page.goto(server.url + "/p/driver_ranking").status == 200
        assert httpx.get(server.url + "/health").status_code == 200

        missing = page.page.goto(server.url + "/p/driver_ranking/feature-views/nope")
        assert missing.status == 404
        assert "feature view 'nope' does not exist in project 'driver_ranking'" in page.page.inner_text(".reason")
        page.shot("error-not-found")
    store.close()


def test_sql_registry_on_sqlite_renders_the_same_pages(tmp_path, demo_module, serve, page):
    store = demo_module.build(tmp_path, registry="sqlite:///data/registry.sqlite", registry_type="sql")
    with serve(store) as server:
        visited = crawl(page, server.url + "/p/driver_ranking")
        assert page.failures == [], page.failures
        assert any(u.endswith("/p/customer_360/feature-views/customer_profile") for u in visited)
        page.page.goto(server.url + "/p/driver_ranking/feature-views/driver_hourly_stats")
        assert page.page.locator("table.schema tbody tr").count() == 4
        assert "2024-05-02 06:30:00 UTC" in page.page.locator(".last-interval").inner_text()
        page.shot("sql-registry-feature-view")
    store.close()
