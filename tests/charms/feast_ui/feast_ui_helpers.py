"""Relation data shaped as the real remote charms write it."""

from __future__ import annotations

import ops
from charmlibs.interfaces.service_mesh import MeshType, ServiceMeshProvider
from ops import testing

STORES = ("registry", "offline_store", "online_store")


def plain_config(password: str = "pw", **overrides: str) -> dict[str, str]:
    """The reference integrator's fifteen string keys."""
    data = {}
    for store in STORES:
        data.update(
            {
                f"{store}_host": f"{store.replace('_', '-')}-primary.kubeflow.svc.cluster.local",
                f"{store}_port": "5432",
                f"{store}_database": store,
                f"{store}_user": f"relation_{STORES.index(store) + 3}",
                f"{store}_password": password,
            }
        )
    data.update(overrides)
    return data


def config_relation(data: dict[str, str] | None = None) -> testing.Relation:
    return testing.Relation(
        "feast-configuration",
        interface="feast-configuration",
        remote_app_name="feast-integrator",
        remote_app_data=plain_config() if data is None else data,
        limit=1,
    )


def container(can_connect: bool = True, **kwargs) -> testing.Container:
    return testing.Container("feast-ui", can_connect=can_connect, **kwargs)


def sdi_relation(remote_versions: str | None = "- v1\n- v2\n") -> testing.Relation:
    remote = {} if remote_versions is None else {"_supported_versions": remote_versions}
    return testing.Relation(
        "ingress", interface="ingress", remote_app_name="istio-pilot", remote_app_data=remote
    )


def route_relation(remote: dict[str, str] | None = None) -> testing.Relation:
    return testing.Relation(
        "istio-ingress-route",
        interface="istio_ingress_route",
        remote_app_name="istio-ingress-k8s",
        remote_app_data=remote or {},
    )


def dashboard_relation() -> testing.Relation:
    return testing.Relation(
        "dashboard-links", interface="kubeflow_dashboard_links", remote_app_name="kubeflow-dashboard"
    )


# ---- ambient mode: istio-beacon-k8s and the objects Juju creates for the app ----------------

MODEL = testing.Model(name="kubeflow")
# what credential-get answers a trusted application on Kubernetes
TRUSTED_MODEL = testing.Model(name="kubeflow", cloud_spec=testing.CloudSpec(type="kubernetes", name="microk8s"))
AMBIENT = {"istio.io/dataplane-mode": "ambient"}


class IstioBeacon(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.mesh = ServiceMeshProvider(self, labels=AMBIENT, mesh_type=MeshType.istio)


def beacon_answer() -> dict[str, str]:
    """What istio-beacon-k8s writes on service-mesh, through its published provider."""
    ctx = testing.Context(
        IstioBeacon, meta={"name": "istio-beacon-k8s", "provides": {"service-mesh": {"interface": "service_mesh"}}}
    )
    rel = testing.Relation("service-mesh", remote_app_name="feast-ui")
    out = ctx.run(ctx.on.relation_created(rel), testing.State(leader=True, relations={rel}))
    return dict(out.get_relation(rel.id).local_app_data)


def mesh_relation(remote: dict[str, str] | None = None) -> testing.Relation:
    return testing.Relation(
        "service-mesh", interface="service_mesh", remote_app_name="istio-beacon-k8s",
        remote_app_data=beacon_answer() if remote is None else remote, limit=1,
    )


def add_juju_app_objects(kube, app: str = "feast-ui", namespace: str = "kubeflow") -> None:
    """The StatefulSet and Service Juju creates for a Kubernetes application, into a KubeApiDouble."""
    labels = {"app.kubernetes.io/name": app}
    kube.add(namespace, "statefulsets", {
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": app, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "serviceName": f"{app}-endpoints",
            "template": {"metadata": {"labels": dict(labels)},
                         "spec": {"containers": [{"name": "charm"}, {"name": app}]}},
        },
    })
    kube.add(namespace, "services", {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": app, "namespace": namespace, "labels": dict(labels)},
        "spec": {"selector": dict(labels), "ports": [{"name": "tcp-8888", "port": 8888}]},
    })
