"""DataFrames in, float arrays out: target columns by name and one-hot encoded text columns.

Numeric pandas/polars/pyarrow tables are converted directly; a table with text,
categorical or date columns goes through ``descenso.data``'s schema, which is
fitted once in ``fit`` and re-applied to new tables (so ``predict`` sees the same
one-hot columns).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from descenso.estimators._validation import frame_columns, to_float_array

__all__ = ["split_target", "to_array"]


def _narwhals(frame: Any) -> Any:
    try:
        import narwhals.stable.v1 as nw
    except ImportError:
        raise ImportError(
            "reading DataFrames needs narwhals; install it with pip install 'descenso[data]'"
        ) from None
    return nw.from_native(frame, eager_only=True)


def split_target(X: Any, y: Any) -> tuple[Any, Any, str | None]:
    """``fit(frame, "price")``: take column ``y`` out of ``X``; other ``y`` pass through unchanged."""
    if not isinstance(y, str):
        return X, y, None
    columns = frame_columns(X)
    if columns is None:
        raise TypeError(
            f"y={y!r} names a target column, which needs X to be a pandas/polars DataFrame; X is a "
            f"{type(X).__name__}. Pass the target values as y instead"
        )
    if y not in columns:
        raise ValueError(f"column {y!r} not found; columns are: {', '.join(map(str, columns))}")
    frame = _narwhals(X)
    return frame.drop(y).to_native(), frame.get_column(y).to_numpy(), y


def _is_numeric_frame(frame: Any) -> bool:
    import narwhals.stable.v1 as nw

    return all(dtype.is_numeric() or dtype == nw.Boolean for dtype in frame.schema.values())


def to_array(
    estimator: Any,
    X: Any,
    reset: bool,
    dtype: Any,
    target_name: str | None = None,
    allow_nan: bool = False,
) -> tuple[np.ndarray, list[Any] | None, int]:
    """``(float array, column names or None, number of input columns)`` for ``X``.

    Tables with text or categorical columns are encoded by a schema fitted in ``fit``
    (so the array may have more columns than the table). At predict time a table that
    still holds the training table's target column has it dropped. With ``allow_nan``
    missing values come back as NaN (a missing text value: NaN in its whole one-hot block)
    for the estimator to drop or fill; otherwise they are refused, naming them.
    """
    columns = frame_columns(X)
    if reset:  # forget the previous fit's table layout, whatever this data is
        estimator.target_name_ = target_name
        if hasattr(estimator, "schema_"):
            del estimator.schema_
    if columns is None:
        array = to_float_array(X, dtype, allow_nan=allow_nan)
        return array, None, array.shape[1]
    if reset:
        frame = _narwhals(X)
        if not _is_numeric_frame(frame):
            estimator.schema_ = _fit_schema(frame.to_native(), len(frame), estimator.missing)
    else:
        fitted_target = getattr(estimator, "target_name_", None)
        if fitted_target is not None and fitted_target in columns:
            X = _narwhals(X).drop(fitted_target).to_native()
            columns = [c for c in columns if c != fitted_target]
    schema = getattr(estimator, "schema_", None)
    if schema is not None:
        on_missing = "nan" if allow_nan else "error"
        unknown = getattr(estimator, "handle_unknown", "warn")
        encoded = schema.transform(X, on_missing=on_missing, dtype=dtype, on_unknown=unknown)
        return to_float_array(encoded, dtype, allow_nan=allow_nan), columns, len(columns)
    return to_float_array(_narwhals(X).to_numpy(), dtype, allow_nan=allow_nan), columns, len(columns)


def _placeholder_name(columns: list[str]) -> str:
    """A target name that is no column of the user's table (which may well have one named "y")."""
    name = "__descenso_target__"
    while name in columns:
        name += "_"
    return name


def _fit_schema(frame: Any, n_rows: int, missing: str | None) -> Any:
    """Learn the columns' encoding (one-hot for text and categorical columns) with ``descenso.data``.

    The target is validated by the estimator, so the schema is fitted with a placeholder one, under
    a name no column has. ``missing`` other than None lets columns with gaps through (the estimator
    drops or fills them itself, from its training rows); read()'s fill values are not kept. All of
    read()'s remarks (constant columns, identifiers ...) become one ``DataWarning``.
    """
    from descenso import data

    placeholder = _placeholder_name([str(c) for c in frame.columns])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", data.DataWarning)
        schema = data.read(
            (frame, np.zeros(n_rows)),
            target=placeholder,
            task="regression",
            missing=None if missing is None else "mean",
        ).schema
    remarks = [str(w.message) for w in caught if issubclass(w.category, data.DataWarning)]
    for other in caught:  # anything else read() warns about is passed on unchanged
        if not issubclass(other.category, data.DataWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    if remarks:
        warnings.warn("; ".join(remarks), data.DataWarning, stacklevel=_callers_level())  # at fit()'s caller
    for column in schema.columns:
        column.pop("fill", None)
    schema.target, schema.missing = None, missing
    return schema


def _callers_level() -> int:
    """The ``stacklevel`` of the first frame outside descenso, for a warning its caller issues."""
    package = str(Path(__file__).resolve().parent.parent) + "/"
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level
