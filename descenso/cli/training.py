"""One training run of ``descenso train``: data, estimator, fit with progress, then the run folder."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from descenso.cli import announce, console, inputs, loss_scale, report, runs, streaming
from descenso.cli.errors import CLIError, ExitCode, divergence_fix, user_errors
from descenso.cli.hooks import epoch_metrics
from descenso.cli.progress import EpochProgress
from descenso.cli.settings import TrainSettings
from descenso.data.errors import DataWarning


def load_data(settings: TrainSettings) -> inputs.TrainingData:
    """The run's data: read into memory, or (``--stream``) a file read a few pieces at a time."""
    return streaming.from_stream(settings) if settings.stream else inputs.load(settings)


def build_estimator(settings: TrainSettings, task: str, distributed: bool = False) -> Any:
    """A Regressor or BinaryClassifier with the settings' parameters, checked for the task.

    Parameters
    ----------
    settings : TrainSettings
        Validated settings; ``loss=None`` takes the task's first loss (``bce`` or ``mse``).
    task : {"binary", "regression"}
        The task the data asks for.
    distributed : bool, default False
        Train data-parallel over the ranks ``mpiexec`` started (see :mod:`descenso.cli.ranks`).

    Returns
    -------
    Regressor or BinaryClassifier
        Unfitted, ``random_state=settings.seed``.

    Raises
    ------
    CLIError
        Exit code 2 for a loss of the other task or an unknown representation name.
    """
    from descenso import features
    from descenso.cli import options
    from descenso.estimators import BinaryClassifier, Regressor

    loss = settings.loss or options.LOSSES[task][0]
    if loss not in options.LOSSES[task]:
        raise CLIError(f"--loss {loss} is not a {task} loss",
                       fix=f"use one of: {', '.join(options.LOSSES[task])}", code=ExitCode.USAGE)  # fmt: skip
    with user_errors(ExitCode.USAGE, fix="see the names in `descenso train --help`"):
        for name in settings.features:
            features.get(name)
    params: dict[str, Any] = {
        "hidden": tuple(settings.hidden),
        "activation": settings.activation,
        "loss": loss,
        "optimizer": settings.optimizer,
        "lr": settings.lr,
        "batch_size": settings.batch_size,
        "max_epochs": settings.epochs,
        "early_stopping": settings.early_stopping,
        "validation_fraction": settings.val_fraction,
        "tol": settings.tol,
        # --no-early-stopping trains all --epochs: no patience rule of any kind is left on.
        "n_iter_no_change": settings.patience if settings.early_stopping else None,
        "schedule": None if settings.schedule == "none" else settings.schedule,
        "ensemble": settings.ensemble,
        "alpha": settings.alpha,
        "features": list(settings.features) or None,
        "missing": None if settings.missing == "error" else settings.missing,
        "dtype": settings.dtype,
        "random_state": settings.seed,
        "device": settings.device,
        "distributed": distributed,
    }
    if task == "binary":
        return BinaryClassifier(class_weight=settings.class_weight, **params)
    return Regressor(**params)


@dataclasses.dataclass
class CheckpointPlan:
    """Where and how often ``descenso train`` saves checkpoints, and whether it resumes."""

    folder: Path
    every: int | str
    resume: bool
    is_default: bool = False  # the CLI's own <out>/checkpoints/<name>, removed once a run finishes


def checkpoint_plan(
    settings: TrainSettings, name: str | None, every: int | str | None, folder: str | None, resume: bool
) -> CheckpointPlan | None:
    """The run's checkpoints: None unless ``--checkpoint-every``, ``--checkpoint-dir`` or ``--resume``.

    The default folder, ``<out>/checkpoints/<name or data>``, is the same for the same command, so
    rerunning it with ``--resume`` finds the checkpoint.

    Examples
    --------
    >>> from descenso.cli.settings import TrainSettings
    >>> plan = checkpoint_plan(TrainSettings(dataset="spirals"), None, 50, None, False)
    >>> plan.folder.as_posix(), plan.every, plan.resume
    ('runs/checkpoints/spirals', 50, False)
    >>> checkpoint_plan(TrainSettings(), None, None, None, False) is None
    True
    """
    if every is None and folder is None and not resume:
        return None
    default = Path(settings.out) / "checkpoints" / (name or settings.source_name())
    return CheckpointPlan(
        Path(folder) if folder else default, every or "epoch", resume, is_default=not folder
    )


