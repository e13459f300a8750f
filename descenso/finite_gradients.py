"""The check between ``backward()`` and ``optimizer.step()``: a non-finite gradient is never applied.

A loss can be finite while its gradient is not: ``sqrt`` or ``log`` at 0, a power of 0 with a
negative exponent, an overflow inside the backward pass. Stepping with such a gradient turns the
weights into NaN, and the error that follows would blame the learning rate. :func:`check_finite_gradients`
stops training before the step instead, saying what really happened.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from descenso.stopping import DivergenceError

__all__ = ["NonFiniteGradientError", "check_finite_gradients"]


class NonFiniteGradientError(DivergenceError):
    """The gradient became NaN or infinite while the loss was finite; the step was not applied.

    Examples
    --------
    >>> error = NonFiniteGradientError("the gradient of 'weight' became NaN", epoch=2, lr=0.1, loss=0.5)
    >>> print(error)  # doctest: +ELLIPSIS
    the gradient of 'weight' became NaN at epoch 2 (lr=0.1) while the loss was finite (0.5); ...
    """

    def __init__(self, what: str, epoch: int, lr: float | None, loss: float) -> None:
        super().__init__(what, epoch, lr)
        self.problem += f" while the loss was finite ({loss:.6g})"

    def __str__(self) -> str:
        return (
            f"{self.summary}; the step was not applied. An operation has no finite derivative at these "
            "values (sqrt or log at 0, a power of 0, an overflow in the backward pass): check the model "
            "and the loss for such points, or clip the inputs; a smaller learning rate may also help"
        )


def check_finite_gradients(
    params: Sequence[Any], model: Any, epoch: int, lr: float | None, loss: float, packed: Any = None
) -> None:
    """Raise :class:`NonFiniteGradientError` naming the first parameter whose gradient is NaN or inf.

    One sum per gradient (a finite sum proves every entry finite); the names are only looked up
    when one is not. Gradients on a device (CuPy) are not checked here: each check would cost a
    read back to the host every step; there the weights' check at the end of each epoch catches it.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> layer = Linear(2, 1, rng=0)
    >>> layer.weight.grad = np.array([[np.nan, 0.0]], dtype=np.float32)
    >>> check_finite_gradients(layer.parameters(), layer, epoch=1, lr=0.1, loss=0.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    descenso.finite_gradients.NonFiniteGradientError: the gradient of 'weight' became NaN at epoch 1 ...
    """
    if _flat_is_finite(packed):  # the optimizer's one gradient buffer: one product instead of one per tensor
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if all(
            p.grad is None or not isinstance(p.grad, np.ndarray) or math.isfinite(float(p.grad.sum()))
            for p in params
        ):
            return
    for name, p in model.named_parameters():
        finite = None if not isinstance(p.grad, np.ndarray) else np.isfinite(p.grad)
        if finite is not None and not finite.all():
            bad = float(p.grad[~finite].reshape(-1)[0])
            kind = "NaN" if math.isnan(bad) else ("inf" if bad > 0 else "-inf")
            raise NonFiniteGradientError(f"the gradient of {name!r} became {kind}", epoch, lr, loss)


def _flat_is_finite(packed: Any) -> bool:
    """True when every gradient is a view of the packed optimizer's flat buffer and ``g . g`` is finite.

    A gradient the user replaced is not a view (the optimizer re-attaches it at its next step); then
    the caller checks tensor by tensor. ``g . g`` is finite only when every entry is (NaN and inf
    propagate); BLAS computes it without touching NumPy's floating-point error state, so no
    ``errstate`` is needed around it. If it overflows, the caller's exact check decides.
    """
    if packed is None or type(packed.grad) is not np.ndarray:
        return False
    if not packed.holds_gradients():
        return False
    grad = packed.grad
    return math.isfinite(float(np.dot(grad, grad)))
