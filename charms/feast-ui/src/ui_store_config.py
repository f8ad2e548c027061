"""Where feast-ui's feature_store.yaml comes from: the ``feast-configuration`` relation.

Two forms are accepted on that relation:
- the feast_store_configuration library's form: the provider's rendered feature_store.yaml in a
  Juju secret granted to the relation (app key ``feature-store-secret``), read with that
  library's requirer;
- the reference integrator's plain fifteen-key form, parsed by :mod:`ui_plain_config`.

Each failure is a :class:`ConfigUnavailable` carrying the status a person should see.
"""

from __future__ import annotations

import ops
import ui_plain_config
from charms.feast_integrator.v0 import feast_store_configuration as fsc

RELATION = fsc.DEFAULT_RELATION_NAME


class ConfigUnavailable(Exception):
    """Why there is no feature_store.yaml.

    ``kind`` is ``blocked`` or ``waiting``; ``withdrawn`` is True when no configuration is
    offered at all (no relation, or an empty databag), so a running UI should stop.
    """

    def __init__(self, kind: str, message: str, withdrawn: bool = False):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.withdrawn = withdrawn

    def status(self) -> ops.StatusBase:
        """The unit status this problem maps to."""
        if self.kind == "blocked":
            return ops.BlockedStatus(self.message)
        return ops.WaitingStatus(self.message)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def read_feature_store_yaml(
    model: ops.Model, requirer: fsc.FeastStoreConfigurationRequirer, *, track_latest: bool = True
) -> str:
    """The feature_store.yaml the remote integrator offers, in either form.

    ``track_latest=False`` only peeks at the configuration secret (for status collection, which must
    not move the revision this unit tracks). Raises ConfigUnavailable when there is no relation, no
    data yet, or invalid data.
    """
    try:
        relation = model.get_relation(RELATION)
    except ops.TooManyRelatedAppsError:
        raise ConfigUnavailable("blocked", f"{RELATION} supports one relation; remove the others") from None
    if relation is None:
        raise ConfigUnavailable(
            "blocked",
            f"Missing relation: {RELATION}; run juju integrate {model.app.name}:{RELATION} feast-integrator",
            withdrawn=True,
        )
    databag = relation.data[relation.app] if relation.app is not None else {}
    if fsc.SECRET_URI_FIELD not in databag and ui_plain_config.looks_plain(databag):
        try:
            parsed = ui_plain_config.PlainStoreConfiguration.from_databag(dict(databag))
        except ui_plain_config.PlainConfigError as e:
            raise ConfigUnavailable("blocked", f"Invalid {RELATION} data: {e}") from None
        return ui_plain_config.render_feature_store_yaml(parsed)
    try:
        return requirer.get_configuration(track_latest=track_latest).feature_store_yaml
    except fsc.FeastStoreConfigurationNotReadyError as e:
        raise ConfigUnavailable("waiting", _sentence(str(e)), withdrawn=not databag) from None
    except fsc.FeastStoreConfigurationError as e:
        raise ConfigUnavailable("blocked", f"Invalid {RELATION} data: {e}") from None
