#!/usr/bin/env python3
"""feast-integrator: turns three PostgreSQL relations into one shared feature_store.yaml.

Every event runs the same holistic `_reconcile`: read the whole state (config, database relations
and their secrets, which relations exist, leadership) and converge what this app publishes:

* `secrets`: the Kubernetes Secret `feature-store-yaml` (JSON manifest for resource-dispatcher);
* `pod-defaults`: the PodDefault `<app>-access-feast`, only while the Secret can be sent too;
* `feast-configuration`: the same feature_store.yaml, inside a Juju secret granted to the relation.

When the feature store cannot be configured (a database relation missing, broken or incomplete,
or invalid config) everything is withdrawn. Status comes from collect-status, which only reads.
"""

from __future__ import annotations

import logging

import ops
from charms.feast_integrator.v0.feast_store_configuration import (
    FeastStoreConfiguration,
    FeastStoreConfigurationProvider,
)
from charms.feast_integrator.v0.kubernetes_manifests import KubernetesManifestsRequirer
from charms.feast_integrator.v0.postgresql_client import PostgreSQLRequirer
from integrator.assessment import (
    DATABASE_ENDPOINTS,
    FEAST_CONFIGURATION,
    POD_DEFAULTS,
    SECRETS,
    Assessment,
    assess,
)
from integrator.feature_store import render_feature_store_yaml
from integrator.manifests import access_feast_pod_default, feature_store_secret

logger = logging.getLogger(__name__)

DATABASE_NAMES = {
    "offline-store": "offline_store",
    "online-store": "online_store",
    "registry": "registry",
}
ALL_ENDPOINTS = (*DATABASE_ENDPOINTS, SECRETS, POD_DEFAULTS, FEAST_CONFIGURATION)


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
        return assess(self.config, self.databases, related)

    def _reconcile(self, _event: ops.EventBase) -> None:
        if not self.unit.is_leader():
            return
        for database in self.databases.values():
            database.request_database()
            database.track_latest_secrets()

        settings = self._assess().settings
        if settings is None:
            self.secret_manifests.withdraw()
            self.pod_default_manifests.withdraw()
            self.configuration_provider.withdraw()
            return

        feature_store_yaml = render_feature_store_yaml(settings)
        self.secret_manifests.send([feature_store_secret(feature_store_yaml)])
        if self.model.relations[SECRETS]:
            self.pod_default_manifests.send([access_feast_pod_default(self.app.name)])
        else:
            # A PodDefault mounting a Secret nobody dispatches would break notebook pods.
            self.pod_default_manifests.withdraw()
        self.configuration_provider.publish(
            FeastStoreConfiguration(project=settings.project, feature_store_yaml=feature_store_yaml)
        )

    def _on_secret_remove(self, event: ops.SecretRemoveEvent) -> None:
        """Drop revisions of our own secret that no consumer tracks any more."""
        if event.secret.label == self.configuration_provider.secret_label:
            event.remove_revision()

    def _on_collect_unit_status(self, event: ops.CollectStatusEvent) -> None:
        event.add_status(self._assess().unit_status(self.unit.is_leader()))


if __name__ == "__main__":  # pragma: nocover
    ops.main(FeastIntegratorCharm)
