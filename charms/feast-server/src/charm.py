#!/usr/bin/env python3
"""feast-server: Feast's online, registry and offline servers, so notebooks need no database password.

Every event runs the same holistic `_reconcile`: read the whole state (config options, trust, the
configuration feast-integrator sends over `feast-configuration`, leadership, the ingress relation) and
converge to it: open the three ports on the application's Service, tell the integrator (leader) where
the servers answer, push feature_store.yaml and the Pebble layer (a content hash in the environment, so
a changed configuration restarts the servers), route the online server through the ingress, and give
the Canonical Observability Stack its scrape job, alert rules, dashboard, log targets and trace receiver. The servers
enforce `auth: {type: kubernetes}`, which needs the cluster credentials Juju gives a trusted application:
without trust nothing runs and the status says so. Status comes from collect-status, which only reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import ops
import server_routes
import server_workload
from charmlibs.interfaces.istio_ingress_route import IstioIngressRouteRequirer
from charms.feast_cos.v0 import feast_monitoring
from charms.feast_cos.v0.observability import Observability
from charms.feast_cos.v0.prometheus_scrape import ScrapeJob
from charms.feast_integrator.v0.feast_server import (
    REQUIRER_ENDPOINT,
    FeastServerInvalidError,
    FeastServerNotReadyError,
    FeastServerRequirer,
)

logger = logging.getLogger(__name__)

CONFIG_RELATION = REQUIRER_ENDPOINT
TRUST_MESSAGE = (
    "Kubernetes authentication needs trust (TokenReview and RBAC reads): run juju trust {app} --scope=cluster"
)
RELATIONS = (CONFIG_RELATION, server_routes.ROUTE_RELATION, *Observability.RELATIONS)


@dataclass
class Assessment:
    """What the servers should run on, and what stops them.

    ``config_text`` is None when the servers cannot run; ``withdraw`` then says whether running servers
    must stop and their configuration go (no relation, the integrator withdrew, no trust, no auth) or
    may keep what they have (a transient problem such as a secret not yet readable).
    """

    config_text: str | None = None
    settings: server_workload.WorkloadSettings | None = None
    statuses: list[ops.StatusBase] = field(default_factory=list)
    withdraw: bool = False


class FeastServerCharm(ops.CharmBase):
    """Runs `feast serve`, `feast serve_registry` and `feast serve_offline` in the feast-server container."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self._configuration = FeastServerRequirer(self, CONFIG_RELATION)
        self._route = IstioIngressRouteRequirer(self, relation_name=server_routes.ROUTE_RELATION)
        # COS: the online server's scrape job with Feast's alert rules, the feature server dashboard,
        # Loki log forwarding, traces (OTEL_* per service in the layer)
        self._cos = Observability(
            self,
            jobs=[ScrapeJob("feast_feature_server", server_workload.ONLINE_PORT, server_workload.METRICS_PATH)],
            monitoring=feast_monitoring.FEATURE_SERVER,
        )
        # What the last reconcile found, for the status collector (which must not redo I/O that moves state).
        self._assessment: Assessment | None = None
        self._start_error: str | None = None

        container = self.on[server_workload.CONTAINER]
        events = [
            self.on.install,
            self.on.start,
            self.on.config_changed,
            self.on.upgrade_charm,
            self.on.leader_elected,
            self.on.update_status,
            self.on.secret_changed,
            container.pebble_ready,
            container.pebble_check_failed,
            container.pebble_check_recovered,
        ]
        for name in RELATIONS:
            relation = self.on[name]
            events += [relation.relation_created, relation.relation_changed, relation.relation_departed,
                       relation.relation_broken]
        for event in events:
            framework.observe(event, self._reconcile)
        framework.observe(self.on.collect_unit_status, self._on_collect_unit_status)

    # ---- reading the state (no writes) -------------------------------------------------

    def _trusted(self) -> bool:
        """Whether Juju gave this application the cluster credentials (`juju trust`)."""
        try:
            self.model.get_cloud_spec()
        except ops.ModelError:
            return False
        return True

    def _assess(self, *, track_latest: bool) -> Assessment:
        assessment = Assessment()
        try:
            assessment.settings = server_workload.parse_config(self.config)
        except server_workload.InvalidConfigError as error:
            assessment.statuses.append(ops.BlockedStatus(f"Invalid {error}"))
        if not self._trusted():
            assessment.statuses.append(ops.BlockedStatus(TRUST_MESSAGE.format(app=self.app.name)))
            assessment.withdraw = True
        text = self._read_configuration(assessment, track_latest=track_latest)
        if text is not None and assessment.settings is not None and not assessment.statuses:
            assessment.config_text = text
        return assessment

    def _read_configuration(self, assessment: Assessment, *, track_latest: bool) -> str | None:
        try:
            relation = self.model.get_relation(CONFIG_RELATION)
        except ops.TooManyRelatedAppsError:
            assessment.statuses.append(ops.BlockedStatus(f"{CONFIG_RELATION} supports one relation; remove the others"))
            assessment.withdraw = True
            return None
        if relation is None:
            assessment.statuses.append(
                ops.BlockedStatus(
                    f"Missing relation: {CONFIG_RELATION}; "
                    f"run juju integrate {self.app.name}:{CONFIG_RELATION} feast-integrator:feast-server"
                )
            )
            assessment.withdraw = True
            return None
        try:
            configuration = self._configuration.get_configuration(track_latest=track_latest)
        except FeastServerNotReadyError as error:
            assessment.statuses.append(ops.WaitingStatus(_sentence(str(error))))
            remote = relation.data[relation.app] if relation.app is not None else {}
            assessment.withdraw = assessment.withdraw or not remote
            return None
        except FeastServerInvalidError as error:
            assessment.statuses.append(ops.BlockedStatus(f"Invalid {CONFIG_RELATION} data: {error}"))
            return None
        if configuration.auth_type != server_routes.AUTH_TYPE:
            assessment.statuses.append(
                ops.BlockedStatus(
                    f"{CONFIG_RELATION} sent auth {configuration.auth_type!r}; "
                    f"the servers run only with auth {server_routes.AUTH_TYPE}"
                )
            )
            assessment.withdraw = True
            return None
        return configuration.feature_store_yaml

    # ---- reconcile -------------------------------------------------------------------

    def _reconcile(self, _event: ops.EventBase) -> None:
        self.unit.set_ports(*server_workload.PORTS)
        if self.unit.is_leader():
            self._configuration.publish_endpoints(server_routes.endpoints(self.app.name, self.model.name))
            if self._route.is_ready():
                self._route.submit_config(
                    server_routes.route_config(self.app.name, self.model.name, self._route.tls_enabled)
                )
        self._cos.publish()
        assessment = self._assess(track_latest=True)
        self._assessment = assessment
        container = self.unit.get_container(server_workload.CONTAINER)
        if not container.can_connect():
            return
        try:
            if assessment.config_text is None:
                if assessment.withdraw:
                    self._withdraw(container)
                return
            self._run(container, assessment.config_text, assessment.settings)
        except ops.pebble.ChangeError as error:
            logger.error("the Feast servers failed to start: %s", error.err)
            self._start_error = "the Feast servers failed to start; see juju debug-log for their output"
        except ops.pebble.ConnectionError as error:
            logger.warning("Pebble went away while configuring the workload: %s", error)

    def _run(self, container: ops.Container, text: str, settings: server_workload.WorkloadSettings) -> None:
        current = (
            container.pull(server_workload.CONFIG_PATH).read()
            if container.exists(server_workload.CONFIG_PATH)
            else None
        )
        if current != text:
            container.push(server_workload.CONFIG_PATH, text, make_dirs=True, permissions=0o600)
        environments = {
            server.service: self._cos.workload_environment(f"{self.app.name}-{server.role}")
            for server in server_workload.SERVERS
        }
        layer = server_workload.pebble_layer(
            text, settings, environments=environments, log_targets=self._cos.log_targets(container)
        )
        container.add_layer(server_workload.LAYER, layer, combine=True)
        container.replan()

    def _withdraw(self, container: ops.Container) -> None:
        """Nothing may run: stop the servers and remove the credentials."""
        running = [
            name for name, info in container.get_services(*server_workload.SERVICES).items() if info.is_running()
        ]
        if running:
            container.stop(*running)
        if container.exists(server_workload.CONFIG_PATH):
            container.remove_path(server_workload.CONFIG_PATH)

    # ---- status (no side effects) -------------------------------------------------------

    def _on_collect_unit_status(self, event: ops.CollectStatusEvent) -> None:
        assessment = self._assessment or self._assess(track_latest=False)
        # a dashboard or rule set COS refused does not stop the servers: say so while they are active
        rejected = self._cos.rejections()
        event.add_status(ops.ActiveStatus(rejected[0] if rejected else ""))
        for status in assessment.statuses:
            event.add_status(status)
        if assessment.config_text is None:
            return
        for status in self._workload_statuses():
            event.add_status(status)

    def _workload_statuses(self) -> list[ops.StatusBase]:
        container = self.unit.get_container(server_workload.CONTAINER)
        if not container.can_connect():
            return [ops.WaitingStatus(f"Waiting for Pebble in the {server_workload.CONTAINER} container")]
        if self._start_error:
            return [ops.BlockedStatus(self._start_error)]
        services = container.get_services(*server_workload.SERVICES)
        stopped = [
            server.what
            for server in server_workload.SERVERS
            if server.service not in services or not services[server.service].is_running()
        ]
        if stopped:
            return [ops.WaitingStatus(f"Waiting for the {', '.join(stopped)} to start")]
        checks = container.get_checks(*(server.check for server in server_workload.SERVERS))
        failing = [
            server.what
            for server in server_workload.SERVERS
            if server.check in checks and checks[server.check].status == ops.pebble.CheckStatus.DOWN
        ]
        if failing:
            return [
                ops.WaitingStatus(
                    f"Health check failing for the {', '.join(failing)}; are the databases reachable?"
                )
            ]
        return []


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


if __name__ == "__main__":  # pragma: nocover
    ops.main(FeastServerCharm)