def _fit(
    estimator: Any, data: inputs.TrainingData, settings: TrainSettings, show: bool,
    checkpoint: CheckpointPlan | None = None, recorder: Any = None,
) -> Any:  # fmt: skip
    """Train with the progress display; a diverging run or a checkpoint problem becomes a CLIError."""
    from descenso.checkpoint import CheckpointError, CheckpointMismatchError
    from descenso.stopping import DivergenceError

    saving = {} if checkpoint is None else {
        "checkpoint": checkpoint.folder, "checkpoint_every": checkpoint.every, "resume": checkpoint.resume
    }  # fmt: skip
    scale = loss_scale.loss_label(data.task, str(estimator.loss), data.target)
    progress = EpochProgress(settings.epochs, enabled=show, scale=scale)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with user_errors(ExitCode.DATA):  # DivergenceError is a ValueError: turn it into exit 5 first
                try:
                    estimator.fit(
                        data.X_train,
                        data.y_train,
                        callbacks=[progress, *([recorder] if recorder else [])],
                        metrics=epoch_metrics(data.task),
                        doctor=settings.doctor,
                        **saving,
                    )
                except (CheckpointError, CheckpointMismatchError) as error:
                    raise CLIError(str(error), code=ExitCode.CHECKPOINT) from None
                except DivergenceError as error:
                    raise CLIError(error.summary, fix=divergence_fix(error), code=ExitCode.DIVERGED) from None
        finally:
            progress.close()
    if checkpoint is not None and checkpoint.is_default:
        with contextlib.suppress(OSError):  # the CLI's own folder, emptied by a finished run: tidy it
            checkpoint.folder.rmdir()
    if show:
        # The file's remarks (a constant column ...) were shown when it was read; fit's repeat them.
        shown = [w for w in caught if "interrupted" not in str(w.message) and w.category is not DataWarning]
        inputs.show_warnings(shown)
    return estimator


def _test_predictions(estimator: Any, data: inputs.TrainingData) -> dict[str, Any]:
    """Predictions on the test rows, with the targets encoded as the model sees them."""
    with user_errors(ExitCode.DATA):
        predicted = estimator.predict(data.X_test)
        if data.task == "binary":
            y_true = report.encode_labels(data.y_test, estimator.classes_)
            y_pred = report.encode_labels(predicted, estimator.classes_)
            return {"y_true": y_true, "y_pred": y_pred, "proba": estimator.predict_proba(data.X_test)[:, 1]}
    return {"y_true": np.asarray(data.y_test, dtype=float), "y_pred": np.asarray(predicted, dtype=float)}


def _units(estimator: Any, data: inputs.TrainingData) -> Any:
    """The unit-map inputs for 2 numeric input columns (either task), else None."""
    if len(data.input_names) != 2 or not estimator.model_.hidden:  # a kept linear model has no units
        return None
    frame = data.X_test if hasattr(data.X_test, "columns") else None
    if frame is not None and not all(frame[c].dtype.kind in "fiub" for c in frame.columns):
        return None
    X = np.asarray(data.X_test if frame is None else frame.to_numpy(dtype=float), dtype=float)

    def network_inputs(points: np.ndarray) -> np.ndarray:
        if frame is not None:
            import pandas as pd

            points = pd.DataFrame(points, columns=frame.columns)
        raw = estimator._input_array(points)  # the columns encoded as predict does
        return estimator.representation_.transform(raw).astype(estimator.model_.dtype)

    return estimator.model_, network_inputs, X, (data.input_names[0], data.input_names[1])


def _boundary(estimator: Any, data: inputs.TrainingData) -> Any:
    """The decision-boundary inputs for 2 numeric input columns, else None."""
    if data.task != "binary" or len(data.input_names) != 2:
        return None
    X = np.asarray(data.X_test, dtype=float) if not hasattr(data.X_test, "columns") else None
    if X is None:
        frame = data.X_test
        if not all(kind in "fiub" for kind in (frame[c].dtype.kind for c in frame.columns)):
            return None
        X = frame.to_numpy(dtype=float)

    def probability(points: np.ndarray) -> np.ndarray:
        if hasattr(data.X_test, "columns"):
            import pandas as pd

            points = pd.DataFrame(points, columns=data.X_test.columns)
        return estimator.predict_proba(points)[:, 1]

    return probability, X, (data.input_names[0], data.input_names[1])


