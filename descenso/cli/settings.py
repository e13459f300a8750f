"""Every setting of a training run, validated in one place, and its round trip through config.json.

``descenso train`` turns its flags into a :class:`TrainSettings`; the run folder's ``config.json``
holds ``TrainSettings.to_config()``; ``descenso train --config FILE`` reads it back with
:func:`from_config` and lets flags given on the command line override single values.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from descenso.cli import options
from descenso.cli.errors import CLIError, ExitCode, user_errors

#: The built-in run of ``descenso train`` with no data: the README's first command.
DEFAULT_DATASET = "spirals"


@dataclass
class TrainSettings:
    """The settings of one ``descenso train`` run (the flags, after parsing and defaults).

    ``data`` is a CSV/Parquet path and ``dataset`` a built-in name; with neither, the built-in
    default :data:`DEFAULT_DATASET` is used. ``loss=None`` means the task's default (``bce`` or
    ``mse``); ``batch_size=None`` means full-batch gradient descent.
    """

    data: str | None = None
    dataset: str | None = None
    target: str | None = None
    task: str | None = None
    samples: int = 600
    noise: float | None = None
    missing: str = "error"
    hidden: tuple[int, ...] = (64, 64)
    activation: str = "relu"
    loss: str | None = None
    optimizer: str = "adam"
    lr: float = 3e-3
    epochs: int = 500
    batch_size: int | str | None = "auto"
    features: list[str] = field(default_factory=list)
    alpha: float = 3e-3
    early_stopping: bool = True
    patience: int = 10
    tol: float = 1e-4
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    class_weight: str | None = None
    doctor: bool = False
    dtype: str = "float32"
    seed: int = 0
    device: str = "cpu"
    out: str = "runs"
    schedule: str = "none"
    ensemble: int | str = "auto"
    stream: bool = False

    def validate(self) -> TrainSettings:
        """Check every value; raise ``click.BadParameter`` naming the setting and the fix.

        A data file that does not exist is a :class:`CLIError` with exit code ``DATA`` instead
        (when ``target`` is missing too, that is the first thing to fix).
        """
        for name in ("data", "dataset", "target", "task", "out"):
            value = getattr(self, name)
            if (value is not None or name == "out") and not isinstance(value, str):
                raise click.BadParameter(f"{name} must be text; got {value!r}")
        if self.stream and self.data is None:
            raise click.BadParameter(
                "--stream reads a DATA file a few pieces at a time; name a CSV/Parquet file"
            )
        if self.data is not None and self.dataset is not None:
            raise click.BadParameter("give either a DATA file or --dataset, not both")
        if self.data is not None and not self.target:
            from descenso.data.sources import check_path, column_names

            with user_errors(ExitCode.DATA):
                path = check_path(self.data)  # a file that is not there is the first thing to say
                names = column_names(path)  # so is a file that is not CSV or Parquet
            example = f"; e.g. --target {names[-1]}" if names else ""
            raise click.BadParameter(
                f"training on a file needs --target COLUMN (the column to predict); the columns of "
                f"'{path.name}' are: {_listed(names)}{example}"
            )
        if self.task not in (None, *options.TASKS):
            raise click.BadParameter(f"task must be one of {', '.join(options.TASKS)}; got {self.task!r}")
        if self.missing not in options.MISSING:
            raise click.BadParameter(
                f"missing must be one of {', '.join(options.MISSING)}; got {self.missing!r}"
            )
        if self.optimizer not in options.OPTIMIZERS:
            raise click.BadParameter(
                f"unknown optimizer {self.optimizer!r}; choose from {', '.join(options.OPTIMIZERS)}"
            )
        if self.activation not in options.ACTIVATIONS:
            raise click.BadParameter(
                f"unknown activation {self.activation!r}; choose from {', '.join(options.ACTIVATIONS)}"
            )
        known_losses = sorted({name for names in options.LOSSES.values() for name in names})
        if self.loss is not None and self.loss not in known_losses:
            raise click.BadParameter(f"unknown loss {self.loss!r}; choose from {', '.join(known_losses)}")
        if self.dtype not in ("float32", "float64"):
            raise click.BadParameter(f"dtype must be float32 or float64; got {self.dtype!r}")
        if self.schedule not in options.SCHEDULES:
            raise click.BadParameter(
                f"unknown schedule {self.schedule!r}; choose from {', '.join(options.SCHEDULES)}"
            )
        self.ensemble = options.parse_ensemble(self.ensemble)
        if self.class_weight not in (None, "balanced"):
            raise click.BadParameter(f"class weight must be 'balanced' or absent; got {self.class_weight!r}")
        self.hidden = options.parse_hidden(self.hidden)
        self.batch_size = options.parse_batch_size(self.batch_size)
        self.features = options.parse_names(self.features)
        options.positive_int(self.epochs, "epochs")
        options.positive_int(self.patience, "patience")
        options.positive_int(self.samples, "samples")
        options.positive_float(self.lr, "learning rate")
        options.fraction(self.test_fraction, "test fraction")
        options.fraction(self.val_fraction, "validation fraction")
        if self.test_fraction + self.val_fraction >= 0.9:
            raise click.BadParameter("test and validation fractions leave under 10% of the data to train on")
        for name in ("alpha", "tol", "noise"):
            value = getattr(self, name)
            if value is not None and not 0 <= options.number(value, name) < float("inf"):
                raise click.BadParameter(f"{name} must be a finite number >= 0; got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise click.BadParameter(f"seed must be an integer >= 0; got {self.seed!r}")
        from descenso import backend

        try:
            with user_errors(ExitCode.USAGE, also=(ImportError, RuntimeError)):  # no CuPy, or no GPU visible
                backend.parse_device(self.device)
        except CLIError as error:  # the library's fix says device='cpu'; here it is --device cpu
            from descenso.cli.flags import as_flags

            fix = None if error.fix is None else as_flags(error.fix)
            raise CLIError(as_flags(error.message), fix=fix, code=error.code) from None
        if not isinstance(self.early_stopping, bool):
            raise click.BadParameter(f"early_stopping must be true or false; got {self.early_stopping!r}")
        return self

    def source_name(self) -> str:
        """A short name of the data for the run folder: the file's stem or the dataset name."""
        if self.data is not None:
            return Path(self.data).stem
        return self.dataset or DEFAULT_DATASET

    def to_config(self) -> dict[str, Any]:
        """The JSON-able settings written to config.json (``data`` as an absolute path)."""
        config = dataclasses.asdict(self)
        config["hidden"] = list(self.hidden)
        if self.data is not None:
            config["data"] = str(Path(self.data).resolve())
        return config


