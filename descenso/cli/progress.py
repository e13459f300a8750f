"""Live training progress: a rich progress bar on a terminal, a line every tenth of the run elsewhere.

:class:`EpochProgress` is a ``fit`` callback (the hooks of ``descenso.train.Callback``): after each
epoch it shows the training and validation loss and the main metric. It writes to stderr, so the
command's result on stdout stays clean.
"""

from __future__ import annotations

import math
from typing import Any

from descenso.cli import console

#: Per-epoch entries of the logs that are not metrics.
_NOT_METRICS = frozenset(
    {"epoch", "train_loss", "objective", "val_loss", "lr", "grad_norm", "time", "optimum_gap"}
)


def main_metric(logs: dict[str, Any]) -> tuple[str, float] | None:
    """The metric to show: the first validation metric, else the first training metric.

    Examples
    --------
    >>> from descenso.cli.progress import main_metric
    >>> main_metric({"train_loss": 0.3, "accuracy": 0.8, "val_accuracy": 0.75})
    ('val_accuracy', 0.75)
    >>> main_metric({"train_loss": 0.3}) is None
    True
    """
    names = [name for name in logs if name not in _NOT_METRICS and isinstance(logs[name], (int, float))]
    for name in sorted(names, key=lambda n: not n.startswith("val_")):
        return name, float(logs[name])
    return None


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.4g}"


def describe(logs: dict[str, Any], scale: str = "") -> str:
    """One line of an epoch's numbers: ``train_loss 0.31  val_loss 0.35  val_accuracy 0.88``.

    ``scale`` names what the losses are measured on (see :mod:`descenso.cli.loss_scale`).

    Examples
    --------
    >>> from descenso.cli.progress import describe
    >>> describe({"train_loss": 0.31234, "val_loss": None, "accuracy": 0.875})
    'train_loss 0.3123  accuracy 0.875'
    >>> describe({"train_loss": 0.0058, "val_loss": 0.0061, "val_r2": 0.99}, scale="standardised price")
    'train_loss 0.0058  val_loss 0.0061 (standardised price)  val_r2 0.99'
    """
    parts = [f"train_loss {_number(logs.get('train_loss'))}"]
    if logs.get("val_loss") is not None:
        parts.append(f"val_loss {_number(logs['val_loss'])}")
    if scale:
        parts[-1] += f" ({scale})"
    metric = main_metric(logs)
    if metric is not None:
        parts.append(f"{metric[0]} {_number(metric[1])}")
    return "  ".join(parts)


class EpochProgress:
    """A ``fit`` callback that reports each epoch, as one bar for the whole fit.

    An estimator that trains several networks in turn (``ensemble``) announces each with
    ``on_run_begin("network 2/3", model)``: the same bar then restarts for that run, labelled with
    it, so the screen shows one bar however many networks are trained. Without a terminal, a line
    is printed every tenth of the run and at each run's last epoch, so the last line shown is the
    epoch the stop message names.

    Parameters
    ----------
    epochs : int
        The most epochs the run may take (the bar's length; early stopping may end it sooner).
    enabled : bool, default True
        ``False`` for ``--quiet`` / ``--json``: report nothing.
    scale : str, default ""
        What the losses are measured on, shown after them (``"standardised price"``).

    Attributes
    ----------
    last : dict
        The logs of the last epoch seen.
    run : str
        The label of the training run under way (``"network 2/3"``), or ``""`` for a single run.
    """

    def __init__(self, epochs: int, enabled: bool = True, scale: str = "") -> None:
        self.epochs = epochs
        self.enabled = enabled
        self.scale = scale
        self.last: dict[str, Any] = {}
        self.run = ""
        self._progress: Any = None
        self._task: Any = None
        self._printed: int | None = None

    def on_run_begin(self, run: str, model: Any) -> None:
        """A new training run of the same fit starts (``"network 2/3"``): label the bar with it."""
        self.run = run
        self.last = {}

    def on_train_begin(self, model: Any, history: Any) -> None:
        """Start the bar on a terminal, or restart it for the next run of the fit."""
        self._printed = None
        if self._progress is not None:  # a later network of the same fit: the same bar, from 0
            self._progress.reset(self._task, total=self.epochs, numbers="", run=self._label())
            return
        rich = console.console(stderr=True) if self.enabled else None
        if rich is None:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.fields[run]}epoch"),
            MofNCompleteColumn(),
            BarColumn(bar_width=24),
            TimeElapsedColumn(),
            TextColumn("{task.fields[numbers]}"),
            console=rich,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("train", total=self.epochs, numbers="", run=self._label())

    def _label(self) -> str:
        return f"{self.run}  " if self.run else ""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
        """Show the epoch's numbers: update the bar, or print every tenth epoch without a terminal."""
        self.last = dict(logs, epoch=epoch)
        if not self.enabled:
            return
        if self._progress is not None:
            self._progress.update(self._task, completed=epoch, numbers=describe(logs, self.scale))
            return
        every = max(1, self.epochs // 10)
        if epoch == 1 or epoch % every == 0 or epoch == self.epochs:
            self._print(epoch, logs)

    def _print(self, epoch: int, logs: dict[str, Any]) -> None:
        position = f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}"
        console.info(f"{self._label()}{position}  {describe(logs, self.scale)}")
        self._printed = epoch

    def on_train_end(self, history: Any, model: Any) -> None:
        """The run's last epoch, if not shown yet (without a terminal); the bar stays for the next run."""
        if self.enabled and self._progress is None and self.last and self._printed != self.last["epoch"]:
            logs = {k: v for k, v in self.last.items() if k != "epoch"}
            self._print(int(self.last["epoch"]), logs)

    def close(self) -> None:
        """Stop the bar if it runs (after the fit, also when training raised)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
