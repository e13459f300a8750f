"""General functioning: one training step, value by value.

Every step of training is the same four moves, the heart of the notes:

1. forward: the network computes its prediction, layer by layer;
2. loss: the prediction is compared with the target;
3. backward: the derivative of the loss with respect to every weight;
4. update: each weight moves a little against its derivative.

This script traces one step of a tiny ReLU network on four points and prints
every number, then repeats the step to show the loss going down. With --plot it
draws the first step's backward and update for every weight (the update is -lr times
the gradient), beside the loss over the repeated steps.

    python examples/03_general_functioning.py [--quick] [--plot step.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from descenso.nn import MLP
from descenso.trace import trace_step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeated steps")
    parser.add_argument(
        "--plot", metavar="PNG", help="also save the first step and the loss curve to this file"
    )
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
    if args.plot:
        draw_step(trace, losses, args.plot)


def draw_step(trace, losses: list[float], png: str) -> None:
    """Left: each weight's gradient and the update it got in the first step. Right: the loss per step."""
    from descenso import viz  # optional: pip install 'descenso[plot]'
    from descenso.viz._canvas import _figure

    names, grads, updates = [], [], []
    for p in trace.parameters:
        for index in np.ndindex(p.grad.shape):
            names.append(f"{p.name}[{','.join(map(str, index))}]")
            grads.append(float(p.grad[index]))
            updates.append(float(p.update[index]))
    fig = _figure(10.0, 5.2)
    left, right = fig.subplots(1, 2, width_ratios=[1.3, 1])
    rows = np.arange(len(names))
    # Okabe-Ito blue and orange: distinguishable for colour-blind readers.
    left.barh(rows - 0.2, grads, height=0.4, color="#0072B2", label="backward: ∂L/∂θ")
    left.barh(rows + 0.2, updates, height=0.4, color="#E69F00", label=f"update: Δθ = −{trace.lr:g} · ∂L/∂θ")
    left.set_yticks(rows, names, fontsize=8)
    left.invert_yaxis()
    left.axvline(0.0, color="black", linewidth=0.8)
    left.set(xlabel="value", title="One step: the derivative of every weight, then its update")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=9)
    left.grid(axis="x", alpha=0.3)
    right.plot(np.arange(len(losses)), losses, marker="o", color="#0072B2")
    right.set(xlabel="step (forward, loss, backward, update)", ylabel=f"loss ({trace.loss_name})",
              title="The same four moves, repeated")  # fmt: skip
    right.grid(alpha=0.3)
    print(f"wrote {viz.save(fig, png)}")


if __name__ == "__main__":
    main()
