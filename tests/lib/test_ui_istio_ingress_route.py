"""charms.feast_ui.v0.istio_ingress_route, with a toy charm."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ops
import pytest
from ops import testing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))

from charms.feast_ui.v0 import istio_ingress_route as lib

META = {"name": "toy", "requires": {"route": {"interface": "istio_ingress_route", "limit": 1}}}


def config(model="m", tls=False):
    listener = lib.Listener(443, "HTTPS") if tls else lib.Listener(80)
    route = lib.HttpRoute(
        name="r",
        listener=listener,
        backends=(lib.Backend("svc", 9000),),
        matches=(lib.PathPrefixMatch("/svc/"),),
        filters=(lib.PrefixRewrite("/"),),
    )
    return lib.IngressRouteConfig(model=model, http_routes=(route,))


class ToyCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        self.route = lib.IstioIngressRouteRequirer(self, "route")
        framework.observe(self.on.route_relation_changed, self._on_changed)

    def _on_changed(self, _):
        self.route.submit(config(self.model.name, self.route.tls_enabled))


def run(remote=None, leader=True):
    ctx = testing.Context(ToyCharm, meta=META)
    rel = testing.Relation("route", remote_app_name="istio-ingress-k8s", remote_app_data=remote or {})
    state = testing.State(leader=leader, relations={rel}, model=testing.Model(name="m"))
    with ctx(ctx.on.relation_changed(rel, remote_unit=0), state) as mgr:
        out = mgr.run()
        route = mgr.charm.route
        seen = (route.is_ready(), route.external_host, route.tls_enabled)
    return out.get_relation(rel.id).local_app_data, seen


def test_exact_json():
    data, _ = run()
    assert data == {
        "config": '{"model":"m","listeners":[{"port":80,"protocol":"HTTP"}],"http_routes":[{"name":"r",'
        '"listener":{"port":80,"protocol":"HTTP"},"backends":[{"service":"svc","port":9000,"weight":null}],'
        '"hostnames":null,"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/svc/"},'
        '"method":null}],"filters":[{"urlRewrite":{"hostname":null,"path":{"type":"ReplacePrefixMatch",'
        '"replacePrefixMatch":"/"}},"type":"URLRewrite"}]}],"grpc_routes":[]}'
    }


def test_provider_answer_is_read():
    data, seen = run({"external_host": "h.example", "tls_enabled": "True"})
    assert seen == (True, "h.example", True)
    assert json.loads(data["config"])["listeners"] == [{"port": 443, "protocol": "HTTPS"}]


def test_non_leader_writes_nothing():
    data, seen = run(leader=False)
    assert data == {}
    assert seen == (True, None, False)


def test_listeners_are_derived_once_per_distinct_listener():
    a = lib.HttpRoute("a", lib.Listener(80), (lib.Backend("s", 1),))
    b = lib.HttpRoute("b", lib.Listener(80), (lib.Backend("s", 2),))
    assert lib.IngressRouteConfig("m", (a, b)).listeners == (lib.Listener(80),)


def test_undeclared_listener_rejected():
    a = lib.HttpRoute("a", lib.Listener(8080), (lib.Backend("s", 1),))
    with pytest.raises(lib.InvalidRouteError):
        lib.IngressRouteConfig("m", (a,), listeners=(lib.Listener(80),))


@pytest.mark.parametrize("port, protocol", [(0, "HTTP"), (80, "TCP")])
def test_invalid_listener_rejected(port, protocol):
    with pytest.raises(lib.InvalidRouteError):
        lib.Listener(port, protocol)
