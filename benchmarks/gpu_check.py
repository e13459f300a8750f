"""GPU check: descenso on CuPy against descenso on NumPy (parity) and PyTorch CUDA eager (speed).

Run through ``benchmarks/gpu_check.sh`` on a machine with an NVIDIA GPU, CuPy, PyTorch (CUDA) and NumPy.
``--dry`` runs the same code on the CPU (descenso on NumPy, PyTorch on the CPU, small workloads) to show
the script itself works where there is no GPU.

(a) parity: every public op, loss and optimizer, and an MLP trained by ``fit``, on the device and on
    NumPy from the same seed: equal to 1e-5 relative in float32 and 1e-10 in float64.
(b) speed: W2 and W3 of ``benchmarks/common.py``, and W3 with batch 8192 (GEMM-bound), time per epoch of
    descenso (its own loop, and ``fit``) and of PyTorch eager on the same device, and their ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np

from benchmarks.common import TINY, WORKLOADS, Workload, batch_order, full_loss, initial_weights, make_data

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        import cupy

        cupy.cuda.Device().synchronize()


# ------------------------------------------------------------------------------------------- (a) parity
def relative_error(actual: Any, expected: Any) -> float:
    from descenso.backend import to_numpy

    actual, expected = np.asarray(to_numpy(actual), np.float64), np.asarray(to_numpy(expected), np.float64)
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    return float(np.max(np.abs(actual - expected)) / scale) if expected.size else 0.0


def parity_of_everything(device: str) -> list[tuple[str, str, float, float]]:
    """Every covered op, loss and optimizer (tests/test_backend.py's list) on ``device`` against NumPy."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_backend import run_everything

    on_device, on_host = run_everything(device), run_everything("cpu")
    rows = []
    for name in sorted(on_host):
        worst, dtype = 0.0, np.dtype(np.float64)
        for actual, expected in zip(on_device[name], on_host[name], strict=True):
            if isinstance(expected, int):  # no gradient reached this input
                continue
            dtype = np.dtype(expected.dtype) if expected.dtype.kind == "f" else dtype
            worst = max(worst, relative_error(actual, expected))
        rows.append((name, str(dtype), worst, TOLERANCE[dtype]))
    return rows


def parity_of_fit(device: str) -> list[tuple[str, str, float, float]]:
    """An MLP trained by ``fit`` from one seed on ``device`` and on NumPy: final weights and losses."""
    import descenso as ds

    rng = np.random.default_rng(0)
    X = rng.standard_normal((512, 4))
    y = (X[:, 0] * X[:, 1] + 0.5 * X[:, 2] > 0).astype(np.float64)
    rows = []
    for dtype in ("float32", "float64"):
        runs = []
        for where in ("cpu", device):
            model = ds.nn.MLP(4, hidden=(32, 32), rng=0, dtype=dtype)
            history = ds.fit(
                model,
                X,
                y,
                loss="bce_with_logits",
                epochs=3,
                batch_size=64,
                rng=0,
                validation=0.2,
                device=where,
            )
            runs.append(([p.data for p in model.parameters()], history.train_loss, history.val_loss))
        (w_host, loss_host, val_host), (w_dev, loss_dev, val_dev) = runs
        worst = max(relative_error(a, b) for a, b in zip(w_dev, w_host, strict=True))
        worst = max(worst, relative_error(loss_dev, loss_host), relative_error(val_dev, val_host))
        rows.append((f"fit MLP 4-32-32-1, 3 epochs ({dtype})", dtype, worst, TOLERANCE[np.dtype(dtype)]))
    return rows


# ------------------------------------------------------------------------------------------- (b) speed
def descenso_epoch(
    w: Workload, X: np.ndarray, y: np.ndarray, device: str, use_fit: bool
) -> tuple[float, float]:
    """Seconds per epoch of descenso on ``device`` (after a warm-up epoch), and the final full loss."""
    import descenso as ds
    from descenso import losses, nn, optim
    from descenso.backend import to_device, to_numpy
    from descenso.train import fit

    model = nn.MLP(w.d, hidden=w.hidden, out_features=1, rng=0)
    arrays = [a for pair in initial_weights(w) for a in pair]
    model.load_state_dict(dict(zip(model.state_dict().keys(), arrays, strict=True)))
    model.to(device)
    if w.optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = optim.SGD(model.parameters(), lr=w.lr, momentum=w.momentum)
    loss_fn = losses.get(w.loss)
    Xd, yd = to_device(X, device), to_device(y, device)
    epochs = 1 + w.epochs  # the first epoch warms up (CuPy compiles its kernels on first use)
    seconds = []
    for epoch in range(epochs):
        synchronize(device)
        start = time.perf_counter()
        if use_fit:
            # fit takes host data and copies it to the model's device once a call (here, once an epoch)
            fit(model, X, y, loss=w.loss, optimizer=opt, epochs=1, batch_size=w.batch_size, rng=epoch)
        else:
            for index in batch_order(w, epoch):
                rows = to_device(index, device)  # once a batch here, as a user's loop would
                loss = loss_fn(model(Xd[rows]), yd[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
    with ds.no_grad():
        prediction = to_numpy(model(Xd).data)
    return float(np.mean(seconds[1:])), full_loss(w, prediction, y)


def torch_epoch(w: Workload, X: np.ndarray, y: np.ndarray, device: str) -> tuple[float, float]:
    """Seconds per epoch of PyTorch eager on ``device`` (after a warm-up epoch), and the final full loss."""
    import torch

    layers: list[Any] = []
    for i, (W, b) in enumerate(initial_weights(w)):
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(w.hidden):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers).to(device)
    if w.optimizer == "adam":
        opt: Any = torch.optim.Adam(model.parameters(), lr=w.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=w.lr, momentum=w.momentum)
    loss_fn = torch.nn.MSELoss() if w.loss == "mse" else torch.nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
    seconds = []
    for epoch in range(1 + w.epochs):
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        for index in batch_order(w, epoch):
            idx = torch.from_numpy(index).to(device)
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        prediction = model(Xt).cpu().numpy()
    return float(np.mean(seconds[1:])), full_loss(w, prediction, y)


def speed_rows(
    dry: bool, device: str, torch_device: str
) -> list[tuple[str, float, float, float, float, float]]:
    table = TINY if dry else WORKLOADS
    w3 = table["W3"]
    description = w3.description.replace("batch 1024", "batch 8192")
    large = dataclasses.replace(w3, name="W3-8192", batch_size=128 if dry else 8192, description=description)
    rows = []
    for w in (table["W2"], table["W3"], large):
        X, y = make_data(w)
        own, own_loss = descenso_epoch(w, X, y, device, use_fit=False)
        with_fit, _ = descenso_epoch(w, X, y, device, use_fit=True)
        peer, peer_loss = torch_epoch(w, X, y, torch_device)
        rows.append((f"{w.name}: {w.description}", own, with_fit, peer, own_loss, peer_loss))
    return rows


# ------------------------------------------------------------------------------------------- the report
def environment(device: str) -> list[str]:
    import torch

    lines = [f"- Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__}"]
    if device.startswith("cuda"):
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        lines.append(
            f"- GPU {name}, CuPy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}"
        )
        lines.append(f"- PyTorch CUDA {torch.version.cuda}, available: {torch.cuda.is_available()}")
    return lines


def section(title: str, body: Callable[[], list[str]], failures: list[str]) -> list[str]:
    """One part of the report; an exception is written down (and counted) instead of ending the check."""
    try:
        return [f"## {title}", "", *body(), ""]
    except Exception:  # a robust report: every part runs even when one fails
        failures.append(title)
        return [f"## {title}", "", "FAILED:", "", "```", traceback.format_exc().rstrip(), "```", ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dry", action="store_true", help="the same code on the CPU, small workloads")
    parser.add_argument("--out", default="gpu_check_results.md", help="where to write the results")
    parser.add_argument("--oracle", default="", help="the oracle tests' summary line (from gpu_check.sh)")
    args = parser.parse_args(argv)
    device, torch_device = ("cpu", "cpu") if args.dry else ("cuda", "cuda")
    failures: list[str] = []
    started = time.perf_counter()
    mode = "DRY RUN on the CPU (descenso on NumPy, PyTorch on the CPU, tiny workloads)" if args.dry else "GPU"
    lines = [f"# descenso GPU check: {mode}", "", *environment(device), ""]

    def parity() -> list[str]:
        rows = parity_of_everything(device) + parity_of_fit(device)
        out = [
            "| what | dtype | max relative error vs NumPy | tolerance | ok |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, dtype, error, tolerance in rows:
            out.append(
                f"| {name} | {dtype} | {error:.2e} | {tolerance:.0e} "
                f"| {'yes' if error <= tolerance else 'NO'} |"
            )
        bad = [name for name, _, error, tolerance in rows if error > tolerance]
        if bad:
            failures.append("parity: " + ", ".join(bad))
        out += ["", f"{len(rows) - len(bad)} of {len(rows)} within tolerance."]
        if args.oracle:
            out += ["", f"PyTorch oracle tests (tests/oracle) on the device: {args.oracle}"]
        return out

    def speed() -> list[str]:
        out = [
            "Seconds per epoch (mean after one warm-up epoch); ratio = descenso / PyTorch eager on the same"
            " device, lower is faster.",
            "",
            "| workload | descenso loop | descenso fit | PyTorch eager | loop ratio | fit ratio "
            "| final loss (ours / torch) |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, own, with_fit, peer, own_loss, peer_loss in speed_rows(args.dry, device, torch_device):
            out.append(
                f"| {name} | {own:.4f} | {with_fit:.4f} | {peer:.4f} | {own / peer:.2f} "
                f"| {with_fit / peer:.2f} | {own_loss:.6g} / {peer_loss:.6g} |"
            )
        return out

    lines += section("(a) parity with NumPy", parity, failures)
    lines += section("(b) speed against PyTorch eager", speed, failures)
    lines += [f"Total {time.perf_counter() - started:.1f} s. Failed parts: {', '.join(failures) or 'none'}."]
    Path(args.out).write_text("\n".join(lines) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
