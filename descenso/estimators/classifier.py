"""``BinaryClassifier``: a neural network for two classes, with scikit-learn's API."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.estimators._labels import binary_classes, class_weights, encode
from descenso.estimators._sklearn_compat import HAVE_SKLEARN, ClassifierMixin
from descenso.estimators._tables import split_target
from descenso.estimators._validation import check_target
from descenso.estimators.base import NetworkEstimator

__all__ = ["BinaryClassifier"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` without overflow for large ``|z|``."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class BinaryClassifier(ClassifierMixin, NetworkEstimator):
    """Multilayer-perceptron binary classification trained by gradient descent, scikit-learn style.

    The network outputs a logit ``z``; ``predict_proba`` is ``sigmoid(z)`` and ``predict``
    picks the second class when that probability exceeds ``threshold``.

    Parameters
    ----------
    hidden : tuple of int, default (64, 64)
        Width of each hidden layer; ``()`` gives logistic regression.
    activation : str or list of str, default "relu"
    loss : {"bce", "hinge"}, default "bce"
        Binary cross-entropy on the logit (log-loss), or the hinge loss ``max(0, 1 - s z)``
        with ``s = ±1`` (probabilities are then uncalibrated scores).
    optimizer, lr, batch_size, max_epochs, early_stopping, validation_fraction, tol, n_iter_no_change, alpha,
    features, missing, handle_unknown, dtype, random_state, warm_start, verbose, schedule, ensemble,
    linear_candidate, device, distributed
        As in :class:`descenso.estimators.Regressor`. The validation split is stratified; an
        ensemble averages the networks' logits.
    class_weight : None, "balanced" or dict, default None
        Weights per class, multiplied into ``sample_weight``. "balanced" gives class ``c``
        the weight ``n_samples / (2 * count(c))``.
    threshold : float, default 0.5
        The probability above which ``predict`` returns ``classes_[1]``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the positive class.
    random_state_ : int or None
        The int seed of the fit: ``random_state``, or the one drawn for ``random_state=None``
        (also ``history_.seed``); ``random_state=random_state_`` reproduces the fit bit for bit.
    temperature_ : float or None
        The temperature the logits were divided by (folded into the output layer of ``model_``), fitted
        on the kept networks' validation rows to minimise their log-loss; None when there were no
        validation rows (``early_stopping=False``) or with ``loss="hinge"``. See Notes.
    n_features_in_, feature_names_in_, representation_, fill_values_, model_, chosen_, validation_loss_,
    history_, histories_, stop_reason_, n_iter_
        As in :class:`descenso.estimators.Regressor`. The untrained network outputs the logit of
        the (weighted) share of ``classes_[1]``: it starts from the base rate.

    Raises
    ------
    ValueError
        From ``fit``, when ``y`` does not hold exactly two classes (the message lists
        the classes with their counts) or is continuous.

    Notes
    -----
    ``fit`` minimises ``1/n sum_i w_i [-t_i log p_i - (1 - t_i) log(1 - p_i)] + alpha/2 ||w||^2``
    with ``p_i = sigmoid(f_theta(phi(x_i)))`` and ``t_i = 1`` for ``classes_[1]``.

    Temperature scaling: after training, the probabilities are calibrated by one scalar ``T``, the
    minimiser of the log-loss of ``sigmoid(z / T)`` over each kept network's own validation rows
    (held-out logits ``z``; golden-section search over ``T`` in [0.25, 20]). ``model_``'s output
    layer is divided by ``T``, so ``decision_function``, ``predict_proba``, the saved model and the
    ONNX export all give ``z / T``. The sign of every logit is kept: ``predict`` at the default
    threshold, the accuracy and the ROC AUC are unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.estimators import BinaryClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = np.where(X[:, 0] * X[:, 1] > 0, "same", "different")
    >>> clf = BinaryClassifier(hidden=(32,), random_state=0).fit(X, y)
    >>> clf.classes_
    array(['different', 'same'], dtype='<U9')
    >>> bool(clf.score(X, y) > 0.9)
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _losses = ("bce", "hinge")

    def __init__(
        self,
        hidden: Any = (64, 64),
        activation: Any = "relu",
        loss: str = "bce",
        optimizer: str = "adam",
        lr: float = 3e-3,
        batch_size: Any = "auto",
        max_epochs: int = 500,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        tol: float = 1e-4,
        n_iter_no_change: int = 10,
        alpha: float = 3e-3,
        features: Any = None,
        missing: str | None = None,
        handle_unknown: str = "warn",
        dtype: str = "float32",
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        schedule: Any = None,
        ensemble: Any = "auto",
        linear_candidate: bool = True,
        device: str = "cpu",
        distributed: Any = False,
        class_weight: Any = None,
        threshold: float = 0.5,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.features = features
        self.missing = missing
        self.handle_unknown = handle_unknown
        self.dtype = dtype
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.schedule = schedule
        self.ensemble = ensemble
        self.linear_candidate = linear_candidate
        self.device = device
        self.distributed = distributed
        self.class_weight = class_weight
        self.threshold = threshold

    # ------------------------------------------------------------------ training hooks
    def _encode_target(self, y: Any, reset: bool, classes: Any = None) -> np.ndarray:
        labels = check_target(y, type(self).__name__)
        if reset:
            self.classes_ = binary_classes(labels, classes)
        return encode(labels, self.classes_)

    def _combine_weights(self, target: np.ndarray, weights: np.ndarray | None) -> np.ndarray | None:
        per_class = class_weights(self.class_weight, target, self.classes_)
        if per_class is not None:
            weights = per_class if weights is None else weights * per_class
        if weights is not None:
            present = [self.classes_[c] for c in (0, 1) if weights[target == c].sum() > 0]
            if len(present) < 2 and len(np.unique(target)) == 2:  # weights removed a class y has
                raise ValueError(
                    f"sample_weight leaves only one class with non-zero weight (class {present[0]!r}); "
                    "a classifier needs weighted samples of both classes"
                )
        return weights

    def _stratify(self, target: np.ndarray) -> np.ndarray | None:
        return target

    def _output_prior(self, target: np.ndarray, weights: np.ndarray | None) -> float:
        """The logit of the (weighted) share of ``classes_[1]``: the untrained network predicts it."""
        rate = float(np.average(target, weights=weights)) if len(target) else 0.5
        rate = min(max(rate, 1e-6), 1 - 1e-6)
        return float(np.log(rate / (1.0 - rate)))

    def _calibrate(self, logits: np.ndarray, target: np.ndarray, weights: np.ndarray | None) -> float | None:
        """The temperature minimising the held-out log-loss (BCE only: hinge scores are not logits)."""
        from descenso.estimators._calibration import fit_temperature

        return fit_temperature(logits, target, weights) if self.loss == "bce" else None

    def _training_loss(self) -> str:
        return "bce_with_logits" if self.loss == "bce" else "hinge"

    def partial_fit(
        self, X: Any, y: Any = None, classes: Any = None, sample_weight: Any = None
    ) -> BinaryClassifier:
        """One epoch over ``X, y``, continuing from the current weights and optimizer state.

        Parameters
        ----------
        classes : array-like of two labels, optional
            Needed on the first call when that batch holds only one of the classes.
        """
        self._partial_fit(X, y, sample_weight, classes=classes)
        return self

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X: Any) -> np.ndarray:
        """The network's logit for each sample, shape (n_samples,); positive favours ``classes_[1]``."""
        return self._network_output(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, 2): columns follow ``classes_``."""
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where ``predict_proba(X)[:, 1] > threshold``, else ``classes_[0]``."""
        t = float(self.threshold)
        positive = self.decision_function(X) > np.log(t / (1.0 - t))
        return self.classes_[positive.astype(int)]

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Accuracy of ``predict(X)`` against ``y`` (weighted by ``sample_weight``)."""
        from descenso.metrics import accuracy_score

        X, y, _ = split_target(X, y)
        return float(
            accuracy_score(check_target(y, type(self).__name__), self.predict(X), sample_weight=sample_weight)
        )

    if HAVE_SKLEARN:

        def __sklearn_tags__(self) -> Any:
            tags = super().__sklearn_tags__()
            tags.classifier_tags.multi_class = False
            return tags
