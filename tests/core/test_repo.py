"""Loading feature repos: which files, one module per file, and every bad repo rejected with the registry untouched."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pyarrow as pa
import pytest

from feast_core import Entity, FeatureView
from feast_core.errors import RepoError
from feast_core.repo import load_repo, repo_files
from feast_core.types import column_fits, from_name

CONFIG = """\
project: small
registry: data/registry.db
provider: local
online_store:
  type: sqlite
  path: data/online_store.db
"""


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def registry_bytes(repo) -> bytes:
    return (repo / "data" / "registry.db").read_bytes()


# ---- which files are read -----------------------------------------------------------------------


def test_repo_files_skips_tool_dirs_virtualenvs_init_and_feastignore(tmp_path):
    for name in [
        "a.py", "sub/b.py", "sub/__init__.py", ".venv/x.py", "env/lib/y.py", ".git/z.py", "__pycache__/c.py",
        ".ipynb_checkpoints/d.py", ".pytest_cache/e.py", "ignored/f.py", "deep/ignored_too.py", "notes.txt",
    ]:
        write(tmp_path / name, "")
    write(tmp_path / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / ".feastignore", "# comment\nignored/\n**/ignored_too.py\n")
    assert [p.relative_to(tmp_path).as_posix() for p in repo_files(tmp_path)] == ["a.py", "sub/b.py"]


def test_objects_imported_across_files_are_collected_once(tmp_path):
    write(tmp_path / "entities.py", """\
        from feast_core import Entity
        driver = Entity(name="driver", join_keys=["driver_id"])
    """)
    write(tmp_path / "views.py", """\
        from feast_core import FeatureView, Field, FileSource
        from feast_core.types import Float32
        from entities import driver
        source = FileSource(path="data/x.parquet", timestamp_field="ts")
        view = FeatureView(name="v", entities=[driver], source=source, schema=[Field(name="f", dtype=Float32)])
    """)
    contents = load_repo(tmp_path)
    assert [e.name for e in contents.of_type(Entity)] == ["driver"]
    assert [v.name for v in contents.of_type(FeatureView)] == ["v"]
    assert contents.of_type(FeatureView)[0].entity_objects[0] is contents.of_type(Entity)[0]
    # a second load in the same process reads the files again, not stale modules
    write(tmp_path / "entities.py", """\
        from feast_core import Entity
        driver = Entity(name="driver", join_keys=["driver_id"], description="changed")
    """)
    assert load_repo(tmp_path).of_type(Entity)[0].description == "changed"


def test_a_file_raising_at_import_names_the_innermost_repo_file_and_line(tmp_path):
    write(tmp_path / "helpers.py", """\
        def make():
            raise RuntimeError("no such thing")
    """)
    write(tmp_path / "defs.py", """\
        from helpers import make

        value = make()
    """)
    with pytest.raises(RepoError, match=r"helpers\.py, line 2: RuntimeError: no such thing"):
        load_repo(tmp_path)


# ---- bad repos through `feast apply`: one error line, registry unchanged byte for byte ----------------


def _break(repo, *, append: str = "", replace: tuple[str, str] | list[tuple[str, str]] = (), extra_file: str = "") -> None:
    definitions = repo / "feature_definitions.py"
    text = definitions.read_text()
    for old, new in replace if isinstance(replace, list) else [replace] if replace else []:
        assert old in text
        text = text.replace(old, new, 1)
    definitions.write_text(text + textwrap.dedent(append))
    if extra_file:
        write(repo / "more_definitions.py", extra_file)


# acc_rate, which no on-demand view reads: an apply that accepts the declaration must not fail on a function
ACC_RATE_AS_STRING = [
    ("from feast_core.types import Float32, Float64, Int64", "from feast_core.types import Float32, Float64, Int64, String"),
    ('Field(name="acc_rate", dtype=Float32),', 'Field(name="acc_rate", dtype=String),'),
]

BAD_REPOS = {
    "syntax error": (
        {"extra_file": "from feast_core import Entity\n\nrider = Entity(name='rider' join_keys=['rider_id'])\n"},
        [r"more_definitions\.py, line 3", "SyntaxError"],
    ),
    "raises at import": (
        {"append": "\nrider = Entity(name='rider', join_keys=['a', 'b'])\n"},
        [r"feature_definitions\.py, line \d+", "rider"],
    ),
    "two objects with one name": (
        {"append": "\nimpostor = Entity(name='driver', join_keys=['driver_key'])\n"},
        ["two different entity objects", "'driver'"],
    ),
    "declared type contradicts the source": (
        {"replace": ACC_RATE_AS_STRING},
        [r"feature view 'driver_hourly_stats'", r"field 'acc_rate' is declared String", r"float \(Float32\)",
         r"data source 'driver_hourly_stats_source'"],
    ),
    # a source with no data yet applies (as in Feast) unless the view needs it to infer its schema
    "source file missing for a view that infers its schema": (
        {"append": "\nghost = FeatureView(name='ghost', entities=[driver], source=FileSource(\n"
                   "    name='ghost_source', path='data/no_such_file.parquet', timestamp_field='event_timestamp'))\n"},
        ["no_such_file.parquet", "'ghost'"],
    ),
    "schema field absent from source": (
        {"replace": ('Field(name="acc_rate", dtype=Float32),', 'Field(name="acc_rat", dtype=Float32),')},
        ["acc_rat", "driver_hourly_stats"],
    ),
    "unknown view in a feature service": (
        {"append": """
            def _hidden_view():
                return FeatureView(name="not_applied", entities=[driver], source=driver_stats_source,
                                   schema=[Field(name="conv_rate", dtype=Float32)])

            bad_service = FeatureService(name="bad_service", features=[_hidden_view()])
        """},
        ["bad_service", "not_applied"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_REPOS))
def test_a_bad_repo_is_rejected_and_the_registry_is_left_as_it_was(case, demo_copy, feast):
    change, expected = BAD_REPOS[case]
    before = registry_bytes(demo_copy)
    _break(demo_copy, **change)
    for command in ("plan", "apply"):
        error = feast.error_line(feast(command, cwd=demo_copy, ok=False))
        for pattern in expected:
            assert re.search(pattern, error), (pattern, error)
    assert registry_bytes(demo_copy) == before


def test_a_missing_source_file_is_not_read_at_apply_as_in_feast(demo_copy, feast):
    """Feast applies a view whose types it need not infer without reading its source; so do we (no type check)."""
    replace = [('path="data/driver_stats.parquet"', 'path="data/no_such_file.parquet"')]
    if "value_type=ValueType.INT64" not in (demo_copy / "feature_definitions.py").read_text():
        # with the key's type declared, no type has to be read from the source (else Feast fails too)
        replace += [('join_keys=["driver_id"])', 'join_keys=["driver_id"], value_type=ValueType.INT64)'),
                    ("from feast_core import (", "from feast_core import (\n    ValueType,")]
    _break(demo_copy, replace=replace + ACC_RATE_AS_STRING)
    feast("apply", cwd=demo_copy)
    assert "no_such_file.parquet" in feast("data-sources", "describe", "driver_hourly_stats_source", cwd=demo_copy).stdout


def test_skip_source_validation_skips_the_type_check(demo_copy, feast):
    _break(demo_copy, replace=ACC_RATE_AS_STRING)
    feast("apply", cwd=demo_copy, ok=False)
    feast("apply", "--skip-source-validation", cwd=demo_copy)
    assert "String" in feast("feature-views", "describe", "driver_hourly_stats", cwd=demo_copy).stdout


def test_an_on_demand_function_is_stored_by_value(tmp_path, demo_copy, feast):
    """The registry's pickled function runs where the repo's files cannot be imported."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = textwrap.dedent(f"""\
        import pandas as pd
        from feast_core import FeatureStore
        store = FeatureStore(repo_path={str(demo_copy)!r})
        udf = store.get_on_demand_feature_view("transformed_conv_rate").udf
        out = udf(pd.DataFrame({{"conv_rate": [0.5], "val_to_add": [1], "val_to_add_2": [2]}}))
        print(out["conv_rate_plus_val1"][0], out["conv_rate_plus_val2"][0])
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=elsewhere, env=feast.env(), capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1.5", "2.5"]


@pytest.mark.parametrize("declared, column, fits", [
    ("Float32", pa.float64(), True),  # Feast's own demo
    ("Int64", pa.float64(), True),  # pandas writes an int column with gaps as floats
    ("Float64", pa.int32(), True),
    ("String", pa.float64(), False),
    ("String", pa.dictionary(pa.int32(), pa.string()), True),
    ("Bool", pa.int64(), False),
    ("Int64", pa.string(), False),
    ("UnixTimestamp", pa.timestamp("ns"), True),
    ("UnixTimestamp", pa.int64(), False),
    ("Array(Float32)", pa.list_(pa.float64()), True),
    ("Array(String)", pa.list_(pa.int64()), False),
    ("Float64", pa.list_(pa.float64()), False),
    ("Bytes", pa.null(), True),
])
def test_which_source_columns_a_declared_type_fits(declared, column, fits):
    assert column_fits(from_name(declared), column) is fits
