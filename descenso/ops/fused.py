"""Fused ops: several primitives computed as one graph node where that removes whole passes."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import array_module
from descenso.ops._buffers import MIN_BYTES, empty
from descenso.ops.arithmetic import affine, check_linear, linear_backward
from descenso.tensor import Tensor


def linear_relu(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``relu(x @ weight.T + bias)`` as one node: a hidden layer of a ReLU network.

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
        ``max(x W^T + b, 0)``, of shape ``(..., out_features)``; equal to
        ``relu(linear(x, weight, bias))`` value for value, gradients included.

    Raises
    ------
    ValueError
        If ``weight`` is not 2-d, or ``x`` or ``bias`` does not fit it (the message shows the shapes).

    Notes
    -----
    With ``z = x W^T + b`` and ``y = max(z, 0)``: ``dL/dz = dL/dy * [y > 0]``
    (0 at ``z = 0``, as PyTorch), then ``linear``'s rule: ``dL/dx = dL/dz W``,
    ``dL/dW = dL/dz^T x``, ``dL/db = sum over the batch of dL/dz``.

    Fused because ``nn.Sequential`` and ``nn.MLP`` spend most of their nodes on
    this pair: the ReLU runs in place on the affine output (no second
    activation-sized array, no second pass to allocate it), and the graph keeps
    one node and one closure instead of two. Measured with ``benchmarks/``.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.ops import linear_relu
    >>> x = ds.tensor([[1.0, 2.0]])
    >>> w = ds.tensor([[1.0, 1.0], [0.0, -1.0]], requires_grad=True)
    >>> y = linear_relu(x, w, ds.tensor([0.5, 0.0]))
    >>> y.data
    array([[3.5, 0. ]], dtype=float32)
    >>> y.sum().backward()
    >>> w.grad
    array([[1., 2.],
           [0., 0.]], dtype=float32)
    """
    x, w_shape = check_linear("linear_relu", x, weight, bias)
    data = affine(x.data, weight.data, None if bias is None else bias.data)
    xp = array_module(data)
    xp.maximum(data, 0, out=data)  # in place: data is this op's own new array
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        if data.nbytes < MIN_BYTES:
            return linear_backward(grad * (data > 0), x, weight, bias, w_shape)
        mask = xp.greater(data, 0, out=empty(data.shape, np.dtype(bool), xp))  # large: reused buffers
        grad_z = xp.multiply(grad, mask, out=empty(data.shape, np.result_type(grad.dtype, data.dtype), xp))
        return linear_backward(grad_z, x, weight, bias, w_shape)

    return Tensor.from_op(data, parents, backward, "linear_relu")
