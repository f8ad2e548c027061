"""The UI's read-only JSON API (/api/v1), /health and page status codes, through FastAPI's TestClient."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from feast_core.definitions import Entity
from feast_core.ui import create_app

_spec = importlib.util.spec_from_file_location(
    "ui_demo_registry_api", Path(__file__).resolve().parents[1] / "browser" / "demo_registry.py"
)
demo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ui_api")
    demo.build(path).close()
    return path


@pytest.fixture(scope="module")
def client(repo):
    store = demo.open_store(repo, "driver_ranking")
    yield TestClient(create_app(store, root_path="/feast", registry_ttl_sec=0))
    store.close()


def test_projects_lists_both_projects_with_counts(client):
    body = client.get("/api/v1/projects").json()
    by_name = {p["name"]: p for p in body["projects"]}
    assert sorted(by_name) == ["customer_360", "driver_ranking"]
    assert by_name["driver_ranking"]["description"] == "Ranks drivers by expected activity"
    assert by_name["driver_ranking"]["counts"]["feature_views"] == 2
    assert by_name["customer_360"]["counts"]["entities"] == 1
    assert client.get("/api/v1/projects/customer_360").json()["counts"]["feature_services"] == 1
    missing = client.get("/api/v1/projects/nope")
    assert missing.status_code == 404 and missing.json()["error_type"] == "ProjectObjectNotFoundException"


def test_feature_view_json_carries_schema_timestamps_and_materialization(client):
    views = client.get("/api/v1/feature_views").json()
    assert views["project"] == "driver_ranking"  # feature_store.yaml's project when none is given
    assert [v["name"] for v in views["feature_views"]] == ["driver_hourly_stats", "driver_hourly_stats_fresh"]
    view = client.get("/api/v1/feature_views/driver_hourly_stats").json()
    assert [(f["name"], f["dtype"]) for f in view["features"]] == [
        ("conv_rate", "Float64"), ("acc_rate", "Float64"), ("avg_daily_trips", "Int64")
    ]
    assert view["entities"] == ["driver"] and view["ttl_seconds"] == 86400
    assert view["materialization"]["most_recent_end"] == "2024-05-02T06:30:00+00:00"
    assert view["materialization"]["intervals"] == [["2024-05-01T00:00:00+00:00", "2024-05-02T06:30:00+00:00"]]
    assert view["created"] and view["last_updated"]


def test_every_kind_is_listed_and_fetched_by_name_in_the_chosen_project(client):
    expected = {
        "entities": ["driver"],
        "data_sources": ["driver_hourly_stats_source", "driver_stats_push_source", "vals_to_add"],
        "on_demand_feature_views": ["transformed_conv_rate"],
        "feature_services": ["driver_activity_v1", "driver_activity_v2"],
        "permissions": ["readers"],
    }
    for kind, names in expected.items():
        listed = client.get(f"/api/v1/{kind}?project=driver_ranking").json()[kind]
        assert [o["name"] for o in listed] == names
        for name in names:
            assert client.get(f"/api/v1/{kind}/{name}", params={"project": "driver_ranking"}).json()["name"] == name
    other = client.get("/api/v1/entities?project=customer_360").json()
    assert [e["name"] for e in other["entities"]] == ["customer"]


def test_on_demand_view_json_has_the_function_text_but_not_the_pickle(client):
    view = client.get("/api/v1/on_demand_feature_views/transformed_conv_rate").json()
    assert view["udf_string"].startswith("def trip_adjustments(")
    assert "udf_pickle" not in view


def test_unknown_objects_are_404_with_feast_error_shape(client):
    response = client.get("/api/v1/feature_views/nope")
    assert response.status_code == 404
    assert response.json() == {
        "status_code": 404,
        "detail": "feature view 'nope' does not exist in project 'driver_ranking'; "
                  "known: driver_hourly_stats, driver_hourly_stats_fresh",
        "error_type": "FeatureViewNotFoundException",  # Feast's class name
    }
    assert client.get("/api/v1/entities?project=nope").status_code == 404


def test_lineage_relates_sources_views_on_demand_views_and_services(client):
    body = client.get("/api/v1/lineage").json()
    pairs = {(r["source"]["name"], r["target"]["name"]) for r in body["relationships"]}
    assert {
        ("driver_hourly_stats_source", "driver_hourly_stats"), ("driver", "driver_hourly_stats"),
        ("driver_stats_push_source", "driver_hourly_stats_fresh"),
        ("driver_hourly_stats", "transformed_conv_rate"), ("vals_to_add", "transformed_conv_rate"),
        ("driver_hourly_stats", "driver_activity_v1"), ("transformed_conv_rate", "driver_activity_v1"),
        ("driver_hourly_stats_fresh", "driver_activity_v2"),
    } <= pairs
    assert {"type": "feature_services", "name": "driver_activity_v2"} in body["nodes"]


def test_search_finds_objects_of_every_kind(client):
    results = client.get("/api/v1/search", params={"q": "drivers"}).json()["results"]
    assert {"type": "entities", "name": "driver"} in results
    assert {"type": "feature_views", "name": "driver_hourly_stats"} in results


def test_openapi_documents_the_api_and_docs_page_needs_no_cdn(client):
    schema = client.get("/openapi.json").json()
    assert schema["servers"] == [{"url": "/feast"}]
    for path in ["/api/v1/projects", "/api/v1/feature_views", "/api/v1/feature_views/{name}", "/api/v1/lineage"]:
        assert path in schema["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/feast/openapi.json" in docs.text
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text


def test_prefixed_and_stripped_requests_are_both_served(client):
    assert client.get("/feast/api/v1/entities").json()["entities"][0]["name"] == "driver"
    page = client.get("/p/driver_ranking")
    assert page.status_code == 200
    assert 'href="/feast/static/style.css"' in page.text
    assert 'href="/feast/p/driver_ranking/feature-views"' in page.text
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/feast/p/driver_ranking"


def test_user_text_is_escaped_in_pages(client):
    page = client.get("/p/customer_360/entities/customer").text
    assert "<script>window.__xss" not in page
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page


def test_health_and_api_follow_the_registry(tmp_path):
    store = demo.build(tmp_path)
    client = TestClient(create_app(store, registry_ttl_sec=0))
    assert client.get("/health").status_code == 200
    writer = demo.open_store(tmp_path, "driver_ranking")
    writer.apply([Entity(name="rider", join_keys=["rider_id"])])
    writer.close()
    assert [e["name"] for e in client.get("/api/v1/entities").json()["entities"]] == ["driver", "rider"]

    (tmp_path / "data" / "registry.db").write_text("[]")
    health = client.get("/health")
    assert health.status_code == 503 and "not a Feast registry" in health.json()["detail"]
    assert client.get("/api/v1/feature_views").status_code == 503
    page = client.get("/p/driver_ranking")
    assert page.status_code == 503 and "not a Feast registry" in page.text
    store.close()


def test_sql_registry_on_sqlite_serves_the_same_objects(tmp_path):
    store = demo.build(tmp_path, registry="sqlite:///data/registry.sqlite", registry_type="sql")
    client = TestClient(create_app(store, registry_ttl_sec=0))
    assert client.get("/health").status_code == 200
    view = client.get("/api/v1/feature_views/driver_hourly_stats").json()
    assert view["materialization"]["most_recent_end"] == "2024-05-02T06:30:00+00:00"
    assert [p["name"] for p in client.get("/api/v1/projects").json()["projects"]] == ["customer_360", "driver_ranking"]
    assert client.get("/p/customer_360/feature-views/customer_profile").status_code == 200
    store.close()


@pytest.mark.postgres
def test_sql_registry_on_postgresql_serves_the_same_objects(tmp_path, postgres_db):
    from urllib.parse import quote

    url = (f"postgresql+psycopg://{quote(postgres_db.user, safe='')}:{quote(postgres_db.password, safe='')}"
           f"@{postgres_db.host}:{postgres_db.port}/{postgres_db.name}")
    store = demo.build(tmp_path, registry=url, registry_type="sql")
    client = TestClient(create_app(store, registry_ttl_sec=0))
    assert client.get("/health").status_code == 200
    view = client.get("/api/v1/feature_views/driver_hourly_stats").json()
    assert view["materialization"]["most_recent_end"] == "2024-05-02T06:30:00+00:00"
    assert [p["name"] for p in client.get("/api/v1/projects").json()["projects"]] == ["customer_360", "driver_ranking"]
    page = client.get("/p/driver_ranking/lineage")
    assert page.status_code == 200 and 'data-name="transformed_conv_rate"' in page.text
    store.close()


def test_an_unreachable_registry_database_is_a_503_that_names_it(tmp_path):
    import socket

    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = demo.open_store(tmp_path, "driver_ranking", f"postgresql+psycopg://u:p@127.0.0.1:{port}/feast", "sql")
    client = TestClient(create_app(store, registry_ttl_sec=0))
    health = client.get("/health")
    assert health.status_code == 503 and f"127.0.0.1:{port}" in health.json()["detail"]
    page = client.get("/p/driver_ranking/feature-views")
    assert page.status_code == 503 and "The registry cannot be read" in page.text and f"127.0.0.1:{port}" in page.text


def test_an_unknown_project_is_named_once_with_the_known_ones(client):
    expected = "project 'nope' does not exist; known: customer_360, driver_ranking"
    api = client.get("/api/v1/projects/nope")
    assert api.status_code == 404 and api.json()["detail"] == expected
    page = client.get("/p/nope")
    assert page.status_code == 404 and expected.replace("'", "&#39;") in page.text


SAFE_PATHS = ["/p/driver_ranking", "/static/style.css", "/api/v1/projects", "/p/nope", "/docs", "/health"]


@pytest.mark.parametrize("path", SAFE_PATHS)
def test_every_response_forbids_sniffing_and_framing_from_other_origins(client, path):
    response = client.get(path)
    policy = dict(d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"  # the Kubeflow dashboard frames the UI from the same origin
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_frame_ancestors_can_name_a_dashboard_at_another_origin(repo):
    store = demo.open_store(repo, "driver_ranking")
    try:
        app = create_app(store, registry_ttl_sec=0, frame_ancestors="'self' https://dashboard.example.com")
        response = TestClient(app).get("/p/driver_ranking")
    finally:
        store.close()
    assert "frame-ancestors 'self' https://dashboard.example.com" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers  # it cannot name another origin; CSP says it all


@pytest.mark.parametrize("value", ["'self'; script-src *", "https://a.example.com,https://b.example.com", "", "'none' 'self'",
                                   "https://dash.example.com\r\nSet-Cookie: x=1"])
def test_a_frame_ancestors_value_that_is_not_a_source_list_is_refused(repo, value):
    store = demo.open_store(repo, "driver_ranking")
    try:
        with pytest.raises(ValueError, match="frame-ancestors"):
            create_app(store, frame_ancestors=value)
    finally:
        store.close()
