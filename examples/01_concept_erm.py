"""Concept and objective: learning is choosing the function with the lowest empirical risk.

The notes define the goal of deep learning as

    theta <- argmin_theta  1/|D| sum_{(x, y) in D} loss(y, f_theta(x))

This script makes each symbol concrete on one data set D (noisy samples of y = sin x):
the risk of a few hand-picked lines, the best line found exactly and by gradient
descent (the same minimum), and a ReLU network, a richer family f_theta whose
minimum is far lower.

With --plot it draws D and the candidates: the hand-picked lines, the exact best line
and the network, each labelled with its empirical risk.

    python examples/01_concept_erm.py [--quick] [--plot risk.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from descenso import datasets
from descenso.linear_models import LinearRegression, mse_objective
from descenso.nn import MLP
from descenso.optim import Adam
from descenso.train import fit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data and fewer epochs (a few seconds)")
    parser.add_argument("--plot", metavar="PNG", help="also save D and the candidate functions to this file")
    args = parser.parse_args(argv)

    # D: the data. f_theta: a line f(x) = w x + b. loss: the squared error.
    X, y, info = datasets.load("sine", n=200 if args.quick else 1000, rng=0)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    print(f"D: {len(X)} samples of {info.description}, noise {info.noise}")
    print("the empirical risk 1/|D| sum (y - f(x))^2 of a few lines f(x) = w x + b:")
    guesses = [(0.0, 0.0), (1.0, 0.0), (0.5, 0.0), (0.3, 0.2)]
    for w, b in guesses:
        print(f"  w = {w:4.1f}  b = {b:4.1f}   risk {mse_objective([w], b, X64, y64):.4f}")

    # The argmin over all lines, exactly (least squares) and by gradient descent on the same objective.
    exact = LinearRegression().fit(X64, y64)
    w, b = exact.coef_[0], exact.intercept_
    print(f"risk of the exact minimiser: {exact.objective_:.6f} (w = {w:.4f}, b = {b:.4f})")
    descent = LinearRegression(solver="gd", epochs=200 if args.quick else 2000).fit(X64, y64)
    history = descent.history_
    print(
        f"risk reached by gradient descent: {descent.objective_:.6f} after {len(history)} steps "
        f"(gap to the exact minimum {history.optimum_gap[-1]:.2e}; {history.stop_reason})"
    )

    # A richer family: no line can follow a sine, a ReLU network can.
    network = MLP(1, hidden=(16, 16), rng=0)
    fit(
        network,
        X,
        y,
        loss="mse",
        optimizer=Adam(network.parameters(), lr=0.01),
        epochs=300 if args.quick else 1000,
        batch_size=None,
    )
    risk = float(np.mean((network(X).data[:, 0] - y) ** 2))
    print(f"risk of a ReLU network 1-16-16-1 (Adam): {risk:.6f}")
    print(
        f"the network's risk is {exact.objective_ / risk:.1f} times lower than the best line's: "
        "a better f_theta, found by the same minimisation"
    )
    if args.plot:
        candidates = [(f"line w={w:g}, b={b:g}", lambda x, w=w, b=b: w * x + b) for w, b in guesses]
        candidates.append((f"best line w={exact.coef_[0]:.3f}, b={exact.intercept_:.3f}", exact.predict))
        candidates.append(("ReLU network 1-16-16-1", lambda x: network(x.astype(np.float32)).data[:, 0]))
        draw_candidates(X64, y64, candidates, args.plot)


def draw_candidates(X: np.ndarray, y: np.ndarray, candidates: list, png: str) -> None:
    """D as points and each candidate f_theta as a curve, its empirical risk in the legend."""
    from descenso import viz  # optional: pip install 'descenso[plot]'
    from descenso.viz._canvas import _figure

    fig = _figure(7.2, 4.8)
    ax = fig.add_subplot()
    ax.scatter(X[:, 0], y, s=8, color="0.55", label="D: noisy samples of y = sin x")
    grid = np.linspace(X.min(), X.max(), 300)[:, None]
    # Okabe-Ito colours (safe for colour-blind readers); dashed for the hand-picked guesses.
    colours = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00"]
    for (name, predict), colour in zip(candidates, colours, strict=True):
        risk = float(np.mean((predict(X) - y) ** 2))
        guess = name.startswith("line")
        ax.plot(grid[:, 0], predict(grid), color=colour, linewidth=1.4 if guess else 2.6,
                linestyle="--" if guess else "-", label=f"{name}: risk {risk:.4f}")  # fmt: skip
    ax.set(xlabel="x", ylabel="y", title="Learning = choosing the f_θ of lowest empirical risk")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8.5, framealpha=0.9)
    print(f"wrote {viz.save(fig, png)}")


if __name__ == "__main__":
    main()
