"""``descenso train`` under ``mpiexec``: which rank this process is, and what only rank 0 does.

``mpiexec -n 4 descenso train big.parquet --target y`` starts four copies of the command. Each
finds out from its environment that it is one of several ranks (:func:`launch_size`: MPICH's
``PMI_SIZE``, Open MPI's ``OMPI_COMM_WORLD_SIZE``), without importing mpi4py when it was not
started that way, and then:

* every rank reads the data and checks the settings in one agreed step (:func:`together`): if
  one rank fails, every rank reports that rank's error and exits with its code;
* every rank trains its part of each batch (``distributed=True``, see :mod:`descenso.distributed`);
* only rank 0 prints (progress bar, summary) and writes the run folder, the model file and the
  report (:func:`finish`); the other ranks wait for its exit code and exit with the same one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from descenso.cli import console
from descenso.cli.errors import CLIError, ExitCode

T = TypeVar("T")

#: Where each MPI launcher puts the number of ranks, checked in this order.
SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")

#: The exit code of an error that one rank raised, by its type, when it carried none.
_CODES = {
    "DataError": ExitCode.DATA,
    "CheckpointError": ExitCode.CHECKPOINT,
    "CheckpointMismatchError": ExitCode.CHECKPOINT,
    "DivergenceError": ExitCode.DIVERGED,
    "ModelFileError": ExitCode.MODEL_FILE,
}


def launch_size(environ: Mapping[str, str] | None = None) -> int:
    """How many ranks ``mpiexec`` started, read from the environment; 1 when it did not start us.

    Examples
    --------
    >>> launch_size({"PMI_SIZE": "4", "PMI_RANK": "2"})
    4
    >>> launch_size({"OMPI_COMM_WORLD_SIZE": "2"}), launch_size({})
    (2, 1)
    """
    environ = os.environ if environ is None else environ
    for name in SIZE_VARIABLES:
        value = environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def ranks(environ: Mapping[str, str] | None = None) -> Any:
    """This run's ranks: ``Local()`` in one process, a ``DataParallel`` over ``mpiexec``'s ranks.

    On a rank other than 0 the console's progress and result lines are muted from here on.

    Raises
    ------
    CLIError
        Exit code 2 when started by ``mpiexec`` but mpi4py is not installed (says what to install).
    """
    from descenso.distributed import DataParallel, Local

    if launch_size(environ) == 1:
        return Local()
    try:
        parallel = DataParallel()
    except ImportError as error:
        raise CLIError(str(error), fix="pip install 'descenso[mpi]' in the environment mpiexec runs",
                       code=ExitCode.USAGE) from None  # fmt: skip
    if not parallel.is_root:
        console.mute()
    return parallel


def exit_code(error: Any) -> ExitCode:
    """The exit code for a :class:`~descenso.distributed.RankError`: the failing rank's own."""
    if isinstance(getattr(error, "code", None), int):
        return ExitCode(error.code)
    return _CODES.get(getattr(error, "kind", ""), ExitCode.INTERNAL)


def together(parallel: Any, step: Callable[[], T]) -> T:
    """Run ``step`` (read the data, check the settings) on every rank; all go on, or all stop.

    Raises
    ------
    CLIError
        On every rank, when ``step`` failed on any: ``rank R of N: <its message>`` with its fix
        and its exit code, so every rank exits with the same status.
    """
    from descenso.distributed import RankError

    try:
        return parallel.load(step, what="start")
    except RankError as error:
        problem = error.problem if error.kind == "CLIError" else f"{error.kind}: {error.problem}"
        others = str(error).partition(" (rank")[2]
        message = f"rank {error.rank} of {parallel.size}: {problem}" + (f" (rank{others}" if others else "")
        raise CLIError(message, fix=error.fix, code=exit_code(error)) from None


def finish(parallel: Any, write: Callable[[], int]) -> int:
    """Rank 0 runs ``write`` (the run folder and the summary); every rank returns its exit code.

    The other ranks wait for rank 0's code. If ``write`` raises, rank 0 still sends the code its
    error will end with before raising it, so no rank is left waiting.
    """
    if not parallel.is_root:
        return int(parallel.agree(None))
    try:
        code = write()
    except CLIError as error:
        parallel.agree(int(error.code))
        raise
    except BaseException:
        parallel.agree(int(ExitCode.INTERNAL))
        raise
    return int(parallel.agree(code))
