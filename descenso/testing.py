"""Gradient checking: compare ``backward()`` with central finite differences.

Users and tests call :func:`gradcheck` on any function of tensors, including
their own compositions of ops.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from descenso.backend import array_module, default, device_of, like, to_device, to_numpy
from descenso.grad_mode import no_grad
from descenso.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with the finite-difference estimate."""


def numerical_grad(
    fn: Callable[..., Tensor], inputs: list[Tensor], weights: np.ndarray, eps: float
) -> list[np.ndarray]:
    """Central differences of ``sum(fn(*inputs) * weights)`` for every element of every input.

    Parameters
    ----------
    fn : callable
        A function of tensors returning a tensor.
    inputs : list of Tensor
        Contiguous float64 tensors; each element is nudged in place and restored.
    weights : numpy.ndarray
        Weights of the output's shape (on its device) that reduce it to a scalar.
    eps : float
        Half the step of the central difference.

    Returns
    -------
    list of numpy.ndarray
        One float64 array of each input's shape.

    Notes
    -----
    ``dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)``, with an error of order ``eps**2``.

    Examples
    --------
    >>> import numpy as np, descenso as ds
    >>> x = ds.tensor([1.0, 2.0], dtype="float64")
    >>> ds.testing.numerical_grad(lambda t: t * t, [x], np.ones(2), 1e-6)[0].round(6)
    array([2., 4.])
    """
    grads = []
    with no_grad():
        for tensor in inputs:
            grad = np.zeros(tensor.shape, dtype=np.float64)
            flat = tensor.data.reshape(-1)  # a view: edits change the input in place
            for i in range(flat.size):
                original = flat[i]
                flat[i] = original + eps
                plus = float((fn(*inputs).data * weights).sum())
                flat[i] = original - eps
                minus = float((fn(*inputs).data * weights).sum())
                flat[i] = original
                grad.reshape(-1)[i] = (plus - minus) / (2 * eps)
            grads.append(grad)
    return grads


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    The output is reduced with fixed random weights, ``L = sum(w * fn(*inputs))``,
    so every element of a non-scalar output is checked, and ``dL/dx`` from
    ``backward()`` is compared with ``(L(x + eps) - L(x - eps)) / 2 eps``.

    Parameters
    ----------
    fn : callable
        A function of tensors returning a tensor.
    *inputs : Tensor or array_like
        Points at which to check; converted to float64 tensors that require grad (a Tensor
        or device array keeps its device; host data goes to the default device). Use float64:
        float32 differences are too coarse for these tolerances.
    eps, atol, rtol : float
        Step and tolerances: passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    seed : int
        Seed for the reduction weights.

    Returns
    -------
    bool
        True when every gradient matches.

    Raises
    ------
    GradcheckError
        Naming the input, the worst element, and both values.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.testing.gradcheck(lambda x: (x * x).sum(), [1.0, -2.0, 3.0])
    True
    """
    arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
    arrays = [a if device_of(a) != "cpu" else to_device(np.asarray(a), default()) for a in arrays]
    tensors = [Tensor(array_module(a).array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    weights = like(np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape), out.data)
    if out.requires_grad:  # otherwise no input reaches the output: every analytic gradient is 0
        (out * Tensor(weights)).sum().backward()
    numeric = numerical_grad(fn, tensors, weights, eps)
    for position, (tensor, expected) in enumerate(zip(tensors, numeric, strict=True)):
        actual = to_numpy(tensor.grad) if tensor.grad is not None else np.zeros(tensor.shape)
        if actual.shape != tensor.shape:
            raise GradcheckError(
                f"gradient of input {position} has shape {actual.shape}; expected the input's "
                f"shape {tensor.shape}"
            )
        error = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
        # A NaN error is a failure too: NaN compares false, so count it as infinitely wrong.
        error = np.where(np.isnan(error), np.inf, error)
        if error.size and error.max() > 0:
            worst = np.unravel_index(int(np.argmax(error)), error.shape)
            raise GradcheckError(
                f"gradient of input {position} (shape {tensor.shape}) is wrong at index "
                f"{tuple(int(i) for i in worst)}: backward() gives {actual[worst]:.8g}, "
                f"finite differences give {expected[worst]:.8g}"
            )
    return True
