"""DataFrames in, float arrays out: target columns by name and one-hot encoded text columns.

Numeric pandas/polars/pyarrow tables are converted directly; a table with text,
categorical or date columns goes through ``descenso.data``'s schema, which is
fitted once in ``fit`` and re-applied to new tables (so ``predict`` sees the same
one-hot columns).
"""

from __future__ import annotations

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
    estimator: Any, X: Any, reset: bool, dtype: Any, target_name: str | None = None
) -> tuple[np.ndarray, list[Any] | None]:
    """``(float array, column names or None)`` for ``X``; tables with text columns use a fitted schema.

    At predict time a table that still holds the target column (as the training
    table did) has it dropped.
    """
    columns = frame_columns(X)
    if columns is None:
        return to_float_array(X, dtype), None
    if not reset:
        fitted_target = getattr(estimator, "target_name_", None)
        if fitted_target is not None and fitted_target in columns:
            X, columns = (
                _narwhals(X).drop(fitted_target).to_native(),
                [c for c in columns if c != fitted_target],
            )
    else:
        estimator.target_name_ = target_name
    schema = getattr(estimator, "schema_", None) if not reset else None
    if reset:
        if hasattr(estimator, "schema_"):
            del estimator.schema_
        frame = _narwhals(X)
        if not _is_numeric_frame(frame):
            schema = _fit_schema(frame.to_native())
            estimator.schema_ = schema
    if schema is not None:
        return to_float_array(schema.transform(X), dtype), columns
    return to_float_array(_narwhals(X).to_numpy(), dtype), columns


def _fit_schema(frame: Any) -> Any:
    """Learn the columns' encoding (one-hot for text and categorical columns) with ``descenso.data``."""
    from descenso import data

    return data.read(frame).schema
