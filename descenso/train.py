"""``fit``: empirical risk minimisation by gradient descent, as one page.

The course notes' whole algorithm is

    theta <- argmin_theta  1/|D| sum_{(x, y) in D} loss(y, f_theta(x))

found by stepping against the gradient "until a minimum is reached or a
stopping criterion is met". ``fit`` is that loop, read top to bottom; the
helpers below it only evaluate and format numbers, and its argument checks live in
:mod:`descenso._fit_checks`.

Callbacks are any objects with some of these methods (all optional; see
:class:`Callback`): ``on_train_begin(model, history)``, ``on_epoch_begin(epoch,
model)``, ``on_step_end(step, logs, model)``, ``on_epoch_end(epoch, logs,
model)``, ``on_train_end(history, model)``. They observe; stopping is the job
of the criteria in :mod:`descenso.stopping`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np

from descenso import losses
from descenso._fit_checks import (
    as_criteria,
    batch_metrics,
    check_callbacks,
    check_criteria,
    check_settings,
    make_optimizer,
    metric_functions,
    on_device,
)
from descenso.backend import array_module
from descenso.checkpoint import as_checkpointer
from descenso.compile import training_step
from descenso.creation import tensor
from descenso.diagnosis.monitor import training_doctor
from descenso.distributed import Share, as_parallel
from descenso.divergence import Divergence
from descenso.feed import as_feed
from descenso.grad_mode import no_grad
from descenso.gradient_check import first_batch_gradcheck
from descenso.history import History
from descenso.interrupt import InterruptFlag
from descenso.optim.scheduling import make_schedule
from descenso.run_state import RunState, describe_settings
from descenso.stopping import (
    DivergenceError,
    MaxEpochs,
    TrainingInterrupted,
    check_finite_weights,
)

__all__ = ["Callback", "fit", "penalty"]


class Callback:
    """Base class for callbacks: every hook does nothing; override the ones you need.

    Examples
    --------
    >>> from descenso.train import Callback
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs, model):
    ...         print(epoch, round(logs["train_loss"], 3))
    """

    def on_train_begin(self, model: Any, history: History) -> None:
        """Before the first step."""

    def on_epoch_begin(self, epoch: int, model: Any) -> None:
        """Before the epoch's first step (epochs count from 1)."""

    def on_step_end(self, step: int, logs: dict[str, float], model: Any) -> None:
        """After each optimizer step; ``logs`` has ``loss`` (the batch's data loss) and ``batch_size``."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
        """After the epoch is recorded; ``logs`` has the epoch's row (``train_loss``, ``val_loss``, ...)."""

    def on_train_end(self, history: History, model: Any) -> None:
        """Once at the end, however training ended (not after a DivergenceError)."""


