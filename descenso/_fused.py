"""The fused kernels of ``descenso[fast]``: what NumPy cannot do in one call, compiled by numba.

A captured step (:mod:`descenso.compile`) on NumPy arrays uses these when numba is installed
(``pip install 'descenso[fast]'``). NumPy runs one pass over memory per call and costs about a
microsecond per call however small the array; on the small networks of this field a step is
dozens of such calls over a few hundred numbers. Each kernel here does in one pass, element by
element, the very floating-point operations of the NumPy calls it replaces, in the same order
and in the same dtype (no ``fastmath``: no reassociation, no fused multiply-add), so a captured
step's numbers stay the eager step's bit for bit (``tests/test_fused.py``). Every kernel is compiled
with ``error_model="numpy"``: a division by zero gives inf or NaN as NumPy's does, instead of
Python's ZeroDivisionError, whose check in every iteration kept LLVM from vectorising the loops
(Adam's update over W2's 21,000 parameters: 53 us before, 4.8 us after, the same bits). What is fused:

- the optimizer's update: Adam/AdamW (both moments, AMSGrad's maximum, weight decay and the
  step, 13 NumPy calls) and SGD (weight decay, momentum, Nesterov) in one pass over the flat
  parameter vector, after ``fit``'s check that the gradient is finite, in the same call;
- a hidden layer's bias and ReLU after the matrix product, and ReLU's derivative;
- the elementwise parts of BCE-with-logits (the loss terms; the whole derivative) and MSE.

What is not, and why: matrix products stay BLAS's and sums stay NumPy's pairwise sum (another
order of additions would change the last bits), and ``exp`` / ``log1p`` stay NumPy's own (its
vectorised ones differ from numba's in the last bit). This module imports numba at its top, so
``import descenso`` never imports it: :func:`descenso.compile.kernel_set` imports this module
only when numba is there and asked for. ``cache=True`` keeps the machine code on disk, so only
the first process ever pays the compile (about a second per kernel and dtype).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numba
import numpy as np

from descenso import _kernels, losses
from descenso.optim.adam import Adam, AdamW
from descenso.optim.sgd import SGD

# ------------------------------------------------------------------------------- the optimizers


@numba.njit(cache=True, error_model="numpy")
def adam_update(param, grad, m, v, v_max, beta1, beta2, eps, weight_decay, decay, step_size, bias_sqrt,
                amsgrad, decoupled, check_finite):  # fmt: skip
    """:meth:`descenso.optim.Adam._update_flat` in one pass: the same float operations, in its order.

    With ``check_finite``, a NaN or an infinity in ``grad`` (:func:`gradient_is_finite`, in the same
    call) leaves every buffer as it was. Returns whether it updated.
    """
    if check_finite and not gradient_is_finite(grad):
        return False
    t = param.dtype.type  # every coefficient rounded to the dtype, as NumPy does with a Python float
    b1, c1, b2, c2 = t(beta1), t(1 - beta1), t(beta2), t(1 - beta2)
    wd, keep, e, size, root = t(weight_decay), t(decay), t(eps), t(step_size), t(bias_sqrt)
    coupled = weight_decay != 0 and not decoupled
    for i in range(param.size):
        p = param[i]
        if decoupled:
            p = p * keep  # param *= 1 - lr * weight_decay
        g = grad[i]
        if coupled:
            g = p * wd + g  # a = param * wd; a += grad
        mi = m[i] * b1 + g * c1  # m *= beta1; b = grad * (1 - beta1); m += b
        vi = v[i] * b2 + g * c2 * g  # v *= beta2; b = grad * (1 - beta2); b *= grad; v += b
        m[i], v[i] = mi, vi
        if amsgrad:
            top = v_max[i]
            if vi > top or vi != vi:  # np.maximum: the larger, NaN if either is NaN
                top = vi
            v_max[i] = top
            vi = top
        d = np.sqrt(vi) / root + e  # b = sqrt(v); b /= bias_sqrt; b += eps
        param[i] = p - mi / d * size  # b = m / b; b *= step_size; param -= b
    return True


@numba.njit(cache=True, error_model="numpy")
def sgd_update(param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, first, check_finite):
    """:meth:`descenso.optim.SGD._update_flat` in one pass: the same float operations, in its order.

    ``check_finite``: as in :func:`adam_update`. Returns whether it updated.
    """
    if check_finite and not gradient_is_finite(grad):
        return False
    t = param.dtype.type
    rate, mu, damp, wd = t(lr), t(momentum), t(1 - dampening), t(weight_decay)
    for i in range(param.size):
        p, g = param[i], grad[i]
        if weight_decay != 0:
            g = p * wd + g
        d = g
        if momentum != 0:
            if first:
                b = g
            elif dampening != 0:
                b = buf[i] * mu + g * damp
            else:
                b = buf[i] * mu + g
            buf[i] = b
            d = b * mu + g if nesterov else b
        param[i] = p - d * rate  # a = d * lr; param -= a
    return True


class FusedAdam:
    """One ``step()`` of an Adam or AdamW over its flat buffers, as one kernel call."""

    def __init__(self, optimizer: Adam) -> None:
        self.optimizer = optimizer
        assert optimizer.packed is not None
        self.param, self.grad = optimizer.packed.data, optimizer.packed.grad  # fixed for its life
        state = optimizer._flat_state  # the buffers themselves: load_state_dict copies into them
        self.m, self.v = state["exp_avg"], state["exp_avg_sq"]
        self.v_max = state.get("max_exp_avg_sq", self.v)

    def __call__(self, check_finite: bool = False) -> bool:
        """One step (none, with ``check_finite``, if the gradient holds a NaN or inf); whether it stepped."""
        opt = self.optimizer
        opt.steps += 1
        step_size, bias_sqrt = opt._coefficients()
        beta1, beta2 = opt.betas
        stepped = adam_update(self.param, self.grad, self.m, self.v, self.v_max, beta1, beta2, opt.eps,
                              opt.weight_decay, 1 - opt.lr * opt.weight_decay, step_size, bias_sqrt,
                              opt.amsgrad, opt._decoupled, check_finite)  # fmt: skip
        if not stepped:
            opt.steps -= 1  # no step was taken
        return stepped


class FusedSGD:
    """One ``step()`` of an SGD (momentum, Nesterov, weight decay) over its flat buffers, as one call."""

    def __init__(self, optimizer: SGD) -> None:
        self.optimizer = optimizer
        packed = optimizer.packed
        assert packed is not None
        self.buf = optimizer._flat_state.get("momentum_buffer", packed.data)  # unread without momentum

    def __call__(self, check_finite: bool = False) -> bool:
        """One step (none, with ``check_finite``, if the gradient holds a NaN or inf); whether it stepped."""
        opt = self.optimizer
        opt.steps += 1
        packed = opt.packed
        assert packed is not None
        stepped = sgd_update(packed.data, packed.grad, self.buf, opt.lr, opt.momentum, opt.dampening,
                             opt.weight_decay, opt.nesterov, opt.steps == 1, check_finite)  # fmt: skip
        if not stepped:
            opt.steps -= 1  # no step was taken
        return stepped


_FUSED_OPTIMIZERS: dict[type, Callable[[Any], FusedAdam | FusedSGD]] = {
    Adam: FusedAdam,
    AdamW: FusedAdam,
    SGD: FusedSGD,
}


def optimizer_update(optimizer: Any) -> Callable[[], Any]:
    """The optimizer's ``step`` as one fused kernel where it is exactly Adam, AdamW or SGD, else its own."""
    fused = _FUSED_OPTIMIZERS.get(type(optimizer))
    if fused is None or "step" in optimizer.__dict__ or optimizer.packed is None:
        return _kernels.optimizer_update(optimizer)
    return fused(optimizer)


