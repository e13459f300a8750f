"""Gradient descent: the loss falls step by step, and the learning rate decides how well.

The notes: gradient descent uses the derivative of the loss with respect to the
weights to move them, step by step, in the direction that reduces the loss,
until a minimum is reached or a stopping criterion is met.

On a least-squares problem the curvature L of the loss is known exactly, and
theory says plain gradient descent converges for any learning rate below 2/L
(fastest near 1/L) and diverges above it. This script runs three rates:
too small (crawls), good (reaches the minimum) and too large (diverges, and
descenso stops at once with a DivergenceError that suggests a smaller rate).

With --landscape it draws what the steps walk on: the exact loss surface of a line
f(x) = w x + b over the (w, b) plane, its exact minimum, and the path of gradient
descent for four rates side by side (crawls, good, oscillates, diverges).

    python examples/02_gradient_descent.py [--quick] [--plot curves.png] [--landscape landscape.png]
"""

from __future__ import annotations

import argparse

from descenso import datasets
from descenso.linear_models import LinearRegression
from descenso.nn import Linear
from descenso.stopping import DivergenceError
from descenso.train import fit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (a few seconds)")
    parser.add_argument("--plot", metavar="PNG", help="also save the three loss curves to this file")
    parser.add_argument("--landscape", metavar="PNG", help="also save the loss landscape with the paths")
    args = parser.parse_args(argv)
    epochs = 120 if args.quick else 400

    X, y, info = datasets.load("plane", n=500, rng=0)
    exact = LinearRegression().fit(X, y)
    L = exact.lipschitz(X)  # the largest curvature of the mean squared error
    print(f"data: {info.description} (noise {info.noise}); minimum of the loss {exact.objective_:.6f}")
    print(f"curvature L = {L:.4f}: gradient descent converges for lr < 2/L = {2 / L:.4f}")

    histories = {}
    rates_tried = {"too small": 0.02 / L, "good": 1 / L, "too large": 3 / L}
    for label, lr in rates_tried.items():
        model = Linear(2, 1, rng=0)  # the same starting weights for every rate
        try:
            history = fit(model, X, y, loss="mse", optimizer="sgd", lr=lr, epochs=epochs, batch_size=None)
        except DivergenceError as error:
            print(f"lr = {lr:.4f} ({label}): DivergenceError: {error}")
            history = error.history
        else:
            gap = history.train_loss[-1] - exact.objective_
            print(
                f"lr = {lr:.4f} ({label}): loss {history.train_loss[-1]:.6f} after {len(history)} epochs "
                f"(above the minimum by {gap:.2e})"
            )
        histories[label] = history

    print("the loss falling with the good rate (full-batch gradient descent, one step per epoch):")
    good = histories["good"]
    for epoch in (1, 2, 3, 5, 10, 20, 50):
        loss, norm = good.train_loss[epoch - 1], good.grad_norm[epoch - 1]
        print(f"  epoch {epoch:3d}   loss {loss:.6f}   gradient norm {norm:.2e}")

    if args.plot:
        from descenso import viz  # optional: pip install 'descenso[plot]'

        rates = {f"lr = {lr:.3f} ({label})": histories[label] for label, lr in rates_tried.items()}
        title = f"Three learning rates, full-batch gradient descent on {len(X)} rows"
        figure = viz.runs_loss_curves(rates, title=title, loss_label="MSE on the training rows")
        print(f"wrote {viz.save(figure, args.plot)}")

    if args.landscape:
        draw_landscape(args.landscape)


def draw_landscape(png: str) -> None:
    """The exact surface of f(x) = w x + b on one feature, with four rates' paths over it."""
    import numpy as np

    from descenso import viz  # optional: pip install 'descenso[plot]'
    from descenso.landscape import two_parameter_landscape

    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, 100)
    y = 1.5 * x - 0.5 + rng.normal(0.0, 0.3, 100)
    scape = two_parameter_landscape(x, y)
    print(
        f"one feature, f(x) = w x + b: exact minimum w = {scape.minimum[0]:.4f}, b = {scape.minimum[1]:.4f}"
    )
    for path in scape.paths:
        print(
            f"  lr = {path.lr:.4f}: {path.label} "
            f"(loss {path.losses[-1]:.4g} after {len(path.points) - 1} steps)"
        )
    print(f"wrote {viz.save(viz.loss_landscape(x[:, None], y), png)}")


if __name__ == "__main__":
    main()
