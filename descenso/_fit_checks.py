"""The argument checks of :func:`descenso.train.fit`: everything is validated before any work.

Each check says what was expected, what came and how to fix it, so a bad argument fails in a
millisecond, not after an hour of training. ``fit`` calls them in order at its top; nothing here
trains.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from descenso import backend, optim
from descenso._random import as_generator
from descenso.grad_mode import no_grad

__all__ = [
    "check_data",
    "check_settings",
    "split_validation",
    "make_optimizer",
    "metric_functions",
    "on_device",
    "check_criteria",
    "check_callbacks",
]

_SERIES = ("train_loss", "objective", "val_loss", "lr", "grad_norm", "time", "epoch")


def check_data(model: Any, X: Any, y: Any, sample_weight: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """X, y (and weights) as finite arrays of the model's dtype whose shapes fit the model."""
    parameters = getattr(model, "parameters", None)
    if not callable(parameters) or not callable(model):
        raise TypeError(f"fit: model must be a descenso.nn.Module; got {type(model).__name__}")
    params = parameters()
    if not params:
        raise ValueError("fit: the model has no parameters to train; expected at least one nn.Parameter")
    dtype = params[0].dtype  # data follows the model's dtype, so float32 models never compute in float64
    X = _as_array("X", X, dtype)
    y = _as_array("y", y, dtype)
    if X.ndim != 2:
        fix = " Fix: X.reshape(-1, 1) for a single feature" if X.ndim == 1 else ""
        raise ValueError(f"fit: expected X of shape (n_samples, n_features); got shape {X.shape}.{fix}")
    if y.ndim not in (1, 2):
        raise ValueError(
            f"fit: expected y of shape (n_samples,) or (n_samples, outputs); got shape {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(f"fit: X has {len(X)} rows but y has {len(y)}; expected one target per row of X")
    if len(X) == 0:
        raise ValueError("fit: X is empty; expected at least one sample")
    if sample_weight is not None:
        sample_weight = _as_array("sample_weight", sample_weight, dtype)
        if sample_weight.shape != (len(X),):
            raise ValueError(f"fit: expected sample_weight of shape ({len(X)},); got {sample_weight.shape}")
        if (sample_weight < 0).any() or not sample_weight.any():
            raise ValueError("fit: sample_weight must be >= 0 with at least one positive weight")
    _check_output(model, X, y)
    return X, y, sample_weight


def _as_array(name: str, value: Any, dtype: np.dtype) -> np.ndarray:
    value = getattr(value, "data", value) if hasattr(value, "requires_grad") else value  # a Tensor
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"fit: {name} must hold numbers; got an array of dtype {array.dtype}. "
            "Fix: encode text columns first, e.g. descenso.data.read(..., target=...)"
        )
    array = array.astype(dtype, copy=False)
    # One pass with no temporaries: a finite sum proves every value finite. A NaN or inf makes the sum
    # non-finite (so does an overflow of large finite values), and only then the exact mask is built.
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()
    if np.isfinite(total):
        return array
    bad = ~np.isfinite(array)
    if bad.any():
        first = np.argwhere(bad)[0]
        raise ValueError(
            f"fit: {name} has {int(bad.sum())} NaN or infinite values (the first at index "
            f"{tuple(int(i) for i in first)}); expected finite numbers. Fix: drop or fill them, "
            "e.g. descenso.data.read(..., missing='drop')"
        )
    return array


@no_grad()
def _check_output(model: Any, X: np.ndarray, y: np.ndarray) -> None:
    """Run the model on one row, in eval mode (no Dropout draws), to catch shape errors before training."""
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        output = model(X[:1])
    except ValueError as error:
        raise ValueError(f"fit: the model cannot take X of shape {X.shape}: {error}") from None
    finally:
        model.train(was_training)
    outputs = 1 if y.ndim == 1 else y.shape[1]
    if output.shape != (1, outputs) and not (y.ndim == 1 and output.shape == (1,)):
        raise ValueError(
            f"fit: the model outputs shape {output.shape[1:]} per sample but y has {outputs} "
            f"value(s) per sample (y.shape {y.shape}); expected out_features == {outputs}"
        )