def update_if_finite(optimizer: Any, update: Callable[[], Any]) -> Callable[[], bool]:
    """``update`` (from :func:`optimizer_update`) unless the flat gradient holds a NaN or an infinity.

    Calling it returns whether it updated. A fused update checks in its own kernel call (one call
    per step, not two); another optimizer's step runs after :func:`gradient_is_finite`.
    """
    if isinstance(update, (FusedAdam, FusedSGD)):
        return functools.partial(update, check_finite=True)
    return _kernels.CheckedUpdate(optimizer, update, gradient_is_finite)


@numba.njit(cache=True, error_model="numpy")
def gradient_is_finite(grad):
    """Whether every entry of the flat gradient is finite (exact: no overflow, unlike a sum).

    One AND over all entries, without an early exit: a loop that may stop does not vectorise, and
    a finite gradient (the case at every step) is read to its end either way.
    """
    finite = True
    for i in range(grad.size):
        finite &= np.isfinite(grad[i])
    return finite


@numba.njit(cache=True, error_model="numpy")
def settle_gradient(grad):
    """``grad += 0`` in place: eager's ``0 + g`` turns a -0.0 into +0.0 (NaN stays NaN)."""
    zero = grad.dtype.type(0)
    for i in range(grad.size):
        grad[i] = grad[i] + zero


