"""``Sequential``: modules applied one after another."""

from __future__ import annotations

from typing import Any

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
        for layer in self.layers:
            x = layer(x)
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
