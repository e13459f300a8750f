"""A trace of one gradient-descent step, value by value: the notes' "general functioning".

A step is four things: the forward pass (each layer's output), the loss, the
backward pass (the gradient of the loss for every parameter) and the update
the optimizer applies. :func:`trace_step` performs one step on a small batch
and keeps all four; ``print(trace)`` shows them as aligned tables in a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["LayerTrace", "ParameterTrace", "StepTrace", "trace_step"]


@dataclass
class LayerTrace:
    """One layer's forward pass: its dotted name, description, and output values."""

    name: str
    description: str
    output: np.ndarray


@dataclass
class ParameterTrace:
    """One parameter in the step: its value before, its gradient, the update applied, its value after."""

    name: str
    before: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    after: np.ndarray


@dataclass
class StepTrace:
    """Everything one step computed; ``str()`` pretty-prints it.

    Attributes
    ----------
    input, target : numpy.ndarray
        The batch.
    layers : list of LayerTrace
        Each leaf layer's output, in the order the forward pass ran them.
    output : numpy.ndarray
        The model's output (the prediction the loss compares with ``target``).
    loss_name : str
    loss : float
        The batch loss before the step.
    parameters : list of ParameterTrace
    optimizer : str
        The optimizer's class name.
    lr : float
    performed : bool
        Whether the update was kept (False for ``dry_run=True``).
    """

    input: np.ndarray
    target: np.ndarray
    layers: list[LayerTrace]
    output: np.ndarray
    loss_name: str
    loss: float
    parameters: list[ParameterTrace] = field(default_factory=list)
    optimizer: str = "SGD"
    lr: float = 0.0
    performed: bool = True

    def __str__(self) -> str:
        kept = "applied" if self.performed else "computed, then undone (dry run)"
        lines = [
            f"One gradient-descent step on a batch of {len(self.input)} samples "
            f"({self.optimizer}, lr={self.lr:g}); update {kept}",
            "",
            "1. forward: each layer's output",
            *_block("input", self.input),
            *[
                line
                for layer in self.layers
                for line in _block(f"{layer.name}  {layer.description}", layer.output)
            ],
            *_block(
                "target",
                self.target.reshape(self.output.shape)
                if self.target.size == self.output.size
                else self.target,
            ),
            "",
            f"2. loss: {self.loss_name} = {self.loss:.6g}",
            "",
            "3. backward: the gradient of the loss for every parameter",
            *[line for p in self.parameters for line in _block(p.name, p.grad)],
            "",
            f"4. update: the change {self.optimizer} applied (for plain SGD, -lr * gradient)",
            *[line for p in self.parameters for line in _side_by_side(p)],
        ]
        return "\n".join(lines)


def trace_step(
    model: Any,
    X: Any,
    y: Any,
    loss: str | Callable[..., Any] = "mse",
    optimizer: Any = None,
    lr: float = 0.1,
    dry_run: bool = False,
) -> StepTrace:
    """Perform one gradient-descent step on a small batch and record every value.

    Parameters
    ----------
    model : nn.Module
    X : array_like, shape (batch, n_features)
        Keep it small (a handful of rows): everything is recorded and printed.
    y : array_like, shape (batch,) or (batch, out_features)
    loss : str or callable, default "mse"
    optimizer : Optimizer, str or None
        None: plain gradient descent, ``SGD(model.parameters(), lr=lr)``. A
        name builds that optimizer with ``lr``. An Optimizer object is used as
        is, and its state (momentum, Adam's moments) advances by this step.
    lr : float, default 0.1
        For an optimizer given by name or None.
    dry_run : bool, default False
        By default the step is real: the model's weights change. With True,
        the weights and the optimizer's state are put back afterwards.

    Returns
    -------
    StepTrace

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> from descenso.trace import trace_step
    >>> model = Linear(1, 1, rng=0)
    >>> model.weight.data[...] = 1.0
    >>> trace = trace_step(model, [[1.0], [2.0]], [3.0, 5.0], loss="mse", lr=0.1)
    >>> trace.loss  # ((1 - 3)^2 + (2 - 5)^2) / 2
    6.5
    >>> trace.parameters[0].grad  # d/dw = mean(2 (w x - y) x) = (2*(-2)*1 + 2*(-3)*2) / 2
    array([[-8.]], dtype=float32)
    >>> model.weight.data  # 1 - 0.1 * (-8)
    array([[1.8]], dtype=float32)
    """
    from descenso import losses, optim

    dtype = model.parameters()[0].dtype
    X, y = np.asarray(X, dtype=dtype), np.asarray(y, dtype=dtype)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(
            f"trace_step: expected X (batch, n_features) and y with one row per sample; "
            f"got X {X.shape} and y {y.shape}"
        )
    loss_fn = losses.get(loss)
    if optimizer is None or isinstance(optimizer, str):
        optimizer = optim.get(optimizer or "sgd", model.parameters(), lr=lr)
    saved = (model.state_dict(), optimizer.state_dict()) if dry_run else None

    # Forward, with every leaf layer's output recorded on the way.
    layers: list[LayerTrace] = []
    optimizer.zero_grad()
    with _recording(model, layers):
        output = model(X)
    loss_value = loss_fn(output, y)

    # Backward, then the update; "before" is copied first because the optimizer changes weights in place.
    loss_value.backward()
    named = model.named_parameters()
    before = {name: p.data.copy() for name, p in named}
    grads = {name: np.zeros_like(p.data) if p.grad is None else p.grad.copy() for name, p in named}
    optimizer.step()
    params = [
        ParameterTrace(name, before[name], grads[name], p.data - before[name], p.data.copy())
        for name, p in named
    ]
    if saved is not None:
        model.load_state_dict(saved[0])
        optimizer.load_state_dict(saved[1])
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", "loss")
    return StepTrace(
        X,
        y,
        layers,
        output.data.copy(),
        name,
        float(loss_value.item()),
        params,
        type(optimizer).__name__,
        float(optimizer.lr),
        performed=not dry_run,
    )


