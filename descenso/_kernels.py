"""The replay kernels of a captured training step (:mod:`descenso.compile`): one per layer and loss.

Each kernel does, with arrays it allocated once for one batch shape, exactly the NumPy
arithmetic the eager op does (same calls, same order, same dtypes), so that a captured
step's numbers equal the eager step's bit for bit. ``forward`` keeps what ``backward``
needs in the kernel itself, the way an op's closure would. Layers and losses without a
fast kernel replay through :class:`EagerLayer` and :class:`EagerLoss`, which run the
eager op itself on one node: still exact, only not faster.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from descenso import losses
from descenso.tensor import Tensor


class LinearKernel:
    """``x W^T + b`` (and the ReLU of :func:`descenso.ops.linear_relu` when ``relu``), into buffers."""

    def __init__(self, layer: Any, rows: int, relu: bool, input_grad: bool) -> None:
        self.weight, self.bias, self.relu = layer.weight, layer.bias, relu
        out_features, in_features = layer.weight.data.shape
        dtype = layer.weight.data.dtype
        self.out = np.empty((rows, out_features), dtype)
        self.mask = np.empty((rows, out_features), bool) if relu else None
        self.grad_z = np.empty((rows, out_features), dtype) if relu else None
        self.grad_x = np.empty((rows, in_features), dtype) if input_grad else None
        self.x: np.ndarray = self.out  # set by forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        out = np.matmul(x, self.weight.data.T, out=self.out)
        if self.bias is not None:
            out += self.bias.data
        if self.relu:
            np.maximum(out, 0, out=out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        if self.relu:
            grad = np.multiply(grad, np.greater(self.out, 0, out=self.mask), out=self.grad_z)
        np.matmul(grad.T, self.x, out=self.weight.grad)
        if self.bias is not None:
            np.add.reduce(grad, axis=0, out=self.bias.grad)  # what grad.sum(axis=0) runs, minus its wrapper
        if self.grad_x is None:
            return None
        if self.grad_x.shape[1] and grad.shape[1] == 1:
            # One output: grad @ W is an outer product, one product per element; matmul runs it
            # without BLAS, a broadcast multiply gives the same numbers several times faster.
            return np.multiply(grad, self.weight.data, out=self.grad_x)
        return np.matmul(grad, self.weight.data, out=self.grad_x)


class ReLUKernel:
    """``max(x, 0)``; backward ``grad * [x > 0]``, as :func:`descenso.ops.relu`."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.out, self.grad_x = np.empty(shape, dtype), np.empty(shape, dtype)
        self.mask = np.empty(shape, bool)
        self.x = self.out

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.maximum(x, 0, out=self.out)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.multiply(grad, np.greater(self.x, 0, out=self.mask), out=self.grad_x)


