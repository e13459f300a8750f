"""The pieces ``fit`` assembles before handing over to :func:`descenso.train.fit`.

The representation (user features, then standardisation), the network, the
optimizer, the validation split and the stopping rule. The training loop itself
is ``descenso.train.fit``; nothing here steps an optimizer.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from descenso.stopping import EarlyStopping

__all__ = [
    "seed_generator",
    "make_representation",
    "make_model",
    "make_optimizer",
    "split_validation",
    "make_stop",
    "effective_batch_size",
]

_SCALERS = ("standardize", "standardise", "minmax")


def seed_generator(random_state: Any) -> np.random.Generator:
    """One Generator per ``fit``: an int gives the same weights, splits and batches every time."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(2**31 - 1)))
    return np.random.default_rng(random_state)


def _is_scaler(step: Any) -> bool:
    name = step if isinstance(step, str) else getattr(step, "name", "")
    return isinstance(name, str) and name.strip().lower().split(",")[-1].strip() in _SCALERS


def make_representation(steps: list[Any], X: np.ndarray, names: list[str] | None = None) -> Any:
    """A fitted ``features.Pipeline``: the user's steps, then ``Standardize`` unless already scaled.

    Transform objects are copied first, so fitting never changes the estimator's parameters.
    ``names`` are X's column names (a table's, one-hot columns as ``"species=Adelie"``): steps
    that take columns can be told them by name, and say which there are when they must be told.
    """
    from descenso import features

    chain = [copy.deepcopy(step) for step in steps]
    if not chain or not _is_scaler(chain[-1]):
        chain.append("standardize")
    return features.Pipeline(chain).fit(X, input_names=names)


OUTPUT_INIT_SCALE = 0.1


def make_model(
    in_features: int, params: dict[str, Any], rng: np.random.Generator, output_bias: float = 0.0
) -> Any:
    """The network ``f_theta``: an MLP with one output (a value, or a logit for classification).

    The untrained network predicts the prior: the output bias is ``output_bias`` (the target's
    mean on the scale it is trained on: 0 for the standardised regression target, the logit of the
    positive rate for a classifier) and the output layer's initial weights are scaled by
    ``OUTPUT_INIT_SCALE``, so the first function is close to that constant rather than a random one
    as large as the target. Early stopping then only moves away from the prior as far as the
    validation loss says it helps.
    """
    from descenso.nn import MLP

    model = MLP(
        in_features,
        hidden=params["hidden"],
        out_features=1,
        activation=params["activation"],
        rng=rng,
        dtype=str(params["dtype"]),
    )
    last: Any = model.layers[-1]
    last.weight.data *= OUTPUT_INIT_SCALE
    if last.bias is not None:
        last.bias.data[:] = output_bias
    return model


def make_optimizer(model: Any, params: dict[str, Any]) -> Any:
    """The optimizer named by ``params['optimizer']`` over the model's parameters, at ``params['lr']``."""
    from descenso import optim

    return optim.get(params["optimizer"], model.parameters(), lr=float(params["lr"]))


def effective_batch_size(batch_size: Any, n_samples: int) -> int | None:
    """The batch size used; None is full-batch gradient descent.

    ``"auto"`` is ``min(200, max(32, n // 10))``: at least ten steps per epoch on small
    tables (so the early-stopping patience, counted in epochs, spans enough steps), and
    scikit-learn's 200 on large ones. Ints are capped at ``n``.
    """
    if batch_size is None:
        return None
    if batch_size == "auto":
        return min(200, max(32, n_samples // 10), n_samples)
    return min(int(batch_size), n_samples)


def split_validation(
    n_samples: int,
    fraction: float,
    rng: np.random.Generator,
    labels: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, validation)``; stratified by ``labels`` when given.

    Validation rows are drawn among the rows of positive weight only: a zero-weight row
    counts nowhere, so it stays with the training rows, where it changes nothing.

    Raises
    ------
    ValueError
        When the split would leave no weighted sample to train on or none to validate on.
    """
    candidates = np.arange(n_samples) if weights is None else np.flatnonzero(weights > 0)
    if labels is None:
        order = rng.permutation(candidates)
        val = order[: int(np.ceil(fraction * len(candidates)))]
    else:
        parts = []
        for label in np.unique(labels[candidates]):
            members = rng.permutation(candidates[labels[candidates] == label])
            n_val = min(len(members) - 1, max(1, round(fraction * len(members)))) if len(members) > 1 else 0
            parts.append(members[:n_val])
        val = np.concatenate(parts)
    train = np.setdiff1d(np.arange(n_samples), val)  # sorted
    n_train = len(train) if weights is None else int((weights[train] > 0).sum())
    if n_train == 0 or len(val) == 0:
        raise ValueError(
            f"early_stopping needs a validation set, but validation_fraction={fraction} of "
            f"n_samples={n_samples} leaves {n_train} sample(s) to train on and {len(val)} to validate "
            "on (counting samples of positive weight). Pass more samples, or early_stopping=False"
        )
    return train, np.sort(val)


class EpochPrinter:
    """A ``descenso.train.fit`` callback printing one line per epoch (``verbose >= 2``)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
        values = [f"{key} {value:.6g}" for key, value in logs.items() if key not in ("epoch", "time")
                  and isinstance(value, float)]  # fmt: skip
        print(f"epoch {epoch}: " + ", ".join(values), flush=True)


def make_stop(params: dict[str, Any]) -> list[Any]:
    """Early stopping on the validation loss (best weights restored), else a tolerance on the objective.

    With sample or class weights, ``descenso.train.fit`` is given the validation rows' weights,
    so the monitored ``val_loss`` is the weighted one: the quantity training minimises.
    ``n_iter_no_change=None`` never stops for lack of improvement: without early stopping only
    ``max_epochs`` ends training; with it, the best validation epoch's weights are still restored.
    """
    from descenso.stopping import Tolerance

    patience = params["n_iter_no_change"]
    if not params["early_stopping"]:
        return [] if patience is None else [Tolerance(tol=params["tol"], n_iter_no_change=patience)]
    return [
        EarlyStopping(
            monitor="val_loss",
            patience=params["max_epochs"] if patience is None else patience,
            min_delta=params["tol"],
            restore_best_weights=True,
        )
    ]