def _history_columns(history: Any) -> dict[str, list[Any]]:
    rows = history.to_dict()
    series = {k: v for k, v in rows.items() if isinstance(v, list) and len(v) == len(history.epoch)}
    for name, values in getattr(history, "metrics", {}).items():
        series.setdefault(name, list(values))
    return series


def run_training(
    settings: TrainSettings, name: str | None, quiet: bool, as_json: bool,
    checkpoint: CheckpointPlan | None = None,
) -> int:  # fmt: skip
    """Train as ``settings`` say, write ``<out>/<run>/`` and print the summary.

    Parameters
    ----------
    settings : TrainSettings
        Validated settings (what config.json records).
    name : str, optional
        The run folder's name (default ``<data>-<date>-<time>``).
    quiet : bool
        No progress output.
    as_json : bool
        Print only one JSON line with the summary (as metrics.json, plus the paths).
    checkpoint : CheckpointPlan, optional
        Save checkpoints (and resume from one); see :func:`checkpoint_plan`.

    Returns
    -------
    int
        0, or 130 / 143 when Ctrl-C / SIGTERM stopped training (the best weights are saved, the
        report written and, with checkpoints, a checkpoint to resume from).

    Raises
    ------
    CLIError
        Data errors (3), usage errors (2), divergence (5), checkpoint errors (6); nothing but the
        checkpoint is written before training succeeds.
    """
    from descenso.cli import ranks

    parallel = ranks.ranks()  # one process, or one of the ranks `mpiexec -n N descenso train` started
    show = not quiet and not as_json and parallel.is_root
    started = time.perf_counter()

    def prepare() -> tuple[inputs.TrainingData, Any]:
        data = load_data(settings)
        estimator = build_estimator(settings, data.task, distributed=parallel.size > 1)
        if parallel.is_root:  # before training: a long run must not end in an unwritable folder
            _check_out(Path(settings.out))
        return data, estimator

    data, estimator = ranks.together(parallel, prepare)  # one rank's bad data stops every rank
    if show:
        rows = data.n_rows - data.n_dropped  # the rows trained, validated and tested on
        kind = type(estimator).__name__
        left_out = f" ({data.n_dropped} more left out with missing values, --missing {settings.missing})"
        console.info(
            f"training a {kind} on {data.source}: {rows} rows{left_out if data.n_dropped else ''}, "
            f"{len(data.y_test)} kept for the test"
        )
        encoding = announce.encoding_line(announce.text_columns(data.X_train, data.target))
        if encoding is not None:
            console.info(encoding)
    from descenso.cli.record import RunRecorder

    recorder = RunRecorder()  # what `descenso replay` compares against
    # Every rank records (a checkpoint holds the recorder's state, and every rank resumes from it).
    _fit(estimator, data, settings, show, checkpoint, recorder)
    estimator.model_.to("cpu")  # the report's plots and the saved model work on host arrays
    made = announce.inputs_line(estimator, settings.features)  # e.g. the 4 features polar made
    if show and made is not None:
        console.info(made)
    train_seconds = time.perf_counter() - started

    def write() -> int:
        return _write_run(settings, name, as_json, checkpoint, data, estimator, recorder, started,
                          train_seconds, parallel.size)  # fmt: skip

    return ranks.finish(parallel, write)  # rank 0 writes; every rank exits with its code


