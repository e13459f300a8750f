"""The one streaming pass over a file's training rows that learns its representation.

Each rank summarises its own pieces (:func:`summarise`): per column the count, mean and
sum of squared deviations of the numbers, the counts of each category, the missing values;
the summaries of all pieces are gathered and combined in piece order (:func:`combine`), so
the result does not depend on the number of ranks. From them come the
:class:`~descenso.data.schema.TableSchema` (one-hot categories, missing-value fills, task and
classes) and the standardisation (mean and scale of every encoded column), as
:func:`descenso.data.read` and ``features.Standardize`` would learn from the whole table.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from descenso.data.errors import DataError
from descenso.data.inspect import feature_column, missing_mask, target_column
from descenso.data.schema import TableSchema
from descenso.data.sources import Columns

__all__ = ["summarise", "combine", "learned_schema", "standardisation"]


def _moments(values: np.ndarray) -> dict[str, Any]:  # (the entry's numbers are ints and floats)
    present = values[~missing_mask(values)]
    mean = float(present.mean()) if present.size else 0.0
    return {"n": int(present.size), "mean": mean, "m2": float(((present - mean) ** 2).sum()),
            "missing": int(values.size - present.size)}  # fmt: skip


def summarise(cols: Columns, target: str, task: str | None, missing: str | None) -> dict[str, Any]:
    """What one piece's training rows say about each column (small: no rows are kept).

    With ``missing="drop"`` only the complete rows count, as they are the ones trained on.
    """
    summary: dict[str, Any] = {"rows": cols.n_rows, "columns": {}}
    if missing == "drop":
        gaps = [missing_mask(feature_column(name, cols)[1]) for name in cols.data if name != target]
        gaps.append(missing_mask(target_column(target, cols, task)[1]))
        keep = ~np.logical_or.reduce(gaps)
        cols = Columns({name: v[keep] for name, v in cols.data.items()}, cols.dtypes, cols.label)
    for name in cols.data:
        if name == target:
            continue
        kind, values = feature_column(name, cols)
        entry: dict[str, Any] = (
            _moments(values) if kind != "categorical" else {"missing": int(missing_mask(values).sum())}
        )
        if kind == "categorical":
            entry["counts"] = Counter(v for v in values.tolist() if v is not None)
        entry["kind"] = kind
        summary["columns"][name] = entry
    _, y, y_kind = target_column(target, cols, task)
    entry = _moments(y) if y.dtype != object else {"missing": int(missing_mask(y).sum())}
    entry["kind"], (entry["labels"], entry["label_counts"]) = y_kind, _first_labels(y)
    summary["target"] = entry
    return summary


def _first_labels(values: np.ndarray) -> tuple[list[Any], list[int]]:
    """The first three distinct target values in sorted order and their counts: enough to tell
    binary from not, and a binary target's class shares.

    Not :func:`class_counts`, which makes a Python pair per distinct value (seconds per piece
    for a numeric target).
    """
    present = values[~missing_mask(values)] if len(values) else values
    labels, counts = np.unique(
        present.astype(str) if present.dtype == object else present, return_counts=True
    )
    return [label.item() if hasattr(label, "item") else label for label in labels[:3]], counts[:3].tolist()


def _merge_moments(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Chan et al.'s pairwise update: exact in real arithmetic, stable in floating point."""
    n = a["n"] + b["n"]
    if n == 0:
        return {**a, "missing": a["missing"] + b["missing"]}
    delta = b["mean"] - a["mean"]
    mean = a["mean"] + delta * b["n"] / n
    m2 = a["m2"] + b["m2"] + delta * delta * a["n"] * b["n"] / n
    return {**a, "n": n, "mean": mean, "m2": m2, "missing": a["missing"] + b["missing"]}


