"""feast-configuration in both forms, and every way it can be missing or wrong."""

from __future__ import annotations

import ops
import pytest
import yaml
from feast_ui_helpers import config_relation, container, plain_config
from ops import testing

CONFIG_FILE = "home/ubuntu/feature_store.yaml"
FEATURE_STORE_YAML = """\
project: my_project
registry:
  registry_type: sql
  path: postgresql+psycopg://relation_3:s%40cret@registry-primary.kubeflow.svc.cluster.local:5432/registry
provider: local
"""


def secret_relation(secret: testing.Secret, project: str = "my_project") -> testing.Relation:
    """The feast_store_configuration lib's form, as the integrator writes it."""
    return config_relation({"feature-store-secret": secret.id, "project": project})


def pushed(ctx, out) -> str:
    return (out.get_container("feast-ui").get_filesystem(ctx) / CONFIG_FILE).read_text()


def config_hash(out) -> str:
    return (
        out.get_container("feast-ui")
        .layers["feast-ui"]
        .services["feast-ui"]
        .environment["FEAST_UI_CONFIG_HASH"]
    )


@pytest.mark.parametrize("leader", [True, False])
def test_no_relation_blocks_with_the_command_to_run(ctx, leader):
    out = ctx.run(ctx.on.install(), testing.State(leader=leader, containers={container()}))
    assert out.unit_status == testing.BlockedStatus(
        "Missing relation: feast-configuration; run juju integrate feast-ui:feast-configuration feast-integrator"
    )
    assert "feast-ui" not in out.get_container("feast-ui").layers


def test_empty_relation_waits(ctx):
    rel = config_relation({})
    out = ctx.run(
        ctx.on.relation_created(rel), testing.State(leader=True, relations={rel}, containers={container()})
    )
    assert out.unit_status == testing.WaitingStatus(
        "Waiting for the feature store configuration on feast-configuration"
    )


def test_secret_form_is_pushed_verbatim(ctx):
    secret = testing.Secret({"feature-store-yaml": FEATURE_STORE_YAML})
    rel = secret_relation(secret)
    state = testing.State(leader=True, relations={rel}, secrets={secret}, containers={container()})
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), state)
    assert pushed(ctx, out) == FEATURE_STORE_YAML
    assert out.unit_status == testing.ActiveStatus()
    assert out.get_container("feast-ui").service_statuses["feast-ui"] == ops.pebble.ServiceStatus.ACTIVE


def test_secret_rotation_rewrites_the_file_and_restarts(ctx):
    secret = testing.Secret({"feature-store-yaml": FEATURE_STORE_YAML})
    rel = secret_relation(secret)
    first = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0),
        testing.State(relations={rel}, secrets={secret}, containers={container()}),
    )
    rotated_yaml = FEATURE_STORE_YAML.replace("s%40cret", "n3w")
    rotated = testing.Secret(
        {"feature-store-yaml": FEATURE_STORE_YAML},
        latest_content={"feature-store-yaml": rotated_yaml},
        id=secret.id,
    )
    state = testing.State(relations={rel}, secrets={rotated}, containers={first.get_container("feast-ui")})
    second = ctx.run(ctx.on.secret_changed(rotated), state)
    assert pushed(ctx, second) == rotated_yaml
    assert config_hash(first) != config_hash(second)


def test_status_alone_peeks_without_moving_the_tracked_revision(ctx):
    # A status computed outside a reconcile (here collect-status on its own) must look at the
    # newest configuration without telling Juju this unit now uses it: that is the reconcile's job,
    # once the new file is pushed and the UI restarted.
    newer = FEATURE_STORE_YAML.replace("my_project", "newer_project")
    secret = testing.Secret(
        {"feature-store-yaml": FEATURE_STORE_YAML}, latest_content={"feature-store-yaml": "registry: {}\n"}
    )
    rel = secret_relation(secret)
    state = testing.State(relations={rel}, secrets={secret}, containers={container()})
    out = ctx.run(ctx.on.collect_unit_status(), state)
    assert out.get_secret(id=secret.id).tracked_content == {"feature-store-yaml": FEATURE_STORE_YAML}
    assert out.unit_status.name == "blocked"  # the latest revision (no project) is what status judges
    assert "without a project" in out.unit_status.message

    secret = testing.Secret(
        {"feature-store-yaml": FEATURE_STORE_YAML}, latest_content={"feature-store-yaml": newer}, id=secret.id
    )
    state = testing.State(relations={rel}, secrets={secret}, containers={container()})
    out = ctx.run(ctx.on.secret_changed(secret), state)
    assert out.get_secret(id=secret.id).tracked_content == {"feature-store-yaml": newer}
    assert pushed(ctx, out) == newer


