"""``descenso replay RUN_DIR``: retrain a run from its config.json; compare with its record bit for bit."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import click

from descenso.cli.errors import CLIError, ExitCode, user_errors

_FACTS = {
    "data": "the data",
    "split": "the train/test split",
    "initial_weights": "the initial weights",
    "descenso": "descenso's version",
    "numpy": "NumPy's version",
    "python": "Python's version",
    "machine": "the platform",
}


def read_run(run_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run's settings and record; a CLIError when the folder is not a run that can be replayed."""
    path = run_dir / "config.json"
    if not path.is_file():
        raise CLIError(
            f"{run_dir} has no config.json",
            fix="pass a run folder written by `descenso train`",
            code=ExitCode.USAGE,
        )
    with user_errors(ExitCode.USAGE, fix="pass a run folder written by `descenso train`"):
        config = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict) or "record" not in config or "settings" not in config:
        raise CLIError(
            f"{path} has no record of the run to compare with (written before descenso kept one)",
            fix="train it again with `descenso train --config` to get a replayable run",
            code=ExitCode.USAGE,
        )
    return config["settings"], config["record"]


def retrain(settings_values: dict[str, Any]) -> dict[str, Any]:
    """Train again exactly as ``descenso train`` did, in memory; the new record."""
    from descenso.cli.hooks import epoch_metrics
    from descenso.cli.record import RunRecorder
    from descenso.cli.settings import from_config
    from descenso.cli.training import build_estimator, load_data

    try:
        settings = from_config(settings_values)
    except (click.BadParameter, TypeError) as error:
        raise CLIError(
            f"the run's config.json has bad settings: {error}",
            fix="pass an unedited run folder",
            code=ExitCode.USAGE,
        ) from None
    data = load_data(settings)
    estimator = build_estimator(settings, data.task)
    recorder = RunRecorder()
    with warnings.catch_warnings(), user_errors(ExitCode.DATA):
        warnings.simplefilter("ignore")  # the original run showed them; here only the numbers count
        estimator.fit(
            data.X_train,
            data.y_train,
            callbacks=[recorder],
            metrics=epoch_metrics(data.task),
            doctor=settings.doctor,
        )
    return recorder.record(settings, data, estimator)


def first_difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """The first epoch whose losses or weights differ, said in words; None when the histories are equal."""
    names = ("train_loss", "val_loss", "weights")
    length = max(len(old["history"]["train_loss"]), len(new["history"]["train_loss"]))
    for epoch in range(length):
        for name in names:
            a, b = (_at(r["history"][name], epoch) for r in (old, new))
            if a != b:
                what = "the weights" if name == "weights" else name
                shown = f"{a[:12]}... vs {b[:12]}..." if name == "weights" and a and b else f"{a!r} vs {b!r}"
                return f"epoch {epoch + 1}: {what} differ (recorded vs replayed: {shown})"
    return None


def _at(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else "(no such epoch)"


def compare(old: dict[str, Any], new: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether the replay is bitwise equal, and the lines that say so or say where it is not."""
    changed = [
        f"{_FACTS.get(key, key)}: {old['facts'].get(key)} -> {value}"
        for key, value in new["facts"].items()
        if old["facts"].get(key) != value
    ]
    difference = first_difference(old, new)
    same_weights = old["final_weights"] == new["final_weights"]
    epochs = len(new["history"]["train_loss"])
    if difference is None and same_weights:
        lines = [
            f"bitwise identical: the final weights (sha256 {new['final_weights'][:16]}...) and the "
            f"history of {epochs} epochs (losses and weights after every epoch)"
        ]
    else:
        lines = [
            f"not identical: first difference at {difference}"
            if difference
            else "not identical: the histories agree but the final weights differ"
        ]
    if changed:
        lines.append("recorded facts that changed: " + "; ".join(changed))
    elif difference is not None or not same_weights:
        lines.append(
            "no recorded fact changed (data, split, initial weights and versions are the same): "
            "the difference comes from the machine, e.g. another BLAS or CPU"
        )
    else:
        lines.append("every recorded fact is the same: data, split, initial weights, descenso, NumPy, Python")
    return difference is None and same_weights, lines


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON line with the comparison, nothing else."
)
def replay(run_dir: str, as_json: bool) -> None:
    """Retrain RUN_DIR from its config.json and report whether the result is bitwise the same.

    \b
    The run's record holds the data's hash, the split, the initial weights, the versions of
    descenso, NumPy and Python, and each epoch's losses and weights. Exit code 0 when the final
    weights and the history are bitwise equal; 6 when not, naming the first epoch that differs and
    the recorded facts that changed.
      descenso replay runs/latest
    """
    folder = Path(run_dir)
    settings, record = read_run(folder)
    new = retrain(settings)
    identical, lines = compare(record, new)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "identical": identical,
                    "lines": lines,
                    "recorded": record["facts"],
                    "replayed": new["facts"],
                }
            )
        )
    else:
        click.echo(f"replayed {folder}: " + "\n".join(lines))
    if not identical:
        raise click.exceptions.Exit(int(ExitCode.DIFFERS))
