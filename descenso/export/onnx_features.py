"""ONNX translations of the representations that need more than one op: Polar and Expression.

Both are composed from ONNX primitives, so any runtime (opset 13 or later) runs them. Each function
takes an :class:`~descenso.export.onnx.OnnxGraph`, a fitted transform and the name of its input
(shape (batch, n_features)) and returns the name of its output, column for column as the transform's
``transform``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["column", "atan2", "polar", "expression"]

#: The functions of descenso.features.expression, by ONNX op.
UNARY_OPS = {
    "sin": "Sin", "cos": "Cos", "tan": "Tan", "exp": "Exp", "log": "Log",
    "sqrt": "Sqrt", "abs": "Abs", "tanh": "Tanh",
}  # fmt: skip
BINARY_OPS = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "**": "Pow"}


def column(graph: Any, x: str, index: int) -> str:
    """Column ``index`` of ``x`` as shape (batch, 1)."""
    indices = graph.add_initializer("col", np.array([index], dtype=np.int64))
    return graph.op("Gather", x, indices, axis=1)


def _is_negative(graph: Any, value: str) -> str:
    """True where ``value < 0``, including -0.0 (``1 / -0.0 = -inf``), as NumPy's arctan2 sees signs."""
    reciprocal = graph.op("Div", graph.constant(1.0, "one"), value)
    return graph.op("Less", reciprocal, graph.constant(0.0, "zero"))


def _atan(graph: Any, t: str) -> str:
    """``Atan``; onnxruntime has no float64 kernel, so float64 graphs take it in float32 first."""
    if graph.dtype == np.float32:
        return graph.op("Atan", t)
    rough = graph.op("Atan", graph.op("Cast", t, to=1))  # 1: ONNX float32
    return graph.op("Cast", rough, to=11)  # 11: ONNX float64; refined in atan2


def atan2(graph: Any, y: str, x: str) -> str:
    """``numpy.arctan2(y, x)`` in ``[-pi, pi]`` from Atan, Div, Where, Less, Equal and Add.

    Notes
    -----
    ``atan(y / x)`` is the angle for ``x > 0``; for ``x < 0`` it is off by half a turn, added
    with the sign of ``y`` (``+pi`` above the axis, ``-pi`` below). On the vertical axis
    ``x = 0, y != 0`` the angle is ``sign(y) pi / 2``. At ``y = x = 0`` the division uses
    ``x = 1`` (no 0/0), which gives NumPy's signed results: 0 for ``x = +0``, ``+-pi`` for ``x = -0``.
    In float64 graphs the float32 ``Atan`` (onnxruntime has no other) is refined by one Newton
    step on ``f(theta) = x sin(theta) - y cos(theta)``, whose root is the angle:
    ``theta <- theta - f(theta) / r`` (``f' = r cos(theta - angle) ~ r``), back to float64 accuracy.
    """
    zero = graph.constant(0.0, "zero")
    on_vertical_axis = graph.op("Equal", x, zero)
    safe_x = graph.op("Where", on_vertical_axis, graph.constant(1.0, "one"), x)
    base = _atan(graph, graph.op("Div", y, safe_x))
    half_turn = graph.op("Where", _is_negative(graph, y), graph.constant(-math.pi, "minus_pi"),
                         graph.constant(math.pi, "pi"))  # fmt: skip
    angle = graph.op("Where", _is_negative(graph, x), graph.op("Add", base, half_turn), base)
    vertical = graph.op("Mul", graph.op("Sign", y), graph.constant(math.pi / 2, "half_pi"))
    off_origin = graph.op("Not", graph.op("Equal", y, zero))
    angle = graph.op("Where", graph.op("And", on_vertical_axis, off_origin), vertical, angle)
    if graph.dtype == np.float32:
        return angle
    f = graph.op(
        "Sub", graph.op("Mul", x, graph.op("Sin", angle)), graph.op("Mul", y, graph.op("Cos", angle))
    )
    radius = graph.op("Sqrt", graph.op("Add", graph.op("Mul", x, x), graph.op("Mul", y, y)))
    safe_radius = graph.op("Where", graph.op("Greater", radius, zero), radius, graph.constant(1.0, "one"))
    return graph.op("Sub", angle, graph.op("Div", f, safe_radius))


