"""A failed ``fit`` leaves the estimator as it was: its fitted state is put back on any error.

``fit`` validates the data and builds the fitted state step by step (``schema_``, ``classes_``,
the representation, the network); a refit refused half-way (a NaN, a bad ``y``, a bad label) or
one that diverged would otherwise leave a mix of the old and the new model. :class:`Snapshot`
remembers the attributes before the fit and, when it fails, restores them: the previously fitted
model keeps predicting as before, and an estimator that had none is unfitted again. A fit that
continues training in place (``warm_start``, ``partial_fit``) also gets its old weights back; its
optimizer starts afresh next time (its moments may hold the failed steps).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Snapshot"]


class Snapshot:
    """The estimator's attributes (and, when training continues in place, its weights) before a fit.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.estimators import Regressor
    >>> model = Regressor(hidden=(4,), max_epochs=5, random_state=0)
    >>> saved = Snapshot(model, continue_training=False)
    >>> model.n_features_in_ = 7  # a fit that fails after writing part of its state
    >>> saved.restore(model)
    >>> hasattr(model, "n_features_in_")
    False
    """

    def __init__(self, estimator: Any, continue_training: bool) -> None:
        self._attributes = dict(vars(estimator))
        model = self._attributes.get("model_") if continue_training else None
        self._model = model
        self._weights = None if model is None else (model.device, model.state_dict())

    def restore(self, estimator: Any) -> None:
        """Put every attribute back as it was (new ones removed), and the weights trained in place."""
        vars(estimator).clear()
        vars(estimator).update(self._attributes)
        if self._model is not None and self._weights is not None:
            device, weights = self._weights
            self._model.to(device)
            self._model.load_state_dict(weights)
            self._model.eval()
            vars(estimator).pop("_optimizer", None)  # its moments may hold the failed steps
