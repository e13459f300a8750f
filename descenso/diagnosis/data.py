"""Checks of the data alone, before any training: scales, useless columns, leakage, imbalance."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from descenso.diagnosis.findings import Finding

SCALE_RATIO = 100.0  # typical sizes of two columns further apart than this slow gradient descent down
LARGE = 1e3  # a column whose typical size is above this needs scaling even alone
IDENTICAL = 0.99999  # |correlation| at which two columns (or a column and the target) are the same
MINORITY = 0.10  # a class with a smaller share than this is rare enough to need weights


def _names(count: int, feature_names: Sequence[str] | None) -> list[str]:
    return [str(n) for n in feature_names] if feature_names is not None else [f"x{j}" for j in range(count)]


def check_scales(X: np.ndarray, names: list[str]) -> list[Finding]:
    """Columns of very different typical size (root mean square), or of large size."""
    varying = np.ptp(X, axis=0) > 0
    if not varying.any():
        return []
    size = np.sqrt(np.mean(X**2, axis=0))
    index = np.flatnonzero(varying)
    big, small = index[np.argmax(size[index])], index[np.argmin(size[index])]
    ratio = float(size[big] / max(size[small], 1e-300))
    numbers = {
        "largest": names[big],
        "largest_size": float(size[big]),
        "smallest": names[small],
        "smallest_size": float(size[small]),
        "ratio": ratio,
    }
    fix = (
        "standardise the features (features=['standardize'], or descenso.features.Standardize): "
        "each column then has mean 0 and standard deviation 1"
    )
    if ratio > SCALE_RATIO:
        message = (
            f"features on very different scales: '{names[big]}' is typically {size[big]:.3g} "
            f"and '{names[small]}' {size[small]:.3g} ({ratio:.3g} times smaller), so one learning "
            "rate is too large for the first and too small for the second"
        )
        return [Finding("scales", message, fix, numbers)]
    if size[big] > LARGE:
        message = (
            f"large feature values: '{names[big]}' is typically {size[big]:.3g}; gradients "
            "scale with the inputs, so a usual learning rate diverges"
        )
        return [Finding("scales", message, fix, numbers)]
    return []


def check_columns(X: np.ndarray, names: list[str]) -> list[Finding]:
    """Constant columns, and columns that repeat another (up to scale and shift)."""
    findings = []
    constant = np.ptp(X, axis=0) == 0
    for j in np.flatnonzero(constant):
        findings.append(
            Finding(
                "constant_column",
                f"column '{names[j]}' is constant ({X[0, j]:.6g}): it tells the rows apart in no way",
                f"drop '{names[j]}'",
                {"column": names[j]},
            )
        )
    index = np.flatnonzero(~constant)
    if 1 < index.size <= 2000:
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.corrcoef(X[:, index], rowvar=False)
        seen: set[int] = set()
        for a, b in zip(*np.nonzero(np.triu(np.abs(corr) >= IDENTICAL, k=1)), strict=True):
            if b in seen:
                continue
            seen.add(int(b))
            first, second = names[index[a]], names[index[b]]
            findings.append(
                Finding(
                    "duplicate_column",
                    f"column '{second}' duplicates '{first}' (correlation {corr[a, b]:+.5f}): it adds no "
                    "information and makes the weights of the pair undetermined",
                    f"drop '{second}'",
                    {"column": second, "duplicates": first, "correlation": float(corr[a, b])},
                )
            )
    return findings


def check_leakage(X: np.ndarray, y: np.ndarray, names: list[str], binary: bool) -> list[Finding]:
    """A column equal to the target (up to scale and shift), or alone separating the two classes."""
    findings = []
    for j in np.flatnonzero(np.ptp(X, axis=0) > 0):
        column = X[:, j]
        if binary and len(y) >= 30 and 0 < y.sum() < len(y):
            ones, zeros = column[y == 1], column[y == 0]
            if ones.min() > zeros.max() or ones.max() < zeros.min():
                cut = (max(ones.min(), zeros.max()) + min(ones.max(), zeros.min())) / 2
                side = ">" if ones.min() > zeros.max() else "<"
                findings.append(
                    Finding(
                        "leakage",
                        f"column '{names[j]}' alone separates the classes perfectly (every row of class 1 "
                        f"has {names[j]} {side} {cut:.4g}, every row of class 0 the opposite): the task is "
                        "trivial or, more likely, the column is computed from the target",
                        f"check how '{names[j]}' is made; drop it if it is known only after the outcome",
                        {"column": names[j], "threshold": float(cut)},
                    )
                )
        elif not binary and np.ptp(y) > 0:
            r = float(np.corrcoef(column, y)[0, 1])
            if abs(r) >= IDENTICAL:
                findings.append(
                    Finding(
                        "leakage",
                        f"column '{names[j]}' is the target up to scale and shift (correlation {r:+.5f}): "
                        "the model will learn to copy it",
                        f"drop '{names[j]}' if it is known only after the outcome",
                        {"column": names[j], "correlation": r},
                    )
                )
    return findings


def check_imbalance(y: np.ndarray) -> list[Finding]:
    """One class much rarer than the other."""
    n, ones = len(y), int(y.sum())
    minority = min(ones, n - ones)
    share = minority / n if n else 0.0
    if n == 0 or share >= MINORITY:
        return []
    rare = 1 if ones <= n - ones else 0
    message = (
        f"class imbalance: class {rare} is {minority} of {n} rows ({share:.1%}); a model that never "
        f"predicts it is {1 - share:.1%} accurate"
    )
    fix = (
        "weight the classes equally (class_weight='balanced', or sample_weight = n / (2 n_class) per "
        "row) and judge by balanced accuracy or ROC AUC rather than accuracy"
    )
    return [Finding("imbalance", message, fix, {"minority_class": rare, "share": share, "count": minority})]


def check_data(
    X: np.ndarray, y: np.ndarray, binary: bool, feature_names: Sequence[str] | None = None
) -> list[Finding]:
    """Every data check, in a fixed order."""
    names = _names(X.shape[1], feature_names)
    findings = [*check_scales(X, names), *check_columns(X, names), *check_leakage(X, y, names, binary)]
    return findings + (check_imbalance(y) if binary else [])
