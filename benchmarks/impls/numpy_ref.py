"""Hand-written NumPy forward/backward: the practical speed limit for an engine on NumPy.

One flat parameter vector (weights and biases are views into it), one flat
gradient vector, preallocated activation buffers per batch size, in-place
ufuncs. No graph, no autodiff: every derivative is written out.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Workload, batch_order, full_loss, initial_weights


class HandWrittenMLP:
    """ReLU MLP with explicit forward and backward passes over flat buffers."""

    def __init__(self, w: Workload) -> None:
        layers = initial_weights(w)
        total = sum(W.size + b.size for W, b in layers)
        self.flat = np.empty(total, dtype=np.float32)
        self.grad = np.zeros(total, dtype=np.float32)
        self.params, self.grads = [], []
        offset = 0
        for W, b in layers:
            views = []
            for array in (W, b):
                view = self.flat[offset : offset + array.size].reshape(array.shape)
                view[...] = array
                views.append((view, self.grad[offset : offset + array.size].reshape(array.shape)))
                offset += array.size
            self.params.append((views[0][0], views[1][0]))
            self.grads.append((views[0][1], views[1][1]))
        self.loss = w.loss
        self._buffers: dict[int, list[np.ndarray]] = {}

    def _acts(self, n: int) -> list[np.ndarray]:
        if n not in self._buffers:
            self._buffers[n] = [np.empty((n, W.shape[0]), dtype=np.float32) for W, _ in self.params]
        return self._buffers[n]

    def forward(self, X: np.ndarray) -> np.ndarray:
        acts = self._acts(len(X))
        h = X
        for i, (W, b) in enumerate(self.params):
            out = acts[i]
            np.matmul(h, W.T, out=out)
            out += b
            if i < len(self.params) - 1:
                np.maximum(out, 0, out=out)
            h = out
        return h

    def step_gradient(self, X: np.ndarray, y: np.ndarray) -> None:
        """Forward, loss gradient and backward into ``self.grad`` for one batch."""
        z = self.forward(X)
        n = len(X)
        if self.loss == "mse":
            delta = (z - y) * np.float32(2.0 / n)
        else:  # d/dz of mean BCE-with-logits = (sigmoid(z) - y) / n
            e = np.exp(-np.abs(z))
            delta = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
            delta -= y
            delta *= np.float32(1.0 / n)
        acts = self._acts(n)
        for i in range(len(self.params) - 1, -1, -1):
            W, _ = self.params[i]
            gW, gb = self.grads[i]
            h_in = X if i == 0 else acts[i - 1]
            np.matmul(delta.T, h_in, out=gW)
            np.sum(delta, axis=0, out=gb)
            if i:
                delta = delta @ W
                delta *= acts[i - 1] > 0


def train(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Train for ``w.epochs`` epochs; return (final full-data loss, seconds spent in the epochs)."""
    model = HandWrittenMLP(w)
    flat, grad = model.flat, model.grad
    if w.optimizer == "adam":
        m, v = np.zeros_like(flat), np.zeros_like(flat)
        tmp = np.empty_like(flat)
        beta1, beta2, eps, t = 0.9, 0.999, 1e-8, 0
    elif w.optimizer == "sgd_momentum":
        velocity = np.zeros_like(flat)
    start = time.perf_counter()
    for epoch in range(w.epochs):
        for index in batch_order(w, epoch):
            Xb, yb = (X, y) if w.batch_size is None else (X[index], y[index])
            model.step_gradient(Xb, yb)
            if w.optimizer == "adam":
                t += 1
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                np.multiply(grad, grad, out=tmp)
                tmp *= 1 - beta2
                v += tmp
                np.sqrt(v, out=tmp)
                tmp /= np.sqrt(1 - beta2**t)
                tmp += eps
                np.divide(m, tmp, out=tmp)
                tmp *= w.lr / (1 - beta1**t)
                flat -= tmp
            elif w.optimizer == "sgd_momentum":
                velocity *= w.momentum
                velocity += grad
                flat -= w.lr * velocity
            else:
                flat -= w.lr * grad
    seconds = time.perf_counter() - start
    return full_loss(w, model.forward(X), y), seconds
