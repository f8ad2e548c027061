"""Wire data on dashboard-links, ingress (istio-pilot, SDI v1) and istio-ingress-route.

What feast-ui sends on istio-ingress-route is read back through istio-ingress-k8s's own published
provider (charmlibs-interfaces-istio-ingress-route's IstioIngressRouteProvider), and the SDI data is
validated against operator-schemas' ingress v1 schema, the one istio-pilot checks it with.
"""

from __future__ import annotations

import jsonschema
import ops
import pytest
import yaml
from charmlibs.interfaces.istio_ingress_route import (
    IstioIngressRouteConfig,
    IstioIngressRouteProvider,
    ProtocolType,
    to_gateway_protocol,
)
from feast_ui_helpers import config_relation, container, dashboard_relation, route_relation, sdi_relation
from ops import testing

MODEL = testing.Model(name="kubeflow")
DASHBOARD_LINKS = (
    '[{"text": "Feast", "link": "/feast/", "location": "external", '
    '"icon": "device:data-usage", "type": "item", "desc": ""}]'
)
# operator-schemas' ingress.yaml, version v1 (what istio-pilot validates `data` against)
SDI_V1_REQUIRES = {
    "type": "object",
    "properties": {
        "service": {"type": "string"},
        "port": {"type": "integer"},
        "prefix": {"type": "string"},
        "rewrite": {"type": "string"},
    },
    "required": ["service", "port", "prefix"],
}
CONFLICT = (
    "Cannot have both 'istio-ingress-route' and 'ingress' relations at the same time; remove one of them"
)


def state(*relations, leader=True):
    return testing.State(
        leader=leader, model=MODEL, relations={config_relation(), *relations}, containers={container()}
    )


def app_data(out, rel):
    return out.get_relation(rel.id).local_app_data


# ---- dashboard-links -----------------------------------------------------------------


@pytest.mark.parametrize("event", ["relation_created", "leader_elected", "upgrade_charm"])
def test_dashboard_link_exact(ctx, event):
    rel = dashboard_relation()
    trigger = getattr(ctx.on, event)(rel) if event.startswith("relation") else getattr(ctx.on, event)()
    out = ctx.run(trigger, state(rel))
    assert app_data(out, rel) == {"dashboard_links": DASHBOARD_LINKS}
    assert out.unit_status == testing.ActiveStatus()


def test_dashboard_link_not_written_by_non_leader(ctx):
    rel = dashboard_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel, leader=False))
    assert app_data(out, rel) == {}


# ---- ingress (istio-pilot, SDI) ----------------------------------------------------------


def test_sdi_exact_data_once_istio_pilot_lists_versions(ctx):
    rel = sdi_relation("- v1\n- v2\n")
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel))
    assert app_data(out, rel) == {
        "_supported_versions": "- v1\n",
        "data": "namespace: kubeflow\nport: 8888\nprefix: /feast/\nrewrite: /\nservice: feast-ui\n",
    }
    assert out.unit_status == testing.ActiveStatus()


def test_sdi_data_satisfies_the_v1_schema(ctx):
    rel = sdi_relation("- v1\n- v2\n")
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel))
    jsonschema.validate(yaml.safe_load(app_data(out, rel)["data"]), SDI_V1_REQUIRES)
    assert yaml.safe_load(app_data(out, rel)["_supported_versions"]) == ["v1"]


def test_sdi_waits_for_istio_pilot_versions(ctx):
    rel = sdi_relation(None)
    out = ctx.run(ctx.on.relation_created(rel), state(rel))
    assert app_data(out, rel) == {"_supported_versions": "- v1\n"}
    assert out.unit_status == testing.WaitingStatus("Waiting for the ingress provider to list its versions")


@pytest.mark.parametrize("garbage", ["{not: a list}", "[unclosed", "- 1\n- 2\n"])
def test_sdi_garbage_versions_wait_without_crashing(ctx, garbage):
    rel = sdi_relation(garbage)
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel))
    assert "data" not in app_data(out, rel)
    assert out.unit_status.name == "waiting"


def test_sdi_incompatible_versions_block(ctx):
    rel = sdi_relation("- v2\n")
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel))
    assert "data" not in app_data(out, rel)
    assert out.unit_status == testing.BlockedStatus(
        "ingress: no compatible version (we speak v1, the provider speaks v2)"
    )


def test_sdi_not_written_by_non_leader(ctx):
    rel = sdi_relation()
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel, leader=False))
    assert app_data(out, rel) == {}
    assert out.unit_status == testing.ActiveStatus()


# ---- istio-ingress-route (ambient) -----------------------------------------------------


class IstioIngressK8s(ops.CharmBase):
    """The provider side as istio-ingress-k8s runs it, through its published library."""

    tls_enabled = False

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.routes = IstioIngressRouteProvider(
            self, "istio-ingress-route", external_host="10.64.140.43", tls_enabled=self.tls_enabled
        )


