"""One browser tab's training run, stepped by hand so the page can play, pause and step it.

The loop is ``fit``'s, one mini-batch step at a time: the batch's mean loss plus
the penalty, ``backward()``, the optimizer's step. The library's stopping
criteria decide when to stop, and its divergence checks when to give up; a
diverged step is undone so the page never has NaN to draw.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from descenso import losses, optim
from descenso.divergence import Divergence
from descenso.grad_mode import no_grad
from descenso.history import History
from descenso.nn import MLP
from descenso.playground.inputs import make_data, representation
from descenso.playground.landscape import has_two_parameters, point
from descenso.playground.protocol import Config, ProtocolError, Settings
from descenso.stopping import (
    DivergenceError,
    EarlyStopping,
    MaxEpochs,
    StoppingCriterion,
    TargetLoss,
    check_finite_weights,
)
from descenso.train import penalty

MAX_PATH_KEPT = 20_000


def make_optimizer(name: str, params: list[Any], lr: float) -> Any:
    """Build the optimizer the page names.

    Parameters
    ----------
    name : {"sgd", "momentum", "adam", "rmsprop"}
        ``momentum`` is SGD with PyTorch's momentum 0.9; the others are :func:`descenso.optim.get`'s.
    params : list of Parameter
    lr : float

    Returns
    -------
    descenso.optim.Optimizer
    """
    if name == "momentum":
        return optim.get("sgd", params, lr=lr, momentum=0.9)
    return optim.get(name, params, lr=lr)


def stop_rules(config: Config) -> list[StoppingCriterion]:
    """The library's stopping criteria for the rules switched on in ``config.stop``.

    Parameters
    ----------
    config : protocol.Config

    Returns
    -------
    list of StoppingCriterion
        ``Divergence`` (always, first: a loss exploding while finite), ``TargetLoss`` on the train
        loss, ``EarlyStopping`` on the test loss (the playground's held-out set, recorded as
        ``val_loss``) and ``MaxEpochs``.
    """
    rules: list[StoppingCriterion] = [Divergence()]
    if config.stop.target_loss is not None:
        rules.append(TargetLoss(config.stop.target_loss))
    if config.stop.patience is not None:
        rules.append(EarlyStopping(monitor="val_loss", patience=config.stop.patience))
    if config.stop.max_epochs is not None:
        rules.append(MaxEpochs(config.stop.max_epochs))
    return rules


class Session:
    """Data, representation, model, optimizer and stop rules of one run, and its step loop.

    Parameters
    ----------
    config : protocol.Config
        The run's settings (validated).
    table : pyarrow.Table, optional
        The uploaded table when ``config.dataset == "csv"``.
    csv_name : str, optional
        The uploaded file's name, for messages and the exported command.

    Attributes
    ----------
    state : {"paused", "playing", "stopped", "diverged"}
    reason : str or None
        Why training stopped or diverged.
    epoch : int
        Completed epochs.
    last_step : dict or None
        The last step's gradients and updates, by parameter name.
    path : list of (float, float)
        For a model of one weight and one bias, the ``(w, b)`` at the start and after each step
        (thinned past ``MAX_PATH_KEPT``); empty for any other model.
    preset : str or None
        The name of the preset (:mod:`descenso.playground.presets`) the run started from.

    Raises
    ------
    ValueError
        When the data cannot be built (e.g. a CSV target that is not binary for classification).
    """

    def __init__(self, config: Config, table: Any = None, csv_name: str | None = None) -> None:
        self.config = config.model_copy(deep=True)
        self.csv_name = csv_name
        self.data = make_data(self.config, table)
        self.features = representation(self.config.features, self.data.standardize)
        self.Z_train = self.features.fit_transform(self.data.X_train)
        self.Z_test = self.features.transform(self.data.X_test)
        self.loss_fn = losses.get("bce_with_logits" if self.data.task == "classification" else "mse")
        self.loaded_from: str | None = None
        self.preset: str | None = None  # the preset this run started from, if any
        self._build_model()

    # ------------------------------------------------------------------ building and resetting
    def _build_model(self) -> None:
        layers = self.config.layers
        activation: Any = [layer.activation for layer in layers] if layers else "relu"
        self.model = MLP(self.Z_train.shape[1], hidden=[layer.neurons for layer in layers], out_features=1,
                         activation=activation, rng=self.config.init_seed)  # fmt: skip
        self.initial_state = self.model.state_dict()  # copies: what "reset" returns to
        self.reset()

    def reset(self) -> None:
        """Back to the initial weights and epoch 0, with a fresh optimizer and the same batch order."""
        self.model.load_state_dict(self.initial_state)
        params = self.model.parameters()
        self.optimizer = make_optimizer(self.config.optimizer, params, self.config.lr)
        self.batch_rng = np.random.default_rng([self.config.init_seed, 2])
        self.history = History()
        self.criteria = stop_rules(self.config)
        for criterion in self.criteria:
            criterion.reset()
        self.epoch, self.steps, self.position = 0, 0, 0
        self.order = self._permutation()
        self.state: str = "paused"
        self.reason: str | None = None
        self.last_step: dict[str, Any] | None = None
        # A model of one weight and one bias: the (w, b) it visits, drawn on its exact loss surface.
        self.path: list[tuple[float, float]] = [point(self.model)] if has_two_parameters(self.model) else []
        self.started = time.perf_counter()

    def reinitialize(self, seed: int) -> None:
        """Draw new initial weights from ``seed`` (the page's "new weights") and reset.

        Parameters
        ----------
        seed : int
            The new ``init_seed``; it goes into the URL so the link still reproduces the run.
        """
        self.config.init_seed = int(seed)
        self._build_model()

    def load_model(self, model: Any, transform: Any, name: str) -> None:
        """Use a saved model and its representation instead of the page's network.

        Parameters
        ----------
        model : nn.Module
            Maps the representation's columns to one output (logit or value).
        transform : descenso.features.Transform
            Fitted; maps the two raw inputs to the model's inputs.
        name : str
            The file's name, shown on the page.

        Raises
        ------
        ProtocolError
            If the model's input size is not the representation's output size.
        """
        if int(getattr(model, "in_features", -1)) != transform.transform(self.data.X_train[:1]).shape[1]:
            raise ProtocolError(f"{name}: the model's input size does not match its representation's output")
        self.features, self.model, self.loaded_from = transform, model, name
        self.Z_train = self.features.transform(self.data.X_train)
        self.Z_test = self.features.transform(self.data.X_test)
        self.initial_state = self.model.state_dict()
        self.reset()

    def apply(self, settings: Settings) -> None:
        """Change hyperparameters between steps, without a reset (the optimizer keeps its state).

        Parameters
        ----------
        settings : protocol.Settings
            Fields left ``None`` keep their value; new stop rules start counting afresh.
        """
        if settings.lr is not None:
            self.config.lr = settings.lr
            self.optimizer.lr = settings.lr  # read by the next step()
        for name in ("batch_size", "l1", "l2"):
            value = getattr(settings, name)
            if value is not None:
                setattr(self.config, name, value)
        if settings.stop is not None:
            self.config.stop = settings.stop
            self.criteria = stop_rules(self.config)
            for criterion in self.criteria:
                criterion.reset()

    # ------------------------------------------------------------------ training
    def _permutation(self) -> np.ndarray:
        return self.batch_rng.permutation(len(self.Z_train))

    def objective(self, Z: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        """The batch's mean loss, and the objective that is differentiated.

        Parameters
        ----------
        Z : numpy.ndarray, shape (batch, n_features)
            Represented inputs.
        y : numpy.ndarray, shape (batch,)

        Returns
        -------
        data_loss, total : Tensor
            ``total = data_loss + l2/2 sum ||W||^2 + l1 sum |W|`` over the weight matrices,
            the objective of :func:`descenso.train.fit` (see :func:`descenso.train.penalty`).
        """
        output = self.model(Z)
        data_loss = self.loss_fn(output, y)
        if not (self.config.l1 or self.config.l2):
            return data_loss, data_loss
        return data_loss, data_loss + penalty(self.model, self.config.l1, self.config.l2)

    def step(self) -> str | None:
        """One mini-batch update; at the end of an epoch, record it and ask the stop rules.

        Returns
        -------
        str or None
            ``"stopped"`` or ``"diverged"`` when training must pause (``reason`` says why).
        """
        if self.state in ("stopped", "diverged"):
            self.state, self.reason = "paused", None  # the user asked to go on
            self.history.stopped_by = ""
            for criterion in self.criteria:
                criterion.reset()
        n = len(self.Z_train)
        batch = min(self.config.batch_size, n)
        rows = self.order[self.position : self.position + batch]
        named = self.model.named_parameters()
        before = {name: p.data.copy() for name, p in named}
        # Overflow is expected on the way to divergence; the checks below turn it into a message.
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self.optimizer.zero_grad()
                _, total = self.objective(self.Z_train[rows], self.data.y_train[rows])
                guard = self.criteria[0]  # stop_rules puts Divergence first
                assert isinstance(guard, Divergence)
                guard.observe_step(total.item(), self.epoch + 1, self.optimizer.lr, self.model)  # as fit
                total.backward()
                grads = {name: np.array(p.grad, copy=True) for name, p in named}
                self.optimizer.step()
                check_finite_weights(self.model, self.epoch + 1, self.optimizer.lr)
        except DivergenceError as error:
            for name, p in named:
                p.data[...] = before[name]  # undo the step: the last finite weights stay on screen
            error.restored = "kept the weights from before that step"
            self.state, self.reason = "diverged", error.summary  # the page adds the one suggestion
            return "diverged"
        self.last_step = {name: (grads[name], p.data - before[name], before[name]) for name, p in named}
        if self.path:
            self.path.append(point(self.model))
            if len(self.path) > MAX_PATH_KEPT:  # a long run: keep every other point, the start and the last
                self.path = [*self.path[:-1:2], self.path[-1]]
        self.steps += 1
        self.position += batch
        if self.position >= n:
            return self._end_epoch(grads)
        return None

    def _end_epoch(self, grads: dict[str, np.ndarray]) -> str | None:
        self.epoch += 1
        self.position, self.order = 0, self._permutation()
        train_loss, test_loss = self.losses()
        grad_norm = float(np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values())))
        self.history.record(epoch=self.epoch, train_loss=train_loss, objective=train_loss, val_loss=test_loss,
                            lr=self.optimizer.lr, grad_norm=grad_norm,
                            time=time.perf_counter() - self.started)  # fmt: skip
        for criterion in self.criteria:
            try:
                reason = criterion.check(self.history, self.model)
            except DivergenceError as error:  # finite but exploded: back to the best weights, as fit
                self.history.stopped_by = "divergence"
                error.restored = criterion.finalize(self.history, self.model)
                self.state, self.reason = "diverged", error.summary
                return "diverged"
            if reason:
                notes = [note for c in self.criteria if (note := c.finalize(self.history, self.model))]
                self.state, self.reason = "stopped", "; ".join([reason, *notes])
                return "stopped"
        return None

    def run_for(self, seconds: float) -> str | None:
        """Step until ``seconds`` have passed or training must pause.

        Parameters
        ----------
        seconds : float

        Returns
        -------
        str or None
            :meth:`step`'s event: ``"stopped"``, ``"diverged"`` or None.
        """
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            event = self.step()
            if event:
                return event
        return None

    # ------------------------------------------------------------------ evaluation
    def outputs(self, Z: np.ndarray) -> np.ndarray:
        """The model's raw output (logit or value), shape (n,).

        Parameters
        ----------
        Z : numpy.ndarray, shape (n, n_features)
            Represented inputs (``session.features.transform(X)``).
        """
        with no_grad(), np.errstate(over="ignore", invalid="ignore"):
            return self.model(Z).data.reshape(-1)

    def losses(self) -> tuple[float, float]:
        """The data loss on the whole train and test sets at the current weights (may overflow to inf)."""
        with no_grad(), np.errstate(over="ignore", invalid="ignore"):
            train = self.loss_fn(self.model(self.Z_train), self.data.y_train).item()
            test = self.loss_fn(self.model(self.Z_test), self.data.y_test).item()
        return train, test

    def metrics(self) -> tuple[float, float]:
        """Accuracy (classification) or R² (regression) on the train and test sets."""
        from descenso.metrics import accuracy_score, r2_score  # numpy-only; here to keep the import light

        out = []
        for Z, y in ((self.Z_train, self.data.y_train), (self.Z_test, self.data.y_test)):
            prediction = self.outputs(Z)
            if self.data.task == "classification":
                out.append(float(accuracy_score(y, (prediction > 0).astype(np.float32))))
            else:
                out.append(float(r2_score(y, prediction)) if np.isfinite(prediction).all() else float("nan"))
        return out[0], out[1]