def penalty(model: Any, l1: float = 0.0, l2: float = 0.0) -> Any:
    """The regularisation term of :func:`fit`'s objective, ``l2/2 sum_W ||W||^2 + l1 sum_W |W|``.

    Parameters
    ----------
    model : nn.Module or iterable of Tensor
        The model, or its parameters (collected once, as ``fit`` does, to save walking the
        module tree every step). Only parameters with two or more dimensions, the weight
        matrices ``W``, are penalised: biases only shift a unit's output and do not make the
        function any less smooth.
    l1, l2 : float, default 0
        Non-negative strengths of the lasso (``|W|``) and ridge (``W^2``) terms.

    Returns
    -------
    Tensor
        A 0-d tensor in the weights' dtype, differentiable with respect to them; a constant 0
        when ``l1 = l2 = 0`` or there is no weight matrix.

    Raises
    ------
    ValueError
        For a negative or non-finite ``l1`` or ``l2``.

    Notes
    -----
    ``d/dW = l2 W + l1 sign(W)``, with ``sign(0) = 0``. The ``1/2`` makes weight decay's rate
    ``lr * l2`` under plain gradient descent.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> layer = Linear(2, 1, rng=0)
    >>> layer.weight.data[:] = [[3.0, -4.0]]
    >>> term = penalty(layer, l1=0.1, l2=0.5)   # 0.5/2 * (9 + 16) + 0.1 * (3 + 4)
    >>> round(term.item(), 4), term.dtype
    (6.95, dtype('float32'))
    >>> term.backward()
    >>> layer.weight.grad                          # l2 W + l1 sign(W); the bias is not penalised
    array([[ 1.6, -2.1]], dtype=float32)
    """
    for name, value in (("l1", l1), ("l2", l2)):
        if not 0 <= value < math.inf:
            raise ValueError(f"penalty: {name} must be a non-negative finite number; got {value!r}")
    params = model.parameters() if hasattr(model, "parameters") else model
    weights = [p for p in params if p.ndim >= 2]
    terms = []
    if weights and l2:
        terms.append((l2 / 2) * sum((w * w).sum() for w in weights))
    if weights and l1:
        terms.append(l1 * sum(w.abs().sum() for w in weights))
    if not terms:
        device = weights[0].device if weights else None
        return tensor(0.0, dtype=weights[0].dtype if weights else np.float32, device=device)
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def fit(
    model: Any,
    X: Any,
    y: Any = None,
    loss: str | Callable[..., Any] = "mse",
    optimizer: Any = "adam",
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = 32,
    validation: Any = None,
    stop: Sequence[Any] = (),
    callbacks: Sequence[Any] = (),
    rng: Any = None,
    sample_weight: Any = None,
    l1: float = 0.0,
    l2: float = 0.0,
    metrics: Sequence[str | Callable[..., float]] = (),
    verbose: bool = False,
    reference_loss: float | None = None,
    distributed: Any = None,
    checkpoint: Any = None,
    checkpoint_every: int | str = "epoch",
    resume: bool = False,
    doctor: Any = False,
    gradcheck: bool | float = False,
    compile: bool | str = False,  # noqa: A002 - the word of torch.compile and of Keras
    device: str | None = None,
    schedule: Any = None,
) -> History:
    """Train ``model`` on ``(X, y)`` by (mini-batch) gradient descent; return the History.

    Parameters
    ----------
    model : nn.Module
        Maps a batch ``(batch, n_features)`` to ``(batch, out_features)``; trained in place.
    X : array_like, shape (n_samples, n_features), or a descenso.data.Stream or file path
        The inputs. A :class:`~descenso.data.Stream` (or the path of a CSV/Parquet file, with
        ``y`` the target column's name) is read a few pieces at a time, for files larger than
        memory: its representation is learned in one pass before the first step, and its
        validation rows (``Stream(..., validation=0.2)``) are held out by its seeded rule.
    y : array_like, shape (n_samples,) or (n_samples, out_features), or str
        Binary targets are 0/1. None with a Stream, which holds its targets; the target
        column's name with a file path.
    loss : str or callable, default "mse"
        A name from ``descenso.losses`` or ``loss(prediction, target, sample_weight=None) -> Tensor``.
    optimizer : str or Optimizer, default "adam"
        A name (a new optimizer over ``model.parameters()``) or an Optimizer
        object. Pass the same object to a second ``fit`` to continue training
        with its state (Adam's moments, momentum): two fits of n/2 epochs then
        equal one of n. (Each call returns its own History, counting epochs from 1.)
    lr : float, optional
        Learning rate for an optimizer given by name (its default when None).
    epochs : int, default 100
        The most epochs to run; ``stop`` criteria may end training earlier.
    batch_size : int or None, default 32
        Samples per step, reshuffled every epoch. ``None`` (or ``>= n_samples``)
        is full-batch gradient descent, the notes' algorithm: one exact step per epoch.
    validation : None, float, (X_val, y_val) or (X_val, y_val, sample_weight_val)
        A held-out fraction of ``(X, y)`` (drawn with ``rng``; it keeps its share of
        ``sample_weight``) or explicit data. With weights, ``val_loss`` is weighted too.
    stop : list of stopping criteria
        From :mod:`descenso.stopping`, e.g. ``[EarlyStopping(patience=20)]``.
    callbacks : list
        Objects with any of the :class:`Callback` methods.
    rng : numpy.random.Generator or int, optional
        Shuffles the batches and draws the validation split. The same seed (and
        the same initial weights) gives the same weights, bit for bit. None: fresh entropy.
    sample_weight : array_like, shape (n_samples,), optional
        Per-sample weights passed to the loss.
    l1, l2 : float, default 0
        Penalty strengths on the weight matrices (parameters with 2 or more dimensions; not biases).
    metrics : list of str or callable
        "accuracy", "mse", "mae", or ``metric(y_true, output) -> float`` on the model's raw output
        (NumPy arrays: on a GPU, host copies of the batch; the built-in ones stay on the GPU).
    verbose : bool, default False
        Print about ten progress lines.
    reference_loss : float, optional
        The objective's exact minimum (e.g. from :mod:`descenso.linear_models`);
        then ``History.optimum_gap`` holds ``objective(theta_epoch) - reference_loss``.
    doctor : bool or TrainingDoctor, default False
        Watch the run and report what is wrong, with the numbers and the fix (bad scales, a
        learning rate too large or too small, dead ReLU units, vanishing or exploding gradients,
        useless or leaking columns, class imbalance): ``History.diagnosis`` and one
        :class:`descenso.diagnosis.DiagnosisWarning`. See :mod:`descenso.diagnosis`.
    gradcheck : bool or float, default False
        Before the first step, compare autodiff's gradient of the first batch's objective with
        central differences in float64 (for your own modules); the result is ``History.gradcheck``.
        A float is the tolerance on the largest relative error (True: 1e-4).
    compile : bool or {"numpy", "numba"}, default False
        Capture the training step once and replay it (:func:`descenso.compile_step`): the same
        numbers, bit for bit, without building a graph each step. Where the model cannot be
        captured, training is eager after one :class:`~descenso.compile.CompileWarning` saying why.
        True replays with numba's fused kernels when ``descenso[fast]`` is installed, else with
        NumPy's; a name picks the kernels (see :func:`descenso.compile.kernel_set`).
    distributed : bool or descenso.distributed.DataParallel, optional
        True: data parallel over every rank ``mpiexec`` started (:mod:`descenso.distributed`);
        each rank passes the same data and settings, takes its share of every batch and
        reaches the weights one process would. Only rank 0 prints.
    device : {"cpu", "cuda", "cuda:N"}, optional
        Where to train. The model is moved there (in place) and the data copied there once;
        None trains where the model's parameters are. An Optimizer object must be built
        after the model is on that device (a name is always fine).
    checkpoint : str, os.PathLike or Checkpointer, optional
        A folder to save the run's state in (see :mod:`descenso.checkpoint`): weights, optimizer
        state, the generator's state, the position in the epoch, the criteria's state, the
        callbacks' ``state_dict()`` and the History. Deleted when training completes; kept after
        an interrupt or a crash.
    checkpoint_every : int or "epoch", default "epoch"
        Save after every this many optimizer steps, or at the end of every epoch.
    resume : bool, default False
        Continue from the checkpoint in ``checkpoint`` when there is one (else start afresh):
        the run then ends bit for bit where an uninterrupted one would have. It must be given
        the same data, model and settings; anything else is refused, naming what differs.
    schedule : None, "cosine", "step", "plateau", a schedule object or a callable, optional
        Changes the learning rate after every epoch (``History.lr`` records each epoch's rate).
        "cosine" anneals it to 0 over ``epochs``, "step" divides it by 10 after each third of
        ``epochs``, "plateau" halves it when the monitored loss (``val_loss`` with validation data,
        else the objective) has not improved for 5 epochs. An object from :mod:`descenso.optim`
        must be bound to ``optimizer``; a callable gets the optimizer and returns one. See
        :func:`descenso.optim.scheduling.make_schedule`.

    Returns
    -------
    History
        Per-epoch losses, metrics, learning rate, gradient norm and time, and why training stopped.

    Raises
    ------
    TypeError, ValueError
        For bad arguments, before any work, saying what was expected and how to fix it.
    DivergenceError
        At once, when the loss or a weight becomes NaN or infinite, or when an epoch's objective exceeds
        10,000 times the first step's (see :class:`descenso.divergence.Divergence`; pass one in ``stop``
        to change the factor). The best weights seen are restored first; the message names the lr,
        says what was restored and suggests a smaller lr.
    descenso.checkpoint.CheckpointError
        When a checkpoint cannot be written (disk full, say: the previous one is then intact), its
        folder is in use by another run or cannot be written, or it exists and ``resume`` is False.
    descenso.testing.GradcheckError
        With ``gradcheck``, before any step, when the gradient is wrong past the tolerance.

    Warns
    -----
    TrainingInterrupted
        When Ctrl-C or SIGTERM stops training; the step in progress completes, the weights reached
        are kept and, with ``checkpoint=``, a checkpoint is written to resume from.

    Notes
    -----
    The objective minimised is

        J(theta) = 1/n sum_i loss(y_i, f_theta(x_i)) + l2/2 sum_W ||W||^2 + l1 sum_W |W|

    over the weight matrices ``W``. Each step takes one batch ``B``, computes
    ``J_B`` with the batch mean in place of the full one, and lets the optimizer
    move ``theta`` against ``dJ_B/dtheta``.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> from descenso.train import fit
    >>> X = np.linspace(-1, 1, 20, dtype=np.float32).reshape(-1, 1)
    >>> y = 3 * X[:, 0] + 1
    >>> model = Linear(1, 1, rng=0)
    >>> history = fit(model, X, y, optimizer="sgd", lr=0.5, epochs=200, batch_size=None)
    >>> print(np.round(model.weight.data, 3), np.round(model.bias.data, 3))
    [[3.]] [1.]
    >>> history.stopped_by
    'max_epochs'
    """
    # 1. Check everything before any work: a bad argument should fail in a millisecond, not after an hour.
    rng, epochs, batch_size, l1, l2 = check_settings(rng, epochs, batch_size, l1, l2)
    parallel = as_parallel(distributed)  # one process, or ranks that average gradients every step
    rng, verbose = parallel.same_rng(rng), verbose and parallel.is_root
    aids = {"gradcheck": gradcheck, "doctor": doctor, "reference_loss": reference_loss}  # a stream refuses
    feed = as_feed(model, X, y, sample_weight, parallel, batch_size, **aids)  # arrays, or a file in pieces
    loss_fn = losses.get(loss)
    feed, val = feed.split(validation, model, rng)
    place = on_device(device, model, optimizer)  # the model there now; the data there once, below
    optimizer = make_optimizer(optimizer, model, lr)
    metric_fns = metric_functions(metrics, loss_fn)
    criteria = [*as_criteria(stop), MaxEpochs(epochs)]  # epochs is one criterion among the others
    divergence = _divergence_guard(criteria)  # NaN, inf, or a loss exploded while finite: always on
    check_criteria(criteria, val is not None, list(metric_fns), has_reference=reference_loss is not None)
    callbacks = check_callbacks(callbacks)
    # A schedule is a callback: it steps after each recorded epoch, and its state is checkpointed with theirs.
    callbacks += [s for s in [make_schedule(schedule, optimizer, epochs)] if s is not None]
    parallel.start(optimizer, n_values=2 + len(metric_fns))  # every rank starts from rank 0's weights
    saver = as_checkpointer(checkpoint, checkpoint_every, resume, write=parallel.is_root, ranks=parallel)

    # 2. The objective: the batch's mean loss plus the penalty on weight matrices (never on biases,
    #    which only shift a unit's output and do not make the function any less smooth).
    params = model.parameters()  # once: walking the module tree every step would cost a fifth of the time
    packed = _buffer_of_all(optimizer, params)  # the epoch's weight check: one product over it
    penalized = [p for p in params if p.ndim >= 2]

    def objective(Xb: np.ndarray, yb: np.ndarray, wb: np.ndarray | None) -> tuple[Any, Any, Any]:
        output = model(Xb)
        data_loss = loss_fn(output, yb) if wb is None else loss_fn(output, yb, sample_weight=wb)
        total = data_loss + penalty(penalized, l1, l2) if (l1 or l2) else data_loss
        return output, data_loss, total

    step_fn = training_step(compile, model, loss_fn, optimizer, objective, l1, l2)  # captured, or eager
    host = (*feed.host, *(val.host if val else ()))  # what the checkpoint's fingerprint and the aids read
    feed, val = feed.to(place), val and val.to(place)  # a stream learns its representation here, in one pass

    # 3. The run's state, handed to the checkpointer, which (with resume=True) restores it from disk.
    history = History()
    for criterion in criteria:
        criterion.reset()
    run = RunState(model, optimizer, rng, criteria, callbacks, history)
    n = feed.n
    batch = n if batch_size is None else min(batch_size, n)
    steps_per_epoch = math.ceil(n / batch)
    # Optional aids reach the loop as callbacks: the first batch's gradient check, and the doctor.
    batch_terms = (loss_fn, *host[:3], lambda m: penalty(m, l1, l2))
    checks = first_batch_gradcheck(gradcheck, n, batch, rng, *batch_terms)
    callbacks = [*checks, *callbacks, *training_doctor(doctor, host[0], host[1], loss_fn)]
    step_hooks = [hook for c in callbacks if (hook := getattr(c, "on_step_end", None)) is not None]
    metric_values = batch_metrics(metric_fns)  # computed on every batch: () at once with no metrics
    reason, stopped_by = "", ""
    settings = describe_settings(loss=loss, optimizer=_optimizer_settings(optimizer), batch_size=batch,
                                 l1=l1, l2=l2, metrics=list(metric_fns), reference_loss=reference_loss,
                                 stop=[c for c in criteria if not isinstance(c, MaxEpochs)])  # fmt: skip

    # 4. The loop: epochs of steps until a criterion fires. The first Ctrl-C or SIGTERM only raises a
    #    flag that is read between steps, so a step is never cut in half, the weights are always a real
    #    iterate, and a checkpoint can be written. NumPy's overflow warnings are silenced: a non-finite
    #    loss is caught below and explained instead. Targets and weights are checked once, here (a
    #    check per step would wait for a GPU each time).
    with (
        InterruptFlag() as interrupt,
        saver.session(run, host, settings) as at,
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
        feed.values_checked_once(loss_fn, val),
    ):
        _call(callbacks, "on_train_begin", model, history)
        try:
            while not reason:
                # Each epoch a fresh order (a permutation of the rows, or a stream's seed), drawn from rng
                # only, so the same seed gives the same batches. After a resume in mid-epoch, `at` already
                # holds that epoch's order and sums so far. Each rank gets its part of every batch.
                if at.step == 0:
                    at.new_epoch(feed.shuffle(rng, batch), metric_fns)
                model.train()
                _call(callbacks, "on_epoch_begin", at.epoch, model)
                for Xb, yb, wb, share in parallel.each(feed.epoch(at, batch, parallel)):
                    try:
                        output, data_loss, total = step_fn.forward(Xb, yb, wb)  # zero_grad, forward, loss
                        step_fn.backward()
                        values = metric_values(yb, output)
                    except Exception as error:
                        parallel.failed(error)  # an error on one rank stops every rank with that error
                    # The batch's numbers (and the gradient, averaged over the ranks), the same on every rank.
                    size, (loss_value, total_value), values, stop_now = parallel.reduce(
                        optimizer, share, [data_loss, total], values, interrupt
                    )
                    divergence.observe_step(total_value, at.epoch, optimizer, model)  # diverged: no step
                    step_fn.apply(at.epoch, total_value)  # the update; none with a NaN or inf gradient

                    history.n_steps += 1
                    at.add(size, loss_value, total_value, values)
                    for on_step_end in step_hooks:  # each callback gets its own logs, as a fresh dict
                        on_step_end(history.n_steps, {"loss": loss_value, "batch_size": size}, model)
                    if at.step < steps_per_epoch:  # the epoch's last step is saved with the epoch, below
                        saver.step_done(run, at, stop_now.raised)
                    if stop_now.raised:  # Ctrl-C or SIGTERM on any rank
                        break

                # 5. Record the epoch: training numbers averaged over its steps, validation at its end.
                #    The gradient norm is the last step's: step() reads .grad and leaves it as it was.
                grad_norm = _global_norm(params, packed)
                check_finite_weights(model, at.epoch, optimizer.lr, packed)
                row: dict[str, Any] = {name: float(sum_) / at.seen for name, sum_ in at.metric_sums.items()}
                val_loss = None
                if val is not None:
                    val_loss, val_metrics = _evaluate(model, loss_fn, metric_fns, parallel, val)
                    row.update({f"val_{name}": value for name, value in val_metrics.items()})
                gap = None
                if reference_loss is not None:
                    gap = _full_objective(model, objective, *feed.arrays()) - reference_loss
                history.record(
                    epoch=at.epoch,
                    train_loss=at.loss_sum / at.seen,
                    objective=at.objective_sum / at.seen,
                    val_loss=val_loss,
                    lr=optimizer.lr,
                    grad_norm=grad_norm,
                    time=run.elapsed(),
                    metrics=row,
                    optimum_gap=gap,
                )
                logs = history.last_row()
                _call(callbacks, "on_epoch_end", at.epoch, logs, model)
                if verbose:
                    _print_progress(history, epochs)

                # 6. Ask every criterion (each must see every epoch, e.g. to remember the best weights);
                #    the first reason, in the order given, wins. An interrupt that came during a complete
                #    epoch is saved at its end, so a resumed run starts the next one.
                fired = [(why, c.name) for c in criteria if (why := c.check(history, model))]
                fired = parallel.agree(fired)  # rank 0 decides, so every rank stops together
                complete = at.step == steps_per_epoch
                if complete:
                    at.end_epoch()
                    saver.epoch_done(run, at, force=stop_now.raised, finished=bool(fired))
                if stop_now.raised and not (fired and complete):
                    fired.insert(
                        0, (_interrupt_reason(interrupt.describe(), at.epoch, at.seen, n), "interrupt")
                    )
                if fired:
                    reason, stopped_by = fired[0]
        except KeyboardInterrupt:  # raised by a callback, a second Ctrl-C, or outside the main thread
            reason, stopped_by = (
                _interrupt_reason("by the user (Ctrl-C)", len(history) + 1, None, n),
                "interrupt",
            )
        except DivergenceError as error:
            history.stopped_by = "divergence"
            # Best weights back, even now: EarlyStopping's (best on validation) if any, else the guard's.
            others = [c for c in criteria if c is not divergence]
            restored = _finalize(others, history, model) or _finalize([divergence], history, model)
            error.restored = "; ".join(restored) or None
            history.stop_reason, error.history = str(error), history
            raise

    # 7. However training ended, let criteria finish (EarlyStopping restores the best weights) and say why.
    notes = _finalize(criteria, history, model) + saver.notes(stopped_by)
    history.stop_reason = "; ".join([reason, *notes])
    history.stopped_by = stopped_by
    history.interrupted_by = interrupt.signal_name if stopped_by == "interrupt" else None
    if stopped_by == "interrupt":
        warnings.warn(history.stop_reason, TrainingInterrupted, stacklevel=2)
    _call(callbacks, "on_train_end", history, model)
    if verbose:
        print(f"stopped: {history.stop_reason}")
    return history


