"""``Module`` and ``Parameter``: the building blocks every layer and network is made of.

A Module holds Parameters (leaf tensors that require grad) and other Modules as
plain attributes; ``named_parameters()`` finds them by walking the attributes
in the order they were set, so names read like paths: ``layers.0.weight``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from descenso import backend
from descenso.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that a Module learns: ``requires_grad`` is always True at creation.

    Parameters
    ----------
    data : array_like
        Initial values (numbers and lists become float32; float arrays keep their dtype). Host
        values go to the default device (``"cpu"`` unless :func:`descenso.backend.default_device`
        says otherwise); device arrays stay where they are.
    dtype : {"float32", "float64"}, optional
        Convert ``data`` to this dtype.

    Notes
    -----
    Optimizers may pack parameters into one flat buffer, making ``p.data`` and
    ``p.grad`` views into it. Change values in place (``p.data[...] = v``,
    ``module.load_state_dict``); assigning a new array to ``p.data`` detaches the
    parameter from its optimizer, which then refuses to step.

    Examples
    --------
    >>> from descenso.nn import Parameter
    >>> w = Parameter([1.0, 2.0])
    >>> w.requires_grad, w.dtype
    (True, dtype('float32'))
    """

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=True, dtype=dtype)
        # Own memory: a parameter must not change when the array it came from does.
        if type(self.data) is np.ndarray and backend.default() != "cpu":
            self.data = backend.to_device(self.data, backend.default())  # a transfer is a copy
        else:
            self.data = backend.array_module(self.data).array(self.data, copy=True)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("tensor") :]


_PLAIN = frozenset({bool, int, float, str, type(None)})  # what most attributes hold: nothing to walk


def _children(value: Any, name: str) -> Sequence[tuple[str, Any]]:
    """Parameters and Modules held by one attribute (lists and tuples of modules count).

    A tuple or list, not a generator: the module tree is walked every epoch (``train()``, the
    weights' check), and most attributes hold neither, so the common answer is an empty tuple.
    """
    if isinstance(value, (Parameter, Module)):
        return ((name, value),)
    if isinstance(value, (list, tuple)):
        held = (Parameter, Module)
        return [(f"{name}.{i}", item) for i, item in enumerate(value) if isinstance(item, held)]
    return ()


def _held(value: Any) -> Sequence[Any]:
    """The Parameters and Modules of :func:`_children`, without building their names.

    ``modules()`` (so ``train()``, once an epoch in ``fit``) needs no names, and making them was
    most of its time.
    """
    if isinstance(value, (Parameter, Module)):
        return (value,)
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, (Parameter, Module))]
    return ()


