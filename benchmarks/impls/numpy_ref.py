"""Hand-written NumPy training loop, as fast as a careful person makes it: the reference of every ratio.

No graph and no autodiff: every derivative is written out, and every choice is the fast one:

- one gather per epoch (``np.take`` of the shuffled rows into a preallocated copy), so each batch
  is a contiguous slice of it, not a fancy-indexed copy;
- one flat parameter vector and one flat gradient vector (weights and biases are views into them),
  so the optimizer is a handful of in-place calls over one array;
- every activation, gradient and scratch array preallocated per batch size, written with ``out=``;
- BLAS-friendly products: ``np.dot`` (always BLAS) for every matrix product; the one-output layer's
  products as matrix-vector products and its input gradient as a broadcast outer product; bias
  gradients as ``ones @ delta``, a matrix-vector product, rather than a ``sum(axis=0)``;
- no temporaries in the loss derivative or the optimizer update.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Workload, batch_order, full_loss, initial_weights


class HandWrittenMLP:
    """ReLU MLP with one output: explicit forward and backward passes over flat, preallocated buffers."""

    def __init__(self, w: Workload, dtype: type = np.float32) -> None:
        layers = initial_weights(w)
        self.flat = np.concatenate([a.ravel() for pair in layers for a in pair]).astype(dtype)
        self.grad = np.zeros_like(self.flat)
        self.weights, self.biases, self.grad_weights, self.grad_biases = [], [], [], []
        offset = 0
        for W, b in layers:
            for array, values, grads in (
                (W, self.weights, self.grad_weights),
                (b, self.biases, self.grad_biases),
            ):
                size = array.size
                shape = array.shape if array is b or W.shape[0] > 1 else (W.shape[1],)  # 1-output: a vector
                values.append(self.flat[offset : offset + size].reshape(shape))
                grads.append(self.grad[offset : offset + size].reshape(shape))
                offset += size
        self.loss = w.loss
        self._buffers: dict[int, dict[str, list[np.ndarray]]] = {}

    def buffers(self, n: int) -> dict[str, list[np.ndarray]]:
        """Activations, their gradients and ReLU masks for a batch of ``n`` rows (made once per ``n``)."""
        if n not in self._buffers:
            dtype = self.flat.dtype
            hidden = [W.shape[0] for W in self.weights[:-1]]
            self._buffers[n] = {
                "acts": [np.empty((n, h), dtype) for h in hidden],
                "deltas": [np.empty((n, h), dtype) for h in hidden],
                "masks": [np.empty((n, h), bool) for h in hidden],
                "out": [np.empty(n, dtype), np.empty(n, dtype), np.ones(n, dtype)],  # z, dz, ones
            }
        return self._buffers[n]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The logits or predictions, shape ``(n,)``."""
        buf = self.buffers(len(X))
        h = X
        for W, b, act in zip(self.weights[:-1], self.biases[:-1], buf["acts"], strict=True):
            np.dot(h, W.T, out=act)
            act += b
            np.maximum(act, 0, out=act)
            h = act
        z = buf["out"][0]
        np.dot(h, self.weights[-1], out=z)  # one output: a matrix-vector product
        z += self.biases[-1]
        return z

    def step_gradient(self, X: np.ndarray, y: np.ndarray) -> None:
        """Forward, the loss's derivative and backward, writing the gradient into ``self.grad``."""
        z = self.forward(X)
        buf = self.buffers(len(X))
        dz, ones = buf["out"][1], buf["out"][2]
        n = len(X)
        if self.loss == "mse":  # d/dz mean (z - y)^2 = 2 (z - y) / n
            np.subtract(z, y, out=dz)
            dz *= 2.0 / n
        else:  # d/dz mean BCE-with-logits = (sigmoid(z) - y) / n; exp(-z) = inf gives sigmoid 0, exactly
            np.negative(z, out=dz)
            np.exp(dz, out=dz)
            dz += 1
            np.reciprocal(dz, out=dz)
            dz -= y
            dz *= 1.0 / n
        acts, deltas, masks = buf["acts"], buf["deltas"], buf["masks"]
        h_last = acts[-1] if acts else X
        np.dot(dz, h_last, out=self.grad_weights[-1])  # (n,) @ (n, h): matrix-vector
        self.grad_biases[-1][...] = dz.sum()
        if not acts:
            return
        delta = deltas[-1]
        np.multiply(dz[:, None], self.weights[-1], out=delta)  # the outer product dz w^T, broadcast
        for i in range(len(acts) - 1, -1, -1):
            np.greater(acts[i], 0, out=masks[i])
            delta = deltas[i]
            delta *= masks[i]
            h_in = X if i == 0 else acts[i - 1]
            np.dot(delta.T, h_in, out=self.grad_weights[i])
            np.dot(ones, delta, out=self.grad_biases[i])  # bias gradient: a matrix-vector product
            if i:
                np.dot(delta, self.weights[i], out=deltas[i - 1])


