"""What each hidden layer of a ``Sequential`` network outputs: for the doctor and the unit maps."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.grad_mode import no_grad
from descenso.nn.activations import _Activation
from descenso.nn.containers import Sequential
from descenso.nn.dropout import Dropout
from descenso.nn.linear import Linear
from descenso.nn.module import Module


def hidden_activations(model: Module, X: Any) -> list[tuple[str, str, np.ndarray]]:
    """Each hidden activation layer's output on ``X``, layer by layer, in evaluation mode.

    Parameters
    ----------
    model : Sequential (or MLP)
        The layers are run one at a time (no fusion), which gives the same values as ``model(X)``.
    X : array_like, shape (n_samples, in_features)

    Returns
    -------
    list of (name, activation, values)
        One entry per activation module, e.g. ``("layers.1", "relu", array of shape (n, units))``.
        A model that is not a ``Sequential`` gives an empty list: its layers cannot be walked.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import MLP
    >>> layers = hidden_activations(MLP(2, (4, 3), rng=0), np.ones((5, 2)))
    >>> [(name, kind, out.shape) for name, kind, out in layers]
    [('layers.1', 'relu', (5, 4)), ('layers.3', 'relu', (5, 3))]
    """
    if not isinstance(model, Sequential):
        return []
    was_training = model.training
    model.eval()
    outputs = []
    try:
        with no_grad():
            params = model.parameters()
            x: Any = np.asarray(X, dtype=params[0].dtype if params else np.float32)
            for index, layer in enumerate(model.layers):
                x = layer(x)
                if isinstance(layer, _Activation) and index < len(model.layers) - 1:
                    kind = getattr(layer, "name", "") or type(layer).__name__.lower()
                    outputs.append((f"layers.{index}", kind, np.asarray(x.data)))
                elif not isinstance(layer, (Linear, Dropout, _Activation)):
                    return []  # a custom block: its inside is not ours to name
    finally:
        model.train(was_training)
    return outputs
