"""The ``descenso`` command group and its entry point :func:`main`.

:func:`main` runs click in non-standalone mode so that every way a command can end is mapped here,
in one place, to a message and an exit code (see :mod:`descenso.cli.errors`): user errors print one
message with the fix and no traceback; an unexpected exception is reported as a bug, with the
traceback only when ``DESCENSO_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from descenso.cli import console
from descenso.cli.errors import CLIError, ExitCode, divergence_fix


def _version() -> str:
    from descenso import __version__

    return __version__


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Exit codes: 0 ok, 1 internal error, 2 usage error, 3 data error, 4 model-file error, "
    "5 training diverged, 6 checkpoint error, 7 replay differs, 130 interrupted (Ctrl-C), "
    "143 terminated (SIGTERM).",
)
@click.version_option(_version(), "-V", "--version", prog_name="descenso", message="%(prog)s %(version)s")
def cli() -> None:
    """descenso: train, evaluate and explain neural networks for regression and binary classification.

    \b
    Start here:
      descenso train                             train the built-in demo (spirals) and write a report
      descenso train data.csv --target price     train on your table; the task is inferred
      descenso predict runs/latest/model.descenso new.csv -o preds.csv
      descenso explain                           one gradient-descent step, value by value
    """


def _register() -> None:
    """Attach the commands (kept in their own modules, one per family)."""
    from descenso.cli.commands_info import datasets, playground
    from descenso.cli.commands_predict import evaluate, predict
    from descenso.cli.commands_train import train
    from descenso.cli.explain import explain
    from descenso.cli.replay import replay

    for command in (train, predict, evaluate, datasets, explain, playground, replay):
        cli.add_command(command)


_register()


def _known_error(error: BaseException) -> CLIError | None:
    """Library exceptions that are user errors wherever they surface."""
    from descenso.checkpoint import CheckpointError, CheckpointMismatchError
    from descenso.distributed import RankError
    from descenso.serialize import ModelFileError
    from descenso.stopping import DivergenceError

    if isinstance(error, RankError):  # one rank of `mpiexec ... descenso train` failed: every rank says so
        from descenso.cli.ranks import exit_code

        return CLIError(str(error), fix=error.fix, code=exit_code(error))
    if isinstance(error, (CheckpointError, CheckpointMismatchError)):
        return CLIError(str(error), code=ExitCode.CHECKPOINT)

    if isinstance(error, DivergenceError):
        return CLIError(error.summary, fix=divergence_fix(error), code=ExitCode.DIVERGED)
    if isinstance(error, ModelFileError):
        return CLIError(
            str(error), fix="pass a model file written by `descenso train`", code=ExitCode.MODEL_FILE
        )
    return None


def run(args: Sequence[str] | None = None) -> int:
    """Run the command line ``args`` and return the exit code, never raising.

    Parameters
    ----------
    args : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        An :class:`~descenso.cli.errors.ExitCode` value.

    Examples
    --------
    >>> from descenso.cli.main import run
    >>> run(["--version"])  # doctest: +ELLIPSIS
    descenso ...
    0
    """
    try:
        outcome: Any = cli.main(args=list(args) if args is not None else None, prog_name="descenso",
                                standalone_mode=False)  # fmt: skip
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.UsageError as problem:  # bad flag value, unknown option, missing argument
        if type(problem).__name__ == "NoArgsIsHelpError" and problem.ctx is not None:
            click.echo(problem.ctx.get_help())  # plain `descenso`: the help, as a request, not an error
            return int(ExitCode.OK)
        command = problem.ctx.command_path if problem.ctx is not None else "descenso"
        console.error(CLIError(problem.format_message(), fix=f"see `{command} --help`", code=ExitCode.USAGE))
        return int(ExitCode.USAGE)
    except click.ClickException as problem:
        problem.show()
        return int(problem.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        console.error(CLIError("interrupted", code=ExitCode.INTERRUPTED))
        return int(ExitCode.INTERRUPTED)
    except CLIError as problem:
        console.error(problem)
        return int(problem.code)
    except Exception as error:
        known = _known_error(error)
        if known is not None:
            console.error(known)
            return int(known.code)
        if os.environ.get("DESCENSO_DEBUG"):
            traceback.print_exc()
        fix = "this is a bug in descenso; rerun with DESCENSO_DEBUG=1 to see the traceback and report it"
        console.error(CLIError(f"internal error: {type(error).__name__}: {error}", fix=fix))
        return int(ExitCode.INTERNAL)
    return int(outcome) if isinstance(outcome, int) else int(ExitCode.OK)


def main(args: Sequence[str] | None = None) -> None:
    """Entry point of the ``descenso`` script and of ``python -m descenso``: run and exit."""
    sys.exit(run(args))
