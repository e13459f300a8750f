"""The training doctor: what is wrong with a learning problem, with the numbers, and how to fix it.

:func:`doctor` examines data (and a model and learning rate, when given) before training;
``fit(..., doctor=True)`` watches a training run with a :class:`TrainingDoctor`. Each
:class:`Finding` has a stable code, a message with the measured numbers, and a fix.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from descenso.diagnosis import network, probe
from descenso.diagnosis.data import check_data
from descenso.diagnosis.findings import Diagnosis, DiagnosisWarning, Finding
from descenso.diagnosis.monitor import BINARY_LOSSES, TrainingDoctor

__all__ = ["Diagnosis", "DiagnosisWarning", "Finding", "TrainingDoctor", "doctor"]


def _inputs(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    try:
        array = np.asarray(X, dtype=np.float64)
        target = np.asarray(y, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as error:
        raise TypeError(f"doctor: X and y must be numeric; {error}. Encode text columns first") from None
    if array.ndim != 2:
        raise ValueError(f"doctor: expected X of shape (n_samples, n_features); got shape {array.shape}")
    if len(array) != len(target) or len(array) < 2:
        raise ValueError(
            f"doctor: X has {len(array)} rows and y has {len(target)} values; expected the same, at least 2"
        )
    if not (np.isfinite(array).all() and np.isfinite(target).all()):
        raise ValueError("doctor: X and y must be finite; drop or fill the NaN and infinite values first")
    return array, target, names


def doctor(
    X: Any,
    y: Any,
    model: Any = None,
    lr: float | None = None,
    loss: str | None = None,
    optimizer: str = "adam",
    batch_size: int | None = 32,
    feature_names: Sequence[str] | None = None,
    probe_epochs: int = 10,
) -> Diagnosis:
    """Examine a learning problem before training and say what is wrong, with the numbers and the fix.

    Parameters
    ----------
    X : array_like or DataFrame, shape (n_samples, n_features)
        The inputs as the model will see them (after any representation).
    y : array_like, shape (n_samples,)
        The target; 0/1 labels make it binary classification.
    model : nn.Module, optional
        Also check its ReLU units (dead on these rows?) and the gradient norm of each layer. It is
        never changed: every check runs on a copy.
    lr : float, optional
        With ``model``: train copies for ``probe_epochs`` epochs at ``lr`` and, when the loss rises,
        oscillates or barely moves, at ten times less or more, and report both.
    loss : str, optional
        The loss for the model checks; by default ``"bce_with_logits"`` for 0/1 targets, else ``"mse"``.
    optimizer : str, default "adam"
        The optimizer the learning rate is for.
    batch_size : int or None, default 32
        The probes' batch size (None: full batch).
    feature_names : sequence of str, optional
        Names for the messages (a DataFrame's columns by default, else ``x0``, ``x1``, ...).
    probe_epochs : int, default 10

    Returns
    -------
    Diagnosis
        Findings with codes ``scales``, ``constant_column``, ``duplicate_column``, ``leakage``,
        ``imbalance``, and with a model ``dead_units``, ``vanishing_gradients``,
        ``exploding_gradients``, ``lr_too_large``, ``lr_too_small``.

    Raises
    ------
    TypeError, ValueError
        For non-numeric, non-finite or mismatched ``X`` and ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> import descenso as ds
    >>> rng = np.random.default_rng(0)
    >>> X = np.c_[rng.normal(size=200), 1000 * rng.normal(size=200)]
    >>> report = ds.doctor(X, X[:, 0] + X[:, 1] / 1000)
    >>> report.codes
    ['scales']
    >>> print(report["scales"].message)  # doctest: +ELLIPSIS
    features on very different scales: 'x1' is typically 1.03e+03 and 'x0' 0.961 (1.07e+03 times smaller), ...
    """
    from descenso import losses

    array, target, names = _inputs(X, y)
    binary = loss in BINARY_LOSSES if loss else bool(np.isin(target, (0.0, 1.0)).all() and np.ptp(target) > 0)
    findings = check_data(array, target, binary, feature_names or names)
    if model is not None:
        name = loss or ("bce_with_logits" if binary else "mse")
        dtype = model.parameters()[0].dtype if model.parameters() else np.float32
        Z, t = array.astype(dtype), target.astype(dtype)
        findings += network.gradient_findings(
            network.gradient_norms(model, Z[:256], t[:256], losses.get(name))
        )
        findings += network.dead_units(model, Z[:1024])
        if lr is not None:
            findings += probe.learning_rate(
                model, Z[:1000], t[:1000], name, optimizer, lr, probe_epochs, batch_size
            )
    return Diagnosis(findings)
