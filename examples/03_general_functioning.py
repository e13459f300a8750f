"""General functioning: one training step, value by value.

Every step of training is the same four moves, the heart of the notes:

1. forward: the network computes its prediction, layer by layer;
2. loss: the prediction is compared with the target;
3. backward: the derivative of the loss with respect to every weight;
4. update: each weight moves a little against its derivative.

This script traces one step of a tiny ReLU network on four points and prints
every number, then repeats the step to show the loss going down.

    python examples/03_general_functioning.py [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

from descenso.nn import MLP
from descenso.trace import trace_step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeated steps")
    args = parser.parse_args(argv)

    # Four points of XOR: the smallest problem a line cannot solve and a ReLU layer can.
    X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0], dtype=np.float32)
    model = MLP(2, hidden=(3,), out_features=1, rng=5)
    print(model.summary())
    print()

    trace = trace_step(model, X, y, loss="bce_with_logits", lr=0.5)
    print(trace)
    print()

    losses = [trace.loss]
    for _ in range(10 if args.quick else 50):
        losses.append(trace_step(model, X, y, loss="bce_with_logits", lr=0.5).loss)
    shown = " -> ".join(f"{value:.4f}" for value in losses[:: max(1, len(losses) // 8)])
    print(f"the loss over {len(losses)} steps of the same four moves: {shown}")
    print(f"first loss {losses[0]:.4f}, last loss {losses[-1]:.4f}")
    probabilities = 1 / (1 + np.exp(-model(X).data[:, 0]))
    print(f"P(y = 1) for the four points now: {np.round(probabilities, 3)} (targets {y})")


if __name__ == "__main__":
    main()
