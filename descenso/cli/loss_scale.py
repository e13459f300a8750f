"""What scale each number of a training run is on, said next to it.

A regressor learns on the standardised target ``(y - y_mean_) / y_scale_`` (so one learning rate
suits any unit), which makes its training and validation losses small numbers on that scale, while
the test metrics are measured on predictions in the target's own units. The command labels both,
and gives the losses in the target's units too where a loss simply rescales: an MSE by
``y_scale_ ** 2``, an MAE by ``y_scale_`` (the Huber loss does not: its threshold is applied on the
standardised scale). A classifier's log-loss (BCE) is on the labels, as the test ``log_loss`` is.
"""

from __future__ import annotations

from typing import Any

#: How each loss grows when the target is multiplied by ``s``: ``loss * s ** power``.
_POWER = {"mse": 2, "mae": 1}


def loss_label(task: str, loss: str, target: str) -> str:
    """How the progress line names the scale of its losses.

    Examples
    --------
    >>> from descenso.cli.loss_scale import loss_label
    >>> loss_label("regression", "mse", "price"), loss_label("binary", "bce", "sex")
    ('standardised price', 'log-loss')
    """
    if task == "regression":
        return f"standardised {target}"
    return "log-loss" if loss == "bce" else loss


def in_target_units(value: float | None, loss: str, scale: float) -> float | None:
    """A loss on the standardised target in the target's units (None where it does not rescale).

    Examples
    --------
    >>> from descenso.cli.loss_scale import in_target_units
    >>> in_target_units(0.01, "mse", 3.0), in_target_units(0.01, "mae", 3.0)
    (0.09, 0.03)
    >>> in_target_units(0.01, "huber", 3.0) is None
    True
    """
    if value is None or loss not in _POWER:
        return None
    return round(float(value) * scale ** _POWER[loss], 12)


def describe_loss(estimator: Any, task: str, target: str) -> dict[str, Any]:
    """The ``loss`` entry of metrics.json: the loss, its scale, and the run's losses in target units.

    Parameters
    ----------
    estimator : Regressor or BinaryClassifier
        Fitted (``history_``, and ``y_mean_`` / ``y_scale_`` for a regressor).
    task : {"regression", "binary"}
    target : str
        The target column's name.

    Returns
    -------
    dict
        ``name``, ``scale`` (in words); for a regressor also ``target_mean``, ``target_std`` and
        ``final_train_loss`` / ``final_val_loss`` in the target's units (None for Huber).
    """
    history = estimator.history_
    name = str(estimator.loss)
    if task != "regression":
        return {
            "name": name,
            "scale": "the labels' own" + (" (log-loss, as the test log_loss)" if name == "bce" else ""),
        }
    scale = float(estimator.y_scale_)
    train = history.train_loss[-1] if history.train_loss else None
    val = history.val_loss[-1] if history.val_loss else None
    return {
        "name": name,
        "scale": f"standardised target: ({target} - target_mean) / target_std",
        "target_mean": float(estimator.y_mean_),
        "target_std": scale,
        "final_train_loss_in_target_units": in_target_units(train, name, scale),
        "final_val_loss_in_target_units": in_target_units(val, name, scale),
    }


def summary_line(loss: dict[str, Any], target: str) -> str | None:
    """The summary's line relating the losses to the test metrics (regression only), or None.

    Examples
    --------
    >>> from descenso.cli.loss_scale import summary_line
    >>> entry = {"name": "mse", "target_std": 8.0, "final_val_loss_in_target_units": 0.32}
    >>> print(summary_line(entry, "price"))  # doctest: +NORMALIZE_WHITESPACE
    losses above: mse on the standardised price (divided by its std, 8);
    the last val_loss is 0.32 in price's units
    """
    if "target_std" not in loss:
        return None
    std = f"{loss['target_std']:.4g}"
    text = f"losses above: {loss['name']} on the standardised {target} (divided by its std, {std})"
    which = "val_loss" if loss.get("final_val_loss_in_target_units") is not None else "train_loss"
    units = loss.get(f"final_{which}_in_target_units")
    if units is not None:
        text += f"; the last {which} is {units:.4g} in {target}'s units"
    return text


def metric_units(target: str) -> dict[str, str]:
    """The unit of each regression metric, for a target column named ``target`` (R² has none).

    Examples
    --------
    >>> from descenso.cli.loss_scale import metric_units
    >>> metric_units("price")
    {'mse': 'price^2', 'rmse': 'price', 'mae': 'price', 'r2': '-'}
    """
    return {"mse": f"{target}^2", "rmse": target, "mae": target, "r2": "-"}
