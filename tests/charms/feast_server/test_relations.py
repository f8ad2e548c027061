"""feast-server's optional ingress, read back through istio-ingress-k8s's own published provider."""

from __future__ import annotations

import ops
from charmlibs.interfaces.istio_ingress_route import IstioIngressRouteProvider, ProtocolType
from feast_server_helpers import MODEL, configured_state, container, route_relation
from ops import testing


class IstioIngressK8s(ops.CharmBase):
    tls_enabled = False

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.routes = IstioIngressRouteProvider(
            self, "istio-ingress-route", external_host="10.64.140.43", tls_enabled=self.tls_enabled
        )


def provider_reads(sent: dict[str, str], tls: bool = False):
    provider = type("Provider", (IstioIngressK8s,), {"tls_enabled": tls})
    ctx = testing.Context(provider, meta={"name": "istio-ingress-k8s",
                                          "provides": {"istio-ingress-route": {"interface": "istio_ingress_route"}}})
    rel = testing.Relation("istio-ingress-route", remote_app_name="feast-server", remote_app_data=sent)
    with ctx(ctx.on.relation_changed(rel, remote_unit=0), testing.State(leader=True, relations={rel})) as mgr:
        config = mgr.charm.routes.get_config(mgr.charm.model.get_relation("istio-ingress-route"))
        out = mgr.run()
    return config, dict(out.get_relation(rel.id).local_app_data)


def assert_online_route(config, port: int) -> None:
    assert config is not None, "istio-ingress-k8s could not parse the route"
    assert config.model == "kubeflow"
    (listener,) = config.listeners
    assert (listener.port, listener.protocol) == (port, ProtocolType.HTTP)
    (route,) = config.http_routes
    assert [(b.service, b.port) for b in route.backends] == [("feast-server", 6566)]
    (match,) = route.matches
    assert (match.path.type.value, match.path.value) == ("PathPrefix", "/kubeflow-feast-server/")
    (rewrite,) = route.filters
    assert (rewrite.urlRewrite.path.type.value, rewrite.urlRewrite.path.value) == ("ReplacePrefixMatch", "/")


def test_online_server_route_is_what_istio_ingress_k8s_accepts(ctx):
    rel = route_relation()
    state, _ = configured_state(extra_relations=(rel,))
    out = ctx.run(ctx.on.relation_created(rel), state)
    config, _ = provider_reads(dict(out.get_relation(rel.id).local_app_data))
    assert_online_route(config, port=80)
    assert out.unit_status == testing.ActiveStatus()


def test_with_tls_the_listener_is_http_on_443(ctx):
    rel = route_relation()
    state, _ = configured_state(extra_relations=(rel,))
    first = ctx.run(ctx.on.relation_created(rel), state)
    _, answer = provider_reads(dict(first.get_relation(rel.id).local_app_data), tls=True)
    rel = route_relation(answer)
    state, _ = configured_state(extra_relations=(rel,))
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state)
    config, _ = provider_reads(dict(out.get_relation(rel.id).local_app_data), tls=True)
    assert_online_route(config, port=443)


def test_only_the_leader_submits_a_route(ctx):
    rel = route_relation()
    out = ctx.run(ctx.on.relation_created(rel),
                  testing.State(leader=False, model=MODEL, relations={rel}, containers={container()}))
    assert out.get_relation(rel.id).local_app_data == {}