def check_settings(rng: Any, epochs: Any, batch_size: Any, l1: Any, l2: Any) -> tuple[Any, ...]:
    """The numeric settings, checked; ``rng`` as a Generator."""
    rng = as_generator(rng, where="fit")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer; got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1
    ):
        raise ValueError(
            f"fit: batch_size must be a positive integer, or None for full-batch gradient "
            f"descent; got {batch_size!r}"
        )
    for name, value in (("l1", l1), ("l2", l2)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
            raise ValueError(f"fit: {name} must be a non-negative finite number; got {value!r}")
    return rng, int(epochs), batch_size if batch_size is None else int(batch_size), float(l1), float(l2)


def split_validation(
    validation: Any, model: Any, X: np.ndarray, y: np.ndarray, w: Any, rng: Any
) -> tuple[Any, ...]:
    """``(X, y, w, (X_val, y_val, w_val) or None)``: a held-out fraction, explicit data, or no validation."""
    if validation is None:
        return X, y, w, None
    if isinstance(validation, (tuple, list)) and len(validation) in (2, 3):
        w_given = validation[2] if len(validation) == 3 else None
        X_val, y_val, w_val = check_data(model, validation[0], validation[1], w_given)
        if X_val.shape[1:] != X.shape[1:] or y_val.shape[1:] != y.shape[1:]:
            raise ValueError(
                f"fit: validation data of shapes {X_val.shape}, {y_val.shape} do not match the "
                f"training data's {X.shape}, {y.shape} beyond the number of rows"
            )
        return X, y, w, (X_val, y_val, w_val)
    if isinstance(validation, float) and 0 < validation < 1:
        n_val = round(validation * len(X))
        if not 1 <= n_val < len(X):
            raise ValueError(
                f"fit: validation={validation} of {len(X)} samples leaves {n_val} for validation "
                "and needs at least one on each side; use a larger fraction or more data"
            )
        order = rng.permutation(len(X))
        val, train = order[:n_val], order[n_val:]
        if w is None:
            return X[train], y[train], None, (X[val], y[val], None)
        if not w[val].any() or not w[train].any():
            raise ValueError(
                "fit: the validation split left all-zero sample weights on one side; pass explicit "
                "validation=(X_val, y_val, w_val) or use a different fraction or rng"
            )
        return X[train], y[train], w[train], (X[val], y[val], w[val])
    expected = "None, a fraction in (0, 1) or (X_val, y_val[, sample_weight_val])"
    if isinstance(validation, (int, float, np.integer, np.floating)) and not isinstance(validation, bool):
        raise ValueError(f"fit: validation must be {expected}; got {validation!r}, not in (0, 1)")
    raise TypeError(f"fit: validation must be {expected}; got {validation!r}")


def make_optimizer(optimizer: Any, model: Any, lr: float | None) -> Any:
    """An Optimizer object: built from a name over the model's parameters, or the one given."""
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < math.inf):
        raise ValueError(f"fit: lr must be a positive finite number; got {lr!r}")
    if isinstance(optimizer, str):
        return optim.get(optimizer, model.parameters(), **({} if lr is None else {"lr": lr}))
    if not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError(f"fit: optimizer must be a name such as 'adam' or an Optimizer; got {optimizer!r}")
    missing = {id(p) for p in model.parameters()} - {id(p) for p in getattr(optimizer, "params", [])}
    if hasattr(optimizer, "params") and missing:
        raise ValueError(
            f"fit: the optimizer does not hold {len(missing)} of the model's parameters, which would never "
            "train; build it over this model, e.g. Adam(model.parameters(), lr=0.01)"
        )
    if lr is not None:
        raise ValueError(
            f"fit: lr={lr} was given with an Optimizer object, whose lr is {optimizer.lr}; set the "
            "rate on the optimizer (e.g. Adam(model.parameters(), lr=...)) or pass its name"
        )
    return optimizer


def _value(mean: Any) -> Any:
    """A float on the host; on a GPU a float64 device scalar, summed there and read once an epoch."""
    return float(mean) if backend.device_of(mean) == "cpu" else mean.astype(np.float64)


def metric_functions(metrics: Sequence[Any], loss_fn: Any) -> dict[str, Callable[[Any, Any], Any]]:
    """Metric names or callables as ``{name: metric(y_true, output) -> float}``.

    A callable is handed NumPy arrays (on a GPU, host copies of the batch's targets and outputs).
    """
    # Outputs are logits (a 0 threshold) unless the loss takes probabilities.
    threshold = 0.5 if getattr(loss_fn, "__name__", "") == "bce" else 0.0
    builtin: dict[str, Callable[[Any, Any], Any]] = {
        # Methods and operators only, so the arrays may be on any device.
        "accuracy": lambda t, o: _value(((o.reshape(t.shape) > threshold) == (t > 0.5)).mean()),
        "mse": lambda t, o: _value(((o.reshape(t.shape) - t) ** 2).mean()),
        "mae": lambda t, o: _value(abs(o.reshape(t.shape) - t).mean()),
    }
    if isinstance(metrics, str):
        metrics = [metrics]
    out = {}
    for metric in metrics:
        if callable(metric):
            out[getattr(metric, "__name__", "metric")] = _on_host(metric)
        elif metric in builtin:
            out[metric] = builtin[metric]
        else:
            raise ValueError(
                f"fit: unknown metric {metric!r}; expected one of {sorted(builtin)} or a "
                "callable metric(y_true, output) -> float"
            )
    return out


