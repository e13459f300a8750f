"""A few-seed ensemble, stored as one network: the average of k MLPs is itself an MLP.

The estimators train ``k`` networks one after the other (each with its own initial weights, its own
validation rows for early stopping and its own batches) and average their outputs: raw outputs for
regression, logits for classification. Averaging removes most of the seed-to-seed variance that a
single small-data network has, and each held-out row trains the other members.

The average needs no new kind of model. Stack the members' first layers, put their inner layers on the
diagonal of one wider matrix (zeros elsewhere: no unit sees another member's units) and divide their
output rows by ``k``: the wider MLP computes exactly ``mean_j f_j(x)``. So ``predict``, ``save``,
``load`` and ``to_onnx`` work on it unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["AUTO_MAX_SAMPLES", "AUTO_MEMBERS", "n_members", "merge", "stop_reason"]

#: ``ensemble="auto"`` averages this many networks on tables of fewer than AUTO_MAX_SAMPLES rows, else 1.
AUTO_MEMBERS = 3
AUTO_MAX_SAMPLES = 10_000


def n_members(setting: Any, n_samples: int) -> int:
    """How many networks to train: ``setting`` itself, or for ``"auto"`` 3 below 10,000 rows, else 1.

    On large tables one network's variance is already small and each member costs a full fit, so
    "auto" trains one there.

    Examples
    --------
    >>> n_members("auto", 500), n_members("auto", 50_000), n_members(5, 50_000)
    (3, 1, 5)
    """
    if setting == "auto":
        return AUTO_MEMBERS if n_samples < AUTO_MAX_SAMPLES else 1
    return int(setting)


def stop_reason(histories: list[Any], runs: list[str] | None = None) -> str:
    """Why the fit ended: the one run's reason, or for several runs the count and the last run's reason.

    ``runs`` names the training runs (``"network 2/3"``). The last run is the one a progress display
    shows last, so its final line and this message agree.

    Examples
    --------
    >>> from types import SimpleNamespace as Run
    >>> stop_reason([Run(stop_reason="reached the maximum of 5 epochs")])
    'reached the maximum of 5 epochs'
    >>> runs = [Run(stop_reason="a"), Run(stop_reason="b"), Run(stop_reason="c at epoch 9")]
    >>> stop_reason(runs, ["network 1/3", "network 2/3", "network 3/3"])
    '3 training runs in turn; the last, network 3/3: c at epoch 9'
    """
    last = histories[-1].stop_reason
    if len(histories) == 1:
        return str(last)
    name = f", {runs[len(histories) - 1]}" if runs else ""
    return f"{len(histories)} training runs in turn; the last{name}: {last}"


def merge(members: list[Any]) -> Any:
    """One MLP whose output is the mean of the ``members``' outputs (MLPs of one architecture).

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import MLP
    >>> nets = [MLP(3, hidden=(4, 2), rng=seed) for seed in range(3)]
    >>> X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    >>> mean = np.mean([net(X).data for net in nets], axis=0)
    >>> merged = merge(nets)
    >>> merged.hidden
    [12, 6]
    >>> bool(np.allclose(merged(X).data, mean, atol=1e-6))
    True
    """
    from descenso.nn import MLP, Linear

    if len(members) == 1:
        return members[0]
    first = members[0]
    config = first.get_config()
    k = len(members)
    merged = MLP(
        config["in_features"],
        hidden=[k * width for width in config["hidden"]],
        out_features=config["out_features"],
        activation=config["activation"],
        dropout=config["dropout"],
        rng=0,
        dtype=config["dtype"],
    )
    layers = [[layer for layer in net.layers if isinstance(layer, Linear)] for net in members]
    targets = [layer for layer in merged.layers if isinstance(layer, Linear)]
    last = len(targets) - 1
    for depth, target in enumerate(targets):
        weights = [member[depth].weight.data for member in layers]
        biases = [_bias(member[depth]) for member in layers]
        if depth == last:  # every member's units feed the one output, each with weight 1/k
            weight = np.mean(weights, axis=0) if depth == 0 else np.concatenate(weights, axis=1) / k
            bias = np.mean(biases, axis=0)
        elif depth == 0:  # the inputs are shared: stack the members' units
            weight, bias = np.concatenate(weights, axis=0), np.concatenate(biases)
        else:  # inner layers: block-diagonal, so member j's units see only member j's units
            weight, bias = _block_diagonal(weights), np.concatenate(biases)
        target.weight.data[...] = weight
        if target.bias is not None:
            target.bias.data[...] = bias
    return merged


def _bias(layer: Any) -> np.ndarray:
    return layer.bias.data if layer.bias is not None else np.zeros(layer.out_features, layer.weight.dtype)


def _block_diagonal(blocks: list[np.ndarray]) -> np.ndarray:
    rows = sum(b.shape[0] for b in blocks)
    cols = sum(b.shape[1] for b in blocks)
    out = np.zeros((rows, cols), dtype=blocks[0].dtype)
    r = c = 0
    for block in blocks:
        out[r : r + block.shape[0], c : c + block.shape[1]] = block
        r, c = r + block.shape[0], c + block.shape[1]
    return out
