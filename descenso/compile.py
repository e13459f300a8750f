"""A captured training step: forward, loss, backward and update traced once, then replayed.

The eager engine builds a graph op by op on every step: a Tensor, a closure and a few
checks per op, then a walk of the graph. That Python costs more than the arithmetic on the
small networks of this field. :func:`compile_step` reads the model once (its layers, in
order), gives each layer and the loss a replay kernel with arrays allocated once per batch
shape (:mod:`descenso._kernels`), and then runs each step as the same NumPy calls the eager
ops make, in the same order, writing with ``out=`` and building no graph: what
``jax.jit``, ``torch.compile`` and CUDA graphs do, in the small. Its numbers equal the
eager step's bit for bit.

What it captures: a ``Linear`` or a ``Sequential``/``MLP`` of layers (nested ones too) whose
only parameters are ``Linear`` layers, with any parameter-free layers in between (ReLU, Tanh
and Dropout have fast kernels; the others run their own eager op on one node); any loss
(``mse`` and ``bce_with_logits`` have fast kernels); the L1/L2 penalty of :func:`descenso.fit`;
any optimizer that packs its parameters into one flat buffer (all of them, by default). What
it cannot, it says: :class:`CaptureError` names the reason, and ``fit(compile=True)`` then
trains eagerly after one :class:`CompileWarning`.

Two sets of kernels replay a step, with the same numbers: NumPy's (:mod:`descenso._kernels`,
always there), and, when numba is installed (``pip install 'descenso[fast]'``), those of
:mod:`descenso._fused`, which fuse what NumPy runs as several passes (the optimizer's update,
bias + ReLU, the loss's elementwise work) into one compiled pass each. :func:`kernel_set` picks.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from types import ModuleType
from typing import Any, Callable

import numpy as np

from descenso import _kernels, losses
from descenso.backend import array_module
from descenso.finite_gradients import check_finite_gradients
from descenso.nn import Dropout, Linear, ReLU, Sequential, Tanh

__all__ = [
    "CaptureError", "CompileWarning", "CompiledStep", "EagerStep", "KERNELS", "compile_step", "kernel_set",
    "training_step",
]  # fmt: skip

KERNELS = ("auto", "numpy", "numba")
"""The names :func:`compile_step`'s ``kernels`` accepts."""


class CaptureError(TypeError):
    """The model, loss or optimizer does something a captured step cannot replay (the message says what)."""


class CompileWarning(UserWarning):
    """``fit(compile=True)`` trains eagerly instead: the message says why."""


def _layers(model: Any) -> list[Any]:
    """The model as a flat list of layers, or a CaptureError saying what cannot be replayed."""
    if "forward" in model.__dict__:
        raise CaptureError(
            f"{type(model).__name__} has its forward replaced on the instance (a tracer or a hook)"
        )
    if type(model) is Linear:
        return [model]
    if isinstance(model, Sequential) and type(model).forward is Sequential.forward:
        return [layer for child in model.layers for layer in _layers(child)]
    if not model.parameters():
        return [model]  # parameter-free: replayed by its own eager forward
    raise CaptureError(
        f"the model contains a {type(model).__name__} with parameters: only Linear layers, in a "
        "Linear, Sequential or MLP, can be captured"
    )


def _check_optimizer(model: Any, optimizer: Any) -> None:
    params = model.parameters()
    if getattr(optimizer, "packed", None) is None:
        raise CaptureError(
            "the optimizer does not pack its parameters into one buffer (flat=False, or mixed dtypes)"
        )
    if {id(p) for p in optimizer.params} != {id(p) for p in params} or len(optimizer.params) != len(params):
        raise CaptureError("the optimizer does not hold exactly the model's parameters")
    if not all(p.requires_grad for p in params):
        raise CaptureError("a parameter has requires_grad=False")


