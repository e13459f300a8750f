"""The representation lab: the same model on several representations of the same data, side by side.

The course notes say that how data is represented matters (polar versus
cartesian coordinates), and that deep learning exists to *learn* the
representation instead. ``compare_representations`` measures both claims: a
linear model on hand-made features against the raw coordinates, and a ReLU
network that finds its own features.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from descenso import features
from descenso.data._random import as_generator
from descenso.data.split import train_test_split
from descenso.grad_mode import no_grad

__all__ = ["compare_representations", "Comparison", "RepresentationResult"]

# (lr, epochs, batch_size) per model kind: full-batch Adam for the convex linear model,
# mini-batches for the network. Chosen so the course's examples converge in about a second.
_DEFAULTS = {"linear": (0.1, 300, None), "mlp": (0.01, 150, 32)}


@dataclass
class RepresentationResult:
    """How one representation did.

    Attributes
    ----------
    name : str
        The representation (``"raw"``, ``"polar"``, ...).
    n_features : int
        Columns the model saw.
    train_score, test_score : float
        Accuracy (binary) or R² (regression) on the training and test split.
    final_loss : float
        The training loss at the last epoch.
    seconds : float
        Wall time of fitting the representation and the model.
    feature_names : list of str
    """

    name: str
    n_features: int
    train_score: float
    test_score: float
    final_loss: float
    seconds: float
    feature_names: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """The lab's result: one :class:`RepresentationResult` per representation.

    ``str(comparison)`` is a table; ``comparison.scores`` maps names to test scores;
    ``comparison["polar"]`` is that representation's result.
    """

    task: str
    metric: str
    model: str
    n_train: int
    n_test: int
    results: list[RepresentationResult]
    plot: str | None = None

    @property
    def scores(self) -> dict[str, float]:
        """Test score per representation."""
        return {r.name: r.test_score for r in self.results}

    @property
    def best(self) -> RepresentationResult:
        """The representation with the highest test score."""
        return max(self.results, key=lambda r: r.test_score)

    def __getitem__(self, name: str) -> RepresentationResult:
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(f"no representation {name!r}; compared: {', '.join(r.name for r in self.results)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary."""
        return {**asdict(self), "results": [asdict(r) for r in self.results]}

    def __str__(self) -> str:
        metric = "accuracy" if self.metric == "accuracy" else "R²"
        train, test = f"train {metric}", f"test {metric}"
        header = f"{'representation':<16}{'features':>9}{train:>16}{test:>15}{'seconds':>9}"
        lines = [
            f"{self.model} model, {self.task} task: {self.n_train} training rows, {self.n_test} test rows",
            header,
            "-" * len(header),
        ]
        for r in self.results:
            lines.append(
                f"{r.name:<16}{r.n_features:>9}{_fmt(r.train_score, self.metric):>16}"
                f"{_fmt(r.test_score, self.metric):>15}{r.seconds:>9.2f}"
            )
        return "\n".join(lines)


def _fmt(score: float, metric: str) -> str:
    return f"{100 * score:.1f}%" if metric == "accuracy" else f"{score:.3f}"


def _infer_task(y: np.ndarray) -> str:
    values = np.unique(y)
    return "binary" if len(values) == 2 and set(values.tolist()) <= {0.0, 1.0} else "regression"


