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
from descenso.backend import array_module, like
from descenso.tensor import Tensor


class LinearKernel:
    """``x W^T + b`` (and the ReLU of :func:`descenso.ops.linear_relu` when ``relu``), into buffers.

    The parameters' arrays are read once, here: they are views of the optimizer's flat buffers,
    which the step checks are still in place (``FlatParameters.sync``) before every forward.
    """

    trained = True  # a layer with parameters: the backward pass always reaches it

    def __init__(self, layer: Any, rows: int, relu: bool, input_grad: bool) -> None:
        self.xp = xp = array_module(layer.weight.data)
        self.weight, self.bias, self.relu = layer.weight, layer.bias, relu
        self.weight_t = layer.weight.data.T  # (in_features, out_features), a view
        self.bias_data = None if layer.bias is None else layer.bias.data
        out_features, in_features = layer.weight.data.shape
        dtype = layer.weight.data.dtype
        self.out = xp.empty((rows, out_features), dtype)
        self.mask = xp.empty((rows, out_features), bool) if relu else None
        self.grad_z = xp.empty((rows, out_features), dtype) if relu else None
        self.grad_x = xp.empty((rows, in_features), dtype) if input_grad else None
        self.ones = xp.ones(rows, dtype)
        self.outer = in_features > 0 and out_features == 1  # grad @ W is an outer product
        self.x: np.ndarray = self.out  # set by forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = self.xp
        self.x = x
        out = xp.matmul(x, self.weight_t, out=self.out)
        if self.bias_data is not None:
            out += self.bias_data
        if self.relu:
            xp.maximum(out, 0, out=out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        xp = self.xp
        if self.relu:
            grad = xp.multiply(grad, xp.greater(self.out, 0, out=self.mask), out=self.grad_z)
        return self.products(grad)

    def products(self, grad: np.ndarray) -> np.ndarray | None:
        """The weight, bias and input gradients from the gradient of the affine output ``grad``."""
        xp = self.xp
        xp.matmul(grad.T, self.x, out=self.weight.grad)
        if self.bias is not None:
            xp.matmul(self.ones, grad, out=self.bias.grad)  # 1^T grad: a matrix-vector product
        if self.grad_x is None:
            return None
        if self.outer:
            # One output: grad @ W is an outer product, one product per element; matmul runs it
            # without BLAS, a broadcast multiply gives the same numbers several times faster.
            return xp.multiply(grad, self.weight.data, out=self.grad_x)
        return xp.matmul(grad, self.weight.data, out=self.grad_x)


class ReLUKernel:
    """``max(x, 0)``; backward ``grad * [x > 0]``, as :func:`descenso.ops.relu`."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        self.xp = xp
        self.out, self.grad_x = xp.empty(shape, dtype), xp.empty(shape, dtype)
        self.mask = xp.empty(shape, bool)
        self.x = self.out

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = self.xp
        self.x = x
        return xp.maximum(x, 0, out=self.out)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = self.xp
        return xp.multiply(grad, xp.greater(self.x, 0, out=self.mask), out=self.grad_x)


class TanhKernel:
    """``tanh(x)``; backward ``grad * (1 - y^2)``, as :func:`descenso.ops.tanh`."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        self.xp = xp
        self.out, self.work, self.grad_x = (xp.empty(shape, dtype) for _ in range(3))

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = self.xp
        return xp.tanh(x, out=self.out)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = self.xp
        work = xp.multiply(self.out, self.out, out=self.work)
        xp.subtract(1, work, out=work)
        return xp.multiply(grad, work, out=self.grad_x)


class DropoutKernel:
    """Inverted dropout with the layer's own rng, drawing exactly what :class:`~descenso.nn.Dropout` draws."""

    def __init__(self, layer: Any, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        self.xp = xp
        self.layer, self.dtype = layer, dtype
        self.draw, self.keep = np.empty(shape, dtype), np.empty(shape, bool)  # host: the layer's rng
        self.host_mask, self.mask = np.empty(shape, dtype), xp.empty(shape, dtype)
        self.out, self.grad_x = xp.empty(shape, dtype), xp.empty(shape, dtype)
        self.active = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = self.xp
        layer = self.layer
        self.active = layer.training and layer.p != 0  # read at every step, as Dropout.forward does
        if not self.active:
            return x
        layer.rng.random(out=self.draw, dtype=self.dtype)
        keep = np.greater_equal(self.draw, layer.p, out=self.keep)
        np.multiply(keep, np.asarray(1.0 / (1.0 - layer.p), dtype=self.dtype), out=self.host_mask)
        self.mask = like(self.host_mask, x)  # to the data's device, as Dropout.forward does
        return xp.multiply(x, self.mask, out=self.out)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = self.xp
        return xp.multiply(grad, self.mask, out=self.grad_x) if self.active else grad


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
    """Sample weights shaped as the loss uses them; checked (cheaply, exactly on failure) outside ``fit``."""
    xp = array_module(prediction)
    w = xp.asarray(sample_weight, dtype=prediction.dtype)
    n = prediction.shape[0]
    if losses._value_checks.on:  # fit checked every weight once, up front, and turns this off
        total = w.sum()
        if w.shape != (n,) or not (w.min() >= 0 and math.isfinite(total) and total > 0):
            losses._weights(name, Tensor(w), Tensor(prediction))  # raises the eager loss's own message
    return w.reshape((n,) + (1,) * (prediction.ndim - 1))


class _MeanLoss:
    """What a loss kernel's mean needs, computed once per batch shape: ``n`` and the derivative's ``1/n``."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        self.xp = xp
        self.seed = xp.ones((), dtype)
        self.count = np.dtype(dtype).type(math.prod(shape))
        self.mean_scale = self.seed / self.count  # the very division _reduce makes, made once
        self.scale: Any = None

    def reduce(self, loss: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        """The (weighted) mean of ``loss``; keeps the factor the derivative is scaled by."""
        if weight is None:
            self.scale = self.mean_scale
            return loss.sum() / self.count  # one rounding of the dtype's sum, one of the division
        data, self.scale = _reduce(loss, weight, self.seed)
        return data


def _reduce(loss: np.ndarray, weight: np.ndarray | None, seed: np.ndarray) -> tuple[np.ndarray, Any]:
    """The mean of ``loss`` (weighted) and the factor its derivative is scaled by, as ``losses._reduced``."""
    xp = array_module(loss)
    weighted = loss if weight is None else loss * weight
    total = loss.dtype.type(loss.size) if weight is None else xp.broadcast_to(weight, loss.shape).sum()
    if weight is not None and not losses._value_checks.on:  # in fit: a batch of zero weights counts 0
        total = xp.maximum(total, loss.dtype.type(np.finfo(loss.dtype).tiny))
    data = weighted.sum() / total  # one rounding of the dtype's sum, one of the division: as eager
    scale = seed / total
    return data, scale if weight is None else scale * weight


class MSEKernel(_MeanLoss):
    """:func:`descenso.losses.mse` with mean reduction: ``(p - y)^2``, derivative ``2 (p - y) scale``."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        super().__init__(shape, dtype, xp)
        self.residual, self.squares, self.d = (xp.empty(shape, dtype) for _ in range(3))

    def forward(self, z: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        return self.reduce(self.terms(z, y), weight)

    def terms(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The squared residuals (the residuals are kept for the derivative)."""
        xp = self.xp
        residual = xp.subtract(z, y, out=self.residual)
        return xp.multiply(residual, residual, out=self.squares)

    def backward(self) -> np.ndarray:
        xp = self.xp
        return xp.multiply(self.residual, 2 * self.scale, out=self.d)


class BCEWithLogitsKernel(_MeanLoss):
    """:func:`descenso.losses.bce_with_logits` with mean reduction and no ``pos_weight``."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        super().__init__(shape, dtype, xp)
        self.e, self.log_term, self.loss, self.work, self.s = (xp.empty(shape, dtype) for _ in range(5))
        self.positive = xp.empty(shape, bool)
        self.z, self.y = self.e, self.e

    def forward(self, z: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        if losses._value_checks.on and not (y.min() >= 0 and y.max() <= 1):  # the exact check explains
            losses._check_binary("bce_with_logits", Tensor(y), soft=True)
        self.z, self.y = z, y
        return self.reduce(self.terms(z, y), weight)

    def terms(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each prediction's loss ``max(z, 0) - z y + log1p(exp(-|z|))`` (keeping ``exp(-|z|)``)."""
        xp = self.xp
        e = xp.abs(z, out=self.e)
        xp.negative(e, out=e)
        xp.exp(e, out=e)  # exp(-|z|), in (0, 1]
        xp.log1p(e, out=self.log_term)
        loss = xp.maximum(z, 0, out=self.loss)
        loss -= xp.multiply(z, y, out=self.work)
        loss += self.log_term
        return loss

    def backward(self) -> np.ndarray:
        xp = self.xp
        # sigmoid(z) = 1 / (1 + e) where z >= 0, e / (1 + e) elsewhere (e = exp(-|z|)), minus y, times scale
        one_plus = xp.add(self.e, 1, out=self.work)
        s = xp.divide(self.e, one_plus, out=self.s)
        xp.divide(1, one_plus, out=one_plus)
        xp.copyto(s, one_plus, where=xp.greater_equal(self.z, 0, out=self.positive))
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


def optimizer_update(optimizer: Any) -> Callable[[], None]:
    """The optimizer's update as the captured step calls it: here, its own ``step``."""
    return optimizer.step


class CheckedUpdate:
    """``update()`` unless ``is_finite`` says the flat gradient holds a NaN or an infinity.

    Calling it returns whether it updated. With NumPy's check (:func:`gradient_is_finite`), False
    may be a false alarm (``g . g`` overflowed): the caller's exact check decides.
    """

    def __init__(
        self, optimizer: Any, update: Callable[[], Any], is_finite: Callable[[Any], bool] | None = None
    ) -> None:
        self.packed, self.update = optimizer.packed, update
        self.is_finite = gradient_is_finite if is_finite is None else is_finite

    def __call__(self) -> bool:
        if not self.is_finite(self.packed.grad):
            return False
        self.update()
        return True


def update_if_finite(optimizer: Any, update: Callable[[], Any]) -> Callable[[], bool]:
    """``update`` (from :func:`optimizer_update`) unless the gradient may hold a NaN or an infinity."""
    return CheckedUpdate(optimizer, update)


def settle_gradient(grad: Any) -> None:
    """``grad += 0`` in place: eager accumulates into zeroed gradients, ``0 + g``: -0.0 becomes +0.0."""
    grad += 0


def gradient_is_finite(grad: np.ndarray) -> bool:
    """Whether the flat gradient ``grad`` is finite, in one pass: ``g . g`` (NaN and inf propagate).

    False may also mean the product overflowed (the caller's exact check decides). On a GPU it is
    not checked (True): each check would wait for the device; the weights' check each epoch catches it.
    """
    return type(grad) is not np.ndarray or math.isfinite(float(np.dot(grad, grad)))
