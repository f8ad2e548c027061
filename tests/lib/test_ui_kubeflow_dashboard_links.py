"""charms.feast_ui.v0.kubeflow_dashboard_links, with a toy charm."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ops
import pytest
from ops import testing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))

from charms.feast_ui.v0 import kubeflow_dashboard_links as lib

META = {"name": "toy", "requires": {"links": {"interface": "kubeflow_dashboard_links"}}}
LINKS = [
    lib.DashboardLink(text="Docs", link="/docs/", location="documentation", icon="book", desc="Read me"),
    lib.DashboardLink(text="App", link="/app/", location="menu"),
]


class ToyCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        self.links = lib.DashboardLinksRequirer(self, "links")
        framework.observe(self.on.links_relation_created, self._on_created)

    def _on_created(self, _):
        self.links.publish(LINKS)


def run(leader: bool, *relations):
    ctx = testing.Context(ToyCharm, meta=META)
    return ctx.run(
        ctx.on.relation_created(relations[0]), testing.State(leader=leader, relations=set(relations))
    )


def test_leader_publishes_exact_json_on_every_relation():
    a = testing.Relation("links", remote_app_name="kubeflow-dashboard")
    b = testing.Relation("links", remote_app_name="other-dashboard")
    out = run(True, a, b)
    expected = (
        '[{"text": "Docs", "link": "/docs/", "location": "documentation", "icon": "book", "type": "item", '
        '"desc": "Read me"}, {"text": "App", "link": "/app/", "location": "menu", "icon": "icon", '
        '"type": "item", "desc": ""}]'
    )
    assert out.get_relation(a.id).local_app_data == {"dashboard_links": expected}
    assert out.get_relation(b.id).local_app_data == {"dashboard_links": expected}


def test_non_leader_writes_nothing():
    rel = testing.Relation("links")
    assert run(False, rel).get_relation(rel.id).local_app_data == {}


@pytest.mark.parametrize("location", ["sidebar", "", "External"])
def test_invalid_location_rejected(location):
    with pytest.raises(lib.InvalidDashboardLinkError):
        lib.DashboardLink(text="x", link="/x/", location=location)


def test_round_trip():
    assert lib.decode_links(lib.encode_links(LINKS)) == LINKS


@pytest.mark.parametrize(
    "raw", ["nope", "{}", "[1]", json.dumps([{"text": "x", "link": "/", "location": "menu", "x": 1}])]
)
def test_decode_rejects_garbage(raw):
    with pytest.raises(lib.InvalidDashboardLinkError):
        lib.decode_links(raw)


def test_headers():
    assert lib.LIBAPI == 0 and lib.LIBPATCH >= 1 and len(lib.LIBID) == 32
