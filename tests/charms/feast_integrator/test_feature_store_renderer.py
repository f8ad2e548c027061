"""The feature_store.yaml renderer, checked by parsing its output back (YAML, URL, feast_core)."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml
from integrator.feature_store import (
    DatabaseConnection,
    FeatureStoreSettings,
    registry_url,
    render_feature_store_yaml,
)

HOSTILE_VALUES = [
    "p@ss:w/rd",
    "100%25%",
    "#not-a-comment",
    "quote'single",
    'quote"double',
    "new\nline",
    "trailing space ",
    " leading space",
    "yes",
    "null",
    "0123",
    "- dash",
    "{flow: map}",
    "ü-ñí©ødé",
    "&anchor *alias !tag",
]


def _connection(
    password: str = "pw", *, user: str = "relation_id_7", host: str = "db.example", tls: bool = False
):
    return DatabaseConnection(
        host=host, port=5432, database="registry", user=user, password=password, tls=tls
    )


def _settings(
    password: str = "pw", *, tls: bool = False, project: str = "feast_project"
) -> FeatureStoreSettings:
    return FeatureStoreSettings(
        project=project,
        registry_cache_ttl_seconds=60,
        registry=_connection(password, tls=tls),
        offline_store=_connection(password, tls=tls),
        online_store=_connection(password, tls=tls),
    )


@pytest.mark.parametrize("password", HOSTILE_VALUES)
def test_yaml_round_trips_hostile_passwords(password):
    document = yaml.safe_load(render_feature_store_yaml(_settings(password)))
    assert document["offline_store"]["password"] == password
    assert document["online_store"]["password"] == password


@pytest.mark.parametrize("password", HOSTILE_VALUES)
@pytest.mark.parametrize("user", ["relation_id_7", "us@er:name/x"])
def test_registry_url_round_trips_credentials(password, user):
    url = urlsplit(registry_url(_connection(password, user=user)))
    assert url.scheme == "postgresql+psycopg"
    assert unquote(url.username) == user
    assert unquote(url.password) == password
    assert (url.hostname, url.port, url.path, url.query, url.fragment) == (
        "db.example",
        5432,
        "/registry",
        "sslmode=disable",
        "",
    )


def test_registry_url_brackets_ipv6_hosts():
    url = urlsplit(registry_url(_connection(host="fd00::1")))
    assert (url.hostname, url.port) == ("fd00::1", 5432)


def test_registry_url_with_tls():
    assert registry_url(_connection(tls=True)).endswith("/registry?sslmode=require")


def test_registry_url_without_tls_says_disable():
    assert registry_url(_connection(tls=False)).endswith("/registry?sslmode=disable")


@pytest.mark.parametrize("tls, sslmode", [(False, "disable"), (True, "require")])
def test_both_store_blocks_say_sslmode(tls, sslmode):
    document = yaml.safe_load(render_feature_store_yaml(_settings(tls=tls)))
    assert document["offline_store"]["sslmode"] == sslmode
    assert document["online_store"]["sslmode"] == sslmode


def test_top_level_keys_are_only_the_agreed_ones():
    document = yaml.safe_load(render_feature_store_yaml(_settings(tls=True)))
    assert list(document) == [
        "project",
        "provider",
        "registry",
        "offline_store",
        "online_store",
        "entity_key_serialization_version",
    ]
    assert set(document["registry"]) == {"registry_type", "path", "cache_ttl_seconds"}
    expected_store_keys = {"type", "host", "port", "database", "db_schema", "user", "password", "sslmode"}
    assert set(document["offline_store"]) == expected_store_keys
    assert set(document["online_store"]) == expected_store_keys
    assert document["entity_key_serialization_version"] == 3


@pytest.mark.parametrize("password", ["plain", "p@ss:w/rd%#'\"\nline two"])
@pytest.mark.parametrize("tls", [False, True])
def test_feast_core_parses_the_rendered_file(password, tls):
    feast_config = pytest.importorskip("feast_core.config")
    config = feast_config.parse_config(
        render_feature_store_yaml(_settings(password, tls=tls)), "feature_store.yaml"
    )
    assert config.project == "feast_project"
    assert config.registry.registry_type == "sql"
    url = urlsplit(config.registry.path)
    assert url.scheme == "postgresql+psycopg"
    assert unquote(url.password) == password
    for store in (config.offline_store, config.online_store):
        assert store.type == "postgres"
        assert (store.host, store.port, store.database) == ("db.example", 5432, "registry")
        assert (store.user, store.password) == ("relation_id_7", password)
        assert store.sslmode == ("require" if tls else "disable")
    assert parse_qs(url.query) == {"sslmode": ["require" if tls else "disable"]}