def polar(graph: Any, transform: Any, x: str) -> str:
    """``[r, angle, sin(angle), cos(angle), other columns]`` as ``descenso.features.Polar``.

    Notes
    -----
    ``dx = x_i - c_x``, ``dy = x_j - c_y``; ``r = sqrt(dx^2 + dy^2)``, ``angle = atan2(dy, dx)``,
    ``sin = dy / r`` and ``cos = dx / r`` with ``r`` replaced by 1 at the pole (both are then 0).
    """
    d = transform.n_features_in_
    first, second = (c % d for c in transform.pair)
    center = np.asarray(transform.center_, dtype=np.float64)
    dx = graph.op("Sub", column(graph, x, first), graph.constant(center[0], "center_x"))
    dy = graph.op("Sub", column(graph, x, second), graph.constant(center[1], "center_y"))
    radius = graph.op("Sqrt", graph.op("Add", graph.op("Mul", dx, dx), graph.op("Mul", dy, dy)))
    off_pole = graph.op("Greater", radius, graph.constant(0.0, "zero"))
    safe = graph.op("Where", off_pole, radius, graph.constant(1.0, "one"))
    parts = [radius, atan2(graph, dy, dx), graph.op("Div", dy, safe), graph.op("Div", dx, safe)]
    others = transform._others()
    if others:
        parts.append(graph.op("Gather", x, graph.add_initializer("others", np.array(others)), axis=1))
    return graph.op("Concat", *parts, axis=1)


def _node(graph: Any, node: tuple[Any, ...], x: str) -> str:
    """One node of a parsed expression tree (see descenso.features.expression) as ONNX ops."""
    kind = node[0]
    if kind == "num":
        return graph.constant(node[1], "number")  # a scalar: broadcasts against (batch, 1) columns
    if kind == "col":
        return column(graph, x, node[1])
    if kind == "neg":
        return graph.op("Neg", _node(graph, node[1], x))
    if kind == "call" and node[1] == "tan" and graph.dtype != np.float32:  # no float64 Tan in onnxruntime
        argument = _node(graph, node[2], x)
        return graph.op("Div", graph.op("Sin", argument), graph.op("Cos", argument))
    if kind == "call":
        return graph.op(UNARY_OPS[node[1]], _node(graph, node[2], x))
    assert kind == "bin", node  # the parser makes no other nodes
    return graph.op(BINARY_OPS[node[1]], _node(graph, node[2], x), _node(graph, node[3], x))


def _uses_a_column(node: tuple[Any, ...]) -> bool:
    return node[0] == "col" or any(isinstance(part, tuple) and _uses_a_column(part) for part in node[1:])


def _rows_of(graph: Any, value: str, x: str) -> str:
    """A scalar ``value`` repeated to shape (batch, 1), the batch taken from ``x``."""
    batch = graph.op("Slice", graph.op("Shape", x), graph.add_initializer("start", np.array([0])),
                     graph.add_initializer("stop", np.array([1])))  # fmt: skip
    shape = graph.op("Concat", batch, graph.add_initializer("one_column", np.array([1])), axis=0)
    return graph.op("Expand", value, shape)


def expression(graph: Any, transform: Any, x: str) -> str:
    """``descenso.features.Expression``: each parsed formula translated node by node.

    Notes
    -----
    Numbers are scalars and columns (batch, 1), so ONNX broadcasting gives every formula the
    shape (batch, 1); a formula without any column (``"2 * 3"``) is expanded to that shape.
    Where the transform raises on NaN or infinity (``log`` of a negative number), the exported
    graph returns NaN or inf: a runtime graph has no way to raise.
    """
    parts = [x] if transform.keep_input else []
    for tree in transform._trees:
        value = _node(graph, tree, x)
        parts.append(value if _uses_a_column(tree) else _rows_of(graph, value, x))
    return graph.op("Concat", *parts, axis=1) if len(parts) > 1 else graph.op("Identity", parts[0])