def batch_metrics(metric_fns: dict[str, Callable[[Any, Any], Any]]) -> Callable[[Any, Any], Sequence[Any]]:
    """One function giving a batch's metric values ``(y_true, output) -> values``, in ``metric_fns``' order.

    ``fit`` calls it at every step. Most runs have no metrics: then it returns ``()`` without a list
    comprehension (which costs ~90-130 ns even over no items, ~0.5% of a W1 step).

    Examples
    --------
    >>> import numpy as np
    >>> batch_metrics({})(np.ones(2), np.ones(2))
    ()
    >>> batch_metrics({"sum": lambda t, o: float((t + o).sum())})(np.ones(2), np.ones(2))
    [4.0]
    """
    measures = list(metric_fns.values())
    if not measures:
        return _no_metrics

    def values(y_true: Any, output: Any) -> list[Any]:
        return [metric(y_true, output) for metric in measures]

    return values


def _no_metrics(y_true: Any, output: Any) -> tuple[()]:
    return ()


def _on_host(metric: Callable[[Any, Any], float]) -> Callable[[Any, Any], float]:
    def on_host(y_true: Any, output: Any) -> float:
        return metric(backend.to_numpy(y_true), backend.to_numpy(output))

    return on_host


def on_device(device: Any, model: Any, optimizer: Any) -> Callable[[Any], Any]:
    """Move the model to ``device`` (None: leave it); return what copies data there (None stays None).

    An Optimizer object holds the parameters' memory, so moving the model under it is refused.
    """
    params = model.parameters()
    here = params[0].device
    if device is not None:
        kind, index = backend.parse_device(device)  # a bad name, or no GPU, fails before any work
        there = "cpu" if kind == "cpu" else f"{kind}:{index}"
        if there != here and not isinstance(optimizer, str):
            raise ValueError(
                f"fit: device={device!r} would move the model from {here}, but the optimizer given "
                f"holds its weights' memory on {here}. Fix: model.to({device!r}) before building the "
                "optimizer, or pass the optimizer by name (e.g. optimizer='adam')"
            )
        if there != here:
            model.to(there)
            here = there

    def place(data: Any) -> Any:
        if data is None:
            return None
        if isinstance(data, tuple):  # validation: (X, y, w)
            return tuple(place(part) for part in data)
        return backend.like(data, params[0].data)

    return place


def as_criteria(stop: Any) -> list[Any]:
    """``stop=`` as a list: one criterion on its own (``stop=EarlyStopping()``) is accepted too."""
    if callable(getattr(stop, "check", None)):
        return [stop]
    if isinstance(stop, (str, bytes)) or not hasattr(stop, "__iter__"):
        raise TypeError(
            f"fit: stop= must be a list of stopping criteria, e.g. [EarlyStopping(patience=20)]; got {stop!r}"
        )
    return list(stop)


def check_criteria(
    criteria: Sequence[Any],
    has_validation: bool,
    metric_names: Sequence[str] = (),
    has_reference: bool = False,
) -> None:
    """Every criterion has ``check``, and monitors a series this run will record."""
    names = {*_SERIES, *metric_names} - ({"val_loss"} if not has_validation else set())
    names |= {f"val_{m}" for m in metric_names} if has_validation else set()
    names |= {"optimum_gap"} if has_reference else set()
    for criterion in criteria:
        if not callable(getattr(criterion, "check", None)):
            raise TypeError(
                f"fit: stop= items must be stopping criteria with check(history, model); got {criterion!r}"
            )
        monitor = getattr(criterion, "monitor", None)
        if monitor is not None and monitor not in names:
            fix = " Fix: pass validation=0.2 or (X_val, y_val)" if monitor.startswith("val_") else ""
            raise ValueError(
                f"fit: {type(criterion).__name__} monitors {monitor!r}, which this run does not "
                f"record; it records {sorted(names)}.{fix}"
            )


_HOOKS = ("on_train_begin", "on_epoch_begin", "on_step_end", "on_epoch_end", "on_train_end")


def check_callbacks(callbacks: Sequence[Any]) -> list[Any]:
    """The callbacks as a list (one callback on its own is accepted too); each must define a hook."""
    if any(callable(getattr(callbacks, hook, None)) for hook in _HOOKS):
        return [callbacks]
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        hooks = ", ".join(_HOOKS)
        raise TypeError(f"fit: callbacks= must be a list of objects with {hooks}; got {callbacks!r}")
    callbacks = list(callbacks)
    for callback in callbacks:
        if not any(callable(getattr(callback, hook, None)) for hook in _HOOKS):
            raise TypeError(f"fit: callback {callback!r} has none of the hooks {', '.join(_HOOKS)}")
    return callbacks
