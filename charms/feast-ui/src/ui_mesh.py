"""Joining Istio's ambient mesh: the labels istio-beacon-k8s asks for, on this app's pods and Service.

istio-beacon-k8s answers on the ``service-mesh`` relation with labels (for ambient mode
``istio.io/dataplane-mode: ambient``); an application joins the mesh by carrying them on its
StatefulSet's pod template and its Service. The published service-mesh library reads the labels
(``ServiceMeshConsumer.labels()``) and canonical-service-mesh applies them
(``reconcile_charm_labels``, which also remembers them in the ConfigMap
``juju-service-mesh-<app>-labels`` so that labels the mesh stops asking for are removed). This
module only builds the Kubernetes client in one place and turns its refusals into a message.
"""

from __future__ import annotations

from canonical_service_mesh.utils.istio import label_configmap_name_template, reconcile_charm_labels
from lightkube import ApiError, Client
from lightkube.resources.core_v1 import ConfigMap

RELATION = "service-mesh"
TRUST_MESSAGE = "Joining the service mesh needs trust: run juju trust {app} --scope=cluster"


class MeshLabelError(Exception):
    """The Kubernetes API refused a label change; ``str()`` says which and why."""


def kubernetes_client(namespace: str, field_manager: str) -> Client:
    """The one lightkube client of this charm (in-cluster credentials, or $KUBECONFIG in tests)."""
    return Client(namespace=namespace, field_manager=field_manager)


def set_mesh_labels(client: Client, app_name: str, namespace: str, labels: dict[str, str]) -> None:
    """Make ``labels`` the mesh labels of the app's pods and Service; ``{}`` leaves the mesh."""
    configmap = label_configmap_name_template.format(app_name=app_name)
    try:
        reconcile_charm_labels(client, app_name, namespace, configmap, labels)
        if not labels:
            client.delete(ConfigMap, configmap, namespace=namespace)
    except ApiError as error:
        raise MeshLabelError(f"Cannot set the service mesh labels: {error.status.message}") from error
