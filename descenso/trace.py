"""A trace of one gradient-descent step, value by value: the notes' "general functioning".

A step is four things: the forward pass (each layer's output), the loss, the
backward pass (the gradient of the loss for every parameter) and the update
the optimizer applies. :func:`trace_step` performs one step on a small batch
and keeps all four; ``print(trace)`` shows them as aligned tables in a terminal.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from descenso._trace_table import MAX_ROWS, matrix, number, table, terminal_width

__all__ = ["LayerTrace", "ParameterTrace", "StepTrace", "trace_step"]


@dataclass
class LayerTrace:
    """One layer's forward pass: its dotted name, description, and output values."""

    name: str
    description: str
    output: np.ndarray


@dataclass
class ParameterTrace:
    """One parameter in the step: value before, gradient, the optimizer's state, update, value after.

    ``state`` holds the optimizer's buffers for this parameter after the step, by their names in
    the update rule (Adam's ``m`` and ``v``, momentum's ``b``); empty for plain gradient descent.
    """

    name: str
    before: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    after: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class StepTrace:
    """Everything one step computed; ``str()`` lays it out for a terminal.

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
    feature_names : list of str
        The input's column names (``x1, x2, ...`` when none were given).
    update_rule : str
        The optimizer's update rule, as its docstring states it.
    settings : str
        The optimizer with its hyperparameters, e.g. ``Adam(lr=0.001, betas=[0.9, 0.999], ...)``.
    step : int
        Which step of the optimizer this was (1 for a new optimizer; Adam's ``t``).
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
    feature_names: list[str] = field(default_factory=list)
    update_rule: str = ""
    settings: str = ""
    step: int = 1

    def __str__(self) -> str:
        return self.format()

    def format(self, width: int | None = None) -> str:
        """The trace as text no wider than ``width`` (default: the terminal's, ``COLUMNS`` if set)."""
        width = terminal_width(width)
        kept = "applied" if self.performed else "computed, then undone (dry run)"
        names = self.feature_names or [f"x{j + 1}" for j in range(self.input.shape[1])]
        samples = [str(i + 1) for i in range(len(self.input))]
        same_size = self.target.size == self.output.size
        target = self.target.reshape(self.output.shape) if same_size else self.target
        lines = [
            *textwrap.wrap(f"One gradient-descent step on a batch of {len(self.input)} samples "
                           f"({self.optimizer}, lr={self.lr:g}); update {kept}", width),
            "",
            *textwrap.wrap("1. forward: each layer's output (a row per sample, a column per feature or "
                           "unit)", width, subsequent_indent="   "),
            *matrix("input", self.input, width, names, samples),
            *[line for layer in self.layers
              for line in matrix(f"{layer.name}  {layer.description}", layer.output, width, None, samples)],
            *matrix("target", target, width, None, samples),
            "",
            f"2. loss: {self.loss_name} = {self.loss:.6g}",
            "",
            *textwrap.wrap("3. backward: the gradient of the loss for every parameter (a row per unit)",
                           width, subsequent_indent="   "),
            *[line for p in self.parameters
              for line in matrix(p.name, p.grad, width, self._columns(p, names))],
            "",
            *self._update_lines(names, width),
        ]  # fmt: skip
        return "\n".join(lines)

    def _columns(self, p: ParameterTrace, names: list[str]) -> list[str] | None:
        """A weight's columns are the inputs' names when it is the one that reads the input."""
        first = next((q for q in self.parameters if q.grad.ndim == 2), None)
        return names if p is first and p.grad.shape[1] == len(names) else None

    def _update_lines(self, names: list[str], width: int) -> list[str]:
        lines = textwrap.wrap(f"4. update: the change {self.settings or self.optimizer} makes at its "
                              f"step t={self.step}, by its rule", width, subsequent_indent="   ")  # fmt: skip
        for line in self.update_rule.splitlines():
            lines += textwrap.wrap(line, width, initial_indent="     ", subsequent_indent="         ")
        symbols = sorted({s for p in self.parameters for s in p.state})
        if symbols:
            lines += textwrap.wrap(f"({', '.join(symbols)}: {self.optimizer}'s state after this step)", width,
                                   initial_indent="   ", subsequent_indent="   ")  # fmt: skip
        for p in self.parameters:
            lines += _update_table(p, self._columns(p, names), width)
        return lines


def trace_step(
    model: Any,
    X: Any,
    y: Any,
    loss: str | Callable[..., Any] = "mse",
    optimizer: Any = None,
    lr: float = 0.1,
    dry_run: bool = False,
    feature_names: list[str] | None = None,
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
    feature_names : list of str, optional
        The input's column names, to label the printout (default ``x1, x2, ...``).

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
    state_before = {name: _buffers(optimizer, p) for name, p in named}
    optimizer.step()
    params = [
        ParameterTrace(name, before[name], grads[name],
                       _rule_update(optimizer, before[name], grads[name], state_before[name]),
                       p.data.copy(),
                       {_SYMBOLS.get(k, k): v for k, v in _buffers(optimizer, p).items()})
        for name, p in named
    ]  # fmt: skip
    rule, settings, step = optimizer.update_rule(), repr(optimizer), optimizer.steps
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
        feature_names=list(feature_names) if feature_names is not None else [],
        update_rule=rule,
        settings=settings,
        step=step,
    )


# The optimizers' state buffers, by the symbols their update rules use.
_SYMBOLS = {"exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "v_hat", "momentum_buffer": "b",
            "square_avg": "v", "grad_avg": "mu"}  # fmt: skip


def _buffers(optimizer: Any, param: Any) -> dict[str, np.ndarray]:
    """Copies of the optimizer's state buffers for ``param``, by the optimizer's names for them."""
    index = next((i for i, q in enumerate(optimizer.params) if q is param), None)
    if index is None:
        return {}
    return {name: np.array(buffers[index], copy=True) for name, buffers in optimizer.state.items()}


def _rule_update(
    optimizer: Any, before: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]
) -> np.ndarray:
    """The change the optimizer's rule makes at the step it just took, redone in float64 on copies.

    Redone because ``after - before`` in float32 rounds a change far smaller than the weight to 0.
    """
    param = before.astype(np.float64)
    buffers = {name: value.astype(np.float64) for name, value in state.items()}
    optimizer._update_one(param, grad.astype(np.float64), buffers)  # the rule, at optimizer.steps
    return param - before


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


def _update_table(p: ParameterTrace, columns: list[str] | None, width: int) -> list[str]:
    """One row per entry (the MAX_ROWS with the largest gradient): before, gradient, state, update, after."""
    order = np.argsort(-np.abs(p.grad.ravel()), kind="stable")[:MAX_ROWS]
    shown = "every entry" if p.grad.size <= MAX_ROWS else f"the {len(order)} with the largest |gradient|"
    labels = []
    for flat in order:
        index = np.unravel_index(flat, p.grad.shape)
        parts = [str(i) for i in index]
        if columns is not None and len(index) == 2:
            parts[1] = columns[index[1]]
        labels.append("[" + ", ".join(parts) + "]")
    arrays = {"before": p.before, "gradient": p.grad, **p.state, "update": p.update, "after": p.after}
    cells = [[number(float(a.ravel()[flat])) for a in arrays.values()] for flat in order]
    return table(f"{p.name}  shape {p.before.shape}: {shown}", labels, list(arrays), cells, width)
