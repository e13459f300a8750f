"""What Regressor and BinaryClassifier share: the scikit-learn contract around one training run.

``__init__`` only stores the arguments; ``fit`` validates them and the data, builds
the representation (fitted on the training split only), the network and the
optimizer, hands them to :func:`descenso.train.fit`, and returns ``self``. Everything
learned ends in ``_``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from descenso import backend
from descenso.distributed import Local, as_parallel
from descenso.estimators import _ensemble, _members, _missing, _streamed, _tables, _training
from descenso.estimators._params import validated
from descenso.estimators._sklearn_compat import HAVE_SKLEARN, BaseEstimator
from descenso.estimators._transaction import Snapshot
from descenso.estimators._validation import (
    check_features,
    check_is_fitted,
    check_lengths,
    check_sample_weight,
)

__all__ = ["NetworkEstimator"]


class NetworkEstimator(BaseEstimator):
    """Base class of the estimators; subclasses define the target's encoding and the outputs."""

    _losses: tuple[str, ...] = ()

    # ------------------------------------------------------------------ subclass hooks
    def _encode_target(self, y: Any, reset: bool, classes: Any = None) -> np.ndarray:
        """Validate ``y`` and return the training target (float); record its encoding when ``reset``."""
        raise NotImplementedError

    def _training_loss(self) -> str:
        raise NotImplementedError

    def _fit_target_scaling(self, target: np.ndarray, weights: np.ndarray | None) -> None:
        """Learn how the target is scaled for training (regression); nothing by default."""

    def _combine_weights(self, target: np.ndarray, weights: np.ndarray | None) -> np.ndarray | None:
        """The per-sample training weights: ``sample_weight`` (times class weights for classifiers)."""
        return weights

    def _stratify(self, target: np.ndarray) -> np.ndarray | None:
        return None

    def _encoded_names(self) -> list[str] | None:
        """The names of the encoded input columns (a table's, with one-hot ``"city=Lima"``), if known."""
        schema = getattr(self, "schema_", None)
        if schema is not None:
            return list(schema.feature_names)
        names = getattr(self, "feature_names_in_", None)
        return None if names is None else [str(name) for name in names]

    def _calibrate(self, logits: np.ndarray, target: np.ndarray, weights: np.ndarray | None) -> float | None:
        """The temperature for held-out outputs (classifiers); None: the outputs are not logits."""
        return None

    def _output_prior(self, target: np.ndarray, weights: np.ndarray | None) -> float:
        """The constant the untrained network outputs: the training target's mean as the network sees it."""
        return 0.0  # the standardised regression target has mean 0

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        X: Any,
        y: Any = None,
        sample_weight: Any = None,
        *,
        callbacks: Any = None,
        metrics: Any = None,
        doctor: bool = False,
        checkpoint: Any = None,
        checkpoint_every: int | str = "epoch",
        resume: bool = False,
    ) -> NetworkEstimator:
        """Learn the weights from ``X`` and ``y``; return ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), a pandas/polars DataFrame, a file path or a Stream
            Numbers; a DataFrame's text and categorical columns are one-hot encoded. A CSV/Parquet
            path (``fit("big.parquet", "price")``) or a :class:`descenso.data.Stream` is read a few
            pieces at a time, for files larger than memory: the encoding, fills and scaling are
            learned in one pass, the validation rows held out by the stream's seeded rule, and one
            network trained in mini-batches (no ``sample_weight``, ``class_weight``, ``features``
            other than scaling, ``ensemble`` other than 1, or ``warm_start``).
        y : array-like of shape (n_samples,), or str
            The target; a string names a column of the DataFrame ``X`` (``fit(df, "price")``) or
            of the file. None with a Stream, which names its own.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; a zero weight drops the row (also from the scaling).
        callbacks : list, optional
            Objects with any of the hooks of :class:`descenso.train.Callback` (``on_epoch_end(epoch,
            logs, model)``, ...), passed to :func:`descenso.train.fit`: they watch this fit's
            training runs (one per network of the ensemble, in turn), e.g. to draw a progress bar.
            When the fit trains more than one network, a callback that also defines
            ``on_run_begin(run, model)`` is told before each run which one starts (``run`` is a
            label such as ``"network 2/3"``), so it can show the whole fit as one bar.
            They observe; they do not stop training.
        metrics : list of str or callable, optional
            Also computed every epoch, as in :func:`descenso.train.fit`: "accuracy", "mse", "mae"
            or ``metric(y_true, output) -> float``, on the network's raw output (logits for
            classifiers) against the target as the network sees it (0/1 labels; the standardised
            target for ``Regressor``). They appear in ``history_.metrics`` and in the callbacks'
            ``logs`` (``val_<name>`` on the validation rows).
        doctor : bool, default False
            Watch training with :class:`descenso.diagnosis.TrainingDoctor` (``fit(doctor=True)``):
            what went wrong, with the numbers and the fix, in ``diagnosis_`` and one
            :class:`descenso.diagnosis.DiagnosisWarning`.
        checkpoint : str or os.PathLike, optional
            A folder in which training saves checkpoints (see :mod:`descenso.checkpoint`); deleted
            when training completes, kept when it is interrupted or the process dies. An ensemble's
            network N checkpoints in ``member-N/``, where a finished network keeps its final state,
            so a resume loads it instead of training it again.
        checkpoint_every : int or "epoch", default "epoch"
            Save after every this many optimizer steps, or at the end of every epoch.
        resume : bool, default False
            Continue from the checkpoint in ``checkpoint`` when there is one; the result is bit for
            bit that of an uninterrupted fit (with an int ``random_state``: the same split, the same
            initial weights). A checkpoint of other data or settings is refused, naming what differs.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For bad parameters or data (NaN/inf, shapes, labels), each saying the fix.
        TypeError
            For sparse or non-numeric input.
        descenso.stopping.DivergenceError
            When the loss becomes NaN or infinite (the message suggests a smaller lr).

        Warns
        -----
        descenso.stopping.ConvergenceWarning
            When ``max_epochs`` ran out while the monitored loss was still improving.

        Notes
        -----
        The representation, the target scaling and (``missing="mean"``) the fill values are
        fitted on the training split only; the validation split (``validation_fraction``,
        stratified for classifiers) drives early stopping. With ``warm_start=True`` a fitted
        estimator continues from its weights (with a fresh optimizer); otherwise every fit
        starts afresh.

        Examples
        --------
        >>> import numpy as np
        >>> from descenso.estimators import Regressor
        >>> class Count:
        ...     epochs = 0
        ...     def on_epoch_end(self, epoch, logs, model):
        ...         Count.epochs += 1
        >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
        >>> model = Regressor(hidden=(4,), early_stopping=False, tol=0.1, n_iter_no_change=2, random_state=0)
        >>> model = model.fit(X, X[:, 0], callbacks=[Count()], metrics=["mae"])
        >>> len(model.histories_)  # ensemble="auto": 3 networks below 10,000 rows, each watched
        3
        >>> Count.epochs == model.n_iter_ == sum(len(h.metrics["mae"]) for h in model.histories_)
        True
        """
        params = validated(self, self._losses)
        incremental = bool(params["warm_start"]) and hasattr(self, "model_")
        saving = {"checkpoint": checkpoint, "checkpoint_every": checkpoint_every, "resume": resume}
        watch = {"callbacks": _as_list(callbacks), "metrics": _as_list(metrics), "checkpoint": saving,
                 "doctor": bool(doctor)}  # fmt: skip
        saved = Snapshot(self, continue_training=incremental)
        try:
            if _streamed.is_stream(X):  # a file larger than memory, learned and read a few pieces at a time
                _streamed.fit_stream(self, X, y, sample_weight, params, watch)
            else:
                self._fit(X, y, sample_weight, params, incremental, one_epoch=False, watch=watch)
        except BaseException:  # refused or diverged: the previous model (or none) stays, never a mix
            saved.restore(self)
            raise
        return self

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        params: dict[str, Any],
        continue_training: bool,
        one_epoch: bool,
        classes: Any = None,
        watch: dict[str, Any] | None = None,
    ) -> None:
        reset = not continue_training
        missing = params["missing"]
        parallel = as_parallel(params["distributed"])  # one process, or the ranks mpiexec started

        def checked() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
            X_table, y_column, target_name = _tables.split_target(X, y)
            X_array = self._validate_x(X_table, reset=reset, dtype=params["dtype"], target_name=target_name,
                                       allow_nan=missing is not None)  # fmt: skip
            target = self._encode_target(y_column, reset=reset, classes=classes)
            check_lengths(X_array, target)
            weights = check_sample_weight(sample_weight, len(target), params["dtype"])
            if missing == "drop":
                X_array, target, weights = _missing.drop_incomplete(X_array, target, weights)
            return X_array, target, self._combine_weights(target, weights)

        # Over several ranks every rank's data is checked first: one rank's bad data stops them all.
        X_array, target, weights = parallel.load(checked, what="use its data")
        if reset or not hasattr(self, "_rng"):  # a loaded model continues with a fresh generator
            # None: drawn, and kept; over several ranks, rank 0's draw, before the split uses it.
            self.random_state_ = parallel.agree(_training.draw_seed(params["random_state"]))
            seed = params["random_state"] if self.random_state_ is None else self.random_state_
            self._rng = parallel.same_rng(_training.seed_generator(seed))
        rng = self._rng
        use_validation = params["early_stopping"] and not one_epoch
        if use_validation:
            train, val = _training.split_validation(
                len(target), params["validation_fraction"], rng, self._stratify(target), weights
            )
        else:
            train, val = np.arange(len(target)), None
        # Fitted on the training rows that count: a zero weight drops a row everywhere.
        kept = train if weights is None else train[weights[train] > 0]
        fill_values = None if reset else getattr(self, "fill_values_", None)
        if missing == "mean" and fill_values is None:
            fill_values = _missing.fit_fill_values(X_array[kept], getattr(self, "schema_", None))
        if fill_values is not None:
            self.fill_values_ = fill_values
            X_array = _missing.fill(X_array, fill_values)
        elif hasattr(self, "fill_values_"):  # a refit without missing="mean" forgets the old fill
            del self.fill_values_
        if reset:
            names = self._encoded_names()
            self.representation_ = _training.make_representation(params["features"], X_array[kept], names)
            self._fit_target_scaling(target[kept], None if weights is None else weights[kept])
        if params["verbose"] and hasattr(self, "y_scale_") and parallel.is_root:
            print(  # the numbers below are small on this scale; predict and score are not
                f"{type(self).__name__}: the losses below are {params['loss']} on the standardised target "
                f"(y - {self.y_mean_:.6g}) / {self.y_scale_:.6g}; predict and score are in y's units",
                flush=True,
            )
        Z = self.representation_.transform(X_array).astype(params["dtype"], copy=False)
        if reset:
            prior = self._output_prior(target[kept], None if weights is None else weights[kept])
            self.model_ = _training.make_model(Z.shape[1], params, rng, output_bias=prior)
        moved = self.model_.device != params["device"]  # weights drawn on the host: the same on any device
        self.model_.to(params["device"])
        if reset or moved or not one_epoch or not hasattr(self, "_optimizer"):
            self._optimizer = _training.make_optimizer(self.model_, params)
        watch = {**(watch or {}), "distributed": parallel}
        if reset and not one_epoch:  # a few-seed ensemble: more members, each with its own split
            histories, runs, kept = _members.train_members(
                self, Z, target, weights, (train, val), params, rng, prior, watch
            )
        else:
            runs, kept = None, None
            if reset:  # one epoch (partial_fit) or no validation rows: no choice, no calibration
                self.chosen_, self.validation_loss_, self.temperature_ = "network", None, None
            histories = [self._run(self.model_, self._optimizer, Z, target, weights, train, val, params, rng,
                                   one_epoch, watch)]  # fmt: skip
        self._record(histories, params, one_epoch, runs, kept)

    def _run(
        self,
        model: Any,
        optimizer: Any,
        Z: np.ndarray,
        target: np.ndarray,
        weights: np.ndarray | None,
        train: np.ndarray,
        val: np.ndarray | None,
        params: dict[str, Any],
        rng: np.random.Generator,
        one_epoch: bool,
        watch: dict[str, Any],
    ) -> Any:
        """Train ``model`` on the ``train`` rows (``val`` drives early stopping); return the History."""
        from descenso.train import fit as train_fit

        y_fit = self._scaled_target(target).astype(params["dtype"], copy=False)
        validation = None  # with weights, fit's val_loss (which early stopping watches) is weighted too
        if val is not None:
            validation = (Z[val], y_fit[val]) if weights is None else (Z[val], y_fit[val], weights[val])
        model.train()
        history = train_fit(
            model,
            Z[train],
            y_fit[train],
            loss=self._training_loss(),
            optimizer=optimizer,
            epochs=1 if one_epoch else params["max_epochs"],
            batch_size=_training.effective_batch_size(params["batch_size"], len(train)),
            validation=validation,
            stop=[] if one_epoch else _training.make_stop(params),
            rng=rng,
            sample_weight=None if weights is None else weights[train],
            l2=float(params["alpha"]),
            schedule=None if one_epoch else params["schedule"],
            verbose=params["verbose"] == 1,
            callbacks=[
                *([_training.EpochPrinter()] if params["verbose"] >= 2 else []),
                *watch.get("callbacks", []),
            ],
            metrics=watch.get("metrics", []),
            doctor=watch.get("doctor", False),
            compile=True,  # the captured step, on any device: the eager step's numbers
            distributed=watch.get("distributed"),
            **watch.get("checkpoint", {}),
        )
        model.eval()
        if params["verbose"] >= 2:
            print(f"stopped: {history.stop_reason}", flush=True)
        return history

    def _record(
        self, histories: list[Any], params: dict[str, Any], one_epoch: bool, runs: list[str] | None = None,
        kept: list[Any] | None = None,
    ) -> None:  # fmt: skip
        """``history_`` (the kept kind's first run), ``histories_``, ``stop_reason_``, ``n_iter_``.

        Warns when max_epochs ran out on a kept run.
        """
        kept = histories if kept is None else kept  # a linear candidate not kept does not warn
        history = kept[0]
        ran_out = [h for h in kept if h.stopped_by == "max_epochs"]
        if not one_epoch and ran_out and params["n_iter_no_change"] is not None:
            from descenso.stopping import ConvergenceWarning

            watched = "the validation loss" if params["early_stopping"] else "the training objective"
            warnings.warn(
                f"{type(self).__name__} used all max_epochs={params['max_epochs']} while {watched} was still "
                f"improving by more than tol={params['tol']:g} ({ran_out[0].stop_reason}). Increase "
                "max_epochs, or raise lr",
                ConvergenceWarning,
                stacklevel=4,
            )
        for each in histories:  # the seed that reproduces this run: fit(random_state=history.seed)
            each.seed = getattr(self, "random_state_", None)
        self.history_ = history
        self.diagnosis_ = history.diagnosis
        self.histories_ = histories
        self.stop_reason_ = _ensemble.stop_reason(histories, runs)
        if history.stopped_by == "exact":  # the last run named above is a network that was not kept
            self.stop_reason_ += "; kept: the linear model, solved exactly on every row"
        epochs = sum(len(h.epoch) for h in histories)
        self.n_iter_ = epochs + (getattr(self, "n_iter_", 0) if one_epoch else 0)

    def _scaled_target(self, target: np.ndarray) -> np.ndarray:
        return target

    def _partial_fit(self, X: Any, y: Any, sample_weight: Any, classes: Any = None) -> NetworkEstimator:
        params = validated(self, self._losses)
        saved = Snapshot(self, continue_training=hasattr(self, "model_"))
        try:
            self._fit(X, y, sample_weight, params, hasattr(self, "model_"), one_epoch=True, classes=classes)
        except BaseException:  # refused or diverged: the previous model (or none) stays, never a mix
            saved.restore(self)
            raise
        return self

    # ------------------------------------------------------------------ predict
    def _validate_x(
        self,
        X: Any,
        reset: bool,
        dtype: Any = None,
        target_name: str | None = None,
        allow_nan: bool = False,
    ) -> np.ndarray:
        if dtype is None:
            dtype = self.model_.dtype
        array, names, n_columns = _tables.to_array(
            self, X, reset=reset, dtype=dtype, target_name=target_name, allow_nan=allow_nan
        )
        check_features(self, n_columns, names, reset=reset)
        return array

    def _input_array(self, X: Any) -> np.ndarray:
        """``X`` checked and encoded as in ``fit``, its gaps filled (``missing="mean"``)."""
        fill_values = getattr(self, "fill_values_", None)
        X = self._validate_x(X, reset=False, allow_nan=fill_values is not None)
        return X if fill_values is None else _missing.fill(X, fill_values)

    def _network_output(self, X: Any) -> np.ndarray:
        """The network's output for ``X``, shape (n,), float64 (the representation applied first)."""
        from descenso.grad_mode import no_grad
        from descenso.tensor import Tensor

        check_is_fitted(self)
        Z = self.representation_.transform(self._input_array(X)).astype(self.model_.dtype, copy=False)
        with no_grad():
            out = self.model_(Tensor(Z).to(self.model_.device)).data  # (n, 1), on its device
        return backend.to_numpy(out[:, 0]).astype(np.float64)

    # ------------------------------------------------------------------ metadata
    def explain_config(self) -> dict[str, Any]:
        """A JSON-able description of the settings (and, once fitted, of what was built).

        Returns
        -------
        dict
            ``estimator``, ``params`` (transforms as their configs), and when fitted
            ``representation``, ``architecture``, ``stop_reason`` and ``n_iter``.
        """
        params = {}
        for name, value in self.get_params(deep=False).items():
            params[name] = _jsonable(value)
        config: dict[str, Any] = {"estimator": type(self).__name__, "params": params}
        if hasattr(self, "model_"):
            config["representation"] = self.representation_.get_config()
            config["architecture"] = self.model_.get_config()
            config["stop_reason"] = self.stop_reason_
            config["n_iter"] = int(self.n_iter_)
        return config

    def save(self, path: Any) -> None:
        """Write the fitted estimator to one model file (safetensors + JSON; see ``descenso.load``)."""
        from descenso.estimators.persistence import save

        save(self, path)

    def to_onnx(self, path: Any) -> None:
        """Export the whole prediction path (representation, network, output) as an ONNX model.

        A model fitted on a table with text columns gets one named input per column (float, or
        string for text); see :func:`descenso.estimators.onnx.to_onnx`.
        """
        from descenso.estimators.onnx import to_onnx

        to_onnx(self, path)

    if HAVE_SKLEARN:

        def __sklearn_tags__(self) -> Any:
            tags = super().__sklearn_tags__()
            tags.input_tags.allow_nan = self.missing is not None
            tags.non_deterministic = False
            return tags


def _as_list(value: Any) -> list[Any]:
    """``callbacks=`` / ``metrics=`` as a list: None is none, one item alone is a list of one."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "get_config"):
        return value.get_config()
    if isinstance(value, np.dtype) or isinstance(value, type):
        return str(np.dtype(value))
    if isinstance(value, (np.random.Generator, np.random.RandomState)):
        return None
    if isinstance(value, Local):  # a DataParallel (its communicator is no data)
        return value.size > 1
    if isinstance(value, np.generic):
        return value.item()
    if callable(value):  # a schedule factory: not data, and only training needs it
        return None
    return value