class Adam:
    """Adam over the flat vector, 13 in-place calls, no temporaries."""

    def __init__(self, flat: np.ndarray, lr: float, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.m, self.v, self.tmp = np.zeros_like(flat), np.zeros_like(flat), np.empty_like(flat)
        self.lr, self.beta1, self.beta2, self.t = lr, beta1, beta2, 0

    def step(self, flat: np.ndarray, grad: np.ndarray) -> None:
        m, v, tmp, b1, b2 = self.m, self.v, self.tmp, self.beta1, self.beta2
        self.t += 1
        m *= b1
        np.multiply(grad, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grad, 1 - b2, out=tmp)
        tmp *= grad
        v += tmp
        np.sqrt(v, out=tmp)
        tmp *= 1 / np.sqrt(1 - b2**self.t)
        tmp += 1e-8
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / (1 - b1**self.t)
        flat -= tmp


class Momentum:
    """SGD with momentum, PyTorch's convention (``b <- mu b + g``, ``theta <- theta - lr b``); GD at mu=0."""

    def __init__(self, flat: np.ndarray, lr: float, momentum: float) -> None:
        self.velocity, self.tmp = np.zeros_like(flat), np.empty_like(flat)
        self.lr, self.momentum = lr, momentum

    def step(self, flat: np.ndarray, grad: np.ndarray) -> None:
        if self.momentum:
            self.velocity *= self.momentum
            self.velocity += grad
            grad = self.velocity
        np.multiply(grad, self.lr, out=self.tmp)
        flat -= self.tmp


def train(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Train for ``w.epochs`` epochs; return (final full-data loss, seconds spent in the epochs)."""
    model = HandWrittenMLP(w)
    if w.optimizer == "adam":
        opt: Adam | Momentum = Adam(model.flat, w.lr)
    else:
        opt = Momentum(model.flat, w.lr, w.momentum if w.optimizer == "sgd_momentum" else 0.0)
    target = y.reshape(-1)
    shuffled_X, shuffled_y = np.empty_like(X), np.empty_like(target)
    b = w.batch_size
    start = time.perf_counter()
    with np.errstate(over="ignore"):
        for epoch in range(w.epochs):
            if b is None or b >= w.n:
                model.step_gradient(X, target)
                opt.step(model.flat, model.grad)
                continue
            order = np.concatenate(batch_order(w, epoch))  # the epoch's permutation
            np.take(X, order, axis=0, out=shuffled_X)  # one gather per epoch: batches are contiguous
            np.take(target, order, out=shuffled_y)
            for i in range(0, w.n, b):
                model.step_gradient(shuffled_X[i : i + b], shuffled_y[i : i + b])
                opt.step(model.flat, model.grad)
    seconds = time.perf_counter() - start
    return full_loss(w, model.forward(X)[:, None], y), seconds
