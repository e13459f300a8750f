"""Where a captured step's time goes: each kernel of ``ds.compile_step`` timed alone, and the whole step.

Replays W1 (by default) with the captured step, then times, on the very buffers of the last
step, each part it is made of: every layer's forward and backward, the loss's forward and
backward, the gradient's ``+= 0``, the optimizer's update and the packed-buffer check; the
rest of the step's time is its Python glue. Both kernel sets: NumPy's, and numba's fused ones
where descenso[fast] is installed. Also the step's arithmetic (FLOPs of its matrix products)
and the hand-written reference's step for scale. CPU time, BLAS on one thread. Not a test::

    python benchmarks/captured_phases.py              # W1
    python benchmarks/captured_phases.py --workload W7
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def per_call(fn: Callable[[], Any], number: int = 3000, repeat: int = 7) -> float:
    """Microseconds per call, the least of ``repeat`` CPU-time measurements (the least disturbed)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - start) / number)
    return best * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="W1")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import numpy as np

    import descenso as ds
    from benchmarks.common import WORKLOADS, batch_order, make_data
    from benchmarks.impls.descenso_impl import build, warm_fused_kernels
    from benchmarks.impls.numpy_ref import Adam, HandWrittenMLP
    from descenso import losses

    w = WORKLOADS[args.workload]
    X, y = make_data(w)
    rows = batch_order(w, 0)[0]
    Xb, yb = np.ascontiguousarray(X[rows]), np.ascontiguousarray(y[rows])
    warm_fused_kernels()
    sizes = (w.d, *w.hidden, 1)
    flops = 3 * 2 * len(Xb) * sum(a * b for a, b in itertools.pairwise(sizes))
    print(f"{w.name}: {w.description}")
    print(f"matrix-product arithmetic per step: {flops / 1e3:.0f} kFLOP (forward 1/3, backward 2/3)")
    reference, adam = HandWrittenMLP(w), None
    adam = Adam(reference.flat, w.lr)

    def reference_step() -> None:
        reference.step_gradient(Xb, yb.reshape(-1))
        adam.step(reference.flat, reference.grad)

    print(f"hand-written reference step: {per_call(reference_step):6.1f} us")
    kernel_sets = ["numpy"] + (["numba"] if importlib.util.find_spec("numba") else [])
    with losses._values_checked_once(losses.get(w.loss), (X, y, None)):  # as fit: targets checked once
        for kernels in kernel_sets:
            _, model, opt, loss_fn = build(w)
            step = ds.compile_step(model, loss_fn, opt, kernels=kernels)
            step(Xb, yb)
            whole = per_call(lambda: step(Xb, yb))  # noqa: B023 - called right here
            plan, loss_kernel = step._plans[Xb.shape], step._loss_kernels[(len(Xb), 1)]
            inputs = [Xb] + [kernel.out for kernel in plan[:-1]]
            grads = [kernel.grad_x for kernel in plan[1:]] + [loss_kernel.backward()]
            parts = {
                "layers' forward": sum(
                    per_call(lambda k=k, x=x: k.forward(x)) for k, x in zip(plan, inputs, strict=True)
                ),
                "loss forward": per_call(lambda: loss_kernel.forward(plan[-1].out, yb, None)),  # noqa: B023
                "loss backward": per_call(loss_kernel.backward),
                "layers' backward": sum(
                    per_call(lambda k=k, g=g: k.backward(g))
                    for k, g in zip(plan, grads, strict=True)
                    if getattr(k, "trained", True)
                ),
                "grad += 0": per_call(lambda: step.kernels.settle_gradient(opt.packed.grad)),  # noqa: B023
                "optimizer update": per_call(step.update),
                "packed-buffer check": per_call(lambda: opt.packed.sync("Adam")),  # noqa: B023
            }
            print(f"\ncaptured step, {kernels} kernels: {whole:6.1f} us")
            for name, value in parts.items():
                print(f"  {name:<20} {value:6.1f} us  {value / whole:5.0%}")
            glue = whole - sum(parts.values())
            print(f"  {'Python glue (rest)':<20} {glue:6.1f} us  {glue / whole:5.0%}")
            finite = per_call(lambda: step.kernels.gradient_is_finite(opt.packed.grad))  # noqa: B023
            print(f"  (fit's update also checks the gradient is finite first: {finite:.1f} us)")


if __name__ == "__main__":
    main()
