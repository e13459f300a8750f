"""Figures of a training run: the loss per epoch, and the words that name a loss and its scale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from descenso.viz._canvas import COLORS, _figure, _history_columns

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.figure import Figure


def loss_curves(
    history: Any,
    title: str = "Loss per epoch",
    log_scale: bool | None = None,
    best_epoch: int | None = None,
    loss_label: str = "loss",
    baseline: tuple[str, float] | None = None,
) -> Figure:
    """Training (and validation, when present) loss against the epoch.

    Parameters
    ----------
    history : History or mapping
        Needs ``train_loss``; ``val_loss`` and ``epoch`` are used when present (``val_loss`` entries
        that are ``None`` or NaN are skipped).
    title : str, default "Loss per epoch"
        Figure title.
    log_scale : bool, optional
        Logarithmic loss axis; by default used when every loss is positive and they span more than
        two orders of magnitude.
    best_epoch : int, optional
        The epoch whose weights were kept, marked with a dotted line; by default the History's
        ``best_epoch``, else the epoch of the lowest validation loss.
    loss_label : str, default "loss"
        The loss axis: name the loss and the scale it is measured on, e.g.
        ``"MSE (standardised target)"`` (see :func:`descenso.viz.loss_label`).
    baseline : (str, float), optional
        A level to compare with, drawn as a horizontal line with its label: e.g. the validation
        loss of the model that was kept instead of this run's (``descenso train`` draws the linear
        model's when it wins the choice). The dotted line then says "best epoch", since the run's
        weights were not the ones kept.

    Returns
    -------
    matplotlib.figure.Figure
        640 x 440 pixels.
    """
    if best_epoch is None:
        best_epoch = getattr(history, "best_epoch", None)
    columns = _history_columns(history)
    train = np.asarray(columns.get("train_loss") or [], dtype=float)
    if train.size == 0:
        raise ValueError("history has no train_loss values to plot; train for at least one epoch")
    epochs = np.asarray(columns.get("epoch") or np.arange(1, train.size + 1), dtype=float)
    val_raw = columns.get("val_loss") or []
    val = np.array([np.nan if v is None else v for v in val_raw], dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(epochs, train, label="train", color=COLORS[0])
    if val.size == train.size and np.isfinite(val).any():
        ax.plot(epochs, val, label="validation", color=COLORS[1], linestyle="--")
        best = float(epochs[int(np.nanargmin(val))]) if best_epoch is None else float(best_epoch)
        said = f"best epoch ({best:g})" if baseline is not None else f"weights kept (epoch {best:g})"
        ax.axvline(best, color="grey", linestyle=":", label=said)
    if baseline is not None:
        ax.axhline(baseline[1], color=COLORS[2], linestyle="-.", label=baseline[0])
    values = np.concatenate([train, val[np.isfinite(val)], [] if baseline is None else [baseline[1]]])
    finite = values[np.isfinite(values)]
    if log_scale is None:
        log_scale = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 100)
    if log_scale:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=loss_label, title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


_LOSS_NAMES = {"mse": "MSE", "mae": "MAE", "huber": "Huber loss", "bce": "log-loss",
               "bce_with_logits": "log-loss", "hinge": "hinge loss"}  # fmt: skip


def loss_label(loss: str, task: str, target: str = "target") -> str:
    """The words for a loss axis: the loss's name and the scale it is measured on.

    Parameters
    ----------
    loss : str
        The estimator's ``loss`` ("mse", "mae", "huber", "bce", "hinge").
    task : {"regression", "binary"}
        A regressor trains on the standardised target (``(y - mean) / std`` of the training rows),
        so its loss is not in the target's units; a classifier's loss is on the 0/1 labels.
    target : str, default "target"
        The target's name, e.g. the column ``"price"``.

    Returns
    -------
    str
        The same words the command's progress lines use (``descenso.cli.loss_scale``).

    Examples
    --------
    >>> from descenso.viz import loss_label
    >>> loss_label("mse", "regression")
    'MSE (standardised target)'
    >>> loss_label("mse", "regression", target="price")
    'MSE (standardised price)'
    >>> loss_label("bce", "binary")
    'log-loss'
    """
    name = _LOSS_NAMES.get(str(loss), str(loss))
    return f"{name} (standardised {target})" if task == "regression" else name


def runs_loss_curves(
    runs: Mapping[str, Any],
    title: str = "Training loss per epoch",
    loss_label: str = "training loss",
    clip: float = 10.0,
) -> Figure:
    """Several runs' training losses on one log axis; a diverging run is cut off and marked.

    Parameters
    ----------
    runs : mapping of str to History or mapping
        A label for each run (e.g. its learning rate) and its history (``train_loss`` per epoch).
    title : str, default "Training loss per epoch"
    loss_label : str, default "training loss"
        The loss axis (name the loss and its scale).
    clip : float, default 10
        The axis stops at ``clip`` times the largest first-epoch loss, so a run that diverges
        (towards 1e37, or to NaN) does not squash the others into a line. Such a run is drawn up
        to the edge and marked with an ``x``; its legend entry says at which epoch it left.

    Returns
    -------
    matplotlib.figure.Figure
        640 x 440 pixels.
    """
    curves = {
        label: np.asarray(_history_columns(h).get("train_loss") or [], dtype=float)
        for label, h in runs.items()
    }
    if not curves or any(c.size == 0 for c in curves.values()):
        raise ValueError("every run needs train_loss values to plot; train each for at least one epoch")
    top = clip * max(float(np.nanmax(np.abs(c[:1]))) for c in curves.values())
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, loss) in enumerate(curves.items()):
        epochs = np.arange(1, loss.size + 1)
        off = np.flatnonzero(~np.isfinite(loss) | (loss > top))
        color, style = COLORS[i % len(COLORS)], ("-", "--", "-.", ":")[i % 4]
        if off.size == 0:
            ax.plot(epochs, loss, color=color, linestyle=style, label=label)
            continue
        first = int(off[0])
        shown = np.r_[loss[:first], top]  # up to the edge of the axis
        ax.plot(epochs[: first + 1], shown, color=color, linestyle=style,
                label=f"{label}: diverged at epoch {first + 1}")  # fmt: skip
        ax.plot([epochs[first]], [top], marker="x", markersize=10, color=color, linestyle="none")
    finite = np.concatenate([c[np.isfinite(c) & (c > 0) & (c <= top)] for c in curves.values()])
    ax.set_yscale("log")
    ax.set_ylim(float(finite.min()) / 2 if finite.size else None, top * 1.5)
    ax.set(xlabel="epoch", ylabel=loss_label, title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")  # a diverging run leaves at the top left
    return fig
