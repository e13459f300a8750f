"""descenso on a GPU (CuPy) against itself on NumPy (parity) and against PyTorch CUDA eager (speed).

Run through ``benchmarks/gpu_check.sh``, which sets ``PYTHONPATH=.`` and a time limit. Writes a report
to ``--out`` (and prints it). Nothing is downloaded; nothing here asserts a time.

- parity: every op, loss and optimizer of ``tests/test_backend.py`` and an MLP ``fit`` on the device
  equal NumPy's to 1e-5 relative in float32 and 1e-10 in float64;
- speed: W2 and W3 of ``benchmarks/common.py`` (and W3 at batch 8192, GEMM-bound), time per epoch of
  descenso's loop, descenso's ``fit(device=...)`` and PyTorch eager on the same GPU, with the ratio.

``--dry-run`` does all of it on this machine with no GPU: the device is the strict test double
(``tests/strict_array.py``) and PyTorch runs on the CPU, at tiny sizes: it proves the script, not a speed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from benchmarks.common import WORKLOADS, Workload, batch_order, initial_weights, make_data  # noqa: E402

LINES: list[str] = []


def say(line: str = "") -> None:
    LINES.append(line)
    print(line, flush=True)


def worst_relative(a: Any, b: Any) -> float:
    from descenso.backend import to_numpy

    a, b = np.asarray(to_numpy(a), np.float64), np.asarray(to_numpy(b), np.float64)
    # Relative to the array's largest value: an entry that is 0 on one side and 1e-17 on the other
    # (a sum taken in another order) is agreement, not an infinite relative error.
    scale = float(np.max(np.abs(b), initial=0.0)) or 1.0
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


# --------------------------------------------------------------------------------------------- parity
def parity(device: str) -> bool:
    """Ops, losses, optimizers (float32 and float64) and an MLP fit: the device against NumPy."""
    from test_backend import run_everything

    from descenso import nn
    from descenso.train import fit

    ok = True
    say(
        f"## parity: {device} against NumPy (max |a - b| / max |b| per array; "
        "limits 1e-5 float32, 1e-10 float64)"
    )
    there, here = run_everything(device), run_everything("cpu")  # float64 inputs
    worst = max(worst_relative(a, b) for k in here for a, b in zip(there[k], here[k], strict=True))
    say(f"every op, loss and optimizer of tests/test_backend.py ({len(here)}), float64, values and "
        f"gradients: {worst:.2e}  {'ok' if worst <= 1e-10 else 'FAIL'}")  # fmt: skip
    ok &= worst <= 1e-10
    for dtype, limit in (("float32", 1e-5), ("float64", 1e-10)):
        rng = np.random.default_rng(0)
        X = rng.standard_normal((512, 8)).astype(dtype)
        y = (X[:, 0] * X[:, 1] > 0).astype(dtype)
        fitted = []
        for where in ("cpu", device):
            model = nn.MLP(8, hidden=(32, 32), rng=0, dtype=dtype)
            fit(model, X, y, loss="bce_with_logits", epochs=3, batch_size=64, rng=0, device=where)
            fitted.append(model)
        pairs = zip(fitted[1].parameters(), fitted[0].parameters(), strict=True)
        worst = max(worst_relative(a.data, b.data) for a, b in pairs)
        say(f"MLP 8-32-32-1 fit (3 epochs, 24 Adam steps), {dtype}, weights: {worst:.2e}  "
            f"{'ok' if worst <= limit else 'FAIL'}")  # fmt: skip
        ok &= worst <= limit
    return ok


# ---------------------------------------------------------------------------------------------- speed
def synchronizer(device: str) -> Callable[[], None]:
    if device.startswith("cuda"):
        import cupy

        return lambda: cupy.cuda.Device().synchronize()
    return lambda: None


def descenso_loop(w: Workload, X: np.ndarray, y: np.ndarray, device: str, epochs: int) -> list[float]:
    """The tutorial loop on the device; the data and each epoch's batch order copied there once."""
    from descenso import backend, losses, nn, optim

    model = nn.MLP(w.d, hidden=w.hidden, activation="relu", rng=0)
    model.load_state_dict(
        dict(zip(model.state_dict(), [a for pair in initial_weights(w) for a in pair], strict=True))
    )
    model.to(device)
    if w.optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = optim.SGD(model.parameters(), lr=w.lr, momentum=w.momentum)
    loss_fn, sync = losses.get(w.loss), synchronizer(device)
    Xd, yd = backend.to_device(X, device), backend.to_device(y, device)
    times = []
    for epoch in range(epochs):
        batches = batch_order(w, epoch)
        order = backend.to_device(np.concatenate(batches), device)
        sync()
        start = time.perf_counter()
        for i in range(len(batches)):
            rows = order[i * w.batch_size : (i + 1) * w.batch_size]
            loss = loss_fn(model(Xd[rows]), yd[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sync()
        times.append(time.perf_counter() - start)
    return times


def descenso_fit(w: Workload, X: np.ndarray, y: np.ndarray, device: str, epochs: int) -> list[float]:
    """``fit(device=...)``: what a user calls (it also reads the loss once a step to decide when to stop)."""
    from descenso import nn, optim
    from descenso.train import fit

    model = nn.MLP(w.d, hidden=w.hidden, activation="relu", rng=0).to(device)
    if w.optimizer == "adam":
        opt: Any = optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = optim.SGD(model.parameters(), lr=w.lr, momentum=w.momentum)
    history = fit(model, X, y[:, 0], loss=w.loss, optimizer=opt, epochs=epochs, batch_size=w.batch_size,
                  rng=0, device=device)  # fmt: skip
    seconds = list(np.diff([0.0, *history.get("time")]))
    return [float(s) for s in seconds]


def torch_loop(w: Workload, X: np.ndarray, y: np.ndarray, device: str, epochs: int) -> list[float]:
    import torch

    layers: list[Any] = []
    for i, (W, b) in enumerate(initial_weights(w)):
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()] if i < len(w.hidden) else [linear]
    model = torch.nn.Sequential(*layers).to(device)
    if w.optimizer == "adam":
        opt: Any = torch.optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=w.lr, momentum=w.momentum)
    loss_fn = torch.nn.MSELoss() if w.loss == "mse" else torch.nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    times = []
    for epoch in range(epochs):
        batches = batch_order(w, epoch)
        order = torch.from_numpy(np.concatenate(batches)).to(device)
        sync()
        start = time.perf_counter()
        for i in range(len(batches)):
            rows = order[i * w.batch_size : (i + 1) * w.batch_size]
            opt.zero_grad()
            loss_fn(model(Xt[rows]), yt[rows]).backward()
            opt.step()
        sync()
        times.append(time.perf_counter() - start)
    return times


