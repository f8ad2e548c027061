"""feature_store.yaml parsing: strict blocks, errors naming key, block and file, env references."""

import pytest

from feast_core.config import find_config_file, load_config, parse_config
from feast_core.errors import ConfigError

MINIMAL = "project: demo\nregistry: data/registry.db\n"


def test_defaults_are_the_embedded_store():
    config = parse_config(MINIMAL)
    assert config.registry.registry_type == "file"
    assert config.offline_store.type == "file"
    assert config.online_store.type == "sqlite" and config.online_store.path == "data/online.db"
    assert config.entity_key_serialization_version == 3


def test_unknown_key_in_a_block_names_key_block_and_file():
    with pytest.raises(ConfigError, match=r"fs\.yaml: unknown key 'pth' in block 'online_store'"):
        parse_config(MINIMAL + "online_store:\n  type: sqlite\n  pth: x\n", "fs.yaml")


def test_missing_key_in_a_block_is_named():
    text = MINIMAL + "offline_store:\n  type: postgres\n  host: h\n  database: d\n  user: u\n"
    with pytest.raises(ConfigError, match="missing key 'password' in block 'offline_store'"):
        parse_config(text, "fs.yaml")


def test_registry_is_required_and_serialization_version_checked():
    with pytest.raises(ConfigError, match="missing required key 'registry'"):
        parse_config("project: demo\n")
    with pytest.raises(ConfigError, match="entity_key_serialization_version"):
        parse_config(MINIMAL + "entity_key_serialization_version: 1\n")
    assert parse_config(MINIMAL + "entity_key_serialization_version: 2\n").entity_key_serialization_version == 2


def test_the_charm_rendered_form_parses():
    text = """project: feast_project
registry:
  registry_type: sql
  path: postgresql+psycopg://u%40x:p%3A%2F@db:5432/registry
  cache_ttl_seconds: 60
  sqlalchemy_config_kwargs: {echo: false, pool_pre_ping: true}
provider: local
offline_store: {type: postgres, host: db, port: 5432, database: offline_store, db_schema: public, user: u, password: "p$HOME"}
online_store: {type: postgres, host: db, port: 5432, database: online_store, db_schema: public, user: u, password: p}
entity_key_serialization_version: 3
"""
    config = parse_config(text)
    assert config.registry.registry_type == "sql"
    assert config.offline_store.password == "p$HOME"  # a bare $VAR in a password is not expanded
    assert "p$HOME" not in repr(config.offline_store)


def test_braced_env_references_are_expanded(monkeypatch):
    monkeypatch.setenv("ONLINE_PATH", "/tmp/online.db")
    config = parse_config(MINIMAL + "online_store:\n  path: ${ONLINE_PATH}\n")
    assert config.online_store.path == "/tmp/online.db"


def test_file_is_found_by_flag_then_env_then_repo(tmp_path, monkeypatch):
    (tmp_path / "feature_store.yaml").write_text(MINIMAL)
    other = tmp_path / "other.yaml"
    other.write_text("project: other\nregistry: r.db\n")
    monkeypatch.delenv("FEAST_FS_YAML_FILE_PATH", raising=False)
    assert load_config(tmp_path).project == "demo"
    monkeypatch.setenv("FEAST_FS_YAML_FILE_PATH", str(other))
    assert load_config(tmp_path).project == "other"
    assert find_config_file(tmp_path, tmp_path / "feature_store.yaml") == tmp_path / "feature_store.yaml"
    with pytest.raises(ConfigError, match="no feature_store.yaml"):
        load_config(tmp_path, tmp_path / "missing.yaml")
