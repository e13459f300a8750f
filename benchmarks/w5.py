"""W5: descenso's estimators with their defaults against scikit-learn's MLPs on its bundled real data.

Breast cancer (569 x 30, binary, accuracy) and diabetes (442 x 10, regression, R²), one fixed
75/25 split each. scikit-learn's ``MLPClassifier`` / ``MLPRegressor`` run with their defaults
after a ``StandardScaler``; descenso's ``BinaryClassifier`` / ``Regressor`` with theirs (they
standardise inside the model). The harness runs scikit-learn first and hands its test score to
descenso's worker as ``target``: descenso then reports how long its training took (its per-epoch
test evaluations excluded) until its test score first reached that target.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

SEED = 0


def split(dataset: str, tiny: bool) -> tuple[Any, ...]:
    """The fixed train/test split of a bundled data set (a small slice of it with ``tiny``)."""
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.model_selection import train_test_split

    X, y = (load_breast_cancer if dataset == "breast_cancer" else load_diabetes)(return_X_y=True)
    if tiny:
        X, y = X[:160], y[:160]
    stratify = y if dataset == "breast_cancer" else None
    return tuple(train_test_split(X, y, test_size=0.25, random_state=SEED, stratify=stratify))


def run_w5(kind: str, dataset: str, tiny: bool, target: float | None) -> dict[str, Any]:
    """Fit one side on one data set: its test score, fit time and (descenso) time to reach ``target``."""
    X_train, X_test, y_train, y_test = split(dataset, tiny)
    classification = dataset == "breast_cancer"
    metric = "accuracy" if classification else "R²"
    if kind == "sklearn":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        settings = {"random_state": SEED, **({"max_iter": 20} if tiny else {})}
        mlp = MLPClassifier(**settings) if classification else MLPRegressor(**settings)
        model = make_pipeline(StandardScaler(), mlp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # its default max_iter=200 ends diabetes
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        return {"score": float(model.score(X_test, y_test)), "seconds": seconds, "metric": metric}
    return _descenso(classification, metric, (X_train, X_test, y_train, y_test), tiny, target)


def _descenso(
    classification: bool, metric: str, data: tuple[Any, ...], tiny: bool, target: float | None
) -> dict:
    from descenso.estimators import BinaryClassifier, Regressor
    from descenso.stopping import ConvergenceWarning

    X_train, X_test, y_train, y_test = data
    settings = {"random_state": SEED, **({"max_epochs": 5} if tiny else {})}
    model = BinaryClassifier(**settings) if classification else Regressor(**settings)
    watch = ScoreWatch(model, X_test, y_test, target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train, callbacks=[watch])
        seconds = time.perf_counter() - start - watch.spent
    return {"score": float(model.score(X_test, y_test)), "seconds": seconds, "metric": metric,
            "time_to_reach": watch.reached_at, "epochs": len(model.history_.epoch)}  # fmt: skip


class ScoreWatch:
    """A fit callback: the test score after each epoch, timed apart from training."""

    def __init__(self, estimator: Any, X: Any, y: Any, target: float | None) -> None:
        self.estimator, self.X, self.y, self.target = estimator, X, y, target
        self.started = self.spent = 0.0
        self.reached_at: float | None = None

    def on_train_begin(self, model: Any, history: Any) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict, model: Any) -> None:
        begin = time.perf_counter()
        if self.target is not None and self.reached_at is None:
            if self.estimator.score(self.X, self.y) >= self.target:
                self.reached_at = begin - self.started - self.spent
        self.spent += time.perf_counter() - begin
