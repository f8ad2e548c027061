"""Requirer side of the `postgresql_client` interface, interoperable with postgresql-k8s.

This library asks a PostgreSQL provider charm (e.g. `postgresql-k8s`, endpoint `database`) for
one database and reads back the connection it publishes. It knows nothing about what the
database is used for.

Why not the data-platform team's published package (dpcharmlibs-interfaces): its requirer speaks
data_interfaces v1 (a `requests` list), which postgresql-k8s 14/stable, on the v0 library, does
not read. This requirer speaks v0, and its tests run it against that package's own provider.

Wire protocol (data_interfaces v0 compatible):

* The requirer leader writes to its **app** databag:
  - `database`: the requested database name;
  - `requested-secrets`: JSON list of the fields that should travel in Juju secrets
    (`["username", "password", "tls", "tls-ca", "uris", "read-only-uris"]`).
* The provider leader writes to its **app** databag:
  - `secret-user`: URI of a Juju secret granted to the relation, content `username`,
    `password` (and `uris`, `read-only-uris`);
  - `secret-tls`: URI of a Juju secret, content `tls` (`"True"`/`"False"`) and `tls-ca`;
  - `endpoints`: `host:port`, possibly a comma-separated list of them;
  - `database`, `version`, `read-only-endpoints`.
  On Juju without secrets, `username`, `password`, `tls`, `tls-ca` travel as plain keys instead,
  and this library falls back to them.

Usage (holistic charm)::

    from charms.feast_integrator.v0.postgresql_client import (
        PostgreSQLRequirer, RelationMissingError, RelationNotReadyError, RelationInvalidError,
    )

    self.registry_db = PostgreSQLRequirer(self, "registry", database_name="registry")
    ...
    def _reconcile(self, _):
        if self.unit.is_leader():
            self.registry_db.request_database()      # idempotent, leader only
            self.registry_db.track_latest_secrets()  # we now use the latest revisions
        try:
            connection = self.registry_db.get_connection()
        except RelationMissingError: ...             # no relation: Blocked
        except RelationNotReadyError: ...            # credentials not there yet: Waiting
        except RelationInvalidError: ...             # provider sent garbage: Blocked

`get_connection()` only reads: it peeks at the latest secret revisions without tracking them,
so it is safe while computing status. The charm should observe `relation-changed`,
`relation-broken` of the endpoint and `secret-changed` (rotated passwords), and call
`track_latest_secrets()` when it acts on the connection (e.g. in its reconcile), so that Juju
knows the old revisions are no longer in use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import ops

# The unique Charmhub library identifier, never change it
LIBID = "b702b80c75d44a9696c0fa9a73fb396c"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 2

DEFAULT_REQUESTED_SECRETS = ("username", "password", "tls", "tls-ca", "uris", "read-only-uris")


class PostgreSQLRelationError(Exception):
    """Base class: the relation cannot give a usable connection. `str()` is user-facing."""


class RelationMissingError(PostgreSQLRelationError):
    """No relation on the endpoint."""


class RelationNotReadyError(PostgreSQLRelationError):
    """The relation exists but the provider has not (fully) answered yet."""


class RelationInvalidError(PostgreSQLRelationError):
    """The provider's data cannot be understood (or is ambiguous)."""


@dataclass(frozen=True)
class Endpoint:
    """One `host:port` pair published by the provider."""

    host: str
    port: int


@dataclass(frozen=True)
class PostgreSQLConnection:
    """Everything needed to connect to the database the provider created for us."""

    endpoints: tuple[Endpoint, ...]
    database: str
    username: str
    password: str
    tls: bool
    tls_ca: str | None
    version: str | None

    @property
    def host(self) -> str:
        """Host of the first (primary) endpoint."""
        return self.endpoints[0].host

    @property
    def port(self) -> int:
        """Port of the first (primary) endpoint."""
        return self.endpoints[0].port


def parse_endpoints(raw: str) -> tuple[Endpoint, ...]:
    """Parse `host:port[,host:port...]`; IPv6 hosts may be bracketed (`[::1]:5432`).

    Raises ValueError with a human-readable message on malformed input.
    """
    endpoints = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        host, separator, port_text = item.rpartition(":")
        if not separator or not host:
            raise ValueError(f"endpoint {item!r} is not host:port")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"endpoint {item!r} has an invalid port")
        if any(character.isspace() or character in "/@?#" for character in host) or not host:
            raise ValueError(f"endpoint {item!r} has an invalid host")
        endpoints.append(Endpoint(host=host, port=int(port_text)))
    if not endpoints:
        raise ValueError("no endpoint given")
    return tuple(endpoints)


