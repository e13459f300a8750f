"""Missing values, one way in every command: the rule the model was trained with.

``descenso train --missing RULE`` saves the rule in the model (the estimator's ``missing``), and
``predict``, ``evaluate`` and ``explain`` apply it to the file they are given:

- ``error``: refuse a file with missing values, naming the columns and the first rows;
- ``drop``: leave those rows out (``predict`` writes them with an empty prediction);
- ``mean``: fill them with the training means the model keeps (a missing target is left out: a
  target is never invented).

``--missing`` overrides the model's rule for one command: ``drop`` or ``error`` always make sense;
``mean`` only for a model that keeps fill values (trained with ``--missing mean``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np

from descenso.cli import console
from descenso.cli.errors import CLIError, ExitCode

RULES = ("error", "drop", "mean")

OPTION = click.option(
    "--missing",
    type=click.Choice(RULES),
    default=None,
    help="Rows with missing values: refuse, leave them out, or fill with the model's training means "
    "(default: the rule the model was trained with, train --missing).",
)


def model_rule(estimator: Any) -> str:
    """The rule a model was trained with, as the command spells it (``None`` is ``"error"``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from descenso.cli.missing import model_rule
    >>> model_rule(SimpleNamespace(missing=None)), model_rule(SimpleNamespace(missing="drop"))
    ('error', 'drop')
    """
    return getattr(estimator, "missing", None) or "error"


def resolve(estimator: Any, override: str | None) -> str:
    """``--missing`` if given, else the model's rule; a usage error for a fill the model cannot do."""
    rule = override or model_rule(estimator)
    if rule == "mean" and not hasattr(estimator, "fill_values_"):
        raise CLIError(
            "--missing mean fills with the training means a model keeps; this model was trained "
            f"with --missing {model_rule(estimator)} and has none",
            fix="pass --missing drop to leave the rows with gaps out, or retrain with --missing mean",
            code=ExitCode.USAGE,
        )
    return rule


def header_lines(path: str) -> int:
    """Lines before the first data row: 1 for a CSV file (its header), 0 for Parquet."""
    from descenso.data.sources import PARQUET_SUFFIXES

    return 0 if Path(path).name.lower().endswith(PARQUET_SUFFIXES) else 1


def rows_to_use(
    rule: str, features: Any, path: str, target: Any = None, predicting: bool = False
) -> np.ndarray:
    """Which rows of a file a command uses under ``rule``; says which it leaves out, or refuses.

    Parameters
    ----------
    rule : {"error", "drop", "mean"}
        From :func:`resolve`.
    features : pandas.DataFrame
        The model's input columns of the file.
    path : str
        The file (messages name it, and count its lines).
    target : pandas.Series, optional
        The labels (``evaluate``, ``explain``): a row without one is never used.
    predicting : bool, default False
        ``predict``: the rows left out are written with an empty prediction, and the line says so.

    Returns
    -------
    numpy.ndarray of bool
        True for the rows to use, one per row of ``features``.

    Raises
    ------
    CLIError
        Exit code 3 under ``error``, naming the columns with gaps and the first rows, and when
        no row is left.
    """
    from descenso.data.sources import rows_text

    gaps = features.isna()
    no_target = np.zeros(len(features), bool) if target is None else target.isna().to_numpy()
    unusable = no_target | (gaps.any(axis=1).to_numpy() if rule != "mean" else False)
    if not unusable.any():
        return ~unusable
    name, lines = Path(path).name, header_lines(path)
    if rule == "error":
        counts = [*gaps.sum().items(), *([] if target is None else [(target.name, int(no_target.sum()))])]
        columns = [f"{column} ({_rows(int(n))})" for column, n in counts if n]
        raise CLIError(
            f"{name} has missing values in {', '.join(columns)}: "
            f"{rows_text(np.flatnonzero(unusable), lines)}; --missing error refuses them",
            fix="pass --missing drop to leave those rows out, or fill them first",
        )
    if unusable.all():
        raise CLIError(
            f"every one of the {_rows(len(features))} of {name} has missing values; nothing is left to use",
            fix="fill the gaps, or pass a file with complete rows",
        )
    n = int(unusable.sum())
    done = f"no prediction for {_rows(n)}" if predicting else f"left out {n} of {_rows(len(features))}"
    why = "" if rule == "drop" else ", a target is never filled"
    where = rows_text(np.flatnonzero(unusable), lines)
    console.info(f"{done} with missing values (--missing {rule}{why}): {where}")
    return ~unusable


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
