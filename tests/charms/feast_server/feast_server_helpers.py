"""State for feast-server shaped as its peers write it: feast-integrator through the feast_server library's
provider (the code the integrator runs), istio-ingress-k8s through its published library's data."""

from __future__ import annotations

import ops
from charms.feast_integrator.v0.feast_server import FeastServerConfiguration, FeastServerProvider
from ops import testing

MODEL = testing.Model(name="kubeflow", cloud_spec=testing.CloudSpec(type="kubernetes", name="microk8s"))
CONFIG_FILE = "home/ubuntu/feature_store.yaml"
SERVICES = ("feast-online-server", "feast-registry-server", "feast-offline-server")


def server_yaml(password: str = "s3cret", auth: str | None = "kubernetes") -> str:
    """A server feature_store.yaml as feast-integrator renders it for feast-server."""
    text = (
        "project: feast_project\nprovider: local\nregistry:\n  registry_type: sql\n"
        f"  path: postgresql+psycopg://relation_id_13:{password}@feast-registry-primary.kubeflow.svc.cluster.local:5432/"
        "registry?sslmode=disable\n  cache_ttl_seconds: 60\n"
        "offline_store:\n  type: postgres\n  host: feast-offline-store-primary.kubeflow.svc.cluster.local\n"
        f"  port: 5432\n  database: offline_store\n  db_schema: public\n  user: relation_id_11\n  password: {password}\n"
        "  sslmode: disable\n"
        "online_store:\n  type: postgres\n  host: feast-online-store-primary.kubeflow.svc.cluster.local\n"
        f"  port: 5432\n  database: online_store\n  db_schema: public\n  user: relation_id_12\n  password: {password}\n"
        "  sslmode: disable\n"
        "entity_key_serialization_version: 3\n"
    )
    if auth:
        text += f"auth:\n  type: {auth}\n"
    return text


class _Integrator(ops.CharmBase):
    YAML = ""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.provider = FeastServerProvider(self, "feast-server")
        framework.observe(self.on.config_changed, self._publish)

    def _publish(self, _event: ops.EventBase) -> None:
        self.provider.publish(FeastServerConfiguration(project="feast_project", feature_store_yaml=self.YAML))


def integrator_answer(text: str) -> tuple[dict[str, str], testing.Secret]:
    """What feast-integrator writes on its `feast-server` endpoint for ``text``, and the secret it grants."""
    _Integrator.YAML = text
    ctx = testing.Context(
        _Integrator, meta={"name": "feast-integrator", "provides": {"feast-server": {"interface": "feast_server"}}}
    )
    relation = testing.Relation("feast-server", remote_app_name="feast-server")
    out = ctx.run(ctx.on.config_changed(), testing.State(leader=True, relations={relation}))
    (owned,) = out.secrets
    # the same secret as the server sees it: owned by the other application, content at its latest revision
    return dict(out.get_relation(relation.id).local_app_data), testing.Secret(owned.tracked_content, id=owned.id)


def config_relation(remote: dict[str, str] | None = None, **kwargs) -> testing.Relation:
    return testing.Relation(
        "feast-configuration", interface="feast_server", remote_app_name="feast-integrator",
        remote_app_data={} if remote is None else remote, limit=1, **kwargs,
    )


def container(**kwargs) -> testing.Container:
    return testing.Container("feast-server", can_connect=kwargs.pop("can_connect", True), **kwargs)


def configured_state(text: str | None = None, *, leader: bool = True, config: dict | None = None,
                     extra_relations=(), **container_kwargs) -> tuple[testing.State, testing.Relation]:
    remote, secret = integrator_answer(server_yaml() if text is None else text)
    relation = config_relation(remote)
    state = testing.State(
        leader=leader, model=MODEL, config=config or {}, relations={relation, *extra_relations},
        secrets={secret}, containers={container(**container_kwargs)},
    )
    return state, relation


def route_relation(remote: dict[str, str] | None = None) -> testing.Relation:
    return testing.Relation(
        "istio-ingress-route", interface="istio_ingress_route", remote_app_name="istio-ingress-k8s",
        remote_app_data={} if remote is None else remote,
    )