# ---------------------------------------------------------------------------- helpers of the loop


def _divergence_guard(criteria: list[Any]) -> Divergence:
    """The Divergence criterion among ``criteria``, adding the default one when none was given."""
    guard = next((c for c in criteria if isinstance(c, Divergence)), None)
    if guard is None:
        guard = Divergence()
        criteria.insert(0, guard)  # first: an exploded epoch must not become another criterion's "best"
    return guard


def _call(callbacks: Sequence[Any], hook: str, *args: Any) -> None:
    for callback in callbacks:
        method = getattr(callback, hook, None)
        if method is not None:
            method(*args)


def _buffer_of_all(optimizer: Any, params: Sequence[Any]) -> Any:
    """The optimizer's flat buffer when it holds exactly ``params`` (all the model's), else None."""
    packed = getattr(optimizer, "packed", None)
    if packed is None or {id(p) for p in packed.params} != {id(p) for p in params}:
        return None
    return packed


def _global_norm(parameters: Sequence[Any], packed: Any = None) -> float:
    """The L2 norm of all gradients together, accumulated in float64 so it cannot overflow float32.

    With ``packed`` (the optimizer's flat buffer, holding every parameter), one product over its
    gradient, taken in float64.
    """
    if packed is not None and type(packed.grad) is np.ndarray and packed.holds_gradients():
        g = packed.grad.astype(np.float64)  # every gradient a view of it (none replaced by a user)
        return math.sqrt(float(np.dot(g, g)))
    grads = [g for p in parameters if (g := p.grad) is not None]
    squares = sum(array_module(g).vdot(g, g).astype(np.float64) for g in grads)  # summed on the device
    return math.sqrt(float(squares))


