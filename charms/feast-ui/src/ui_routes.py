"""What feast-ui asks of the dashboard and of Istio: pure builders, no I/O."""

from __future__ import annotations

from charmlibs.interfaces.istio_ingress_route import (
    BackendRef,
    HTTPPathMatch,
    HTTPPathMatchType,
    HTTPRoute,
    HTTPRouteMatch,
    IstioIngressRouteConfig,
    Listener,
    PathModifier,
    PathModifierType,
    ProtocolType,
    URLRewriteFilter,
    URLRewriteSpec,
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


def route_config(app_name: str, model_name: str, tls: bool = False) -> IstioIngressRouteConfig:
    """istio-ingress-k8s (ambient mode): one HTTPRoute for /feast/ rewritten to /.

    The listener is always HTTP: istio-ingress-k8s accepts only HTTP or GRPC listeners and serves
    them as HTTPS itself when it has a certificate. Its port is 443 then (what browsers use for
    https://), 80 otherwise.
    """
    listener = Listener(port=443 if tls else 80, protocol=ProtocolType.HTTP)
    route = HTTPRoute(
        name="http-route",
        listener=listener,
        backends=[BackendRef(service=app_name, port=PORT)],
        matches=[HTTPRouteMatch(path=HTTPPathMatch(type=HTTPPathMatchType.PathPrefix, value=PREFIX))],
        filters=[
            URLRewriteFilter(
                urlRewrite=URLRewriteSpec(
                    path=PathModifier(type=PathModifierType.ReplacePrefixMatch, value=REWRITE)
                )
            )
        ],
    )
    return IstioIngressRouteConfig(model=model_name, listeners=[listener], http_routes=[route])
