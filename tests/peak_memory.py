"""Peak memory of a fresh Python process, for the tests that bound what reading or training costs.

A test runs its script with :func:`run_python` (a new interpreter, so pytest's own memory is not
counted); the script does ``from peak_memory import peak_mib``, runs each code path once on a small
input (the libraries' first-use memory is not the data's), takes ``peak_mib()`` as its baseline, does
the real work and reports ``peak_mib() - baseline``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_mib() -> float:
    """This process's own peak resident memory in MiB (Linux's VmHWM, from ``/proc/self/status``).

    Not getrusage's ``ru_maxrss``: across fork + exec it starts from the parent's peak (pytest's,
    hundreds of MiB), hiding the child's.
    """
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def run_python(script: str, *args: object, timeout: float = 300) -> str:
    """Run ``python -c script args...`` with descenso and this module importable; its stdout.

    One thread for the BLAS libraries, so their per-thread buffers do not vary with the machine.
    """
    env = {
        "PATH": "/usr/bin:/bin",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)]),
    }
    command = [sys.executable, "-c", script, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout
