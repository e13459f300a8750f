"""Side-by-side: descenso's estimators with default settings against scikit-learn's MLPs.

Both sides get the same fixed splits of the two real data sets that ship with
scikit-learn (breast cancer: binary, diabetes: regression), fixed seeds, and
scikit-learn's usual preprocessing (``StandardScaler`` in a pipeline; descenso
standardises inside the model). Prints test accuracy / R², fit time, and the ratios.
Not a test: run ``python -m benchmarks.estimators_vs_sklearn [--repeats N]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def _datasets():
    from sklearn.datasets import load_breast_cancer, load_diabetes

    return {"breast_cancer": (load_breast_cancer(return_X_y=True), True),
            "diabetes": (load_diabetes(return_X_y=True), False)}  # fmt: skip


def _models(classification: bool, seed: int):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from descenso.estimators import BinaryClassifier, Regressor

    ours = BinaryClassifier(random_state=seed) if classification else Regressor(random_state=seed)
    mlp = MLPClassifier(random_state=seed) if classification else MLPRegressor(random_state=seed)
    return ours, make_pipeline(StandardScaler(), mlp), ConvergenceWarning


def _timed_fit_score(model, split, ignore):
    X_train, X_test, y_train, y_test = split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ignore)  # scikit-learn's MLP stops at max_iter=200 here
        started = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - started
    return model.score(X_test, y_test), seconds


def _line(
    name: str, label: str, score_ours: float, score_theirs: float, t_ours: float, t_theirs: float
) -> str:
    scores = f"{score_ours:>9.4f} {score_theirs:>9.4f} {score_ours - score_theirs:>+7.3f}"
    times = f"{t_ours:>9.2f}s {t_theirs:>8.2f}s {t_ours / t_theirs:>9.2f}x"
    return f"{name:<14} {label:>5} {scores} {times}"


def main(repeats: int = 3) -> None:
    from sklearn.model_selection import train_test_split

    from descenso.stopping import ConvergenceWarning as OurConvergenceWarning

    header = ("data set", "split", "descenso", "sklearn", "diff", "t descenso", "t sklearn", "time ratio")
    print("{:<14} {:>5} {:>9} {:>9} {:>7} {:>10} {:>9} {:>10}".format(*header))
    for name, ((X, y), classification) in _datasets().items():
        rows = []
        for seed in range(repeats):
            stratify = y if classification else None
            split = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)
            ours, theirs, sk_warning = _models(classification, seed)
            score_ours, time_ours = _timed_fit_score(ours, split, OurConvergenceWarning)
            score_theirs, time_theirs = _timed_fit_score(theirs, split, sk_warning)
            rows.append((score_ours, score_theirs, time_ours, time_theirs))
            print(_line(name, str(seed), *rows[-1]))
        print(_line(name, "mean", *np.mean(rows, axis=0)))
    print("score: accuracy (breast_cancer) or R² (diabetes) on the held-out 25%; ratio < 1: faster")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="splits/seeds per data set")
    main(parser.parse_args().repeats)
