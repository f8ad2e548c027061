"""Requirer side of the `kubernetes_manifest` interface spoken by resource-dispatcher.

resource-dispatcher provides the endpoints `secrets`, `pod-defaults`, `service-accounts`,
`roles`, `role-bindings` and `config-maps`; it copies the manifests it receives into every
namespace labelled `user.kubeflow.org/enabled`.

Wire protocol: the requirer leader writes to its **app** databag one key,
`kubernetes_manifests`, whose value is a JSON list of manifest objects (dicts, not YAML strings),
e.g. `[{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, ...}]`.
Writing `[]` withdraws everything this application sent on that relation. Manifests should not
carry a namespace: the dispatcher fans them out.

Usage::

    from charms.feast_integrator.v0.kubernetes_manifests import KubernetesManifestsRequirer

    self.secrets = KubernetesManifestsRequirer(self, "secrets")
    ...
    self.secrets.send([secret_manifest])   # leader only; writes every relation of the endpoint
    self.secrets.withdraw()                # leader only; sends []

`send()` raises `ValueError` for a manifest without `apiVersion`, `kind` or `metadata.name`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import ops

# The unique Charmhub library identifier, never change it
LIBID = "8959bcad235849bf9a72f7e9b989286c"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

KUBERNETES_MANIFESTS_FIELD = "kubernetes_manifests"


def validate_manifest(manifest: Any) -> None:
    """Raise ValueError unless `manifest` looks like a Kubernetes object."""
    if not isinstance(manifest, dict):
        # One error type for every invalid manifest, so callers handle a single exception.
        raise ValueError(f"a manifest must be a mapping, not {type(manifest).__name__}")
    for key in ("apiVersion", "kind"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            raise ValueError(f"manifest has no {key}")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise ValueError(f"{manifest['kind']} manifest has no metadata.name")


def encode_manifests(manifests: Iterable[dict]) -> str:
    """The databag value for a list of manifests (validated, stable JSON)."""
    manifest_list = list(manifests)
    for manifest in manifest_list:
        validate_manifest(manifest)
    return json.dumps(manifest_list, sort_keys=True)


class KubernetesManifestsRequirer(ops.Object):
    """Sends a list of manifests on every relation of one endpoint."""

    def __init__(self, charm: ops.CharmBase, relation_name: str):
        super().__init__(charm, f"kubernetes-manifests-{relation_name}")
        self._charm = charm
        self.relation_name = relation_name

    @property
    def relations(self) -> list[ops.Relation]:
        """Live relations on the endpoint."""
        return list(self._charm.model.relations[self.relation_name])

    def send(self, manifests: Iterable[dict]) -> None:
        """Publish `manifests` (replacing what was sent before). Leader only; no-op otherwise."""
        self._write(encode_manifests(manifests))

    def withdraw(self) -> None:
        """Publish an empty list, so the provider removes what this app sent."""
        self._write("[]")

    def _write(self, value: str) -> None:
        if not self._charm.unit.is_leader():
            return
        for relation in self.relations:
            databag = relation.data[self._charm.app]
            if databag.get(KUBERNETES_MANIFESTS_FIELD) != value:
                databag[KUBERNETES_MANIFESTS_FIELD] = value
