"""User-defined transformations (Feast's ``feast.transformation``): a function with its mode, and how it is stored.

A transformation is stored as Feast 0.67 stores it (``UserDefinedFunctionV2``): the function's source text
including decorator lines (``body_text``), a dill pickle of it (``body``), its name and mode. Rebuilding it
from the registry prefers the source text (decorators stripped, run with ``pd``/``np`` available) and falls
back to the pickle, as Feast does; nothing runs until the function is first needed.
"""

from __future__ import annotations

import ast
import enum
import inspect
import textwrap
import types as pytypes
from collections.abc import Callable

from .. import types
from .field import Field


class TransformationMode(enum.Enum):
    PYTHON = "python"
    PANDAS = "pandas"
    SPARK_SQL = "spark_sql"
    SPARK = "spark"
    FLINK = "flink"
    RAY = "ray"
    SQL = "sql"
    TRINO_SQL = "trino_sql"
    SUBSTRAIT = "substrait"


RUNNABLE_MODES = (TransformationMode.PANDAS, TransformationMode.PYTHON)


def mode_of(mode: TransformationMode | str) -> TransformationMode:
    try:
        return mode if isinstance(mode, TransformationMode) else TransformationMode(str(mode).lower())
    except ValueError:
        raise ValueError(
            f"transformation mode {mode!r} is not one of {[m.value for m in TransformationMode]}"
        ) from None


class Transformation:
    """A function over feature rows. ``Transformation(mode="pandas", udf=...)`` gives the class of that mode."""

    mode: TransformationMode

    def __new__(cls, *args, **kwargs):
        if cls is Transformation:
            mode = mode_of(kwargs.get("mode", args[0] if args else None))
            target = _CLASS_FOR_MODE.get(mode)
            if target is None:
                raise ValueError(
                    f"transformation mode {mode.value!r} is not run by feast_core; use 'pandas' or 'python'"
                )
            return super().__new__(target)
        return super().__new__(cls)

    def __init__(self, mode: TransformationMode | str, udf: Callable, udf_string: str = "", name: str | None = None,
                 tags: dict[str, str] | None = None, description: str = "", owner: str = "") -> None:
        if not callable(udf):
            raise ValueError(f"a transformation needs a function, got {udf!r}")
        self.mode = mode_of(mode)
        self.udf = udf
        self.udf_string = udf_string if udf_string is not None else ""
        self.name = name or getattr(udf, "__name__", "")
        self.tags = dict(tags or {})
        self.description = description
        self.owner = owner

    def transform(self, inputs):
        return self.udf(inputs)

    def __eq__(self, other: object) -> bool:
        # the source text identifies a function (a rebuilt function's code object differs from the original's)
        if type(other) is not type(self):
            return False
        if self.udf_string and other.udf_string:  # type: ignore[attr-defined]
            return self.udf_string == other.udf_string  # type: ignore[attr-defined]
        return getattr(self.udf, "__code__", None) == getattr(other.udf, "__code__", None)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.udf_string))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(udf={self.name})"

    def __deepcopy__(self, memo=None):
        return type(self)(udf=self.udf, udf_string=self.udf_string, name=self.name, tags=self.tags,
                          description=self.description, owner=self.owner)

    def to_proto(self):
        from ..protos.feast.core.Transformation_pb2 import UserDefinedFunctionV2

        return UserDefinedFunctionV2(name=getattr(self.udf, "__name__", self.name), body=pickle_by_value(self.udf),
                                     body_text=self.udf_string, mode=self.mode.value)

    @classmethod
    def from_proto(cls, user_defined_function_proto) -> Transformation:
        proto = user_defined_function_proto
        udf = rebuild(proto.body_text, proto.body, proto.name)
        target = cls if cls is not Transformation else _CLASS_FOR_MODE[mode_of(proto.mode or "pandas")]
        return target(udf=udf, udf_string=proto.body_text)

    def infer_features(self, random_input: dict[str, list], singleton: bool = False) -> list[Field]:
        """The output features (with types read from the values) of a run on ``random_input``."""
        raise NotImplementedError


class PandasTransformation(Transformation):
    """A function from a pandas DataFrame of inputs to a DataFrame of outputs."""

    def __init__(self, udf: Callable, udf_string: str = "", name: str | None = None,
                 tags: dict[str, str] | None = None, description: str = "", owner: str = "",
                 mode: object = None) -> None:  # mode: given when built as Transformation(mode=...)
        super().__init__(TransformationMode.PANDAS, udf, udf_string, name, tags, description, owner)

    def transform_arrow(self, table, features: list[Field] | None = None):
        import pyarrow as pa

        return pa.Table.from_pandas(self.udf(table.to_pandas()), preserve_index=False)

    def infer_features(self, random_input: dict[str, list], singleton: bool = False) -> list[Field]:
        import pandas as pd
        import pyarrow as pa

        output = self.transform(pd.DataFrame(random_input))
        fields = []
        for column in output.columns:
            values = output[column].tolist()
            _require_items(column, values)
            fields.append(Field(name=column, dtype=types.from_arrow(pa.Array.from_pandas(output[column]).type)))
        return fields


