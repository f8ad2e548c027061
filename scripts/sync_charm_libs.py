#!/usr/bin/env python3
"""Copy the charm libraries each charm imports from lib/ into that charm's own lib/ directory.

charmcraft packs a charm from its directory alone and drops symlinks that leave it, so every charm
carries copies of the libraries it needs. lib/ at the top of the repository stays the one place
where they are written and tested; this script keeps the copies identical to it.

Which libraries a charm needs is read from its code: every ``charms.<name>.v<N>.<module>`` that
``src/`` imports, and what those libraries import in turn. A charm's lib/ holds exactly those
files, nothing else.

    scripts/sync_charm_libs.py            # write the copies
    scripts/sync_charm_libs.py --check    # change nothing; list differences, exit 1 if any (CI)
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "lib"
CHARMS = REPO / "charms"


def charm_dirs() -> list[Path]:
    """Every charm in charms/ (a directory with a charmcraft.yaml)."""
    return sorted(path.parent for path in CHARMS.glob("*/charmcraft.yaml"))


def _imported_libs(source: Path) -> set[str]:
    """Dotted names `charms.x.vN.module` imported by one Python file."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "charms" and len(parts) >= 4:
                found.add(".".join(parts[:4]))
    return found


def _lib_path(root: Path, dotted: str) -> Path:
    return root.joinpath(*dotted.split(".")).with_suffix(".py")


def needed_libs(charm_dir: Path, lib_root: Path = LIB) -> dict[str, Path]:
    """{relative path inside lib/: source file in the top-level lib/} for one charm.

    Raises FileNotFoundError naming the library when src/ imports one that lib/ does not have.
    """
    pending = set()
    for source in sorted((charm_dir / "src").rglob("*.py")):
        pending |= _imported_libs(source)
    needed: dict[str, Path] = {}
    while pending:
        dotted = pending.pop()
        source = _lib_path(lib_root, dotted)
        relative = source.relative_to(lib_root).as_posix()
        if relative in needed:
            continue
        if not source.is_file():
            raise FileNotFoundError(f"{charm_dir.name} imports {dotted}, but lib/{relative} does not exist")
        needed[relative] = source
        pending |= _imported_libs(source)
    return needed


def differences(charm_dir: Path, lib_root: Path = LIB) -> list[str]:
    """What differs between the charm's lib/ and what it should hold (empty when in sync)."""
    problems = []
    charm_lib = charm_dir / "lib"
    name = charm_dir.name
    if charm_lib.is_symlink():
        return [f"charms/{name}/lib is a symlink; charmcraft drops symlinks that leave the charm"]
    expected = needed_libs(charm_dir, lib_root)
    present = {
        path.relative_to(charm_lib).as_posix(): path
        for path in (charm_lib.rglob("*") if charm_lib.is_dir() else ())
        if path.is_file() or path.is_symlink()
    }
    for relative, source in sorted(expected.items()):
        copy = present.get(relative)
        if copy is None:
            problems.append(f"charms/{name}/lib/{relative} is missing")
        elif copy.is_symlink():
            problems.append(f"charms/{name}/lib/{relative} is a symlink, not a copy")
        elif copy.read_bytes() != source.read_bytes():
            problems.append(f"charms/{name}/lib/{relative} differs from lib/{relative}")
    for relative in sorted(set(present) - set(expected)):
        if "__pycache__" not in relative:
            problems.append(f"charms/{name}/lib/{relative} is not imported by the charm")
    return problems


def sync(charm_dir: Path, lib_root: Path = LIB) -> list[str]:
    """Make the charm's lib/ hold exactly the libraries it imports; return what was changed."""
    changed = []
    charm_lib = charm_dir / "lib"
    if charm_lib.is_symlink():
        charm_lib.unlink()
        changed.append(f"removed the symlink charms/{charm_dir.name}/lib")
    expected = needed_libs(charm_dir, lib_root)
    for relative, source in sorted(expected.items()):
        target = charm_lib / relative
        if target.is_symlink() or not target.is_file() or target.read_bytes() != source.read_bytes():
            if target.is_symlink():
                target.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            changed.append(f"wrote charms/{charm_dir.name}/lib/{relative}")
    if charm_lib.is_dir():
        for path in sorted(charm_lib.rglob("*"), reverse=True):
            relative = path.relative_to(charm_lib).as_posix()
            if path.is_file() and relative not in expected and "__pycache__" not in relative:
                path.unlink()
                changed.append(f"removed charms/{charm_dir.name}/lib/{relative}")
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a copy differs")
    args = parser.parse_args(argv)
    problems = []
    for charm_dir in charm_dirs():
        if args.check:
            problems += differences(charm_dir)
        else:
            for line in sync(charm_dir):
                print(line)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run scripts/sync_charm_libs.py to update the copies", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
