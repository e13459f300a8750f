"""``Sequential``: modules applied one after another."""

from __future__ import annotations

from typing import Any

from descenso.nn.activations import ReLU
from descenso.nn.linear import Linear
from descenso.nn.module import Module
from descenso.tensor import Tensor


class Sequential(Module):
    """Apply ``modules`` in order: ``y = m_k(... m_2(m_1(x)))``.

    Parameters
    ----------
    *modules : Module
        The layers; their parameters are named ``layers.<index>.<name>``.

    Raises
    ------
    TypeError
        If an argument is not a Module.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.nn import Linear, ReLU, Sequential
    >>> net = Sequential(Linear(2, 4, rng=0), ReLU(), Linear(4, 1, rng=1))
    >>> net(ds.ones(5, 2)).shape
    (5, 1)
    >>> [n for n, _ in net.named_parameters()][:2]
    ['layers.0.weight', 'layers.0.bias']
    >>> len(net), type(net[1]).__name__
    (3, 'ReLU')
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {i} is a {type(module).__name__}, not a Module; "
                    "wrap functions in a Module or use nn.activation('relu')"
                )
        self.layers: list[Module] = list(modules)

    def forward(self, x: Any) -> Tensor:
        """Each layer in turn; a ``Linear`` directly followed by a ``ReLU`` runs as one fused node.

        Notes
        -----
        The pair becomes :func:`descenso.ops.linear_relu`, which gives the same
        values and gradients in one graph node with the ReLU applied in place
        (exact classes only, and only while neither has its ``forward`` replaced
        on the instance, as ``descenso.trace_step`` does to watch each layer).
        """
        layers = self.layers
        last = len(layers) - 1
        i = 0
        while i <= last:
            layer = layers[i]
            if (
                i < last
                and type(layer) is Linear
                and type(layers[i + 1]) is ReLU
                and _plain(layer, layers[i + 1])
            ):
                x = layer._forward_relu(x)
                i += 2
            else:
                x = layer(x)
                i += 1
        return x

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __iter__(self) -> Any:
        return iter(self.layers)

    def get_config(self) -> dict[str, Any]:
        """``{"type": "Sequential", "layers": [each layer's config]}``."""
        return {"type": "Sequential", "layers": [layer.get_config() for layer in self.layers]}


def _plain(first: Module, second: Module) -> bool:
    """No instance-level ``forward`` override (a tracer or a user's hook) on either module."""
    return "forward" not in first.__dict__ and "forward" not in second.__dict__
