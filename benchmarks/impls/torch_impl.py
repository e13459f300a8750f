"""PyTorch eager on the CPU: the tool most users would pick instead (threads set by the harness)."""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Workload, batch_order, full_loss, initial_weights


def train(w: Workload, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    import torch

    layers: list[torch.nn.Module] = []
    for i, (W, b) in enumerate(initial_weights(w)):
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(w.hidden):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    if w.optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = torch.optim.SGD(
            model.parameters(), lr=w.lr, momentum=w.momentum if w.optimizer == "sgd_momentum" else 0
        )
    loss_fn = torch.nn.MSELoss() if w.loss == "mse" else torch.nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    start = time.perf_counter()
    for epoch in range(w.epochs):
        for index in batch_order(w, epoch):
            if w.batch_size is None:
                Xb, yb = Xt, yt
            else:
                idx = torch.from_numpy(index)
                Xb, yb = Xt[idx], yt[idx]
            opt.zero_grad()
            loss = loss_fn(model(Xb), yb)
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        return full_loss(w, model(Xt).numpy(), y), seconds
