"""Run one charm event from a packed charm tree, with nothing but that tree on the import path.

Started by test_packed_charms.py as
``python -I -S packed_runner.py <unpacked charm> <dir holding only ops-scenario> <case>``
with the Python the charm's venv was built for. The import path is what the charm's ``dispatch``
gives it (``src/``, then ``PYTHONPATH=lib:venv``) plus ops-scenario, which plays Juju; no site
packages of this repository's venv are visible, so a library missing from the packed tree fails
here as it would in a real unit. Prints one JSON object: what the run produced and where every
imported module came from.
"""

from __future__ import annotations

import json
import sys
import sysconfig
from pathlib import Path

CHARM_ROOT = Path(sys.argv[1]).resolve()
SCENARIO_DIR = Path(sys.argv[2]).resolve()
CASE = sys.argv[3]
TESTS = Path(__file__).resolve().parents[1]  # relation data builders shaped like the real peers

sys.path[:0] = [
    str(CHARM_ROOT / "src"),
    str(CHARM_ROOT / "lib"),
    str(CHARM_ROOT / "venv"),
    str(SCENARIO_DIR),
    str(TESTS),
    str(TESTS / "feast_integrator"),
    str(TESTS / "feast_ui"),
    str(TESTS / "feast_server"),
]

import importlib.util

import ops
from ops import testing


def load_charm_module():
    spec = importlib.util.spec_from_file_location("packed_charm", CHARM_ROOT / "src" / "charm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["packed_charm"] = module
    spec.loader.exec_module(module)
    return module


def charm_class(module):
    return next(
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ops.CharmBase) and value is not ops.CharmBase
    )


def status(state) -> list[str]:
    return [state.unit_status.name, state.unit_status.message]


def integrator_without_relations(ctx):
    out = ctx.run(ctx.on.install(), testing.State(leader=True))
    return {"status": status(out)}


def integrator_fully_related(ctx):
    from feast_integrator_scenario import full_state, sent_feature_store, sent_manifests

    out = ctx.run(ctx.on.update_status(), full_state())
    return {
        "status": status(out),
        "sent_kinds": [m["kind"] for m in sent_manifests(out, "secrets") + sent_manifests(out, "pod-defaults")],
        "offline_sslmode": sent_feature_store(out)["offline_store"]["sslmode"],
    }


def ui_configured(ctx):
    from feast_ui_helpers import config_relation, container

    secret = testing.Secret({"feature-store-yaml": "project: packed\nprovider: local\n"})
    relation = config_relation({"feature-store-secret": secret.id, "project": "packed"})
    state = testing.State(leader=True, relations={relation}, secrets={secret}, containers={container()})
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)
    workload = out.get_container("feast-ui")
    return {
        "status": status(out),
        "service": workload.service_statuses["feast-ui"].value,
        "command": workload.plan.services["feast-ui"].command,
    }


def ui_ambient(ctx):
    """Ambient mode with the packed pydantic, lightkube and published interface libraries."""
    import os
    import tempfile

    from charmlibs.interfaces.istio_ingress_route import IstioIngressRouteConfig
    from feast_ui_helpers import (
        TRUSTED_MODEL,
        add_juju_app_objects,
        beacon_answer,
        config_relation,
        container,
    )
    from kube_double import KubeApiDouble

    route = testing.Relation("istio-ingress-route", remote_app_name="istio-ingress-k8s")
    mesh = testing.Relation("service-mesh", remote_app_name="istio-beacon-k8s", remote_app_data=beacon_answer())
    state = testing.State(leader=True, model=TRUSTED_MODEL, relations={config_relation(), route, mesh},
                          containers={container()})
    with KubeApiDouble() as kube, tempfile.TemporaryDirectory() as tmp:
        add_juju_app_objects(kube)
        os.environ["KUBECONFIG"] = str(kube.kubeconfig(Path(tmp) / "kubeconfig", "kubeflow"))
        out = ctx.run(ctx.on.relation_changed(mesh, remote_unit=0), state)
        labels = kube.get("kubeflow", "statefulsets", "feast-ui")["spec"]["template"]["metadata"]["labels"]
    config = IstioIngressRouteConfig.model_validate_json(out.get_relation(route.id).local_app_data["config"])
    return {
        "status": status(out),
        "pod_labels": labels,
        "listeners": [[listener.port, listener.protocol.value] for listener in config.listeners],
    }


