"""feature_store.yaml to a typed config: strict inside every block, errors naming key, block and file."""

from __future__ import annotations

import difflib
import logging
import os
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .auth.config import AUTH_TAGS, AuthBlock, NoAuthConfig
from .errors import ConfigError
from .yaml_source import YamlSource, format_path

log = logging.getLogger(__name__)

FS_YAML_ENV = "FEAST_FS_YAML_FILE_PATH"
DEFAULT_FILE = "feature_store.yaml"


class FeastConfigBaseModel(BaseModel):
    """A block of feature_store.yaml: unknown keys are errors (Feast's base class of the same name).

    Blocks can be changed after loading, as in Feast (``store.config.online_store.path = ...``); a value set
    is validated like one read from the file.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


_Block = FeastConfigBaseModel


REMOTE_REGISTRY_KEYS = ("cert", "is_tls", "client_cert", "client_key", "authority")


class RegistryConfig(_Block):
    """Where the registry lives. ``registry_type: remote``: a registry server (``feast serve_registry``) at
    ``path: host:port``, over Feast's gRPC protocol (registry/remote.py); TLS when ``cert`` (the CA or the
    server's self-signed certificate) or ``is_tls`` (the system's CAs) is set, ``client_cert``/``client_key`` for
    mutual TLS, ``authority`` to check the server's certificate under another name."""

    registry_type: Literal["file", "sql", "remote"] = "file"
    path: str = ""
    cache_ttl_seconds: float = 600
    cache_mode: Literal["sync", "thread"] = "sync"
    registry_store_type: str | None = None
    s3_additional_kwargs: dict | None = None
    sqlalchemy_config_kwargs: dict = Field(default_factory=lambda: {"echo": False})
    read_path: str | None = None
    purge_feast_metadata: bool = False
    thread_pool_executor_worker_count: int = 0
    schema_mode: Literal["auto", "verify", "skip"] = "auto"
    cert: str = ""
    is_tls: bool = False
    client_cert: str = ""
    client_key: str = ""
    authority: str = ""

    @model_validator(mode="after")
    def _remote_keys(self) -> RegistryConfig:
        if self.registry_type != "remote":
            given = [k for k in REMOTE_REGISTRY_KEYS if getattr(self, k)]
            if given:
                raise ValueError(f"{', '.join(given)} only apply to registry_type: remote")
            return self
        if not re.fullmatch(r"(\[[^\]]+\]|[^:/\s]+):\d{1,5}", self.path or ""):
            raise ValueError(f"registry_type: remote needs path: host:port (the registry server), not {self.path!r}")
        if bool(self.client_cert) != bool(self.client_key):
            raise ValueError("client_cert and client_key go together (mutual TLS)")
        return self


class PostgreSQLConfig(_Block):
    host: str
    port: int = 5432
    database: str
    db_schema: str = "public"
    user: str
    password: str = Field(repr=False)
    sslmode: str | None = None
    sslkey_path: str | None = None
    sslcert_path: str | None = None
    sslrootcert_path: str | None = None
    keepalives_idle: int | None = None
    min_conn: int = 1
    max_conn: int = 10
    conn_type: Literal["singleton", "pool"] = "singleton"

    @property
    def endpoint(self) -> str:
        """``host:port/database``, for error messages (never the password)."""
        return f"{self.host}:{self.port}/{self.database}"


class FileOfflineStoreConfig(_Block):
    type: Literal["file", "dask", "duckdb"] = "file"
    staging_location: str | None = None
    staging_location_endpoint_override: str | None = None


class PostgresOfflineStoreConfig(PostgreSQLConfig):
    type: Literal["postgres"]
    entity_select_mode: Literal["temp_table", "embed_query"] = "temp_table"


