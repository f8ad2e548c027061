"""Feast's module paths, declared once.

A Feast user changes ``from feast...`` to ``from feast_core...`` and nothing else, so every module path of
Feast's public API must import here too. Most of Feast's classes live in our own modules under other names
(``feast_core.store`` holds ``FeatureStore``, Feast's ``feast.feature_store``); this table says where, and
an import hook answers ``import feast_core.<feast path>`` from it. No class is defined here.

Each entry maps a Feast module path (below ``feast``) to one of:

* ``"our.module"``: Feast's path is that module of ours, the very same module object (so ``mock.patch`` on
  either path reaches the code that runs);
* ``{"Name": "our.module", "Alias": "our.module:OurName", ...}``: a module made of names of ours, each
  looked up in the module given (under the same name, or the one after ``:``).

Paths that are real modules of ours (``feast_core.types``, ``feast_core.errors``, ...) are not listed: the
normal import system finds them first. Parents of listed paths (``feast_core.infra``) become empty packages.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types

Target = str | dict[str, str]


_D = "definitions"
_SOURCES = "definitions.sources"
_FOREIGN = "definitions.foreign_sources"
_TRANSFORMATIONS = "definitions.transformations"


def _names(module: str, *names: str) -> dict[str, str]:
    return {name: module for name in names}


FEAST_MODULES: dict[str, Target] = {
    # the facade and its configuration
    "feature_store": "store",
    "repo_config": "config",
    "repo_operations": "repo",
    "online_response": "response",
    # what a user declares
    "entity": {"Entity": _D},
    "field": {
        "Field": _D, "Feature": "definitions.feature",
        "STRUCT_SCHEMA_TAG": "definitions.field", "NESTED_COLLECTION_INNER_TYPE_TAG": "definitions.field",
        "_feast_type_to_str": "types:to_tag_string", "_str_to_feast_type": "types:from_tag_string",
    },
    "feature": {"Feature": "definitions.feature"},
    "value_type": {"ValueType": "types"},
    "feature_view": {
        "FeatureView": _D, "FeatureViewState": _D,
        **_names("definitions.feature_view", "DUMMY_ENTITY_NAME", "DUMMY_ENTITY_ID", "DUMMY_ENTITY_VAL",
                 "DUMMY_ENTITY_FIELD"),
    },
    "feature_view_projection": {"FeatureViewProjection": _D},
    "batch_feature_view": {"BatchFeatureView": _D},
    "stream_feature_view": {"StreamFeatureView": _D, "stream_feature_view": _D},
    "feature_service": {"FeatureService": _D},
    "on_demand_feature_view": {
        "OnDemandFeatureView": _D, "on_demand_feature_view": "definitions.on_demand",
        "PandasTransformation": _TRANSFORMATIONS, "PythonTransformation": _TRANSFORMATIONS,
    },
    "transformation.base": {"Transformation": _TRANSFORMATIONS},
    "transformation.mode": {"TransformationMode": _TRANSFORMATIONS},
    "transformation.pandas_transformation": {"PandasTransformation": _TRANSFORMATIONS},
    "transformation.python_transformation": {"PythonTransformation": _TRANSFORMATIONS},
    "project": {"Project": _D},
    "saved_dataset": {"SavedDataset": _D},
    "aggregation": {"Aggregation": "definitions.aggregation"},
    "data_format": _names(
        "definitions.formats", "FileFormat", "ParquetFormat", "DeltaFormat", "StreamFormat", "AvroFormat", "JsonFormat",
        "ProtoFormat",
    ),
    "data_source": {
        **_names(_SOURCES, "DataSource", "PushSource", "RequestSource"),
        **_names(_FOREIGN, "KafkaSource", "KinesisSource", "KafkaOptions", "KinesisOptions"),
        "PushMode": "store",
    },
    "feast_object": {"ALL_RESOURCE_TYPES": _D},
    # permissions
    "permissions.permission": {"Permission": "definitions.permission"},
    "permissions.action": _names("definitions.permission", "AuthzedAction", "ALL_ACTIONS", "READ", "WRITE", "CRUD"),
    "permissions.policy": _names(
        "definitions.permission", "Policy", "AllowAll", "RoleBasedPolicy", "GroupBasedPolicy", "NamespaceBasedPolicy",
        "CombinedGroupNamespacePolicy",
    ),
    "permissions.auth_model": _names(
        "auth.config", "AuthConfig", "NoAuthConfig", "OidcAuthConfig", "OidcClientAuthConfig", "KubernetesAuthConfig",
    ),
    "permissions.auth.auth_type": {"AuthType": "auth.config"},
    "permissions.user": {"User": "auth.user"},
    "permissions.enforcer": {"enforce_policy": "auth.enforce:enforce"},
    # offline stores: configuration and sources
    "infra.offline_stores.file_source": {
        "FileSource": _SOURCES, "FileLoggingDestination": "feature_logging",
        "SavedDatasetFileStorage": "definitions.saved_dataset",
    },
    "infra.offline_stores.bigquery_source": _names(_FOREIGN, "BigQuerySource", "BigQueryOptions"),
    "infra.offline_stores.redshift_source": _names(_FOREIGN, "RedshiftSource", "RedshiftOptions"),
    "infra.offline_stores.snowflake_source": _names(_FOREIGN, "SnowflakeSource", "SnowflakeOptions"),
    "infra.offline_stores.contrib.athena_offline_store.athena_source": _names(_FOREIGN, "AthenaSource", "AthenaOptions"),
    "infra.offline_stores.offline_store": {"RetrievalJob": "store"},
    "infra.offline_stores.file": {
        "FileOfflineStoreConfig": "config", "FileOfflineStore": "offline.file",
    },
    "infra.offline_stores.duckdb": {
        "DuckDBOfflineStoreConfig": "config:FileOfflineStoreConfig", "DuckDBOfflineStore": "offline.file:FileOfflineStore",
    },
    "infra.offline_stores.contrib.postgres_offline_store.postgres_source": {"PostgreSQLSource": _SOURCES},
    "infra.offline_stores.contrib.spark_offline_store.spark_source": _names(
        _SOURCES, "SparkSource", "SPARK_FILE_FORMATS",
    ),
    "infra.offline_stores.contrib.spark_offline_store.spark": {
        "SparkOfflineStoreConfig": "config", "SparkOfflineStore": "offline.spark", "SparkSource": _SOURCES,
    },
    "infra.offline_stores.contrib.postgres_offline_store.postgres": {
        "PostgreSQLOfflineStoreConfig": "config:PostgresOfflineStoreConfig",
        "PostgreSQLOfflineStore": "offline.postgres:PostgresOfflineStore",
        "PostgreSQLSource": _SOURCES,
    },
    "infra.offline_stores.remote": {
        "RemoteOfflineStoreConfig": "config", "RemoteOfflineStore": "offline.remote",
    },
    # online stores: configuration and stores
    "infra.online_stores.sqlite": {
        "SqliteOnlineStoreConfig": "config", "SqliteOnlineStore": "online.sqlite",
    },
    "infra.online_stores.postgres_online_store.postgres": {
        "PostgreSQLOnlineStoreConfig": "config:PostgresOnlineStoreConfig",
        "PostgreSQLOnlineStore": "online.postgres:PostgresOnlineStore",
    },
    "infra.online_stores.dynamodb": {"DynamoDBOnlineStore": "online.unavailable"},
    "infra.online_stores.remote": {
        "RemoteOnlineStoreConfig": "config", "RemoteOnlineStore": "online.remote",
    },
    # the HTTP feature server
    "feature_server": {
        "get_app": "server.app:create_app", "MaterializeRequest": "server.schemas",
        "MaterializeIncrementalRequest": "server.schemas", "GetOnlineFeaturesRequest": "server.schemas",
        "PushFeaturesRequest": "server.schemas:PushRequest",
        "WriteToFeatureStoreRequest": "server.schemas:WriteToOnlineStoreRequest",
    },
    # helpers Feast keeps in feast.utils
    "utils": {
        "_utc_now": "timestamps:utc_now", "make_tzaware": "timestamps", "make_df_tzaware": "timestamps",
        "tags_list_to_dict": "tags", "tags_str_to_dict": "tags", "has_all_tags": "tags",
        "_validate_feature_refs": "plans:check_reference_collisions",
    },
    # the registry
    "infra.registry.registry": {"Registry": "registry"},
    "infra.registry.base_registry": {"BaseRegistry": "registry:Registry"},
    # providers: the layer between a feature store and its stores, in Feast's terms
    "infra.provider": _names("provider", "Provider", "get_provider"),
    "infra.passthrough_provider": {"PassthroughProvider": "provider"},
    "infra.supported_async_methods": _names("provider", "ProviderAsyncMethods", "SupportedAsyncMethods"),
    "inference": _names("validate", "update_feature_views_with_inferred_features_and_entities"),
}


def _parents(paths) -> set[str]:
    parents = set()
    for path in paths:
        parts = path.split(".")
        parents.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return parents


_PACKAGES = _parents(FEAST_MODULES)


class _Loader(importlib.abc.Loader):
    def __init__(self, relative: str) -> None:
        self.relative = relative

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        target = FEAST_MODULES.get(self.relative)
        if isinstance(target, str):
            module = importlib.import_module(f"{__package__}.{target}")
            self._spec = module.__spec__  # the import system overwrites __spec__; exec_module puts it back
            return module
        module = types.ModuleType(spec.name)
        if self.relative in _PACKAGES:
            module.__path__ = []
        names = target or {}
        for name, where in names.items():
            module_name, _, attribute = where.partition(":")
            setattr(module, name, getattr(importlib.import_module(f"{__package__}.{module_name}"), attribute or name))
        module.__all__ = sorted(names)
        module.__doc__ = f"Feast's ``feast.{self.relative}`` module path (see feast_core.feast_modules)."
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        spec = getattr(self, "_spec", None)
        if spec is not None:
            module.__spec__ = spec


class FeastPathFinder(importlib.abc.MetaPathFinder):
    """Answers ``feast_core.<Feast path>`` imports that no real module of ours answers (it sits last)."""

    prefix = f"{__package__}."

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(self.prefix):
            return None
        relative = fullname[len(self.prefix):]
        if relative not in FEAST_MODULES and relative not in _PACKAGES:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(relative), is_package=relative in _PACKAGES)


def install() -> None:
    if not any(isinstance(finder, FeastPathFinder) for finder in sys.meta_path):
        sys.meta_path.append(FeastPathFinder())
