"""The file the integrator renders lets upstream Feast reach real PostgreSQL databases without TLS.

Upstream Feast's PostgreSQL settings default to ``sslmode: require``, which a server without TLS
refuses; the rendered file must say ``disable`` itself, in both store blocks and the registry URL.
The charm runs under ops.testing with relation data shaped as postgresql-k8s sends it, pointing at
the session's loopback PostgreSQL (which has no TLS), and upstream Feast 0.67 then applies an
entity to the SQL registry and opens its own connections to the offline and online databases.
"""

from __future__ import annotations

import uuid

import pytest
from feast_integrator_scenario import PostgresAnswer, full_state, sent_feature_store_yaml

pytestmark = pytest.mark.postgres

UPSTREAM_SCRIPT = """
import json
from pathlib import Path

from feast import Entity, FeatureStore
from feast.infra.utils.postgres.connection_utils import _get_conn

store = FeatureStore(fs_yaml_file=Path("feature_store.yaml"))
store.apply([Entity(name="driver", join_keys=["driver_id"])])
seen = {"entities": sorted(entity.name for entity in store.list_entities())}
for block in ("offline_store", "online_store"):
    with _get_conn(getattr(store.config, block)) as connection:
        seen[block] = connection.execute("select current_database()").fetchone()[0]
print(json.dumps(seen))
"""


@pytest.fixture
def three_databases(postgres_server):
    """offline, online and registry databases, as postgresql-k8s creates one per relation."""
    suffix = uuid.uuid4().hex[:8]
    names = {endpoint: f"feast_{endpoint.replace('-', '_')}_{suffix}" for endpoint in
             ("offline-store", "online-store", "registry")}
    with postgres_server.connect(autocommit=True) as connection:
        for name in names.values():
            connection.execute(f'CREATE DATABASE "{name}"')
    yield names
    with postgres_server.connect(autocommit=True) as connection:
        for name in names.values():
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upstream_feast_uses_the_rendered_file_on_a_server_without_tls(
    ctx, postgres_server, three_databases, upstream_feast, tmp_path
):
    answers = {
        endpoint: PostgresAnswer(
            endpoints=f"{postgres_server.host}:{postgres_server.port}",
            username=postgres_server.user,
            password=postgres_server.password,
            database=database,
        )
        for endpoint, database in three_databases.items()
    }
    out = ctx.run(ctx.on.update_status(), full_state(answers))
    (tmp_path / "feature_store.yaml").write_text(sent_feature_store_yaml(out))

    seen = upstream_feast.run_python(UPSTREAM_SCRIPT, cwd=tmp_path)

    assert seen == {
        "entities": ["driver"],
        "offline_store": three_databases["offline-store"],
        "online_store": three_databases["online-store"],
    }
    with postgres_server.connect(three_databases["registry"]) as connection:
        tables = {row[0] for row in connection.execute("select tablename from pg_tables")}
    assert "entities" in tables