class TanhKernel:
    """``tanh(x)``; backward ``grad * (1 - y^2)``, as :func:`descenso.ops.tanh`."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.out, self.work, self.grad_x = (np.empty(shape, dtype) for _ in range(3))

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x, out=self.out)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        work = np.multiply(self.out, self.out, out=self.work)
        np.subtract(1, work, out=work)
        return np.multiply(grad, work, out=self.grad_x)


class DropoutKernel:
    """Inverted dropout with the layer's own rng, drawing exactly what :class:`~descenso.nn.Dropout` draws."""

    def __init__(self, layer: Any, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.layer, self.dtype = layer, dtype
        self.draw, self.mask = np.empty(shape, dtype), np.empty(shape, dtype)
        self.keep = np.empty(shape, bool)
        self.out, self.grad_x = np.empty(shape, dtype), np.empty(shape, dtype)
        self.active = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        layer = self.layer
        self.active = layer.training and layer.p != 0  # read at every step, as Dropout.forward does
        if not self.active:
            return x
        layer.rng.random(out=self.draw, dtype=self.dtype)
        keep = np.greater_equal(self.draw, layer.p, out=self.keep)
        np.multiply(keep, np.asarray(1.0 / (1.0 - layer.p), dtype=self.dtype), out=self.mask)
        return np.multiply(x, self.mask, out=self.out)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.multiply(grad, self.mask, out=self.grad_x) if self.active else grad


class EagerLayer:
    """Any layer without parameters, replayed by running its eager forward on one input leaf."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.node: Tensor | None = None
        self.leaf: Tensor | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.leaf = Tensor(x, requires_grad=True)
        self.node = self.layer(self.leaf)
        return self.node.data  # type: ignore[union-attr]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        assert self.node is not None and self.leaf is not None
        if self.node is self.leaf:  # the layer returned its input (Identity, Dropout in eval mode)
            return grad
        self.node.backward(grad)
        return self.leaf.grad  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------- losses


def batch_weights(name: str, sample_weight: Any, prediction: np.ndarray) -> np.ndarray:
    """Sample weights shaped as the loss uses them, checked with two reductions (exactly on failure)."""
    w = np.asarray(sample_weight, dtype=prediction.dtype)
    n = prediction.shape[0]
    total = w.sum()
    if w.shape != (n,) or not (w.min() >= 0 and math.isfinite(total) and total > 0):
        losses._weights(name, Tensor(w), Tensor(prediction))  # raises the eager loss's own message
    return w.reshape((n,) + (1,) * (prediction.ndim - 1))


def _reduce(loss: np.ndarray, weight: np.ndarray | None, seed: np.ndarray) -> tuple[np.ndarray, Any]:
    """The mean of ``loss`` (weighted) and the factor its derivative is scaled by, as ``losses._reduced``."""
    if weight is None:
        total = float(loss.size)
        data = np.asarray(np.asarray(loss.sum(), dtype=loss.dtype) / total, dtype=loss.dtype)
        return data, seed / total
    weighted = loss * weight
    full = weight if weight.shape == loss.shape else np.broadcast_to(weight, loss.shape)
    total = float(full.sum())
    data = np.asarray(np.asarray(weighted.sum(), dtype=loss.dtype) / total, dtype=loss.dtype)
    return data, (seed / total) * weight


class MSEKernel:
    """:func:`descenso.losses.mse` with mean reduction: ``(p - y)^2``, derivative ``2 (p - y) scale``."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.residual, self.squares, self.d = (np.empty(shape, dtype) for _ in range(3))
        self.seed = np.ones((), dtype)
        self.scale: Any = None

    def forward(self, z: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        residual = np.subtract(z, y, out=self.residual)
        squares = np.multiply(residual, residual, out=self.squares)
        data, self.scale = _reduce(squares, weight, self.seed)
        return data

    def backward(self) -> np.ndarray:
        return np.multiply(self.residual, 2 * self.scale, out=self.d)


class BCEWithLogitsKernel:
    """:func:`descenso.losses.bce_with_logits` with mean reduction and no ``pos_weight``."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.e, self.log_term, self.loss, self.work, self.s = (np.empty(shape, dtype) for _ in range(5))
        self.positive = np.empty(shape, bool)
        self.seed = np.ones((), dtype)
        self.z, self.y, self.scale = self.e, self.e, None

    def forward(self, z: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        if not (y.min() >= 0 and y.max() <= 1):  # two reductions; the exact check only to explain
            losses._check_binary("bce_with_logits", Tensor(y), soft=True)
        self.z, self.y = z, y
        e = np.abs(z, out=self.e)
        np.negative(e, out=e)
        np.exp(e, out=e)  # exp(-|z|), in (0, 1]
        np.log1p(e, out=self.log_term)
        loss = np.maximum(z, 0, out=self.loss)
        loss -= np.multiply(z, y, out=self.work)
        loss += self.log_term
        data, self.scale = _reduce(loss, weight, self.seed)
        return data

    def backward(self) -> np.ndarray:
        # sigmoid(z) = 1 / (1 + e) where z >= 0, e / (1 + e) elsewhere (e = exp(-|z|)), minus y, times scale
        one_plus = np.add(self.e, 1, out=self.work)
        s = np.divide(self.e, one_plus, out=self.s)
        np.divide(1, one_plus, out=one_plus)
        np.copyto(s, one_plus, where=np.greater_equal(self.z, 0, out=self.positive))
        s -= self.y
        s *= self.scale
        return s


class EagerLoss:
    """Any other loss (or a user's callable), replayed by calling it on one prediction leaf."""

    def __init__(self, loss_fn: Callable[..., Tensor]) -> None:
        self.loss_fn = loss_fn
        self.node: Tensor | None = None
        self.leaf: Tensor | None = None

    def forward(self, z: np.ndarray, y: np.ndarray, weight: Any) -> np.ndarray:
        self.leaf = Tensor(z, requires_grad=True)
        if weight is None:
            self.node = self.loss_fn(self.leaf, y)
        else:
            self.node = self.loss_fn(self.leaf, y, sample_weight=weight)
        return self.node.data  # type: ignore[union-attr]

    def backward(self) -> np.ndarray:
        assert self.node is not None and self.leaf is not None
        self.node.backward()
        return self.leaf.grad  # type: ignore[return-value]


FAST_LOSSES = {losses.mse: MSEKernel, losses.bce_with_logits: BCEWithLogitsKernel}