def test_secret_not_granted_waits(ctx):
    rel = config_relation({"feature-store-secret": "secret:cvh7kruupa1s46bqvuig", "project": "p"})
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0), testing.State(relations={rel}, containers={container()})
    )
    assert out.unit_status == testing.WaitingStatus("Waiting for access to the feast-configuration secret")


@pytest.mark.parametrize(
    "content, detail",
    [
        ({"feature-store-yaml": ""}, "holds no feature_store.yaml"),
        ({"feature-store-yaml": "project: [unclosed"}, "not valid YAML"),
        ({"feature-store-yaml": "registry: {}\n"}, "without a project"),
    ],
)
def test_invalid_secret_content_blocks(ctx, content, detail):
    secret = testing.Secret(content)
    rel = secret_relation(secret)
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0),
        testing.State(relations={rel}, secrets={secret}, containers={container()}),
    )
    assert out.unit_status.name == "blocked"
    assert out.unit_status.message.startswith("Invalid feast-configuration data:")
    assert detail in out.unit_status.message


@pytest.mark.parametrize(
    "data, detail",
    [
        (plain_config(registry_port="five"), "registry_port is not an integer: 'five'"),
        (plain_config(online_store_port="70000"), "online_store_port is out of range: 70000"),
        (plain_config(offline_store_host=""), "offline_store_host is empty"),
        (
            {k: v for k, v in plain_config().items() if not k.startswith("registry")},
            "missing keys: registry_database",
        ),
    ],
)
def test_invalid_plain_form_blocks(ctx, data, detail):
    rel = config_relation(data)
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0), testing.State(relations={rel}, containers={container()})
    )
    assert out.unit_status.name == "blocked"
    assert out.unit_status.message.startswith("Invalid feast-configuration data:")
    assert detail in out.unit_status.message
    assert "feast-ui" not in out.get_container("feast-ui").layers


def test_plain_form_tolerates_extra_keys(ctx):
    rel = config_relation(plain_config(some_future_key="x"))
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0), testing.State(relations={rel}, containers={container()})
    )
    assert out.unit_status == testing.ActiveStatus()


def test_unrecognised_data_waits(ctx):
    rel = config_relation({"something": "else"})
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0), testing.State(relations={rel}, containers={container()})
    )
    assert out.unit_status.name == "waiting"
    assert "feast-configuration" in out.unit_status.message


def test_withdrawn_configuration_stops_the_ui(ctx):
    secret = testing.Secret({"feature-store-yaml": FEATURE_STORE_YAML})
    rel = secret_relation(secret)
    first = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0),
        testing.State(relations={rel}, secrets={secret}, containers={container()}),
    )
    emptied = testing.Relation(
        "feast-configuration", interface="feast-configuration", remote_app_name="feast-integrator", id=rel.id
    )
    out = ctx.run(
        ctx.on.relation_changed(emptied, remote_unit=0),
        testing.State(relations={emptied}, containers={first.get_container("feast-ui")}),
    )
    c = out.get_container("feast-ui")
    assert c.service_statuses["feast-ui"] == ops.pebble.ServiceStatus.INACTIVE
    assert not (c.get_filesystem(ctx) / CONFIG_FILE).exists()
    assert out.unit_status.name == "waiting"


def test_plain_form_yaml_is_what_the_parser_reads(ctx):
    rel = config_relation(plain_config(password="pw"))
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0), testing.State(relations={rel}, containers={container()})
    )
    assert yaml.safe_load(pushed(ctx, out))["registry"]["registry_type"] == "sql"