class _recording:  # noqa: N801 - used like a function, in a with statement
    """Wrap each leaf module's ``forward`` (on the instance) to record its output; unwrap on exit."""

    def __init__(self, model: Any, layers: list[LayerTrace]) -> None:
        self.leaves = _leaves(model, "")
        self.layers = layers

    def __enter__(self) -> None:
        for name, module in self.leaves:
            module.forward = self._wrap(name, module, module.forward)

    def _wrap(self, name: str, module: Any, forward: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def recorded(x: Any) -> Any:
            out = forward(x)
            self.layers.append(LayerTrace(name, repr(module), np.array(out.data, copy=True)))
            return out

        return recorded

    def __exit__(self, *exc: object) -> None:
        for _, module in self.leaves:
            vars(module).pop("forward", None)  # back to the class's forward


def _leaves(module: Any, prefix: str) -> list[tuple[str, Any]]:
    children = module.named_children() if hasattr(module, "named_children") else []
    if not children:
        return [(prefix or type(module).__name__, module)]
    return [
        leaf for name, child in children for leaf in _leaves(child, f"{prefix}.{name}" if prefix else name)
    ]


# ---------------------------------------------------------------------------- terminal formatting

_MAX_ROWS, _MAX_COLS = 6, 8


def _cells(array: np.ndarray) -> tuple[list[list[str]], str]:
    """Rows of numbers in one format for the whole array (so columns align), and a note on what was cut."""
    matrix = np.atleast_2d(np.asarray(array, dtype=np.float64))
    if matrix.ndim > 2:
        matrix = matrix.reshape(matrix.shape[0], -1)
    rows, cols = matrix.shape
    shown = matrix[:_MAX_ROWS, :_MAX_COLS]
    biggest = float(np.max(np.abs(shown))) if shown.size else 0.0
    fmt = "{: .3e}" if biggest >= 1e4 or 0 < biggest < 1e-3 else "{: .4f}"  # a space for the sign
    text = [[fmt.format(v) for v in row] for row in shown]
    cut = []
    if rows > _MAX_ROWS:
        cut.append(f"{rows - _MAX_ROWS} more rows")
    if cols > _MAX_COLS:
        cut.append(f"{cols - _MAX_COLS} more columns")
    return text, (" (" + ", ".join(cut) + " not shown)") if cut else ""


def _block(title: str, array: np.ndarray) -> list[str]:
    text, cut = _cells(array)
    width = max(len(c) for row in text for c in row)
    lines = [f"  {title}  shape {tuple(np.shape(array))}{cut}"]
    return lines + ["      " + " ".join(c.rjust(width) for c in row) for row in text]


def _side_by_side(p: ParameterTrace) -> list[str]:
    """before | gradient | update | after, as four aligned column groups."""
    groups = [_cells(a)[0] for a in (p.before, p.grad, p.update, p.after)]
    widths = [max(max(len(c) for row in g for c in row), 6) for g in groups]
    names = ("before", "gradient", "update", "after")
    spans = [len(groups[0][0]) * (w + 1) - 1 for w in widths]
    header = "   ".join(name.center(span) for name, span in zip(names, spans, strict=True))
    lines = [f"  {p.name}  shape {p.before.shape}{_cells(p.before)[1]}", ("      " + header).rstrip()]
    for r in range(len(groups[0])):
        parts = [" ".join(c.rjust(w) for c in g[r]) for g, w in zip(groups, widths, strict=True)]
        lines.append("      " + " | ".join(parts))
    return lines
