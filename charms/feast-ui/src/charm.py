#!/usr/bin/env python3
"""Charm for the Feast web UI (`feast ui`), configured over ``feast-configuration``."""

from __future__ import annotations

import json
import logging

import ops
import ui_mesh
import ui_routes
import ui_store_config
import ui_workload
from charmlibs.interfaces.istio_ingress_route import IstioIngressRouteRequirer
from charmlibs.interfaces.service_mesh import ServiceMeshConsumer
from charms.feast_cos.v0 import feast_monitoring
from charms.feast_cos.v0.observability import Observability
from charms.feast_cos.v0.prometheus_scrape import ScrapeJob
from charms.feast_integrator.v0.feast_store_configuration import FeastStoreConfigurationRequirer
from charms.feast_ui.v0.kubeflow_dashboard_links import DashboardLinksRequirer
from charms.feast_ui.v0.sdi_ingress import SdiIngressRequirer

logger = logging.getLogger(__name__)

RELATIONS = (
    ui_store_config.RELATION,
    ui_routes.DASHBOARD_RELATION,
    ui_routes.SDI_RELATION,
    ui_routes.ROUTE_RELATION,
    ui_mesh.RELATION,
    *Observability.RELATIONS,
)


class FeastUICharm(ops.CharmBase):
    """Runs the UI in the ``feast-ui`` container; every event converges to the same state."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        # The mesh's labels this unit last applied (JSON), so they are set or removed once, not every hook.
        self._stored.set_default(mesh_labels="{}")
        self._feast_config = FeastStoreConfigurationRequirer(self, ui_store_config.RELATION)
        self._links = DashboardLinksRequirer(self, ui_routes.DASHBOARD_RELATION)
        self._sdi = SdiIngressRequirer(self, ui_routes.SDI_RELATION)
        self._route = IstioIngressRouteRequirer(self, relation_name=ui_routes.ROUTE_RELATION)
        # The library writes our (empty) policies and cross-model data; joining the mesh (labels
        # on our pods, which needs trust) is done by the reconcile, so a missing trust is a status.
        self._mesh = ServiceMeshConsumer(self, mesh_relation_name=ui_mesh.RELATION, auto_join=False)
        # COS: scrape job and alert rules, dashboard, Loki log forwarding, traces (OTEL_* in the layer)
        self._cos = Observability(
            self,
            jobs=[ScrapeJob("feast_ui", ui_workload.PORT, ui_workload.METRICS_PATH)],
            monitoring=feast_monitoring.UI,
        )
        # What the last reconcile found; read by the status collector, which must not redo I/O.
        self._config_problem: ui_store_config.ConfigUnavailable | None = None
        self._start_error: str | None = None
        self._mesh_problem: str | None = None
        self._reconciled = False

        container = self.on[ui_workload.CONTAINER]
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

    # ---- reconcile -------------------------------------------------------------------

    def _reconcile(self, _event: ops.EventBase) -> None:
        self._reconciled = True
        self.unit.set_ports(ui_workload.PORT)
        if self.unit.is_leader():
            self._publish_to_dashboard_and_ingress()
            self._join_or_leave_mesh()
        self._cos.publish()
        self._configure_workload()

    def _ingress_conflict(self) -> bool:
        return bool(self._sdi.relations) and self._route.is_ready()

    def _publish_to_dashboard_and_ingress(self) -> None:
        self._links.publish(ui_routes.dashboard_links())
        if self._ingress_conflict():
            return
        self._sdi.submit(ui_routes.sdi_request(self.app.name, self.model.name))
        if self._route.is_ready():
            self._route.submit_config(
                ui_routes.route_config(self.app.name, self.model.name, self._route.tls_enabled)
            )

    def _join_or_leave_mesh(self) -> None:
        """Carry exactly the labels the related mesh asks for (none without a mesh relation)."""
        try:
            wanted = self._mesh.labels() if self.model.get_relation(ui_mesh.RELATION) else {}
        except ValueError as error:  # json or pydantic: the provider's data is not what the library reads
            self._mesh_problem = f"Invalid {ui_mesh.RELATION} data: {str(error).splitlines()[0]}"
            return
        if wanted == json.loads(self._stored.mesh_labels):
            return
        if not self._trusted():
            self._mesh_problem = ui_mesh.TRUST_MESSAGE.format(app=self.app.name)
            return
        client = ui_mesh.kubernetes_client(self.model.name, field_manager=self.app.name)
        try:
            ui_mesh.set_mesh_labels(client, self.app.name, self.model.name, wanted)
        except ui_mesh.MeshLabelError as error:
            self._mesh_problem = str(error)
            return
        self._stored.mesh_labels = json.dumps(wanted, sort_keys=True)

    def _trusted(self) -> bool:
        """Whether Juju gave this application the cluster credentials (`juju trust`)."""
        try:
            self.model.get_cloud_spec()
        except ops.ModelError:
            return False
        return True

    def _configure_workload(self) -> None:
        container = self.unit.get_container(ui_workload.CONTAINER)
        try:
            text = ui_store_config.read_feature_store_yaml(self.model, self._feast_config)
        except ui_store_config.ConfigUnavailable as problem:
            self._config_problem = problem
            if problem.withdrawn and container.can_connect():
                self._withdraw(container)
            return
        if not container.can_connect():
            return
        try:
            if self._current_config(container) != text:
                container.push(ui_workload.CONFIG_PATH, text, make_dirs=True, permissions=0o600)
            layer = ui_workload.pebble_layer(
                text,
                environment=self._cos.workload_environment(self.app.name),
                log_targets=self._cos.log_targets(container),
            )
            container.add_layer(ui_workload.SERVICE, layer, combine=True)
            container.replan()
        except ops.pebble.ChangeError as e:
            logger.error("feast ui failed to start: %s", e.err)
            self._start_error = "feast ui failed to start; see juju debug-log for its output"
        except ops.pebble.ConnectionError as e:
            logger.warning("Pebble went away while configuring the workload: %s", e)

    @staticmethod
    def _current_config(container: ops.Container) -> str | None:
        if not container.exists(ui_workload.CONFIG_PATH):
            return None
        return container.pull(ui_workload.CONFIG_PATH).read()

    def _withdraw(self, container: ops.Container) -> None:
        """The configuration relation is gone: stop the UI and remove the credentials."""
        if ui_workload.SERVICE in container.get_services():
            container.stop(ui_workload.SERVICE)
        if container.exists(ui_workload.CONFIG_PATH):
            container.remove_path(ui_workload.CONFIG_PATH)

    # ---- status (no side effects) -------------------------------------------------------

    def _on_collect_unit_status(self, event: ops.CollectStatusEvent) -> None:
        for status in self._statuses():
            event.add_status(status)

    def _statuses(self) -> list[ops.StatusBase]:
        # a dashboard or rule set COS refused does not stop the UI: say so while it is active
        rejected = self._cos.rejections()
        statuses: list[ops.StatusBase] = [ops.ActiveStatus(rejected[0] if rejected else "")]
        if self._mesh_problem:
            statuses.append(ops.BlockedStatus(self._mesh_problem))
        if self._ingress_conflict():
            statuses.append(ops.BlockedStatus(ui_routes.CONFLICT_MESSAGE))
        else:
            problem = self._sdi.problem()
            if problem is not None:
                kind, message = problem
                statuses.append(
                    ops.BlockedStatus(message) if kind == "blocked" else ops.WaitingStatus(message)
                )

        config_problem = self._config_problem
        if not self._reconciled:
            try:
                ui_store_config.read_feature_store_yaml(self.model, self._feast_config, track_latest=False)
            except ui_store_config.ConfigUnavailable as problem:
                config_problem = problem
        if config_problem is not None:
            statuses.append(config_problem.status())
            return statuses

        container = self.unit.get_container(ui_workload.CONTAINER)
        if not container.can_connect():
            statuses.append(ops.WaitingStatus(f"Waiting for Pebble in the {ui_workload.CONTAINER} container"))
            return statuses
        if self._start_error:
            statuses.append(ops.BlockedStatus(self._start_error))
            return statuses
        services = container.get_services(ui_workload.SERVICE)
        if ui_workload.SERVICE not in services or not services[ui_workload.SERVICE].is_running():
            statuses.append(ops.WaitingStatus(f"Waiting for the {ui_workload.SERVICE} service to start"))
            return statuses
        checks = container.get_checks(ui_workload.CHECK)
        if ui_workload.CHECK in checks and checks[ui_workload.CHECK].status == ops.pebble.CheckStatus.DOWN:
            statuses.append(
                ops.WaitingStatus(
                    f"UI health check failing ({ui_workload.HEALTH_URL}); is the registry database reachable?"
                )
            )
        return statuses


if __name__ == "__main__":  # pragma: nocover
    ops.main(FeastUICharm)
