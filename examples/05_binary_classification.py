"""Binary classification: deciding between two classes, with a line and with a ReLU network.

The model outputs a logit z; sigmoid(z) is the probability of class 1, and the
loss is the binary cross-entropy computed from the logit (stable for any z).
On two interleaving half-moons the best linear boundary (logistic regression,
solved exactly by Newton's method) misclassifies the tips of the moons; a ReLU
network bends its boundary around them.

    python examples/05_binary_classification.py [--quick] [--plot boundary.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from descenso import datasets
from descenso.linear_models import LogisticRegression
from descenso.metrics import accuracy_score, confusion_matrix
from descenso.nn import MLP
from descenso.optim import Adam
from descenso.stopping import EarlyStopping
from descenso.train import fit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="less data and fewer epochs (a few seconds)")
    parser.add_argument(
        "--plot", metavar="PNG", help="also save the network's decision boundary to this file"
    )
    args = parser.parse_args(argv)

    X, y, info = datasets.load("moons", n=1000 if args.quick else 4000, noise=0.2, rng=0)
    test = np.random.default_rng(0).permutation(len(X))[: len(X) // 5]
    train = np.setdiff1d(np.arange(len(X)), test)
    print(f"data: {info.description}, noise 0.2; {len(train)} training and {len(test)} test samples")

    logistic = LogisticRegression().fit(X[train], y[train])
    line_accuracy = accuracy_score(y[test], logistic.predict(X[test]))
    print(f"logistic regression (Newton, exact): test accuracy {line_accuracy:.4f}")

    network = MLP(2, hidden=(16, 16), rng=0)
    history = fit(
        network,
        X[train],
        y[train],
        loss="bce_with_logits",
        optimizer=Adam(network.parameters(), lr=0.01),
        epochs=60 if args.quick else 200,
        batch_size=64,
        validation=0.2,
        rng=0,
        metrics=["accuracy"],
        stop=[EarlyStopping(monitor="val_loss", patience=20)],
    )
    logits = network(X[test]).data[:, 0]
    probability = 1 / (1 + np.exp(-logits))
    net_accuracy = accuracy_score(y[test], (logits > 0).astype(np.float32))
    print(f"ReLU network 2-16-16-1 (Adam, BCE from logits): test accuracy {net_accuracy:.4f}")
    print(f"training: {history.stop_reason}")
    print("confusion matrix on the test set (rows: true 0/1, columns: predicted 0/1):")
    print(confusion_matrix(y[test], (logits > 0).astype(np.float32)))
    print(
        "three test points, P(class 1) and the truth:",
        ", ".join(f"{p:.3f}/{int(t)}" for p, t in zip(probability[:3], y[test][:3], strict=True)),
    )

    if args.plot:
        from descenso import viz  # optional: pip install 'descenso[plot]'

        def predict_proba(points: np.ndarray) -> np.ndarray:
            return 1 / (1 + np.exp(-network(points.astype(np.float32)).data[:, 0]))

        title = f"ReLU network on the moons: test split, {len(test)} rows"
        figure = viz.decision_boundary(predict_proba, X[test], y[test], title=title)
        print(f"wrote {viz.save(figure, args.plot)}")


if __name__ == "__main__":
    main()
