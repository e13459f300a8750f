"""The error and warning that bad data raises: they name the column, the rows and the fix."""

from __future__ import annotations

__all__ = ["DataError", "DataWarning"]


class DataError(ValueError):
    """Data that cannot be trained on as given (missing target, NaN, wrong classes, unreadable file ...).

    A ``ValueError``, so ``except ValueError`` catches it; the message names the column
    and rows concerned and says how to fix the data.
    """


class DataWarning(UserWarning):
    """Data that can be used but probably not as intended (a constant or all-missing column)."""
