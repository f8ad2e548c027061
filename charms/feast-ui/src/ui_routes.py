"""What feast-ui asks of the dashboard and of Istio: pure builders, no I/O."""

from __future__ import annotations

from charms.feast_ui.v0.istio_ingress_route import (
    Backend,
    HttpRoute,
    IngressRouteConfig,
    Listener,
    PathPrefixMatch,
    PrefixRewrite,
)
from charms.feast_ui.v0.kubeflow_dashboard_links import DashboardLink
from charms.feast_ui.v0.sdi_ingress import IngressRequest
from ui_workload import PORT

PREFIX = "/feast/"
REWRITE = "/"
SDI_RELATION = "ingress"
ROUTE_RELATION = "istio-ingress-route"
DASHBOARD_RELATION = "dashboard-links"
CONFLICT_MESSAGE = (
    f"Cannot have both '{ROUTE_RELATION}' and '{SDI_RELATION}' relations at the same time; remove one of them"
)


def dashboard_links() -> list[DashboardLink]:
    """The single sidebar entry pointing at the UI."""
    return [DashboardLink(text="Feast", link=PREFIX, location="external", icon="device:data-usage")]


def sdi_request(app_name: str, namespace: str) -> IngressRequest:
    """istio-pilot (sidecar mode): route /feast/ to the app's Service, rewritten to /."""
    return IngressRequest(service=app_name, port=PORT, prefix=PREFIX, rewrite=REWRITE, namespace=namespace)


def route_config(app_name: str, model_name: str, tls: bool = False) -> IngressRouteConfig:
    """istio-ingress-k8s (ambient mode): one HTTPRoute for /feast/ rewritten to /.

    The listener is plain HTTP on 80 unless the gateway terminates TLS, then HTTPS on 443.
    """
    listener = Listener(port=443, protocol="HTTPS") if tls else Listener(port=80, protocol="HTTP")
    route = HttpRoute(
        name="http-route",
        listener=listener,
        backends=(Backend(service=app_name, port=PORT),),
        matches=(PathPrefixMatch(PREFIX),),
        filters=(PrefixRewrite(REWRITE),),
    )
    return IngressRouteConfig(model=model_name, http_routes=(route,))