def speed(device: str, torch_device: str, tiny: bool, epochs: int) -> None:
    say()
    say(f"## speed: seconds per epoch (median of {epochs} after one warm-up epoch); descenso on {device}, "
        f"PyTorch eager on {torch_device}")  # fmt: skip
    say(f"{'workload':<36} {'descenso loop':>14} {'descenso fit':>13} {'torch':>9} {'loop/torch':>11}")
    cases = [
        WORKLOADS["W2"],
        WORKLOADS["W3"],
        dataclasses.replace(WORKLOADS["W3"], name="W3 batch 8192", batch_size=8192),
    ]
    if tiny:
        cases = [dataclasses.replace(w, n=min(w.n, 2 * (w.batch_size or 1)), d=min(w.d, 16),
                                     hidden=tuple(min(h, 32) for h in w.hidden)) for w in cases]  # fmt: skip
    for w in cases:
        X, y = make_data(w)
        row = []
        for run, where in ((descenso_loop, device), (descenso_fit, device), (torch_loop, torch_device)):
            seconds = run(w, X, y, where, epochs + 1)[1:]
            row.append(float(np.median(seconds)))
        label = f"{w.name} ({w.n}x{w.d}, batch {w.batch_size})"
        say(f"{label:<36} {row[0]:>14.4f} {row[1]:>13.4f} {row[2]:>9.4f} {row[0] / row[2]:>10.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="no GPU: the strict double, tiny sizes")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default="gpu_check.txt")
    args = parser.parse_args()
    import descenso

    if args.dry_run:
        from strict_array import use_strict_device

        use_strict_device()
        device, torch_device = "strict", "cpu"
    else:
        import cupy
        import torch

        device, torch_device = args.device, args.device
        say(f"GPU: {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}, CuPy {cupy.__version__}, "
            f"PyTorch {torch.__version__} (CUDA {torch.version.cuda}), NumPy {np.__version__}")  # fmt: skip
    say(
        f"descenso {descenso.__version__}, Python {sys.version.split()[0]}"
        + (" (dry run)" if args.dry_run else "")
    )
    ok = parity(device)
    speed(device, torch_device, tiny=args.dry_run, epochs=1 if args.dry_run else args.epochs)
    say()
    say("parity: " + ("all within the limits" if ok else "FAILED (see above)"))
    Path(args.out).write_text("\n".join(LINES) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
