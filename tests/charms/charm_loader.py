"""Load a charm's src/charm.py under a unique module name (both charms have a src/charm.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_charm(charm_dir: str, module_name: str, tests_dir: Path) -> ModuleType:
    """Put the charm's src/, its own lib/ and the tests folder on sys.path, then import src/charm.py.

    The charm's lib/ holds copies of the top-level lib/ (tests/charms/test_charm_libs.py keeps them
    identical), so importing from it tests exactly what charmcraft packs.
    """
    charm_root = REPO_ROOT / "charms" / charm_dir
    for import_path in (charm_root / "src", charm_root / "lib", tests_dir):
        if str(import_path) not in sys.path:
            sys.path.insert(0, str(import_path))
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, charm_root / "src" / "charm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
