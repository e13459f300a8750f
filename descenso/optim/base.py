"""``Optimizer``: the base class of every update rule ``theta <- theta - lr * direction``.

A subclass names its per-parameter state buffers and writes its rule twice:
``_update_one`` reads like the math and works on one parameter at a time (the
reference, used when the parameters cannot be packed, e.g. mixed dtypes), and
``_update_flat`` does the same arithmetic, in the same order, in place over one
flat vector holding every parameter. The tests check both give identical numbers.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from typing import Any, Iterable

import numpy as np

from descenso.backend import array_module, like
from descenso.optim.flat import FlatParameters
from descenso.tensor import Tensor


def check_number(
    owner: str,
    name: str,
    value: Any,
    low: float = 0.0,
    high: float = math.inf,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """``value`` as a float in ``[low, high]`` (or ``[low, high)``), else a ValueError saying the fix."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    value_f = float(value) if ok else math.nan
    inside = low <= value_f <= high and not (high_open and value_f == high)
    if not ok or not inside or math.isnan(value_f):
        interval = f"[{low}, {high})" if high_open else f"[{low}, {high}]"
        raise ValueError(f"{owner}: {name} must be a number in {interval}; got {value!r}. {hint}".rstrip())
    return value_f


class Optimizer:
    """Base class: holds the parameters, the learning rate, the step count and the state buffers.

    Parameters
    ----------
    params : iterable of Parameter
        What to optimise, e.g. ``model.parameters()``.
    lr : float >= 0
        Learning rate; read and write ``optimizer.lr`` at any time (takes effect next step).
    flat : bool, default True
        Pack the parameters into one contiguous buffer when they share a dtype
        (``p.data`` and ``p.grad`` become views into it). False keeps them
        apart and uses the per-parameter reference update.

    Notes
    -----
    A parameter whose ``.grad`` is None is updated as if its gradient were zero
    (momentum and weight decay still act on it); PyTorch would skip it.
    After packing, replacing ``p.data`` with a new array makes ``step()`` raise a
    RuntimeError; change values in place instead.
    """

    _state_names: tuple[str, ...] = ()
    _hyper_names: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Any], lr: float, flat: bool = True) -> None:
        self.params = _parameter_list(type(self).__name__, params)
        self.lr = lr
        self.steps = 0
        dtypes = {p.dtype for p in self.params}
        self.packed: FlatParameters | None = (
            FlatParameters(self.params) if flat and len(dtypes) == 1 else None
        )
        self._flat_state: dict[str, np.ndarray] = {}
        self.state: dict[str, list[np.ndarray]] = {}
        for name in self._state_names:
            if self.packed is not None:
                self._flat_state[name] = array_module(self.packed.data).zeros_like(self.packed.data)
                self.state[name] = self.packed.views(self._flat_state[name])
            else:
                self.state[name] = [array_module(p.data).zeros_like(p.data) for p in self.params]
        # Scratch space for the flat update, allocated once (on the parameters' device).
        self._work = (
            array_module(self.packed.data).empty((2, self.packed.data.size), self.packed.data.dtype)
            if self.packed
            else None
        )

    @property
    def lr(self) -> float:
        """The learning rate used by the next ``step()``."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_number(
            type(self).__name__, "lr", value, hint="Fix: pass a non-negative learning rate, e.g. lr=0.01"
        )

    def step(self) -> None:
        """Apply one update to every parameter from its current ``.grad``."""
        if self.packed is not None:
            self.packed.sync(type(self).__name__)
            assert self._work is not None
            self.steps += 1
            self._update_flat(self.packed.data, self.packed.grad, self._flat_state, self._work)
            return
        self.steps += 1
        for i, p in enumerate(self.params):
            grad = p.grad if p.grad is not None else array_module(p.data).zeros_like(p.data)
            self._update_one(p.data, grad, {name: self.state[name][i] for name in self._state_names})

    def zero_grad(self) -> None:
        """Set every gradient to zero (one ``fill(0)`` when packed)."""
        if self.packed is not None:
            self.packed.sync(type(self).__name__)  # first: a replaced .grad is re-attached, then zeroed
            self.packed.grad.fill(0)
            return
        for p in self.params:
            if p.grad is not None:
                p.grad.fill(0)

    def _update_one(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def _update_flat(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray], work: np.ndarray
    ) -> None:
        raise NotImplementedError

    def update_rule(self) -> str:
        """The update rule, as the Notes of this class's docstring (and its parents') state it.

        Returns
        -------
        str
            The ``::`` blocks of the docstrings' Notes, most specific class first, one line per
            line of math; empty for a class that states none.

        Examples
        --------
        >>> import descenso as ds
        >>> from descenso.optim import Adam
        >>> print(Adam([ds.tensor([1.0], requires_grad=True)]).update_rule().splitlines()[1])
        m <- beta1 m + (1 - beta1) g
        """
        blocks = [_literal_block(vars(cls).get("__doc__") or "") for cls in type(self).__mro__]
        return "\n".join(block for block in blocks if block)

    # ------------------------------------------------------------------ saving and resuming
    def hyperparameters(self) -> dict[str, Any]:
        """The settings (lr included) as a JSON-able dict."""
        out: dict[str, Any] = {"lr": self.lr}
        for name in self._hyper_names:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly: type, hyperparameters, step count, buffer copies.

        Returns
        -------
        dict
            ``{"type", "hyperparameters", "steps", "state": {"<buffer>.<param index>": array}}``.
        """
        arrays = {
            f"{name}.{i}": buffer.copy()
            for name in self._state_names
            for i, buffer in enumerate(self.state[name])
        }
        return {
            "type": type(self).__name__,
            "hyperparameters": self.hyperparameters(),
            "steps": self.steps,
            "state": arrays,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` saved, copying buffers in place.

        Raises
        ------
        ValueError
            If the state is from another optimizer type or for parameters of other shapes.
        """
        owner = type(self).__name__
        if state.get("type") != owner:
            raise ValueError(f"load_state_dict: this state is for {state.get('type')!r}, not {owner}")
        arrays = state.get("state", {})
        expected = {
            f"{name}.{i}": buffer for name in self._state_names for i, buffer in enumerate(self.state[name])
        }
        if set(arrays) != set(expected):
            raise ValueError(
                f"{owner}.load_state_dict: buffers {sorted(arrays)} do not match this optimizer's "
                f"{sorted(expected)}; was it saved for a model with other parameters?"
            )
        for key, buffer in expected.items():
            value = arrays[key]
            shape = value.shape if hasattr(value, "shape") else np.shape(value)  # any device's array
            if shape != buffer.shape:
                raise ValueError(
                    f"{owner}.load_state_dict: '{key}' has shape {shape}, expected {buffer.shape}"
                )
        hyper = dict(state.get("hyperparameters", {}))
        self.lr = hyper.pop("lr", self.lr)
        for name, value in hyper.items():
            setattr(self, name, tuple(value) if isinstance(value, list) else value)
        self._validate()
        for key, buffer in expected.items():
            buffer[...] = like(arrays[key], buffer)  # saved on the host: back to the buffer's device
        self.steps = int(state.get("steps", 0))

    def _validate(self) -> None:
        """Check the hyperparameters (subclasses); raise ValueError with the fix."""

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({settings})"


def _literal_block(docstring: str) -> str:
    """The indented lines after the first ``::`` of a docstring's Notes section, dedented."""
    lines = inspect.cleandoc(docstring).splitlines()
    notes = lines.index("Notes") if "Notes" in lines else len(lines)
    start = next((i for i in range(notes, len(lines)) if lines[i].rstrip().endswith("::")), None)
    if start is None:
        return ""
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith(" "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip("\n")


def _parameter_list(owner: str, params: Iterable[Any]) -> list[Tensor]:
    if isinstance(params, Tensor):
        raise TypeError(
            f"{owner}: params must be an iterable of parameters, e.g. model.parameters(); "
            "got a single Tensor (wrap it in a list)"
        )
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"{owner}: params must be an iterable of parameters, e.g. model.parameters(); "
            f"got {type(params).__name__}"
        ) from None
    out: list[Tensor] = []
    seen: set[int] = set()
    for i, p in enumerate(items):
        if not isinstance(p, Tensor) or not p.is_leaf:
            raise TypeError(f"{owner}: params[{i}] is {type(p).__name__}; expected a leaf Tensor/Parameter")
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    if not out:
        raise ValueError(f"{owner}: got an empty parameter list; pass model.parameters()")
    return out