@no_grad()
def _evaluate(
    model: Any, loss_fn: Callable[..., Any], metric_fns: dict[str, Any], parallel: Any, val: Any
) -> Any:
    """Validation loss and metrics in evaluation mode (Dropout off), without building a graph.

    ``val`` is a feed (see :mod:`descenso.feed`): arrays are one part per rank, a stream a part
    per piece, whose means are combined weighted by their rows; with several ranks, the values
    are then averaged over the ranks the same way.
    """
    model.eval()
    parts = []  # (share, [loss], metrics) of each part of the rows this rank holds
    for X, y, w, share in parallel.each(val.chunks(parallel)):
        output = model(X)
        value = float((loss_fn(output, y) if w is None else loss_fn(output, y, sample_weight=w)).item())
        parts.append((share, [value], [metric(y, output.data) for metric in metric_fns.values()]))
    model.train()
    if len(parts) > 1:  # a stream's pieces: their weighted means, as one part
        count, weight = sum(p[0].count for p in parts), sum(p[0].weight for p in parts)
        loss_sum = sum(p[0].weight * p[1][0] for p in parts)
        metric_sums = [sum(p[0].count * p[2][k] for p in parts) for k in range(len(metric_fns))]
        parts = [(Share(count, weight), [loss_sum / weight], [m / count for m in metric_sums])]
    (value,), metric_values = parallel.mean(*parts[0])
    return value, dict(zip(metric_fns, metric_values, strict=True))


