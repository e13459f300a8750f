"""The training runs of one ``fit``: the ensemble's networks, the linear candidates, the choice.

On a fresh fit with early stopping, for each of the ensemble's validation splits the estimator fits
a linear candidate (the same model with no hidden layer: logistic or linear regression with the
same loss) and then the network, on the same training rows, each scored on the same validation
rows. It keeps the kind whose validation loss, averaged over the splits, is lower (the linear one
on a tie: it is the simpler), and averages that kind's members into one model
(:func:`descenso.estimators._ensemble.merge`). No threshold or setting is tuned per table: the
rule is "the lower held-out loss wins".

The linear candidate is solved exactly where its loss has a solver (least squares, logistic
regression), its ridge strength chosen on the splits, and refitted on every row when it is kept
(:mod:`._exact_linear`); with another loss it is trained like the networks, at a 10x step.

Why: on a table whose truth is linear, or that holds no signal, a network fitted to a few hundred rows
does worse than a linear model (Carseats, Weekly in ``benchmarks/tabular``), and a linear model with
no hidden layer costs a fraction of a network.

A classifier then fits a temperature on the kept members' held-out logits (each on its own
validation rows) and divides the merged model's output by it (:mod:`._calibration`).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from descenso.estimators import _calibration, _ensemble, _exact_linear, _training
from descenso.estimators._member_checkpoints import MemberCheckpoints
from descenso.stopping import DivergenceError

__all__ = ["run_labels", "kept_validation_loss", "choose", "train_members"]


def run_labels(count: int, with_linear: bool) -> list[str]:
    """The names of the fit's training runs, in the order they run.

    Examples
    --------
    >>> run_labels(2, with_linear=True)
    ['linear 1/2', 'network 1/2', 'linear 2/2', 'network 2/2']
    >>> run_labels(1, with_linear=False)
    ['network']
    """
    kinds = ("linear", "network") if with_linear else ("network",)
    suffix = [f" {j + 1}/{count}" if count > 1 else "" for j in range(count)]
    return [f"{kind}{suffix[j]}" for j in range(count) for kind in kinds]


def kept_validation_loss(history: Any) -> float:
    """The validation loss of the weights a run kept (early stopping restores its best epoch)."""
    best = history.best_epoch
    values = history.val_loss
    if best is None or best not in history.epoch or values[history.epoch.index(best)] is None:
        finite = [v for v in values if v is not None and np.isfinite(v)]
        return float(min(finite)) if finite else float("inf")
    return float(values[history.epoch.index(best)])


def choose(losses: dict[str, list[float]]) -> str:
    """``"linear"`` when its mean validation loss over the splits both kinds finished is not higher.

    Examples
    --------
    >>> choose({"linear": [0.40, 0.42], "network": [0.45, 0.38]})
    'linear'
    >>> choose({"linear": [0.40, 0.42], "network": [0.39]})
    'network'
    >>> choose({"linear": [0.40], "network": []})
    'linear'
    """
    pairs = min(len(losses.get("linear", [])), len(losses.get("network", [])))
    if pairs == 0:
        return "network" if losses.get("network") else "linear"
    linear = float(np.mean(losses["linear"][:pairs]))
    network = float(np.mean(losses["network"][:pairs]))
    return "linear" if linear <= network else "network"


#: The linear candidate's learning rate, as a multiple of the network's ``lr``.
LINEAR_LR_FACTOR = 10.0


def _linear_params(params: dict[str, Any]) -> dict[str, Any]:
    """The linear candidate's settings: no hidden layer, and a 10x larger step (where it is trained).

    Its objective is convex and, on standardised inputs, well scaled, so it takes the larger step
    safely; at the network's rate it needs hundreds of epochs to reach its minimum, and would cost
    more than the network it is compared with.
    """
    activation = params["activation"]  # unused without hidden layers; a list of them would not fit
    first = activation if isinstance(activation, str) or callable(activation) else activation[0]
    return {**params, "hidden": (), "activation": first, "lr": float(params["lr"]) * LINEAR_LR_FACTOR}


def _own_stream(rng: np.random.Generator) -> np.random.Generator:
    """A generator for the linear candidates that leaves ``rng``'s stream as it is.

    A child of ``rng``'s seed (``Generator.spawn``) draws nothing from ``rng`` itself, so the
    networks get the same weights, splits and batches with or without the linear candidates: when
    the networks are kept, the model is the one ``linear_candidate=False`` gives, bit for bit.
    """
    try:
        return rng.spawn(1)[0]
    except (AttributeError, TypeError, ValueError):  # a bit generator without a seed sequence
        return rng


def _announce(watch: dict[str, Any], run: str, model: Any) -> None:
    """Tell the callbacks that define ``on_run_begin`` which training run of the fit starts."""
    for callback in watch.get("callbacks", []):
        hook = getattr(callback, "on_run_begin", None)
        if hook is not None:
            hook(run, model)


def train_members(
    estimator: Any,
    Z: np.ndarray,
    target: np.ndarray,
    weights: np.ndarray | None,
    split: tuple[np.ndarray, np.ndarray | None],
    params: dict[str, Any],
    rng: np.random.Generator,
    prior: float,
    watch: dict[str, Any],
) -> tuple[list[Any], list[str], list[Any]]:
    """Train every run of the fit; set ``estimator.model_`` (and ``chosen_``, ``validation_loss_``).

    Returns the histories and the run labels in run order, and the kept kind's histories (the first
    is ``history_``). With more than one run, callbacks that define ``on_run_begin(run, model)``
    hear which run starts (``"network 2/3"``), so a progress display can show one bar for the fit.
    """
    count = _ensemble.n_members(params["ensemble"], len(target))
    with_linear = bool(params["linear_candidate"]) and split[1] is not None and len(params["hidden"]) > 0
    runs = run_labels(count, with_linear)
    kinds = ("linear", "network") if with_linear else ("network",)
    trained: dict[str, list[tuple[Any, Any, np.ndarray | None]]] = {kind: [] for kind in kinds}
    linear_rng = _own_stream(rng) if with_linear else rng
    # The linear candidate is solved exactly where its loss has a solver, else trained like the networks.
    solver = _exact_solver(estimator, Z, target, weights, params, watch) if with_linear else None
    histories: list[Any] = []
    done: list[str] = []  # the labels of the runs that finished, in order
    linear_diverged = False
    # Each run checkpoints in its own folder; a resumed fit loads the finished ones from theirs.
    saving = MemberCheckpoints(watch.get("checkpoint", {}), len(runs), write=watch["distributed"].is_root)
    with saving:
        for index in range(count):
            if index > 0 and split[1] is not None:  # each member its own validation rows
                split = _training.split_validation(
                    len(target), params["validation_fraction"], rng, estimator._stratify(target), weights
                )
            for kind in kinds:
                if histories and histories[-1].stopped_by == "interrupt":  # Ctrl-C ends the fit, not one run
                    break
                if kind == "linear" and linear_diverged:
                    continue
                draws = rng if kind == "network" else linear_rng
                shape = params if kind == "network" else _linear_params(params)
                if kind == "network" and index == 0:
                    model, optimizer = estimator.model_, estimator._optimizer
                else:
                    model = _training.make_model(Z.shape[1], shape, draws, output_bias=prior).to(
                        params["device"]
                    )
                    optimizer = _training.make_optimizer(model, shape)
                position = index * len(kinds) + kinds.index(kind)
                label = runs[position]
                if kind == "linear" and solver is not None and split[1] is not None:  # again on a resume
                    if len(runs) > 1:
                        _announce(watch, label, model)
                    history = solver.fit_split(model.to("cpu"), split[0], split[1])
                else:
                    identity = saving.identity(position, model, (Z[split[0]], target[split[0]]), shape)
                    history = saving.restore(position, model, draws, identity)
                if history is None:
                    if len(runs) > 1:
                        _announce(watch, label, model)
                    own = {**watch, "checkpoint": saving.for_member(position)}  # its own checkpoint folder
                    try:
                        rows, validation = split
                        history = estimator._run(
                            model, optimizer, Z, target, weights, rows, validation, params, draws, False, own
                        )
                    except DivergenceError:
                        if kind != "linear":
                            raise
                        linear_diverged = True  # at 10x the rate: drop the candidate, the networks go on
                        continue
                    saving.keep(position, model, draws, history, identity)
                histories.append(history)
                done.append(label)
                trained[kind].append((model, history, split[1]))
        if histories and histories[-1].stopped_by != "interrupt":
            saving.completed()
    chosen = "network"
    estimator.validation_loss_ = None
    if split[1] is not None:  # with validation rows: the losses the choice is made on
        losses = {kind: [kept_validation_loss(h) for _, h, _ in trained[kind]] for kind in kinds}
        if solver is not None and trained["linear"]:
            losses["linear"] = solver.finish()  # each split's loss at the one strength kept
        chosen = choose(losses) if with_linear else "network"
        estimator.validation_loss_ = {kind: float(np.mean(v)) if v else None for kind, v in losses.items()}
    estimator.chosen_ = chosen
    members = [model.to("cpu") for model, _, _ in trained[chosen]]
    held_out = [(model, val) for model, (_, _, val) in zip(members, trained[chosen], strict=True)]
    temperature = _held_out_temperature(estimator, held_out, Z, target, weights)
    if chosen == "linear" and solver is not None:  # nothing stops early: solved again on every row
        members = [solver.refit(copy.deepcopy(members[0]))]
    merged = _ensemble.merge(members)  # on the host; one member is returned as it is
    if temperature is not None and temperature != 1.0:
        _calibration.divide_output(merged, temperature)
    estimator.temperature_ = temperature
    estimator.model_ = merged.to(params["device"])
    if len(histories) > 1:
        estimator._optimizer = _training.make_optimizer(estimator.model_, params)  # for warm_start
    return histories, done, [history for _, history, _ in trained[chosen]]


def _exact_solver(
    estimator: Any, Z: np.ndarray, target: np.ndarray, weights: np.ndarray | None, params: dict[str, Any],
    watch: dict[str, Any],
) -> _exact_linear.ExactLinear | None:  # fmt: skip
    """The exact solver of the linear candidate, or None where its loss has none (trained then)."""
    loss = estimator._training_loss()
    if not _exact_linear.solvable(loss):
        return None
    y_fit = estimator._scaled_target(target).astype(params["dtype"], copy=False)
    return _exact_linear.ExactLinear(Z, y_fit, weights, loss, watch["distributed"], watch.get("metrics", []),
                                     watch.get("callbacks", []))  # fmt: skip


def _held_out_temperature(
    estimator: Any, held_out: list[tuple[Any, np.ndarray | None]], Z: np.ndarray, target: np.ndarray,
    weights: np.ndarray | None,
) -> float | None:  # fmt: skip
    """The estimator's temperature from each kept member's outputs on its own validation rows."""
    from descenso.grad_mode import no_grad
    from descenso.tensor import Tensor

    rows = [val for _, val in held_out if val is not None]
    if not rows:
        return None
    with no_grad():
        outputs = [model(Tensor(Z[val])).data[:, 0] for model, val in held_out if val is not None]
    every = np.concatenate(rows)
    return estimator._calibrate(
        np.concatenate(outputs).astype(np.float64), target[every], None if weights is None else weights[every]
    )
