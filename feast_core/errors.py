"""Errors a user can act on. Each names the thing at fault; faces map them to exit codes or HTTP statuses.

The classes carry Feast's names and bases (``feast.errors``), so code written for Feast catches what it
caught before (``except FeatureViewNotFoundException``), and a Feast client receiving one over the wire
rebuilds the class it knows. Where feast_core raised a built-in error before, the class also derives from
it (a not-found error is a ``KeyError``, a bad value a ``ValueError``), so ``except KeyError`` keeps working.
Our earlier names (``FeatureViewNotFoundError``, ...) remain as aliases at the end of the module.
"""

from __future__ import annotations

import importlib
import json
import logging

log = logging.getLogger(__name__)

FEAST_MODULE = "feast.errors"  # the module Feast's clients look error classes up in


class FeastError(Exception):
    """Base of every error feast_core raises on purpose."""

    http_status = 500
    grpc_status = "INTERNAL"

    def http_status_code(self) -> int:
        return self.http_status

    def grpc_status_code(self):
        from grpc import StatusCode

        return getattr(StatusCode, self.grpc_status)

    def __str__(self) -> str:
        overridden = self.__dict__.get("_message")
        return overridden if overridden is not None else super().__str__()

    def __repr__(self) -> str:  # the same for an error and its copy rebuilt from to_error_detail()
        return f"{type(self).__name__}({str(self)!r})"

    def to_error_detail(self) -> str:
        """Feast's wire form of an error: a JSON string of module, class and message.

        A class Feast also has is sent as Feast's (module ``feast.errors``), so a Feast client raises it.
        """
        cls = type(self)
        module = FEAST_MODULE if cls.__dict__.get("_feast_class", False) or cls is FeastError else cls.__module__
        return json.dumps({"module": module, "class": cls.__name__, "message": str(self)})

    @staticmethod
    def from_error_detail(detail: str) -> FeastError | None:
        """The error a server described with ``to_error_detail`` (ours or Feast's), or None if it is not one."""
        try:
            data = json.loads(detail)
            module_name, class_name, message = data["module"], data["class"], data["message"]
        except (TypeError, ValueError, KeyError):
            log.warning("not an error detail: %r", detail)
            return None
        if module_name in (FEAST_MODULE, __name__):
            cls = globals().get(class_name)
        else:
            try:
                cls = getattr(importlib.import_module(module_name.replace("feast.", "feast_core.", 1)), class_name, None)
            except ImportError:
                cls = None
        if not (isinstance(cls, type) and issubclass(cls, FeastError)):
            cls = FeastError
        error = cls.__new__(cls)
        error._message = message
        error.args = (message,)
        return error


def _feast(cls: type) -> type:
    """Marks a class whose name Feast's ``feast.errors`` also has (what ``to_error_detail`` sends)."""
    cls._feast_class = True
    return cls


# ---- configuration and repository ---------------------------------------------------------------------------


class ConfigError(FeastError, ValueError):
    """feature_store.yaml is missing, unreadable or invalid (Feast: ``feast.repo_config.FeastConfigError``)."""


class RepoError(FeastError, ValueError):
    """A feature repository's definitions cannot be loaded or do not fit together."""


@_feast
class FeastProviderNotImplementedError(ConfigError):
    def __init__(self, provider_name: str) -> None:
        super().__init__(f"Provider {provider_name!r} is not implemented; feast_core runs the 'local' provider")


@_feast
class FeastRegistryTypeInvalidError(ConfigError):
    def __init__(self, registry_type: str) -> None:
        super().__init__(f"registry type {registry_type!r} is not supported; use 'file' or 'sql'")


@_feast
class FeastOfflineStoreInvalidName(ConfigError):
    def __init__(self, offline_store_class_name: str) -> None:
        super().__init__(f"offline store class {offline_store_class_name!r} must end with 'OfflineStore'")


@_feast
class FeastOnlineStoreInvalidName(ConfigError):
    def __init__(self, online_store_class_name: str) -> None:
        super().__init__(f"online store class {online_store_class_name!r} must end with 'OnlineStore'")


@_feast
class FeastInvalidAuthConfigClass(ConfigError):
    def __init__(self, auth_config_class_name: str) -> None:
        super().__init__(f"auth config class {auth_config_class_name!r} must end with 'AuthConfig'")


@_feast
class FeastInvalidBaseClass(ConfigError):
    def __init__(self, class_name: str, class_type: str) -> None:
        super().__init__(f"class {class_name!r} must derive from {class_type}")