class PythonTransformation(Transformation):
    """A function from a dict of input lists (or, singleton, of input values) to a dict of outputs."""

    def __init__(self, udf: Callable, udf_string: str = "", name: str | None = None,
                 tags: dict[str, str] | None = None, description: str = "", owner: str = "",
                 mode: object = None) -> None:  # mode: given when built as Transformation(mode=...)
        super().__init__(TransformationMode.PYTHON, udf, udf_string, name, tags, description, owner)

    def transform_singleton(self, input_dict: dict) -> dict:
        return self.udf({key: values[0] if isinstance(values, list) else values
                         for key, values in input_dict.items()})

    def transform_arrow(self, table, features: list[Field] | None = None):
        import pyarrow as pa

        return pa.Table.from_pydict(self.udf(table.to_pydict()))

    def infer_features(self, random_input: dict[str, list], singleton: bool = False) -> list[Field]:
        import pyarrow as pa

        output = self.transform_singleton(random_input) if singleton else self.transform(random_input)
        fields = []
        for name, values in output.items():
            values = [values] if singleton else values
            _require_items(name, values)
            fields.append(Field(name=name, dtype=types.from_arrow(pa.array(values).type)))
        return fields


def _require_items(feature: str, values: list) -> None:
    if len(values) == 0:
        raise TypeError(
            f"Failed to infer type for feature '{feature}' with value '{values}' since no items were returned by "
            "the UDF."
        )


_CLASS_FOR_MODE: dict[TransformationMode, type[Transformation]] = {
    TransformationMode.PANDAS: PandasTransformation,
    TransformationMode.PYTHON: PythonTransformation,
}


# ---- how a function is stored -------------------------------------------------------------------------------


def source_text(udf: Callable) -> str:
    """The function's source, decorator lines included (what Feast stores as ``body_text``)."""
    try:
        return textwrap.dedent(inspect.getsource(udf))
    except (OSError, TypeError):
        return ""


def from_source_text(text: str, name: str) -> Callable | None:
    """Run stored source text (decorators removed) with pandas and numpy available, as Feast 0.67 does,
    and return the function called ``name`` (or the only function it defines); None if it cannot."""
    if not text.strip():
        return None
    try:
        tree = ast.parse(textwrap.dedent(text))
    except SyntaxError:
        return None
    defined = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.decorator_list = []
            defined.append(node.name)
    import numpy
    import pandas

    namespace = {"__name__": "feast_core_udf", "pd": pandas, "pandas": pandas, "np": numpy, "numpy": numpy}
    try:
        exec(compile(tree, f"<udf {name or '?'}>", "exec"), namespace)  # the registry's own content
    except Exception:  # any failure of stored code means: fall back to the pickle
        return None
    chosen = name if name in namespace else (defined[0] if len(defined) == 1 else None)
    function = namespace.get(chosen) if chosen else None
    return function if callable(function) else None


def pickle_by_value(function: Callable) -> bytes:
    """Feast's ``body``: a dill pickle of the function. Pickled by value (its code, and the globals it
    uses), never as a reference to a module that only the repo's directory has."""
    import dill

    if isinstance(function, pytypes.FunctionType):
        copy = pytypes.FunctionType(
            function.__code__, function.__globals__, function.__name__, function.__defaults__, function.__closure__
        )
        copy.__kwdefaults__ = function.__kwdefaults__
        copy.__qualname__, copy.__doc__ = function.__qualname__, function.__doc__
        copy.__module__ = "__main__"  # dill pickles __main__'s functions by value
        function = copy
    return dill.dumps(function, recurse=True)


def rebuild(text: str, body: bytes, name: str) -> Callable:
    """The stored function: from its source text, else from its pickle; ValueError naming it if neither works."""
    function = from_source_text(text, name)
    if function is not None:
        return function
    if body:
        import dill

        return dill.loads(body)
    raise ValueError(
        f"the function {name or '?'} cannot be rebuilt: its stored source text does not define it and there is "
        "no pickle to fall back to; apply it again"
    )


__all__ = [
    "PandasTransformation", "PythonTransformation", "Transformation", "TransformationMode", "from_source_text",
    "mode_of", "pickle_by_value", "rebuild", "source_text",
]
