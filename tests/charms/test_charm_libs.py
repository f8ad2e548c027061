"""Each charm directory is self-contained: its libraries are copies of lib/, with no symlink leaving it."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("sync_charm_libs", REPO / "scripts" / "sync_charm_libs.py")
sync_charm_libs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_charm_libs)

CHARM_DIRS = sync_charm_libs.charm_dirs()


def test_every_charm_is_found():
    assert {path.name for path in CHARM_DIRS} >= {"feast-integrator", "feast-ui", "feast-server"}


@pytest.mark.parametrize("charm_dir", CHARM_DIRS, ids=lambda path: path.name)
def test_no_symlink_in_a_charm_directory(charm_dir):
    links = [
        str(Path(root, name).relative_to(REPO))
        for root, dirs, files in os.walk(charm_dir)
        for name in dirs + files
        if Path(root, name).is_symlink()
    ]
    assert links == [], "charmcraft drops symlinks that leave the charm; copy instead"


@pytest.mark.parametrize("charm_dir", CHARM_DIRS, ids=lambda path: path.name)
def test_charm_libraries_are_identical_to_lib(charm_dir):
    assert sync_charm_libs.differences(charm_dir) == []


def test_what_each_charm_carries():
    carried = {path.name: sorted(sync_charm_libs.needed_libs(path)) for path in CHARM_DIRS}
    assert carried["feast-integrator"] == [
        "charms/feast_integrator/v0/feast_server.py",
        "charms/feast_integrator/v0/feast_store_configuration.py",
        "charms/feast_integrator/v0/kubernetes_manifests.py",
        "charms/feast_integrator/v0/postgresql_client.py",
    ]
    assert "charms/feast_integrator/v0/feast_store_configuration.py" in carried["feast-ui"]
    assert carried["feast-server"] == [
        "charms/feast_cos/v0/feast_monitoring.py",
        "charms/feast_cos/v0/grafana_dashboard.py",
        "charms/feast_cos/v0/loki_push_api.py",
        "charms/feast_cos/v0/observability.py",
        "charms/feast_cos/v0/prometheus_scrape.py",
        "charms/feast_integrator/v0/feast_server.py",
    ]


@pytest.fixture
def scratch_charm(tmp_path):
    """A copy of feast-integrator and of lib/, to break on purpose."""
    lib_root = tmp_path / "lib"
    shutil.copytree(REPO / "lib", lib_root)
    charm = tmp_path / "charms" / "feast-integrator"
    shutil.copytree(REPO / "charms" / "feast-integrator", charm)
    return charm, lib_root


def test_check_names_a_drifted_copy_a_stray_file_and_a_missing_one(scratch_charm):
    charm, lib_root = scratch_charm
    v0 = charm / "lib" / "charms" / "feast_integrator" / "v0"
    (v0 / "postgresql_client.py").write_text("# edited in the charm, not in lib/\n")
    (v0 / "kubernetes_manifests.py").unlink()
    (v0 / "leftover.py").write_text("")
    assert sync_charm_libs.differences(charm, lib_root) == [
        "charms/feast-integrator/lib/charms/feast_integrator/v0/kubernetes_manifests.py is missing",
        "charms/feast-integrator/lib/charms/feast_integrator/v0/postgresql_client.py differs from "
        "lib/charms/feast_integrator/v0/postgresql_client.py",
        "charms/feast-integrator/lib/charms/feast_integrator/v0/leftover.py is not imported by the charm",
    ]
    sync_charm_libs.sync(charm, lib_root)
    assert sync_charm_libs.differences(charm, lib_root) == []
    assert not (v0 / "leftover.py").exists()


def test_check_refuses_a_lib_symlink_and_sync_replaces_it_with_copies(scratch_charm):
    charm, lib_root = scratch_charm
    shutil.rmtree(charm / "lib")
    (charm / "lib").symlink_to(lib_root)
    assert sync_charm_libs.differences(charm, lib_root) == [
        "charms/feast-integrator/lib is a symlink; charmcraft drops symlinks that leave the charm"
    ]
    sync_charm_libs.sync(charm, lib_root)
    assert not (charm / "lib").is_symlink()
    assert sync_charm_libs.differences(charm, lib_root) == []


def test_an_import_of_a_library_lib_does_not_have_is_named(scratch_charm):
    charm, lib_root = scratch_charm
    (charm / "src" / "extra.py").write_text("from charms.nobody.v0.nothing import X\n")
    with pytest.raises(FileNotFoundError, match=r"imports charms\.nobody\.v0\.nothing, but lib/charms/nobody"):
        sync_charm_libs.differences(charm, lib_root)
