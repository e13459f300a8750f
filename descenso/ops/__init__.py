"""Every differentiable op, forward and backward side by side.

The families live in their own files (``arithmetic``, ``elementwise``,
``select``, ``reduce``, ``shape``, ``index``); this module re-exports them and
gives ``Tensor`` its operators and methods.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

# The ops keep NumPy's names (abs, max, min, pow, sum) on purpose: ds.sum reads like np.sum.
from descenso.ops.arithmetic import add, div, linear, matmul, mul, neg, pow, sub  # noqa: A004
from descenso.ops.elementwise import (
    abs,  # noqa: A004
    exp,
    leaky_relu,
    log,
    log_sigmoid,
    relu,
    sigmoid,
    softplus,
    sqrt,
    tanh,
)
from descenso.ops.fused import linear_relu
from descenso.ops.index import getitem
from descenso.ops.reduce import max, mean, min, sum  # noqa: A004
from descenso.ops.select import clip, maximum, minimum, where
from descenso.ops.shape import broadcast_to, concatenate, reshape, squeeze, stack, transpose, unsqueeze
from descenso.tensor import Tensor

__all__ = [
    "abs", "add", "broadcast_to", "clip", "concatenate", "div", "exp", "getitem", "leaky_relu", "linear",
    "linear_relu", "log", "log_sigmoid", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg",
    "pow", "relu", "reshape", "sigmoid", "softplus", "sqrt", "squeeze", "stack", "sub", "sum",
    "tanh", "transpose", "unsqueeze", "where",
]  # fmt: skip


def _compare(op: Any) -> Any:
    def compare(self: Tensor, other: Any) -> Tensor:
        other_data = other.data if isinstance(other, Tensor) else other
        return Tensor.from_op(op(self.data, other_data), (), _no_backward, "compare")

    return compare


def _no_backward(grad: np.ndarray) -> tuple[()]:
    return ()


def _astype(self: Tensor, dtype: Any) -> Tensor:
    """Cast to float32 or float64. Notes: the gradient is cast back to the input's dtype."""
    target = np.dtype(dtype)
    if target not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"astype: dtype must be float32 or float64; got {target}")
    source = self.dtype

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.astype(source),)

    return Tensor.from_op(self.data.astype(target), (self,), backward, "astype")


_METHODS = {
    "__add__": add,
    "__radd__": lambda a, b: add(b, a),
    "__sub__": sub,
    "__rsub__": lambda a, b: sub(b, a),
    "__mul__": mul,
    "__rmul__": lambda a, b: mul(b, a),
    "__truediv__": div,
    "__rtruediv__": lambda a, b: div(b, a),
    "__pow__": pow,
    "__rpow__": lambda a, b: pow(b, a),
    "__matmul__": matmul,
    "__rmatmul__": lambda a, b: matmul(b, a),
    "__neg__": neg,
    "__pos__": lambda a: a,
    "__abs__": abs,
    "__getitem__": getitem,
    "__lt__": _compare(operator.lt),
    "__le__": _compare(operator.le),
    "__gt__": _compare(operator.gt),
    "__ge__": _compare(operator.ge),
    "abs": abs,
    "exp": exp,
    "log": log,
    "sqrt": sqrt,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softplus": softplus,
    "log_sigmoid": log_sigmoid,
    "clip": clip,
    "sum": sum,
    "mean": mean,
    "max": max,
    "min": min,
    "reshape": reshape,
    "transpose": transpose,
    "squeeze": squeeze,
    "unsqueeze": unsqueeze,
    "broadcast_to": broadcast_to,
    "astype": _astype,
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(transpose, doc="The transpose (all axes reversed), as NumPy's ``.T``.")  # type: ignore[assignment]
