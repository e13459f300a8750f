"""Helpers for the command's tests: run ``python -m descenso`` in a temporary folder, write CSV files."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def descenso(
    *args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m descenso ARGS`` in ``cwd`` (the checkout importable, no terminal)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    environment.pop("DESCENSO_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "descenso", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_user_error(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    """One clear message: the exit code, ``error:`` first, the words in it, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith(("error:", "fix:"))]
    assert lines and lines[0].startswith("error:"), result.stderr
    assert sum(line.startswith("error:") for line in lines) == 1
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
