"""postgresql_client requirer against relation data shaped like postgresql-k8s 14 writes it."""

from __future__ import annotations

import dataclasses
import json

import ops
import pytest
from charms.feast_integrator.v0.postgresql_client import (
    Endpoint,
    PostgreSQLConnection,
    PostgreSQLRequirer,
    RelationInvalidError,
    RelationMissingError,
    RelationNotReadyError,
    parse_endpoints,
)
from ops import testing

META = {"name": "consumer", "requires": {"db": {"interface": "postgresql_client"}}}
PRIMARY = "pg-primary.model.svc.cluster.local:5432"


class ConsumerCharm(ops.CharmBase):
    """Requests database `orders` on `db` whenever the relation is created."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.db = PostgreSQLRequirer(self, "db", database_name="orders")
        framework.observe(self.on.db_relation_created, self._on_db_relation_created)

    def _on_db_relation_created(self, _event: ops.RelationCreatedEvent) -> None:
        self.db.request_database()


@pytest.fixture
def ctx() -> testing.Context:
    return testing.Context(ConsumerCharm, meta=META)


def provider_relation(
    *, password: str = "pw", tls: str | None = "False", plain: bool = False, **overrides: str
) -> tuple[testing.Relation, list[testing.Secret]]:
    """The app databag postgresql-k8s writes on relation 7 (secrets unless `plain`)."""
    user = {
        "username": "relation_id_7",
        "password": password,
        "uris": f"postgresql://relation_id_7:x@{PRIMARY}/orders",
    }
    tls_content = {} if tls is None else {"tls": tls, **({"tls-ca": "PEM"} if tls == "True" else {})}
    data = {"endpoints": PRIMARY, "database": "orders", "version": "14.15", "data": "{}"}
    secrets = []
    if plain:
        data.update({"username": user["username"], "password": password, **tls_content})
    else:
        user_secret = testing.Secret(user)
        data["secret-user"] = user_secret.id
        secrets.append(user_secret)
        if tls_content:
            tls_secret = testing.Secret(tls_content)
            data["secret-tls"] = tls_secret.id
            secrets.append(tls_secret)
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return testing.Relation(
        "db", interface="postgresql_client", remote_app_name="pg", id=7, remote_app_data=data
    ), secrets


def connection_in(ctx: testing.Context, state: testing.State) -> PostgreSQLConnection:
    with ctx(ctx.on.update_status(), state) as manager:
        return manager.charm.db.get_connection()


def error_in(ctx: testing.Context, state: testing.State) -> Exception:
    expected = (RelationMissingError, RelationNotReadyError, RelationInvalidError)
    with ctx(ctx.on.update_status(), state) as manager, pytest.raises(expected) as caught:
        manager.charm.db.get_connection()
    return caught.value


def test_leader_requests_database_and_secret_fields(ctx):
    relation = testing.Relation("db", interface="postgresql_client", remote_app_name="pg")
    out = ctx.run(ctx.on.relation_created(relation), testing.State(leader=True, relations={relation}))
    sent = out.get_relation(relation.id).local_app_data
    assert sent["database"] == "orders"
    assert json.loads(sent["requested-secrets"]) == [
        "username",
        "password",
        "tls",
        "tls-ca",
        "uris",
        "read-only-uris",
    ]
    assert set(sent) == {"database", "requested-secrets"}


def test_non_leader_requests_nothing(ctx):
    relation = testing.Relation("db", interface="postgresql_client", remote_app_name="pg")
    out = ctx.run(ctx.on.relation_created(relation), testing.State(leader=False, relations={relation}))
    assert out.get_relation(relation.id).local_app_data == {}


def test_reads_credentials_from_the_user_secret(ctx):
    relation, secrets = provider_relation(password="p@ss:w/rd%#'\"\nx")
    connection = connection_in(ctx, testing.State(relations={relation}, secrets=secrets))
    assert connection == PostgreSQLConnection(
        endpoints=(Endpoint("pg-primary.model.svc.cluster.local", 5432),),
        database="orders",
        username="relation_id_7",
        password="p@ss:w/rd%#'\"\nx",
        tls=False,
        tls_ca=None,
        version="14.15",
    )
    assert (connection.host, connection.port) == ("pg-primary.model.svc.cluster.local", 5432)


def test_reads_the_latest_revision_after_rotation(ctx):
    relation, (user_secret, tls_secret) = provider_relation(password="old")
    rotated = dataclasses.replace(
        user_secret, latest_content={**user_secret.tracked_content, "password": "new"}
    )
    connection = connection_in(ctx, testing.State(relations={relation}, secrets={rotated, tls_secret}))
    assert connection.password == "new"


def test_tls_secret_turns_tls_on(ctx):
    relation, secrets = provider_relation(tls="True")
    connection = connection_in(ctx, testing.State(relations={relation}, secrets=secrets))
    assert (connection.tls, connection.tls_ca) == (True, "PEM")


def test_no_tls_secret_means_no_tls(ctx):
    relation, secrets = provider_relation(tls=None)
    connection = connection_in(ctx, testing.State(relations={relation}, secrets=secrets))
    assert connection.tls is False


def test_plain_fields_fallback(ctx):
    relation, _ = provider_relation(password="plain", tls="True", plain=True)
    connection = connection_in(ctx, testing.State(relations={relation}))
    assert (connection.username, connection.password, connection.tls) == ("relation_id_7", "plain", True)


def test_database_name_falls_back_to_the_requested_one(ctx):
    relation, secrets = provider_relation(database=None)
    assert connection_in(ctx, testing.State(relations={relation}, secrets=secrets)).database == "orders"


def test_comma_separated_endpoints(ctx):
    relation, secrets = provider_relation(endpoints="a:5432, b:5433")
    connection = connection_in(ctx, testing.State(relations={relation}, secrets=secrets))
    assert connection.endpoints == (Endpoint("a", 5432), Endpoint("b", 5433))
    assert connection.host == "a"


def test_missing_relation(ctx):
    error = error_in(ctx, testing.State())
    assert isinstance(error, RelationMissingError)
    assert str(error) == "missing relation: db"


def test_empty_relation_is_not_ready(ctx):
    relation = testing.Relation("db", interface="postgresql_client", remote_app_name="pg")
    error = error_in(ctx, testing.State(relations={relation}))
    assert isinstance(error, RelationNotReadyError)
    assert str(error) == "waiting for db credentials"


def test_ungranted_secret_is_not_ready(ctx):
    relation, _ = provider_relation()
    error = error_in(ctx, testing.State(relations={relation}))
    assert isinstance(error, RelationNotReadyError)
    assert str(error) == "waiting for access to the db user secret"


def test_missing_endpoints_is_not_ready(ctx):
    relation, secrets = provider_relation(endpoints=None)
    error = error_in(ctx, testing.State(relations={relation}, secrets=secrets))
    assert isinstance(error, RelationNotReadyError)
    assert str(error) == "waiting for db endpoints"


def test_bad_endpoints_are_invalid(ctx):
    relation, secrets = provider_relation(endpoints="host-without-port")
    error = error_in(ctx, testing.State(relations={relation}, secrets=secrets))
    assert isinstance(error, RelationInvalidError)
    assert str(error) == "invalid db endpoints: endpoint 'host-without-port' is not host:port"


def test_two_relations_are_invalid(ctx):
    first, secrets = provider_relation()
    second = testing.Relation("db", interface="postgresql_client", remote_app_name="pg2", id=8)
    error = error_in(ctx, testing.State(relations={first, second}, secrets=secrets))
    assert isinstance(error, RelationInvalidError)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("h:1", (Endpoint("h", 1),)),
        ("h1:5432,h2:6432", (Endpoint("h1", 5432), Endpoint("h2", 6432))),
        ("[fd00::1]:5432", (Endpoint("fd00::1", 5432),)),
        (" h:5432 ,", (Endpoint("h", 5432),)),
        ("10.0.0.1:65535", (Endpoint("10.0.0.1", 65535),)),
    ],
)
def test_parse_endpoints(raw, expected):
    assert parse_endpoints(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", ",", "h", ":5432", "h:0", "h:65536", "h:-1", "h:x", "a b:5432", "u@h:1", "h/db:1"]
)
def test_parse_endpoints_rejects(raw):
    with pytest.raises(ValueError):
        parse_endpoints(raw)


def _rotated_state() -> tuple[testing.State, testing.Secret]:
    relation, (user_secret, tls_secret) = provider_relation(password="old")
    rotated = dataclasses.replace(
        user_secret, latest_content={**user_secret.tracked_content, "password": "new"}
    )
    return testing.State(relations={relation}, secrets={rotated, tls_secret}), rotated


def test_get_connection_peeks_without_tracking(ctx):
    state, rotated = _rotated_state()
    with ctx(ctx.on.update_status(), state) as manager:
        assert manager.charm.db.get_connection().password == "new"
        out = manager.run()
    assert out.get_secret(id=rotated.id).tracked_content["password"] == "old"


def test_track_latest_secrets_moves_the_tracked_revision(ctx):
    state, rotated = _rotated_state()
    with ctx(ctx.on.update_status(), state) as manager:
        manager.charm.db.track_latest_secrets()
        out = manager.run()
    assert out.get_secret(id=rotated.id).tracked_content["password"] == "new"


def test_track_latest_secrets_does_not_raise_on_ungranted_secrets(ctx):
    relation, _ = provider_relation()
    with ctx(ctx.on.update_status(), testing.State(relations={relation})) as manager:
        manager.charm.db.track_latest_secrets()
        manager.run()
