"""Builders of ops.testing state shaped like the real remote charms, and wire-data readers.

postgresql-k8s (data_interfaces v0, `database` endpoint) writes in its app databag:
`secret-user` (Juju secret: username, password, uris, read-only-uris), `secret-tls` (Juju secret:
tls, tls-ca), `endpoints`, `read-only-endpoints`, `version`, `database`, `data`.
resource-dispatcher writes nothing in its app databag; it reads `kubernetes_manifests`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml
from ops import testing

MODEL = "kubeflow"
DATABASE_NAMES = {"offline-store": "offline_store", "online-store": "online_store", "registry": "registry"}
RELATION_IDS = {
    "offline-store": 11,
    "online-store": 12,
    "registry": 13,
    "secrets": 21,
    "pod-defaults": 22,
    "feast-configuration": 31,
    "feast-server": 41,
}
SERVER_HOST = f"feast-server.{MODEL}.svc.cluster.local"
# what feast-server's leader writes on its `feast-configuration` endpoint (the feast_server interface);
# tests/charms/feast_server/test_with_integrator.py checks it against the charm itself
SERVER_ENDPOINTS = {
    "online-url": f"http://{SERVER_HOST}:6566",
    "registry-address": f"{SERVER_HOST}:6570",
    "offline-host": SERVER_HOST,
    "offline-port": "8815",
    "auth-type": "kubernetes",
}
CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"


@dataclass
class PostgresAnswer:
    """What one postgresql-k8s application answers on its `database` relation."""

    password: str = "s3cret-Pw"
    tls: bool = False
    app: str = ""
    endpoints: str = ""
    plain_fields: bool = False  # Juju without secrets: credentials in the databag
    omit_tls: bool = False  # the provider has published no TLS information at all
    username: str = ""  # default: relation_id_<relation id>, as postgresql-k8s names its users
    database: str = ""  # default: the database the integrator asked for
    extra: dict = field(default_factory=dict)


def postgres_relation(
    endpoint: str, answer: PostgresAnswer | None
) -> tuple[testing.Relation, list[testing.Secret]]:
    """A relation to postgresql-k8s; `answer=None` means the provider has not written yet."""
    relation_id = RELATION_IDS[endpoint]
    database = (answer and answer.database) or DATABASE_NAMES[endpoint]
    if answer is None:
        return (
            testing.Relation(
                endpoint, interface="postgresql_client", remote_app_name=f"feast-{endpoint}", id=relation_id
            ),
            [],
        )
    app = answer.app or f"feast-{endpoint}"
    primary = f"{app}-primary.{MODEL}.svc.cluster.local:5432"
    username = answer.username or f"relation_id_{relation_id}"
    uri = f"postgresql://{username}:{answer.password}@{primary}/{database}"
    requester_data = {"database": database, "requested-secrets": json.dumps(["username", "password"])}
    remote = {
        "endpoints": answer.endpoints or primary,
        "read-only-endpoints": f"{app}-replicas.{MODEL}.svc.cluster.local:5432",
        "version": "14.15",
        "database": database,
        "data": json.dumps(requester_data),
    }
    secrets: list[testing.Secret] = []
    tls_content = {"tls": "True", "tls-ca": CA_PEM} if answer.tls else {"tls": "False"}
    if answer.omit_tls:
        tls_content = {}
    if answer.plain_fields:
        remote.update({"username": username, "password": answer.password, **tls_content})
    else:
        user_secret = testing.Secret(
            {"username": username, "password": answer.password, "uris": uri, "read-only-uris": uri},
        )
        remote["secret-user"] = user_secret.id
        secrets = [user_secret]
        if tls_content:
            tls_secret = testing.Secret(tls_content)
            remote["secret-tls"] = tls_secret.id
            secrets.append(tls_secret)
    remote.update(answer.extra)
    relation = testing.Relation(
        endpoint,
        interface="postgresql_client",
        remote_app_name=app,
        id=relation_id,
        remote_app_data=remote,
    )
    return relation, secrets


def dispatcher_relation(endpoint: str) -> testing.Relation:
    """A relation to resource-dispatcher (`secrets` or `pod-defaults`)."""
    return testing.Relation(
        endpoint,
        interface="kubernetes_manifest",
        remote_app_name="resource-dispatcher",
        id=RELATION_IDS[endpoint],
    )


def ui_relation() -> testing.Relation:
    """The feast-configuration relation to feast-ui."""
    return testing.Relation(
        "feast-configuration",
        interface="feast-configuration",
        remote_app_name="feast-ui",
        id=RELATION_IDS["feast-configuration"],
    )


def server_relation(remote: dict[str, str] | None = None) -> testing.Relation:
    """The feast-server relation; ``remote`` is what feast-server wrote (default: its addresses)."""
    return testing.Relation(
        "feast-server",
        interface="feast_server",
        remote_app_name="feast-server",
        id=RELATION_IDS["feast-server"],
        remote_app_data=dict(SERVER_ENDPOINTS) if remote is None else remote,
        limit=1,
    )


def full_state(
    answers: dict[str, PostgresAnswer | None] | None = None,
    *,
    leader: bool = True,
    omit: tuple[str, ...] = (),
    with_ui: bool = True,
    config: dict | None = None,
    server: testing.Relation | None = None,
) -> testing.State:
    """Every relation in place (minus `omit`), databases answering as in `answers`."""
    answers = answers if answers is not None else {}
    relations: list[testing.Relation] = []
    secrets: list[testing.Secret] = []
    for endpoint in DATABASE_NAMES:
        if endpoint in omit:
            continue
        relation, relation_secrets = postgres_relation(endpoint, answers.get(endpoint, PostgresAnswer()))
        relations.append(relation)
        secrets.extend(relation_secrets)
    for endpoint in ("secrets", "pod-defaults"):
        if endpoint not in omit:
            relations.append(dispatcher_relation(endpoint))
    if with_ui and "feast-configuration" not in omit:
        relations.append(ui_relation())
    if server is not None:
        relations.append(server)
    return testing.State(
        leader=leader,
        relations=relations,
        secrets=secrets,
        config=config or {},
        model=testing.Model(name=MODEL),
    )


def sent_manifests(state: testing.State, endpoint: str) -> list[dict]:
    """Manifests this app publishes on a resource-dispatcher relation, decoded from JSON."""
    relation = state.get_relation(RELATION_IDS[endpoint])
    return json.loads(relation.local_app_data.get("kubernetes_manifests", "[]"))


def sent_feature_store_yaml(state: testing.State) -> str:
    """feature_store.yaml as carried by the Secret manifest sent on `secrets`."""
    (secret,) = sent_manifests(state, "secrets")
    return secret["stringData"]["feature_store.yaml"]


def sent_feature_store(state: testing.State) -> dict:
    """The sent feature_store.yaml, parsed back."""
    return yaml.safe_load(sent_feature_store_yaml(state))