PROVIDER_META = {
    "name": "istio-ingress-k8s",
    "provides": {"istio-ingress-route": {"interface": "istio_ingress_route"}},
}


def provider_reads(sent: dict[str, str], tls: bool = False):
    """(the config istio-ingress-k8s parses from our databag or None, what it answers in its own)."""
    provider = type("Provider", (IstioIngressK8s,), {"tls_enabled": tls})
    ctx = testing.Context(provider, meta=PROVIDER_META)
    rel = testing.Relation("istio-ingress-route", remote_app_name="feast-ui", remote_app_data=sent)
    with ctx(ctx.on.relation_changed(rel, remote_unit=0), testing.State(leader=True, relations={rel})) as mgr:
        config = mgr.charm.routes.get_config(mgr.charm.model.get_relation("istio-ingress-route"))
        out = mgr.run()
    return config, dict(out.get_relation(rel.id).local_app_data)


def assert_feast_route(config: IstioIngressRouteConfig, port: int) -> None:
    assert config is not None, "istio-ingress-k8s could not parse the route: no route would be created"
    assert config.model == "kubeflow"
    (listener,) = config.listeners
    assert (listener.port, listener.protocol) == (port, ProtocolType.HTTP)
    (route,) = config.http_routes
    assert route.listener == listener
    assert [(b.service, b.port) for b in route.backends] == [("feast-ui", 8888)]
    (match,) = route.matches
    assert (match.path.type.value, match.path.value) == ("PathPrefix", "/feast/")
    (rewrite,) = route.filters
    assert (rewrite.urlRewrite.path.type.value, rewrite.urlRewrite.path.value) == ("ReplacePrefixMatch", "/")
    assert config.grpc_routes == []


def test_route_is_what_istio_ingress_k8s_accepts(ctx):
    rel = route_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel))
    config, _ = provider_reads(app_data(out, rel))
    assert_feast_route(config, port=80)
    assert out.unit_status == testing.ActiveStatus()


def test_with_tls_the_listener_stays_http_on_443_and_the_gateway_serves_https(ctx):
    rel = route_relation()
    first = ctx.run(ctx.on.relation_created(rel), state(rel))
    # the provider's own answer once it has a certificate, fed back to feast-ui
    _, answer = provider_reads(app_data(first, rel), tls=True)
    assert answer == {"external_host": "10.64.140.43", "tls_enabled": "True"}
    rel = route_relation(answer)
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel))
    config, _ = provider_reads(app_data(out, rel), tls=True)
    assert_feast_route(config, port=443)
    assert to_gateway_protocol(config.listeners[0].protocol, tls_enabled=True) == "HTTPS"


def test_an_https_listener_is_refused_by_the_provider():
    """Why feast-ui never sends one: istio-ingress-k8s drops the whole config, and no route exists."""
    sent = IstioIngressRouteConfig(model="kubeflow").model_dump(mode="json")
    sent["listeners"] = [{"port": 443, "protocol": "HTTPS"}]
    import json

    config, _ = provider_reads({"config": json.dumps(sent)}, tls=True)
    assert config is None


def test_route_not_written_by_non_leader(ctx):
    rel = route_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel, leader=False))
    assert app_data(out, rel) == {}


def test_route_broken_leaves_the_unit_active(ctx):
    rel = route_relation()
    out = ctx.run(ctx.on.relation_broken(rel), state(rel))
    assert out.unit_status == testing.ActiveStatus()


# ---- conflict guard --------------------------------------------------------------------


@pytest.mark.parametrize("leader", [True, False])
def test_both_ingress_relations_block_and_send_nothing(ctx, leader):
    sdi, route = sdi_relation(), route_relation()
    out = ctx.run(ctx.on.relation_created(route), state(sdi, route, leader=leader))
    assert out.unit_status == testing.BlockedStatus(CONFLICT)
    assert app_data(out, sdi) == {}
    assert app_data(out, route) == {}


def test_conflict_clears_when_one_is_removed(ctx):
    sdi, route = sdi_relation(), route_relation()
    out = ctx.run(ctx.on.relation_broken(route), state(sdi, route))
    assert out.unit_status == testing.ActiveStatus()
    assert "data" in app_data(out, sdi)


def test_conflict_outranks_configuration_problems(ctx):
    sdi, route = sdi_relation(), route_relation()
    s = testing.State(leader=True, model=MODEL, relations={sdi, route}, containers={container()})
    out = ctx.run(ctx.on.install(), s)
    assert out.unit_status == testing.BlockedStatus(CONFLICT)


def test_conflict_clears_when_sdi_is_removed(ctx):
    sdi, route = sdi_relation(), route_relation()
    out = ctx.run(ctx.on.relation_broken(sdi), state(sdi, route))
    assert out.unit_status == testing.ActiveStatus()
    config, _ = provider_reads(app_data(out, route))
    assert_feast_route(config, port=80)
