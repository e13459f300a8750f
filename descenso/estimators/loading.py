"""Reading an estimator back from its model file: the counterpart of :mod:`descenso.estimators.persistence`.

It is apart from the writer so that the estimators, which save themselves, and this loader, which
builds them, do not import each other.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from descenso.estimators._params import validated
from descenso.estimators.persistence import _FILL, _KIND

__all__ = ["load"]


def _classes(name: str) -> Any:
    from descenso.estimators.classifier import BinaryClassifier
    from descenso.estimators.regressor import Regressor

    return {"Regressor": Regressor, "BinaryClassifier": BinaryClassifier}.get(name)


def load(path: Any) -> Any:
    """Read a model file written by ``save`` and return the fitted estimator.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Regressor or BinaryClassifier
        Predicts exactly as the saved one. The optimizer state is not saved: ``partial_fit``
        after ``load`` continues with a fresh optimizer.

    Raises
    ------
    descenso.serialize.ModelFileError
        For a missing, corrupt, truncated or hostile file, metadata that is not a descenso
        estimator's, or weights whose names or shapes disagree with the stored architecture.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> from descenso.estimators import Regressor, load
    >>> X = np.linspace(-1, 1, 100).reshape(-1, 1)
    >>> model = Regressor(hidden=(16,), lr=0.01, random_state=0).fit(X, 2 * X[:, 0] + 1)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "model.descenso"
    ...     model.save(path)
    ...     again = load(path)
    >>> bool(np.array_equal(again.predict(X), model.predict(X)))
    True
    """
    from descenso.serialize import ModelFileError, read_model_file

    arrays, meta = read_model_file(path)
    try:
        return _rebuild(arrays, meta)
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as error:
        raise ModelFileError(f"the saved estimator is inconsistent: {error!s:.500}", path) from None
    except (MemoryError, OverflowError) as error:  # numbers in the file too large to build
        raise ModelFileError(
            f"building the saved estimator failed ({type(error).__name__}: {error!s:.200}): the file "
            "declares sizes too large to allocate; it is corrupt or forged",
            path,
        ) from None


def _need(meta: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in meta:
        raise ValueError(f"the metadata lacks {key!r}")
    if not isinstance(meta[key], kind):
        raise ValueError(f"the metadata's {key!r} is a {type(meta[key]).__name__}, expected {kind}")
    return meta[key]


def _rebuild(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Any:
    from descenso import features, nn
    from descenso.history import History

    if meta.get("kind") != _KIND:
        raise ValueError(
            f"this file holds no estimator (kind {meta.get('kind')!r}); load it with the API that wrote it"
        )
    cls = _classes(_need(meta, "estimator", str))
    if cls is None:
        raise ValueError(f"unknown estimator {meta['estimator']!r}; expected Regressor or BinaryClassifier")
    params = dict(_need(meta, "params", dict))
    params.pop("distributed", None)  # how it was trained; a loaded model trains in one process
    params["features"] = _features_param(params.get("features"), features)
    if isinstance(params.get("hidden"), list):  # JSON has no tuples
        params["hidden"] = tuple(params["hidden"])
    estimator = cls(**params)
    validated(estimator, cls._losses)  # a hostile threshold or dtype is refused here, not at predict
    architecture = _need(meta, "architecture", dict)
    if architecture.get("type") != "MLP":
        raise ValueError(f"the architecture must be an MLP; got type {architecture.get('type')!r}")
    weights = {k[len("model.") :]: v for k, v in arrays.items() if k.startswith("model.")}
    check_declared_weights(architecture, weights)  # before building: a forged width allocates nothing
    model: Any = nn.from_config(architecture)
    _load_weights(model, weights)
    state = {k[len("representation.") :]: v for k, v in arrays.items() if k.startswith("representation.")}
    representation = features.from_config(_need(meta, "representation", dict), state)
    n_features = _need(meta, "n_features_in", int)
    estimator.n_features_in_ = n_features
    _restore_columns(estimator, meta)
    schema = getattr(estimator, "schema_", None)
    encoded = n_features if schema is None else schema.n_features  # one-hot columns widen the input
    if not representation.is_fitted or representation.n_features_in_ != encoded:
        raise ValueError(f"the representation does not take the {encoded} input features")
    _restore_fill(estimator, arrays, encoded)
    width = len(representation.get_feature_names_out())
    if width != model.in_features:
        raise ValueError(
            f"the representation outputs {width} features but the network takes {model.in_features}"
        )
    _try_representation(representation, encoded, width, model.dtype)
    model.eval()
    estimator.model_, estimator.representation_ = model, representation
    _restore_target(estimator, meta)
    history = History()
    for key, value in _need(meta, "history", dict).items():
        if key in (
            "epoch",
            "train_loss",
            "objective",
            "val_loss",
            "lr",
            "grad_norm",
            "time",
            "metrics",
            "stop_reason",
            "stopped_by",
            "n_steps",
        ):
            setattr(history, key, value)
    seed = meta["history"].get("seed")
    history.seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
    estimator.history_ = history
    estimator.stop_reason_ = _need(meta, "stop_reason", str)
    estimator.n_iter_ = _need(meta, "n_iter", int)
    return estimator


def _try_representation(representation: Any, encoded: int, width: int, dtype: Any) -> None:
    """Transform one row of zeros: fitted arrays of the wrong shape fail here, not at ``predict``."""
    with np.errstate(all="ignore"):  # log(0) and the like are fine: only shapes are being checked
        try:
            out = representation.transform(np.zeros((1, encoded), dtype=dtype))
        except Exception as error:  # whatever a stored state breaks, the file is to blame
            raise ValueError(
                f"the representation fails on a row of {encoded} features: "
                f"{type(error).__name__}: {error!s:.200}"
            ) from None
    if getattr(out, "shape", None) != (1, width):
        raise ValueError(
            f"the representation outputs shape {getattr(out, 'shape', None)}, expected (1, {width})"
        )


def _features_param(value: Any, features: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [features.from_config(step) if isinstance(step, dict) else step for step in value]


def check_declared_weights(architecture: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
    """Compare the parameters ``architecture`` declares with the stored ``weights``, building nothing.

    Raises
    ------
    ValueError
        When the names, a shape or a dtype differ, or a weight holds NaN or infinity.
    """
    from descenso.nn import parameter_shapes

    expected = parameter_shapes(architecture)
    if sorted(expected) != sorted(weights):
        raise ValueError(
            f"the weights are {sorted(weights)!s:.300} but the architecture needs {sorted(expected)!s:.300}"
        )
    for name, (shape, dtype) in expected.items():
        if weights[name].shape != shape or weights[name].dtype != np.dtype(dtype):
            raise ValueError(
                f"weight {name!r} is {weights[name].dtype}{weights[name].shape} but the architecture "
                f"needs {dtype}{shape}"
            )
        if not np.isfinite(weights[name]).all():
            raise ValueError(f"weight {name!r} holds NaN or infinity")


def _load_weights(model: Any, weights: dict[str, np.ndarray]) -> None:
    expected = model.state_dict()
    assert {k: (v.shape, v.dtype) for k, v in expected.items()} == {  # checked before building
        k: (v.shape, v.dtype) for k, v in weights.items()
    }
    model.load_state_dict(weights)


def _restore_columns(estimator: Any, meta: dict[str, Any]) -> None:
    names = meta.get("feature_names_in")
    if names is not None:
        if not isinstance(names, list) or len(names) != estimator.n_features_in_:
            raise ValueError(
                f"feature_names_in has {len(names)} names for {estimator.n_features_in_} features"
            )
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    estimator.target_name_ = meta.get("target_name")
    if meta.get("schema") is not None:
        from descenso.data import TableSchema

        estimator.schema_ = TableSchema.from_config(meta["schema"])


def _restore_target(estimator: Any, meta: dict[str, Any]) -> None:
    if hasattr(estimator, "threshold"):
        labels = _need(meta, "classes", dict)
        values, dtype = labels.get("values"), labels.get("dtype")
        if not isinstance(values, list) or len(values) != 2 or not isinstance(dtype, str):
            raise ValueError(f"classes must hold two labels; got {values!r}")
        kind = np.dtype(object) if dtype == "object" else np.dtype(dtype)
        if kind.kind not in "OUiufb" or kind.itemsize > 4096:
            raise ValueError(f"classes have an unsupported dtype {dtype!r}")
        estimator.classes_ = np.asarray(values, dtype=kind)
        return
    scaling = _need(meta, "target_scaling", dict)
    mean, scale = scaling.get("mean"), scaling.get("scale")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (mean, scale)) or not scale > 0:
        raise ValueError(f"target_scaling must hold a finite mean and a positive scale; got {scaling}")
    estimator.y_mean_, estimator.y_scale_ = float(mean), float(scale)


def _restore_fill(estimator: Any, arrays: dict[str, np.ndarray], encoded: int) -> None:
    """``fill_values_`` for a model fitted with missing="mean": one finite value per encoded column."""
    fill = arrays.get(_FILL)
    if (estimator.missing == "mean") != (fill is not None):
        raise ValueError(
            f"missing={estimator.missing!r} but the fill values are {'absent' if fill is None else 'present'}"
        )
    if fill is None:
        return
    if fill.shape != (encoded,) or fill.dtype.kind != "f" or not np.isfinite(fill).all():
        raise ValueError(f"the fill values must be {encoded} finite floats; got {fill.dtype}{fill.shape}")
    estimator.fill_values_ = fill.astype(np.float64)
