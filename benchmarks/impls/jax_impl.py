"""JAX with a jit-compiled training step (only where JAX is installed)."""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Workload, batch_order, full_loss, initial_weights


def train(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    import jax
    import jax.numpy as jnp

    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in initial_weights(w)]

    def forward(params, x):
        for i, (W, b) in enumerate(params):
            x = x @ W.T + b
            if i < len(params) - 1:
                x = jax.nn.relu(x)
        return x

    def loss_fn(params, x, t):
        z = forward(params, x)
        if w.loss == "mse":
            return jnp.mean((z - t) ** 2)
        return jnp.mean(jnp.maximum(z, 0) - z * t + jnp.log1p(jnp.exp(-jnp.abs(z))))

    if w.optimizer == "adam":
        state = (
            jax.tree_util.tree_map(jnp.zeros_like, params),
            jax.tree_util.tree_map(jnp.zeros_like, params),
            0,
        )

        @jax.jit
        def step(params, state, x, t):
            m, v, k = state
            grads = jax.grad(loss_fn)(params, x, t)
            k = k + 1
            m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
            v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
            params = jax.tree_util.tree_map(
                lambda p, m, v: p - w.lr * (m / (1 - 0.9**k)) / (jnp.sqrt(v / (1 - 0.999**k)) + 1e-8),
                params,
                m,
                v,
            )
            return params, (m, v, k)
    else:
        momentum = w.momentum if w.optimizer == "sgd_momentum" else 0.0
        state = jax.tree_util.tree_map(jnp.zeros_like, params)

        @jax.jit
        def step(params, state, x, t):
            grads = jax.grad(loss_fn)(params, x, t)
            state = jax.tree_util.tree_map(lambda b, g: momentum * b + g, state, grads)
            params = jax.tree_util.tree_map(lambda p, b: p - w.lr * b, params, state)
            return params, state

    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    # Compile for every batch shape before timing (results discarded: JAX arrays are immutable).
    for index in {len(i): i for i in batch_order(w, 0)}.values():
        jax.block_until_ready(step(params, state, Xj[index], yj[index]))
    start = time.perf_counter()
    for epoch in range(w.epochs):
        for index in batch_order(w, epoch):
            if w.batch_size is None:
                params, state = step(params, state, Xj, yj)
            else:
                params, state = step(params, state, Xj[index], yj[index])
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    return full_loss(w, np.asarray(forward(params, Xj)), y), seconds