@no_grad()
def _full_objective(model: Any, objective: Callable[..., Any], X: Any, y: Any, w: Any) -> float:
    """The exact objective over all training data at the current weights (for the gap to the optimum)."""
    model.eval()
    value = float(objective(X, y, w)[2].item())
    model.train()
    return value


def _finalize(criteria: Sequence[Any], history: History, model: Any) -> list[str]:
    notes = [criterion.finalize(history, model) for criterion in criteria if hasattr(criterion, "finalize")]
    return [note for note in notes if note]


def _interrupt_reason(by: str, epoch: int, seen: int | None, n: int) -> str:
    done = "" if seen is None or seen == n else f" ({seen} of {n} samples seen)"
    return f"interrupted {by} during epoch {epoch}{done}; kept the weights reached"


def _optimizer_settings(optimizer: Any) -> Any:
    """The optimizer's type and settings at the start (what a resumed run must match)."""
    settings = getattr(optimizer, "hyperparameters", None)
    return [type(optimizer).__name__, settings() if callable(settings) else None]


def _print_progress(history: History, epochs: int) -> None:
    epoch = history.epoch[-1]
    if epoch != 1 and epoch % max(1, epochs // 10) and epoch != epochs:
        return
    line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  train_loss {history.train_loss[-1]:.6g}"
    if history.val_loss[-1] is not None:
        line += f"  val_loss {history.val_loss[-1]:.6g}"
    print(line + f"  lr {history.lr[-1]:.3g}  {history.time[-1]:.2f}s")
