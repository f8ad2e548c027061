"""Our postgresql_client requirer against the data-platform team's own provider (dpcharmlibs-interfaces).

Why the requirer stays ours: dpcharmlibs' requirer always speaks data_interfaces v1 (one `requests`
list in the databag), which postgresql-k8s 14/stable, still on the v0 library, does not read. Its
provider, though, answers v0 requirers exactly as the v0 library does, so it is the provider's own
model to test against: what our requirer writes is what the provider accepts as a request for a
database, and what the provider writes (databag and Juju secrets) is what our requirer reads back.
"""

from __future__ import annotations

import dataclasses
import warnings

import ops
import pytest
from charms.feast_integrator.v0.postgresql_client import PostgreSQLRequirer
from ops import testing

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pydantic warns about the library's own Field() use
    from dpcharmlibs.interfaces import (
        RequirerCommonModel,
        ResourceProviderEventHandler,
        ResourceProviderModel,
    )

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CA = "-----BEGIN CERTIFICATE-----\nMIIBprovider\n-----END CERTIFICATE-----\n"
PRIMARY = "feast-registry-primary.kubeflow.svc.cluster.local:5432"
REPLICAS = "feast-registry-replicas.kubeflow.svc.cluster.local:5432"


class PostgresqlK8s(ops.CharmBase):
    """The `database` endpoint as postgresql-k8s serves it, with the published provider library."""

    tls = False

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.database = ResourceProviderEventHandler(self, "database", RequirerCommonModel)
        framework.observe(self.database.on.resource_requested, self._on_resource_requested)

    def _on_resource_requested(self, event) -> None:
        user = f"relation_id_{event.relation.id}"
        database = event.request.resource
        self.database.set_response(
            event.relation.id,
            ResourceProviderModel(
                resource=database,
                username=user,
                password="Pw:from@provider/1",
                uris=f"postgresql://{user}:x@{PRIMARY}/{database}",
                endpoints=PRIMARY,
                read_only_endpoints=REPLICAS,
                tls=self.tls,
                tls_ca=CA if self.tls else None,
                version="14.15",
            ),
        )


class FeastIntegratorSide(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.db = PostgreSQLRequirer(self, "registry", database_name="registry")
        framework.observe(self.on.registry_relation_created, self._on_created)

    def _on_created(self, _event: ops.RelationCreatedEvent) -> None:
        self.db.request_database()


PROVIDER_META = {"name": "feast-registry", "provides": {"database": {"interface": "postgresql_client"}}}
REQUIRER_META = {"name": "feast-integrator", "requires": {"registry": {"interface": "postgresql_client"}}}


def round_trip(tls: bool):
    """Requirer asks, provider answers, requirer reads: each side run by its own library."""
    requirer = testing.Context(FeastIntegratorSide, meta=REQUIRER_META)
    ours = testing.Relation("registry", interface="postgresql_client", remote_app_name="feast-registry", id=13)
    asked = requirer.run(requirer.on.relation_created(ours), testing.State(leader=True, relations={ours}))
    request = dict(asked.get_relation(13).local_app_data)

    provider = testing.Context(type("Provider", (PostgresqlK8s,), {"tls": tls}), meta=PROVIDER_META)
    theirs = testing.Relation(
        "database", interface="postgresql_client", remote_app_name="feast-integrator", id=13,
        remote_app_data=request,
    )
    answered = provider.run(
        provider.on.relation_changed(theirs, remote_unit=0), testing.State(leader=True, relations={theirs})
    )
    answer = dict(answered.get_relation(13).local_app_data)
    # the provider's secrets, as the requirer sees them once granted: owned by the other app
    shared = [dataclasses.replace(s, owner=None, label=None) for s in answered.secrets if 13 in s.remote_grants]

    heard = dataclasses.replace(ours, remote_app_data=answer, local_app_data=request)
    with requirer(
        requirer.on.relation_changed(heard, remote_unit=0),
        testing.State(leader=True, relations={heard}, secrets=shared),
    ) as mgr:
        connection = mgr.charm.db.get_connection()
        mgr.run()
    return request, answer, connection


def test_the_provider_takes_our_request_for_the_registry_database():
    request, answer, _ = round_trip(tls=False)
    assert request["database"] == "registry"
    assert answer["database"] == "registry"
    assert answer["endpoints"] == PRIMARY
    # credentials travel in Juju secrets, because our request lists them as secret fields
    assert answer["secret-user"].startswith("secret:")
    assert "password" not in answer and "username" not in answer


@pytest.mark.parametrize("tls", [False, True])
def test_we_read_back_what_the_provider_published(tls):
    _, answer, connection = round_trip(tls=tls)
    assert (connection.host, connection.port) == ("feast-registry-primary.kubeflow.svc.cluster.local", 5432)
    assert connection.database == "registry"
    assert connection.username == "relation_id_13"
    assert connection.password == "Pw:from@provider/1"
    assert connection.tls is tls
    assert connection.tls_ca == (CA if tls else None)
    assert connection.version == "14.15"
