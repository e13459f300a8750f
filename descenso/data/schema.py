"""TableSchema: the columns a model was trained on, and how to turn new data into the same features.

A schema is what :func:`descenso.data.read` learned from the training table:
which columns are features, their kinds, the categories of each text column
(one-hot encoded in sorted order), the target and its two classes. It is
JSON-able, so it saves with a model, and re-applies the same encoding to new
files and frames at prediction time.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from descenso.data.errors import DataError, DataWarning
from descenso.data.inspect import encode_target, feature_column, missing_mask, target_column
from descenso.data.sources import Columns, load_columns

__all__ = ["TableSchema", "missing_report"]

_VERSION = 1


def missing_report(cols: Columns, masks: dict[str, np.ndarray], fix: str) -> str:
    """One sentence per column with missing values, the total number of rows, and the fix."""
    parts = [
        f"column '{name}': {int(mask.sum())} {'row' if mask.sum() == 1 else 'rows'} "
        f"({cols.rows_text(np.flatnonzero(mask))})"
        for name, mask in masks.items()
    ]
    total = int(np.logical_or.reduce(list(masks.values())).sum())
    in_all = "1 row" if total == 1 else f"{total} rows"
    return f"missing, NaN or infinite values in {cols.label}: {'; '.join(parts)} ({in_all} in all). {fix}"


class TableSchema:
    """The feature columns, their encoding and the target of a table, re-applicable to new data.

    Parameters
    ----------
    columns : list of dict
        One dict per feature column: ``name``, ``kind`` (``"numeric"``, ``"boolean"`` or
        ``"categorical"``), ``categories`` (categorical: the sorted categories), ``fill``
        (the value used for missing entries when ``missing="mean"``).
    target : str or None
        The target column's name.
    task : {"binary", "regression"}
    classes : list or None
        Binary: the two original labels, sorted; ``y = 1`` means ``classes[1]``.
    missing : {None, "drop", "mean"}
        How missing values were handled when reading the training data.
    ignored : list of str
        Columns left out (e.g. entirely missing ones); new data may have them or not.

    Notes
    -----
    A categorical column with categories ``c_1 < ... < c_k`` becomes ``k`` indicator
    columns named ``"name=c_j"``. A category not seen in training becomes all zeros in its
    block, so predictions still run, with a warning naming it (``on_unknown``). Columns
    missing from new data, or columns the schema does not know, are errors that name them.

    Examples
    --------
    >>> import pandas as pd
    >>> from descenso import data
    >>> df = pd.DataFrame({"area": [50.0, 80.0, 65.0], "city": ["Lima", "Quito", "Lima"],
    ...                    "sold": ["no", "yes", "yes"]})
    >>> table = data.read(df, target="sold")
    >>> table.feature_names, table.classes
    (['area', 'city=Lima', 'city=Quito'], ['no', 'yes'])
    >>> new = pd.DataFrame({"area": [70.0], "city": ["Cusco"]})   # a city never seen: warned by default
    >>> table.schema.transform(new, on_unknown="ignore")
    array([[70.,  0.,  0.]], dtype=float32)
    """

    def __init__(
        self,
        columns: list[dict[str, Any]],
        target: str | None,
        task: str,
        classes: list[Any] | None = None,
        missing: str | None = None,
        ignored: list[str] | tuple[str, ...] = (),
    ) -> None:
        if task not in ("binary", "regression"):
            raise ValueError(f"task must be 'binary' or 'regression'; got {task!r}")
        self.columns = [dict(column) for column in columns]
        self.target = target
        self.task = task
        self.classes = None if classes is None else list(classes)
        self.missing = missing
        self.ignored = list(ignored)

    @property
    def feature_names(self) -> list[str]:
        """Names of the encoded feature columns, in the order of ``X``'s columns."""
        names: list[str] = []
        for column in self.columns:
            if column["kind"] == "categorical":
                names.extend(f"{column['name']}={category}" for category in column["categories"])
            else:
                names.append(column["name"])
        return names

    @property
    def n_features(self) -> int:
        """The number of columns of ``X``."""
        return len(self.feature_names)

    def get_config(self) -> dict[str, Any]:
        """A JSON-able dict from which :meth:`from_config` rebuilds the schema."""
        return {
            "version": _VERSION,
            "columns": [dict(column) for column in self.columns],
            "target": self.target,
            "task": self.task,
            "classes": self.classes,
            "missing": self.missing,
            "ignored": list(self.ignored),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TableSchema:
        """Rebuild a schema saved with :meth:`get_config`."""
        if not isinstance(config, dict) or config.get("version") != _VERSION:
            raise ValueError(f"not a TableSchema config of version {_VERSION}: {config!r:.200}")
        return cls(
            config["columns"],
            config["target"],
            config["task"],
            config.get("classes"),
            config.get("missing"),
            config.get("ignored", []),
        )

    # ------------------------------------------------------------------ applying it
    def transform(
        self, source: Any, on_missing: str | None = None, dtype: Any = np.float32, on_unknown: str = "warn"
    ) -> np.ndarray:
        """Encode new data (a path, a DataFrame or a 2-D array) into ``X`` like the training data.

        The target column may be present (it is ignored); other unknown columns and missing
        ones raise :class:`DataError`. By default missing values are filled as in training
        when the schema was made with ``missing="mean"``, and are errors otherwise;
        ``on_missing`` overrides that (``"error"``, ``"fill"`` or ``"nan"``, see :meth:`encode`).
        ``dtype`` is float32 by default; a float64 model asks for float64 so that numeric
        columns are not rounded on the way in. ``on_unknown`` is what a category never seen
        in training does (see :meth:`encode`).
        """
        cols = self._load(source)
        if on_missing is None:
            on_missing = "fill" if self.missing == "mean" else "error"
        X, _ = self.encode(cols, on_missing=on_missing, dtype=dtype, on_unknown=on_unknown)
        return X

    def transform_target(self, source: Any) -> np.ndarray:
        """The target column of new labelled data as float32 (binary: 1.0 for ``classes[1]``)."""
        cols = self._load(source)
        if self.target is None or self.target not in cols.data:
            raise DataError(f"target column '{self.target}' not found in {cols.label}")
        _, values, _ = target_column(self.target, cols, self.task)
        return encode_target(self.target, values, self.classes, cols).astype(np.float32)

    def decode(self, y: Any) -> np.ndarray:
        """Map 0/1 predictions back to the original class labels (binary only)."""
        if self.classes is None:
            raise ValueError("decode() is for binary targets; this schema is for regression")
        return np.where(np.asarray(y) >= 0.5, self.classes[1], self.classes[0])

    def _load(self, source: Any) -> Columns:
        if isinstance(source, np.ndarray) and source.ndim == 2:
            from descenso.data.sources import columns_from_array

            names = [c["name"] for c in self.columns]
            if source.shape[1] != len(names):
                raise DataError(
                    f"the array has {source.shape[1]} columns but the model expects {len(names)}, in this "
                    f"order: {', '.join(names)}"
                )
            return columns_from_array(source, "the array", names)
        return load_columns(source)

    def check_columns(self, cols: Columns) -> None:
        """DataError naming the columns the data lacks or has in excess."""
        expected = [c["name"] for c in self.columns]
        allowed = {*expected, *self.ignored, *([self.target] if self.target else [])}
        missing = [name for name in expected if name not in cols.data]
        extra = [name for name in cols.data if name not in allowed]
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"it lacks the column(s) {', '.join(missing)}")
            if extra:
                problems.append(f"it has column(s) the model does not know: {', '.join(extra)}")
            raise DataError(
                f"{cols.label} does not match the training data: {'; '.join(problems)}. "
                f"The model expects the columns: {', '.join(expected)}"
            )

    def encode(
        self,
        cols: Columns,
        on_missing: str = "error",
        dtype: Any = np.float32,
        on_unknown: str = "warn",
        rows: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Encode feature columns into ``X`` (float32 by default); return it with the mask of kept rows.

        ``on_missing``: ``"error"`` (DataError naming columns and rows), ``"drop"`` (leave those
        rows out), ``"fill"`` (use each column's ``fill`` value) or ``"nan"`` (keep them as NaN:
        every column of a categorical block is NaN, for the caller to fill).

        ``on_unknown``, for a category the training data did not have (scikit-learn's
        ``OneHotEncoder(handle_unknown=...)``): its one-hot block is all zeros, which changes
        the prediction, so ``"warn"`` (the default) says so with a :class:`DataWarning` naming
        the column, the values and how many rows; ``"error"`` raises :class:`DataError` instead;
        ``"ignore"`` encodes it silently.

        ``rows``, a boolean mask, encodes only those rows (row numbers in messages are then
        counted among them). ``X`` is allocated once and each column is encoded into its place,
        so encoding costs ``X`` and one column, not ``X`` twice.
        """
        if on_missing not in ("error", "drop", "fill", "nan"):
            raise ValueError(f"on_missing must be 'error', 'drop', 'fill' or 'nan'; got {on_missing!r}")
        if on_unknown not in ("warn", "error", "ignore"):
            raise ValueError(f"on_unknown must be 'warn', 'error' or 'ignore'; got {on_unknown!r}")
        self.check_columns(cols)
        n = cols.n_rows if rows is None else int(np.count_nonzero(rows))
        widths = [len(c["categories"]) if c["kind"] == "categorical" else 1 for c in self.columns]
        X = np.empty((n, sum(widths)), dtype=np.dtype(dtype))
        masks, unknown, start = {}, [], 0
        for column, width in zip(self.columns, widths, strict=True):
            _, values = feature_column(column["name"], cols, expect=column["kind"])
            if rows is not None:
                values = values[rows]
            mask = missing_mask(values)
            if column["kind"] == "categorical" and on_unknown != "ignore":
                unknown.extend(unknown_categories(column, values, mask))
            block = X[:, start : start + width]
            _encode_column(column, values, block)
            del values
            if mask.any():
                masks[column["name"]] = mask
                if on_missing == "fill":  # as if each missing value were the column's fill value
                    _fill_missing(column, block, mask)
                if on_missing == "nan":
                    block[mask] = np.nan  # also inf in a numeric column: missing, as in read()
            start += width
        if unknown:
            report = "; ".join(unknown) + " (categories not seen in training"
            if on_unknown == "error":
                raise DataError(report + "). Fix: map them to a known category or drop those rows")
            warnings.warn(
                report + ", encoded as none of the known ones, which changes the prediction; "
                "pass handle_unknown='error' to refuse them or 'ignore' to say nothing)",
                DataWarning,
                stacklevel=3,
            )
        keep = np.ones(n, dtype=bool)
        if masks and on_missing == "error":
            fix = (
                "Fill or drop them before predicting (this model was trained with "
                f"missing={self.missing!r}; missing='mean' fills them automatically)"
            )
            raise DataError(missing_report(cols, masks, fix))
        if masks and on_missing == "drop":
            keep = ~np.logical_or.reduce(list(masks.values()))
        return (X if keep.all() else X[keep]), keep

    def __repr__(self) -> str:
        return (
            f"TableSchema(target={self.target!r}, task={self.task!r}, classes={self.classes!r}, "
            f"features={self.feature_names!r})"
        )


def unknown_categories(column: dict[str, Any], values: np.ndarray, missing: np.ndarray) -> list[str]:
    """``["column 'species' has 'Emperor' in 2 rows"]`` for values outside a categorical column's categories.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.data.schema import unknown_categories
    >>> column = {"name": "species", "kind": "categorical", "categories": ["Adelie", "Gentoo"]}
    >>> values = np.array(["Adelie", "Emperor", "Emperor", None], dtype=object)
    >>> unknown_categories(column, values, np.array([False, False, False, True]))
    ["column 'species' has 'Emperor' in 2 rows"]
    """
    known = set(column["categories"])
    new = [v for v, gone in zip(values, missing, strict=True) if not gone and v not in known]
    if not new:
        return []
    counts: dict[Any, int] = {}
    for value in new:
        value = value.item() if isinstance(value, np.generic) else value  # 'Emperor', not np.str_(...)
        counts[value] = counts.get(value, 0) + 1
    shown = [
        f"{value!r} in {count} row{'s' if count > 1 else ''}" for value, count in list(counts.items())[:5]
    ]
    more = f" and {len(counts) - 5} more values" if len(counts) > 5 else ""
    return [f"column {column['name']!r} has " + ", ".join(shown) + more]


def _encode_column(column: dict[str, Any], values: np.ndarray, out: np.ndarray) -> None:
    """Write one column into ``out`` of shape (n, 1), or (n, k) indicators for a categorical column."""
    if column["kind"] != "categorical":
        out[:, 0] = values
        return
    index = {category: j for j, category in enumerate(column["categories"])}
    codes = np.fromiter((index.get(v, -1) for v in values), dtype=np.int64, count=len(values))
    out[:] = 0  # unseen or missing categories stay all zeros
    known = np.flatnonzero(codes >= 0)
    out[known, codes[known]] = 1.0


def _fill_missing(column: dict[str, Any], block: np.ndarray, mask: np.ndarray) -> None:
    """The encoding of ``column["fill"]`` in the missing rows (NaN, or no category, without one)."""
    fill = column.get("fill")
    if column["kind"] != "categorical":
        block[mask, 0] = np.nan if fill is None else fill
        return
    block[mask] = 0
    if fill in column["categories"]:
        block[mask, column["categories"].index(fill)] = 1.0
