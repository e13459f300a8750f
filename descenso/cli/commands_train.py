"""``descenso train``: flags to settings, then one training run (see :mod:`descenso.cli.training`)."""

from __future__ import annotations

from typing import Any

import click
from click.core import ParameterSource

from descenso.cli import options
from descenso.cli.errors import CLIError, ExitCode
from descenso.cli.settings import SETTING_NAMES, TrainSettings, from_config, read_config

_ALL_LOSSES = tuple(sorted({name for names in options.LOSSES.values() for name in names}))
_DEFAULTS = TrainSettings()


def _help_default(name: str) -> str:
    value = getattr(_DEFAULTS, name)
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return str(value)


@click.command()
@click.argument("data", required=False, type=click.Path(dir_okay=False))
@click.option("--target", "-t", metavar="COL", help="The column to predict (required with a DATA file).")
@click.option(
    "--dataset", "-d", metavar="NAME", help="Train on a built-in dataset (see `descenso datasets`)."
)
@click.option(
    "--task",
    type=click.Choice(options.TASKS),
    help="The task; default: inferred from the target (two values: binary).",
)
@click.option(
    "--missing",
    type=click.Choice(options.MISSING),
    default=_DEFAULTS.missing,
    show_default=True,
    help="Rows with missing values: refuse, drop them, or fill with the training mean.",
)
@click.option(
    "--hidden",
    type=options.Hidden(),
    default=_help_default("hidden"),
    show_default=True,
    help="Hidden layer widths, e.g. 64,64; 'none' for a linear model.",
)
@click.option(
    "--activation",
    type=click.Choice(options.ACTIVATIONS),
    default=_DEFAULTS.activation,
    show_default=True,
    help="Activation of every hidden layer.",
)
@click.option(
    "--loss",
    type=click.Choice(_ALL_LOSSES),
    help="binary: bce, hinge; regression: mse, mae, huber. Default: bce / mse.",
)
@click.option(
    "--optimizer",
    type=click.Choice(options.OPTIMIZERS),
    default=_DEFAULTS.optimizer,
    show_default=True,
    help="The update rule; sgd and gd are the same plain step, -lr times the gradient.",
)
@click.option(
    "--lr",
    type=click.FloatRange(0, min_open=True),
    default=_DEFAULTS.lr,
    show_default=True,
    help="Learning rate.",
)
@click.option(
    "--epochs", type=click.IntRange(min=1), default=_DEFAULTS.epochs, show_default=True, help="Most epochs."
)
@click.option(
    "--batch-size",
    type=options.BatchSize(),
    default="auto",
    show_default=True,
    help="Samples per step: a number, auto (min(200, max(32, n // 10))) or full (full-batch descent).",
)
@click.option(
    "--features",
    type=options.Names(),
    default="",
    metavar="NAMES",
    help="Representation steps before the network, e.g. 'polar(x,y),standardize' (a step that takes "
    "columns names them; polar(x,y) replaces x and y by 4 features: r, angle, sin_angle, cos_angle).",
)
@click.option(
    "--alpha", type=click.FloatRange(min=0), default=_DEFAULTS.alpha, show_default=True, help="L2 penalty."
)
@click.option(
    "--early-stopping/--no-early-stopping",
    default=True,
    show_default=True,
    help="Stop when the validation loss stops improving (and keep the best weights). "
    "--no-early-stopping trains all --epochs.",
)
@click.option(
    "--patience",
    type=click.IntRange(min=1),
    default=_DEFAULTS.patience,
    show_default=True,
    help="Epochs without improvement before early stopping (with --early-stopping only).",
)
@click.option(
    "--schedule",
    type=click.Choice(options.SCHEDULES),
    default=_DEFAULTS.schedule,
    show_default=True,
    help="Learning-rate schedule: cosine (to 0 over --epochs), step (/10 after each third), "
    "plateau (halve after 5 epochs without improvement).",
)
@click.option(
    "--ensemble",
    metavar="N|auto",
    default=str(_DEFAULTS.ensemble),
    show_default=True,
    help="Networks trained and averaged; auto is 3 below 10,000 rows, else 1.",
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0),
    default=_DEFAULTS.tol,
    show_default=True,
    help="Smallest improvement.",
)
@click.option(
    "--val-fraction",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=_DEFAULTS.val_fraction,
    show_default=True,
    help="Share of the training rows held out for validation.",
)
@click.option(
    "--test-fraction",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=_DEFAULTS.test_fraction,
    show_default=True,
    help="Share of all rows held out for the test report.",
)
@click.option(
    "--class-weight",
    type=click.Choice(["balanced"]),
    help="Reweight an imbalanced binary target (default: every row weighs 1).",
)
@click.option("--doctor", is_flag=True, help="Watch training and report what went wrong and how to fix it.")
@click.option(
    "--dtype",
    type=click.Choice(["float32", "float64"]),
    default="float32",
    show_default=True,
    help="Floating-point precision of the weights and the data.",
)
@click.option(
    "--seed",
    type=int,
    default=_DEFAULTS.seed,
    show_default=True,
    help="Seeds the split, the weights and the batches (the estimators' random_state is None: "
    "the command is reproducible by default).",
)
@click.option(
    "--device",
    default=_DEFAULTS.device,
    show_default=True,
    help="Where to train: cpu, cuda or cuda:N (an NVIDIA GPU; needs descenso[gpu]).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    default=_DEFAULTS.samples,
    show_default=True,
    help="Size of a built-in dataset.",
)
@click.option(
    "--noise", type=click.FloatRange(min=0), help="Noise of a built-in dataset (its default otherwise)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=_DEFAULTS.out,
    show_default=True,
    help="Folder that holds the run folders.",
)
@click.option("--name", help="Name of the run folder (default: <data>-<date>-<time>).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Settings from a run's config.json; flags given here override them.",
)
@click.option(
    "--checkpoint-every",
    type=options.CheckpointEvery(),
    metavar="N|epoch",
    help="Save a checkpoint every N steps (or every epoch) to resume from if the run is stopped.",
)
@click.option(
    "--checkpoint-dir",
    type=click.Path(file_okay=False),
    help="Folder of the checkpoint (default: <out>/checkpoints/<name or data>).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue from the checkpoint of an interrupted run with the same settings (or start afresh).",
)
@click.option(
    "--stream",
    is_flag=True,
    help="Read DATA a few pieces at a time, for files larger than memory: the encoding and scaling "
    "are learned in one pass, the test and validation rows held out by a rule seeded with --seed.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output; only the final summary.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line with the results, nothing else.")
