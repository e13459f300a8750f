"""What each rank runs in the estimator tests: ``mpiexec -n N python estimator_ranks.py OUT [bad]``.

A Regressor with ``random_state=None`` (each rank would draw its own seed) and a BinaryClassifier
with an int seed, both ``distributed=True``; each rank saves its predictions and seed.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

from descenso.estimators import BinaryClassifier, Regressor
from descenso.stopping import ConvergenceWarning

SETTINGS = {
    "hidden": (16,),
    "dtype": "float64",
    "max_epochs": 40,
    "ensemble": 2,
    "batch_size": 40,
    "lr": 0.02,
    "n_iter_no_change": 3,
}


def problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """323 rows: 290 training rows, batches of 40 and a last one of 10 (uneven over 3 ranks)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(323, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=len(X))
    return X, y, rng.normal(size=(50, 3))


def fitted(random_state: int | None, distributed: bool) -> tuple[Regressor, BinaryClassifier]:
    X, y, _ = problem()
    labels = np.where(y > np.median(y), "high", "low")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a run that used every epoch still counts
        regressor = Regressor(random_state=random_state, distributed=distributed, **SETTINGS).fit(X, y)
        classifier = BinaryClassifier(random_state=7, distributed=distributed, **SETTINGS).fit(X, labels)
    return regressor, classifier


def main(out: Path, scenario: str) -> None:
    from descenso.distributed import DataParallel, RankError

    rank = DataParallel().rank
    if scenario == "bad":  # rank 1's copy of the table has a NaN: every rank must stop, naming it
        X, y, _ = problem()
        if rank == 1:
            X[17, 2] = np.nan
        try:
            Regressor(random_state=0, distributed=True, **SETTINGS).fit(X, y)
        except RankError as error:
            (out / f"rank{rank}.txt").write_text(str(error))
            raise SystemExit(3) from None
        return
    regressor, classifier = fitted(None, True)
    _, _, grid = problem()
    np.savez(out / f"rank{rank}.npz", regression=regressor.predict(grid), seed=regressor.random_state_,
             proba=classifier.predict_proba(grid)[:, 1], epochs=regressor.n_iter_)  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "fit")
