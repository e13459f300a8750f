"""``fit(..., gradcheck=True)``: check a model's gradients on the first batch before training.

For users who write their own modules (or ops): autodiff's gradient of the first batch's objective
is compared with central differences, both in float64 on a copy of the model, and the largest
relative error is reported in ``History.gradcheck``; past the tolerance, ``fit`` stops before the
first step with a :class:`descenso.testing.GradcheckError` that names the parameter and the entry.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from descenso.grad_mode import no_grad
from descenso.testing import GradcheckError

TOLERANCE = 1e-4  # float64 central differences with eps=1e-6 agree with a right gradient to ~1e-8
FLOOR = 1e-7  # entries whose gradients are both below this are compared absolutely, not relatively


@dataclass(frozen=True)
class GradcheckResult:
    """The largest relative error between autodiff and central differences, and where it is.

    Attributes
    ----------
    max_relative_error : float
        ``max |a - n| / max(|a|, |n|, 1e-7)`` over the entries checked.
    parameter : str
        Name of the parameter holding the worst entry (``layers.0.weight``).
    index : tuple of int
        Its position in that parameter.
    analytic, numeric : float
        The two derivatives there.
    checked, total : int
        Entries compared, and the model's number of parameters.
    """

    max_relative_error: float
    parameter: str
    index: tuple[int, ...]
    analytic: float
    numeric: float
    checked: int
    total: int

    def __str__(self) -> str:
        return (
            f"gradient check on the first batch: largest relative error {self.max_relative_error:.2e} "
            f"over {self.checked} of {self.total} parameters (at {self.parameter}{list(self.index)}: "
            f"autodiff {self.analytic:.8g}, central differences {self.numeric:.8g})"
        )


def _float64_copy(model: Any) -> Any:
    twin = copy.deepcopy(model)
    for module in twin.modules():
        if hasattr(module, "dtype"):
            module.dtype = np.dtype(np.float64)
    for p in twin.parameters():
        p.data = np.asarray(p.data, dtype=np.float64)
        p.grad = None
    return twin.eval()  # Dropout off: a random mask would make the differences meaningless


def check_model_gradients(
    model: Any,
    objective: Callable[[Any], Any],
    max_entries: int = 2000,
    eps: float = 1e-6,
    rng: Any = 0,
) -> GradcheckResult:
    """Compare ``objective(model)``'s autodiff gradient with central differences, in float64.

    Parameters
    ----------
    model : nn.Module
        Left unchanged: the check runs on a float64 copy in evaluation mode.
    objective : callable
        ``objective(copy) -> Tensor``, a scalar computed from the copy (e.g. the batch's loss).
    max_entries : int, default 2000
        Entries compared; a larger model has this many drawn at random (each costs two evaluations).
    eps : float, default 1e-6
        Half the central-difference step.
    rng : int or numpy.random.Generator, default 0
        Draws the entries of a large model.

    Returns
    -------
    GradcheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from descenso import losses
    >>> from descenso.nn import MLP
    >>> X, y = np.random.default_rng(0).normal(size=(8, 2)), np.arange(8.0)
    >>> result = check_model_gradients(MLP(2, (4,), rng=0), lambda m: losses.mse(m(X), y))
    >>> result.checked, result.max_relative_error < 1e-6
    (17, True)
    """
    from descenso._random import as_generator

    twin = _float64_copy(model)
    params = [(name, p) for name, p in twin.named_parameters()]
    objective(twin).backward()
    sizes = [p.data.size for _, p in params]
    total = int(sum(sizes))
    chosen = (
        np.arange(total)
        if total <= max_entries
        else np.sort(as_generator(rng).choice(total, max_entries, replace=False))
    )
    starts = np.cumsum([0, *sizes])
    worst: tuple[float, str, tuple[int, ...], float, float] = (-1.0, "", (), 0.0, 0.0)
    with no_grad():
        for flat in chosen:
            k = int(np.searchsorted(starts, flat, side="right") - 1)
            name, p = params[k]
            index = np.unravel_index(int(flat - starts[k]), p.data.shape)
            original = p.data[index]
            p.data[index] = original + eps
            plus = float(objective(twin).item())
            p.data[index] = original - eps
            minus = float(objective(twin).item())
            p.data[index] = original
            numeric = (plus - minus) / (2 * eps)
            analytic = float(p.grad[index]) if p.grad is not None else 0.0
            error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), FLOOR)
            if not error <= worst[0]:  # NaN counts as the worst
                worst = (error, name, tuple(int(i) for i in index), analytic, numeric)
    return GradcheckResult(worst[0], worst[1], worst[2], worst[3], worst[4], len(chosen), total)


class FirstBatchGradcheck:
    """The callback ``fit(gradcheck=...)`` adds: check the first batch at ``on_train_begin``.

    Parameters
    ----------
    rows : numpy.ndarray or slice
        The first batch's rows (the loop's first permutation, drawn from a copy of its rng).
    loss_fn : callable
        The training loss.
    X, y, sample_weight : numpy.ndarray
        The training data.
    penalty : callable
        ``penalty(model) -> Tensor``, the objective's regularisation term.
    tolerance : float
        Raise :class:`descenso.testing.GradcheckError` when the largest relative error is above it.
    """

    def __init__(
        self,
        rows: Any,
        loss_fn: Callable[..., Any],
        X: Any,
        y: Any,
        sample_weight: Any,
        penalty: Callable[[Any], Any],
        *,
        tolerance: float,
    ) -> None:
        self.rows, self.loss_fn, self.penalty, self.tolerance = rows, loss_fn, penalty, tolerance
        self.X, self.y, self.w = X[rows], y[rows], None if sample_weight is None else sample_weight[rows]

    def objective(self, model: Any) -> Any:
        """The first batch's objective (data loss plus penalty), in float64."""
        output = model(self.X.astype(np.float64))
        target = self.y.astype(np.float64)
        data_loss = (
            self.loss_fn(output, target)
            if self.w is None
            else self.loss_fn(output, target, sample_weight=self.w)
        )
        return data_loss + self.penalty(model)

    def on_train_begin(self, model: Any, history: Any) -> None:
        """Check; keep the result on the History; raise past the tolerance."""
        result = check_model_gradients(model, self.objective)
        history.gradcheck = result
        if not result.max_relative_error <= self.tolerance:
            raise GradcheckError(
                f"{result}, above the tolerance {self.tolerance:g}: the backward of a module "
                f"or op behind {result.parameter} is wrong. Check it with descenso.testing.gradcheck"
            )


def first_batch_gradcheck(
    gradcheck: Any, n: int, batch: int, rng: np.random.Generator, *terms: Any
) -> list[Any]:
    """The callbacks ``fit(gradcheck=...)`` adds: none for False; for True (or a tolerance), one check.

    ``terms`` are ``(loss_fn, X, y, sample_weight, penalty)`` as :class:`FirstBatchGradcheck` takes
    them; the first batch is the loop's own, from a copy of its ``rng`` (which is left as it was).
    """
    if gradcheck is False or gradcheck is None:
        return []
    tolerance = TOLERANCE if gradcheck is True else gradcheck
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
        raise ValueError(f"fit: gradcheck must be True, False or a positive tolerance; got {gradcheck!r}")
    rows = copy.deepcopy(rng).permutation(n)[:batch] if batch < n else slice(None)
    return [FirstBatchGradcheck(rows, *terms, tolerance=float(tolerance))]
