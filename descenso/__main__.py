"""``python -m descenso``: a short demonstration of the engine learning.

A tiny two-layer ReLU network is fitted to a noisy sine by full-batch gradient
descent; every gradient comes from ``backward()``. The loss is printed as it
falls.
"""

from __future__ import annotations

import numpy as np

import descenso as ds


def main(epochs: int = 2000, every: int = 200) -> float:
    """Train the demo network and return the final mean squared error."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(256, 1)).astype(np.float32)
    y = (np.sin(X) + 0.05 * rng.standard_normal(X.shape)).astype(np.float32)
    hidden = 32
    w1 = ds.tensor(rng.standard_normal((hidden, 1)) * np.sqrt(2.0), dtype="float32", requires_grad=True)
    b1 = ds.zeros(hidden, requires_grad=True)
    w2 = ds.tensor(rng.standard_normal((1, hidden)) / np.sqrt(hidden), dtype="float32", requires_grad=True)
    b2 = ds.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    lr = 0.02
    print("descenso demo: fit y = sin(x) with a 1-32-1 ReLU network by gradient descent")
    loss_value = float("nan")
    for epoch in range(epochs + 1):
        hidden_out = ds.relu(ds.linear(X, w1, b1))  # (256, 32)
        prediction = ds.linear(hidden_out, w2, b2)  # (256, 1)
        loss = ((prediction - y) ** 2).mean()  # the empirical risk
        for p in params:
            p.grad = None
        loss.backward()
        with ds.no_grad():
            for p in params:
                p.data -= lr * p.grad  # theta <- theta - lr * dL/dtheta
        loss_value = loss.item()
        if epoch % every == 0:
            print(f"  epoch {epoch:5d}   loss {loss_value:.5f}")
    return loss_value


if __name__ == "__main__":
    main()
