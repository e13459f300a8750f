"""Checking what users pass to an estimator, once, at the public boundary.

Arrays, lists, pandas and polars frames all become one float array here; every
refusal says what was expected, what came, and how to fix it. The wording follows
scikit-learn's where its own test suite looks for it ("Reshape your data",
"Input X contains NaN", "X has 3 features, but ... is expecting 4").
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

try:  # scikit-learn's classes when present, so sklearn users can catch them by their usual names
    from sklearn.exceptions import DataConversionWarning, NotFittedError
except ImportError:  # pragma: no cover - exercised only without scikit-learn

    class NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """Raised when predict-like methods are called before ``fit``."""

    class DataConversionWarning(UserWarning):  # type: ignore[no-redef]
        """Warned when input data had to be reshaped or converted."""


__all__ = [
    "DataConversionWarning",
    "NotFittedError",
    "check_is_fitted",
    "frame_columns",
    "to_float_array",
    "check_features",
    "check_target",
    "check_lengths",
    "check_sample_weight",
]


def check_is_fitted(estimator: Any) -> None:
    """Raise ``NotFittedError`` unless ``estimator`` has been fitted (it has ``model_``)."""
    if not hasattr(estimator, "model_"):
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments "
            "before using this estimator."
        )


def frame_columns(X: Any) -> list[Any] | None:
    """Column labels of a pandas/polars/pyarrow table, or None for arrays and lists."""
    if isinstance(X, np.ndarray):
        return None
    if hasattr(X, "column_names") and hasattr(X, "num_rows"):  # a pyarrow Table
        return list(X.column_names)
    if hasattr(X, "columns") and hasattr(X, "shape"):  # pandas, polars
        return list(X.columns)
    return None


def _is_sparse(X: Any) -> bool:
    return type(X).__module__.startswith("scipy.sparse") or hasattr(X, "tocsr")


def to_float_array(X: Any, dtype: np.dtype, name: str = "X", allow_nan: bool = False) -> np.ndarray:
    """Turn ``X`` into a C-contiguous 2-D ``dtype`` array of finite numbers (or NaN, with ``allow_nan``).

    Raises
    ------
    TypeError
        Sparse matrices, or objects that are not numbers.
    ValueError
        Complex numbers, strings, 0-d/1-d/3-d input, no samples or no features, NaN or inf.
    """
    if _is_sparse(X):
        raise TypeError(
            f"{name} is a sparse matrix; descenso's estimators need dense input. "
            f"Convert it first with {name}.toarray() (if it fits in memory)"
        )
    if X is None:
        raise ValueError(f"Expected a 2-D array for {name}, got None")
    raw = np.asarray(X)
    if np.iscomplexobj(raw):
        raise ValueError(f"Complex data not supported in {name}; pass real numbers, e.g. {name}.real")
    if raw.dtype.kind in "USO":
        raw = _objects_to_float(raw, name)
    if raw.ndim != 2:
        _raise_dimension_error(raw, name)
    if raw.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={raw.shape}) while a minimum of 1 is required."
        )
    if raw.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={raw.shape}) while a minimum of 1 is required."
        )
    array = np.ascontiguousarray(raw, dtype=dtype)
    _check_finite(array, name, allow_nan)
    return array


def _objects_to_float(raw: np.ndarray, name: str) -> np.ndarray:
    try:
        return raw.astype(np.float64)
    except ValueError as error:  # strings that are not numbers, e.g. "red"
        raise ValueError(
            f"{name} holds text that is not a number ({error}). Pass a pandas/polars DataFrame so "
            "text columns are one-hot encoded, or encode them yourself"
        ) from None
    except TypeError as error:  # dicts, lists ...: keep NumPy's wording, which names the bad type
        raise TypeError(f"{name} must hold numbers: {error}") from None


def _raise_dimension_error(raw: np.ndarray, name: str) -> None:
    if raw.ndim == 1:
        raise ValueError(
            f"Expected a 2-D array for {name}, got a 1-D array of shape {raw.shape} instead. "
            "Reshape your data either using array.reshape(-1, 1) if your data has a single feature "
            "or array.reshape(1, -1) if it contains a single sample."
        )
    raise ValueError(
        f"Expected a 2-D array for {name} (samples, features), got {raw.ndim}-D with shape {raw.shape}. "
        "Reshape your data to (n_samples, n_features)."
    )


def _check_finite(array: np.ndarray, name: str, allow_nan: bool = False) -> None:
    """Refuse infinity, and NaN unless ``allow_nan`` (the estimator then drops or fills it)."""
    if np.isfinite(array).all():  # the common, fast path
        return
    if np.isnan(array).any() and not allow_nan:
        where = np.argwhere(np.isnan(array))[0]
        fix = (
            "fit with missing='drop' (leave incomplete training rows out) or missing='mean' (fill "
            "with the training means, also when predicting), or impute them first"
            if name == "X"
            else "drop those rows first"
        )
        raise ValueError(
            f"Input {name} contains NaN (first at index {tuple(int(i) for i in where)}). descenso's "
            f"networks need finite numbers: {fix}"
        )
    if np.isinf(array).any():
        where = np.argwhere(np.isinf(array))[0]
        raise ValueError(
            f"Input {name} contains infinity or a value too large for {array.dtype!r} (first at index "
            f"{tuple(int(i) for i in where)}). Replace or drop those values before fitting"
        )


def check_features(estimator: Any, n_columns: int, names: list[Any] | None, reset: bool) -> None:
    """Record (``reset=True``) or check ``n_features_in_`` and ``feature_names_in_``.

    Mirrors scikit-learn: feature names are kept only when every column label is a
    string; fitting with names and predicting without them (or the reverse) warns;
    different names are an error that lists the differences.
    """
    str_names = np.asarray(names, dtype=object) if names and all(isinstance(n, str) for n in names) else None
    if reset:
        estimator.n_features_in_ = n_columns
        if str_names is not None:
            estimator.feature_names_in_ = str_names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    _check_names(estimator, str_names)
    expected = estimator.n_features_in_
    if n_columns != expected:
        raise ValueError(
            f"X has {n_columns} features, but {type(estimator).__name__} is expecting {expected} "
            "features as input. Pass the same columns as in fit"
        )


def _check_names(estimator: Any, names: np.ndarray | None) -> None:
    fitted = getattr(estimator, "feature_names_in_", None)
    cls = type(estimator).__name__
    if fitted is None and names is None:
        return
    if fitted is None:
        warnings.warn(f"X has feature names, but {cls} was fitted without feature names", UserWarning, 3)
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {cls} was fitted with feature names", UserWarning, 3
        )
        return
    if len(fitted) == len(names) and (fitted == names).all():
        return
    message = "The feature names should match those that were passed during fit.\n"
    unexpected = sorted(set(names) - set(fitted))
    missing = sorted(set(fitted) - set(names))
    if unexpected:
        message += "Feature names unseen at fit time:\n" + "".join(f"- {n}\n" for n in unexpected[:5])
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + "".join(
            f"- {n}\n" for n in missing[:5]
        )
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def check_target(y: Any, estimator_name: str, dtype: Any = None) -> np.ndarray:
    """Turn ``y`` into a 1-D array (a column vector warns and is flattened).

    ``dtype=None`` keeps the labels as they are (the classifier encodes them);
    a float dtype converts and checks for NaN/inf.
    """
    if y is None:
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None. "
            "Pass the target as fit(X, y), or fit(frame, 'column') to take it from a DataFrame"
        )
    if _is_sparse(y):
        raise TypeError("y is a sparse matrix; pass a dense 1-D array")
    values = np.asarray(y)
    if np.iscomplexobj(values):
        raise ValueError("Complex data not supported in y; pass real numbers")
    if values.ndim == 2 and values.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape of y "
            "to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"y should be a 1d array, got an array of shape {values.shape} instead. "
            f"{estimator_name} predicts one target column; fit one model per target"
        )
    if dtype is None:
        return values
    values = _target_to_float(values, dtype)
    _check_finite(values, "y")
    return values


def _target_to_float(values: np.ndarray, dtype: Any) -> np.ndarray:
    try:
        return np.ascontiguousarray(values, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"y must hold numbers for regression ({error}); for labels use BinaryClassifier"
        ) from None


def check_lengths(X: np.ndarray, y: np.ndarray) -> None:
    """Refuse X and y with different numbers of rows."""
    if len(X) != len(y):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{len(X)}, {len(y)}]. "
            "X and y need one row per sample"
        )


def check_sample_weight(sample_weight: Any, n_samples: int, dtype: Any) -> np.ndarray | None:
    """A fresh (n_samples,) array of finite non-negative weights, not all zero; None stays None."""
    if sample_weight is None:
        return None
    weights = np.array(sample_weight, dtype=np.float64)  # a copy: the caller's array is never changed
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}: one weight per sample"
        )
    if not np.isfinite(weights).all():
        raise ValueError("sample_weight contains NaN or infinity; weights must be finite numbers")
    if (weights < 0).any():
        raise ValueError(f"sample_weight has negative values (min {weights.min():g}); weights must be >= 0")
    if not (weights > 0).any():
        raise ValueError("Sample weights must contain at least one non-zero number; all weights are zero")
    return weights.astype(dtype)
