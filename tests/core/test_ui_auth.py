"""``feast ui`` with ``auth: oidc``: every page and API call needs a token (as the Kubeflow gateway forwards it);
a user sees only the projects and objects they may DESCRIBE. Tokens come from the loopback OIDC provider."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from oidc_provider import CLIENT_ID

from feast_core import Entity, FeatureStore, FeatureView, Field, FileSource, Project
from feast_core.definitions import AuthzedAction, GroupBasedPolicy, Permission
from feast_core.types import Float64
from feast_core.ui import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory, oidc_provider):
    repo = tmp_path_factory.mktemp("ui-auth")
    (repo / "feature_store.yaml").write_text(
        "project: shop\nregistry: data/registry.db\nonline_store:\n  type: sqlite\n  path: data/online.db\n"
        f"auth:\n  type: oidc\n  auth_discovery_url: {oidc_provider.discovery_url}\n  client_id: {CLIENT_ID}\n")
    (repo / "data").mkdir()
    pd.DataFrame({"driver_id": [1], "x": [0.5], "ts": [pd.Timestamp("2025-01-01", tz="UTC")]}).to_parquet(
        repo / "data" / "x.parquet")
    driver = Entity(name="driver", join_keys=["driver_id"])
    source = FileSource(name="src", path="data/x.parquet", timestamp_field="ts")
    views = [FeatureView(name=n, entities=[driver], source=source, schema=[Field(name="x", dtype=Float64)])
             for n in ("public_stats", "secret_stats")]
    store = FeatureStore(repo_path=repo)
    store.apply([Project(name="shop"), driver, source, *views,
                 Permission(name="analysts-see-public", name_patterns=["shop", "public_.*", "driver", "src"],
                            policy=GroupBasedPolicy(["analysts"]), actions=[AuthzedAction.DESCRIBE])])
    yield TestClient(create_app(store, root_path="/feast", registry_ttl_sec=0), base_url="http://ui")
    store.close()


def token(provider, groups) -> dict:
    return {"Authorization": f"Bearer {provider.mint(provider.claims(username='ann', roles=()), groups=groups)}"}


def test_the_ui_needs_a_token(client, oidc_provider):
    for path in ("/feast/p/shop", "/feast/api/v1/feature_views?project=shop", "/feast/projects"):
        for headers in ({}, {"Authorization": "Bearer forged"}, {"kubeflow-userid": "admin@example.com"}):
            assert client.get(path, headers=headers).status_code == 401, (path, headers)
    assert client.get("/feast/api/v1/projects").json() == {"detail": "Invalid or expired access token"}
    assert client.get("/feast/health").status_code == 200


def test_a_user_sees_only_what_they_may_describe(client, oidc_provider):
    analyst = token(oidc_provider, ["analysts"])
    views = client.get("/feast/api/v1/feature_views?project=shop", headers=analyst).json()["feature_views"]
    assert [v["name"] for v in views] == ["public_stats"]
    assert client.get("/feast/api/v1/feature_views/secret_stats?project=shop", headers=analyst).status_code == 404
    page = client.get("/feast/p/shop/feature-views", headers=analyst)
    assert page.status_code == 200 and "public_stats" in page.text and "secret_stats" not in page.text
    assert "secret_stats" not in client.get("/feast/api/v1/search?q=stats&project=shop", headers=analyst).text


def test_a_user_who_may_describe_nothing_sees_no_project(client, oidc_provider):
    outsider = token(oidc_provider, ["other"])
    assert client.get("/feast/api/v1/projects", headers=outsider).json() == {"projects": []}
    assert client.get("/feast/p/shop", headers=outsider).status_code == 403
