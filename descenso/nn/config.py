"""Architectures as JSON-able dicts: ``module.get_config()`` and ``from_config(config)``.

A config describes the architecture only; the weights travel separately as a
``state_dict`` and are loaded with ``load_state_dict``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from descenso.creation import _dtype
from descenso.nn.activations import ACTIVATIONS
from descenso.nn.containers import Sequential
from descenso.nn.dropout import Dropout
from descenso.nn.linear import Linear
from descenso.nn.mlp import MLP
from descenso.nn.module import Module


def _sequential(config: dict[str, Any], rng: Any) -> Module:
    return Sequential(*[from_config(c, rng=rng) for c in config.get("layers", [])])


_BUILDERS: dict[str, Callable[[dict[str, Any], Any], Module]] = {
    "Linear": lambda c, rng: Linear(rng=rng, **c),
    "Dropout": lambda c, rng: Dropout(rng=rng, **c),
    "MLP": lambda c, rng: MLP(rng=rng, **c),
    "Sequential": _sequential,
}


def _activation_builder(cls: type[Module]) -> Callable[[dict[str, Any], Any], Module]:
    def build(config: dict[str, Any], rng: Any) -> Module:
        return cls(**config)

    return build


for _cls in ACTIVATIONS.values():
    _BUILDERS[_cls.__name__] = _activation_builder(_cls)


def register(name: str, builder: Callable[[dict[str, Any], Any], Module]) -> None:
    """Teach ``from_config`` a user-defined module: ``builder(config_without_type, rng) -> Module``."""
    _BUILDERS[name] = builder


def from_config(config: dict[str, Any], rng: Any = None) -> Module:
    """Rebuild a module from ``module.get_config()`` (new weights; load the saved ones after).

    Parameters
    ----------
    config : dict
        With a ``"type"`` key ("MLP", "Sequential", "Linear", "ReLU", ...).
    rng : None, int or numpy.random.Generator
        For the fresh initial weights and any Dropout masks.

    Raises
    ------
    ValueError
        For an unknown type or arguments the type does not take.

    Examples
    --------
    >>> from descenso.nn import MLP, from_config
    >>> model = MLP(3, hidden=(8,), activation="tanh", rng=0)
    >>> twin = from_config(model.get_config())
    >>> twin.load_state_dict(model.state_dict())
    >>> twin.get_config() == model.get_config()
    True
    """
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"from_config needs a dict with a 'type' key; got {config!r}")
    kind = config["type"]
    if kind not in _BUILDERS:
        raise ValueError(f"from_config: unknown module type {kind!r}; known types: {sorted(_BUILDERS)}")
    arguments = {k: v for k, v in config.items() if k != "type"}
    try:
        return _BUILDERS[kind](arguments, rng)
    except TypeError as error:
        raise ValueError(f"from_config: bad arguments for {kind}: {error}") from None


Shapes = dict[str, tuple[tuple[int, ...], str]]


def parameter_shapes(config: dict[str, Any]) -> Shapes:
    """The names, shapes and dtypes of the parameters ``from_config(config)`` builds, without building.

    A loader compares these with the tensors a file really holds before allocating any weight, so
    a small forged file that declares a huge network is refused at once.

    Parameters
    ----------
    config : dict
        An "MLP", "Sequential", "Linear", "Dropout" or activation config (``get_config()``).

    Returns
    -------
    dict of str to (tuple of int, str)
        ``state_dict`` name -> (shape, dtype name), in ``state_dict`` order.

    Raises
    ------
    ValueError
        For sizes that are not positive integers, a bad dtype, activations that do not match the
        hidden layers, or a type whose parameters cannot be told without building it (a module
        added with :func:`register`).

    Examples
    --------
    >>> from descenso.nn import MLP
    >>> parameter_shapes(MLP(3, hidden=(8,), rng=0).get_config())
    {'layers.0.weight': ((8, 3), 'float32'), 'layers.0.bias': ((8,), 'float32'), \
'layers.2.weight': ((1, 8), 'float32'), 'layers.2.bias': ((1,), 'float32')}
    """
    if not isinstance(config, dict):
        raise ValueError(f"a module config is a dict with a 'type' key; got {type(config).__name__}")
    kind = config.get("type")
    if kind == "Linear":
        shapes = _linear_shapes(config.get("in_features"), config.get("out_features"), _dtype_of(config))
        return shapes if config.get("bias", True) else {"weight": shapes["weight"]}
    if kind == "MLP":
        return _mlp_shapes(config)
    if kind == "Sequential":
        layers = config.get("layers", [])
        if not isinstance(layers, list):
            raise ValueError(f"Sequential: layers must be a list; got {type(layers).__name__}")
        return {
            f"layers.{i}.{name}": shape
            for i, layer in enumerate(layers)
            for name, shape in parameter_shapes(layer).items()
        }
    if kind == "Dropout" or kind in {cls.__name__ for cls in ACTIVATIONS.values()}:
        return {}
    raise ValueError(f"cannot tell the parameters of a {str(kind)[:40]!r} module without building it")


def _size(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r:.40}")
    return int(value)


def _dtype_of(config: dict[str, Any]) -> Any:
    """The dtype argument the builder receives: "float32" when absent, as given otherwise (None too)."""
    return config["dtype"] if "dtype" in config else "float32"


def _linear_shapes(in_features: Any, out_features: Any, dtype: Any) -> Shapes:
    fan_in, fan_out = _size(in_features, "in_features"), _size(out_features, "out_features")
    try:
        name = str(_dtype(dtype))
    except TypeError as error:
        raise ValueError(str(error)) from None
    return {"weight": ((fan_out, fan_in), name), "bias": ((fan_out,), name)}


def _mlp_shapes(config: dict[str, Any]) -> Shapes:
    hidden = config.get("hidden", [16, 16])
    hidden = [hidden] if isinstance(hidden, int) else hidden
    if not isinstance(hidden, list):
        raise ValueError(f"MLP: hidden must be a list of ints; got {type(hidden).__name__}")
    sizes = [config.get("in_features"), *hidden, config.get("out_features", 1)]
    activation = config.get("activation", "relu")
    if isinstance(activation, list) and len(activation) != len(hidden):
        raise ValueError(f"MLP: {len(activation)} activations for {len(hidden)} hidden layers")
    per_layer = 3 if config.get("dropout") else 2  # Linear, activation [, Dropout]
    shapes: Shapes = {}
    for i in range(len(sizes) - 1):
        layer = _linear_shapes(sizes[i], sizes[i + 1], _dtype_of(config))
        shapes.update({f"layers.{i * per_layer}.{name}": shape for name, shape in layer.items()})
    return shapes