# ------------------------------------------------------------------------------- layers


@numba.njit(cache=True, error_model="numpy")
def _flat(a):
    """A C-contiguous array as one vector (a view): a loop over it vectorises, a (rows, 1) one would not."""
    return a.reshape(a.size)


@numba.njit(cache=True, error_model="numpy")
def add_bias_relu(out, bias):
    """``out += bias; np.maximum(out, 0, out=out)`` in one pass over ``out`` (rows, columns)."""
    zero = out.dtype.type(0)
    rows, columns = out.shape
    for i in range(rows):
        for j in range(columns):
            x = out[i, j] + bias[j]
            out[i, j] = x if x > 0 or x != x else zero  # np.maximum(x, 0): +0.0 for -0.0, NaN stays


@numba.njit(cache=True, error_model="numpy")
def relu_grad(grad, out, grad_z):
    """``grad * (out > 0)`` (the mask as 0.0 / 1.0, as NumPy multiplies by a bool) into ``grad_z``."""
    zero, one = out.dtype.type(0), out.dtype.type(1)
    g, o, gz = _flat(grad), _flat(out), _flat(grad_z)
    for i in range(o.size):
        gz[i] = g[i] * (one if o[i] > 0 else zero)


class LinearKernel(_kernels.LinearKernel):
    """:class:`descenso._kernels.LinearKernel` with the bias and the ReLU (and its derivative) fused."""

    def __init__(self, layer: Any, rows: int, relu: bool, input_grad: bool) -> None:
        super().__init__(layer, rows, relu, input_grad)
        self.fused = relu and self.bias is not None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.fused:
            return super().forward(x)
        self.x = x
        out = np.matmul(x, self.weight_t, out=self.out)
        add_bias_relu(out, self.bias_data)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        if not self.fused:
            return super().backward(grad)
        assert self.grad_z is not None
        relu_grad(np.ascontiguousarray(grad), self.out, self.grad_z)
        return self.products(self.grad_z)


# ------------------------------------------------------------------------------- losses


@numba.njit(cache=True, error_model="numpy")
def negative_abs(z, e):
    """``e = -|z|`` (``np.abs`` then ``np.negative``), the argument of NumPy's ``exp`` that follows."""
    zf, ef = _flat(z), _flat(e)
    for i in range(zf.size):
        ef[i] = -abs(zf[i])


@numba.njit(cache=True, error_model="numpy")
def bce_terms(z, y, log_term, loss):
    """``loss = max(z, 0); loss -= z * y; loss += log_term``, in one pass."""
    zero = z.dtype.type(0)
    zf, yf, lf, out = _flat(z), _flat(y), _flat(log_term), _flat(loss)
    for i in range(zf.size):
        x = zf[i]
        top = x if x > 0 or x != x else zero
        out[i] = top - x * yf[i] + lf[i]


