"""descenso through its public API, as a user writes it: nn layers, a loss, backward(), step()."""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import ORDER_SEED, Workload, batch_order, full_loss, initial_weights


def build(w: Workload):
    import descenso as ds
    from descenso import losses, nn, optim

    model = nn.MLP(w.d, hidden=w.hidden, out_features=1, activation="relu", rng=0)
    arrays = [a for pair in initial_weights(w) for a in pair]
    model.load_state_dict(dict(zip(model.state_dict().keys(), arrays, strict=True)))
    if w.optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = optim.SGD(
            model.parameters(), lr=w.lr, momentum=w.momentum if w.optimizer == "sgd_momentum" else 0.0
        )
    loss_fn = losses.get(w.loss)
    return ds, model, opt, loss_fn


def train(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The hand-rolled loop of the tutorials: forward, loss, zero_grad, backward, step."""
    ds, model, opt, loss_fn = build(w)
    start = time.perf_counter()
    for epoch in range(w.epochs):
        for index in batch_order(w, epoch):
            Xb, yb = (X, y) if w.batch_size is None else (X[index], y[index])
            loss = loss_fn(model(Xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    with ds.no_grad():
        return full_loss(w, model(ds.tensor(X)).data, y), seconds


def warm_fused_kernels() -> None:
    """Compile numba's kernels (or load them from its disk cache) before the timer, as JAX's jit is."""
    import importlib.util

    if importlib.util.find_spec("numba") is not None:
        from descenso import _fused

        _fused.warm_up(np.float32)


def train_compiled(w: Workload, X: np.ndarray, y: np.ndarray, kernels: str = "auto") -> tuple[float, float]:
    """The same loop with the step captured once: ``step = ds.compile_step(...)``, then ``step(Xb, yb)``.

    ``kernels="auto"`` replays with numba's fused kernels where descenso[fast] is installed.
    """
    ds, model, opt, loss_fn = build(w)
    step = ds.compile_step(model, loss_fn, opt, kernels=kernels)
    if kernels != "numpy":
        warm_fused_kernels()
    start = time.perf_counter()
    for epoch in range(w.epochs):
        for index in batch_order(w, epoch):
            if w.batch_size is None:
                step(X, y)
            else:
                step(X[index], y[index])
    seconds = time.perf_counter() - start
    with ds.no_grad():
        return full_loss(w, model(ds.tensor(X)).data, y), seconds


def train_compiled_numpy(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """:func:`train_compiled` with NumPy's kernels only (what the step does without descenso[fast])."""
    return train_compiled(w, X, y, kernels="numpy")


def train_fit(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``descenso.fit(compile=True)`` (as the estimators run it), whose ``rng`` draws the batch order of
    :func:`benchmarks.common.batch_order`."""
    from descenso.train import fit

    ds, model, opt, _ = build(w)
    warm_fused_kernels()
    start = time.perf_counter()
    fit(
        model,
        X,
        y,
        loss=w.loss,
        optimizer=opt,
        epochs=w.epochs,
        batch_size=w.batch_size,
        rng=ORDER_SEED,
        compile=True,
    )
    seconds = time.perf_counter() - start
    with ds.no_grad():
        return full_loss(w, model(ds.tensor(X)).data, y), seconds
