"""Running on-demand feature views over joined rows (pandas or python mode)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from . import types
from .errors import FeastError, RepoError
from .plans import OnDemandPart

_USER_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError)


class TransformationError(FeastError):
    http_status = 500


class MissingOutputsError(TransformationError):
    """An on-demand view's function returned without some of the view's declared features."""

    def __init__(self, view_name: str, missing: list[str], returned: list[str]) -> None:
        super().__init__(f"on-demand feature view {view_name!r} did not return {missing}")
        self.missing, self.returned = missing, returned


def run(part: OnDemandPart, columns: dict) -> dict[str, list]:
    """Apply one on-demand view to its input columns (lists or Series, by joined-column name).

    Returns the view's outputs, keyed by plan output name, as lists.
    """
    view = part.view
    if view.udf is None:
        raise TransformationError(
            f"on-demand feature view {view.name!r} declares aggregations and no function; feast_core serves "
            "on-demand views by running their function, so it cannot compute this one"
        )
    inputs = {name: columns[col] for name, col in part.inputs.items()}
    try:
        if view.mode == "pandas":
            result = view.udf(pd.DataFrame(inputs))
            if not isinstance(result, pd.DataFrame):
                raise TransformationError(
                    f"on-demand feature view {view.name!r} must return a pandas DataFrame, got {type(result).__name__}"
                )
            got = {c: result[c] for c in result.columns}
        elif view.singleton:
            lists = {k: list(v) for k, v in inputs.items()}
            rows = len(next(iter(lists.values()))) if lists else 0
            got = {}
            for i in range(rows):
                for k, v in view.udf({name: values[i] for name, values in lists.items()}).items():
                    got.setdefault(k, []).append(v)
        else:
            got = view.udf({k: list(v) for k, v in inputs.items()})
            if not isinstance(got, dict):
                raise TransformationError(
                    f"on-demand feature view {view.name!r} (python mode) must return a dict, got {type(got).__name__}"
                )
    except _USER_ERRORS as exc:
        raise TransformationError(f"on-demand feature view {view.name!r} failed: {type(exc).__name__}: {exc}") from exc
    missing = [f for f in part.features if f not in got]
    if missing:
        raise MissingOutputsError(view.name, missing, [str(c) for c in got])
    rows = len(next(iter(inputs.values()))) if inputs else 1
    return {out: _column(got[f], rows) for f, out in zip(part.features, part.outputs)}


def _column(values, rows: int) -> list:
    """An output as a list of one value per row; a single value (a python-mode function may return one for a
    single row, as Feast accepts) stands for every row."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        return [values] * rows
    return list(values)


def apply_to_table(parts: list[OnDemandPart], table: pa.Table) -> pa.Table:
    """Append each on-demand view's outputs to a joined table (historical retrieval)."""
    for part in parts:
        needed = sorted(set(part.inputs.values()))
        if part.view.mode == "pandas":
            frame = table.select(needed).to_pandas()
            columns = {c: frame[c] for c in needed}
        else:
            columns = {c: table.column(c).to_pylist() for c in needed}
        types = {f.name: f.dtype for f in part.view.features}
        for feature, (output, values) in zip(part.features, run(part, columns).items()):
            table = table.append_column(output, pa.array(values, type=types[feature].arrow, from_pandas=True))
    return table


class OnDemandFeatureViewOutputError(RepoError, TypeError):
    """An on-demand view's function, tried at apply time, does not return its declared features."""


_SAMPLES = {
    types.Int32: 1, types.Int64: 1, types.Float32: 1.0, types.Float64: 1.0, types.String: "hello",
    types.Bytes: b"hello", types.Bool: True,
}


def _sample(feast_type) -> object:
    if isinstance(feast_type, types.Array):
        return [_sample(feast_type.base_type)]
    if feast_type is types.UnixTimestamp:
        return pd.Timestamp("2024-01-01", tz="UTC")
    return _SAMPLES.get(feast_type)


def try_on_sample(view, inputs: dict[str, object]) -> None:
    """Run an on-demand view's function on one made-up row of ``inputs`` (name -> type) and check that it
    returns a value for every declared feature, as Feast does when it infers an on-demand view's features."""
    features = [f.name for f in view.features]
    part = OnDemandPart(view, view.projection, features, features, {name: name for name in inputs})
    returned = run(part, {name: [_sample(dtype)] for name, dtype in inputs.items()})
    for feature, values in zip(features, returned.values()):
        if len(values) == 0:
            raise OnDemandFeatureViewOutputError(
                f"Failed to infer type for feature '{feature}' with value '[]' since no items were returned by "
                f"the UDF. (on-demand feature view {view.name!r}, tried on one row)"
            )
