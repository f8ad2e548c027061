"""Kubernetes objects handed to resource-dispatcher, as plain dicts ready for JSON."""

from __future__ import annotations

SECRET_NAME = "feature-store-yaml"
SECRET_KEY = "feature_store.yaml"
MOUNT_PATH = "/feast"
CONFIG_PATH_ENV = "FEAST_FS_YAML_FILE_PATH"
NOTEBOOK_SELECTOR = {"access-feast": "true"}
POD_DEFAULT_DESCRIPTION = "Allow access to Feast"


def feature_store_secret(feature_store_yaml: str) -> dict:
    """The Secret holding feature_store.yaml; no namespace, the dispatcher fans it out."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": SECRET_NAME},
        "type": "Opaque",
        "stringData": {SECRET_KEY: feature_store_yaml},
    }


def access_feast_pod_default(app_name: str) -> dict:
    """The PodDefault mounting the Secret into notebooks labelled `access-feast: "true"`."""
    return {
        "apiVersion": "kubeflow.org/v1alpha1",
        "kind": "PodDefault",
        "metadata": {"name": f"{app_name}-access-feast"},
        "spec": {
            "desc": POD_DEFAULT_DESCRIPTION,
            "selector": {"matchLabels": dict(NOTEBOOK_SELECTOR)},
            "env": [{"name": CONFIG_PATH_ENV, "value": f"{MOUNT_PATH}/{SECRET_KEY}"}],
            "volumeMounts": [{"name": SECRET_NAME, "mountPath": MOUNT_PATH}],
            "volumes": [{"name": SECRET_NAME, "secret": {"secretName": SECRET_NAME}}],
        },
    }