def _write_run(
    settings: TrainSettings, name: str | None, as_json: bool, checkpoint: CheckpointPlan | None,
    data: inputs.TrainingData, estimator: Any, recorder: Any, started: float, train_seconds: float,
    world_size: int,
) -> int:  # fmt: skip
    """The run folder, the report and the summary (rank 0 only); the command's exit code."""
    history = estimator.history_
    interrupted = history.stopped_by == "interrupt"

    with user_errors(ExitCode.USAGE, fix="pass a writable folder with --out"):
        run_dir = runs.new_run_dir(settings.out, name, settings.source_name())
    with user_errors(ExitCode.MODEL_FILE, fix="check that the --out folder is writable"):
        estimator.save(run_dir / runs.MODEL_FILE)
    predictions = _test_predictions(estimator, data)
    if data.task == "binary":
        test = report.binary_metrics(predictions["y_true"], predictions["y_pred"], predictions["proba"])
    else:
        test = report.regression_metrics(predictions["y_true"], predictions["y_pred"])
    class_names = _class_names(estimator) if data.task == "binary" else ("0", "1")
    plotted, baseline = _descent_to_plot(estimator)
    plots = report.write_plots(run_dir, data.task, predictions["y_true"], predictions["y_pred"],
                               predictions.get("proba"), plotted, _boundary(estimator, data),
                               class_names, _units(estimator, data),  # type: ignore[arg-type]
                               **_loss_words(estimator, data), loss_baseline=baseline)  # fmt: skip
    summary = {
        "task": data.task,
        "estimator": type(estimator).__name__,
        "target": data.target,
        "classes": list(_class_names(estimator)) if data.task == "binary" else None,
        "test": test,
        "main_metric": report.MAIN_METRIC[data.task],
        "stop_reason": estimator.stop_reason_,  # the whole fit's: the last run's, as the bar shows last
        "stopped_by": history.stopped_by,
        "model_choice": _choice(estimator),
        "interrupted": interrupted,
        "interrupted_by": history.interrupted_by,
        "checkpoint": str(checkpoint.folder) if interrupted and checkpoint is not None else None,
        "epochs": len(history.epoch),
        "best_epoch": history.best_epoch,
        "steps": history.n_steps,
        "final_train_loss": history.train_loss[-1] if history.train_loss else None,
        "final_val_loss": history.val_loss[-1] if history.val_loss else None,
        "loss": loss_scale.describe_loss(estimator, data.task, data.target),  # what those two are on
        "network_inputs": announce.network_inputs(estimator),  # after one-hot encoding and --features
        "timings": {"train_seconds": round(train_seconds, 3), "total_seconds": 0.0},
        "sizes": {
            "rows": data.n_rows,
            "dropped": data.n_dropped,
            "train": _n(data.X_train),
            "test": len(data.y_test),
            "parameters": _n_parameters(estimator),
        },
        "data": data.source,
        "plots": plots,
        "run_dir": str(run_dir),
        "model": str(run_dir / runs.MODEL_FILE),
    }
    runs.write_csv(run_dir / runs.HISTORY_FILE, _history_columns(history))
    from descenso import __version__

    record = recorder.record(settings, data, estimator)
    config = {"command": "train", "descenso_version": __version__, "world_size": world_size,
              "settings": settings.to_config()}  # fmt: skip
    runs.write_json(run_dir / runs.CONFIG_FILE, {**config, "record": record})
    summary["timings"]["total_seconds"] = round(time.perf_counter() - started, 3)
    runs.write_json(run_dir / runs.METRICS_FILE, summary)
    runs.point_latest(run_dir)
    _print_summary(summary, as_json)
    if not interrupted:
        return int(ExitCode.OK)
    return int(ExitCode.TERMINATED if history.interrupted_by == "SIGTERM" else ExitCode.INTERRUPTED)


def _loss_words(estimator: Any, data: inputs.TrainingData) -> dict[str, str]:
    """``loss.png``'s axis (the loss and its scale) and title (the rows it was measured on)."""
    from descenso.viz import loss_label

    held_out = f", {estimator.validation_fraction:.0%} of them held out for validation"
    rows = f"{_n(data.X_train)} training rows" + (held_out if estimator.early_stopping else "")
    label = loss_label(estimator.loss, data.task, str(data.target))
    return {"loss_label": label, "loss_title": f"Loss per epoch\n{rows}"}


def _descent_to_plot(estimator: Any) -> tuple[Any, tuple[str, float] | None]:
    """``loss.png``'s history, and the level drawn across it.

    The kept run's history, except when the kept model is the linear one solved exactly: that run
    has one point and no descent, so the first network's curves are drawn, with the linear model's
    validation loss as a line across them: the reader sees what it beat.
    """
    history = estimator.history_
    networks = [h for h in getattr(estimator, "histories_", []) if h.stopped_by != "exact"]
    if history.stopped_by != "exact" or not networks or history.val_loss[0] is None:
        return history, None
    return networks[0], ("linear model (kept, solved exactly): validation loss", float(history.val_loss[0]))


