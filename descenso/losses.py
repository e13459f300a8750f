"""Loss functions: how far a prediction is from its target, averaged into the empirical risk.

Every loss is one fused graph node (value and derivative side by side): one
node instead of three to five is measurably faster on the small batches of
this field, and for the classification losses it is also what keeps them
finite (``bce_with_logits`` never forms ``sigmoid(z)`` and then its log).

All take ``(prediction, target, reduction="mean", sample_weight=None)``:

- ``target`` is a Tensor or an array with the same number of elements as
  ``prediction``; a ``(n,)`` target fits a ``(n, 1)`` prediction.
- ``reduction``: "mean" (the empirical risk), "sum", or "none" (one loss per element).
- ``sample_weight``: ``(n,)`` non-negative weights, one per sample. The weighted
  mean is ``sum_i w_i l_i / sum_i w_i``; "sum" gives ``sum_i w_i l_i``; "none"
  gives ``w_i l_i``.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator

import numpy as np

from descenso.backend import array_module, like
from descenso.ops._buffers import MIN_BYTES, empty
from descenso.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")
# derivative(need_target) or, for scaled=True, derivative(need_target, scale)
Derivative = Callable[..., "tuple[np.ndarray, np.ndarray | None]"]


class _ValueChecks(threading.local):
    on = True  # off inside fit's loop, which checked every target and weight once, up front


_value_checks = _ValueChecks()


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _prepare(name: str, prediction: Any, target: Any, reduction: str) -> tuple[Tensor, Tensor]:
    """Check the arguments once; return the target as a Tensor of the prediction's shape and dtype."""
    if not isinstance(prediction, Tensor):
        raise TypeError(
            f"{name}: prediction must be a Tensor (the model's output); got {type(prediction).__name__}"
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}; got {reduction!r}")
    if not isinstance(target, Tensor):  # an array: converted, and moved to the prediction's device
        target = Tensor(like(array_module(target).asarray(target, dtype=prediction.dtype), prediction.data))
    elif target.dtype != prediction.dtype and not target.requires_grad:
        target = Tensor(target.data.astype(prediction.dtype))
    if target.shape != prediction.shape:
        if target.size != prediction.size or _squeezed(target.shape) != _squeezed(prediction.shape):
            raise ValueError(
                f"{name}: prediction has shape {prediction.shape} but target has shape {target.shape}; "
                f"expected one target per prediction, e.g. shape {prediction.shape} or {(prediction.size,)}"
            )
        target = target.reshape(prediction.shape)
    return prediction, target


def _weights(name: str, sample_weight: Any, prediction: Tensor) -> np.ndarray | None:
    """Sample weights as an array that broadcasts against the prediction (samples on axis 0)."""
    if sample_weight is None:
        return None
    w = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
    w = like(array_module(w).asarray(w, dtype=prediction.dtype), prediction.data)
    xp = array_module(w)
    n = prediction.shape[0] if prediction.ndim else 1
    if w.shape != (n,) and _squeezed(w.shape) != _squeezed((n,)):
        raise ValueError(
            f"{name}: sample_weight has shape {w.shape}; expected one weight per sample, shape ({n},)"
        )
    if _value_checks.on and (not xp.all(xp.isfinite(w)) or xp.any(w < 0)):
        raise ValueError(f"{name}: sample_weight must be finite and non-negative; got min {w.min()}")
    if _value_checks.on and not w.sum() > 0:
        raise ValueError(f"{name}: sample_weight sums to 0; at least one sample needs a positive weight")
    return w.reshape((n,) + (1,) * max(prediction.ndim - 1, 0)) if prediction.ndim else w.reshape(())


def _check_binary(name: str, target: Tensor, soft: bool) -> None:
    if not _value_checks.on:
        return
    y = target.data
    xp = array_module(y)
    ok = xp.all((y >= 0) & (y <= 1)) if soft else xp.all((y == 0) | (y == 1))
    if not ok:
        bad = xp.unique(y[~((y >= 0) & (y <= 1)) if soft else ~((y == 0) | (y == 1))])[:5]
        allowed = "in {0, 1} (or probabilities in [0, 1])" if soft else "in {0, 1}"
        raise ValueError(
            f"{name}: targets must be {allowed}; got values such as {bad.tolist()}. "
            "Fix: encode the positive class as 1 and the other as 0, e.g. y = (labels == positive)"
        )


