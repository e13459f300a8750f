"""Per-step cost of descenso's engine: forward + backward of a 3-layer MLP, against NumPy and PyTorch.

One "step" is: forward through Linear-ReLU-Linear-ReLU-Linear, a mean-squared-error loss, and the
gradients of every weight and bias (the update itself is left out; it costs the same everywhere).
Three implementations do exactly that on the same float32 data and weights:

- descenso: ``ds.linear``, ``ds.relu`` and a loss written with engine ops, then ``loss.backward()``;
- numpy: the same forward and a hand-written backward (the floor for any NumPy-based engine);
- torch: ``F.linear``, ``torch.relu``, ``loss.backward()`` with ``torch.set_num_threads(2)``
  (``--threads`` changes it, for torch and for NumPy's BLAS alike).

They run interleaved in rounds (the order shuffled each round) and each ratio is taken within a round,
so machine noise that hits one round hits every implementation alike. Not a test. Usage::

    python benchmarks/engine_step.py                 # both sizes, 15 rounds
    python benchmarks/engine_step.py --rounds 5      # quicker
    python benchmarks/engine_step.py --profile       # cProfile of the small descenso step
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without install

import descenso as ds


@dataclass(frozen=True)
class Size:
    name: str
    layers: tuple[int, ...]  # in, hidden, hidden, out
    batch: int


SIZES = [
    Size("2-16-16-1, batch 32", (2, 16, 16, 1), 32),
    Size("32-128-128-1, batch 256", (32, 128, 128, 1), 256),
]


def make_problem(size: Size) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Seeded float32 inputs, targets and He-initialised (weight (out, in), bias (out,)) arrays."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((size.batch, size.layers[0])).astype(np.float32)
    y = rng.standard_normal((size.batch, size.layers[-1])).astype(np.float32)
    params = []
    for fan_in, fan_out in zip(size.layers[:-1], size.layers[1:], strict=True):
        params.append((rng.standard_normal((fan_out, fan_in)) * np.sqrt(2 / fan_in)).astype(np.float32))
        params.append((0.1 * rng.standard_normal(fan_out)).astype(np.float32))
    return x, y, params


# ----------------------------------------------------------------------------- descenso
def descenso_step(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], list[np.ndarray]]:
    params = [ds.tensor(a, requires_grad=True) for a in arrays]
    xt, yt = ds.tensor(x), ds.tensor(y)
    w1, b1, w2, b2, w3, b3 = params

    def step() -> list[np.ndarray]:
        for p in params:
            p.grad = None  # zero_grad
        h = ds.relu(ds.linear(xt, w1, b1))
        h = ds.relu(ds.linear(h, w2, b2))
        loss = ((ds.linear(h, w3, b3) - yt) ** 2).mean()
        loss.backward()
        return [p.grad for p in params]  # type: ignore[misc]

    return step


# ----------------------------------------------------------------------------- NumPy by hand
def numpy_step(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], list[np.ndarray]]:
    w1, b1, w2, b2, w3, b3 = arrays
    two_over_n = np.float32(2 / y.size)

    def step() -> list[np.ndarray]:
        z1 = x @ w1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = np.maximum(z2, 0)
        out = h2 @ w3.T + b3
        g_out = (out - y) * two_over_n  # d mean((out - y)^2) / d out
        g_w3, g_b3 = g_out.T @ h2, g_out.sum(axis=0)
        g_z2 = (g_out @ w3) * (z2 > 0)
        g_w2, g_b2 = g_z2.T @ h1, g_z2.sum(axis=0)
        g_z1 = (g_z2 @ w2) * (z1 > 0)
        g_w1, g_b1 = g_z1.T @ x, g_z1.sum(axis=0)
        return [g_w1, g_b1, g_w2, g_b2, g_w3, g_b3]

    return step


# ----------------------------------------------------------------------------- PyTorch
def torch_step(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], list[np.ndarray]]:
    import torch
    import torch.nn.functional as F  # noqa: N812 - the usual name

    params = [torch.tensor(a, requires_grad=True) for a in arrays]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    w1, b1, w2, b2, w3, b3 = params

    def step() -> list[np.ndarray]:
        for p in params:
            p.grad = None
        h = torch.relu(F.linear(xt, w1, b1))
        h = torch.relu(F.linear(h, w2, b2))
        loss = ((F.linear(h, w3, b3) - yt) ** 2).mean()
        loss.backward()
        return [p.grad.numpy() for p in params]  # type: ignore[union-attr]

    return step


IMPLEMENTATIONS = {"descenso": descenso_step, "numpy": numpy_step, "torch": torch_step}


def check_same_gradients(steps: dict[str, Callable[[], list[np.ndarray]]]) -> None:
    """Refuse to time implementations that do not compute the same thing."""
    reference = steps["numpy"]()
    for name, step in steps.items():
        for expected, actual in zip(reference, step(), strict=True):
            assert actual.dtype == np.float32, f"{name} computed in {actual.dtype}, not float32"
            np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5, err_msg=name)


def seconds_per_step(step: Callable[[], object], repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - start) / repeats


def calibrate(step: Callable[[], object], target: float = 0.05) -> int:
    """How many repeats take about ``target`` seconds (so timer resolution does not matter)."""
    once = max(seconds_per_step(step, 3), 1e-7)
    return max(3, int(target / once))


def measure(size: Size, rounds: int, seed: int) -> dict[str, list[float]]:
    x, y, arrays = make_problem(size)
    steps = {name: make(x, y, arrays) for name, make in IMPLEMENTATIONS.items()}
    check_same_gradients(steps)
    repeats = {name: calibrate(step) for name, step in steps.items()}
    order = list(steps)
    shuffler = random.Random(seed)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        shuffler.shuffle(order)
        for name in order:
            times[name].append(seconds_per_step(steps[name], repeats[name]))
    return times


def ratio_summary(numerator: list[float], denominator: list[float]) -> str:
    """Median of the per-round ratios with the spread between their quartiles."""
    ratios = sorted(a / b for a, b in zip(numerator, denominator, strict=True))
    if len(ratios) >= 4:
        q1, _, q3 = statistics.quantiles(ratios, n=4)
    else:
        q1, q3 = ratios[0], ratios[-1]
    return f"{statistics.median(ratios):6.2f}x  (quartiles {q1:.2f}-{q3:.2f})"


def report(size: Size, times: dict[str, list[float]]) -> None:
    print(f"\nMLP {size.name}: forward + backward, median time per step over {len(times['numpy'])} rounds")
    for name, values in times.items():
        print(f"  {name:9s} {statistics.median(values) * 1e6:9.1f} us")
    print(f"  descenso / numpy : {ratio_summary(times['descenso'], times['numpy'])}")
    print(f"  descenso / torch : {ratio_summary(times['descenso'], times['torch'])}")


def profile(size: Size, steps: int = 2000) -> None:
    x, y, arrays = make_problem(size)
    step = descenso_step(x, y, arrays)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    print(f"\ncProfile of {steps} descenso steps, MLP {size.name} (sorted by own time)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(18)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per size (default 15)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the order shuffle")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads for torch and for NumPy's BLAS (default 2)"
    )
    parser.add_argument("--profile", action="store_true", help="profile the small descenso step instead")
    args = parser.parse_args(argv)
    if args.profile:
        profile(SIZES[0])
        return
    import torch

    torch.set_num_threads(args.threads)
    print(
        f"descenso {ds.__version__}, numpy {np.__version__}, torch {torch.__version__}; "
        f"{args.threads} threads for torch and BLAS"
    )
    with blas_threads(args.threads):
        for size in SIZES:
            report(size, measure(size, args.rounds, args.seed))


def blas_threads(count: int) -> Any:
    """Limit NumPy's BLAS to ``count`` threads, so it and torch get the same number."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl is not installed: NumPy's BLAS keeps its default thread count")
        return contextlib.nullcontext()
    return threadpool_limits(limits=count, user_api="blas")


if __name__ == "__main__":
    main()
