"""feature_store.yaml to a typed config: strict inside every block, errors naming key, block and file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

FS_YAML_ENV = "FEAST_FS_YAML_FILE_PATH"
DEFAULT_FILE = "feature_store.yaml"


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegistryConfig(_Block):
    registry_type: Literal["file", "sql"] = "file"
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


class BatchEngineConfig(_Block):
    type: Literal["local"] = "local"
    backend: str | None = None


class AuthConfig(BaseModel):
    # auth blocks carry type-specific keys (oidc urls, tokens); auth/ validates them per type
    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["no_auth", "oidc", "kubernetes"] = "no_auth"


OfflineStoreConfig = Annotated[
    FileOfflineStoreConfig | PostgresOfflineStoreConfig, Field(discriminator="type")
]
OnlineStoreConfig = Annotated[SqliteOnlineStoreConfig | PostgresOnlineStoreConfig, Field(discriminator="type")]

_ALIASES = {"dask": "file", "duckdb": "file"}
_PROJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


class RepoConfig(BaseModel):
    """The whole of feature_store.yaml. Unknown top-level keys are kept (Feast allows them)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    project: str
    project_description: str | None = None
    provider: Literal["local", "gcp", "aws", "azure"] = "local"
    registry: RegistryConfig
    offline_store: OfflineStoreConfig = Field(default_factory=FileOfflineStoreConfig)
    online_store: OnlineStoreConfig | None = Field(default_factory=SqliteOnlineStoreConfig)
    batch_engine: BatchEngineConfig = Field(default_factory=BatchEngineConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    feature_server: dict | None = None
    entity_key_serialization_version: Literal[2, 3] = 3
    coerce_tz_aware: bool = True
    flags: dict | None = None
    materialization: dict | None = None
    repo_path: Path = Path(".")
    source: str = "<string>"

    @field_validator("project")
    @classmethod
    def _project_name(cls, value: str) -> str:
        if not _PROJECT.match(value):
            raise ValueError(
                f"project name {value!r} is invalid: use letters, digits, '_' and '-', not starting with '_' or '-'"
            )
        return value

    def resolve(self, path: str) -> Path:
        """A path from the config, made absolute against the repo directory."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.repo_path / candidate)


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
                data[key] = {"type": value}
    if "batch_engine_config" in data and "batch_engine" not in data:
        data["batch_engine"] = data.pop("batch_engine_config")
    offline = data.get("offline_store")
    if isinstance(offline, dict):
        offline = dict(offline)
        offline["type"] = _ALIASES.get(offline.get("type", "file"), offline.get("type", "file"))
        data["offline_store"] = offline
    online = data.get("online_store")
    if isinstance(online, dict) and "type" not in online:
        data["online_store"] = {**online, "type": "sqlite"}
    return data


def _describe(error: dict) -> str:
    loc = [str(part) for part in error["loc"] if not (isinstance(part, str) and part in ("file", "postgres", "sqlite"))]
    key = loc[-1] if loc else "?"
    block = ".".join(loc[:-1]) or "top level"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {key!r} in block {block!r}"
    if kind == "missing":
        return f"missing key {key!r} in block {block!r}" if loc[:-1] else f"missing required key {key!r}"
    if kind == "union_tag_invalid":
        return f"block {'.'.join(loc)!r}: {error['msg']}"
    where = ".".join(loc) or "top level"
    return f"key {where!r}: {error['msg']}"


_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(text: str) -> str:
    """Replace ``${VAR}`` with the variable's value when it is set.

    Unlike Feast, a bare ``$VAR`` is left alone: a password such as ``pa$HOME`` must survive.
    """
    return _ENV_REFERENCE.sub(lambda m: os.environ.get(m.group(1), m.group(0)), text)


def parse_config(text: str, source: str = "<string>", repo_path: Path | str | None = None) -> RepoConfig:
    """Parse the text of a feature_store.yaml (``${VAR}`` references expanded first)."""
    try:
        data = yaml.safe_load(expand_env(text))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys such as 'project' and 'registry'")
    if "registry" not in data:
        raise ConfigError(f"{source}: missing required key 'registry'")
    data = _normalise(data)
    data.pop("repo_path", None)
    data.pop("source", None)
    try:
        return RepoConfig(**data, repo_path=Path(repo_path or ".").resolve(), source=source)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"{source}: {problems}") from None


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


def config_to_yaml(config: RepoConfig) -> str:
    data: dict[str, Any] = config.model_dump(mode="json", exclude={"repo_path", "source"}, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False)