@_feast
class FeastModuleImportError(ConfigError):
    def __init__(self, module_name: str, class_name: str) -> None:
        super().__init__(f"cannot import module {module_name!r} (for class {class_name!r})")


@_feast
class FeastClassImportError(ConfigError):
    def __init__(self, module_name: str, class_name: str) -> None:
        super().__init__(f"module {module_name!r} has no class {class_name!r}")


@_feast
class FeastExtrasDependencyImportError(FeastError, ImportError):
    def __init__(self, extras_type: str, nested_error: str) -> None:
        super().__init__(f"{nested_error}\n{extras_type} support needs a package that is not installed")


@_feast
class FeastFeatureServerTypeInvalidError(ConfigError):
    def __init__(self, feature_server_type: str) -> None:
        super().__init__(f"feature server type {feature_server_type!r} is not supported")


@_feast
class FeastRegistryNotSetError(ConfigError):
    def __init__(self) -> None:
        super().__init__("no registry is configured, and this needs one")


@_feast
class RegistryInferenceFailure(RepoError):
    def __init__(self, repo_obj_type: str, specific_issue: str) -> None:
        super().__init__(f"cannot infer what {repo_obj_type} leaves out: {specific_issue}; declare it explicitly")


@_feast
class ConflictingFeatureViewNames(RepoError):
    """Two feature views (of any kind) share a name, case-insensitively."""

    def __init__(self, feature_view_name: str, existing_type: str | None = None, new_type: str | None = None) -> None:
        if existing_type and new_type and existing_type != new_type:
            message = (
                f"feature view name {feature_view_name!r} is used by a {existing_type} and a {new_type}; "
                "names must be unique across FeatureView, StreamFeatureView and OnDemandFeatureView"
            )
        elif existing_type:
            message = (
                f"multiple {existing_type}s named {feature_view_name!r}: Feature view names must be "
                "case-insensitively unique (a .feastignore file can leave out files that should not be read)"
            )
        else:
            message = f"the name {feature_view_name!r} refers to feature views of different types"
        super().__init__(message)


@_feast
class FeatureViewMissingDuringFeatureServiceInference(RepoError):
    def __init__(self, feature_view_name: str, feature_service_name: str) -> None:
        super().__init__(
            f"feature service {feature_service_name!r} uses feature view {feature_view_name!r}, which is not defined"
        )


@_feast
class SpecifiedFeaturesNotPresentError(RepoError):
    def __init__(self, specified_features: list, inferred_features: list, feature_view_name: str) -> None:
        super().__init__(
            f"feature view {feature_view_name!r}: declared features {specified_features} are not among the "
            f"source's columns {inferred_features}"
        )


# ---- data sources -------------------------------------------------------------------------------------------


class DataSourceError(FeastError):
    """A data source cannot be read: a missing file or table, a bad query, a missing column."""

    http_status = 400


@_feast
class DataSourceNotFoundException(DataSourceError):
    """The data a source names (a file, directory or table) does not exist (yet)."""

    def __init__(self, path: str, source_name: str | None = None, problem: str | None = None) -> None:
        where = f"data source {source_name!r}: " if source_name else ""
        super().__init__(f"{where}{problem or f'no data at {path}'}")


@_feast
class DataSourceNoNameException(RepoError):
    def __init__(self) -> None:
        super().__init__("a data source needs a name (or a table or path to take it from)")


@_feast
class DataSourceRepeatNamesException(RepoError):
    def __init__(self, ds_name: str) -> None:
        super().__init__(f"two different data sources are named {ds_name!r}; data source names must be unique")


@_feast
class FeastOfflineStoreUnsupportedDataSource(DataSourceError):
    def __init__(self, offline_store_name: str, data_source_name: str) -> None:
        super().__init__(f"offline store {offline_store_name!r} cannot read data source {data_source_name!r}")


@_feast
class FeastOnlineStoreUnsupportedDataSource(DataSourceError):
    def __init__(self, online_store_name: str, data_source_name: str) -> None:
        super().__init__(f"online store {online_store_name!r} cannot read data source {data_source_name!r}")


@_feast
class ZeroRowsQueryResult(DataSourceError):
    def __init__(self, query: str) -> None:
        super().__init__(f"this query returned no rows:\n{query}")


@_feast
class ZeroColumnQueryResult(DataSourceError):
    def __init__(self, query: str) -> None:
        super().__init__(f"this query returned no columns:\n{query}")