class PostgreSQLRequirer(ops.Object):
    """Requests one database on an endpoint and reads the provider's answer."""

    def __init__(
        self,
        charm: ops.CharmBase,
        relation_name: str,
        database_name: str,
        requested_secrets: tuple[str, ...] = DEFAULT_REQUESTED_SECRETS,
    ):
        super().__init__(charm, f"postgresql-requirer-{relation_name}")
        self._charm = charm
        self.relation_name = relation_name
        self.database_name = database_name
        self._requested_secrets = json.dumps(list(requested_secrets))

    @property
    def relations(self) -> list[ops.Relation]:
        """Live relations on the endpoint (a breaking relation is already excluded by ops)."""
        return list(self._charm.model.relations[self.relation_name])

    def request_database(self) -> None:
        """Write the database request on every relation of the endpoint. Leader only, idempotent."""
        if not self._charm.unit.is_leader():
            return
        request = {"database": self.database_name, "requested-secrets": self._requested_secrets}
        for relation in self.relations:
            databag = relation.data[self._charm.app]
            for key, value in request.items():
                if databag.get(key) != value:
                    databag[key] = value

    def track_latest_secrets(self) -> None:
        """Start tracking the latest revision of the provider's secrets (a secret-get --refresh).

        Unreadable secrets are skipped here; `get_connection()` reports them.
        """
        for relation in self.relations:
            if relation.app is None:
                continue
            for group in ("user", "tls"):
                secret_uri = relation.data[relation.app].get(f"secret-{group}")
                if not secret_uri:
                    continue
                try:
                    self._charm.model.get_secret(id=secret_uri).get_content(refresh=True)
                except ops.ModelError:  # includes SecretNotFoundError
                    continue

    def get_connection(self) -> PostgreSQLConnection:
        """Return the connection published by the provider, peeking at the latest secret revisions.

        Raises RelationMissingError, RelationNotReadyError or RelationInvalidError.
        """
        relations = self.relations
        if not relations:
            raise RelationMissingError(f"missing relation: {self.relation_name}")
        if len(relations) > 1:
            raise RelationInvalidError(
                f"too many {self.relation_name} relations ({len(relations)}); remove all but one"
            )
        relation = relations[0]
        if relation.app is None:
            raise RelationNotReadyError(f"waiting for the {self.relation_name} provider")
        remote = relation.data[relation.app]

        user_fields = self._secret_fields(remote, "user", ("username", "password"))
        username = user_fields.get("username", "")
        password = user_fields.get("password", "")
        if not username or not password:
            raise RelationNotReadyError(f"waiting for {self.relation_name} credentials")

        raw_endpoints = remote.get("endpoints", "")
        if not raw_endpoints:
            raise RelationNotReadyError(f"waiting for {self.relation_name} endpoints")
        try:
            endpoints = parse_endpoints(raw_endpoints)
        except ValueError as error:
            raise RelationInvalidError(f"invalid {self.relation_name} endpoints: {error}") from error

        tls_fields = self._secret_fields(remote, "tls", ("tls", "tls-ca"))
        tls = tls_fields.get("tls", "").strip().lower() in ("true", "1", "yes")

        return PostgreSQLConnection(
            endpoints=endpoints,
            database=remote.get("database") or self.database_name,
            username=username,
            password=password,
            tls=tls,
            tls_ca=tls_fields.get("tls-ca") or None,
            version=remote.get("version") or None,
        )

    def _secret_fields(
        self, remote: ops.RelationDataContent, group: str, plain_keys: tuple[str, ...]
    ) -> dict[str, str]:
        """Content of the `secret-<group>` Juju secret, else the plain fallback keys."""
        secret_uri = remote.get(f"secret-{group}")
        if not secret_uri:
            return {key: remote[key] for key in plain_keys if key in remote}
        try:
            secret = self._charm.model.get_secret(id=secret_uri)
            return dict(secret.peek_content())
        except ops.SecretNotFoundError as error:
            raise RelationNotReadyError(
                f"waiting for access to the {self.relation_name} {group} secret"
            ) from error
        except ops.ModelError as error:
            raise RelationNotReadyError(
                f"cannot read the {self.relation_name} {group} secret yet: {error}"
            ) from error
