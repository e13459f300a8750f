"""Architectures as JSON-able dicts: ``module.get_config()`` and ``from_config(config)``.

A config describes the architecture only; the weights travel separately as a
``state_dict`` and are loaded with ``load_state_dict``.
"""

from __future__ import annotations

from typing import Any, Callable

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
