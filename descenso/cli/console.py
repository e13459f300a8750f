"""Where the command writes: styled with rich on a terminal, plain text everywhere else.

Results go to stdout, progress and errors to stderr, so ``descenso ... --json > out.json`` and pipes
stay clean. Colour, boxes and live bars appear only when the stream is a terminal (and ``NO_COLOR`` is
not set); a log file or a test sees plain lines.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from descenso.cli.errors import CLIError

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal that should get rich styling."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def console(stderr: bool = False) -> Console | None:
    """A rich Console for stdout (or stderr) when it is a terminal, else ``None``.

    Examples
    --------
    >>> from descenso.cli.console import console
    >>> console() is None  # doctest output is not a terminal
    True
    """
    stream = sys.stderr if stderr else sys.stdout
    if not is_terminal(stream):
        return None
    try:
        from rich.console import Console
    except ImportError:  # pragma: no cover - rich is part of the cli extra
        return None
    return Console(file=stream, no_color="NO_COLOR" in os.environ, highlight=False)


_muted = False


def mute() -> None:
    """Print no more progress or result lines (every rank but rank 0 of ``mpiexec ... descenso``).

    Errors are still printed.
    """
    global _muted
    _muted = True


def info(text: str) -> None:
    """A progress or status line on stderr (dim on a terminal)."""
    if _muted:
        return
    rich = console(stderr=True)
    if rich is None:
        click.echo(text, err=True)
    else:
        rich.print(text, style="dim", markup=False, soft_wrap=True)


def result(text: str) -> None:
    """A line of the command's result on stdout."""
    if not _muted:
        click.echo(text)


def error(problem: CLIError) -> None:
    """Print a user error: ``error: <message>`` and, when known, ``fix: <what to do>``, on stderr."""
    if _muted and problem.code != 1:  # rank 0 prints the error every rank agreed on; a bug, each rank
        return
    rich = console(stderr=True)
    if rich is None:
        click.echo(f"error: {problem.message}", err=True)
        if problem.fix:
            click.echo(f"fix: {problem.fix}", err=True)
        return
    from rich.text import Text

    rich.print(Text.assemble(("error: ", "bold red"), problem.message), soft_wrap=True)
    if problem.fix:
        rich.print(Text.assemble(("fix: ", "bold green"), problem.fix), soft_wrap=True)


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """Print a table on stdout: a rich table on a terminal, aligned plain columns elsewhere.

    Examples
    --------
    >>> from descenso.cli.console import table
    >>> table("sizes", ["name", "n"], [["spirals", "400"], ["moons", "1000"]])
    name     n
    spirals  400
    moons    1000
    """
    rich = console()
    if rich is not None:
        from rich.table import Table

        grid = Table(title=title)
        for column in columns:
            grid.add_column(column)
        for row in rows:
            grid.add_row(*row)
        rich.print(grid)
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(columns, *rows, strict=True)]
    for row in [columns, *rows]:
        click.echo(
            "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
