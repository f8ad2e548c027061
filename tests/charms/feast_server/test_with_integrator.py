"""feast-server and feast-integrator, each run as itself, with what the other one wrote: the remote-notebook
journey's charm side (the server announces its addresses, the integrator sends it the databases in a secret,
the servers start, notebooks get a configuration pointing at them and holding no password)."""

from __future__ import annotations

from pathlib import Path

import ops
import yaml
from charm_loader import load_charm
from feast_server_helpers import CONFIG_FILE, MODEL, SERVICES, config_relation, container
from ops import testing

integrator = load_charm(
    "feast-integrator", "feast_integrator_charm", Path(__file__).resolve().parents[1] / "feast_integrator"
)
# (importable once load_charm has put the integrator's tests dir on the path)
from feast_integrator_scenario import (
    RELATION_IDS,
    SERVER_ENDPOINTS,
    PostgresAnswer,
    full_state,
    sent_feature_store,
    server_relation,
)

PASSWORD = "only-the-server-knows"


def test_server_addresses_are_what_the_integrator_tests_assume(ctx):
    relation = config_relation()
    out = ctx.run(ctx.on.relation_created(relation),
                  testing.State(leader=True, model=MODEL, relations={relation}, containers={container()}))
    assert dict(out.get_relation(relation.id).local_app_data) == SERVER_ENDPOINTS


def test_remote_notebook_journey_between_the_two_charms(ctx):
    # 1. feast-server's leader announces where it answers
    server_side = config_relation()
    announced = ctx.run(ctx.on.relation_created(server_side),
                        testing.State(leader=True, model=MODEL, relations={server_side}, containers={container()}))
    addresses = dict(announced.get_relation(server_side.id).local_app_data)

    # 2. feast-integrator reads them, sends the server its configuration and notebooks the client one
    integrator_ctx = testing.Context(integrator.FeastIntegratorCharm)
    answers = {name: PostgresAnswer(password=PASSWORD) for name in ("offline-store", "online-store", "registry")}
    state = full_state(answers, server=server_relation(addresses))
    sent = integrator_ctx.run(
        integrator_ctx.on.relation_changed(state.get_relation(RELATION_IDS["feast-server"]), remote_unit=0), state
    )
    notebook = sent_feature_store(sent)
    assert PASSWORD not in yaml.safe_dump(notebook)
    assert notebook["online_store"] == {"type": "remote", "path": addresses["online-url"]}
    assert notebook["registry"]["path"] == addresses["registry-address"]
    databag = dict(sent.get_relation(RELATION_IDS["feast-server"]).local_app_data)
    owned = sent.get_secret(id=databag["server-config-secret"])

    # 3. feast-server reads the secret the integrator granted it and starts its servers on it
    secret = testing.Secret(owned.tracked_content, id=owned.id)
    relation = config_relation(databag, local_app_data=addresses)
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0),
                  testing.State(leader=True, model=MODEL, relations={relation}, secrets={secret},
                                containers={container()}))
    assert out.unit_status == testing.ActiveStatus()
    workload = out.get_container("feast-server")
    assert {workload.service_statuses[name] for name in SERVICES} == {ops.pebble.ServiceStatus.ACTIVE}
    served = yaml.safe_load((workload.get_filesystem(ctx) / CONFIG_FILE).read_text())
    assert served["auth"] == {"type": "kubernetes"}
    assert served["online_store"]["password"] == PASSWORD
    assert served["registry"]["registry_type"] == "sql"
