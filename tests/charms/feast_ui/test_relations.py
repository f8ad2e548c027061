"""Wire data on dashboard-links, ingress (istio-pilot, SDI v1) and istio-ingress-route."""

from __future__ import annotations

import json

import pytest
from feast_ui_helpers import config_relation, container, dashboard_relation, route_relation, sdi_relation
from ops import testing

MODEL = testing.Model(name="kubeflow")
DASHBOARD_LINKS = (
    '[{"text": "Feast", "link": "/feast/", "location": "external", '
    '"icon": "device:data-usage", "type": "item", "desc": ""}]'
)
ROUTE_CONFIG = (
    '{"model":"kubeflow","listeners":[{"port":80,"protocol":"HTTP"}],'
    '"http_routes":[{"name":"http-route","listener":{"port":80,"protocol":"HTTP"},'
    '"backends":[{"service":"feast-ui","port":8888,"weight":null}],"hostnames":null,'
    '"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/feast/"},"method":null}],'
    '"filters":[{"urlRewrite":{"hostname":null,"path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/"}},'
    '"type":"URLRewrite"}]}],"grpc_routes":[]}'
)
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


def test_route_exact_config(ctx):
    rel = route_relation()
    out = ctx.run(ctx.on.relation_created(rel), state(rel))
    assert app_data(out, rel) == {"config": ROUTE_CONFIG}
    assert out.unit_status == testing.ActiveStatus()


def test_route_uses_443_when_gateway_terminates_tls(ctx):
    rel = route_relation({"external_host": "feast.example.com", "tls_enabled": "True"})
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state(rel))
    config = json.loads(app_data(out, rel)["config"])
    assert config["listeners"] == [{"port": 443, "protocol": "HTTPS"}]
    assert config["http_routes"][0]["listener"] == {"port": 443, "protocol": "HTTPS"}


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
    assert app_data(out, route) == {"config": ROUTE_CONFIG}
