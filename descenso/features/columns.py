"""Which columns a step works on: ``"polar(bill_length,bill_depth)"`` specs and names to indices.

A step such as Polar needs particular columns. On a table, guessing them ("the
first two") picks whatever comes first, e.g. two one-hot columns of a text
column; so such steps are told their columns, by index or by name, and names are
resolved against the column names of the data the step is fitted on.
"""

from __future__ import annotations

from typing import Any

__all__ = ["split_steps", "parse_step", "resolve_columns", "describe_columns", "as_columns"]


def split_steps(text: str) -> list[str]:
    """Split ``"polar(a,b),standardize"`` on the commas outside parentheses.

    Examples
    --------
    >>> from descenso.features.columns import split_steps
    >>> split_steps("polar(bill_length_mm, bill_depth_mm), standardize")
    ['polar(bill_length_mm, bill_depth_mm)', 'standardize']
    """
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def parse_step(text: str) -> tuple[str, list[int | str] | None]:
    """``"polar(a, 1)"`` -> ``("polar", ["a", 1])``; ``"standardize"`` -> ``("standardize", None)``.

    Whole numbers are column indices, anything else a column name.

    Raises
    ------
    ValueError
        For unbalanced parentheses or empty parentheses.

    Examples
    --------
    >>> from descenso.features.columns import parse_step
    >>> parse_step("Polar(bill_length_mm, 2)")
    ('polar', ['bill_length_mm', 2])
    """
    text = text.strip()
    if "(" not in text and ")" not in text:
        return text.lower(), None
    name, _, rest = text.partition("(")
    if not rest.endswith(")") or "(" in rest[:-1] or ")" in rest[:-1]:
        raise ValueError(f"cannot read the step {text!r}; write name(column, column), e.g. polar(x1,x2)")
    items = [item.strip() for item in rest[:-1].split(",")]
    if not all(items):
        raise ValueError(f"the step {text!r} names no column; write e.g. polar(x1,x2)")
    columns: list[int | str] = [int(item) if item.lstrip("-").isdigit() else item for item in items]
    return name.strip().lower(), columns


def resolve_columns(columns: list[Any], names: list[str] | None, who: str) -> list[int]:
    """Column indices for ``columns`` given by index or by name (names need ``names``).

    Raises
    ------
    ValueError
        For a name the data does not have (listing the columns), or names without column names.

    Examples
    --------
    >>> from descenso.features.columns import resolve_columns
    >>> resolve_columns(["b", 0], ["a", "b", "c"], "Polar")
    [1, 0]
    """
    resolved = []
    for column in columns:
        if not isinstance(column, str):
            resolved.append(int(column))
        elif names is None:
            raise ValueError(
                f"{who}: column {column!r} is a name, but the data has no column names; "
                "pass column indices, or fit on a table (a DataFrame or a CSV file)"
            )
        elif column in names:
            resolved.append(names.index(column))
        else:
            raise ValueError(
                f"{who}: no column {column!r}; the columns are: {describe_columns(names)}. "
                "Fix: check the spelling, and name columns from that list"
            )
    return resolved


def describe_columns(names: list[str]) -> str:
    """The numeric columns by name, then how many one-hot columns (``"city=Lima"``) there are.

    Examples
    --------
    >>> from descenso.features.columns import describe_columns
    >>> describe_columns(["area", "city=Lima", "city=Quito", "rooms"])
    'area, rooms and 2 one-hot columns of the text column city'
    """
    numeric = [name for name in names if "=" not in name]
    encoded = [name for name in names if "=" in name]
    if not encoded:
        return ", ".join(numeric)
    sources = list(dict.fromkeys(name.split("=")[0] for name in encoded))
    of = f"the text column {sources[0]}" if len(sources) == 1 else f"the text columns {', '.join(sources)}"
    return (", ".join(numeric) + " and " if numeric else "") + f"{len(encoded)} one-hot columns of {of}"


def as_columns(columns: Any, who: str) -> list[int | str] | None:
    """A constructor's ``columns`` argument as a list of indices and names (None stays None).

    Examples
    --------
    >>> from descenso.features.columns import as_columns
    >>> as_columns(("area", 2), "Log")
    ['area', 2]
    """
    if columns is None:
        return None
    if isinstance(columns, (str, int)):
        columns = [columns]
    try:
        return [column if isinstance(column, str) else int(column) for column in columns]
    except (TypeError, ValueError):
        raise ValueError(f"{who}: columns must be column indices or names; got {columns!r}") from None