def ui_cos(ctx):
    """Every COS relation, with cosl, pydantic and the tracing library from the packed venv."""
    from cos_peers import (
        collector_answer,
        grafana_relation,
        loki_relation,
        prometheus_relation,
        tracing_relation,
    )
    from feast_ui_helpers import config_relation, container

    tracing = tracing_relation(collector_answer({"receivers": json.dumps(["otlp_http"])}))
    relations = {config_relation(), prometheus_relation(), grafana_relation(), loki_relation(), tracing}
    out = ctx.run(ctx.on.update_status(), testing.State(leader=True, relations=relations, containers={container()}))
    plan = out.get_container("feast-ui").plan.to_dict()
    local = {rel.endpoint: dict(out.get_relation(rel.id).local_app_data) for rel in relations}
    return {
        "status": status(out),
        "scrape_jobs": json.loads(local["metrics-endpoint"]["scrape_jobs"]),
        "dashboards": sorted(json.loads(local["grafana-dashboard"]["dashboards"])["templates"]),
        "log_targets": sorted(plan.get("log-targets", {})),
        "otel_endpoint": plan["services"]["feast-ui"]["environment"].get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    }


def server_configured(ctx):
    """feast-server with feast-integrator's configuration (written by the packed feast_server library)."""
    from feast_server_helpers import SERVICES, configured_state

    state, relation = configured_state()
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)
    workload = out.get_container("feast-server")
    return {
        "status": status(out),
        "services": {name: workload.service_statuses[name].value for name in SERVICES},
        "commands": [workload.plan.services[name].command for name in SERVICES],
        "ports": sorted(port.port for port in out.opened_ports),
        "published": dict(out.get_relation(relation.id).local_app_data),
    }


def server_cos(ctx):
    """feast-server with every COS relation, cosl and the tracing library from its packed venv."""
    from cos_peers import (
        collector_answer,
        grafana_relation,
        loki_relation,
        prometheus_relation,
        tracing_relation,
    )
    from feast_server_helpers import SERVICES, configured_state

    tracing = tracing_relation(collector_answer({"receivers": json.dumps(["otlp_http"])}))
    cos = [prometheus_relation(), grafana_relation(), loki_relation(), tracing]
    state, _ = configured_state(extra_relations=cos)
    out = ctx.run(ctx.on.update_status(), state)
    plan = out.get_container("feast-server").plan.to_dict()
    local = {rel.endpoint: dict(out.get_relation(rel.id).local_app_data) for rel in cos}
    return {
        "status": status(out),
        "scrape_jobs": json.loads(local["metrics-endpoint"]["scrape_jobs"]),
        "dashboards": sorted(json.loads(local["grafana-dashboard"]["dashboards"])["templates"]),
        "log_targets": sorted(plan.get("log-targets", {})),
        "otel_services": [plan["services"][name]["environment"].get("OTEL_SERVICE_NAME") for name in SERVICES],
    }


CASES = {
    "integrator-without-relations": integrator_without_relations,
    "integrator-fully-related": integrator_fully_related,
    "ui-configured": ui_configured,
    "ui-ambient": ui_ambient,
    "ui-cos": ui_cos,
    "server-configured": server_configured,
    "server-cos": server_cos,
}


def origins() -> dict[str, str]:
    """Where each imported module's file lives: charm, scenario, tests or stdlib (else the path)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    places = {
        "charm": CHARM_ROOT,
        "scenario": (SCENARIO_DIR / "scenario").resolve(),
        "tests": TESTS,
        "stdlib": stdlib,
    }
    found = {}
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        resolved = Path(path).resolve()
        found[name] = next(
            (label for label, root in places.items() if resolved.is_relative_to(root)), str(resolved)
        )
    return found


def main() -> None:
    module = load_charm_module()
    # metadata.yaml and config.yaml are read from the packed tree, as charmcraft generated them
    ctx = testing.Context(charm_class(module), app_trusted=True)  # deployed with --trust
    result = CASES[CASE](ctx)
    result["python"] = list(sys.version_info[:2])
    result["ops_version"] = ops.__version__
    result["origins"] = origins()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
