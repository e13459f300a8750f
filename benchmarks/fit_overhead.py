"""``fit``'s own cost per step, against the bare loop of the captured step it runs (issue 17, item 5).

Both train the same model from the same weights on the same batches (``fit(rng=ORDER_SEED)``
draws the permutations of :func:`benchmarks.common.batch_order`) with the same captured step:

- **bare**: ``step = ds.compile_step(model, loss, opt)``, then per epoch the permutation and per
  batch ``step(X[rows], y[rows])`` — the least a loop can do (the same fancy-indexed batch ``fit``
  takes), with the targets checked once up front as ``fit`` checks them (not at every step);
- **fit**: ``ds.fit(model, X, y, ..., compile=True)``: the same step, plus everything ``fit`` does
  per step and per epoch (the stopping checks, the divergence guard, the finiteness check of the
  gradient, the History, the running sums, the callback hooks, the checkpoint hook).

They run interleaved in rounds, and ``fit / bare - 1`` is the median of the ratios within rounds.
On a shared machine that ratio swings by tens of percent, so the script also times ``fit``'s own
work directly: ``fit`` and the bare loop around a step that does nothing (the same batches
indexed), whose difference is the bookkeeping alone, quoted against the bare captured step's
time. Times are CPU time of the process (``time.process_time``). Not a test::

    python benchmarks/fit_overhead.py                    # W1, 15 rounds
    python benchmarks/fit_overhead.py --workload W6 --rounds 9
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="W1")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import numpy as np

    import descenso as ds
    from benchmarks.common import ORDER_SEED, WORKLOADS, make_data
    from benchmarks.impls.descenso_impl import build, warm_fused_kernels
    from descenso import losses, train

    w = WORKLOADS[args.workload]
    X, y = make_data(w)
    warm_fused_kernels()

    def bare() -> float:
        _, model, opt, loss_fn = build(w)
        step = ds.compile_step(model, loss_fn, opt)
        start = time.process_time()
        rng = np.random.default_rng(ORDER_SEED)
        with losses._values_checked_once(loss_fn, (X, y, None)):  # targets checked once, as fit does
            for _ in range(w.epochs):
                order = rng.permutation(w.n)  # what fit draws, once an epoch
                for i in range(0, w.n, w.batch_size):
                    rows = order[i : i + w.batch_size]
                    step(X[rows], y[rows])
        return time.process_time() - start

    def fitted() -> float:
        _, model, opt, _ = build(w)
        start = time.process_time()
        ds.fit(model, X, y, loss=w.loss, optimizer=opt, epochs=w.epochs, batch_size=w.batch_size,
               rng=ORDER_SEED, compile=True)  # fmt: skip
        return time.process_time() - start

    class DoNothingStep:
        """A step that does no work: fit around it costs only fit's own bookkeeping."""

        output = np.zeros((w.batch_size, 1), np.float32)

        def forward(self, Xb: Any, yb: Any, wb: Any = None) -> tuple[Any, float, float]:
            return self.output, 0.5, 0.5

        def backward(self) -> None: ...

        def apply(self, epoch: int, loss: float) -> None: ...

    def bookkeeping() -> tuple[float, float]:
        """Seconds of a bare loop and of fit, both around a step that does nothing."""
        step = DoNothingStep()
        start = time.process_time()
        rng = np.random.default_rng(ORDER_SEED)
        for _ in range(w.epochs):
            order = rng.permutation(w.n)
            for i in range(0, w.n, w.batch_size):
                rows = order[i : i + w.batch_size]
                step.forward(X[rows], y[rows])
                step.backward()
                step.apply(0, 0.5)
        loop = time.process_time() - start
        _, model, opt, _ = build(w)
        original, train.training_step = train.training_step, lambda *args: step
        try:
            start = time.process_time()
            ds.fit(model, X, y, loss=w.loss, optimizer=opt, epochs=w.epochs, batch_size=w.batch_size,
                   rng=ORDER_SEED, compile=True)  # fmt: skip
            return loop, time.process_time() - start
        finally:
            train.training_step = original

    ratios, times = [], {"bare": [], "fit": []}
    own = []
    for _ in range(args.rounds):
        pair = {"bare": bare(), "fit": fitted()}
        for name, seconds in pair.items():
            times[name].append(seconds)
        ratios.append(pair["fit"] / pair["bare"])
        loop, fitted_loop = bookkeeping()
        own.append(fitted_loop - loop)
    steps = w.epochs * -(-w.n // w.batch_size)
    per_step = {name: statistics.median(values) / steps * 1e6 for name, values in times.items()}
    for name, value in per_step.items():
        print(f"{name:>5}: {value:7.1f} us per step (median of {args.rounds})")
    q1, _, q3 = np.percentile(ratios, [25, 50, 75])
    print(f"fit / bare - 1 on {w.name}: {statistics.median(ratios) - 1:+.1%} "
          f"(quartiles {q1 - 1:+.1%} to {q3 - 1:+.1%})")  # fmt: skip
    bookkeeping_us = min(own) / steps * 1e6  # the least disturbed round: the cost itself, not the waits
    print(f"fit's own work around a do-nothing step: {bookkeeping_us:.1f} us per step, "
          f"{bookkeeping_us / per_step['bare']:.1%} of the bare captured step")  # fmt: skip


if __name__ == "__main__":
    main()
