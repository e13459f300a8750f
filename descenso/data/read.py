"""read(): a CSV/Parquet file, a DataFrame or arrays in; one validated, encoded table out.

Every check runs here, before any training, and every problem is reported with
the column, the rows and the fix.
"""

from __future__ import annotations

import difflib
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from descenso.data.errors import DataError, DataWarning
from descenso.data.inspect import binary_classes, encode_target, feature_column, missing_mask, target_column
from descenso.data.schema import TableSchema, missing_report
from descenso.data.sources import Columns, array_kind, columns_from_array, columns_from_frame, load_columns

__all__ = ["Table", "read"]

_MISSING_FIX = (
    "Fix the data, or pass missing='drop' to leave those rows out or missing='mean' to fill numbers "
    "with the column mean (and text with the most frequent value)"
)


@dataclass
class Table:
    """A validated table: features ``X``, target ``y`` and how they were encoded.

    Attributes
    ----------
    X : numpy.ndarray of float32, shape (n, p)
        Numeric columns as they are, booleans as 0/1, text columns one-hot encoded.
    y : numpy.ndarray of float32, shape (n,)
        Regression: the target; binary: 1.0 where the target equals ``classes[1]``.
    feature_names : list of str
        One name per column of ``X`` (``"city=Lima"`` for an indicator).
    target : str
    task : {"binary", "regression"}
    classes : list or None
        Binary: the two original labels in sorted order.
    schema : TableSchema
        Re-applies the same encoding to new data; JSON-able with ``get_config()``.
    n_dropped : int
        Rows left out because of ``missing="drop"`` (or a missing target).
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target: str
    task: str
    classes: list[Any] | None
    schema: TableSchema
    n_dropped: int = 0

    def __repr__(self) -> str:
        classes = f", classes={self.classes!r}" if self.classes is not None else ""
        return (
            f"Table({self.X.shape[0]} rows x {self.X.shape[1]} features, target={self.target!r}, "
            f"task={self.task!r}{classes})"
        )


def _from_arrays(source: Any, target: Any) -> tuple[Columns, str]:
    """Columns for ``(X, y)``: X an array or DataFrame, y an array, list or Series."""
    X, y = source
    is_array = isinstance(X, (np.ndarray, list))
    cols = columns_from_array(np.asarray(X), "the array X") if is_array else columns_from_frame(X, "X")
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"y must be 1-D (one target per row); got shape {y.shape}")
    if len(y) != cols.n_rows:
        raise DataError(
            f"X has {cols.n_rows} rows but y has {len(y)}; they must have one target per row of X. "
            "Check that X and y come from the same rows"
        )
    name = target if isinstance(target, str) else "y"
    if name in cols.data:
        raise DataError(f"the target name {name!r} is also a column of X; pass another target= name")
    cols.data = {**cols.data, name: y}
    cols.dtypes[name] = array_kind(y)
    return cols, name


def _target_name(cols: Columns, target: Any) -> str:
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool) and cols.label == "the array":
        if not -len(cols.data) <= target < len(cols.data):
            raise DataError(
                f"target={target} is not a column index of the array with {len(cols.data)} columns"
            )
        return list(cols.data)[target]
    if target is not None and not isinstance(target, str) and str(target) in cols.data:
        target = str(target)  # a DataFrame column named by a number, e.g. 0
    if target is None:
        raise TypeError(
            f"read() needs target= naming the column to predict; the columns are: {', '.join(cols.data)}"
        )
    if target not in cols.data:
        close = difflib.get_close_matches(str(target), list(cols.data), n=1)
        fix = f"pass target={close[0]!r} (the closest name)" if close else "pass one of them as target="
        raise DataError(
            f"column '{target}' not found in {cols.label}; the columns are: {', '.join(cols.data)}. "
            f"Fix: {fix}"
        )
    return str(target)


def _check_shape(cols: Columns, target: str) -> None:
    if not cols.data or cols.n_rows == 0:
        what = "has a header but no data rows" if cols.data and cols.header_lines else "has no rows"
        raise DataError(
            f"{cols.label} {what}; there is nothing to learn from. Check that it is the right file"
        )
    if len(cols.data) == 1:
        raise DataError(
            f"{cols.label} has only the target column '{target}'; there are no features to learn from"
        )


def _drop_all_missing(cols: Columns, names: list[str], all_missing: set[str]) -> list[str]:
    ignored = [name for name in names if name in all_missing]
    for name in ignored:
        warnings.warn(
            f"column '{name}' in {cols.label} is entirely missing; it is ignored. Drop it from the data",
            DataWarning,
            stacklevel=3,
        )
    return ignored


def _fill_value(kind: str, values: np.ndarray) -> Any:
    present = values[~missing_mask(values)]
    if kind == "categorical":
        return Counter(present.tolist()).most_common(1)[0][0]
    return float(present.mean())


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _show(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _warn_suspicious(cols: Columns, name: str, kind: str, values: np.ndarray) -> None:
    present = values[~missing_mask(values)]
    if present.dtype != object:  # numbers: constant is min == max; no set of a million floats
        distinct = 1 if present.size and present.min() == present.max() else 2
    else:
        distinct = len(set(present.tolist()))
    if distinct == 1:
        warnings.warn(
            f"column '{name}' in {cols.label} is constant (every value is {_show(present[0])}); "
            "it carries no information. Drop it from the data",
            DataWarning,
            stacklevel=4,
        )
    elif kind == "categorical" and distinct > 50 and distinct > len(present) / 2:
        warnings.warn(
            f"text column '{name}' in {cols.label} has {distinct} distinct values in {len(present)} rows; "
            f"one-hot encoding adds {distinct} features. If it is an identifier, drop it",
            DataWarning,
            stacklevel=4,
        )


def _rows_to_keep(
    cols: Columns, target: str, y_values: np.ndarray, gaps: dict[str, np.ndarray], missing: str | None
) -> np.ndarray:
    """Rows with a target and, unless filled, complete features; DataError naming the gaps otherwise."""
    keep = ~missing_mask(y_values)
    if not keep.any():
        raise DataError(
            f"target '{target}' in {cols.label} has no values at all (it is missing in every row); "
            "check that it is the column to predict"
        )
    if not keep.all() and missing is None:
        raise DataError(
            f"target '{target}' is missing in {_rows(int((~keep).sum()))} of {cols.label} "
            f"({cols.rows_text(np.flatnonzero(~keep))}). Drop those rows, or pass missing='drop'"
        )
    masks = {name: gap & keep for name, gap in gaps.items()}
    masks = {name: mask for name, mask in masks.items() if mask.any()}
    if masks and missing is None:
        raise DataError(missing_report(cols, masks, _MISSING_FIX))
    if masks and missing == "drop":
        keep &= ~np.logical_or.reduce(list(masks.values()))
    if not keep.any():
        raise DataError(f"no rows of {cols.label} are left after dropping the rows with missing values")
    return keep


def _column_spec(
    cols: Columns, name: str, kind: str, kept: np.ndarray, missing: str | None
) -> dict[str, Any]:
    """The schema entry of a feature column, from the rows kept for training."""
    column: dict[str, Any] = {"name": name, "kind": kind}
    if kind == "categorical":
        column["categories"] = sorted({v for v in kept if v is not None})
    if missing == "mean":
        if missing_mask(kept).all():
            raise DataError(
                f"column '{name}' in {cols.label} has no values in the rows that have a target, "
                "so missing='mean' has nothing to average; drop the column"
            )
        column["fill"] = _fill_value(kind, kept)
    _warn_suspicious(cols, name, kind, kept)
    return column


def read(source: Any, target: Any = None, missing: str | None = None, task: str | None = None) -> Table:
    """Read and validate a table for training: a file, a DataFrame or NumPy arrays.

    Parameters
    ----------
    source : str, path, DataFrame, pyarrow Table, numpy.ndarray or tuple (X, y)
        A ``.csv``/``.tsv`` or ``.parquet`` file (read by pyarrow), a pandas or polars
        DataFrame or pyarrow Table (read through narwhals), a 2-D array with ``target`` a
        column index, or a pair ``(X, y)``.
    target : str or int
        The column to predict (an index for a 2-D array; optional for ``(X, y)``).
    missing : {None, "drop", "mean"}, default None
        What to do with missing, NaN or infinite feature values: ``None`` raises a
        :class:`DataError` naming them; ``"drop"`` leaves those rows out; ``"mean"`` fills
        numbers with the column mean and text with the most frequent value (both from
        this data; the schema remembers them for new data). Rows whose *target* is missing
        are an error with ``None`` and are dropped otherwise (a target is never invented).
    task : {None, "binary", "regression"}
        ``None`` infers it: text or boolean targets, and numeric targets with exactly two
        values, are binary; other numeric targets are regression.

    Returns
    -------
    Table
        ``X`` float32, ``y`` float32, names, task, classes and the reusable ``schema``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataError
        A ``ValueError`` for: a file that is not CSV/Parquet or does not parse, an empty or
        header-only table, a missing target column (the message lists the columns),
        a text target for regression, a binary target without exactly 2 classes (with the
        counts), missing/NaN/inf values (columns and rows), X and y of different lengths,
        text in a numeric column, unusable column types.
    TypeError
        For an unreadable kind of source, or no ``target``.

    Warns
    -----
    DataWarning
        For a constant column, an entirely missing column (it is then ignored) and a text
        column with more distinct values than half the rows (an identifier?).

    Examples
    --------
    >>> import numpy as np
    >>> from descenso import data
    >>> X = np.array([[1.0, 2.0], [3.0, 1.0], [0.5, 0.5]])
    >>> table = data.read((X, np.array([True, False, True])))
    >>> table.task, table.classes, table.y
    ('binary', [False, True], array([1., 0., 1.], dtype=float32))
    """
    if missing not in (None, "drop", "mean"):
        raise ValueError(f"missing must be None, 'drop' or 'mean'; got {missing!r}")
    if task not in (None, "binary", "regression"):
        raise ValueError(f"task must be None, 'binary' or 'regression'; got {task!r}")
    if isinstance(source, (tuple, list)) and len(source) == 2:
        cols, target = _from_arrays(source, target)
    else:
        cols = load_columns(source)
        target = _target_name(cols, target)
    _check_shape(cols, target)
    names = [name for name in cols.data if name != target]
    # One feature column at a time (a Parquet file's is read when asked for): only its kind and where
    # it is missing are kept, so read() holds one column beside its result, never the whole table.
    kinds, gaps, all_missing = {}, {}, set()
    for name in names:
        kinds[name], column = feature_column(name, cols)
        gap = missing_mask(column)
        if gap.all():
            all_missing.add(name)
        elif gap.any():
            gaps[name] = gap
        del column, gap
    task, y_values, y_kind = target_column(target, cols, task)

    ignored = _drop_all_missing(cols, names, all_missing)
    names = [name for name in names if name not in ignored]
    if not names:
        raise DataError(f"{cols.label} has no usable feature columns (all are entirely missing)")
    keep = _rows_to_keep(
        cols, target, y_values, {name: gaps[name] for name in names if name in gaps}, missing
    )
    del gaps
    classes = binary_classes(target, y_values[keep], cols.label) if task == "binary" else None
    if classes is not None and y_kind == "boolean":
        classes = [bool(c) for c in classes]
    rows = None if keep.all() else keep  # no copy of a column when every row is kept (the usual case)
    columns = []
    for name in names:  # a loop, not a comprehension: warnings must point at read()'s caller
        column = feature_column(name, cols, expect=kinds[name])[1]
        columns.append(
            _column_spec(cols, name, kinds[name], column if rows is None else column[rows], missing)
        )
        del column
    schema = TableSchema(columns, target, task, classes, missing, ignored)
    X, _ = schema.encode(cols, on_missing="fill", rows=rows)
    y = encode_target(target, y_values[keep], classes, cols).astype(np.float32)
    n_dropped = int((~keep).sum())
    return Table(X, y, schema.feature_names, target, task, classes, schema, n_dropped)
