"""Where feast-server answers: its in-cluster addresses, told to feast-integrator, and its optional ingress.

Juju gives a Kubernetes application a Service named after it, carrying the ports the units open; its
cluster DNS name reaches every unit. Pure builders, no I/O.
"""

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
from charms.feast_integrator.v0.feast_server import FeastServerEndpoints
from server_workload import OFFLINE_PORT, ONLINE_PORT, REGISTRY_PORT

AUTH_TYPE = "kubernetes"
ROUTE_RELATION = "istio-ingress-route"


def service_host(app_name: str, model_name: str) -> str:
    """The cluster DNS name of the application's Service."""
    return f"{app_name}.{model_name}.svc.cluster.local"


def endpoints(app_name: str, model_name: str) -> FeastServerEndpoints:
    """The three servers' in-cluster addresses, as a client's feature_store.yaml names them."""
    host = service_host(app_name, model_name)
    return FeastServerEndpoints(
        online_url=f"http://{host}:{ONLINE_PORT}",
        registry_address=f"{host}:{REGISTRY_PORT}",
        offline_host=host,
        offline_port=OFFLINE_PORT,
        auth_type=AUTH_TYPE,
    )


def ingress_prefix(app_name: str, model_name: str) -> str:
    """The path under which the ingress serves the online server."""
    return f"/{model_name}-{app_name}/"


def route_config(app_name: str, model_name: str, tls: bool = False) -> IstioIngressRouteConfig:
    """istio-ingress-k8s: the online server (Feast's HTTP protocol) under /<model>-<app>/, rewritten to /.

    The listener is HTTP (istio-ingress-k8s accepts only HTTP or GRPC listeners and terminates TLS
    itself when it has a certificate: port 443 then, 80 otherwise). The registry and offline servers
    speak gRPC / Arrow Flight and stay inside the cluster.
    """
    listener = Listener(port=443 if tls else 80, protocol=ProtocolType.HTTP)
    route = HTTPRoute(
        name="online-server",
        listener=listener,
        backends=[BackendRef(service=app_name, port=ONLINE_PORT)],
        matches=[
            HTTPRouteMatch(
                path=HTTPPathMatch(type=HTTPPathMatchType.PathPrefix, value=ingress_prefix(app_name, model_name))
            )
        ],
        filters=[
            URLRewriteFilter(
                urlRewrite=URLRewriteSpec(path=PathModifier(type=PathModifierType.ReplacePrefixMatch, value="/"))
            )
        ],
    )
    return IstioIngressRouteConfig(model=model_name, listeners=[listener], http_routes=[route])
