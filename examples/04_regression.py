"""Regression: predicting a number, with a line and with a ReLU network.

Friedman's benchmark function, y = 10 sin(pi x1 x2) + 20 (x3 - 1/2)^2 + 10 x4 + 5 x5
plus noise, is partly non-linear. The best line (least squares, exact) explains
part of it; a ReLU network trained by mini-batch Adam on the mean squared error,
with early stopping on a validation split, explains nearly all of it. Both are
judged on test data neither has seen.

    python examples/04_regression.py [--quick] [--plot curves.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from descenso import datasets
from descenso.linear_models import LinearRegression
from descenso.metrics import mean_squared_error, r2_score
from descenso.nn import MLP
from descenso.optim import Adam
from descenso.stopping import EarlyStopping
from descenso.train import fit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="less data and fewer epochs (a few seconds)")
    parser.add_argument("--plot", metavar="PNG", help="also save the network's loss curves to this file")
    args = parser.parse_args(argv)

    X, y, info = datasets.load("friedman", n=1000 if args.quick else 3000, rng=0)
    rng = np.random.default_rng(0)
    test = rng.permutation(len(X))[: len(X) // 5]
    train = np.setdiff1d(np.arange(len(X)), test)
    print(f"data: {info.description}, noise {info.noise}; {len(train)} training and {len(test)} test samples")

    # Standardise with the training statistics only: gradient descent works best near unit scale.
    mean, std = X[train].mean(0), X[train].std(0)
    y_mean, y_std = y[train].mean(), y[train].std()
    Z = (X - mean) / std
    t = (y - y_mean) / y_std

    line = LinearRegression().fit(Z[train], t[train])
    line_pred = line.predict(Z[test]) * y_std + y_mean
    print(
        f"linear regression (least squares): test MSE {mean_squared_error(y[test], line_pred):.4f}, "
        f"R2 {r2_score(y[test], line_pred):.4f}"
    )

    network = MLP(5, hidden=(32, 32), rng=0)
    history = fit(
        network,
        Z[train],
        t[train],
        loss="mse",
        optimizer=Adam(network.parameters(), lr=0.01),
        epochs=80 if args.quick else 400,
        batch_size=32,
        validation=0.2,
        rng=0,
        stop=[EarlyStopping(patience=15)],
    )
    net_pred = network(Z[test]).data[:, 0] * y_std + y_mean
    print(
        f"ReLU network 5-32-32-1 (Adam): test MSE {mean_squared_error(y[test], net_pred):.4f}, "
        f"R2 {r2_score(y[test], net_pred):.4f}"
    )
    print(f"training stopped after {len(history)} epochs: {history.stop_reason}")
    print(f"the noise alone has variance {info.noise**2:.2f}: no model can have a test MSE much below it")

    if args.plot:
        from descenso import viz  # optional: pip install 'descenso[plot]'

        title = f"Regression: loss per epoch\n{len(train)} training rows, 20% of them held out for validation"
        figure = viz.loss_curves(history, title=title, loss_label=viz.loss_label("mse", "regression"))
        print(f"wrote {viz.save(figure, args.plot)}")


if __name__ == "__main__":
    main()
