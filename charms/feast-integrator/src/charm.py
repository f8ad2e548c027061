#!/usr/bin/env python3
"""feast-integrator: turns three PostgreSQL relations into one shared feature_store.yaml.

Every event runs the same holistic `_reconcile`: read the whole state (config, database relations
and their secrets, which relations exist, leadership) and converge what this app publishes:

* `secrets`: the Kubernetes Secret `feature-store-yaml` (JSON manifest for resource-dispatcher);
* `pod-defaults`: the PodDefault `<app>-access-feast`, only while the Secret can be sent too;
* `feast-configuration`: the direct feature_store.yaml (feast-ui reads the registry database itself: it
  runs in this model, and its credentials stay in a Juju secret), inside a Juju secret granted to the relation;
* `feast-server`: feast-server's own feature_store.yaml (the databases and the `auth` block it announced),
  in a Juju secret granted to the relation.

What notebooks receive follows the `notebook-configuration` option: the direct feature_store.yaml, or the
client form pointing at feast-server's addresses, which holds no database password (`auto`: the client
form while a feast-server is related).

When the feature store cannot be configured (a database relation missing, broken or incomplete,
or invalid config) everything is withdrawn. Status comes from collect-status, which only reads.
"""

from __future__ import annotations

import logging

import ops
from charms.feast_integrator.v0.feast_server import FeastServerConfiguration, FeastServerProvider
from charms.feast_integrator.v0.feast_store_configuration import (
    FeastStoreConfiguration,
    FeastStoreConfigurationProvider,
)
from charms.feast_integrator.v0.kubernetes_manifests import KubernetesManifestsRequirer
from charms.feast_integrator.v0.postgresql_client import PostgreSQLRequirer
from integrator.assessment import (
    DATABASE_ENDPOINTS,
    FEAST_CONFIGURATION,
    FEAST_SERVER,
    POD_DEFAULTS,
    SECRETS,
    Assessment,
    assess,
)
from integrator.charm_config import REMOTE
from integrator.feature_store import client_document, dump, feature_store_document, server_document
from integrator.manifests import access_feast_pod_default, feature_store_secret

logger = logging.getLogger(__name__)

DATABASE_NAMES = {
    "offline-store": "offline_store",
    "online-store": "online_store",
    "registry": "registry",
}
ALL_ENDPOINTS = (*DATABASE_ENDPOINTS, SECRETS, POD_DEFAULTS, FEAST_CONFIGURATION, FEAST_SERVER)


class FeastIntegratorCharm(ops.CharmBase):
    """Publishes the Feast configuration built from the database relations."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.databases = {
            endpoint: PostgreSQLRequirer(self, endpoint, database_name=DATABASE_NAMES[endpoint])
            for endpoint in DATABASE_ENDPOINTS
        }
        self.secret_manifests = KubernetesManifestsRequirer(self, SECRETS)
        self.pod_default_manifests = KubernetesManifestsRequirer(self, POD_DEFAULTS)
        self.configuration_provider = FeastStoreConfigurationProvider(self, FEAST_CONFIGURATION)
        self.server_provider = FeastServerProvider(self, FEAST_SERVER)

        for event in (
            self.on.install,
            self.on.config_changed,
            self.on.upgrade_charm,
            self.on.leader_elected,
            self.on.update_status,
            self.on.secret_changed,
        ):
            framework.observe(event, self._reconcile)
        for endpoint in ALL_ENDPOINTS:
            framework.observe(self.on[endpoint].relation_created, self._reconcile)
            framework.observe(self.on[endpoint].relation_changed, self._reconcile)
            framework.observe(self.on[endpoint].relation_broken, self._reconcile)
        framework.observe(self.on.secret_remove, self._on_secret_remove)
        framework.observe(self.on.collect_unit_status, self._on_collect_unit_status)

    def _assess(self) -> Assessment:
        related = {endpoint for endpoint in ALL_ENDPOINTS if self.model.relations[endpoint]}
        return assess(self.config, self.databases, related, self.server_provider)

    def _reconcile(self, _event: ops.EventBase) -> None:
        if not self.unit.is_leader():
            return
        for database in self.databases.values():
            database.request_database()
            database.track_latest_secrets()

        assessment = self._assess()
        settings = assessment.settings
        if settings is None:
            self.secret_manifests.withdraw()
            self.pod_default_manifests.withdraw()
            self.configuration_provider.withdraw()
            self.server_provider.withdraw()
            return

        direct_yaml = dump(feature_store_document(settings))
        self.configuration_provider.publish(
            FeastStoreConfiguration(project=settings.project, feature_store_yaml=direct_yaml)
        )
        if assessment.server is not None:
            self.server_provider.publish(
                FeastServerConfiguration(
                    project=settings.project,
                    feature_store_yaml=dump(server_document(settings, assessment.server.auth_type)),
                )
            )
        else:
            self.server_provider.withdraw()

        if assessment.notebooks is None:
            # Remote notebooks are wanted but feast-server has not said where it answers: send nothing
            # rather than the database passwords.
            self.secret_manifests.withdraw()
            self.pod_default_manifests.withdraw()
            return
        notebook_yaml = direct_yaml
        if assessment.notebooks == REMOTE:
            notebook_yaml = dump(
                client_document(settings.project, settings.registry_cache_ttl_seconds, assessment.server)
            )
        self.secret_manifests.send([feature_store_secret(notebook_yaml)])
        if self.model.relations[SECRETS]:
            self.pod_default_manifests.send([access_feast_pod_default(self.app.name)])
        else:
            # A PodDefault mounting a Secret nobody dispatches would break notebook pods.
            self.pod_default_manifests.withdraw()

    def _on_secret_remove(self, event: ops.SecretRemoveEvent) -> None:
        """Drop revisions of our own secret that no consumer tracks any more."""
        if event.secret.label in (self.configuration_provider.secret_label, self.server_provider.secret_label):
            event.remove_revision()

    def _on_collect_unit_status(self, event: ops.CollectStatusEvent) -> None:
        event.add_status(self._assess().unit_status(self.unit.is_leader()))


if __name__ == "__main__":  # pragma: nocover
    ops.main(FeastIntegratorCharm)
