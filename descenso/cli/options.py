"""Parsing of the command's flag values: ``--hidden 64,64``, ``--features polar,standardize``, ...

Each parser takes the text a user typed and returns a Python value, or raises ``click.BadParameter``
with what was expected, what was got and an example — click turns that into a usage error (exit 2)
that names the flag.
"""

from __future__ import annotations

from typing import Any

import click

from descenso.features.columns import split_steps

#: Optimizer names the command accepts (descenso.optim's names; "gd" is plain gradient descent).
OPTIMIZERS = ("sgd", "gd", "adam", "adamw", "rmsprop")
#: Activation names for the hidden layers.
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softplus", "identity")
#: Losses for each task.
LOSSES = {"binary": ("bce", "hinge"), "regression": ("mse", "mae", "huber")}
TASKS = ("binary", "regression")
MISSING = ("error", "drop", "mean")
#: Learning-rate schedules (descenso.optim.scheduling's names; "none" keeps the rate constant).
SCHEDULES = ("none", "cosine", "step", "plateau")


def parse_ensemble(text: str | int) -> int | str:
    """``"auto"`` or a number of networks from 1 to 100 (``"3"`` -> 3).

    Examples
    --------
    >>> from descenso.cli.options import parse_ensemble
    >>> parse_ensemble("auto"), parse_ensemble("5"), parse_ensemble(1)
    ('auto', 5, 1)
    """
    cleaned = text if isinstance(text, int) and not isinstance(text, bool) else str(text).strip().lower()
    if cleaned == "auto":
        return "auto"
    if isinstance(cleaned, str) and cleaned.isdigit():
        cleaned = int(cleaned)
    if isinstance(cleaned, int) and 1 <= cleaned <= 100:
        return cleaned
    raise click.BadParameter(f"expected 'auto' or a number of networks from 1 to 100; got {text!r}")


def parse_hidden(text: str | tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """Hidden layer widths from ``"64,64"``; ``"none"``, ``"0"`` or ``""`` mean no hidden layer.

    Examples
    --------
    >>> from descenso.cli.options import parse_hidden
    >>> parse_hidden("64, 32"), parse_hidden("none")
    ((64, 32), ())
    >>> parse_hidden("64,x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: expected comma-separated positive integers such as 64,64 ...; got '64,x'
    """
    if isinstance(text, (tuple, list)):
        text = ",".join(str(width) for width in text)
    if not isinstance(text, str):  # a config.json may hold any JSON value
        raise click.BadParameter(f"expected comma-separated positive integers such as 64,64; got {text!r}")
    cleaned = text.strip().lower()
    if cleaned in ("", "none", "0", "linear"):
        return ()
    parts = [part.strip() for part in cleaned.split(",")]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise click.BadParameter(
            "expected comma-separated positive integers such as 64,64 (or 'none' for a linear model); "
            f"got {text!r}"
        )
    return tuple(int(part) for part in parts)


def parse_names(
    text: str | list[str] | tuple[str, ...] | None, known: tuple[str, ...] | None = None
) -> list[str]:
    """Comma-separated names (``"polar,standardize"``), checked against ``known`` when given.

    Examples
    --------
    >>> from descenso.cli.options import parse_names
    >>> parse_names("Polar, standardize", known=("polar", "standardize"))
    ['polar', 'standardize']
    >>> parse_names("Polar(Bill_Length,Bill_Depth),standardize")
    ['polar(Bill_Length,Bill_Depth)', 'standardize']
    >>> parse_names("polr", known=("polar", "standardize"))
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: unknown name 'polr'; choose from: polar, standardize
    """
    if text is None:
        return []
    if not isinstance(text, (str, list, tuple)):  # a config.json may hold any JSON value
        raise click.BadParameter(f"expected comma-separated names such as polar,standardize; got {text!r}")
    items = list(text) if isinstance(text, (list, tuple)) else split_steps(text)
    # A step's columns keep their case: polar(Bill_Length,Bill_Depth) names a table's columns.
    names = [_lower_name(str(item).strip()) for item in items if str(item).strip()]
    if known is not None:
        for name in names:
            if name not in known:
                raise click.BadParameter(f"unknown name {name!r}; choose from: {', '.join(known)}")
    return names


def _lower_name(item: str) -> str:
    name, parenthesis, columns = item.partition("(")
    return name.strip().lower() + parenthesis + columns


def parse_batch_size(text: str | int | None) -> int | str | None:
    """``"32"`` -> 32, ``"auto"`` -> ``"auto"``, ``"full"`` -> ``None`` (full-batch gradient descent).

    Examples
    --------
    >>> from descenso.cli.options import parse_batch_size
    >>> parse_batch_size("32"), parse_batch_size("full"), parse_batch_size("auto")
    (32, None, 'auto')
    """
    if text is None:
        return None
    if isinstance(text, int):
        return positive_int(text, "batch size")
    cleaned = str(text).strip().lower()
    if cleaned in ("full", "none"):
        return None
    if cleaned == "auto":
        return "auto"
    if cleaned.isdigit() and int(cleaned) > 0:
        return int(cleaned)
    raise click.BadParameter(f"expected a positive integer, 'auto' or 'full'; got {text!r}")


def positive_int(value: Any, what: str) -> int:
    """Check a positive integer (``bool`` is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise click.BadParameter(f"{what} must be a positive integer; got {value!r}")
    return value


def number(value: Any, what: str) -> float:
    """Check a real number (``bool`` and text are refused: a config.json may hold either).

    Examples
    --------
    >>> from descenso.cli.options import number
    >>> number(3, "alpha")
    3.0
    >>> number("fast", "learning rate")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: learning rate must be a number; got 'fast'
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise click.BadParameter(f"{what} must be a number; got {value!r}")
    return float(value)


def fraction(value: float, what: str, allow_zero: bool = False) -> float:
    """Check a fraction in (0, 1) (or [0, 1) with ``allow_zero``).

    Examples
    --------
    >>> from descenso.cli.options import fraction
    >>> fraction(0.2, "test fraction")
    0.2
    >>> fraction(1.5, "test fraction")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: test fraction must be between 0 and 1 (exclusive); got 1.5
    """
    value = number(value, what)
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value < 1):
        bound = "[0, 1)" if allow_zero else "between 0 and 1 (exclusive)"
        raise click.BadParameter(f"{what} must be {bound}; got {value!r}")
    return float(value)


