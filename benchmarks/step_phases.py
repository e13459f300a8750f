"""Where one training step's time goes: index, forward, loss, zero_grad, backward, step (microseconds).

Times each phase of the public-API loop on a workload of :mod:`benchmarks.common` (W1 by
default) over many steps, next to the hand-written NumPy forward+backward on the same
batches, with BLAS on one thread. ``--engine DIR`` times another copy of the package (a
directory holding ``descenso/``), e.g. an older commit unpacked with
``git archive <commit> descenso | tar -x -C /tmp/old``, for before/after notes. Not a test::

    python benchmarks/step_phases.py                 # W1, this checkout
    python benchmarks/step_phases.py --engine /tmp/old --workload W2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("index", "forward", "loss", "zero_grad", "backward", "step")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine", default=str(ROOT), help="directory that holds the descenso package to time"
    )
    parser.add_argument("--workload", default="W1")
    parser.add_argument("--steps", type=int, default=1000, help="steps per round (5 rounds)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, args.engine)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import descenso
    from benchmarks.common import WORKLOADS, batch_order, make_data
    from benchmarks.impls.descenso_impl import build
    from benchmarks.impls.numpy_ref import HandWrittenMLP

    w = WORKLOADS[args.workload]
    X, y = make_data(w)
    batches = batch_order(w, 0)
    _, model, opt, loss_fn = build(w)
    reference = HandWrittenMLP(w)
    clock = time.perf_counter

    def engine_round() -> list[float]:
        spent = [0.0] * len(PHASES)
        for i in range(args.steps):
            index = batches[i % len(batches)]
            marks = [clock()]
            Xb, yb = X[index], y[index]
            marks.append(clock())
            out = model(Xb)
            marks.append(clock())
            loss = loss_fn(out, yb)
            marks.append(clock())
            opt.zero_grad()
            marks.append(clock())
            loss.backward()
            marks.append(clock())
            opt.step()
            marks.append(clock())
            for k in range(len(PHASES)):
                spent[k] += marks[k + 1] - marks[k]
        return [s / args.steps * 1e6 for s in spent]

    def reference_round() -> float:
        start = clock()
        for i in range(args.steps):
            index = batches[i % len(batches)]
            reference.step_gradient(X[index], y[index].reshape(-1))
        return (clock() - start) / args.steps * 1e6

    _, step_model, step_optimizer, _ = build(w)  # a second copy, captured
    step = descenso.compile_step(step_model, loss_fn, step_optimizer)
    step_opt = step.optimizer

    def compiled_round() -> list[float]:
        spent = [0.0] * 3
        for i in range(args.steps):
            index = batches[i % len(batches)]
            Xb, yb = X[index], y[index]
            marks = [clock()]
            step.forward(Xb, yb)
            marks.append(clock())
            step.backward()
            marks.append(clock())
            step_opt.step()
            marks.append(clock())
            for k in range(3):
                spent[k] += marks[k + 1] - marks[k]
        return [t / args.steps * 1e6 for t in spent]

    compiled = [compiled_round() for _ in range(5)]
    rounds = [engine_round() for _ in range(5)]
    hand = statistics.median(reference_round() for _ in range(5))
    medians = [statistics.median(r[k] for r in rounds) for k in range(len(PHASES))]
    print(f"{args.workload}, descenso from {Path(descenso.__file__).parent}: median of 5 rounds, us per step")
    print("  " + "  ".join(f"{name} {value:.1f}" for name, value in zip(PHASES, medians, strict=True)))
    print(f"  total {sum(medians):.1f}; hand-written NumPy forward+backward {hand:.1f} (no update)")
    parts = [statistics.median(r[k] for r in compiled) for k in range(3)]
    print(f"  captured step: forward+loss {parts[0]:.1f}  backward {parts[1]:.1f}  step {parts[2]:.1f}"
          f"  total {sum(parts):.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