def _merge_entry(name: str, a: dict[str, Any], b: dict[str, Any], label: str) -> dict[str, Any]:
    if a["kind"] != b["kind"]:
        raise DataError(
            f"column '{name}' in {label} holds {a['kind']} values in some pieces and {b['kind']} in others; "
            "make it one type (e.g. fix the text in a column of numbers)"
        )
    merged = _merge_moments(a, b) if "n" in a else {**a, "missing": a["missing"] + b["missing"]}
    if "counts" in a:
        merged["counts"] = a["counts"] + b["counts"]
    if "labels" in a:
        # The first three of the union are among each side's first three, or absent from that side.
        counts = dict(zip(a["labels"], a["label_counts"], strict=True))
        for label, count in zip(b["labels"], b["label_counts"], strict=True):
            counts[label] = counts.get(label, 0) + count
        # Numbers in numeric order, as np.unique gave each side (and data.read's classes): 2 before 10.
        merged["labels"] = sorted(counts)[:3]
        merged["label_counts"] = [counts[label] for label in merged["labels"]]
    return merged


def combine(summaries: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """One summary of the whole file from the pieces' summaries, merged in the order given."""
    total = summaries[0]
    for other in summaries[1:]:
        total = {
            "rows": total["rows"] + other["rows"],
            "columns": {
                name: _merge_entry(name, entry, other["columns"][name], label)
                for name, entry in total["columns"].items()
            },
            "target": _merge_entry("target", total["target"], other["target"], label),
        }
    return total


def learned_schema(
    total: dict[str, Any], target: str, task: str | None, missing: str | None, label: str
) -> TableSchema:
    """The TableSchema :func:`descenso.data.read` would give for the training rows summarised."""
    y = total["target"]
    if y["missing"] and missing is None:
        raise DataError(
            f"target '{target}' is missing in {y['missing']} training rows of {label}; pass missing='drop'"
        )
    gaps = {name: entry["missing"] for name, entry in total["columns"].items() if entry["missing"]}
    if gaps and missing is None:
        listed = "; ".join(f"column '{name}': {count} rows" for name, count in gaps.items())
        raise DataError(
            f"missing, NaN or infinite values in the training rows of {label}: {listed}. Fix the data, or "
            "pass missing='drop' to leave those rows out or missing='mean' to fill them"
        )
    if task is None:
        task = "binary" if y["kind"] != "numeric" or len(y["labels"]) == 2 else "regression"
    classes = None
    if task == "binary":
        if len(y["labels"]) != 2:
            how_many = "more than 2" if len(y["labels"]) > 2 else "fewer than 2"
            raise DataError(
                f"target '{target}' in {label} has {how_many} "
                "classes; binary classification needs exactly 2 (pass task='regression' for a number)"
            )
        classes = [bool(c) if y["kind"] == "boolean" else c for c in y["labels"]]
        classes = [int(c) if isinstance(c, float) and c.is_integer() else c for c in classes]
    columns = []
    for name, entry in total["columns"].items():
        column: dict[str, Any] = {"name": name, "kind": entry["kind"]}
        if entry["kind"] == "categorical":
            column["categories"] = sorted(entry["counts"])
        if missing == "mean":
            column["fill"] = entry["counts"].most_common(1)[0][0] if "counts" in entry else entry["mean"]
        columns.append(column)
    return TableSchema(columns, target, task, classes, missing)


def standardisation(total: dict[str, Any], schema: TableSchema) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale (population std; 1 where it is 0) of every encoded column, after fills."""
    means, scales = [], []
    for column in schema.columns:
        entry = total["columns"][column["name"]]
        filled = schema.missing == "mean"
        if column["kind"] == "categorical":
            rows = sum(entry["counts"].values()) + (entry["missing"] if filled else 0)
            for category in column["categories"]:
                count = entry["counts"][category] + (
                    entry["missing"] if filled and category == column.get("fill") else 0
                )
                p = count / max(rows, 1)
                means.append(p)
                scales.append(np.sqrt(p * (1 - p)))
            continue
        rows = entry["n"] + (entry["missing"] if filled else 0)  # a filled value adds no deviation
        means.append(entry["mean"])
        scales.append(np.sqrt(entry["m2"] / max(rows, 1)))
    scale = np.asarray(scales, dtype=np.float64)
    return np.asarray(means, dtype=np.float64), np.where(scale > 0, scale, 1.0)
