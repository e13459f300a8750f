"""Exit codes and the one-message error of the ``descenso`` command.

A user error is shown as one line saying what is wrong and one line saying how to fix it, never a
traceback; the exit code tells scripts what kind of failure it was:

====  =====================  =============================================================
code  name                   meaning
====  =====================  =============================================================
0     ``OK``                 success
1     ``INTERNAL``           a bug in descenso (rerun with ``DESCENSO_DEBUG=1`` for the traceback)
2     ``USAGE``              bad command line: unknown option, bad flag value, bad config file
3     ``DATA``               data problem: missing file or column, unreadable table, wrong target
4     ``MODEL_FILE``         the model file is missing, corrupt or not a descenso model
5     ``DIVERGED``           training diverged (loss became NaN or infinite)
6     ``CHECKPOINT``         a checkpoint could not be written (disk full), read, or locked (another
                             run uses the folder), or it belongs to another run
7     ``DIFFERS``            ``descenso replay``: the retrained run is not bitwise equal to the record
130   ``INTERRUPTED``        stopped with Ctrl-C (after saving the best model so far, when training)
143   ``TERMINATED``         stopped by SIGTERM (like Ctrl-C: the step finishes, a checkpoint is saved)
====  =====================  =============================================================
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from typing import Any


class ExitCode(enum.IntEnum):
    """The exit status of ``descenso``; see the table in this module's docstring.

    Examples
    --------
    >>> from descenso.cli.errors import ExitCode
    >>> int(ExitCode.DATA), ExitCode(5).name
    (3, 'DIVERGED')
    """

    OK = 0
    INTERNAL = 1
    USAGE = 2
    DATA = 3
    MODEL_FILE = 4
    DIVERGED = 5
    CHECKPOINT = 6
    DIFFERS = 7
    INTERRUPTED = 130
    TERMINATED = 143


class CLIError(Exception):
    """A user error the command reports as one message, a fix, and an exit code.

    Parameters
    ----------
    message : str
        What is wrong, with the values involved (expected / got).
    fix : str, optional
        What to do about it.
    code : ExitCode, default ExitCode.DATA
        The process exit status.

    Examples
    --------
    >>> from descenso.cli.errors import CLIError, ExitCode
    >>> error = CLIError("column 'price' not found", fix="pass --target with one of: area, rooms")
    >>> str(error), error.code.name
    ("column 'price' not found", 'DATA')
    """

    def __init__(self, message: str, fix: str | None = None, code: ExitCode = ExitCode.DATA) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.code = ExitCode(code)


def divergence_fix(error: Any) -> str:
    """The one suggestion for a :class:`~descenso.stopping.DivergenceError`, as a flag to pass.

    Examples
    --------
    >>> from descenso.stopping import DivergenceError
    >>> from descenso.cli.errors import divergence_fix
    >>> divergence_fix(DivergenceError("the loss became inf", epoch=2, lr=1.0))
    'pass a smaller learning rate, e.g. --lr 0.1'
    """
    if error.suggested_lr is None:
        return "pass a smaller learning rate with --lr"
    return f"pass a smaller learning rate, e.g. --lr {error.suggested_lr:g}"


def _message_of(error: BaseException) -> str:
    """The readable text of a library exception (``KeyError`` adds quotes we do not want)."""
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    if isinstance(error, FileNotFoundError) and error.filename:
        return f"file not found: {error.filename}"
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error) or type(error).__name__


@contextlib.contextmanager
def user_errors(
    code: ExitCode, fix: str | None = None, also: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    """Turn the library's user-facing exceptions raised inside the block into a :class:`CLIError`.

    The library raises ``ValueError`` (wrong values), ``TypeError`` (wrong kinds), ``KeyError``
    (unknown names) and ``OSError`` (files) with messages that already say what is wrong; inside a
    block that only handles user input those are user errors, reported with ``code``. Anything else
    is left alone and ends up as an internal error.

    Parameters
    ----------
    code : ExitCode
        Exit status for errors raised in the block.
    fix : str, optional
        A fix to print when the library's message does not carry one.
    also : tuple of exception types, default ()
        Further exception types to treat as user errors.

    Examples
    --------
    >>> from descenso.cli.errors import CLIError, ExitCode, user_errors
    >>> try:
    ...     with user_errors(ExitCode.DATA):
    ...         raise ValueError("column 'price' not found")
    ... except CLIError as error:
    ...     print(error.code.name, error)
    DATA column 'price' not found
    """
    handled: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError, OSError, *also)
    try:
        yield
    except CLIError:
        raise
    except handled as error:
        message = _message_of(error)
        if fix is None:
            message, fix = split_fix(message)
        raise CLIError(message, fix=fix, code=code) from error


# The verbs a library message's closing advice starts with ("...; pass lr=0.01", "... Fix: drop them").
_ADVICE = (
    "pass", "try", "use", "fill", "drop", "name", "give", "choose", "call", "set", "reshape", "remove",
    "train", "install", "check", "map", "write", "leave", "increase", "raise", "lower", "add", "rename",
    "convert", "encode", "save", "see", "run", "make", "select", "fit", "read", "reduce", "load", "delete",
)  # fmt: skip


def split_fix(message: str) -> tuple[str, str | None]:
    """Split a library message into what is wrong and its advice, for the ``fix:`` line.

    The library words its errors as "expected, got, fix" in one sentence; the command prints the
    fix on its own line. The advice is a ``Fix:`` clause, or the last ``;``- or ``.``-separated
    clause when it starts with a verb of advice (pass, try, use, fill, drop ...).

    Examples
    --------
    >>> from descenso.cli.errors import split_fix
    >>> split_fix("column 'x' holds text; use descenso.data.read to encode text columns")
    ("column 'x' holds text", 'use descenso.data.read to encode text columns')
    >>> split_fix("2 rows have 'Emperor'. Fix: map them to a known category")
    ("2 rows have 'Emperor'", 'map them to a known category')
    >>> split_fix("the file is empty")
    ('the file is empty', None)
    """
    for marker in (". Fix: ", "; Fix: ", " Fix: ", "; fix: "):
        if marker in message:
            head, _, advice = message.partition(marker)
            return head.rstrip(" .;"), advice.rstrip(" .")
    for separator in ("; ", ". "):
        head, found, advice = message.rpartition(separator)
        words = advice.split()
        if found and head and words and words[0].lower().rstrip(",:") in _ADVICE:
            return head.rstrip(" .;"), advice.rstrip(" .")
    return message, None