class Module:
    """Base class of layers and networks: a function with learnable Parameters.

    Subclasses set Parameters and sub-Modules as attributes in ``__init__`` and
    define ``forward``; calling the module calls ``forward``.

    Attributes
    ----------
    training : bool
        True in training mode (Dropout active), False after ``eval()``.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.nn import Module, Parameter
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.factor = Parameter([2.0])
    ...     def forward(self, x):
    ...         return x * self.factor
    >>> m = Scale()
    >>> m(ds.tensor([1.0, 3.0])).data
    array([2., 6.], dtype=float32)
    >>> [name for name, _ in m.named_parameters()]
    ['factor']
    """

    training: bool

    def __init__(self) -> None:
        self.training = True

    def forward(self, x: Any) -> Tensor:
        """Compute the output for input ``x``; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, x: Any) -> Tensor:
        return self.forward(x)

    # ------------------------------------------------------------------ structure
    def named_children(self) -> list[tuple[str, Module]]:
        """Direct sub-modules with their attribute names (``layers.0``, ...)."""
        return [
            (n, v)
            for key, value in vars(self).items()
            if type(value) not in _PLAIN
            for n, v in _children(value, key)
            if isinstance(v, Module)
        ]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """Every Parameter with its dotted name, each once, in definition order.

        Examples
        --------
        >>> from descenso.nn import Linear
        >>> [n for n, _ in Linear(2, 3, rng=0).named_parameters()]
        ['weight', 'bias']
        """
        out: list[tuple[str, Parameter]] = []
        seen: set[int] = set()
        self._collect("", out, seen)
        return out

    def _collect(self, prefix: str, out: list[tuple[str, Parameter]], seen: set[int]) -> None:
        for key, value in vars(self).items():
            if type(value) in _PLAIN:
                continue
            for name, item in _children(value, key):
                if isinstance(item, Module):
                    item._collect(f"{prefix}{name}.", out, seen)
                elif id(item) not in seen:
                    seen.add(id(item))
                    out.append((prefix + name, item))

    def parameters(self) -> list[Parameter]:
        """Every Parameter, each once, in definition order (what an optimizer needs)."""
        return [p for _, p in self.named_parameters()]

    def modules(self) -> list[Module]:
        """This module and all sub-modules, depth first (each child as ``named_children()`` lists it)."""
        out: list[Module] = [self]
        for value in vars(self).values():
            if type(value) not in _PLAIN:
                for child in _held(value):
                    if isinstance(child, Module):
                        out.extend(child.modules())
        return out

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all below; return self."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout off); the same as ``train(False)``. Returns self."""
        return self.train(False)

    def to(self, device: str) -> Module:
        """Move every parameter (and its gradient) to ``device`` ("cpu", "cuda", "cuda:N"); return self.

        Notes
        -----
        Parameters keep their identity, so build the optimizer after moving: one made before
        holds the old memory and refuses to step, saying so.

        Raises
        ------
        ValueError, ImportError, RuntimeError
            For an unknown device, or "cuda" without CuPy or a visible GPU.

        Examples
        --------
        >>> from descenso.nn import Linear
        >>> Linear(2, 1, rng=0).to("cpu").weight.device
        'cpu'
        """
        backend.parse_device(device)  # a bad name fails before anything moves
        for p in self.parameters():
            p.data = backend.to_device(p.data, device)
            if p.grad is not None:
                p.grad = backend.to_device(p.grad, device)
        return self

    @property
    def device(self) -> str:
        """The device of the first parameter ("cpu" for a module without parameters)."""
        params = self.parameters()
        return params[0].device if params else "cpu"

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero, in place.

        Notes
        -----
        In place (``grad.fill(0)``) rather than ``grad = None``, so gradients that
        are views into an optimizer's flat buffer stay attached to it.
        """
        for p in self.parameters():
            if p.grad is not None:
                p.grad.fill(0)

    # ------------------------------------------------------------------ weights
    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, by name (on the parameters' device).

        Examples
        --------
        >>> from descenso.nn import Linear
        >>> {k: v.shape for k, v in Linear(2, 3, rng=0).state_dict().items()}
        {'weight': (3, 2), 'bias': (3,)}
        """
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy values into the parameters, in place, after checking every name and shape.

        Parameters
        ----------
        state : dict of str to array_like
            As returned by ``state_dict()``.
        strict : bool, default True
            Require exactly this module's names; with False, missing and unexpected
            names are ignored (shapes are still checked).

        Raises
        ------
        ValueError
            Listing the missing and unexpected names, or a name whose shape differs
            (both shapes). Nothing is changed when an error is raised.

        Notes
        -----
        Values are copied into the existing arrays (``p.data[...] = value``), so
        parameters packed into an optimizer's flat buffer stay packed; values are
        cast to each parameter's dtype.
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict expects a dict of name -> array; got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in state]
        unexpected = [n for n in state if n not in params]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: the names do not match this {type(self).__name__}. "
                f"Missing: {missing or 'none'}. Unexpected: {unexpected or 'none'}. "
                "Fix: load weights saved from the same architecture, or pass strict=False"
            )
        arrays = {}
        for name, p in params.items():
            if name not in state:
                continue
            value = state[name]
            value = value.data if isinstance(value, Tensor) else value
            value = value if hasattr(value, "shape") else np.asarray(value)
            if value.shape != p.shape:
                raise ValueError(
                    f"load_state_dict: '{name}' has shape {value.shape} in the state but {p.shape} "
                    "in the module. Fix: build the module with the architecture the weights came from"
                )
            arrays[name] = value
        for name, value in arrays.items():
            params[name].data[...] = backend.like(value, params[name].data)  # from any device

    # ------------------------------------------------------------------ description
    def get_config(self) -> dict[str, Any]:
        """A JSON-able description of the architecture; ``nn.from_config`` rebuilds it.

        Raises
        ------
        NotImplementedError
            For a user-defined module that does not define ``get_config``.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not define get_config(); define it (and register the "
            "class with descenso.nn.register) to save this module's architecture"
        )

    def extra_repr(self) -> str:
        """The arguments shown inside this module's ``repr``."""
        return ""

    def __repr__(self) -> str:
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name.rsplit('.', 1)[-1]}): {body}")
        return "\n".join(lines) + "\n)"

    def num_parameters(self) -> int:
        """Total number of learnable numbers."""
        return sum(p.size for p in self.parameters())

    def summary(self) -> str:
        """A table of the layers, their parameter shapes and counts, and the total.

        Examples
        --------
        >>> from descenso.nn import MLP
        >>> print(MLP(2, hidden=(3,), out_features=1, rng=0).summary())
        MLP: 2 -> 3 -> 1
        layer       type    parameters  shapes
        layers.0    Linear           9  weight (3, 2), bias (3,)
        layers.1    ReLU             0
        layers.2    Linear           4  weight (1, 3), bias (1,)
        total parameters: 13
        """
        rows = [("layer", "type", "parameters", "shapes")]
        for name, module in _leaf_modules(self, ""):
            own = module.named_parameters()
            shapes = ", ".join(f"{n} {p.shape}" for n, p in own)
            rows.append((name or "-", type(module).__name__, str(sum(p.size for _, p in own)), shapes))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [self._summary_title()]
        for r in rows:
            line = f"{r[0]:<{widths[0]}}    {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}"
            lines.append(line.rstrip())
        lines.append(f"total parameters: {self.num_parameters()}")
        return "\n".join(lines)

    def _summary_title(self) -> str:
        return type(self).__name__


def _leaf_modules(module: Module, prefix: str) -> list[tuple[str, Module]]:
    children = module.named_children()
    if not children:
        return [(prefix, module)]
    out = []
    for name, child in children:
        out.extend(_leaf_modules(child, f"{prefix}.{name}" if prefix else name))
    return out