def _choice(estimator: Any) -> dict[str, Any]:
    """Which kind of model was kept, on what validation losses, and the probabilities' temperature."""
    return {
        "chosen": getattr(estimator, "chosen_", "network"),
        "validation_loss": getattr(estimator, "validation_loss_", None),
        "temperature": getattr(estimator, "temperature_", None),
    }


def describe_choice(choice: dict[str, Any]) -> list[str]:
    """The report's lines on the linear-or-network choice and the calibration.

    Examples
    --------
    >>> describe_choice({"chosen": "linear", "validation_loss": {"linear": 0.41, "network": 0.45},
    ...                  "temperature": 1.2})  # doctest: +NORMALIZE_WHITESPACE
    ['kept: the linear model (mean validation loss 0.41; the networks 0.45)',
     'calibrated: logits divided by a temperature of 1.2, fitted on the validation rows']
    """
    lines = []
    losses = choice.get("validation_loss") or {}
    if losses.get("linear") is not None and losses.get("network") is not None:
        kept, other = ("linear", "network") if choice["chosen"] == "linear" else ("network", "linear")
        names = {"linear": "the linear model", "network": "the networks"}
        lines.append(f"kept: {names[kept]} (mean validation loss {losses[kept]:.4g}; "
                     f"{names[other]} {losses[other]:.4g})")  # fmt: skip
    temperature = choice.get("temperature")
    if temperature == 1.0:
        lines.append("calibrated: temperature 1 (the validation rows asked for no softening)")
    elif temperature is not None:
        lines.append(f"calibrated: logits divided by a temperature of {temperature:.3g}, "
                     "fitted on the validation rows")  # fmt: skip
    return lines


def _class_names(estimator: Any) -> tuple[str, str]:
    """The two labels as text; numbers without a needless ".0" (0.0 -> "0")."""
    names = [f"{c:g}" if isinstance(c, (float, np.floating)) else str(c) for c in estimator.classes_]
    return names[0], names[1]


def _check_out(folder: Path) -> None:
    """Create the runs folder now and check that it is writable."""
    fix = "pass a writable folder with --out"
    with user_errors(ExitCode.USAGE, fix=fix):
        folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise CLIError(f"cannot write in {folder}", fix=fix, code=ExitCode.USAGE)


def _n(X: Any) -> int:
    return int(X.shape[0]) if hasattr(X, "shape") else len(X)


def _n_parameters(estimator: Any) -> int:
    return int(sum(p.data.size for p in estimator.model_.parameters()))


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    if summary["interrupted"]:  # on stderr, so also with --json
        by = " by SIGTERM" if summary["interrupted_by"] == "SIGTERM" else ""
        console.info(f"interrupted{by}: saved the best model so far and wrote the report")
        if summary["checkpoint"]:
            console.info(f"a checkpoint is in {summary['checkpoint']}: run the same command with --resume "
                         "to continue where training stopped")  # fmt: skip
        else:
            console.info(
                "to be able to resume an interrupted run, pass --checkpoint-every N (steps or epoch)"
            )
    if as_json:
        console.result(json.dumps(runs.jsonable(summary), allow_nan=False))
        return
    metric = summary["main_metric"]
    value = summary["test"][metric]
    shown = "-" if value is None else f"{value:.4f}"
    console.result(f"stopped: {summary['stop_reason']}")
    losses = loss_scale.summary_line(summary["loss"], summary["target"])
    if losses is not None:
        console.result(losses)
    for line in describe_choice(summary["model_choice"]):
        console.result(line)
    numbers = ", ".join(f"{k} {v:.4g}" for k, v in summary["test"].items() if isinstance(v, float))
    units = f", in {summary['target']}'s units" if summary["task"] == "regression" else ""
    console.result(f"test {metric}: {shown}   ({numbers}{units})")
    console.result(f"run folder: {summary['run_dir']}")
    console.result(f"  model {Path(summary['model']).name}, metrics.json, history.csv, config.json, "
                   f"{', '.join(summary['plots'])}")  # fmt: skip