def kernel_set(kernels: str, xp: Any) -> ModuleType:
    """The module whose kernels replay a step: :mod:`descenso._fused` or :mod:`descenso._kernels`.

    Parameters
    ----------
    kernels : {"auto", "numpy", "numba"}
        ``"auto"``: numba's fused kernels when numba is installed and the arrays are NumPy's,
        else NumPy's; ``"numpy"``: NumPy's; ``"numba"``: numba's, or an error saying why not.
    xp : module
        The parameters' array module (numba compiles for the CPU's NumPy arrays only).

    Raises
    ------
    ValueError
        For another name.
    ImportError
        For ``"numba"`` without numba installed (the message names the extra).
    CaptureError
        For ``"numba"`` with the parameters on a GPU.
    """
    if kernels not in KERNELS:
        raise ValueError(
            f"compile_step: kernels must be one of {', '.join(map(repr, KERNELS))}; got {kernels!r}"
        )
    if kernels == "numpy" or (
        kernels == "auto" and (xp is not np or importlib.util.find_spec("numba") is None)
    ):
        return _kernels
    if xp is not np:
        raise CaptureError(f"kernels='numba' compiles for NumPy arrays; the parameters are {xp.__name__}'s")
    try:
        return importlib.import_module("descenso._fused")  # imports numba: only here, only when asked
    except ImportError as why:
        raise ImportError(
            f"kernels='numba' needs numba ({why}). Fix: pip install 'descenso[fast]', or kernels='numpy'"
        ) from None


def _square(w: np.ndarray) -> np.ndarray:
    return w * w


