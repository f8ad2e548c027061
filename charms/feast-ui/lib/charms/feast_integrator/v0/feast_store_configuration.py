"""The `feast-configuration` interface: share a Feast feature_store.yaml between charms.

The provider (feast-integrator, endpoint `feast-configuration`, limit 1) publishes the complete
feature_store.yaml it renders for notebooks; the requirer (e.g. feast-ui) gets exactly that file.
There is one renderer (the provider's), so both sides can never drift apart.

## Wire protocol

Provider leader, **app** databag (plain, no credentials):

| key                     | value                                                        |
|-------------------------|--------------------------------------------------------------|
| `feature-store-secret`  | URI (`secret:...`) of a Juju secret granted to the relation  |
| `project`               | the Feast project name (informational)                       |

Juju secret content (owned by the provider app, label `<endpoint>.feature-store`):

| key                     | value                                                        |
|-------------------------|--------------------------------------------------------------|
| `feature-store-yaml`    | the full feature_store.yaml text, database credentials included |

When the provider's configuration changes it updates the secret content (the requirer receives
`secret-changed`); when it can no longer offer a configuration it clears both keys and removes the
secret (the requirer receives `relation-changed`).

## Requirer API (what feast-ui uses)

    from charms.feast_integrator.v0.feast_store_configuration import (
        FeastStoreConfigurationRequirer,
        FeastStoreConfigurationRelationMissingError,   # no relation: Blocked
        FeastStoreConfigurationNotReadyError,          # related, nothing (yet): Waiting
        FeastStoreConfigurationInvalidError,           # provider sent garbage: Blocked
    )

    self.feast_configuration = FeastStoreConfigurationRequirer(self, "feast-configuration")
    # observe: on["feast-configuration"].relation_changed / relation_broken, and on.secret_changed
    configuration = self.feast_configuration.get_configuration()   # in the reconcile
    configuration = self.feast_configuration.get_configuration(track_latest=False)  # in status
    configuration.feature_store_yaml   # str: write it as feature_store.yaml
    configuration.project              # str: the `project` of that YAML
    configuration.content_hash         # str: sha256 hex of the YAML, e.g. for a Pebble env var

`get_configuration()` writes no relation data; it reads the secret at its latest revision and
tracks that revision (so the provider can prune older ones): call it where the charm acts on the
configuration. `get_configuration(track_latest=False)` peeks at the latest revision without
tracking it, for code that only looks, such as status collection. All three errors derive from
`FeastStoreConfigurationError`; `str(error)` is a message fit for a unit status.

## Provider API (feast-integrator)

    provider = FeastStoreConfigurationProvider(self, "feast-configuration")
    provider.publish(FeastStoreConfiguration(project=..., feature_store_yaml=...))  # leader only
    provider.withdraw()                                                              # leader only
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import ops
import yaml

# The unique Charmhub library identifier, never change it
LIBID = "cd7fd64f324643c99887fad04fab71ea"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 2

DEFAULT_RELATION_NAME = "feast-configuration"
SECRET_URI_FIELD = "feature-store-secret"
PROJECT_FIELD = "project"
SECRET_YAML_KEY = "feature-store-yaml"


class FeastStoreConfigurationError(Exception):
    """Base class; `str()` is a user-facing status message."""


class FeastStoreConfigurationRelationMissingError(FeastStoreConfigurationError):
    """There is no feast-configuration relation."""


class FeastStoreConfigurationNotReadyError(FeastStoreConfigurationError):
    """The relation exists but no configuration is available (yet)."""


class FeastStoreConfigurationInvalidError(FeastStoreConfigurationError):
    """The provider published something that is not a feature_store.yaml."""


@dataclass(frozen=True)
class FeastStoreConfiguration:
    """A Feast feature store configuration as shared over the relation."""

    project: str
    feature_store_yaml: str

    @property
    def content_hash(self) -> str:
        """sha256 hex digest of the YAML text: changes whenever the file changes."""
        return hashlib.sha256(self.feature_store_yaml.encode()).hexdigest()


class FeastStoreConfigurationProvider(ops.Object):
    """Publishes a FeastStoreConfiguration on every relation of the endpoint."""

    def __init__(self, charm: ops.CharmBase, relation_name: str = DEFAULT_RELATION_NAME):
        super().__init__(charm, f"feast-store-configuration-provider-{relation_name}")
        self._charm = charm
        self.relation_name = relation_name
        self.secret_label = f"{relation_name}.feature-store"

    @property
    def relations(self) -> list[ops.Relation]:
        """Live relations on the endpoint."""
        return list(self._charm.model.relations[self.relation_name])

    def publish(self, configuration: FeastStoreConfiguration) -> None:
        """Share `configuration` (credentials only inside the secret). Leader only; idempotent."""
        if not self._charm.unit.is_leader():
            return
        relations = self.relations
        if not relations:
            self._remove_secret()
            return
        secret = self._upsert_secret({SECRET_YAML_KEY: configuration.feature_store_yaml})
        secret_uri = secret.id or secret.get_info().id
        for relation in relations:
            secret.grant(relation)
            self._write(
                relation,
                {SECRET_URI_FIELD: secret_uri, PROJECT_FIELD: configuration.project},
            )

    def withdraw(self) -> None:
        """Stop sharing: clear the relation data and remove the secret. Leader only."""
        if not self._charm.unit.is_leader():
            return
        for relation in self.relations:
            self._write(relation, {SECRET_URI_FIELD: None, PROJECT_FIELD: None})
        self._remove_secret()

    def _write(self, relation: ops.Relation, values: dict[str, str | None]) -> None:
        databag = relation.data[self._charm.app]
        for key, value in values.items():
            if value is None:
                if key in databag:
                    del databag[key]
            elif databag.get(key) != value:
                databag[key] = value

    def _upsert_secret(self, content: dict[str, str]) -> ops.Secret:
        try:
            secret = self._charm.model.get_secret(label=self.secret_label)
        except ops.SecretNotFoundError:
            return self._charm.app.add_secret(content, label=self.secret_label)
        if secret.peek_content() != content:
            secret.set_content(content)
        return secret

    def _remove_secret(self) -> None:
        try:
            secret = self._charm.model.get_secret(label=self.secret_label)
        except ops.SecretNotFoundError:
            return
        secret.remove_all_revisions()


class FeastStoreConfigurationRequirer(ops.Object):
    """Reads the FeastStoreConfiguration published by the provider."""

    def __init__(self, charm: ops.CharmBase, relation_name: str = DEFAULT_RELATION_NAME):
        super().__init__(charm, f"feast-store-configuration-requirer-{relation_name}")
        self._charm = charm
        self.relation_name = relation_name

    def get_configuration(self, *, track_latest: bool = True) -> FeastStoreConfiguration:
        """Return the provider's configuration, or raise a FeastStoreConfigurationError subclass.

        With ``track_latest`` (the default) this unit starts tracking the secret's latest revision;
        without it the latest revision is only peeked at, and the tracked revision does not move.
        """
        try:
            relation = self._charm.model.get_relation(self.relation_name)
        except ops.TooManyRelatedAppsError as error:
            raise FeastStoreConfigurationInvalidError(
                f"{self.relation_name} supports one relation; remove the others"
            ) from error
        if relation is None:
            raise FeastStoreConfigurationRelationMissingError(f"missing relation: {self.relation_name}")
        if relation.app is None:
            raise FeastStoreConfigurationNotReadyError(f"waiting for the {self.relation_name} provider")
        remote = relation.data[relation.app]
        secret_uri = remote.get(SECRET_URI_FIELD)
        if not secret_uri:
            raise FeastStoreConfigurationNotReadyError(
                f"waiting for the feature store configuration on {self.relation_name}"
            )
        try:
            secret = self._charm.model.get_secret(id=secret_uri)
            content = secret.get_content(refresh=True) if track_latest else secret.peek_content()
        except ops.SecretNotFoundError as error:
            raise FeastStoreConfigurationNotReadyError(
                f"waiting for access to the {self.relation_name} secret"
            ) from error
        except ops.ModelError as error:
            raise FeastStoreConfigurationNotReadyError(
                f"cannot read the {self.relation_name} secret yet: {error}"
            ) from error
        feature_store_yaml = content.get(SECRET_YAML_KEY, "")
        document = _parse_feature_store_yaml(feature_store_yaml, self.relation_name)
        return FeastStoreConfiguration(
            project=str(document["project"]), feature_store_yaml=feature_store_yaml
        )


def _parse_feature_store_yaml(text: str, relation_name: str) -> dict:
    if not text.strip():
        raise FeastStoreConfigurationInvalidError(f"{relation_name} secret holds no feature_store.yaml")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FeastStoreConfigurationInvalidError(
            f"{relation_name} sent a feature_store.yaml that is not valid YAML"
        ) from error
    if not isinstance(document, dict) or "project" not in document:
        raise FeastStoreConfigurationInvalidError(
            f"{relation_name} sent a feature_store.yaml without a project"
        )
    return document