def _spark_conf_as_text(value: Any) -> Any:
    """Spark settings are strings; YAML reads ``spark.sql.shuffle.partitions: 4`` as a number."""
    if isinstance(value, dict):
        return {str(k): (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items()}
    return value


class SparkOfflineStoreConfig(_Block):
    """Feast's Spark offline store keys. ``spark_conf`` configures the session feast_core starts (or, with
    ``spark.remote: sc://host:port``, the Spark Connect session it opens); see feast_core/spark/session.py."""

    type: Literal["spark"]
    spark_conf: dict[str, str] | None = None
    staging_location: str | None = None
    region: str | None = None

    _spark_conf_text = field_validator("spark_conf", mode="before")(_spark_conf_as_text)


class RemoteOfflineStoreConfig(_Block):
    """An offline server (``feast serve_offline``), reached over Feast's Arrow Flight protocol (offline/remote.py).

    ``scheme: https`` connects with TLS (``grpc+tls``), checking the server against ``cert`` (a CA or the server's
    self-signed certificate) or, without it, the system's CAs. ``port`` defaults to the server's 8815.
    """

    type: Literal["remote"]
    scheme: Literal["http", "https"] = "http"
    host: str
    port: int | None = Field(default=None, gt=0, lt=65536)
    cert: str = ""
    connection_retries: int = Field(default=3, ge=0)


class SqliteOnlineStoreConfig(_Block):
    type: Literal["sqlite"] = "sqlite"
    path: str = "data/online.db"
    vector_enabled: bool = False
    similarity: str = "cosine"
    text_search_enabled: bool = False
    enable_openai_compatible_store: bool = False


class PostgresOnlineStoreConfig(PostgreSQLConfig):
    type: Literal["postgres"]
    vector_enabled: bool = False
    similarity: str = "cosine"
    enable_openai_compatible_store: bool = False


class RemoteOnlineStoreConfig(_Block):
    """A feature server's online store, reached over Feast's HTTP protocol (online/remote.py)."""

    type: Literal["remote"]
    path: str = "http://localhost:6566"
    cert: str = ""
    connection_pool_size: int = Field(default=50, gt=0)
    connection_idle_timeout: int = Field(default=300, ge=0)
    connection_retries: int = Field(default=3, ge=0)

    @field_validator("path")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be the feature server's http:// or https:// URL, not {value!r}")
        return value


class BatchEngineConfig(_Block):
    type: Literal["local"] = "local"
    backend: str | None = None


class MaterializationConfig(_Block):
    pull_latest_features: bool = False
    online_write_batch_size: int | None = Field(default=None, gt=0)


class SparkEngineConfig(_Block):
    """Feast's ``spark.engine`` keys: materialization computed in Spark and written by its partitions.

    ``spark_conf`` falls back to the Spark offline store's; ``partitions`` (0: Spark's own) is how many
    partitions write to the online store."""

    type: Literal["spark.engine"]
    spark_conf: dict[str, str] | None = None
    staging_location: str | None = None
    region: str | None = None
    partitions: int = Field(default=0, ge=0)

    _spark_conf_text = field_validator("spark_conf", mode="before")(_spark_conf_as_text)


class MetricsConfig(_Block):
    """``feature_server: metrics:``, Feast's per-category metric switches (see feast_core.telemetry).

    Unlike Feast, whose metrics stay off unless ``enabled: true`` (or ``feast serve --metrics``), feast_core's
    servers record them and serve ``/metrics`` unless ``enabled: false``.
    """

    enabled: bool | None = None
    resource: bool = True
    request: bool = True
    feature_count_bins: list[int] = Field(default_factory=lambda: [10, 50, 200])
    online_features: bool = True
    push: bool = True
    materialization: bool = True
    freshness: bool = True
    offline_features: bool = True
    audit_logging: bool = False

    @field_validator("feature_count_bins")
    @classmethod
    def _increasing(cls, bins: list[int]) -> list[int]:
        if any(b <= 0 for b in bins) or any(lo >= hi for lo, hi in zip(bins, bins[1:])):
            raise ValueError(f"feature_count_bins must be positive and strictly increasing, got {bins}")
        return bins


class FeatureServerConfig(_Block):
    """``feature_server:``; of Feast's keys only ``metrics`` changes what feast_core does (FEAST_ONLY_KEYS has the rest)."""

    type: Literal["local"] = "local"
    metrics: MetricsConfig | None = None


OfflineStoreConfig = Annotated[
    FileOfflineStoreConfig | PostgresOfflineStoreConfig | SparkOfflineStoreConfig | RemoteOfflineStoreConfig,
    Field(discriminator="type"),
]
EngineConfig = Annotated[BatchEngineConfig | SparkEngineConfig, Field(discriminator="type")]
OnlineStoreConfig = Annotated[
    SqliteOnlineStoreConfig | PostgresOnlineStoreConfig | RemoteOnlineStoreConfig, Field(discriminator="type")
]

_ALIASES = {"dask": "file", "duckdb": "file"}
# Feast lets a store block name its class instead of its type; these are the classes feast_core runs
STORE_CLASSES = {
    "online_store": {
        "feast.infra.online_stores.sqlite.SqliteOnlineStore": "sqlite",
        "feast.infra.online_stores.postgres_online_store.postgres.PostgreSQLOnlineStore": "postgres",
        "feast.infra.online_stores.contrib.postgres.PostgreSQLOnlineStore": "postgres",
        "feast.infra.online_stores.remote.RemoteOnlineStore": "remote",
    },
    "offline_store": {
        "feast.infra.offline_stores.file.FileOfflineStore": "file",
        "feast.infra.offline_stores.dask.DaskOfflineStore": "dask",
        "feast.infra.offline_stores.duckdb.DuckDBOfflineStore": "duckdb",
        "feast.infra.offline_stores.contrib.postgres_offline_store.postgres.PostgreSQLOfflineStore": "postgres",
        "feast.infra.offline_stores.remote.RemoteOfflineStore": "remote",
    },
}


def _store_type(block: str, value: str) -> str:
    """A store block's ``type``, given as a type name or as Feast's (or feast_core's) class path."""
    classes = STORE_CLASSES.get(block, {})
    return classes.get(value) or classes.get(value.replace("feast_core.", "feast.", 1)) or value
_PROJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


class RepoConfig(BaseModel):
    """The whole of feature_store.yaml. A key valid nowhere is an error (Feast accepts any top-level key); keys
    only Feast uses are dropped with a warning before the model sees them (FEAST_ONLY_KEYS)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    project: str
    project_description: str | None = None
    provider: Literal["local", "gcp", "aws", "azure"] = "local"
    registry: RegistryConfig = Field(default_factory=RegistryConfig)  # path "" = data/registry.db
    offline_store: OfflineStoreConfig = Field(default_factory=FileOfflineStoreConfig)
    online_store: OnlineStoreConfig | None = Field(default_factory=SqliteOnlineStoreConfig)
    batch_engine: EngineConfig = Field(default_factory=BatchEngineConfig)
    auth: AuthBlock = Field(default_factory=NoAuthConfig)
    feature_server: FeatureServerConfig | None = None
    entity_key_serialization_version: Literal[2, 3] = 3
    coerce_tz_aware: bool = True
    flags: dict | None = None
    materialization: MaterializationConfig = Field(default_factory=MaterializationConfig)
    repo_path: Path = Path(".")
    source: str = "<string>"

    @model_validator(mode="before")
    @classmethod
    def _feast_forms(cls, data: Any) -> Any:
        """The short forms Feast accepts in Python too: ``registry="path"``, ``online_store="sqlite"``, ..."""
        return _normalise(data) if isinstance(data, dict) else data

    @field_validator("project")
    @classmethod
    def _project_name(cls, value: str) -> str:
        if not _PROJECT.match(value):
            raise ValueError(
                f"project name {value!r} is invalid: use only alphanumerical values, underscores, and hyphens "
                "(not starting with '_' or '-')"
            )
        return value

    def resolve(self, path: str) -> Path:
        """A path from the config, made absolute against the repo directory."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.repo_path / candidate)


# Keys Feast 0.40-0.67 accepts that feast_core does not use, per block: a Feast user's file still loads.
FEAST_ONLY_KEYS: dict[tuple[str, ...], frozenset[str]] = {
    (): frozenset({"embedding_model", "openlineage", "mlflow", "data_quality_monitoring", "go_feature_serving",
                   "go_feature_retrieval"}),
    ("registry",): frozenset({"enable_online_feature_view_versioning", "serve_features_while_materializing", "mcp"}),
    ("online_store",): frozenset({"max_batched_result_rows"}),
    ("feature_server",): frozenset({"enabled", "transformation_service_endpoint", "feature_logging", "audit_logging",
                                    "offline_push_batching_enabled", "offline_push_batching_batch_size",
                                    "offline_push_batching_batch_interval_seconds"}),
}
_INTERNAL_FIELDS = ("repo_path", "source")  # set by parse_config, not by the file


def _normalise(data: dict) -> dict:
    data = dict(data)
    for key in ("registry", "offline_store", "online_store", "batch_engine", "auth"):
        value = data.get(key)
        if isinstance(value, str):
            if key == "registry":
                data[key] = {"path": value}
            elif key == "online_store" and value.lower() in ("none", "null"):
                data[key] = None
            else:
                data[key] = {"type": _store_type(key, value)}
    if "batch_engine_config" in data and "batch_engine" not in data:
        data["batch_engine"] = data.pop("batch_engine_config")
    offline = data.get("offline_store")
    if isinstance(offline, dict):
        offline = dict(offline)
        kind = _store_type("offline_store", offline.get("type", "file"))
        offline["type"] = _ALIASES.get(kind, kind)
        data["offline_store"] = offline
    engine = data.get("batch_engine")
    if isinstance(engine, dict) and "type" not in engine:
        data["batch_engine"] = {**engine, "type": "local"}
    online = data.get("online_store")
    if isinstance(online, dict):
        data["online_store"] = {**online, "type": _store_type("online_store", online.get("type", "sqlite"))}
    return data


def _drop_feast_only_keys(data: dict, source: str) -> dict:
    """``data`` without the keys only Feast uses; a warning names those set to something other than off."""
    ignored = []
    for block, keys in FEAST_ONLY_KEYS.items():
        holder = data
        for part in block:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or not keys.intersection(holder):
            continue
        kept = {k: v for k, v in holder.items() if k not in keys}
        ignored += [format_path((*block, k)) for k, v in holder.items() if k in keys and not _off(v)]
        if block:
            data = {**data, block[0]: kept}
        else:
            data = kept
    if ignored:
        log.warning("%s: feast_core ignores these Feast settings: %s", source, ", ".join(ignored))
    return data


def _off(value: Any) -> bool:
    return value in (None, False) or (isinstance(value, dict) and value.get("enabled") is False)


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation (a model, a union, Annotated[...], Optional) can hold."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models(arg)]


def _valid_keys(path: tuple[str, ...], data: dict) -> list[str]:
    """The keys the block at ``path`` accepts (the block of its ``type`` where there are several)."""
    candidates: list[type[BaseModel]] = [RepoConfig]
    node: Any = data
    for part in path:
        candidates = [m for c in candidates if part in c.model_fields for m in _models(c.model_fields[part].annotation)]
        node = node.get(part) if isinstance(node, dict) else None
        if len(candidates) > 1 and isinstance(node, dict):
            typed = [m for m in candidates
                     if "type" in m.model_fields and node.get("type") in typing.get_args(m.model_fields["type"].annotation)]
            candidates = typed or candidates
    keys = {k for model in candidates for k in model.model_fields if k not in _INTERNAL_FIELDS}
    keys |= FEAST_ONLY_KEYS.get(tuple(path), frozenset())
    if not path:
        keys.add("batch_engine_config")
    return sorted(keys)


def _key_path(loc: tuple, data: dict) -> tuple:
    """A pydantic error location as the keys of the file (union tags such as 'postgres' left out)."""
    path, node = [], data
    for index, part in enumerate(loc):
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node))
        if present:
            node = node[part]
        elif index < len(loc) - 1:
            continue  # a union member's tag, not a key
        path.append(part)
    return tuple(path)