@click.pass_context
def train(ctx: click.Context, **params: Any) -> int:
    """Train a model on DATA (CSV or Parquet) or a built-in dataset and write a run folder.

    \b
    With no DATA and no --dataset, trains the built-in demo: a ReLU network on two spirals.
    Examples:
      descenso train
      descenso train --dataset circles --features polar
      descenso train houses.csv --target price --hidden 64,64 --epochs 200
      descenso train --config runs/latest/config.json
      descenso train --dataset spirals --checkpoint-every 100   # then, if stopped: ... --resume
      descenso train big.parquet --target price --stream        # larger than memory

    \b
    Every training default equals that of descenso.Regressor / BinaryClassifier, except --seed
    (0 here, random_state=None there); --test-fraction is the command's own.
    """
    from descenso.cli.training import checkpoint_plan, run_training

    settings = resolve_settings(ctx, params)
    plan = checkpoint_plan(settings, params["name"], params["checkpoint_every"], params["checkpoint_dir"],
                           params["resume"])  # fmt: skip
    return run_training(settings, name=params["name"], quiet=params["quiet"], as_json=params["as_json"],
                        checkpoint=plan)  # fmt: skip


def resolve_settings(ctx: click.Context, params: dict[str, Any]) -> TrainSettings:
    """Settings from the flags, on top of ``--config`` when given (flags typed by the user win)."""
    values: dict[str, Any] = {}
    if params.get("config_path"):
        values.update(read_config(params["config_path"]))
    for name in SETTING_NAMES:
        if name in params and (
            name not in values or ctx.get_parameter_source(name) != ParameterSource.DEFAULT
        ):
            values[name] = params[name]
    # A data source typed on the command line replaces the config's other kind of source.
    data_typed = ctx.get_parameter_source("data") == ParameterSource.COMMANDLINE
    dataset_typed = ctx.get_parameter_source("dataset") == ParameterSource.COMMANDLINE
    if data_typed and not dataset_typed:
        values["dataset"] = None
    if dataset_typed and not data_typed:
        values["data"] = None
    try:
        return from_config(values)
    except click.BadParameter as error:
        raise CLIError(error.message, fix="see `descenso train --help`", code=ExitCode.USAGE) from None
    except TypeError as error:
        raise CLIError(
            f"bad settings: {error}", fix="see `descenso train --help`", code=ExitCode.USAGE
        ) from None