SETTING_NAMES = tuple(f.name for f in dataclasses.fields(TrainSettings))


def read_config(path: str | Path) -> dict[str, Any]:
    """The ``settings`` mapping of a config.json written by ``descenso train``.

    Raises
    ------
    CLIError
        With exit code 2 when the file is missing, not JSON, or names unknown settings.
    """
    fix = "pass the config.json of a run folder, e.g. --config runs/latest/config.json"
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CLIError(f"config file not found: {path}", fix=fix, code=ExitCode.USAGE) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CLIError(f"cannot read config file {path}: {error}", fix=fix, code=ExitCode.USAGE) from None
    settings = payload.get("settings") if isinstance(payload, dict) else None
    if not isinstance(settings, dict):
        raise CLIError(f"{path} has no 'settings' object; it is not a descenso config.json", fix=fix,
                       code=ExitCode.USAGE)  # fmt: skip
    unknown = sorted(set(settings) - set(SETTING_NAMES))
    if unknown:
        known = ", ".join(SETTING_NAMES)
        raise CLIError(
            f"{path} has unknown settings: {', '.join(unknown)}; known: {known}", fix=fix, code=ExitCode.USAGE
        )
    return settings


def from_config(settings: dict[str, Any]) -> TrainSettings:
    """Build :class:`TrainSettings` from a config's ``settings`` mapping (validated)."""
    values = dict(settings)
    if isinstance(values.get("hidden"), list):
        values["hidden"] = tuple(values["hidden"])
    return TrainSettings(**values).validate()


def _listed(names: list[str], most: int = 20) -> str:
    """Column names for a message: the first ``most``, then how many more.

    Examples
    --------
    >>> _listed(["a", "b"])
    'a, b'
    >>> _listed([f"c{i}" for i in range(25)], most=3)
    'c0, c1, c2 and 22 more'
    """
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
