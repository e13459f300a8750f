"""``MLP``: the multilayer perceptron of the course notes, a Sequential of Linear layers."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.nn.activations import RELU_FAMILY
from descenso.nn.activations import activation as make_activation
from descenso.nn.containers import Sequential
from descenso.nn.dropout import Dropout
from descenso.nn.init import as_generator
from descenso.nn.linear import Linear
from descenso.nn.module import Module


class MLP(Sequential):
    """Multilayer perceptron: ``Linear -> activation [-> Dropout]`` per hidden layer, then ``Linear``.

    Parameters
    ----------
    in_features : int
        Number of input features.
    hidden : sequence of int, default (16, 16)
        Width of each hidden layer; ``()`` gives a linear model.
    out_features : int, default 1
        Number of outputs. There is no final activation: for binary
        classification the output is a logit (use ``bce_with_logits``).
    activation : str, Module, or a list of them (one per hidden layer), default "relu"
        "relu", "leaky_relu", "tanh", "sigmoid", "identity", "softplus" or "gelu".
    dropout : float in [0, 1), default 0.0
        Dropout probability after each hidden activation (0: no Dropout layers).
    rng : None, int or numpy.random.Generator
        Source of initial weights and dropout masks.
    dtype : {"float32", "float64"}, default "float32"

    Raises
    ------
    ValueError
        For non-positive sizes, or a list of activations whose length is not ``len(hidden)``.

    Notes
    -----
    Layers followed by a ReLU-family activation (relu, leaky_relu, gelu) start
    with He-normal weights, the others (and the output layer) with Glorot-uniform
    weights; biases start at zero.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.nn import MLP
    >>> model = MLP(2, hidden=(16, 16), out_features=1, rng=0)
    >>> model(ds.ones(32, 2)).shape
    (32, 1)
    >>> model.num_parameters()
    337
    """

    def __init__(
        self,
        in_features: int,
        hidden: Any = (16, 16),
        out_features: int = 1,
        activation: Any = "relu",
        dropout: float = 0.0,
        rng: Any = None,
        dtype: Any = "float32",
    ) -> None:
        hidden = [hidden] if isinstance(hidden, (int, np.integer)) else list(hidden)
        for width in hidden:
            if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
                raise ValueError(f"MLP: hidden sizes must be positive ints; got hidden={hidden!r}")
        if isinstance(activation, (list, tuple)):
            if len(activation) != len(hidden):
                raise ValueError(
                    f"MLP: got {len(activation)} activations for {len(hidden)} hidden layers; "
                    "give one per hidden layer, or a single name for all"
                )
            specs = list(activation)
        else:
            specs = [activation] * len(hidden)
        gen = as_generator(rng)
        layers: list[Module] = []
        sizes = [in_features, *hidden]
        for fan_in, fan_out, spec in zip(sizes[:-1], sizes[1:], specs, strict=True):
            act = make_activation(spec)  # a name, a Module or a saved config
            init = "he" if getattr(act, "name", "") in RELU_FAMILY else "glorot"
            layers += [Linear(fan_in, fan_out, init=init, rng=gen, dtype=dtype), act]
            if dropout:
                layers.append(Dropout(dropout, rng=gen))
        layers.append(Linear(sizes[-1], out_features, init="glorot", rng=gen, dtype=dtype))
        super().__init__(*layers)
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.hidden = [int(h) for h in hidden]
        self.dropout = float(dropout)
        self.dtype = np.dtype(dtype)

    def get_config(self) -> dict[str, Any]:
        """``{"type": "MLP", "in_features", "hidden", "out_features", "activation", "dropout", "dtype"}``."""
        activations = [layer for layer in self.layers[:-1] if not isinstance(layer, (Linear, Dropout))]
        configs = [a.get_config() for a in activations]
        simple = all(c == {"type": type(a).__name__} for a, c in zip(activations, configs, strict=True))
        names = [getattr(a, "name", "") for a in activations]
        if simple and len(set(names)) == 1:
            activation: Any = names[0]
        else:
            activation = [n if simple else c for n, c in zip(names, configs, strict=True)]
        if not activations:
            activation = "relu"
        return {
            "type": "MLP",
            "in_features": self.in_features,
            "hidden": list(self.hidden),
            "out_features": self.out_features,
            "activation": activation,
            "dropout": self.dropout,
            "dtype": str(self.dtype),
        }

    def _summary_title(self) -> str:
        return "MLP: " + " -> ".join(str(n) for n in [self.in_features, *self.hidden, self.out_features])
