"""Plain-text tables for a step trace: named columns, four significant digits, wrapped to a width.

NumPy and the standard library only, so ``print(trace)`` works wherever ``import descenso`` does.
A table wider than the terminal is cut into column groups printed one under the other (as pandas
prints a wide frame), each with the row labels again, so no line is longer than ``width``.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import Sequence

import numpy as np

MAX_ROWS, MAX_COLS = 6, 8
_MAX_HEADER = 18  # longer column names are shortened with "..."


def terminal_width(width: int | None = None) -> int:
    """``width``, or the terminal's (``COLUMNS`` when set; 80 when not a terminal); at least 40."""
    return max(40, width if width is not None else shutil.get_terminal_size((80, 24)).columns)


def number(value: float) -> str:
    """Four significant digits, in scientific notation only when the value needs it (``3.2e-05``)."""
    text = f"{value:.4g}"
    return "0" if text == "-0" else text


def _header(name: str) -> str:
    return name if len(name) <= _MAX_HEADER else name[: _MAX_HEADER - 3] + "..."


def table(
    title: str,
    row_labels: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    width: int,
) -> list[str]:
    """``title`` then the table, right-aligned, cut into column groups that each fit in ``width``."""
    lines = textwrap.wrap(title, width - 2, initial_indent="  ", subsequent_indent="    ") or [""]
    headers = [_header(c) for c in columns]
    widths = [max([len(h), *(len(row[j]) for row in cells)]) for j, h in enumerate(headers)]
    label_width = max([0, *(len(label) for label in row_labels)])
    groups: list[list[int]] = [[]]
    used = 4 + label_width
    for j, w in enumerate(widths):
        if groups[-1] and used + 2 + w > width:
            groups.append([])
            used = 4 + label_width
        groups[-1].append(j)
        used += 2 + w
    for n, group in enumerate(groups):
        if n:
            lines.append("")
        for label, row in [("", headers), *zip(row_labels, cells, strict=True)]:
            cells_shown = "".join("  " + row[j].rjust(widths[j]) for j in group)
            lines.append("    " + label.ljust(label_width) + cells_shown)
    return [line.rstrip() for line in lines]


def matrix(
    title: str,
    array: np.ndarray,
    width: int,
    column_names: Sequence[str] | None = None,
    row_names: Sequence[str] | None = None,
) -> list[str]:
    """An array as a table (at most MAX_ROWS x MAX_COLS shown; the title says what was left out)."""
    values = np.atleast_2d(np.asarray(array, dtype=np.float64))
    if values.ndim > 2:
        values = values.reshape(values.shape[0], -1)
    rows, cols = values.shape
    shown = values[:MAX_ROWS, :MAX_COLS]
    cut = [f"{rows - MAX_ROWS} more rows" if rows > MAX_ROWS else "",
           f"{cols - MAX_COLS} more columns" if cols > MAX_COLS else ""]  # fmt: skip
    note = ", ".join(c for c in cut if c)
    title = f"{title}  shape {tuple(np.shape(array))}" + (f" ({note} not shown)" if note else "")
    names = list(column_names) if column_names is not None else [str(j) for j in range(cols)]
    labels = list(row_names) if row_names is not None else [str(i) for i in range(rows)]
    cells = [[number(v) for v in row] for row in shown]
    return table(title, labels[: len(shown)], names[: shown.shape[1]], cells, width)
