"""Where feast-ui's feature_store.yaml comes from: the ``feast-configuration`` relation.

Two forms are accepted on that relation:
- the feast_store_configuration library's form (credentials in a Juju secret granted to
  the relation), read with that library's requirer;
- the reference integrator's plain fifteen-key form, parsed by :mod:`ui_plain_config`.

Each failure is a :class:`ConfigUnavailable` carrying the status a person should see.
"""

from __future__ import annotations

import ops

import ui_plain_config

RELATION = "feast-configuration"


class ConfigUnavailable(Exception):
    """Why there is no feature_store.yaml; ``kind`` is ``blocked`` or ``waiting``."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def status(self) -> ops.StatusBase:
        """The unit status this problem maps to."""
        if self.kind == "blocked":
            return ops.BlockedStatus(self.message)
        return ops.WaitingStatus(self.message)




def read_feature_store_yaml(model: ops.Model, refresh: bool = False) -> str:
    """The feature_store.yaml the remote integrator describes.

    ``refresh`` lets a secret-carried configuration track its latest revision (reconcile
    only; status collection passes False so it has no side effects). Raises
    ConfigUnavailable when there is no relation, no data yet, or invalid data.
    """
    relation = model.get_relation(RELATION)
    if relation is None:
        raise ConfigUnavailable(
            "blocked",
            f"Missing relation: {RELATION}; run juju integrate {model.app.name}:{RELATION} feast-integrator",
        )
    if relation.app is None:
        raise ConfigUnavailable("waiting", f"Waiting for the {RELATION} application")
    databag = relation.data[relation.app]
    if not databag:
        raise ConfigUnavailable("waiting", f"Waiting for data on the {RELATION} relation")
    if ui_plain_config.looks_plain(databag):
        try:
            parsed = ui_plain_config.PlainStoreConfiguration.from_databag(dict(databag))
        except ui_plain_config.PlainConfigError as e:
            raise ConfigUnavailable("blocked", f"Invalid {RELATION} data: {e}") from None
        return ui_plain_config.render_feature_store_yaml(parsed)
    raise ConfigUnavailable("blocked", f"Invalid {RELATION} data: unrecognised keys {sorted(databag)}")
