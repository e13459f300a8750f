"""Saving a fitted estimator to one model file (read back by :mod:`descenso.estimators.loading`).

The file is a safetensors file written by :mod:`descenso.serialize` (atomically):
the network's weights as ``model.<name>`` tensors, the representation's fitted
arrays as ``representation.<key>``, and JSON metadata with everything else. Loading
runs no code from the file; anything inconsistent becomes a ``ModelFileError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.estimators._validation import check_is_fitted

__all__ = ["save"]

_KIND = "estimator"
_FILL = "missing.fill"


def _labels_to_json(classes: np.ndarray) -> dict[str, Any]:
    return {
        "values": [v.item() if isinstance(v, np.generic) else v for v in classes],
        "dtype": classes.dtype.str if classes.dtype != object else "object",
    }


def _finite_or_none(value: Any) -> Any:
    """``value`` with each NaN or infinite float replaced by None (JSON has neither).

    Examples
    --------
    >>> _finite_or_none({"r2": [0.5, float("nan")], "n": 3})
    {'r2': [0.5, None], 'n': 3}
    """
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(item) for item in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def save(estimator: Any, path: Any) -> None:
    """Write a fitted ``estimator`` to ``path`` (one file; an existing file is replaced atomically).

    Parameters
    ----------
    estimator : Regressor or BinaryClassifier
        Fitted.
    path : str or os.PathLike
        The file to write, e.g. ``"model.descenso"``.

    Raises
    ------
    NotFittedError
        Before ``fit``.
    OSError
        When the file cannot be written; any existing file is then unchanged.
    """
    from descenso.serialize import write_model_file

    check_is_fitted(estimator)
    arrays = {f"model.{k}": v for k, v in estimator.model_.state_dict().items()}
    arrays.update({f"representation.{k}": v for k, v in estimator.representation_.state_dict().items()})
    if hasattr(estimator, "fill_values_"):  # missing="mean": new data is filled as in training
        arrays[_FILL] = np.asarray(estimator.fill_values_, dtype=np.float64)
    history = _finite_or_none(estimator.history_.to_dict())  # an undefined metric (R² of one row) is None
    config = estimator.explain_config()
    names = getattr(estimator, "feature_names_in_", None)
    schema = getattr(estimator, "schema_", None)
    metadata: dict[str, Any] = {
        "kind": _KIND,
        "estimator": type(estimator).__name__,
        "params": config["params"],
        "architecture": config["architecture"],
        "representation": config["representation"],
        "n_features_in": int(estimator.n_features_in_),
        "feature_names_in": None if names is None else [str(n) for n in names],
        "target_name": getattr(estimator, "target_name_", None),
        "schema": None if schema is None else schema.get_config(),
        "history": history,
        "stop_reason": estimator.stop_reason_,
        "n_iter": int(estimator.n_iter_),
    }
    if hasattr(estimator, "classes_"):
        metadata["classes"] = _labels_to_json(estimator.classes_)
    if hasattr(estimator, "y_mean_"):
        metadata["target_scaling"] = {"mean": float(estimator.y_mean_), "scale": float(estimator.y_scale_)}
    write_model_file(path, arrays, metadata)