def positive_float(value: float, what: str) -> float:
    """Check a finite number > 0 (a learning rate, a time budget)."""
    value = number(value, what)
    if not (value > 0 and value < float("inf")):
        raise click.BadParameter(f"{what} must be a positive number such as 0.01; got {value!r}")
    return float(value)


class Hidden(click.ParamType):
    """click type for ``--hidden``."""

    name = "WIDTHS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_hidden(value)
        except click.BadParameter as error:
            self.fail(error.message, param, ctx)


class BatchSize(click.ParamType):
    """click type for ``--batch-size``."""

    name = "N|auto|full"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_batch_size(value)
        except click.BadParameter as error:
            self.fail(error.message, param, ctx)


class Names(click.ParamType):
    """click type for comma-separated names, e.g. ``--features polar,standardize``."""

    name = "NAMES"

    def __init__(self, known: tuple[str, ...] | None = None) -> None:
        self.known = known

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_names(value, self.known)
        except click.BadParameter as error:
            self.fail(error.message, param, ctx)


def parse_checkpoint_every(text: Any) -> int | str:
    """``--checkpoint-every``: a positive number of steps, or ``epoch``.

    Examples
    --------
    >>> from descenso.cli.options import parse_checkpoint_every
    >>> parse_checkpoint_every("100"), parse_checkpoint_every("Epoch")
    (100, 'epoch')
    >>> parse_checkpoint_every("0")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: expected a positive number of steps such as 100, or 'epoch'; got '0'
    """
    cleaned = str(text).strip().lower()
    if cleaned == "epoch":
        return "epoch"
    if cleaned.isdigit() and int(cleaned) > 0:
        return int(cleaned)
    raise click.BadParameter(f"expected a positive number of steps such as 100, or 'epoch'; got {text!r}")


class CheckpointEvery(click.ParamType):
    """The click type of ``--checkpoint-every``."""

    name = "checkpoint_every"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | str:
        try:
            return parse_checkpoint_every(value)
        except click.BadParameter as error:
            self.fail(error.message, param, ctx)
