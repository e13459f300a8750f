"""The ``descenso`` command: train, predict, evaluate, explain, datasets, playground.

Needs the ``cli`` extra (``pip install 'descenso[cli]'``: click, rich, matplotlib and the data
readers). ``python -m descenso`` and the ``descenso`` script both call :func:`main`.
"""

from __future__ import annotations

try:
    import click  # noqa: F401 - fail early with the extra to install
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("the descenso command needs click and rich: pip install 'descenso[cli]'") from None

from descenso.cli.errors import CLIError, ExitCode
from descenso.cli.main import cli, main, run

__all__ = ["CLIError", "ExitCode", "cli", "main", "run"]