@_feast
class FeastJoinKeysDuringMaterialization(DataSourceError):
    def __init__(self, source: str, join_key_columns: set[str], source_columns: set[str]) -> None:
        super().__init__(
            f"rows of {source} being materialized lack join key column(s) {sorted(join_key_columns - source_columns)}"
        )


# ---- the registry -------------------------------------------------------------------------------------------


class RegistryError(FeastError):
    """The registry cannot be read or written."""


class RegistryConflictError(RegistryError):
    """Another writer changed the same object at the same time."""

    http_status = 409


@_feast
class ReadOnlyRegistryException(RegistryError):
    def __init__(self) -> None:
        super().__init__("this registry is read-only")


@_feast
class FeastObjectNotFoundException(FeastError, KeyError):
    """A registry object does not exist. A ``KeyError`` too, as feast_core's lookups always were."""

    http_status = 404
    grpc_status = "NOT_FOUND"
    kind = "object"

    def __init__(self, name: str, project: str | None = None, known: list[str] | None = None) -> None:
        self.name, self.project = name, project
        where = f" in project {project!r}" if project else ""
        hint = f"; known: {', '.join(sorted(known))}" if known else ""
        super().__init__(f"{self.kind} {name!r} does not exist{where}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        overridden = self.__dict__.get("_message")
        return overridden if overridden is not None else str(self.args[0])


@_feast
class EntityNotFoundException(FeastObjectNotFoundException):
    kind = "entity"


@_feast
class FeatureViewNotFoundException(FeastObjectNotFoundException):
    kind = "feature view"


@_feast
class OnDemandFeatureViewNotFoundException(FeastObjectNotFoundException):
    kind = "on-demand feature view"


@_feast
class FeatureServiceNotFoundException(FeastObjectNotFoundException):
    kind = "feature service"


@_feast
class DataSourceObjectNotFoundException(FeastObjectNotFoundException):
    kind = "data source"


@_feast
class PermissionObjectNotFoundException(FeastObjectNotFoundException):
    kind = "permission"


@_feast
class PermissionNotFoundException(PermissionObjectNotFoundException):
    pass


@_feast
class SavedDatasetNotFound(FeastObjectNotFoundException):
    kind = "saved dataset"


@_feast
class ValidationReferenceNotFound(FeastObjectNotFoundException):
    kind = "validation reference"


@_feast
class ProjectObjectNotFoundException(FeastObjectNotFoundException):
    kind = "project"

    def __init__(self, name: str, project: str | None = None, known: list[str] | None = None) -> None:
        super().__init__(name, None, known)


@_feast
class ProjectNotFoundException(ProjectObjectNotFoundException):
    pass


@_feast
class PushSourceNotFoundException(FeastObjectNotFoundException):
    http_status = 422
    kind = "push source"

    def __init__(self, push_source_name: str, project: str | None = None, known: list[str] | None = None) -> None:
        self.name, self.project = push_source_name, project
        where = f" in project {project!r}" if project else ""
        hint = f"; known push sources: {', '.join(sorted(known))}" if known else ""
        KeyError.__init__(self, f"Unable to find push source {push_source_name!r}{where}{hint}")


# ---- feature references and entity data ---------------------------------------------------------------------


class FeatureReferenceError(FeastError, ValueError):
    """A feature reference is malformed or names a feature that does not exist."""

    http_status = 404


@_feast
class InvalidFeaturesParameterType(FeatureReferenceError):
    http_status = 400

    def __init__(self, features: object) -> None:
        super().__init__(
            f"features must be a list of 'view:feature' references or a FeatureService, not {type(features).__name__}"
        )


@_feast
class FeatureNameCollisionError(FeastError, ValueError):
    """Two requested features would get the same output column name."""

    http_status = 400

    def __init__(self, feature_refs_collisions: list[str] | str, full_feature_names: bool = False) -> None:
        if isinstance(feature_refs_collisions, str):  # a message of ours
            super().__init__(feature_refs_collisions)
            return
        if full_feature_names:
            names = sorted({ref.replace(":", "__") for ref in feature_refs_collisions})
            fix = "rename one of the feature views, or alias it with .with_name()"
        else:
            names = sorted({ref.split(":", 1)[-1] for ref in feature_refs_collisions})
            fix = "pass full_feature_names=True to name columns 'view__feature', or rename the features"
        super().__init__(f"Duplicate features named {', '.join(names)} found; {fix}")


class EntityDataError(FeastError, ValueError):
    """entity_df or entity rows lack a column, carry a wrong type, or cannot be read."""

    http_status = 400


@_feast
class FeastEntityDFMissingColumnsError(EntityDataError):
    def __init__(self, expected: object, missing: object) -> None:
        super().__init__(f"entity_df must have columns {expected}; it lacks {missing}")


@_feast
class EntityTimestampInferenceException(EntityDataError):
    def __init__(self, expected_column_name: str) -> None:
        super().__init__(f"entity_df needs a column named {expected_column_name!r} holding the time of each row")


@_feast
class EntityDFNotDateTime(EntityDataError):
    def __init__(self) -> None:
        super().__init__("entity_df's timestamp column does not hold datetimes")


@_feast
class InvalidEntityType(EntityDataError):
    def __init__(self, entity_type: type) -> None:
        super().__init__(f"entity_df must be a pandas DataFrame or a SQL query, not {entity_type}")


@_feast
class EntitySQLEmptyResults(EntityDataError):
    def __init__(self, entity_sql: str) -> None:
        super().__init__(f"the entity_df query returned no rows: {entity_sql}")


@_feast
class RequestDataNotFoundInEntityDfException(EntityDataError, KeyError):
    def __init__(self, feature_name: str, feature_view_name: str) -> None:
        super().__init__(
            f"entity_df lacks request data column {feature_name!r} needed by on-demand feature view "
            f"{feature_view_name!r}"
        )

    __str__ = FeastObjectNotFoundException.__str__


@_feast
class RequestDataNotFoundInEntityRowsException(EntityDataError, KeyError):
    def __init__(self, feature_names: list[str]) -> None:
        super().__init__(f"entity rows lack request data field(s) {feature_names} needed by on-demand feature views")

    __str__ = FeastObjectNotFoundException.__str__


@_feast
class DataFrameSerializationError(EntityDataError):
    def __init__(self, input: object) -> None:
        what = f"a dict with keys {list(input)}" if isinstance(input, dict) else "the input"
        super().__init__(f"cannot turn {what} into a pandas DataFrame")


@_feast
class SavedDatasetLocationAlreadyExists(FeastError):
    def __init__(self, location: str) -> None:
        super().__init__(f"a saved dataset already exists at {location}")


# ---- running services ---------------------------------------------------------------------------------------


class OnlineDataError(FeastError):
    """A row in the online store cannot be read or is not in a layout this store may change."""

    http_status = 500


class StoreUnavailableError(FeastError):
    """A backing store (database server) cannot be reached."""

    http_status = 503
    grpc_status = "UNAVAILABLE"


class InvalidRequestError(FeastError, ValueError):
    """A request to one of feast_core's servers is malformed: an unknown call, a missing or mistyped parameter."""

    http_status = 422
    grpc_status = "INVALID_ARGUMENT"


class ProtectedProjectError(FeastError):
    http_status = 403
    grpc_status = "PERMISSION_DENIED"


@_feast
class FeastPermissionError(FeastError, PermissionError):
    """An authenticated user may not do this (Feast's class of the same name; HTTP 403)."""

    http_status = 403
    grpc_status = "PERMISSION_DENIED"

    def __init__(self, details: str) -> None:
        super().__init__(f"Permission error:\n{details}")
        self.details = details


class AuthenticationError(FeastError):
    """A request carries no usable credentials: no token, a malformed, unsigned, badly signed, expired or
    foreign token (HTTP 401). The message is for the server log; clients get one fixed answer."""

    http_status = 401
    grpc_status = "UNAUTHENTICATED"


class AuthConfigError(ConfigError):
    """The ``auth`` block cannot be honoured (an unreachable identity provider or Kubernetes API, a bad key):
    a server refuses to start rather than run open."""


# feast_core's earlier names for the same classes
ObjectNotFoundError = FeastObjectNotFoundException
EntityNotFoundError = EntityNotFoundException
FeatureViewNotFoundError = FeatureViewNotFoundException
OnDemandFeatureViewNotFoundError = OnDemandFeatureViewNotFoundException
FeatureServiceNotFoundError = FeatureServiceNotFoundException
DataSourceNotFoundError = DataSourceObjectNotFoundException
PermissionNotFoundError = PermissionObjectNotFoundException
ProjectNotFoundError = ProjectObjectNotFoundException
PushSourceNotFoundError = PushSourceNotFoundException
