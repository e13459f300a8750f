"""Activation functions as Modules, and by name: ``activation("relu")``."""

from __future__ import annotations

import math
from typing import Any

from descenso.nn.module import Module
from descenso.ops.elementwise import leaky_relu, relu, sigmoid, softplus, tanh
from descenso.tensor import Tensor

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: Tensor) -> Tensor:
    """Gaussian error linear unit, tanh approximation, composed from engine primitives.

    Notes
    -----
    ``gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` — the
    approximation of ``x Phi(x)`` used by BERT and GPT-2, equal to PyTorch's
    ``gelu(x, approximate="tanh")``. Built from ``mul``, ``add`` and ``tanh``,
    so its derivative comes from theirs and needs no code of its own.

    Examples
    --------
    >>> import descenso as ds
    >>> gelu(ds.tensor([-1.0, 0.0, 1.0])).data.round(4)
    array([-0.1588,  0.    ,  0.8412], dtype=float32)
    """
    inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
    return x * 0.5 * (tanh(inner) + 1.0)


def identity(x: Tensor) -> Tensor:
    """Return ``x`` unchanged (the "no activation" choice)."""
    return x


class _Activation(Module):
    """An activation without parameters; subclasses name their function."""

    name = ""

    def get_config(self) -> dict[str, Any]:
        return {"type": type(self).__name__}


class ReLU(_Activation):
    """``max(x, 0)``. Notes: derivative 1 for ``x > 0``, else 0.

    Examples
    --------
    >>> import descenso as ds
    >>> ReLU()(ds.tensor([-1.0, 2.0])).data
    array([0., 2.], dtype=float32)
    """

    name = "relu"

    def forward(self, x: Tensor) -> Tensor:
        return relu(x)


class LeakyReLU(_Activation):
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    Parameters
    ----------
    negative_slope : float, default 0.01

    Examples
    --------
    >>> import descenso as ds
    >>> LeakyReLU(0.1)(ds.tensor([-1.0, 2.0])).data
    array([-0.1,  2. ], dtype=float32)
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"

    def get_config(self) -> dict[str, Any]:
        return {"type": "LeakyReLU", "negative_slope": self.negative_slope}


class Tanh(_Activation):
    """Hyperbolic tangent. Notes: derivative ``1 - tanh(x)^2``."""

    name = "tanh"

    def forward(self, x: Tensor) -> Tensor:
        return tanh(x)


class Sigmoid(_Activation):
    """Logistic ``1 / (1 + e^-x)``. Notes: derivative ``s (1 - s)``."""

    name = "sigmoid"

    def forward(self, x: Tensor) -> Tensor:
        return sigmoid(x)


class Identity(_Activation):
    """No activation: returns its input."""

    name = "identity"

    def forward(self, x: Tensor) -> Tensor:
        return x


class Softplus(_Activation):
    """``log(1 + e^x)``, a smooth ReLU. Notes: derivative ``sigmoid(x)``."""

    name = "softplus"

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x)


class GELU(_Activation):
    """GELU, tanh approximation (see :func:`gelu`); PyTorch's ``GELU(approximate="tanh")``."""

    name = "gelu"

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x)

    def extra_repr(self) -> str:
        return "approximate='tanh'"


ACTIVATIONS: dict[str, type[_Activation]] = {
    cls.name: cls for cls in (ReLU, LeakyReLU, Tanh, Sigmoid, Identity, Softplus, GELU)
}
# Activations after which a layer starts with He initialisation.
RELU_FAMILY = frozenset({"relu", "leaky_relu", "gelu"})


def activation(name_or_module: Any) -> Module:
    """An activation Module from its name ("relu", "tanh", ...), None ("identity"), a Module, or its
    saved config (``{"type": "LeakyReLU", "negative_slope": 0.2}``, from ``get_config()``).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    TypeError
        For anything that is neither a string, None nor a Module.

    Examples
    --------
    >>> activation("tanh")
    Tanh()
    >>> activation(None)
    Identity()
    >>> activation({"type": "LeakyReLU", "negative_slope": 0.2}).negative_slope
    0.2
    """
    if isinstance(name_or_module, Module):
        return name_or_module
    if isinstance(name_or_module, dict):
        by_type = {cls.__name__: cls for cls in ACTIVATIONS.values()}
        kind = name_or_module.get("type")
        if kind not in by_type:
            raise ValueError(
                f"unknown activation type {kind!r} in {name_or_module!r}; known types: {sorted(by_type)}"
            )
        return by_type[kind](**{k: v for k, v in name_or_module.items() if k != "type"})
    if name_or_module is None:
        return Identity()
    if not isinstance(name_or_module, str):
        raise TypeError(f"activation must be a name or a Module; got {type(name_or_module).__name__}")
    key = name_or_module.lower().replace("-", "_")
    if key in ("linear", "none"):
        key = "identity"
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name_or_module!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[key]()
