"""The charm must run without feast_core: it only renders configuration for it."""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
CHARM_ROOT = REPO_ROOT / "charms" / "feast-integrator"
CHARM_SOURCES = sorted((CHARM_ROOT / "src").rglob("*.py")) + sorted((CHARM_ROOT / "lib").rglob("*.py"))


def _imported_top_level_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_sources_were_found():
    names = {path.name for path in CHARM_SOURCES}
    assert {"charm.py", "feature_store.py", "postgresql_client.py"} <= names


def test_charm_never_imports_feast_core():
    offenders = [str(path) for path in CHARM_SOURCES if "feast_core" in _imported_top_level_modules(path)]
    assert offenders == []


def test_charm_imports_only_its_declared_requirements():
    allowed = {"ops", "yaml", "charms", "integrator", "__future__"}
    stdlib = {"logging", "json", "re", "hashlib", "dataclasses", "typing", "collections", "urllib"}
    for path in CHARM_SOURCES:
        unexpected = _imported_top_level_modules(path) - allowed - stdlib
        assert unexpected == set(), f"{path} imports {unexpected}"
