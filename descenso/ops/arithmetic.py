"""Arithmetic ops: ``+ - * / ** @`` and negation, broadcasting-aware."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import array_module
from descenso.ops._buffers import MIN_BYTES, empty
from descenso.ops._util import as_tensor, broadcast_error, check_devices, unbroadcast
from descenso.tensor import Tensor


def add(a: Any, b: Any) -> Tensor:
    """Elementwise sum ``a + b`` with NumPy broadcasting.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The sum, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    ``d(a+b)/da = d(a+b)/db = 1``; each gradient is summed back to its operand's shape.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.add(ds.tensor([[1.0], [2.0]]), ds.tensor([10.0, 20.0])).data
    array([[11., 21.],
           [12., 22.]], dtype=float32)
    """
    a, b = _pair(a, b, "add")
    try:
        data = a.data + b.data
    except ValueError:
        raise broadcast_error("add", a, b) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)

    return Tensor.from_op(data, (a, b), backward, "add")


def neg(a: Tensor) -> Tensor:
    """Elementwise negation ``-a``.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``-a``.

    Notes
    -----
    ``d(-a)/da = -1``.

    Examples
    --------
    >>> import descenso as ds
    >>> (-ds.tensor([1.0, -2.0])).data
    array([-1.,  2.], dtype=float32)
    """

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (-grad,)

    return Tensor.from_op(-a.data, (a,), backward, "neg")


def sub(a: Any, b: Any) -> Tensor:
    """Elementwise difference ``a - b``, composed as ``add(a, neg(b))``.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The difference, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    ``d(a-b)/da = 1`` and ``d(a-b)/db = -1`` (from the two primitives).

    Examples
    --------
    >>> import descenso as ds
    >>> (1.0 - ds.tensor([1.0, 3.0])).data
    array([ 0., -2.], dtype=float32)
    """
    a, b = _pair(a, b, "sub")
    return add(a, neg(b))


def mul(a: Any, b: Any) -> Tensor:
    """Elementwise product ``a * b`` with NumPy broadcasting.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The product, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    ``d(ab)/da = b`` and ``d(ab)/db = a``.

    Examples
    --------
    >>> import descenso as ds
    >>> (ds.tensor([1.0, 2.0]) * 3).data
    array([3., 6.], dtype=float32)
    """
    a, b = _pair(a, b, "mul")
    try:
        data = a.data * b.data
    except ValueError:
        raise broadcast_error("mul", a, b) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        grad_a = unbroadcast(grad * b.data, a.shape) if a.requires_grad else None
        grad_b = unbroadcast(grad * a.data, b.shape) if b.requires_grad else None
        return grad_a, grad_b

    return Tensor.from_op(data, (a, b), backward, "mul")


def div(a: Any, b: Any) -> Tensor:
    """Elementwise quotient ``a / b`` with NumPy broadcasting.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The quotient, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    ``d(a/b)/da = 1/b`` and ``d(a/b)/db = -a/b**2 = -(a/b)/b``.

    Examples
    --------
    >>> import descenso as ds
    >>> (ds.tensor([1.0, 3.0]) / 2).data
    array([0.5, 1.5], dtype=float32)
    """
    a, b = _pair(a, b, "div")
    try:
        data = a.data / b.data
    except ValueError:
        raise broadcast_error("div", a, b) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        grad_over_b = grad / b.data
        grad_a = unbroadcast(grad_over_b, a.shape) if a.requires_grad else None
        grad_b = unbroadcast(-grad_over_b * data, b.shape) if b.requires_grad else None
        return grad_a, grad_b

    return Tensor.from_op(data, (a, b), backward, "div")


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the operator's name
    """Elementwise power ``a ** b``; either side may be a tensor or a number.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The power, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    ``d(a**b)/da = b * a**(b-1)`` and ``d(a**b)/db = a**b * log(a)`` (only
    computed when ``b`` requires grad, so negative bases with constant
    exponents are fine). As in PyTorch, ``d(a**0)/da = 0`` even at ``a = 0``,
    and ``d(0**b)/db = 0`` for ``b >= 0``.

    Examples
    --------
    >>> import descenso as ds
    >>> x = ds.tensor([-2.0, 3.0], requires_grad=True)
    >>> (x**2).sum().backward()
    >>> x.grad
    array([-4.,  6.], dtype=float32)
    """
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return _pow_number(a, b)
    a, b = _pair(a, b, "pow")
    try:
        data = a.data**b.data
    except ValueError:
        raise broadcast_error("pow", a, b) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        xp = array_module(grad)
        grad_a = grad_b = None
        if a.requires_grad:
            # Where b == 0 the factor b makes the term 0; exponent 0 instead of -1 keeps a**(b-1)
            # finite at a == 0, so 0 * inf never happens.
            exponent = xp.where(b.data == 0, 1, b.data) - 1
            grad_a = unbroadcast(grad * b.data * a.data**exponent, a.shape)
        if b.requires_grad:
            # log(a) only matters where a != 0; at a == 0 the output 0**b is 0 (b > 0) or 1 (b == 0).
            log_a = xp.log(xp.where(a.data == 0, 1, a.data))
            grad_b = unbroadcast(grad * data * log_a, b.shape)
        return grad_a, grad_b

    return Tensor.from_op(data, (a, b), backward, "pow")


def _pow_number(a: Tensor, b: float) -> Tensor:
    """``a ** b`` for a plain-number exponent (``x ** 2`` in every squared loss): one parent, no
    constant tensor, and the exponent's gradient is never needed."""
    exponent = a.data.dtype.type(b)  # a NumPy scalar of a's dtype: float32 stays float32, on any device
    data = a.data**exponent

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        if b == 0:  # d(a**0)/da = 0, also at a = 0
            return (array_module(grad).zeros_like(grad),)
        if b == 2:
            return (grad * (exponent * a.data),)
        return (grad * (exponent * a.data ** (exponent - 1)),)

    return Tensor.from_op(data, (a,), backward, "pow")


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` with NumPy's rules (1-D operands, batched stacks).

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands with at least one dimension each.

    Returns
    -------
    Tensor
        The product.

    Raises
    ------
    ValueError
        If an operand is 0-d, the inner dimensions differ or the batch dimensions do not broadcast (the
        message shows both shapes).

    Notes
    -----
    For ``C = A @ B``: ``dL/dA = dL/dC @ B^T`` and ``dL/dB = A^T @ dL/dC``; a
    1-D operand is treated as a row (left) or column (right) vector, and
    gradients of broadcast batch dimensions are summed back.

    Examples
    --------
    >>> import descenso as ds
    >>> (ds.tensor([[1.0, 2.0]]) @ ds.tensor([[3.0], [4.0]])).data
    array([[11.]], dtype=float32)
    """
    a, b = _pair(a, b, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape}: both operands need at least one "
            "dimension; use * to multiply by a scalar"
        )
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not align: expected a.shape[-1] == b.shape[-2]"
        )
    try:
        data = a.data @ b.data
    except ValueError:
        raise broadcast_error("matmul (batch dimensions)", a, b) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        if a.ndim == 2 and b.ndim == 2:  # the common case, without reshaping
            grad_a = grad @ b.data.T if a.requires_grad else None
            grad_b = a.data.T @ grad if b.requires_grad else None
            return grad_a, grad_b
        a2 = a.data if a.ndim > 1 else a.data[None, :]  # (1, k)
        b2 = b.data if b.ndim > 1 else b.data[:, None]  # (k, 1)
        g2 = grad if b.ndim > 1 else grad[..., None]
        g2 = g2 if a.ndim > 1 else g2[..., None, :]
        xp = array_module(grad)
        grad_a = grad_b = None
        if a.requires_grad:
            grad_a = unbroadcast(g2 @ xp.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if b.requires_grad:
            grad_b = unbroadcast(xp.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    return Tensor.from_op(data, (a, b), backward, "matmul")


def _pair(a: Any, b: Any, name: str) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors on one device; a plain number takes the other's dtype and device."""
    if isinstance(a, Tensor):
        b = as_tensor(b, like=a)
    else:
        b = as_tensor(b)
        a = as_tensor(a, like=b)
    check_devices(name, a, b)
    return a, b


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Affine map ``x @ weight.T + bias``, fused into one node for speed.

    Parameters
    ----------
    x : Tensor or array_like
        Input of shape ``(..., in_features)``.
    weight : Tensor
        Weights of shape ``(out_features, in_features)`` (PyTorch's layout).
    bias : Tensor, optional
        Bias of shape ``(out_features,)``.

    Returns
    -------
    Tensor
        Output of shape ``(..., out_features)``.

    Raises
    ------
    ValueError
        If ``weight`` is not 2-d, or ``x`` or ``bias`` does not fit it (the message shows the shapes).

    Notes
    -----
    Fused because it is the hot path of every network: one graph node and one
    backward call instead of three. For ``y = x W^T + b``: ``dL/dx = dL/dy W``,
    ``dL/dW = dL/dy^T x`` and ``dL/db = sum over the batch of dL/dy``.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.linear(ds.tensor([[1.0, 2.0]]), ds.tensor([[1.0, 1.0], [0.0, -1.0]]), ds.tensor([0.5, 0.0])).data
    array([[ 3.5, -2. ]], dtype=float32)
    """
    x, w_shape = check_linear("linear", x, weight, bias)
    data = affine(x.data, weight.data, None if bias is None else bias.data)
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return linear_backward(grad, x, weight, bias, w_shape)

    return Tensor.from_op(data, parents, backward, "linear")


def check_linear(name: str, x: Any, weight: Tensor, bias: Tensor | None) -> tuple[Tensor, tuple[int, ...]]:
    """``x`` as a Tensor of the weight's dtype, and the weight's shape, after checking they fit together."""
    x = as_tensor(x, like=weight)
    check_devices(name, x, weight)
    if bias is not None:
        check_devices(name, bias, weight)
    x_shape, w_shape = x.data.shape, weight.data.shape  # arrays' shapes: cheaper than the properties
    if len(w_shape) != 2:
        raise ValueError(f"{name}: weight must be 2-d (out_features, in_features); got shape {w_shape}")
    if not x_shape or x_shape[-1] != w_shape[1]:
        raise ValueError(
            f"{name}: input of shape {x_shape} does not fit a weight of shape {w_shape}: "
            f"expected input.shape[-1] == {w_shape[1]} (in_features)"
        )
    if bias is not None and bias.data.shape != w_shape[:1]:
        raise ValueError(
            f"{name}: bias of shape {bias.shape} does not fit a weight of shape {w_shape}: "
            f"expected bias.shape == ({w_shape[0]},) (out_features,)"
        )
    return x, w_shape


def affine(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``x @ weight.T + bias``; a large result goes into a reused buffer (:mod:`descenso.ops._buffers`)."""
    if x.size * weight.shape[0] * x.itemsize < MIN_BYTES * weight.shape[1]:  # small: plain, fewer calls
        out = x @ weight.T
    else:
        xp = array_module(x)
        buffer = empty((*x.shape[:-1], weight.shape[0]), np.result_type(x.dtype, weight.dtype), xp)
        out = xp.matmul(x, weight.T, out=buffer)
    if bias is not None:
        out += bias
    return out


def linear_backward(
    grad: np.ndarray, x: Tensor, weight: Tensor, bias: Tensor | None, w_shape: tuple[int, ...]
) -> tuple[np.ndarray | None, ...]:
    """Gradients of ``y = x W^T + b`` for ``x``, ``W`` (and ``b``) from ``dL/dy`` (shared with fused ops)."""
    xp = array_module(grad)
    grad_x = grad_w = None
    big = x.data.nbytes >= MIN_BYTES  # large arrays go into reused buffers, small ones are plain
    if x.requires_grad:
        out = empty(x.data.shape, np.result_type(grad.dtype, weight.dtype), xp) if big else None
        if w_shape[0] == 1 and grad.ndim == 2:
            # One output: grad @ W is an outer product, one product per element, which matmul runs
            # without BLAS (measured 40-55 us against 6 on a 256 x 128 batch); a broadcast multiply
            # gives the same numbers.
            grad_x = xp.multiply(grad, weight.data, out=out)
        else:
            grad_x = xp.matmul(grad, weight.data, out=out)
    grad2 = grad.reshape(-1, w_shape[0])  # (batch, out_features)
    if weight.requires_grad:
        x2 = x.data.reshape(-1, w_shape[1])  # (batch, in_features)
        out = empty(w_shape, np.result_type(grad2.dtype, x2.dtype), xp) if big else None
        grad_w = xp.matmul(grad2.T, x2, out=out)
    if bias is None:
        return grad_x, grad_w
    if not bias.requires_grad:
        return grad_x, grad_w, None
    # The bias gradient sums over the batch: as 1^T grad, a matrix-vector product (BLAS), it is
    # several times faster than grad.sum(axis=0).
    return grad_x, grad_w, xp.matmul(xp.ones(grad2.shape[0], grad2.dtype), grad2)
