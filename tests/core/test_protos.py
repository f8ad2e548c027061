"""feast_core.protos: the committed modules are what the schema generates, and the schema is Feast 0.67's."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import proto_descriptors
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROTOS = ROOT / "feast_core" / "protos"
TESTS = ROOT / "tests"

# the generated modules whose imports reach every file of the schema
ROOTS = [
    "feast.core.Registry_pb2",
    "feast.registry.RegistryServer_pb2",
    "feast.serving.ServingService_pb2",
    "feast.types.EntityKey_pb2",
    "feast.types.Field_pb2",
]


def _generated(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.name.endswith(("_pb2.py", "_pb2.pyi", "_pb2_grpc.py"))
    }


def test_committed_modules_are_exactly_what_the_schema_generates(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate-protos"), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh, committed = _generated(tmp_path), _generated(PROTOS)
    assert sorted(fresh) == sorted(committed), "run scripts/generate-protos and commit the result"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"out of date (run scripts/generate-protos): {stale}"
    # the modules import each other inside feast_core, never from a top-level `feast` package
    assert not [n for n, text in committed.items() if b"\nfrom feast." in text or b"\nimport feast" in text]


def _sample_registry() -> bytes:
    from feast_core.protos.feast.core import Registry_pb2

    registry = Registry_pb2.Registry(registry_schema_version="1")
    registry.entities.add().spec.name = "driver"
    return registry.SerializeToString()


@pytest.fixture(scope="module")
def upstream(upstream_feast):
    """One upstream process: its 0.67 descriptors, and how it parses a registry our modules wrote."""
    return upstream_feast.run_python(
        f"""
        import importlib, json, sys, types, sysconfig
        from pathlib import Path
        # load feast's generated modules without running feast/__init__.py (seconds of imports)
        package = types.ModuleType("feast")
        package.__path__ = [str(Path(sysconfig.get_paths()["purelib"]) / "feast")]
        sys.modules["feast"] = package
        sys.path.insert(0, {str(TESTS)!r})
        import proto_descriptors
        modules = [importlib.import_module("feast.protos." + m) for m in {ROOTS!r}]
        from feast.protos.feast.core.Registry_pb2 import Registry
        r = Registry.FromString(bytes.fromhex({_sample_registry().hex()!r}))
        print(json.dumps({{
            "descriptors": proto_descriptors.summarize(modules),
            "parsed": [e.spec.name for e in r.entities] + [r.registry_schema_version],
        }}))
        """,
        cwd=TESTS,
    )


def test_every_message_enum_and_service_matches_feast_0_67(upstream):
    ours = proto_descriptors.summarize(importlib.import_module(f"feast_core.protos.{m}") for m in ROOTS)
    theirs = upstream["descriptors"]
    assert sorted(ours) == sorted(theirs)
    assert len(ours) == 28
    for file_name in sorted(theirs):
        assert ours[file_name] == theirs[file_name], file_name


def test_type_names_and_service_names_are_feasts(upstream):
    from google.protobuf import any_pb2

    from feast_core.protos.feast.core import Entity_pb2
    from feast_core.protos.feast.registry import RegistryServer_pb2_grpc

    packed = any_pb2.Any()
    packed.Pack(Entity_pb2.Entity())
    assert packed.type_url == "type.googleapis.com/feast.core.Entity"
    assert Entity_pb2.Entity.DESCRIPTOR.file.name == "feast/core/Entity.proto"
    assert "/feast.registry.RegistryServer/Proto" in Path(RegistryServer_pb2_grpc.__file__).read_text()
    assert upstream["parsed"] == ["driver", "1"]
