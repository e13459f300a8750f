"""Validating estimator parameters, at ``fit`` time (``__init__`` only stores them, as scikit-learn asks).

Each checker returns the value in the form the training code uses, or raises a
``ValueError``/``TypeError`` naming the parameter, the value received and what is allowed.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from descenso.distributed import Local

__all__ = ["validated", "OPTIMIZERS"]

OPTIMIZERS = ("adam", "adamw", "sgd", "gd", "rmsprop")


def _bad(cls: str, name: str, value: Any, allowed: str) -> ValueError:
    return ValueError(f"{cls}: the '{name}' parameter must be {allowed}. Got {value!r} instead.")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and bool(np.isfinite(float(value)))


def _hidden(cls: str, value: Any) -> tuple[int, ...]:
    sizes = (value,) if _is_int(value) else value
    if not isinstance(sizes, (tuple, list)) or not all(_is_int(s) and s > 0 for s in sizes):
        raise _bad(cls, "hidden", value, "a tuple of positive layer widths, e.g. (64, 64), or () for linear")
    return tuple(int(s) for s in sizes)


def _batch_size(cls: str, value: Any) -> int | str | None:
    if value is None or value == "auto" or (_is_int(value) and value > 0):
        return value
    choices = "'auto' (min(200, max(32, n_samples // 10))), a positive int, or None (full batch)"
    raise _bad(cls, "batch_size", value, choices)


def _features(cls: str, value: Any) -> list[Any]:
    if value is None:
        return []
    steps = list(value) if isinstance(value, (list, tuple)) else [value]
    for step in steps:
        if not isinstance(step, str) and not (hasattr(step, "fit") and hasattr(step, "transform")):
            raise TypeError(
                f"{cls}: each entry of 'features' must be a representation name such as 'polar' or a "
                f"descenso.features transform; got {type(step).__name__}"
            )
    return steps


def _schedule(cls: str, value: Any) -> Any:
    from descenso.optim.scheduling import SCHEDULES

    if value is None or (callable(value) and not isinstance(value, str)):
        return value
    if isinstance(value, str) and value.strip().lower() in (*SCHEDULES, "none"):
        return value.strip().lower()
    names = ", ".join(repr(s) for s in SCHEDULES)
    raise _bad(cls, "schedule", value, f"None, one of {names}, or a callable optimizer -> schedule")


def _random_state(cls: str, value: Any) -> Any:
    if value is None or _is_int(value) or isinstance(value, (np.random.Generator, np.random.RandomState)):
        return value
    raise _bad(cls, "random_state", value, "None, an int seed or a numpy random Generator")


def _device(cls: str, value: Any) -> str:
    """The device as descenso names it ("cpu", "cuda:0"); CuPy missing or no GPU raises here, before work."""
    from descenso import backend

    try:
        kind, index = backend.parse_device(value)
    except ValueError as error:
        raise _bad(cls, "device", value, "'cpu', 'cuda' or 'cuda:N'") from error
    return "cpu" if kind == "cpu" else f"{kind}:{index}"


def validated(estimator: Any, losses: tuple[str, ...]) -> dict[str, Any]:
    """Check every parameter of ``estimator``; return them normalised by name.

    Raises
    ------
    ValueError
        For a value out of range or an unknown name.
    TypeError
        For a ``features`` entry that is neither a name nor a transform.
    """
    cls, p = type(estimator).__name__, estimator.get_params(deep=False)
    checks = {
        "loss": (p["loss"] in losses, f"one of {', '.join(repr(s) for s in losses)}"),
        "optimizer": (p["optimizer"] in OPTIMIZERS, f"one of {', '.join(repr(s) for s in OPTIMIZERS)}"),
        "lr": (_is_real(p["lr"]) and p["lr"] > 0, "a positive float such as 1e-3"),
        "max_epochs": (_is_int(p["max_epochs"]) and p["max_epochs"] > 0, "a positive int"),
        "early_stopping": (isinstance(p["early_stopping"], (bool, np.bool_)), "True or False"),
        "validation_fraction": (
            _is_real(p["validation_fraction"]) and 0 < p["validation_fraction"] < 1,
            "a float in (0, 1), e.g. 0.1",
        ),
        "tol": (_is_real(p["tol"]) and p["tol"] >= 0, "a float >= 0"),
        "n_iter_no_change": (
            p["n_iter_no_change"] is None or (_is_int(p["n_iter_no_change"]) and p["n_iter_no_change"] > 0),
            "a positive int, or None to never stop for lack of improvement",
        ),
        "alpha": (_is_real(p["alpha"]) and p["alpha"] >= 0, "a float >= 0 (the L2 penalty)"),
        "dtype": (p["dtype"] in ("float32", "float64", np.float32, np.float64), "'float32' or 'float64'"),
        "warm_start": (isinstance(p["warm_start"], (bool, np.bool_)), "True or False"),
        "verbose": (_is_int(p["verbose"]) or isinstance(p["verbose"], bool), "an int (0 is silent)"),
        "missing": (p["missing"] in (None, "drop", "mean"), "None (refuse NaN), 'drop' or 'mean'"),
        "ensemble": (
            (isinstance(p["ensemble"], str) and p["ensemble"] == "auto")
            or (_is_int(p["ensemble"]) and 1 <= p["ensemble"] <= 100),
            "'auto' (3 networks below 10,000 rows, else 1) or an int from 1 to 100",
        ),
        "handle_unknown": (p["handle_unknown"] in ("warn", "error", "ignore"), "'warn', 'error' or 'ignore'"),
        "distributed": (
            isinstance(p["distributed"], (bool, np.bool_)) or isinstance(p["distributed"], Local),
            "True (data parallel over the ranks mpiexec started), False, or a "
            "descenso.distributed.DataParallel",
        ),
    }
    for name, (ok, allowed) in checks.items():
        if not ok:
            raise _bad(cls, name, p[name], allowed)
    out = dict(p)
    out["hidden"] = _hidden(cls, p["hidden"])
    out["batch_size"] = _batch_size(cls, p["batch_size"])
    out["features"] = _features(cls, p["features"])
    out["random_state"] = _random_state(cls, p["random_state"])
    out["dtype"] = np.dtype(p["dtype"])
    out["schedule"] = _schedule(cls, p["schedule"])
    out["device"] = _device(cls, p["device"])
    if "threshold" in p and not (_is_real(p["threshold"]) and 0 < p["threshold"] < 1):
        raise _bad(cls, "threshold", p["threshold"], "a probability in (0, 1), e.g. 0.5")
    if "class_weight" in p and not (
        p["class_weight"] in (None, "balanced") or isinstance(p["class_weight"], dict)
    ):
        raise _bad(cls, "class_weight", p["class_weight"], "None, 'balanced' or a dict {label: weight}")
    return out