def _reduced(
    name: str,
    prediction: Tensor,
    target: Tensor,
    loss: np.ndarray,
    derivative: Derivative,
    reduction: str,
    weight: np.ndarray | None,
    scaled: bool = False,
) -> Tensor:
    """Wrap elementwise ``loss`` and its derivative into one node that also reduces and weighs.

    With ``scaled=True``, ``derivative(need_target, scale)`` multiplies by ``scale`` itself
    (the reduction's and the weights' factor), so it can fold it into a pass it makes anyway.
    """
    xp = array_module(loss)
    weighted = loss if weight is None else loss * weight
    mean = reduction == "mean"
    if reduction == "none":
        data = weighted
    else:
        data = xp.asarray(weighted.sum(), dtype=loss.dtype)
    if mean:
        # The weights' total stays an array scalar: reading it on the host would wait for a GPU.
        total = loss.dtype.type(loss.size) if weight is None else xp.broadcast_to(weight, loss.shape).sum()
        if weight is not None and not _value_checks.on:  # in fit: a batch of zero weights counts 0
            total = xp.maximum(total, loss.dtype.type(np.finfo(loss.dtype).tiny))
        data = xp.asarray(data / total, dtype=loss.dtype)

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        scale = grad / total if mean else grad
        if weight is not None:
            scale = scale * weight
        if scaled:
            return derivative(target.requires_grad, scale)
        d_prediction, d_target = derivative(target.requires_grad)
        return d_prediction * scale, None if d_target is None else d_target * scale

    return Tensor.from_op(data, (prediction, target), backward, name)


