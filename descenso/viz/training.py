"""Figures of a training run: the loss per epoch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from descenso.viz._canvas import _figure, _history_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def loss_curves(
    history: Any, title: str = "Loss per epoch", log_scale: bool | None = None, best_epoch: int | None = None
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
    ax.plot(epochs, train, label="train", color="tab:blue")
    if val.size == train.size and np.isfinite(val).any():
        ax.plot(epochs, val, label="validation", color="tab:orange")
        best = float(epochs[int(np.nanargmin(val))]) if best_epoch is None else float(best_epoch)
        ax.axvline(best, color="grey", linestyle=":", label=f"weights kept (epoch {best:g})")
    values = np.concatenate([train, val[np.isfinite(val)]])
    finite = values[np.isfinite(values)]
    if log_scale is None:
        log_scale = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 100)
    if log_scale:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