@numba.njit(cache=True, error_model="numpy")
def bce_grad(z, y, e, scale, s):
    """``(sigmoid(z) - y) * scale`` from ``e = exp(-|z|)``, the operations of the NumPy kernel in one pass.

    ``scale`` is ``(1, 1)`` (the mean's ``1/n``) or ``(rows, 1)`` (times each row's weight).
    """
    one = z.dtype.type(1)
    columns = z.shape[1]
    per_row = scale.shape[0] > 1
    zf, yf, ef, sf = _flat(z), _flat(y), _flat(e), _flat(s)
    c = scale[0, 0]
    for i in range(zf.size):
        if per_row:
            c = scale[i // columns, 0]
        one_plus = ef[i] + one
        sigmoid = one / one_plus if zf[i] >= 0 else ef[i] / one_plus
        sf[i] = (sigmoid - yf[i]) * c


@numba.njit(cache=True, error_model="numpy")
def squared_residual(z, y, residual, squares):
    """``residual = z - y; squares = residual * residual``, in one pass."""
    zf, yf, rf, sf = _flat(z), _flat(y), _flat(residual), _flat(squares)
    for i in range(zf.size):
        r = zf[i] - yf[i]
        rf[i] = r
        sf[i] = r * r


class BCEWithLogitsKernel(_kernels.BCEWithLogitsKernel):
    """:class:`descenso._kernels.BCEWithLogitsKernel` with its elementwise passes fused."""

    def terms(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        y = self.y = np.ascontiguousarray(y)  # the kernels read it as one vector
        negative_abs(z, self.e)
        np.exp(self.e, out=self.e)  # NumPy's exp and log1p: numba's differ in the last bit
        np.log1p(self.e, out=self.log_term)
        bce_terms(z, y, self.log_term, self.loss)
        return self.loss

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, xp: Any) -> None:
        super().__init__(shape, dtype, xp)
        self.mean_scale_2d = np.reshape(np.asarray(self.mean_scale), (1, 1))

    def backward(self) -> np.ndarray:
        scale = self.scale  # (1, 1), or (rows, 1) with sample weights
        scale = self.mean_scale_2d if scale is self.mean_scale else np.asarray(scale).reshape(-1, 1)
        bce_grad(self.z, self.y, self.e, scale, self.s)
        return self.s


class MSEKernel(_kernels.MSEKernel):
    """:class:`descenso._kernels.MSEKernel` with the residual and its square in one pass."""

    def terms(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        squared_residual(z, np.ascontiguousarray(y), self.residual, self.squares)
        return self.squares


FAST_LOSSES = {losses.mse: MSEKernel, losses.bce_with_logits: BCEWithLogitsKernel}


def warm_up(dtype: Any = np.float32) -> None:
    """Compile (or load from numba's disk cache) every kernel for ``dtype``, on tiny arrays.

    A kernel is compiled at its first call; this moves that cost out of a timed loop (the
    benchmarks call it, as they compile JAX's step before timing it).
    """
    a, b, c, d, e = (np.ones(2, dtype) for _ in range(5))
    adam_update(a, b, c, d, e, 0.9, 0.999, 1e-8, 0.0, 1.0, 1e-3, 1.0, False, False, True)
    sgd_update(a, b, c, 0.1, 0.0, 0.0, 0.0, False, True, True)
    m, n, o, p = (np.ones((2, 1), dtype) for _ in range(4))
    add_bias_relu(m, a[:1])
    relu_grad(m, n, o)
    negative_abs(m, n)
    bce_terms(m, n, o, p)
    bce_grad(m, n, o, np.ones((1, 1), dtype), p)
    squared_residual(m, n, o, p)
    gradient_is_finite(a)
    settle_gradient(a)