def mse(prediction: Tensor, target: Any, reduction: str = "mean", sample_weight: Any = None) -> Tensor:
    """Mean squared error ``(p - y)^2``, the regression loss of the course notes.

    Parameters
    ----------
    prediction : Tensor
    target : Tensor or array_like
    reduction : {"mean", "sum", "none"}, default "mean"
    sample_weight : array_like of shape (n,), optional
        Non-negative weight per sample; the weighted mean is ``sum(w l) / sum(w)``.

    Returns
    -------
    Tensor
        A scalar, or one loss per element for ``reduction="none"``.

    Raises
    ------
    ValueError
        For mismatched shapes, an unknown reduction or bad sample weights.

    Notes
    -----
    ``l = (p - y)^2``, ``dl/dp = 2 (p - y)``.

    Examples
    --------
    >>> import descenso as ds
    >>> mse(ds.tensor([1.0, 2.0]), [0.0, 4.0]).item()
    2.5
    """
    p, y = _prepare("mse", prediction, target, reduction)
    big = p.data.nbytes >= MIN_BYTES  # large arrays go into reused buffers, small ones are plain
    xp = array_module(p.data)
    residual = xp.subtract(p.data, y.data, out=empty(p.data.shape, p.data.dtype, xp) if big else None)
    squares = xp.multiply(residual, residual, out=empty(p.data.shape, p.data.dtype, xp) if big else None)

    def derivative(need_target: bool, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        out = empty(residual.shape, residual.dtype, xp) if big else None
        d = xp.multiply(residual, 2 * scale, out=out)  # one pass: 2 * scale is a number (or weights)
        return d, -d if need_target else None

    weight = _weights("mse", sample_weight, p)
    return _reduced("mse", p, y, squares, derivative, reduction, weight, scaled=True)


def mae(prediction: Tensor, target: Any, reduction: str = "mean", sample_weight: Any = None) -> Tensor:
    """Mean absolute error ``|p - y|``, robust to outliers; arguments as :func:`mse`.

    Notes
    -----
    ``l = |p - y|``, ``dl/dp = sign(p - y)`` (0 where ``p = y``, as PyTorch).

    Examples
    --------
    >>> import descenso as ds
    >>> mae(ds.tensor([1.0, 2.0]), [0.0, 4.0]).item()
    1.5
    """
    p, y = _prepare("mae", prediction, target, reduction)
    residual = p.data - y.data
    xp = array_module(residual)

    def derivative(need_target: bool) -> tuple[np.ndarray, np.ndarray | None]:
        d = xp.sign(residual)
        return d, -d if need_target else None

    return _reduced("mae", p, y, xp.abs(residual), derivative, reduction, _weights("mae", sample_weight, p))


def huber(
    prediction: Tensor, target: Any, reduction: str = "mean", sample_weight: Any = None, delta: float = 1.0
) -> Tensor:
    """Huber loss: quadratic for residuals up to ``delta``, linear beyond; arguments as :func:`mse`.

    Parameters
    ----------
    delta : float > 0, default 1.0
        Where the loss turns from quadratic to linear.

    Notes
    -----
    With ``r = p - y``: ``l = r^2 / 2`` if ``|r| <= delta`` else
    ``delta (|r| - delta / 2)``; ``dl/dp = clip(r, -delta, delta)``. Equal to
    PyTorch's ``HuberLoss(delta=delta)``.

    Examples
    --------
    >>> import descenso as ds
    >>> huber(ds.tensor([0.5, 3.0]), [0.0, 0.0], reduction="none").data
    array([0.125, 2.5  ], dtype=float32)
    """
    if not delta > 0:
        raise ValueError(f"huber: delta must be positive; got {delta!r}")
    p, y = _prepare("huber", prediction, target, reduction)
    residual = p.data - y.data
    xp = array_module(residual)
    size = xp.abs(residual)
    loss = xp.where(size <= delta, 0.5 * residual * residual, delta * (size - 0.5 * delta))

    def derivative(need_target: bool) -> tuple[np.ndarray, np.ndarray | None]:
        d = xp.clip(residual, -delta, delta)
        return d, -d if need_target else None

    return _reduced("huber", p, y, loss, derivative, reduction, _weights("huber", sample_weight, p))


def bce_with_logits(
    prediction: Tensor,
    target: Any,
    reduction: str = "mean",
    sample_weight: Any = None,
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of logits ``z`` against targets in {0, 1}: the classification loss.

    Parameters
    ----------
    prediction : Tensor
        Logits ``z`` (the model's raw output; ``sigmoid(z)`` is the probability of class 1).
    target : Tensor or array_like
        Labels in {0, 1} (probabilities in [0, 1] are accepted as soft labels).
    reduction, sample_weight
        As for :func:`mse`.
    pos_weight : float or array_like, optional
        Weight of the positive term, e.g. ``n_negative / n_positive`` for imbalanced classes.

    Raises
    ------
    ValueError
        For targets outside [0, 1], mismatched shapes or bad weights.

    Notes
    -----
    ``l = -[a y log s(z) + (1 - y) log(1 - s(z))]`` with ``a`` the pos_weight,
    computed without overflow as ``(1 - y) z + (1 + (a - 1) y) (log(1 + e^-|z|) + max(-z, 0))``
    (with ``a = 1``: ``max(z, 0) - z y + log(1 + e^-|z|)``); finite for logits of
    +-1000. ``dl/dz = (1 - y) - (1 + (a - 1) y) s(-z)``, which is ``s(z) - y`` for
    ``a = 1``. Equal to PyTorch's ``binary_cross_entropy_with_logits``.

    Examples
    --------
    >>> import descenso as ds
    >>> round(bce_with_logits(ds.tensor([0.0]), [1.0]).item(), 4)
    0.6931
    >>> bce_with_logits(ds.tensor([1000.0, -1000.0]), [0.0, 1.0], reduction="none").data
    array([1000., 1000.], dtype=float32)
    """
    name = "bce_with_logits"
    z, y = _prepare(name, prediction, target, reduction)
    _check_binary(name, y, soft=True)
    zd, yd = z.data, y.data
    xp = array_module(zd)
    e = xp.exp(-xp.abs(zd))  # in (0, 1]: never overflows
    log_term = xp.log1p(e)
    if pos_weight is None:
        loss = xp.maximum(zd, 0) - zd * yd + log_term
        scale = None
    else:
        pw = np.asarray(pos_weight, dtype=zd.dtype)  # checked on the host, then moved
        if np.any(pw < 0) or not np.all(np.isfinite(pw)):
            raise ValueError(f"{name}: pos_weight must be finite and non-negative; got {pos_weight!r}")
        pw = pw[()] if pw.ndim == 0 else like(pw, zd)  # a number stays a number (no copy to a GPU)
        scale = 1 + (pw - 1) * yd
        softplus_neg = log_term + xp.maximum(-zd, 0)  # log(1 + e^-z)
        loss = (1 - yd) * zd + scale * softplus_neg

    def derivative(need_target: bool, factor: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        # sigmoid(z) from the kept e = exp(-|z|), without a second exp.
        s = xp.where(zd >= 0, 1 / (1 + e), e / (1 + e)).astype(zd.dtype, copy=False)
        if scale is None:
            s -= yd  # s is this call's own array: in place, no more temporaries
            s *= factor
            return s, -zd * factor if need_target else None
        d_target = -zd + (pw - 1) * softplus_neg if need_target else None
        d = (1 - yd) - scale * (1 - s)
        return d * factor, None if d_target is None else d_target * factor

    weight = _weights(name, sample_weight, z)
    return _reduced(name, z, y, loss, derivative, reduction, weight, scaled=True)


def bce(
    prediction: Tensor, target: Any, reduction: str = "mean", sample_weight: Any = None, eps: float = 1e-7
) -> Tensor:
    """Binary cross-entropy of probabilities ``p`` (e.g. after a sigmoid); prefer :func:`bce_with_logits`.

    Parameters
    ----------
    eps : float, default 1e-7
        ``p`` is clipped to ``[eps, 1 - eps]`` before the logarithms, so ``p`` of
        exactly 0 or 1 gives a large finite loss instead of infinity.

    Notes
    -----
    ``l = -[y log p' + (1 - y) log(1 - p')]`` with ``p' = clip(p, eps, 1 - eps)``;
    ``dl/dp = (p' - y) / (p' (1 - p'))`` inside the clip range and 0 outside
    (like the ``clip`` op). Matches PyTorch's ``binary_cross_entropy`` away from
    0 and 1 (PyTorch caps the log at -100 instead of clipping).

    Examples
    --------
    >>> import descenso as ds
    >>> round(bce(ds.tensor([0.5]), [1.0]).item(), 4)
    0.6931
    """
    if not 0 < eps < 0.5:
        raise ValueError(f"bce: eps must be in (0, 0.5); got {eps!r}")
    p, y = _prepare("bce", prediction, target, reduction)
    _check_binary("bce", y, soft=True)
    xp = array_module(p.data)
    pc = xp.clip(p.data, eps, 1 - eps)
    log_p, log_q = xp.log(pc), xp.log1p(-pc)
    loss = -(y.data * log_p + (1 - y.data) * log_q)

    def derivative(need_target: bool) -> tuple[np.ndarray, np.ndarray | None]:
        inside = (p.data >= eps) & (p.data <= 1 - eps)
        d = xp.where(inside, (pc - y.data) / (pc * (1 - pc)), 0).astype(pc.dtype, copy=False)
        return d, log_q - log_p if need_target else None

    return _reduced("bce", p, y, loss, derivative, reduction, _weights("bce", sample_weight, p))


def hinge(prediction: Tensor, target: Any, reduction: str = "mean", sample_weight: Any = None) -> Tensor:
    """Hinge loss of scores ``z`` (the linear SVM's loss); targets {0, 1} are used as {-1, +1}.

    Notes
    -----
    With ``s = 2 y - 1``: ``l = max(0, 1 - s z)``; ``dl/dz = -s`` where
    ``s z < 1``, else 0. Zero once a sample is on the right side with margin 1.

    Examples
    --------
    >>> import descenso as ds
    >>> hinge(ds.tensor([2.0, 0.5, 0.5]), [1.0, 1.0, 0.0], reduction="none").data
    array([0. , 0.5, 1.5], dtype=float32)
    """
    z, y = _prepare("hinge", prediction, target, reduction)
    _check_binary("hinge", y, soft=False)
    sign = 2 * y.data - 1
    margin = 1 - sign * z.data

    def derivative(need_target: bool) -> tuple[np.ndarray, np.ndarray | None]:
        return -sign * (margin > 0), None

    loss = array_module(margin).maximum(margin, 0)
    return _reduced("hinge", z, y, loss, derivative, reduction, _weights("hinge", sample_weight, z))


LOSSES: dict[str, Callable[..., Tensor]] = {
    "mse": mse,
    "mae": mae,
    "huber": huber,
    "bce_with_logits": bce_with_logits,
    "bce": bce,
    "hinge": hinge,
}
_ALIASES = {
    "l2": "mse",
    "squared_error": "mse",
    "l1": "mae",
    "absolute_error": "mae",
    "binary_cross_entropy": "bce",
    "logistic": "bce_with_logits",
}


@contextlib.contextmanager
def _values_checked_once(loss: Callable[..., Tensor], *data: tuple[Any, Any, Any]) -> Iterator[None]:
    """Check the targets and weights of ``data`` ((X, y, w) triples) for a built-in ``loss`` once,
    here, then skip those checks inside the block: on a GPU each would wait for the device, every step.

    A zero prediction is enough to run them; a custom loss keeps its own checks.
    """
    if loss not in LOSSES.values():
        yield
        return
    for _, y, w in data:
        zero = Tensor(array_module(y).zeros(y.shape, dtype=y.dtype))
        loss(zero, y, sample_weight=w)
    _value_checks.on = False
    try:
        yield
    finally:
        _value_checks.on = True


def get(name_or_callable: Any) -> Callable[..., Tensor]:
    """The loss called ``name`` ("mse", "mae", "huber", "bce_with_logits", "bce", "hinge") or a callable.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    TypeError
        For something that is neither a string nor callable.

    Examples
    --------
    >>> get("mse") is mse, get("l1") is mae
    (True, True)
    """
    if callable(name_or_callable):
        return name_or_callable
    if not isinstance(name_or_callable, str):
        raise TypeError(f"loss must be a name or a callable; got {type(name_or_callable).__name__}")
    key = name_or_callable.lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name_or_callable!r}; choose one of {sorted(LOSSES)}")
    return LOSSES[key]
