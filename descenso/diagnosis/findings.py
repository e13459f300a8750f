"""What the doctor found: each finding with its numbers and its fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator


class DiagnosisWarning(UserWarning):
    """Emitted by ``fit(..., doctor=True)`` when the doctor found something during training."""


@dataclass(frozen=True)
class Finding:
    """One problem: a stable ``code``, what is wrong (with the numbers) and how to fix it.

    Attributes
    ----------
    code : str
        One of ``scales``, ``large_values``, ``constant_column``, ``duplicate_column``,
        ``leakage``, ``imbalance``, ``lr_too_large``, ``lr_too_small``, ``dead_units``,
        ``vanishing_gradients``, ``exploding_gradients``.
    message : str
        What is wrong, with the numbers that show it.
    fix : str
        What to do about it.
    numbers : dict
        The measured values behind the message (for programs, and for tests).
    """

    code: str
    message: str
    fix: str
    numbers: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.message}. Fix: {self.fix}"


@dataclass
class Diagnosis:
    """The doctor's findings, in the order found; empty when nothing looked wrong.

    Examples
    --------
    >>> d = Diagnosis([Finding("constant_column", "column 'x1' is constant (3.0)", "drop it")])
    >>> d.codes, bool(d)
    (['constant_column'], True)
    >>> print(d)
    The doctor found 1 problem:
    - column 'x1' is constant (3.0). Fix: drop it
    """

    findings: list[Finding] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """The findings' codes, in order."""
        return [finding.code for finding in self.findings]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __bool__(self) -> bool:
        return bool(self.findings)

    def __getitem__(self, code: str) -> Finding:
        """The first finding with this ``code``; KeyError if there is none."""
        for finding in self.findings:
            if finding.code == code:
                return finding
        raise KeyError(f"no finding {code!r}; the findings are: {', '.join(self.codes) or 'none'}")

    def __str__(self) -> str:
        if not self.findings:
            return "The doctor found nothing wrong."
        count = len(self.findings)
        lines = [f"The doctor found {count} problem{'s' if count > 1 else ''}:"]
        return "\n".join(lines + [f"- {finding}" for finding in self.findings])
