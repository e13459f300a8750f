"""Decide what each column is (numeric, boolean, categorical) and check the target, with clear errors.

Every function works on one NumPy column and returns a normalised copy:
numeric and boolean columns as float64 with NaN for missing, categorical
columns as object arrays of ``str`` with ``None`` for missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.data.errors import DataError
from descenso.data.sources import Columns

__all__ = ["feature_column", "target_column", "missing_mask", "binary_classes", "class_counts"]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def missing_mask(values: np.ndarray) -> np.ndarray:
    """True where a normalised column is missing (NaN, inf or None)."""
    if values.dtype == object:
        # None, or NaN (the one value not equal to itself), in two C loops instead of a Python one.
        is_none: Any = np.equal(values, None)  # type: ignore[call-overload]
        return np.asarray(is_none | np.not_equal(values, values), dtype=bool)
    return ~np.isfinite(values)


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _object_kind(name: str, values: np.ndarray, cols: Columns) -> str:
    """Kind of an object column from its values: all bools, all numbers or all text; else an error."""
    kinds = set()
    for value in values:
        if _is_missing(value):
            continue
        if isinstance(value, (bool, np.bool_)):
            kinds.add("boolean")
        elif isinstance(value, (int, float, np.integer, np.floating)):
            kinds.add("numeric")
        elif isinstance(value, str):
            kinds.add("text")
        else:
            kinds.add(type(value).__name__)
    if len(kinds) > 1:
        raise DataError(
            f"column '{name}' in {cols.label} mixes values of different kinds ({', '.join(sorted(kinds))}); "
            "make every value of a column the same kind (all numbers or all text)"
        )
    kind = kinds.pop() if kinds else "numeric"
    if kind not in ("boolean", "numeric", "text"):
        raise DataError(
            f"column '{name}' in {cols.label} holds {kind} values; convert them to numbers or text"
        )
    return kind


def _numeric_text_check(name: str, values: np.ndarray, cols: Columns) -> None:
    """Refuse a text column whose values are mostly numbers: a typo or a placeholder like '?'."""
    # Each distinct value is parsed once (a column has few categories): no list of a million pairs.
    distinct = {v for v in values if v is not None}
    text = {v for v in distinct if _as_float(v) is None}
    if not text or len(text) == len(distinct):
        return
    is_text = np.fromiter((v in text for v in values), dtype=bool, count=len(values))
    n_bad, n_present = int(is_text.sum()), sum(v is not None for v in values)
    if n_bad < n_present / 2:
        rows = np.flatnonzero(is_text)
        raise DataError(
            f"column '{name}' in {cols.label} looks numeric, but {n_bad} of its values "
            f"{'is not a number' if n_bad == 1 else 'are not numbers'} "
            f"(first {cols.rows_text(rows[:1])}: {values[rows[0]]!r}). Fix those values; if they mean "
            "'unknown', leave the cell empty and pass missing='drop' or missing='mean'"
        )


def _as_text(values: np.ndarray) -> np.ndarray:
    if values.dtype == object and all(v is None or type(v) is str for v in values):
        return values  # already text (pyarrow's strings): no second copy
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = None if _is_missing(v) else (f"{v:g}" if isinstance(v, (float, np.floating)) else str(v))
    return out


def _to_float(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return np.array([np.nan if _is_missing(v) else float(v) for v in values], dtype=np.float64)
    return values.astype(np.float64, copy=False)  # callers copy before they write


def feature_column(name: str, cols: Columns, expect: str | None = None) -> tuple[str, np.ndarray]:
    """Classify and normalise a feature column; ``expect`` is the kind a schema requires.

    Returns
    -------
    kind : {"numeric", "boolean", "categorical"}
    values : numpy.ndarray
        float64 (numeric, boolean as 0/1) or object ``str`` (categorical); missing as NaN/None.
    """
    values, kind = cols.data[name], cols.dtypes[name]
    if kind == "object":
        kind = _object_kind(name, values, cols)
    if kind not in ("numeric", "boolean", "text"):
        raise DataError(
            f"column '{name}' in {cols.label} has type {kind}, which descenso cannot use as a feature; "
            "drop it or convert it to numbers (e.g. a date to days since a start date)"
        )
    kind = "categorical" if kind == "text" else kind
    if expect == "categorical" or (expect is None and kind == "categorical"):
        if kind == "categorical" and expect is None:
            _numeric_text_check(name, values, cols)
        return "categorical", _as_text(values)
    if kind == "categorical":  # a schema wants numbers but the data holds text
        parsed = [(i, v) for i, v in enumerate(values) if v is not None and _as_float(v) is None]
        first = cols.rows_text(np.array([parsed[0][0]])) + f": {parsed[0][1]!r}" if parsed else ""
        raise DataError(
            f"column '{name}' in {cols.label} holds text ({first}) but was {expect} in the training data; "
            "fix those values"
        )
    return (expect or kind), _to_float(values)


def _n_distinct(numbers: np.ndarray) -> int:
    """How many distinct finite numbers (no list of (label, count) pairs for a million values)."""
    return int(np.unique(numbers[np.isfinite(numbers)]).size)


def class_counts(values: np.ndarray) -> list[tuple[Any, int]]:
    """(label, count) pairs of the non-missing values, in sorted label order."""
    present = values[~missing_mask(values)] if len(values) else values
    labels, counts = np.unique(
        present.astype(str) if present.dtype == object else present, return_counts=True
    )
    return [
        (label.item() if hasattr(label, "item") else label, int(count))
        for label, count in zip(labels, counts, strict=True)
    ]


def binary_classes(name: str, values: np.ndarray, label: str) -> list[Any]:
    """The two sorted classes of a binary target; DataError with the counts otherwise."""
    counts = class_counts(values)
    if len(counts) != 2:
        shown = ", ".join(f"{c!r}: {n}" for c, n in counts[:10]) + (", ..." if len(counts) > 10 else "")
        if len(counts) < 2:
            fix = "check the target column: both classes must appear in the data"
        elif any(isinstance(c, str) for c, _ in counts):  # text labels: not a number to predict
            fix = "map it to two classes first (one class against the rest, say)"
        else:
            fix = "pass task='regression' if it is a number to predict, or map it to two classes first"
        raise DataError(
            f"target '{name}' in {label} has {len(counts)} {'class' if len(counts) == 1 else 'classes'} "
            f"({shown}); binary classification needs exactly 2. Fix: {fix}"
        )
    return [_json_label(c) for c, _ in counts]


def _json_label(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def target_column(name: str, cols: Columns, task: str | None) -> tuple[str, np.ndarray, str]:
    """Decide the task and normalise the target: float64 (numbers, bools as 0/1) or object str.

    Returns the task, the normalised values and the column's kind (numeric, boolean or text).
    """
    values, kind = cols.data[name], cols.dtypes[name]
    if kind == "object":
        kind = _object_kind(name, values, cols)
    if kind not in ("numeric", "boolean", "text"):
        raise DataError(
            f"target '{name}' in {cols.label} has type {kind}; it must hold numbers, booleans or text"
        )
    if kind == "text":
        normalised = _as_text(values)
        if task == "regression":
            example = next((v for v in normalised if v is not None), None)
            raise DataError(
                f"target '{name}' in {cols.label} holds text (e.g. {example!r}); regression needs a numeric "
                "target. Convert it to numbers, or pass task='binary' if it has two classes"
            )
        return "binary", normalised, kind
    numbers = _to_float(values)
    if task is None:
        task = "binary" if kind == "boolean" or _n_distinct(numbers) == 2 else "regression"
    if kind == "boolean" and task == "regression":
        raise DataError(
            f"target '{name}' in {cols.label} is boolean; use task='binary' for a True/False target"
        )
    return task, numbers, kind


def encode_target(name: str, values: np.ndarray, classes: list[Any] | None, cols: Columns) -> np.ndarray:
    """Binary: 1.0 where the value equals ``classes[1]``, 0.0 for ``classes[0]``; regression: the numbers.

    Raises DataError for a label that is neither class.
    """
    if classes is None:
        return values.astype(np.float64)
    if values.dtype == object:
        known = np.array([str(c) for c in classes], dtype=object)
    else:
        known = np.array([float(c) for c in classes])
    is_one, is_zero = values == known[1], values == known[0]
    unknown = np.flatnonzero(~(is_one | is_zero) & ~missing_mask(values))
    if unknown.size:
        raise DataError(
            f"target '{name}' in {cols.label} has {unknown.size} "
            f"{'value that is' if unknown.size == 1 else 'values that are'} neither class "
            f"{classes[0]!r} nor {classes[1]!r} "
            f"(first {cols.rows_text(unknown[:1])}: {values[unknown[0]]!r}); "
            "fix the labels or train a new model on data with these classes"
        )
    return is_one.astype(np.float64)
