"""Loading a feature repository's Python files, and ``feast plan`` / ``apply`` / ``teardown`` over them.

Every ``*.py`` under the repo root is imported (except ``__init__.py``, ``.feastignore`` entries and
tool directories), with the repo root on ``sys.path``, as a module named by its path relative to the
root (``feature_definitions``, ``views.driver``) so that one repo file importing another gets the same
module object, and declared objects are collected once. Each module carries ``__feast_repo_module__``
so an on-demand view's function is pickled by value, not by a reference to a module only this
directory has. A file that fails to import becomes a ``RepoError`` naming the file and the line.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .definitions import (
    DataSource,
    Entity,
    FeatureService,
    FeatureView,
    OnDemandFeatureView,
    Permission,
    Project,
)
from .definitions.base import NAME_PATTERN
from .errors import RepoError

if TYPE_CHECKING:
    from .diff import RegistryDiff
    from .store import FeatureStore

SKIPPED_DIRS = {".git", ".venv", "__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
IGNORE_FILE = ".feastignore"
REPO_OBJECT_TYPES = (Entity, FeatureView, OnDemandFeatureView, FeatureService, DataSource, Permission, Project)
REPO_MODULE_FLAG = "__feast_repo_module__"


@dataclass
class RepoContents:
    """The objects a repo declares, each once, in the order their files were read.

    ``objects`` holds them all; the per-kind lists (Feast's ``RepoContents`` fields) are views of it, with the
    data sources a view or push source declares inline counted among ``data_sources``.
    """

    objects: list = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def of_type(self, cls: type) -> list:
        return [o for o in self.objects if isinstance(o, cls)]

    @property
    def entities(self) -> list[Entity]:
        return self.of_type(Entity)

    @property
    def feature_views(self) -> list[FeatureView]:
        return self.of_type(FeatureView)

    @property
    def stream_feature_views(self) -> list:
        return []

    @property
    def on_demand_feature_views(self) -> list[OnDemandFeatureView]:
        return self.of_type(OnDemandFeatureView)

    @property
    def feature_services(self) -> list[FeatureService]:
        return self.of_type(FeatureService)

    @property
    def permissions(self) -> list[Permission]:
        return self.of_type(Permission)

    @property
    def projects(self) -> list[Project]:
        return self.of_type(Project)

    @property
    def data_sources(self) -> list[DataSource]:
        found: list[DataSource] = []

        def add(source: DataSource | None) -> None:
            if source is not None and not any(source is seen for seen in found):
                found.append(source)

        for obj in self.objects:
            if isinstance(obj, DataSource):
                add(obj)
                add(obj.batch_source if obj.batch_source is not obj else None)
            elif isinstance(obj, FeatureView):
                add(obj.batch_source)
                add(obj.stream_source)
        return found


# ---- which files -----------------------------------------------------------------------------


def read_feastignore(repo_root: str | Path) -> list[str]:
    """The patterns of the repo's ``.feastignore``: one a line, ``#`` starts a comment."""
    path = Path(repo_root) / IGNORE_FILE
    if not path.is_file():
        return []
    patterns = []
    for line in path.read_text().splitlines():
        pattern = line.split("#", 1)[0].strip()
        if pattern:
            patterns.append(pattern)
    return patterns


def get_ignore_files(repo_root: str | Path, ignore_paths: list[str]) -> set[Path]:
    """The Python files ``.feastignore`` patterns leave out: glob patterns relative to the repo root
    (``*`` within one directory, ``**`` across directories); a matched directory leaves out all it holds."""
    root = Path(repo_root).resolve()
    ignored: set[Path] = set()
    for pattern in ignore_paths:
        pattern = pattern.strip("/").removeprefix("./")
        if not pattern:
            continue
        for match in root.glob(pattern):
            if match.is_file():
                ignored.add(match.resolve())
            elif match.is_dir():
                ignored.update(p.resolve() for p in match.glob("**/*.py") if p.is_file())
    return ignored


def repo_files(root: str | Path) -> list[Path]:
    """The Python files a repo's definitions are read from, sorted (Feast: ``get_repo_files``)."""
    root = Path(root).resolve()
    ignored = get_ignore_files(root, read_feastignore(root))
    found: list[Path] = []

    def walk(directory: Path) -> None:
        for entry in directory.iterdir():
            if entry.is_dir():
                if entry.name not in SKIPPED_DIRS and not (entry / "pyvenv.cfg").exists():
                    walk(entry)
            elif entry.suffix == ".py" and entry.name != "__init__.py" and entry.resolve() not in ignored:
                found.append(entry.resolve())

    walk(root)
    return sorted(found)


get_repo_files = repo_files  # Feast's name


def is_valid_name(name: str) -> bool:
    """Whether ``name`` may name a project or object: letters, digits, '_' and '-', not starting with '_' or '-'."""
    return isinstance(name, str) and bool(NAME_PATTERN.match(name))


# ---- importing ---------------------------------------------------------------------------------


class _RepoModuleLoader(importlib.abc.Loader):
    def __init__(self, path: Path) -> None:
        self.path = path

    def create_module(self, spec):  # default module creation
        return None

    def exec_module(self, module: ModuleType) -> None:
        setattr(module, REPO_MODULE_FLAG, True)
        source = self.path.read_bytes()
        code = compile(source, str(self.path), "exec", dont_inherit=True)
        exec(code, module.__dict__)


class _RepoFinder(importlib.abc.MetaPathFinder):
    """Resolves imports of repo files (``from entities import driver``) to the repo's own modules."""

    def __init__(self, modules: dict[str, Path]) -> None:
        self.modules = modules

    def find_spec(self, fullname, path=None, target=None):
        file = self.modules.get(fullname)
        if file is None:
            return None
        return importlib.util.spec_from_file_location(fullname, file, loader=_RepoModuleLoader(file))


def _module_name(root: Path, file: Path) -> str:
    return ".".join(file.relative_to(root).with_suffix("").parts)


def _import_failure(file: Path, root: Path, exc: BaseException) -> RepoError:
    """A one-line error naming the repo file and line where importing ``file`` failed."""
    where_file, line = file, None
    if isinstance(exc, SyntaxError) and exc.filename:
        where_file, line = Path(exc.filename), exc.lineno
    else:
        # the innermost frame that is one of the repo's own files says where the user's code broke
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            frame_path = Path(frame.filename)
            if frame_path.is_absolute() and frame_path.is_relative_to(root):
                where_file, line = frame_path, frame.lineno
                break
    resolved = where_file.resolve()
    shown = resolved.relative_to(root) if resolved.is_relative_to(root) else resolved
    location = f"{shown}" + (f", line {line}" if line else "")
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return RepoError(f"cannot load {location}: {type(exc).__name__}: {message}")


def load_repo(repo_path: str | Path) -> RepoContents:
    """Import every definitions file of the repo and collect the objects it declares."""
    root = Path(repo_path).resolve()
    if not root.is_dir():
        raise RepoError(f"{root}: not a directory")
    files = repo_files(root)
    names = {_module_name(root, f): f for f in files}
    # a previous load in this process must not leave stale repo modules behind
    for name in list(sys.modules):
        if getattr(sys.modules[name], REPO_MODULE_FLAG, False):
            del sys.modules[name]
    finder = _RepoFinder({n: f for n, f in names.items() if n not in sys.modules})
    sys.path.insert(0, str(root))
    sys.meta_path.insert(0, finder)
    contents = RepoContents(files=files)
    seen: set[int] = set()
    try:
        for name, file in names.items():
            module = _import(name, file, root, finder)
            for value in list(vars(module).values()):
                if isinstance(value, REPO_OBJECT_TYPES) and id(value) not in seen:
                    seen.add(id(value))
                    contents.objects.append(value)
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(root))
    return contents