class CompiledStep:
    """One training step of ``model`` under ``loss`` and ``optimizer``, captured; see :func:`compile_step`.

    ``step(X, y)`` runs forward, loss, backward and the update on one batch and returns the
    batch's loss. ``forward``, ``backward`` and ``update`` (the optimizer's step, fused where it
    can be) are its parts; ``fit`` looks at the loss after ``forward`` and updates with ``apply``,
    which first checks that the gradient is finite.
    """

    def __init__(
        self, model: Any, loss: Any, optimizer: Any, l1: float = 0.0, l2: float = 0.0, kernels: str = "auto"
    ) -> None:
        self.model, self.optimizer = model, optimizer
        self.loss_fn = losses.get(loss)
        self.layers = _layers(model)
        _check_optimizer(model, optimizer)
        self.penalized = [p for p in model.parameters() if p.ndim >= 2]
        self.l1, self.l2 = float(l1), float(l2)
        self.packed, self._owner = optimizer.packed, type(optimizer).__name__
        self.dtype = optimizer.packed.data.dtype
        self.xp = array_module(optimizer.packed.data)  # NumPy, or CuPy for a model on a GPU
        self.kernels = kernel_set(kernels, self.xp)
        self.update: Callable[[], Any] = self.kernels.optimizer_update(optimizer)  # optimizer.step()
        self.update_if_finite = self.kernels.update_if_finite(optimizer, self.update)  # one call, fused
        self._plans: dict[tuple[int, ...], list[Any]] = {}
        self._loss_kernels: dict[tuple[int, ...], Any] = {}
        self._last: tuple[list[Any], Any] | None = None

    # ------------------------------------------------------------------ the capture, once per batch shape
    def _plan(self, shape: tuple[int, ...]) -> list[Any]:
        plan = self._plans.get(shape)
        if plan is not None:
            return plan
        plan, rows, width, i = [], shape[0], shape[1], 0
        trained = False  # whether a layer before this one has parameters (so its input needs a gradient)
        layers = self.layers
        while i < len(layers):
            layer, after = layers[i], layers[i + 1] if i + 1 < len(layers) else None
            if type(layer) is Linear:
                fused = type(after) is ReLU and "forward" not in after.__dict__  # what Sequential fuses
                plan.append(self.kernels.LinearKernel(layer, rows, fused, input_grad=trained))
                width, trained, i = layer.out_features, True, i + (2 if fused else 1)
                continue
            kind = type(layer)
            if "forward" in layer.__dict__:
                kernel: Any = _kernels.EagerLayer(layer)
            elif kind is ReLU:
                kernel = _kernels.ReLUKernel((rows, width), self.dtype, self.xp)
            elif kind is Tanh:
                kernel = _kernels.TanhKernel((rows, width), self.dtype, self.xp)
            elif kind is Dropout:
                kernel = _kernels.DropoutKernel(layer, (rows, width), self.dtype, self.xp)
            else:
                kernel = _kernels.EagerLayer(layer)
            kernel.trained = trained
            plan.append(kernel)
            i += 1
        self._plans[shape] = plan
        return plan

    def _loss_kernel(self, shape: tuple[int, ...]) -> Any:
        kernel = self._loss_kernels.get(shape)
        if kernel is None:
            fast = self.kernels.FAST_LOSSES.get(self.loss_fn)
            kernel = fast(shape, self.dtype, self.xp) if fast else _kernels.EagerLoss(self.loss_fn)
            self._loss_kernels[shape] = kernel
        return kernel

    # ------------------------------------------------------------------ a step
    def forward(self, X: Any, y: Any, sample_weight: Any = None) -> tuple[np.ndarray, float, float]:
        """Forward and loss on one batch: ``(output, data loss, objective)`` (output: reused next step)."""
        self.packed.sync(self._owner)  # a replaced p.data is an error, as eager
        x = self.xp.asarray(X, dtype=self.dtype)
        if x.ndim != 2:
            raise ValueError(f"compiled step: expected X of shape (batch, n_features); got shape {x.shape}")
        plan = self._plans.get(x.shape) or self._plan(x.shape)
        for kernel in plan:
            x = kernel.forward(x)
        target = self.xp.asarray(y, dtype=self.dtype)
        if target.shape != x.shape:
            if target.size != x.size:
                raise ValueError(
                    f"compiled step: the model's output has shape {x.shape} but y has shape {target.shape}; "
                    "expected one target per output"
                )
            target = target.reshape(x.shape)
        loss_kernel = self._loss_kernels.get(x.shape) or self._loss_kernel(x.shape)
        weight = sample_weight
        if weight is not None and type(loss_kernel) is not _kernels.EagerLoss:
            weight = _kernels.batch_weights(self.loss_fn.__name__, sample_weight, x)
        data = loss_kernel.forward(x, target, weight)
        self._last = (plan, loss_kernel)
        if not (self.l1 or self.l2):
            value = float(data)
            return x, value, value
        return x, float(data), float(data + self._penalty_value())

    def _penalty_value(self) -> np.ndarray:
        """``l2/2 sum ||W||^2 + l1 sum |W|`` with the very operations of :func:`descenso.train.penalty`."""
        xp, terms = self.xp, []
        for coefficient, part in ((self.l2 / 2, _square), (self.l1, xp.abs)):
            if coefficient and self.penalized:
                total: Any = 0  # Python's sum(): 0 + s_1 + s_2 ..., each s_i a reduction over all axes
                for w in self.penalized:
                    total = total + part(w.data).sum(axis=tuple(range(w.ndim)))
                terms.append(xp.asarray(coefficient, self.dtype) * xp.asarray(total, self.dtype))
        if not terms:
            return xp.zeros((), self.dtype)
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    def backward(self) -> None:
        """The gradient of the last ``forward``'s objective, written into the parameters' ``.grad``."""
        assert self._last is not None, "backward() before forward()"
        plan, loss_kernel = self._last
        self._last = None
        grad = loss_kernel.backward()
        for kernel in reversed(plan):
            if not kernel.trained:
                break  # no parameter before this layer: nothing needs its input's gradient
            grad = kernel.backward(grad)
            if grad is None:
                break
        if self.l1 or self.l2:
            self._penalty_gradient()
        # Eager accumulates into zeroed gradients, 0 + g, which turns a -0.0 into +0.0; so do we.
        self.kernels.settle_gradient(self.packed.grad)

    def _penalty_gradient(self) -> None:
        """Add ``l1 sign(W) + l2 W`` in the order eager's graph delivers it: l1's term, then ``c W + c W``."""
        xp = self.xp
        c1 = xp.asarray(self.l1, self.dtype)
        c2 = xp.asarray(self.l2 / 2, self.dtype)
        for w in self.penalized:
            term = None
            if self.l1:
                term = c1 * xp.sign(w.data)
            if self.l2:
                half = c2 * w.data
                term = half + half if term is None else (term + half) + half
            w.grad += term

    def apply(self, epoch: int, loss: float) -> None:
        """``fit``'s update: the optimizer's step, unless the gradient holds a NaN or an infinity.

        Raises
        ------
        NonFiniteGradientError
            Naming the parameter (the step is not applied); ``epoch`` and ``loss`` go into the message.
        """
        if self.update_if_finite():  # the check and the update: one kernel call where they are fused
            return
        optimizer = self.optimizer
        check_finite_gradients(optimizer.params, self.model, epoch, optimizer.lr, loss)  # names it
        self.update()  # a false alarm (NumPy's g . g overflowed on a finite gradient): step after all

    def __call__(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Forward, loss, backward and the optimizer's update on one batch; return the batch's loss."""
        _, value, _ = self.forward(X, y, sample_weight)
        self.backward()
        self.update()
        return value


def compile_step(
    model: Any, loss: Any, optimizer: Any, l1: float = 0.0, l2: float = 0.0, kernels: str = "auto"
) -> CompiledStep:
    """Capture one training step of ``model``: forward, ``loss``, backward and ``optimizer``'s update.

    Parameters
    ----------
    model : nn.Module
        A ``Linear``, ``Sequential`` or ``MLP`` (see the module's notes for what is captured).
    loss : str or callable
        As for :func:`descenso.fit`.
    optimizer : Optimizer
        Over exactly ``model.parameters()``, packed (the default).
    l1, l2 : float, default 0
        The penalty of :func:`descenso.fit` on the weight matrices.
    kernels : {"auto", "numpy", "numba"}, default "auto"
        Which kernels replay the step (:func:`kernel_set`): numba's fused ones when
        ``descenso[fast]`` is installed, else NumPy's. Both give the eager step's numbers.

    Returns
    -------
    CompiledStep
        ``step(X, y, sample_weight=None) -> float``: one step on one batch, returning its loss.

    Raises
    ------
    CaptureError
        When the model, loss or optimizer cannot be replayed; the message says why.
    ImportError
        For ``kernels="numba"`` without numba.

    Notes
    -----
    Each batch shape is captured the first time it is seen (the last short batch of an
    epoch is a second shape). The results equal the eager loop's
    ``loss_fn(model(X), y).backward(); optimizer.step()`` bit for bit, Dropout's masks
    included (drawn from the layer's own rng, in the same order).

    Examples
    --------
    >>> import numpy as np
    >>> import descenso as ds
    >>> model = ds.nn.MLP(2, hidden=(8,), rng=0)
    >>> step = ds.compile_step(model, "mse", ds.optim.SGD(model.parameters(), lr=0.1))
    >>> X = np.ones((4, 2), dtype=np.float32)
    >>> losses = [step(X, np.zeros(4, dtype=np.float32)) for _ in range(50)]
    >>> losses[-1] < losses[0] * 1e-3
    True
    """
    return CompiledStep(model, loss, optimizer, l1, l2, kernels)


class EagerStep:
    """The eager step ``fit`` takes when nothing is compiled: zero_grad, the objective's graph, backward."""

    def __init__(self, objective: Callable[..., Any], optimizer: Any, model: Any) -> None:
        self.objective, self.optimizer, self.model = objective, optimizer, model
        self.update = optimizer.step
        self.params = model.parameters()
        self._total: Any = None

    def forward(self, X: Any, y: Any, sample_weight: Any = None) -> tuple[np.ndarray, float, float]:
        self.optimizer.zero_grad()
        output, data_loss, self._total = self.objective(X, y, sample_weight)
        return (output.data, *_read(data_loss, self._total))

    def backward(self) -> None:
        total, self._total = self._total, None
        total.backward()

    def apply(self, epoch: int, loss: float) -> None:
        """The optimizer's step, unless a gradient holds a NaN or an infinity (then an error naming it)."""
        optimizer = self.optimizer
        packed = getattr(optimizer, "packed", None)
        check_finite_gradients(self.params, self.model, epoch, optimizer.lr, loss, packed)
        optimizer.step()


def _read(data_loss: Any, total: Any) -> tuple[float, float]:
    """The batch's data loss and objective as floats: on a GPU, the one copy to the host a step needs."""
    if total is data_loss or type(total.data) is np.ndarray:
        return data_loss.item(), total.item()
    loss_value, total_value = array_module(total.data).stack((data_loss.data, total.data)).tolist()
    return loss_value, total_value


def training_step(
    compile: bool | str,  # noqa: A002 - fit's argument
    model: Any,
    loss: Any,
    optimizer: Any,
    objective: Callable[..., Any],
    l1: float,
    l2: float,
) -> CompiledStep | EagerStep:
    """The step ``fit`` takes: captured when ``compile`` and the model allows it, else eager (warned once).

    ``compile`` is a bool, or the name of a kernel set (``"numpy"``, ``"numba"``; True is ``"auto"``).
    """
    if compile:
        try:
            return CompiledStep(model, loss, optimizer, l1, l2, "auto" if compile is True else compile)
        except CaptureError as why:
            warnings.warn(f"fit(compile=True): training eagerly, because {why}", CompileWarning, stacklevel=3)
    return EagerStep(objective, optimizer, model)