def _describe(error: dict, data: dict, located: YamlSource) -> str:
    path = _key_path(tuple(error["loc"]), data)
    if len(path) == 2 and path[0] == "auth" and path[1] in AUTH_TAGS:  # a check of the whole auth block
        path = path[:1]
    key = str(path[-1]) if path else "?"
    block = format_path(path[:-1])
    line = located.line_of(path)
    if line is None and path and path[0] == "batch_engine":  # written under Feast's older name
        line = located.line_of(("batch_engine_config", *path[1:]))
    at = f"{located.source}:{line}" if line else located.source
    kind = error["type"]
    if kind == "extra_forbidden":
        where = f"in block {block!r}" if block else "at the top level"
        valid = _valid_keys(tuple(str(p) for p in path[:-1]), data)
        near = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]!r}?" if near else "valid keys: " + ", ".join(map(repr, valid))
        return f"{at}: unknown key {key!r} {where}; {hint}"
    if kind == "missing":
        return f"{at}: missing key {key!r} in block {block!r}" if block else f"{at}: missing required key {key!r}"
    if kind == "auth_type":
        return f"{at}: block 'auth': {error['msg']}, not {error['input'].get('type')!r}"
    if kind == "union_tag_invalid":
        return f"{at}: block {format_path(path)!r}: {error['msg']}"
    return f"{at}: key {format_path(path) or 'top level'!r}: {error['msg']}"


