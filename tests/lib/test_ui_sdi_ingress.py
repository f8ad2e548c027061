"""charms.feast_ui.v0.sdi_ingress, with a toy charm, against istio-pilot's side of the protocol."""

from __future__ import annotations

import sys
from pathlib import Path

import ops
import pytest
import yaml
from ops import testing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))

from charms.feast_ui.v0 import sdi_ingress as lib

META = {"name": "toy", "requires": {"ingress": {"interface": "ingress"}}}
REQUEST = lib.IngressRequest(service="toy", port=8080, prefix="/toy/", rewrite="/", namespace="ns")


class ToyCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        self.ingress = lib.SdiIngressRequirer(self, "ingress")
        framework.observe(self.on.ingress_relation_changed, self._on_changed)
        framework.observe(self.on.collect_unit_status, self._on_status)

    def _on_changed(self, _):
        self.ingress.submit(REQUEST)

    def _on_status(self, event):
        problem = self.ingress.problem()
        if problem is None:
            event.add_status(ops.ActiveStatus())
        else:
            kind, message = problem
            event.add_status(ops.BlockedStatus(message) if kind == "blocked" else ops.WaitingStatus(message))


def run(remote: dict, leader: bool = True):
    ctx = testing.Context(ToyCharm, meta=META)
    rel = testing.Relation("ingress", remote_app_name="istio-pilot", remote_app_data=remote)
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), testing.State(leader=leader, relations={rel}))
    return out, out.get_relation(rel.id).local_app_data


def test_negotiated_v1_sends_sorted_yaml():
    out, data = run({"_supported_versions": "- v1\n- v2\n"})
    assert data == {
        "_supported_versions": "- v1\n",
        "data": "namespace: ns\nport: 8080\nprefix: /toy/\nrewrite: /\nservice: toy\n",
    }
    assert out.unit_status == testing.ActiveStatus()


def test_data_satisfies_the_v1_schema_requirements():
    data = yaml.safe_load(REQUEST.to_data())
    assert {"service", "port", "prefix"} <= set(data)
    assert isinstance(data["port"], int)


def test_optional_fields_are_omitted():
    assert (
        lib.IngressRequest(service="s", port=80, prefix="/s/").to_data()
        == "port: 80\nprefix: /s/\nservice: s\n"
    )


def test_no_remote_versions_waits_and_sends_only_ours():
    out, data = run({})
    assert data == {"_supported_versions": "- v1\n"}
    assert out.unit_status.name == "waiting"


def test_incompatible_versions_block():
    out, data = run({"_supported_versions": "- v3\n"})
    assert "data" not in data
    assert out.unit_status.name == "blocked"


def test_non_leader_writes_nothing_but_reports():
    out, data = run({"_supported_versions": "- v1\n"}, leader=False)
    assert data == {}
    assert out.unit_status == testing.ActiveStatus()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"service": "", "port": 80, "prefix": "/x/"},
        {"service": "s", "port": 0, "prefix": "/x/"},
        {"service": "s", "port": "80", "prefix": "/x/"},
        {"service": "s", "port": True, "prefix": "/x/"},
        {"service": "s", "port": 80, "prefix": "x/"},
    ],
)
def test_invalid_requests_rejected(kwargs):
    with pytest.raises(lib.InvalidIngressRequestError):
        lib.IngressRequest(**kwargs)


@pytest.mark.parametrize(
    "raw, expected", [("- v1\n", ["v1"]), ("", None), (None, None), ("[x", None), ("a: b", None)]
)
def test_parse_versions(raw, expected):
    assert lib.parse_versions(raw) == expected
