"""Relation data shaped as the real remote charms write it."""

from __future__ import annotations

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