def parse_config(text: str, source: str = "<string>", repo_path: Path | str | None = None) -> RepoConfig:
    """Parse the text of a feature_store.yaml (``${VAR}`` references expanded first, see yaml_source)."""
    located = YamlSource(text, source)
    try:
        data = yaml.safe_load(located.expanded())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys such as 'project' and 'registry'")
    data.pop("repo_path", None)  # Feast's too: the config's repo_path is where the repository is, whatever this says
    if "source" in data:
        raise ConfigError(_describe({"loc": ("source",), "type": "extra_forbidden"}, data, located))
    data = _normalise(_drop_feast_only_keys(data, source))
    # a file must name its registry (Feast's FeastRegistryNotSetError), though RepoConfig(...) in Python need not
    missing = [f"{source}: missing required key 'registry'"] if "registry" not in data else []
    try:
        config = RepoConfig(**data, repo_path=Path(repo_path or ".").resolve(), source=source)
    except ValidationError as exc:
        raise ConfigError("\n".join(missing + [_describe(e, data, located) for e in exc.errors()])) from None
    if missing:
        raise ConfigError(missing[0])
    return config


def find_config_file(repo_path: Path | str | None = None, fs_yaml_file: Path | str | None = None) -> Path:
    """Where feature_store.yaml is: an explicit path, then $FEAST_FS_YAML_FILE_PATH, then the repo directory."""
    if fs_yaml_file:
        return Path(fs_yaml_file)
    if os.environ.get(FS_YAML_ENV):
        return Path(os.environ[FS_YAML_ENV])
    return Path(repo_path or ".") / DEFAULT_FILE


def load_config(repo_path: Path | str | None = None, fs_yaml_file: Path | str | None = None) -> RepoConfig:
    path = find_config_file(repo_path, fs_yaml_file)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no feature_store.yaml here; pass -f/--feature-store-yaml, set {FS_YAML_ENV}, "
            "or run inside a feature repository (feast init creates one)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_config(text, str(path), repo_path if repo_path is not None else Path.cwd())


def load_repo_config(repo_path: Path | str, fs_yaml_file: Path | str | None = None) -> RepoConfig:
    """Feast's name for reading a repository's feature_store.yaml (``fs_yaml_file``, default the repo's own)."""
    return load_config(repo_path, fs_yaml_file or Path(repo_path) / DEFAULT_FILE)


FeastConfigError = ConfigError  # Feast's name (feast.repo_config.FeastConfigError)


def config_to_yaml(config: RepoConfig) -> str:
    data: dict[str, Any] = config.model_dump(mode="json", exclude={"repo_path", "source"}, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False)
