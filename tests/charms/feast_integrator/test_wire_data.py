"""What goes over the wire: database requests, manifests' JSON, the YAML parsed back, feast-configuration."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml
from feast_integrator_charm import FeastIntegratorCharm
from feast_integrator_scenario import (
    CA_PEM,
    PostgresAnswer,
    full_state,
    sent_feature_store,
    sent_feature_store_yaml,
    sent_manifests,
)
from ops import testing

NASTY_PASSWORD = "p@ss:w/rd%25#'\"\nsecond line"


@pytest.mark.parametrize(
    "endpoint, database",
    [("offline-store", "offline_store"), ("online-store", "online_store"), ("registry", "registry")],
)
def test_leader_requests_each_database_with_secrets(ctx, endpoint, database):
    state = full_state({endpoint: None})
    relation = next(r for r in state.relations if r.endpoint == endpoint)
    out = ctx.run(ctx.on.relation_created(relation), state)
    sent = out.get_relation(relation.id).local_app_data
    assert sent["database"] == database
    assert {"username", "password", "tls", "tls-ca"} <= set(json.loads(sent["requested-secrets"]))
    assert "extra-user-roles" not in sent


def test_secret_manifest(ctx):
    out = ctx.run(ctx.on.update_status(), full_state())
    (secret,) = sent_manifests(out, "secrets")
    assert secret["apiVersion"] == "v1"
    assert secret["kind"] == "Secret"
    assert secret["metadata"] == {"name": "feature-store-yaml"}
    assert secret["type"] == "Opaque"
    assert list(secret["stringData"]) == ["feature_store.yaml"]


def test_pod_default_manifest(ctx):
    out = ctx.run(ctx.on.update_status(), full_state())
    assert sent_manifests(out, "pod-defaults") == [
        {
            "apiVersion": "kubeflow.org/v1alpha1",
            "kind": "PodDefault",
            "metadata": {"name": "feast-integrator-access-feast"},
            "spec": {
                "desc": "Allow access to Feast",
                "selector": {"matchLabels": {"access-feast": "true"}},
                "env": [{"name": "FEAST_FS_YAML_FILE_PATH", "value": "/feast/feature_store.yaml"}],
                "volumeMounts": [{"name": "feature-store-yaml", "mountPath": "/feast"}],
                "volumes": [{"name": "feature-store-yaml", "secret": {"secretName": "feature-store-yaml"}}],
            },
        }
    ]


def test_pod_default_is_named_after_the_app():
    ctx = testing.Context(FeastIntegratorCharm, app_name="feast")
    out = ctx.run(ctx.on.update_status(), full_state())
    (pod_default,) = sent_manifests(out, "pod-defaults")
    assert pod_default["metadata"]["name"] == "feast-access-feast"


def test_feature_store_yaml_content(ctx):
    out = ctx.run(ctx.on.update_status(), full_state())
    document = sent_feature_store(out)
    assert document == {
        "project": "feast_project",
        "provider": "local",
        "registry": {
            "registry_type": "sql",
            "path": "postgresql+psycopg://relation_id_13:s3cret-Pw@"
            "feast-registry-primary.kubeflow.svc.cluster.local:5432/registry?sslmode=disable",
            "cache_ttl_seconds": 60,
        },
        "offline_store": {
            "type": "postgres",
            "host": "feast-offline-store-primary.kubeflow.svc.cluster.local",
            "port": 5432,
            "database": "offline_store",
            "db_schema": "public",
            "user": "relation_id_11",
            "password": "s3cret-Pw",
            "sslmode": "disable",
        },
        "online_store": {
            "type": "postgres",
            "host": "feast-online-store-primary.kubeflow.svc.cluster.local",
            "port": 5432,
            "database": "online_store",
            "db_schema": "public",
            "user": "relation_id_12",
            "password": "s3cret-Pw",
            "sslmode": "disable",
        },
        "entity_key_serialization_version": 3,
    }


def test_config_options_reach_the_yaml(ctx):
    out = ctx.run(ctx.on.config_changed(), full_state(config={"project": "fraud_2", "registry-cache-ttl": 0}))
    document = sent_feature_store(out)
    assert document["project"] == "fraud_2"
    assert document["registry"]["cache_ttl_seconds"] == 0
    assert out.get_relation(31).local_app_data["project"] == "fraud_2"


@pytest.mark.parametrize("store", ["offline-store", "online-store", "registry"])
def test_nasty_passwords_survive_yaml_and_url(ctx, store):
    out = ctx.run(ctx.on.update_status(), full_state({store: PostgresAnswer(password=NASTY_PASSWORD)}))
    assert out.unit_status == testing.ActiveStatus()
    document = sent_feature_store(out)
    if store == "registry":
        url = urlsplit(document["registry"]["path"])
        assert url.scheme == "postgresql+psycopg"
        assert unquote(url.password) == NASTY_PASSWORD
        assert unquote(url.username) == "relation_id_13"
        assert url.hostname == "feast-registry-primary.kubeflow.svc.cluster.local"
        assert url.port == 5432
        assert url.path == "/registry"
        assert url.query == "sslmode=disable" and url.fragment == ""
    else:
        assert document[store.replace("-", "_")]["password"] == NASTY_PASSWORD


def test_tls_turns_on_sslmode_everywhere(ctx):
    answers = {name: PostgresAnswer(tls=True) for name in ("offline-store", "online-store", "registry")}
    out = ctx.run(ctx.on.update_status(), full_state(answers))
    document = sent_feature_store(out)
    assert document["offline_store"]["sslmode"] == "require"
    assert document["online_store"]["sslmode"] == "require"
    assert parse_qs(urlsplit(document["registry"]["path"]).query) == {"sslmode": ["require"]}
    assert CA_PEM not in sent_feature_store_yaml(out)


def test_tls_off_says_sslmode_disable_everywhere(ctx):
    # postgresql-k8s without TLS publishes secret-tls with tls "False" and no CA
    document = sent_feature_store(ctx.run(ctx.on.update_status(), full_state()))
    assert document["offline_store"]["sslmode"] == "disable"
    assert document["online_store"]["sslmode"] == "disable"
    assert parse_qs(urlsplit(document["registry"]["path"]).query) == {"sslmode": ["disable"]}


def test_no_tls_secret_at_all_means_disable(ctx):
    answers = {
        name: PostgresAnswer(omit_tls=True) for name in ("offline-store", "online-store", "registry")
    }
    document = sent_feature_store(ctx.run(ctx.on.update_status(), full_state(answers)))
    assert document["offline_store"]["sslmode"] == "disable"
    assert document["online_store"]["sslmode"] == "disable"
    assert parse_qs(urlsplit(document["registry"]["path"]).query) == {"sslmode": ["disable"]}


@pytest.mark.parametrize("with_tls", ["offline-store", "online-store", "registry"])
def test_tls_only_for_the_database_that_has_it(ctx, with_tls):
    out = ctx.run(ctx.on.update_status(), full_state({with_tls: PostgresAnswer(tls=True)}))
    document = sent_feature_store(out)
    modes = {
        "offline-store": document["offline_store"]["sslmode"],
        "online-store": document["online_store"]["sslmode"],
        "registry": parse_qs(urlsplit(document["registry"]["path"]).query)["sslmode"][0],
    }
    assert modes == {name: "require" if name == with_tls else "disable" for name in modes}


def test_comma_separated_endpoints_use_the_first(ctx):
    answer = PostgresAnswer(endpoints="pg-0.example:5433,pg-1.example:5434")
    document = sent_feature_store(ctx.run(ctx.on.update_status(), full_state({"offline-store": answer})))
    assert (document["offline_store"]["host"], document["offline_store"]["port"]) == ("pg-0.example", 5433)


def test_plain_fields_fallback_without_juju_secrets(ctx):
    answer = PostgresAnswer(password="plain-pw", plain_fields=True, tls=True)
    out = ctx.run(ctx.on.update_status(), full_state({"online-store": answer}))
    document = sent_feature_store(out)
    assert document["online_store"]["password"] == "plain-pw"
    assert document["online_store"]["user"] == "relation_id_12"
    assert document["online_store"]["sslmode"] == "require"


def test_feast_configuration_credentials_travel_in_a_granted_secret(ctx):
    out = ctx.run(ctx.on.update_status(), full_state({"registry": PostgresAnswer(password=NASTY_PASSWORD)}))
    databag = out.get_relation(31).local_app_data
    assert set(databag) == {"feature-store-secret", "project"}
    assert NASTY_PASSWORD not in json.dumps(dict(databag))
    secret = out.get_secret(id=databag["feature-store-secret"])
    assert secret.owner == "app"
    assert secret.remote_grants == {31: {"feast-ui"}}
    # The UI gets byte for byte the file the notebooks get.
    assert secret.tracked_content == {"feature-store-yaml": sent_feature_store_yaml(out)}
    assert yaml.safe_load(secret.tracked_content["feature-store-yaml"])["registry"]["path"].startswith(
        "postgresql+psycopg://relation_id_13:"
    )


def test_no_plain_password_in_any_databag_but_the_dispatcher_secret(ctx):
    answers = {
        name: PostgresAnswer(password=f"pw-{name}-XYZ")
        for name in ("offline-store", "online-store", "registry")
    }
    out = ctx.run(ctx.on.update_status(), full_state(answers))
    for relation in out.relations:
        if relation.endpoint == "secrets":
            continue  # the Kubernetes Secret manifest must carry the file
        assert "XYZ" not in json.dumps(dict(relation.local_app_data))


def test_sent_yaml_is_accepted_by_feast_core(ctx):
    feast_config = pytest.importorskip("feast_core.config")
    answers = {
        name: PostgresAnswer(password=NASTY_PASSWORD, tls=True)
        for name in ("offline-store", "online-store", "registry")
    }
    out = ctx.run(ctx.on.update_status(), full_state(answers))
    config = feast_config.parse_config(sent_feature_store_yaml(out), "feature_store.yaml")
    assert config.project == "feast_project"
    assert config.registry.registry_type == "sql"
    assert unquote(urlsplit(config.registry.path).password) == NASTY_PASSWORD
    assert config.offline_store.password == NASTY_PASSWORD
    assert config.online_store.sslmode == "require"