def _import(name: str, file: Path, root: Path, finder: _RepoFinder) -> ModuleType:
    try:
        if name in finder.modules:
            return importlib.import_module(name)
        # the name is taken by a module that is not ours (say ``utils``): load the file under a private name
        private = "_feast_repo__" + name.replace(".", "__")
        spec = importlib.util.spec_from_file_location(private, file, loader=_RepoModuleLoader(file))
        module = importlib.util.module_from_spec(spec)
        sys.modules[private] = module
        spec.loader.exec_module(module)
        return module
    except (Exception, SystemExit) as exc:
        raise _import_failure(file, root, exc) from None


# ---- plan / apply / teardown -------------------------------------------------------------------


def parse_repo(repo_root: str | Path) -> RepoContents:
    """Feast's name for reading a repository's definitions."""
    return load_repo(repo_root)


def plan_repo(
    store: FeatureStore, repo_path: str | Path, skip_source_validation: bool = False,
    skip_feature_view_validation: bool = False,
) -> RegistryDiff:
    """What ``feast apply`` would change. Writes nothing."""
    return store.plan(load_repo(repo_path).objects, skip_source_validation=skip_source_validation,
                      skip_feature_view_validation=skip_feature_view_validation)


def apply_repo(
    store: FeatureStore, repo_path: str | Path, skip_source_validation: bool = False,
    skip_feature_view_validation: bool = False,
) -> RegistryDiff:
    """Make the registry hold exactly what the repo declares; nothing is written if any check fails."""
    return store.apply_repo(load_repo(repo_path).objects, skip_source_validation=skip_source_validation,
                            skip_feature_view_validation=skip_feature_view_validation)


def teardown(store: FeatureStore) -> None:
    store.teardown()


__all__ = [
    "RepoContents", "apply_repo", "get_ignore_files", "get_repo_files", "is_valid_name", "load_repo", "parse_repo",
    "plan_repo", "read_feastignore", "repo_files", "teardown",
]
