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
    with pytest.raises(ConfigError, match=r"fs\.yaml:5: unknown key 'pth' in block 'online_store'"):
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


# ---- every level strict, with the nearest valid key -------------------------------------------


@pytest.mark.parametrize("text, key, block, nearest, line", [
    (MINIMAL + "online_stor:\n  type: sqlite\n", "online_stor", "", "online_store", 3),
    (MINIMAL + "entity_key_serialisation_version: 3\n", "entity_key_serialisation_version", "",
     "entity_key_serialization_version", 3),
    ("project: demo\nregistry:\n  path: r.db\n  cache_ttl_secs: 5\n", "cache_ttl_secs", "registry",
     "cache_ttl_seconds", 4),
    (MINIMAL + "online_store:\n  type: sqlite\n  pth: x\n", "pth", "online_store", "path", 5),
    (MINIMAL + "offline_store:\n  type: postgres\n  host: h\n  database: d\n  user: u\n  password: p\n  db_shema: s\n",
     "db_shema", "offline_store", "db_schema", 9),
    (MINIMAL + "materialization:\n  pull_latest: true\n", "pull_latest", "materialization", "pull_latest_features", 4),
])
def test_an_unknown_key_at_any_level_names_key_block_file_line_and_the_nearest_valid_key(text, key, block, nearest, line):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "fs.yaml")
    message = str(caught.value)
    where = f"in block {block!r}" if block else "at the top level"
    assert message.startswith(f"fs.yaml:{line}: unknown key {key!r} {where}; did you mean {nearest!r}?")


def test_a_misspelt_required_key_is_named_with_the_missing_one():
    with pytest.raises(ConfigError) as caught:
        parse_config("project: demo\nregisty: data/registry.db\n", "fs.yaml")
    assert "fs.yaml: missing required key 'registry'" in str(caught.value)
    assert "fs.yaml:2: unknown key 'registy' at the top level; did you mean 'registry'?" in str(caught.value)


def test_an_unknown_key_with_no_near_match_lists_the_valid_keys():
    with pytest.raises(ConfigError, match=r"fs\.yaml:3: unknown key 'zzz' at the top level; valid keys: .*'online_store'"):
        parse_config(MINIMAL + "zzz: 1\n", "fs.yaml")


FEAST_ONLY_KEYS = """project: demo
project_description: a store Feast also reads
provider: local
registry:
  path: data/registry.db
  cache_ttl_seconds: 60
  enable_online_feature_view_versioning: true
  serve_features_while_materializing: false
online_store:
  type: sqlite
  path: data/online.db
offline_store:
  type: file
batch_engine:
  type: local
entity_key_serialization_version: 3
coerce_tz_aware: true
materialization:
  pull_latest_features: false
openlineage:
  enabled: false
mlflow:
  enabled: true
  tracking_uri: http://localhost:5000
data_quality_monitoring:
  auto_baseline: true
"""


def test_keys_only_feast_uses_are_accepted_with_a_warning_naming_them(caplog):
    with caplog.at_level("WARNING", logger="feast_core.config"):
        config = parse_config(FEAST_ONLY_KEYS, "fs.yaml")
    assert config.project == "demo" and config.registry.cache_ttl_seconds == 60
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning == ("fs.yaml: feast_core ignores these Feast settings: mlflow, data_quality_monitoring, "
                       "registry.enable_online_feature_view_versioning")  # settings that are off are not named


def test_the_file_with_feast_only_keys_is_one_upstream_feast_loads(upstream_feast, tmp_path):
    (tmp_path / "feature_store.yaml").write_text(FEAST_ONLY_KEYS)
    loaded = upstream_feast.run_python("""
        import json
        from pathlib import Path
        from feast.repo_config import load_repo_config
        config = load_repo_config(Path("."), Path("feature_store.yaml"))
        print(json.dumps([config.project, config.registry.cache_ttl_seconds, config.online_store.type]))
    """, cwd=tmp_path)
    assert loaded == ["demo", 60, "sqlite"]


def test_a_postgres_online_block_written_for_feast_loads():
    text = MINIMAL + ("online_store: {type: postgres, host: h, database: d, user: u, password: p, "
                      "max_batched_result_rows: 1000}\n")
    assert parse_config(text).online_store.type == "postgres"


# ---- ${VAR} references ------------------------------------------------------------------------


def test_an_unset_variable_is_an_error_naming_it_its_key_and_line(monkeypatch):
    monkeypatch.delenv("FEAST_TEST_PG_PASSWORD", raising=False)
    monkeypatch.delenv("FEAST_TEST_ONLINE_PATH", raising=False)
    text = MINIMAL + (
        "online_store:\n  type: sqlite\n  path: ${FEAST_TEST_ONLINE_PATH}/online.db\n"
        "offline_store:\n  type: postgres\n  host: h\n  database: d\n  user: u\n  password: ${FEAST_TEST_PG_PASSWORD}\n"
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "fs.yaml")
    message = str(caught.value)
    assert message.startswith("fs.yaml: ")
    assert "environment variable FEAST_TEST_ONLINE_PATH is not set (line 5, online_store.path)" in message
    assert "environment variable FEAST_TEST_PG_PASSWORD is not set (line 11, offline_store.password)" in message
    assert "${VAR:-default}" in message


def test_defaults_follow_posix_and_comments_are_not_expanded(monkeypatch):
    monkeypatch.delenv("FEAST_TEST_UNSET", raising=False)
    monkeypatch.setenv("FEAST_TEST_EMPTY", "")
    text = MINIMAL + (
        "# path: ${FEAST_TEST_UNSET} is only a comment\n"
        "online_store:\n  path: ${FEAST_TEST_UNSET:-/tmp/a.db}\n"
        "offline_store:\n  type: postgres\n  host: ${FEAST_TEST_EMPTY:-db}\n  database: d${FEAST_TEST_EMPTY-x}\n"
        "  user: ${FEAST_TEST_UNSET-u}\n  password: p\n"
    )
    config = parse_config(text)
    assert config.online_store.path == "/tmp/a.db"
    assert config.offline_store.host == "db"  # ':-' replaces an empty value too
    assert config.offline_store.database == "d"  # '-' only replaces an unset one
    assert config.offline_store.user == "u"
