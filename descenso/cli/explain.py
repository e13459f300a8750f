"""``descenso explain``: one gradient-descent step, value by value (the notes' "general functioning").

Without a model it builds a tiny network (2 inputs, 3 hidden ReLU units, 1 output by default) and
steps once on a few rows of a built-in dataset; with a model file it steps the trained network once
(without changing the file) on a few rows of its data: ``--data FILE``, ``--dataset NAME``, or the
data named in the ``config.json`` of the model's run folder. A file's rows with missing values follow
the model's rule (``train --missing``), as in ``predict`` and ``evaluate``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click
import numpy as np

from descenso._trace_table import terminal_width
from descenso.cli import missing as missing_values
from descenso.cli import options
from descenso.cli.errors import CLIError, ExitCode, user_errors


def _rows(X: np.ndarray, y: np.ndarray, rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    pick = np.sort(np.random.default_rng(seed).choice(len(X), size=min(rows, len(X)), replace=False))
    return X[pick], y[pick]


def tiny_network(
    dataset: str, hidden: tuple[int, ...], rows: int, seed: int
) -> tuple[Any, Any, Any, str, str]:
    """A fresh MLP, a few rows of ``dataset``, the loss name and a description."""
    from descenso import datasets
    from descenso.nn import MLP

    with user_errors(ExitCode.USAGE, fix="see the list with `descenso datasets`"):
        X, y, info = datasets.load(dataset, n=max(rows, 50), rng=seed)
    X, y = _rows(X, y, rows, seed)
    model = MLP(X.shape[1], hidden=hidden, out_features=1, rng=seed)
    loss = "bce_with_logits" if info.task == "binary" else "mse"
    sizes = " -> ".join(str(n) for n in (X.shape[1], *hidden, 1))
    return model, X, y, loss, f"a new {sizes} ReLU network on {len(X)} rows of the {dataset} dataset"


def _model_data(
    estimator: Any, model_path: str, data: str | None, dataset: str | None, missing: str | None = None
) -> tuple[Any, np.ndarray]:
    """Raw input rows and targets for a saved model: from --data, --dataset or its run's config.json.

    A file's rows with missing values follow the model's rule (or ``missing``), as in ``evaluate``.
    """
    if data is None and dataset is None:
        config = Path(model_path).parent / "config.json"
        if config.is_file():
            settings = json.loads(config.read_text(encoding="utf-8")).get("settings", {})
            data, dataset = (
                settings.get("data"),
                settings.get("dataset") or (None if settings.get("data") else "spirals"),
            )
    if data is not None:
        from descenso.cli.commands_predict import check_columns, model_input, read_frame

        rule = missing_values.resolve(estimator, missing)
        frame = read_frame(data)
        target = getattr(estimator, "target_name_", None)
        if not target or target not in frame.columns:
            raise CLIError(
                f"{Path(data).name} has no target column {target!r}", fix="pass the training data file"
            )
        features = check_columns(estimator, frame.drop(columns=[target]), Path(data).name)
        used = missing_values.rows_to_use(rule, features, data, target=frame[target])
        return model_input(estimator, features[used]), frame[target][used].to_numpy()
    if dataset is not None:
        from descenso import datasets

        with user_errors(ExitCode.USAGE, fix="see the list with `descenso datasets`"):
            X, y, _ = datasets.load(dataset, n=200, rng=0)
        return X, y
    raise CLIError("explaining a model needs a few rows of its data",
                   fix="pass --data FILE (with the target column) or --dataset NAME")  # fmt: skip


def saved_network(
    model_path: str, data: str | None, dataset: str | None, rows: int, seed: int, missing: str | None = None
) -> tuple[Any, ...]:
    """The trained network of a model file, a few rows as it sees them (representation applied),
    the loss, a description, the names of the network's inputs, and the model's optimizer and lr."""
    from descenso.cli.commands_predict import load_model
    from descenso.cli.report import encode_labels

    estimator = load_model(model_path)
    X_raw, y_raw = _model_data(estimator, model_path, data, dataset, missing)
    with user_errors(ExitCode.DATA):
        X = estimator._input_array(X_raw)  # the columns encoded and gaps filled, as predict does
        Z = estimator.representation_.transform(X).astype(estimator.model_.dtype)
        if hasattr(estimator, "classes_"):
            y = encode_labels(y_raw, estimator.classes_)
            loss = "bce_with_logits" if estimator.loss == "bce" else "hinge"
        else:
            y = (np.asarray(y_raw, dtype=float) - getattr(estimator, "y_mean_", 0.0)) / getattr(
                estimator, "y_scale_", 1.0
            )
            loss = str(estimator.loss)
    Z, y = _rows(Z, y.astype(Z.dtype), rows, seed)
    what = f"the trained network of {model_path} on {len(Z)} rows of its data (after its representation)"
    encoded = estimator._encoded_names()
    names = [str(n) for n in estimator.representation_.get_feature_names_out(encoded)]
    return estimator.model_, Z, y, loss, what, names, str(estimator.optimizer), float(estimator.lr)


@click.command()
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option("--data", type=click.Path(dir_okay=False), help="Labelled rows for a MODEL (CSV or Parquet).")
@click.option("--dataset", "-d", metavar="NAME", help="A built-in dataset (default: xor).")
@click.option("--hidden", type=options.Hidden(), default="3", show_default=True,
              help="Hidden layers of the new network (without MODEL).")  # fmt: skip
@click.option(
    "--rows", type=click.IntRange(1, 64), default=4, show_default=True, help="Batch size of the step."
)
@click.option("--optimizer", type=click.Choice(options.OPTIMIZERS),
              help="The step's optimizer  [default: sgd; a MODEL's own].")  # fmt: skip
@click.option("--lr", type=click.FloatRange(0, min_open=True),
              help="Learning rate of the step  [default: 0.1; a MODEL's own].")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seeds the new network's weights and the rows drawn.")  # fmt: skip
@click.option("--landscape", metavar="PNG", type=click.Path(dir_okay=False),
              help="Also take 100 such steps on a copy; save the loss landscape and their path.")  # fmt: skip
@missing_values.OPTION
def explain(model: str | None, data: str | None, dataset: str | None, hidden: tuple[int, ...], rows: int,
            optimizer: str | None, lr: float | None, seed: int, landscape: str | None,
            missing: str | None) -> None:  # fmt: skip
    """Show one gradient-descent step value by value: forward, loss, backward, update.

    \b
    descenso explain                                 a new 2-3-1 network on 4 rows of xor
    descenso explain --hidden 4,4 --dataset circles
    descenso explain runs/latest/model.descenso      a trained model (its file is not changed)
    descenso explain --landscape landscape.png       and the loss surface with 100 steps' path
    """
    from descenso.trace import trace_step

    names, own_optimizer, own_lr = None, "sgd", 0.1
    if model is None:
        network, X, y, loss, what = tiny_network(dataset or "xor", hidden, rows, seed)
    else:
        found = saved_network(model, data, dataset, rows, seed, missing)
        network, X, y, loss, what, names, own_optimizer, own_lr = found
    optimizer, lr = optimizer or own_optimizer, lr or own_lr
    with user_errors(ExitCode.DATA):
        trace = trace_step(network, X, y, loss=loss, optimizer=optimizer, lr=lr, dry_run=model is not None,
                           feature_names=names)  # fmt: skip
    width = terminal_width()
    for line in (f"descenso explain: {what}", "loss = 1/|batch| sum loss(y, f_theta(x)); the optimizer then "
                 "moves every weight theta by its rule (step 4)"):  # fmt: skip
        click.echo("\n".join(textwrap.wrap(line, width)))
    if model is not None and trace.parameters and trace.parameters[0].state:
        click.echo("\n".join(textwrap.wrap(
            f"A model file keeps no optimizer state: {trace.optimizer}'s state starts at zero here, as it "
            "does when training resumes from the file.", width)))  # fmt: skip
    click.echo("")
    click.echo(trace.format(width))
    if landscape is not None:
        from descenso.cli.landscape import write_landscape

        with user_errors(ExitCode.DATA):
            click.echo(write_landscape(network, X, y, loss, optimizer, lr, landscape))
