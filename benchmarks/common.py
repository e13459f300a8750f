"""Workloads shared by every implementation: the same data, initial weights and batch order.

Each implementation receives a :class:`Problem` and must train for ``epochs``
epochs visiting the batches in ``batch_order(epoch)``, starting from
``initial_weights()``, and report the final training loss on the full data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

# descenso three ways (eager; the captured step with NumPy's kernels, then with the best installed, numba's
# fused ones where descenso[fast] is there; fit) and its peers.
DESCENSO_PEERS = (
    "numpy",
    "descenso",
    "descenso_compiled_numpy",
    "descenso_compiled",
    "descenso_fit",
    "torch",
    "jax",
)


@dataclass(frozen=True)
class Workload:
    """One benchmark setting: data shape, network, loss, optimizer, batch size."""

    name: str
    description: str
    n: int
    d: int
    hidden: tuple[int, ...]
    loss: str  # "bce_with_logits" or "mse"
    optimizer: str  # "adam" or "sgd_momentum" or "gd"
    lr: float
    batch_size: int | None  # None: full batch
    epochs: int = 1
    momentum: float = 0.9
    impls: tuple[str, ...] = DESCENSO_PEERS
    extra: dict = field(default_factory=dict)


WORKLOADS = {
    "W1": Workload(
        "W1",
        "two spirals 2,000x2, MLP 2-16-16-1 ReLU, BCE-with-logits, Adam 1e-2, batch 32",
        2000,
        2,
        (16, 16),
        "bce_with_logits",
        "adam",
        1e-2,
        32,
        epochs=20,
    ),
    "W2": Workload(
        "W2",
        "100,000x32 binary, MLP 32-128-128-1, Adam 1e-3, batch 256",
        100_000,
        32,
        (128, 128),
        "bce_with_logits",
        "adam",
        1e-3,
        256,
        epochs=1,
    ),
    "W3": Workload(
        "W3",
        "50,000x256 regression, MLP 256-1024-1024-1, MSE, SGD momentum 0.9, batch 1024",
        50_000,
        256,
        (1024, 1024),
        "mse",
        "sgd_momentum",
        1e-3,
        1024,
        epochs=1,
    ),
    "W4": Workload(
        "W4",
        "1,000,000x20 linear regression, full-batch gradient descent (20 steps)",
        1_000_000,
        20,
        (),
        "mse",
        "gd",
        0.1,
        None,
        epochs=20,
        impls=(*DESCENSO_PEERS, "closed_form"),
    ),
    # Overhead-bound shapes beyond issue 8's four: per-step cost at batch 1, and a deep narrow network.
    "W6": Workload(
        "W6",
        "two spirals 2,000x2, MLP 2-16-16-1 ReLU, BCE-with-logits, Adam 1e-3, batch 1 (one sample per step)",
        2000,
        2,
        (16, 16),
        "bce_with_logits",
        "adam",
        1e-3,
        1,
        epochs=1,
    ),
    "W7": Workload(
        "W7",
        "two spirals 2,000x2, deep narrow MLP 2-(16 x 8)-1 ReLU, BCE-with-logits, Adam 1e-3, batch 32",
        2000,
        2,
        (16,) * 8,
        "bce_with_logits",
        "adam",
        1e-3,
        32,
        epochs=5,
    ),
}
TINY = {
    name: Workload(
        **{
            **w.__dict__,
            "n": min(w.n, 512),
            "d": min(w.d, 8),
            "hidden": tuple(min(h, 8) for h in w.hidden),
            "epochs": 1,
        }
    )
    for name, w in WORKLOADS.items()
}


def make_data(w: Workload) -> tuple[np.ndarray, np.ndarray]:
    """Seeded float32 data for a workload: X (n, d), y (n, 1)."""
    rng = np.random.default_rng(1234)
    if w.d == 2:  # W1, W6, W7
        t = np.sqrt(rng.random(w.n // 2)) * 3 * np.pi
        arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
        X = np.concatenate([arm, -arm]) + 0.02 * rng.standard_normal((2 * (w.n // 2), 2))
        y = np.concatenate([np.zeros(w.n // 2), np.ones(w.n // 2)])
        order = rng.permutation(len(y))
        return X[order].astype(np.float32), y[order, None].astype(np.float32)
    X = rng.standard_normal((w.n, w.d)).astype(np.float32)
    true_w = rng.standard_normal((w.d, 1)).astype(np.float32) / np.sqrt(w.d)
    signal = X @ true_w + 0.3 * np.sin(X[:, :1] * 2)
    if w.loss == "bce_with_logits":
        y = (signal + 0.2 * rng.standard_normal((w.n, 1)) > 0).astype(np.float32)
    else:
        y = (signal + 0.1 * rng.standard_normal((w.n, 1))).astype(np.float32)
    return X, y


def initial_weights(w: Workload) -> list[tuple[np.ndarray, np.ndarray]]:
    """He-initialised (weight (out, in), bias (out,)) pairs, PyTorch's layout, float32."""
    rng = np.random.default_rng(99)
    sizes = (w.d, *w.hidden, 1)
    layers = []
    for fan_in, fan_out in pairwise(sizes):
        weight = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
        layers.append((weight.astype(np.float32), np.zeros(fan_out, dtype=np.float32)))
    return layers


ORDER_SEED = 1000


def batch_order(w: Workload, epoch: int) -> list[np.ndarray]:
    """The index arrays of each batch of an epoch (identical for every implementation).

    Epoch ``e`` uses the ``e``-th permutation drawn from one generator seeded with
    ``ORDER_SEED``: exactly what ``descenso.fit(..., rng=np.random.default_rng(ORDER_SEED))``
    draws, so ``fit`` visits the same batches as the hand-written loops.
    """
    if w.batch_size is None or w.batch_size >= w.n:
        return [np.arange(w.n)]
    rng = np.random.default_rng(ORDER_SEED)
    for _ in range(epoch):
        rng.permutation(w.n)
    perm = rng.permutation(w.n)
    return [perm[i : i + w.batch_size] for i in range(0, w.n, w.batch_size)]


def full_loss(w: Workload, prediction: np.ndarray, y: np.ndarray) -> float:
    """The training objective on the full data, computed the same way for everybody."""
    z = prediction.astype(np.float64)
    t = y.astype(np.float64)
    if w.loss == "mse":
        return float(np.mean((z - t) ** 2))
    return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))