def _score(task: str, y: np.ndarray, output: np.ndarray) -> float:
    """Accuracy of ``logit > 0`` (binary) or the coefficient of determination R² (regression)."""
    if task == "binary":
        return float(np.mean((output > 0) == (y > 0.5)))
    residual = float(np.sum((y - output) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - residual / total if total > 0 else 0.0


def _build_model(model: Any, n_features: int, hidden: Sequence[int], seed: int) -> Any:
    from descenso.nn import MLP, Linear

    if model == "linear":
        return Linear(n_features, 1, rng=seed)
    if model == "mlp":
        return MLP(n_features, hidden=tuple(hidden), out_features=1, activation="relu", rng=seed)
    if callable(model):
        return model(n_features)
    raise ValueError(f"model must be 'linear', 'mlp' or a callable n_features -> Module; got {model!r}")


def _named(spec: Any) -> tuple[str, Any]:
    """``(label, spec)`` for a name, a Transform or a ``(label, name_or_transform)`` pair."""
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        return spec[0], spec[1]
    if isinstance(spec, str):
        return spec.strip(), spec
    return (getattr(spec, "name", "") or type(spec).__name__), spec


def compare_representations(
    X: Any,
    y: Any,
    representations: Sequence[Any] = ("raw", "polar", "polynomial"),
    model: str | Callable[[int], Any] = "linear",
    task: str | None = None,
    test: float = 0.25,
    epochs: int | None = None,
    lr: float | None = None,
    batch_size: int | str | None = "auto",
    hidden: Sequence[int] = (32, 32),
    rng: Any = 0,
    plot: str | Path | None = None,
) -> Comparison:
    """Fit the same model on each representation of ``(X, y)`` and report the test metric side by side.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        0/1 for binary classification, numbers for regression.
    representations : list of str, Transform or (label, str or Transform)
        Names for :func:`descenso.features.get` (``"raw"``, ``"polar"``, ``"radial"``,
        ``"polynomial"``, ``"polar,standardize"`` ...), Transform objects, or pairs that give
        either a label for the table, e.g. ``("radius", Expression(["sqrt(x1**2+x2**2)"]))``.
    model : {"linear", "mlp"} or callable, default "linear"
        ``"linear"``: one ``Linear`` layer (logistic regression for binary tasks); ``"mlp"``:
        a ReLU ``MLP`` with ``hidden`` layers; or ``model(n_features) -> Module``.
    task : {None, "binary", "regression"}
        ``None`` infers binary when ``y`` holds exactly the values 0 and 1.
    test : float, default 0.25
        Fraction of rows held out for the test score (stratified for binary tasks).
    epochs, lr, batch_size : optional
        Training settings for :func:`descenso.train.fit` with Adam; defaults: linear, full-batch,
        lr 0.1, 300 epochs; mlp, batches of 32, lr 0.01, 150 epochs.
    hidden : sequence of int, default (32, 32)
        Hidden widths for ``model="mlp"``.
    rng : int, numpy.random.Generator or None, default 0
        Seeds the split, the initial weights (the same for every representation of the same
        width) and the batches.
    plot : str or path, optional
        Draw the training data in each representation (its first two columns, or the first
        column against the target) into this PNG file. Needs matplotlib.

    Returns
    -------
    Comparison
        ``str()`` gives the table; ``.scores`` the test score per representation.

    Notes
    -----
    Each representation is fitted on the training split only, then followed by
    :class:`~descenso.features.Standardize` (also fitted on the training split), so that
    every model starts from features of the same scale and the comparison measures the
    representation, not the optimizer's sensitivity to scale. The metric is the accuracy
    of ``sign(f(x))`` for binary tasks and ``R² = 1 - SSE/SST`` for regression.

    Examples
    --------
    >>> from descenso import datasets
    >>> X, y, _ = datasets.load("circles", n=300, rng=0)
    >>> result = compare_representations(X, y, ["raw", "polar"], model="linear", epochs=200)
    >>> result.scores["raw"] < 0.7, result.scores["polar"] > 0.98
    (True, True)
    """
    from descenso.train import fit

    X, y = np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.float32).reshape(-1)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"expected X of shape (n, d) and y of shape (n,); got {X.shape} and {y.shape}")
    task = task or _infer_task(y)
    if task not in ("binary", "regression"):
        raise ValueError(f"task must be None, 'binary' or 'regression'; got {task!r}")
    if not representations:
        raise ValueError("representations is empty; pass e.g. ['raw', 'polar', 'polynomial']")
    kind = model if isinstance(model, str) else "mlp"
    default_lr, default_epochs, default_batch = _DEFAULTS.get(kind, _DEFAULTS["mlp"])
    settings: dict[str, Any] = {
        "lr": default_lr if lr is None else lr,
        "epochs": default_epochs if epochs is None else epochs,
        "batch_size": default_batch if batch_size == "auto" else batch_size,
    }
    generator = as_generator(rng)
    seed = int(generator.integers(2**31))
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test=test, stratify=task == "binary", rng=generator
    )
    loss = "bce_with_logits" if task == "binary" else "mse"

    results, drawn = [], []
    for item in representations:
        label, spec = _named(item)
        started = time.perf_counter()
        representation = copy.deepcopy(features.get(spec))
        pipeline = features.Pipeline([representation, features.Standardize()]).fit(X_train)
        Z_train, Z_test = pipeline.transform(X_train), pipeline.transform(X_test)
        network = _build_model(model, Z_train.shape[1], hidden, seed)
        history = fit(network, Z_train, y_train, loss=loss, optimizer="adam", rng=seed, **settings)
        network.eval()
        with no_grad():
            train_out = network(Z_train).data.reshape(-1)
            test_out = network(Z_test).data.reshape(-1)
        names = representation.get_feature_names_out()
        results.append(
            RepresentationResult(
                name=label,
                n_features=Z_train.shape[1],
                train_score=_score(task, y_train, train_out),
                test_score=_score(task, y_test, test_out),
                final_loss=float(history.train_loss[-1]),
                seconds=time.perf_counter() - started,
                feature_names=names,
            )
        )
        drawn.append((representation.transform(X_train), names))
    comparison = Comparison(
        task, "accuracy" if task == "binary" else "r2", str(kind), len(X_train), len(X_test), results
    )
    if plot is not None:
        comparison.plot = str(_draw(comparison, drawn, y_train, Path(plot)))
    return comparison


def _draw(
    comparison: Comparison, drawn: list[tuple[np.ndarray, list[str]]], y: np.ndarray, path: Path
) -> Path:
    """One scatter panel per representation (see :func:`descenso.viz.representation_panels`), as a PNG."""
    from descenso import viz

    titles = [
        f"{result.name}: test {_fmt(result.test_score, comparison.metric)}" for result in comparison.results
    ]
    panels = [(title, Z, names) for title, (Z, names) in zip(titles, drawn, strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    return viz.save(viz.representation_panels(panels, y, comparison.task), path)
