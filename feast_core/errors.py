"""Errors a user can act on. Each names the thing at fault; faces map them to exit codes or HTTP statuses."""

from __future__ import annotations

import json


class FeastError(Exception):
    """Base of every error feast_core raises on purpose."""

    http_status = 500

    def http_status_code(self) -> int:
        return self.http_status

    def to_error_detail(self) -> str:
        """Feast's wire form of an error: a JSON string of module, class and message."""
        return json.dumps({"module": type(self).__module__, "class": type(self).__name__, "message": str(self)})


class ConfigError(FeastError, ValueError):
    """feature_store.yaml is missing, unreadable or invalid."""


class RepoError(FeastError, ValueError):
    """A feature repository's definitions cannot be loaded or do not fit together."""


class RegistryError(FeastError):
    """The registry cannot be read or written."""


class RegistryConflictError(RegistryError):
    """Another writer changed the same object at the same time."""

    http_status = 409


class ObjectNotFoundError(FeastError, KeyError):
    http_status = 404
    kind = "object"

    def __init__(self, name: str, project: str, known: list[str] | None = None) -> None:
        self.name, self.project = name, project
        hint = f"; known: {', '.join(sorted(known))}" if known else ""
        super().__init__(f"{self.kind} {name!r} does not exist in project {project!r}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class EntityNotFoundError(ObjectNotFoundError):
    kind = "entity"


class FeatureViewNotFoundError(ObjectNotFoundError):
    kind = "feature view"


class OnDemandFeatureViewNotFoundError(ObjectNotFoundError):
    kind = "on-demand feature view"


class FeatureServiceNotFoundError(ObjectNotFoundError):
    kind = "feature service"


class DataSourceNotFoundError(ObjectNotFoundError):
    kind = "data source"


class PermissionNotFoundError(ObjectNotFoundError):
    kind = "permission"


class ProjectNotFoundError(ObjectNotFoundError):
    kind = "project"

    def __init__(self, name: str, project: str = "", known: list[str] | None = None) -> None:
        super().__init__(name, name, known)


class PushSourceNotFoundError(ObjectNotFoundError):
    http_status = 422
    kind = "push source"


class FeatureReferenceError(FeastError, ValueError):
    """A feature reference is malformed or names a feature that does not exist."""

    http_status = 404


class FeatureNameCollisionError(FeastError, ValueError):
    http_status = 400


class EntityDataError(FeastError, ValueError):
    """entity_df or entity rows lack a column, carry a wrong type, or cannot be read."""

    http_status = 400


class DataSourceError(FeastError):
    """A data source cannot be read: a missing file or table, a bad query, a missing column."""

    http_status = 400


class OnlineDataError(FeastError):
    """A row in the online store cannot be read or is not in a layout this store may change."""

    http_status = 500


class StoreUnavailableError(FeastError):
    """A backing store (database server) cannot be reached."""

    http_status = 503


class ProtectedProjectError(FeastError):
    http_status = 403
