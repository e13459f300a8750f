"""Neural-network building blocks: Module, Parameter, layers, activations, MLP.

Examples
--------
>>> import descenso as ds
>>> from descenso import nn
>>> model = nn.MLP(2, hidden=(8,), rng=0)
>>> model(ds.ones(4, 2)).shape
(4, 1)
"""

from descenso.nn import init
from descenso.nn.activations import (
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softplus,
    Tanh,
    activation,
    gelu,
)
from descenso.nn.config import from_config, parameter_shapes, register
from descenso.nn.containers import Sequential
from descenso.nn.dropout import Dropout
from descenso.nn.linear import Linear
from descenso.nn.mlp import MLP
from descenso.nn.module import Module, Parameter

__all__ = [
    "GELU", "MLP", "Dropout", "Identity", "LeakyReLU", "Linear", "Module", "Parameter", "ReLU",
    "Sequential", "Sigmoid", "Softplus", "Tanh", "activation", "from_config", "gelu", "init",
    "parameter_shapes", "register",
]  # fmt: skip
