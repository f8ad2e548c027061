"""The `feast_server` interface: feast-integrator configures feast-server, feast-server says where it answers.

The provider is feast-integrator (endpoint `feast-server`, limit 1); the requirer is feast-server (endpoint
`feast-configuration`, limit 1). Both directions carry typed models:

* feast-server (requirer) tells the integrator where its three servers answer and which authentication
  they enforce (:class:`FeastServerEndpoints`), so the integrator can give notebooks a client
  configuration that reaches them instead of the databases;
* feast-integrator (provider) gives feast-server the feature_store.yaml its servers run on
  (:class:`FeastServerConfiguration`): the database connections, credentials included, and the `auth`
  block the server announced. The YAML travels only inside a Juju secret granted to the relation.

## Wire protocol

Requirer leader, **app** databag (plain; addresses only):

| key                 | value                                                            |
|---------------------|------------------------------------------------------------------|
| `online-url`        | `http://<host>:<port>` of `feast serve` (online_store.path)      |
| `registry-address`  | `<host>:<port>` of `feast serve_registry` (registry.path)        |
| `offline-host`      | host of `feast serve_offline` (offline_store.host)               |
| `offline-port`      | its port, a decimal string (offline_store.port)                  |
| `auth-type`         | the `auth.type` the servers enforce; today only `kubernetes`     |

Provider leader, **app** databag:

| key                     | value                                                          |
|-------------------------|----------------------------------------------------------------|
| `server-config-secret`  | URI (`secret:...`) of a Juju secret granted to the relation    |
| `project`               | the Feast project name (informational)                         |

Juju secret content (owned by the provider app, label `<endpoint>.server-config`): `feature-store-yaml`,
the server's feature_store.yaml text. When the provider can no longer configure the server it clears
both keys and removes the secret.

## API

    # feast-server
    requirer = FeastServerRequirer(self, "feast-configuration")
    requirer.publish_endpoints(FeastServerEndpoints(...))            # leader only; idempotent
    configuration = requirer.get_configuration()                      # in the reconcile
    configuration = requirer.get_configuration(track_latest=False)    # in status collection

    # feast-integrator
    provider = FeastServerProvider(self, "feast-server")
    endpoints = provider.get_endpoints()       # None without a relation; raises while incomplete/invalid
    provider.publish(FeastServerConfiguration(project=..., feature_store_yaml=...))   # leader only
    provider.withdraw()                                                              # leader only

Errors derive from `FeastServerError`; `str(error)` is a message fit for a unit status.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import ops
import yaml

# The unique Charmhub library identifier, never change it
LIBID = "eac51bcbe4ca47bb85d25f090c1f7678"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

PROVIDER_ENDPOINT = "feast-server"
REQUIRER_ENDPOINT = "feast-configuration"
SUPPORTED_AUTH_TYPES = ("kubernetes",)

ONLINE_URL_FIELD = "online-url"
REGISTRY_ADDRESS_FIELD = "registry-address"
OFFLINE_HOST_FIELD = "offline-host"
OFFLINE_PORT_FIELD = "offline-port"
AUTH_TYPE_FIELD = "auth-type"
ENDPOINT_FIELDS = (ONLINE_URL_FIELD, REGISTRY_ADDRESS_FIELD, OFFLINE_HOST_FIELD, OFFLINE_PORT_FIELD, AUTH_TYPE_FIELD)

SECRET_URI_FIELD = "server-config-secret"
PROJECT_FIELD = "project"
SECRET_YAML_KEY = "feature-store-yaml"


class FeastServerError(Exception):
    """Base class; `str()` is a user-facing status message."""


class FeastServerNotReadyError(FeastServerError):
    """The relation exists but the other side has not (yet) written what is needed."""


class FeastServerInvalidError(FeastServerError):
    """The other side wrote something this library cannot use."""


def _port(value: str, field: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise FeastServerInvalidError(f"{field} is not a port number: {value!r}") from None
    if not 0 < port < 65536:
        raise FeastServerInvalidError(f"{field} is out of range: {port}")
    return port


def _host(value: str, field: str) -> str:
    if not value or any(c in value for c in "/@ \n\t"):
        raise FeastServerInvalidError(f"{field} is not a host name: {value!r}")
    return value


@dataclass(frozen=True)
class FeastServerEndpoints:
    """Where feast-server's three servers answer, and the authentication they enforce."""

    online_url: str
    registry_address: str
    offline_host: str
    offline_port: int
    auth_type: str = "kubernetes"

    def __post_init__(self):
        url = urlsplit(self.online_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise FeastServerInvalidError(f"{ONLINE_URL_FIELD} is not an http(s) URL: {self.online_url!r}")
        host, sep, port = self.registry_address.rpartition(":")
        if not sep:
            raise FeastServerInvalidError(f"{REGISTRY_ADDRESS_FIELD} is not host:port: {self.registry_address!r}")
        _host(host, REGISTRY_ADDRESS_FIELD)
        _port(port, REGISTRY_ADDRESS_FIELD)
        _host(self.offline_host, OFFLINE_HOST_FIELD)
        _port(str(self.offline_port), OFFLINE_PORT_FIELD)
        if self.auth_type not in SUPPORTED_AUTH_TYPES:
            raise FeastServerInvalidError(
                f"{AUTH_TYPE_FIELD} {self.auth_type!r} is not one of {', '.join(SUPPORTED_AUTH_TYPES)}"
            )

    def to_databag(self) -> dict[str, str]:
        return {
            ONLINE_URL_FIELD: self.online_url,
            REGISTRY_ADDRESS_FIELD: self.registry_address,
            OFFLINE_HOST_FIELD: self.offline_host,
            OFFLINE_PORT_FIELD: str(self.offline_port),
            AUTH_TYPE_FIELD: self.auth_type,
        }

    @classmethod
    def from_databag(cls, databag: Mapping[str, str]) -> FeastServerEndpoints:
        """Parse the requirer's app databag; raise NotReady when nothing is there, Invalid when it is wrong."""
        present = [field for field in ENDPOINT_FIELDS if databag.get(field)]
        if not present:
            raise FeastServerNotReadyError("waiting for feast-server to publish its addresses")
        missing = [field for field in ENDPOINT_FIELDS if field not in present]
        if missing:
            raise FeastServerInvalidError(f"feast-server data lacks {', '.join(missing)}")
        return cls(
            online_url=databag[ONLINE_URL_FIELD],
            registry_address=databag[REGISTRY_ADDRESS_FIELD],
            offline_host=databag[OFFLINE_HOST_FIELD],
            offline_port=_port(databag[OFFLINE_PORT_FIELD], OFFLINE_PORT_FIELD),
            auth_type=databag[AUTH_TYPE_FIELD],
        )


@dataclass(frozen=True)
class FeastServerConfiguration:
    """The feature_store.yaml feast-server's servers run on."""

    project: str
    feature_store_yaml: str

    @property
    def content_hash(self) -> str:
        """sha256 hex digest of the YAML text: changes whenever the file changes."""
        return hashlib.sha256(self.feature_store_yaml.encode()).hexdigest()

    @property
    def auth_type(self) -> str:
        """The `auth.type` of the YAML (`no_auth` when it has no auth block, as Feast reads it)."""
        auth = yaml.safe_load(self.feature_store_yaml).get("auth") or {}
        return str(auth.get("type", "no_auth")) if isinstance(auth, dict) else "no_auth"


def _write(databag: ops.RelationDataContent, values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            if key in databag:
                del databag[key]
        elif databag.get(key) != value:
            databag[key] = value


def _single_relation(charm: ops.CharmBase, relation_name: str) -> ops.Relation | None:
    try:
        return charm.model.get_relation(relation_name)
    except ops.TooManyRelatedAppsError as error:
        raise FeastServerInvalidError(f"{relation_name} supports one relation; remove the others") from error


class FeastServerProvider(ops.Object):
    """feast-integrator's side: reads the server's endpoints, publishes its configuration."""

    def __init__(self, charm: ops.CharmBase, relation_name: str = PROVIDER_ENDPOINT):
        super().__init__(charm, f"feast-server-provider-{relation_name}")
        self._charm = charm
        self.relation_name = relation_name
        self.secret_label = f"{relation_name}.server-config"

    def get_endpoints(self) -> FeastServerEndpoints | None:
        """The related feast-server's endpoints; None when no feast-server is related."""
        relation = _single_relation(self._charm, self.relation_name)
        if relation is None:
            return None
        if relation.app is None:
            raise FeastServerNotReadyError("waiting for feast-server to publish its addresses")
        return FeastServerEndpoints.from_databag(relation.data[relation.app])

    def publish(self, configuration: FeastServerConfiguration) -> None:
        """Share `configuration` (only inside the secret). Leader only; idempotent."""
        if not self._charm.unit.is_leader():
            return
        relations = list(self._charm.model.relations[self.relation_name])
        if not relations:
            self._remove_secret()
            return
        content = {SECRET_YAML_KEY: configuration.feature_store_yaml}
        try:
            secret = self._charm.model.get_secret(label=self.secret_label)
            if secret.peek_content() != content:
                secret.set_content(content)
        except ops.SecretNotFoundError:
            secret = self._charm.app.add_secret(content, label=self.secret_label)
        secret_uri = secret.id or secret.get_info().id
        for relation in relations:
            secret.grant(relation)
            _write(
                relation.data[self._charm.app],
                {SECRET_URI_FIELD: secret_uri, PROJECT_FIELD: configuration.project},
            )

    def withdraw(self) -> None:
        """Stop configuring the server: clear the relation data and remove the secret. Leader only."""
        if not self._charm.unit.is_leader():
            return
        for relation in self._charm.model.relations[self.relation_name]:
            _write(relation.data[self._charm.app], {SECRET_URI_FIELD: None, PROJECT_FIELD: None})
        self._remove_secret()

    def _remove_secret(self) -> None:
        try:
            secret = self._charm.model.get_secret(label=self.secret_label)
        except ops.SecretNotFoundError:
            return
        secret.remove_all_revisions()


class FeastServerRequirer(ops.Object):
    """feast-server's side: publishes its endpoints, reads the configuration its servers run on."""

    def __init__(self, charm: ops.CharmBase, relation_name: str = REQUIRER_ENDPOINT):
        super().__init__(charm, f"feast-server-requirer-{relation_name}")
        self._charm = charm
        self.relation_name = relation_name

    def publish_endpoints(self, endpoints: FeastServerEndpoints) -> None:
        """Tell the integrator where the servers answer. Leader only; idempotent."""
        if not self._charm.unit.is_leader():
            return
        for relation in self._charm.model.relations[self.relation_name]:
            _write(relation.data[self._charm.app], endpoints.to_databag())

    def get_configuration(self, *, track_latest: bool = True) -> FeastServerConfiguration:
        """The provider's configuration, or a FeastServerError.

        ``track_latest`` (the default) makes this unit track the secret's latest revision; without it the
        latest revision is only peeked at (for status collection).
        """
        relation = _single_relation(self._charm, self.relation_name)
        if relation is None:
            raise FeastServerNotReadyError(f"missing relation: {self.relation_name}")
        if relation.app is None:
            raise FeastServerNotReadyError(f"waiting for the {self.relation_name} provider")
        secret_uri = relation.data[relation.app].get(SECRET_URI_FIELD)
        if not secret_uri:
            raise FeastServerNotReadyError(f"waiting for the server configuration on {self.relation_name}")
        try:
            secret = self._charm.model.get_secret(id=secret_uri)
            content = secret.get_content(refresh=True) if track_latest else secret.peek_content()
        except ops.SecretNotFoundError as error:
            raise FeastServerNotReadyError(f"waiting for access to the {self.relation_name} secret") from error
        except ops.ModelError as error:
            raise FeastServerNotReadyError(f"cannot read the {self.relation_name} secret yet: {error}") from error
        text = content.get(SECRET_YAML_KEY, "")
        try:
            document = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as error:
            raise FeastServerInvalidError(
                f"{self.relation_name} sent a feature_store.yaml that is not valid YAML"
            ) from error
        if not isinstance(document, dict) or "project" not in document:
            raise FeastServerInvalidError(f"{self.relation_name} sent no feature_store.yaml with a project")
        return FeastServerConfiguration(project=str(document["project"]), feature_store_yaml=text)
