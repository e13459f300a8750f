"""``Regressor``: a neural network for one numeric target, with scikit-learn's API."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.estimators._sklearn_compat import RegressorMixin
from descenso.estimators._tables import split_target
from descenso.estimators._validation import check_target
from descenso.estimators.base import NetworkEstimator

__all__ = ["Regressor"]


class Regressor(RegressorMixin, NetworkEstimator):
    """Multilayer-perceptron regression trained by gradient descent, scikit-learn style.

    Parameters
    ----------
    hidden : tuple of int, default (64, 64)
        Width of each hidden layer; ``()`` gives linear regression.
    activation : str or list of str, default "relu"
        Hidden activation(s): "relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softplus", "identity".
    loss : {"mse", "mae", "huber"}, default "mse"
        The per-sample loss, measured on the standardised target.
    optimizer : {"adam", "adamw", "sgd", "gd", "rmsprop"}, default "adam"
    lr : float, default 3e-3
        Learning rate (see docs/defaults.md for why 3e-3).
    batch_size : "auto", int or None, default "auto"
        Samples per step; "auto" is ``min(200, max(32, n_samples // 10))``, None is full-batch
        gradient descent.
    max_epochs : int, default 500
        Most passes over the training data.
    early_stopping : bool, default True
        Hold out ``validation_fraction`` of the data; stop when its loss has not improved by
        more than ``tol`` for ``n_iter_no_change`` epochs and restore the best epoch's weights.
        When False, stop when the training objective stops improving by ``tol``.
    validation_fraction : float, default 0.1
    tol : float, default 1e-4
    n_iter_no_change : int or None, default 10
        Patience, in epochs. None never stops for lack of improvement: with
        ``early_stopping=False`` training runs all ``max_epochs``; with early stopping the
        best validation epoch's weights are still restored at the end.
    alpha : float, default 3e-3
        L2 penalty: ``alpha / 2 * sum(w ** 2)`` is added to the mean loss.
    features : None, str, transform or list of them, default None
        Representations applied before the network (e.g. ``["polar"]``, ``["polynomial"]``),
        fitted on the training split only. Inputs are always standardised last (unless the
        last step already is "standardize" or "minmax"), and that scaling is part of the model.
    missing : None, "drop" or "mean", default None
        Missing values in ``X`` (NaN; None or NA in a DataFrame, including empty text cells):
        ``None`` refuses them with an error naming where they are; ``"drop"`` leaves incomplete
        rows out of training (``predict`` still needs complete rows); ``"mean"`` fills each
        column with its mean over the training split (a text column with its most frequent
        value), learned in ``fill_values_``, saved with the model and applied by ``predict``.
    handle_unknown : {"warn", "error", "ignore"}, default "warn"
        A text value at predict time that the training data did not have (a new category)
        is encoded as none of the known ones, which changes the prediction: "warn" gives a
        ``DataWarning`` naming the column, the values and how many rows; "error" refuses it;
        "ignore" says nothing (scikit-learn's ``OneHotEncoder(handle_unknown=...)``).
    dtype : {"float32", "float64"}, default "float32"
    random_state : None or int, default None
        Seed for the initial weights, the validation split and the batches: the same seed
        gives the same model, bit for bit.
    warm_start : bool, default False
        Let ``fit`` continue from the current weights (with a fresh optimizer).
    verbose : int, default 0
        1: print about ten progress lines and why training stopped; 2: one line per epoch. The
        losses printed are on the standardised target (the first line says its mean and std).
    schedule : None, "cosine", "step", "plateau" or callable, default None
        A learning-rate schedule, stepped once per epoch (see :func:`descenso.train.fit`):
        "cosine" anneals to 0 over ``max_epochs``, "step" divides by 10 after each third of
        ``max_epochs``, "plateau" halves the rate when the validation loss (the objective without
        early stopping) has not improved for 5 epochs. A callable gets the optimizer and returns a
        schedule object, e.g. ``lambda opt: descenso.optim.StepLR(opt, step_size=50)``. None: a constant rate.
    ensemble : "auto" or int, default "auto"
        How many networks are trained (each with its own initial weights, validation rows and
        batches) and averaged; the average is stored as one wider MLP (``model_``), so prediction,
        saving and ONNX export are unchanged. "auto" is 3 below 10,000 samples, else 1.
        ``warm_start`` and ``partial_fit`` continue that averaged network as one.
    linear_candidate : bool, default True
        Also fit a linear model (no hidden layer, the same loss) on each network's training rows,
        and keep it instead of the networks when its validation loss, averaged over the
        ensemble's validation splits, is not higher (the choice is in ``chosen_``). With
        ``loss="mse"`` (and a classifier's ``"bce"``) it is solved exactly, for ridge strengths
        ``l2`` from ``0.1/n`` to ``10_000/n`` (``n`` rows; ``1/n`` is scikit-learn's
        ``LogisticRegression(C=1)``), the strength with the lowest mean validation loss kept and,
        when the linear kind is kept, solved once more on every row; with another loss it is
        trained like the networks (``alpha``, early stopping, a 10x step). Only with
        ``early_stopping`` (the choice needs validation rows) and a network with hidden layers;
        ``False`` always keeps the network.
    device : {"cpu", "cuda", "cuda:N"}, default "cpu"
        Where ``fit`` trains the network (``"cuda"`` needs ``pip install 'descenso[gpu]'`` and an
        NVIDIA GPU). The weights start from the same seed on every device; ``predict`` runs
        where the network is, and a saved model loads on the CPU.
    distributed : bool or descenso.distributed.DataParallel, default False
        True: train data-parallel over every rank ``mpiexec`` started (``mpiexec -n 4 python
        train.py``; needs ``pip install 'descenso[mpi]'``): each rank holds the same data and
        computes its part of every batch, the gradients are averaged (see
        :mod:`descenso.distributed`), and every rank ends with the same model, the one a single
        process would fit (to floating-point summation order). With ``random_state=None`` rank
        0's seed is used on every rank. A saved model loads with ``distributed=False``.

    Attributes
    ----------
    n_features_in_ : int
        Columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
    representation_ : descenso.features.Pipeline
        The fitted representation (ending in the input standardisation).
    model_ : descenso.nn.MLP
        The trained network; with an ensemble of ``k``, one MLP ``k`` times as wide that computes
        the members' mean (block-diagonal inner layers).
    fill_values_ : ndarray of shape (n_encoded_columns,)
        With ``missing="mean"``: the value each (one-hot encoded) input column's gaps are filled with.
    y_mean_, y_scale_ : float
        The (weighted) mean and standard deviation of the target over the training split
        (the rows not held out for early stopping); the network predicts
        ``(y - y_mean_) / y_scale_`` and ``predict`` undoes it.
    chosen_ : {"network", "linear"}
        The kind of model kept: ``model_`` is then the averaged networks, or the averaged linear
        models (an MLP with no hidden layer). "network" when there was no choice to make.
    validation_loss_ : dict or None
        The mean validation loss of each kind that was trained (``{"linear": ..., "network":
        ...}``), on which ``chosen_`` was decided; None without validation rows.
    history_ : descenso.history.History
        Losses per epoch (of the first member of the kept kind, with an ensemble).
    histories_ : list of descenso.history.History
        One per training run, in the order they ran (``linear 1/3``, ``network 1/3``, ...).
    stop_reason_ : str
        Why training stopped, with the numbers.
    n_iter_ : int
        Epochs run (summed over the networks of an ensemble).
    random_state_ : int or None
        The int seed of the fit: ``random_state``, or the one drawn for ``random_state=None``
        (also ``history_.seed``); ``random_state=random_state_`` reproduces the fit bit for bit.

    Notes
    -----
    ``fit`` minimises ``1/n sum_i loss((y_i - mean)/std, f_theta(phi(x_i))) + alpha/2 ||w||^2``
    with ``phi`` the representation, by mini-batch gradient descent. The untrained network
    predicts the prior (the output layer starts with small weights and the target's mean as its
    bias), so early stopping only moves as far from it as the validation rows support. Why each
    default is what it is, with the benchmark's numbers: ``docs/defaults.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.estimators import Regressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, size=(200, 2))
    >>> y = 3 * X[:, 0] - X[:, 1] ** 2
    >>> model = Regressor(hidden=(32,), random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.9)
    True
    """

    _losses = ("mse", "mae", "huber")

    def __init__(
        self,
        hidden: Any = (64, 64),
        activation: Any = "relu",
        loss: str = "mse",
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

    def _encode_target(self, y: Any, reset: bool, classes: Any = None) -> np.ndarray:
        return check_target(y, type(self).__name__, dtype=np.float64)

    def _fit_target_scaling(self, target: np.ndarray, weights: np.ndarray | None) -> None:
        """``y_mean_`` and ``y_scale_``: the (weighted) mean and standard deviation of the training target."""
        self.y_mean_ = float(np.average(target, weights=weights))
        std = float(np.sqrt(np.average((target - self.y_mean_) ** 2, weights=weights)))
        self.y_scale_ = std if std > 0 else 1.0

    def _scaled_target(self, target: np.ndarray) -> np.ndarray:
        return (target - self.y_mean_) / self.y_scale_

    def _training_loss(self) -> str:
        return str(self.loss)

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> Regressor:
        """One epoch over ``X, y``, continuing from the current weights and optimizer state.

        The first call also fits the representation and the target scaling on this data.
        Early stopping does not apply (there is no held-out data per call).
        """
        self._partial_fit(X, y, sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,), in the units of the training ``y``."""
        return self._network_output(X) * self.y_scale_ + self.y_mean_

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """The coefficient of determination R² of ``predict(X)`` against ``y``.

        Notes
        -----
        ``R² = 1 - sum w (y - y_hat)^2 / sum w (y - mean_w(y))^2``; 1 is perfect, 0 is the mean's score.
        """
        from descenso.metrics import r2_score

        X, y, _ = split_target(X, y)
        return float(
            r2_score(
                check_target(y, type(self).__name__, dtype=np.float64),
                self.predict(X),
                sample_weight=sample_weight,
            )
        )
