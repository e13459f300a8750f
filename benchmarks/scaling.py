"""Strong scaling of data-parallel ``fit``: W2 on 1 process, then on 2 (or more) MPI ranks.

W2 of ``common.py``: 100,000 x 32 binary data, MLP 32-128-128-1, BCE-with-logits, Adam 1e-3,
global batch 256 (391 steps an epoch), float32, ``fit(compile=True)`` as the estimators run it.
Strong scaling: the same global batch and data, so ``N`` ranks each compute ``256 / N`` rows a step.

Run it from the repository root in an environment with the ``mpi`` extra::

    python -m benchmarks.scaling                      # 1 and 2 ranks, 3 epochs, 2 rounds
    python -m benchmarks.scaling --ranks 1,2,4 --epochs 3 --rounds 3

One process (``N = 1``) is plain ``fit`` (no MPI); ``N > 1`` is ``mpiexec -n N``, one BLAS thread
per rank (one thread for the single process too, so the comparison is of cores). Per run it reports:

- seconds per epoch (the median over epochs 2.., the first pays for capturing the step);
- the time inside the per-step reduction (both Allreduces, and the wait for the slowest rank), as a
  share of the epoch;
- the cost of the gradient Allreduce alone: the flat buffer (P x 4 bytes) reduced 200 times with the
  ranks in step after a barrier, times the epoch's steps, as a share of the epoch.

Nothing here asserts a time. The numbers recorded in ``README.md`` were measured on a 2-core machine
shared with other jobs; quote them as such.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import ORDER_SEED, WORKLOADS, make_data

ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _timed_parallel() -> Any:
    """A DataParallel that adds up the seconds spent in ``reduce`` (the step's two Allreduces)."""
    from descenso.distributed import DataParallel

    class Timed(DataParallel):
        seconds = 0.0

        def reduce(self, *args: Any) -> Any:
            started = time.perf_counter()
            out = super().reduce(*args)
            self.seconds += time.perf_counter() - started
            return out

    return Timed()


def worker(epochs: int, out: Path) -> None:
    """One run of W2 (on each rank under mpiexec); rank 0 writes its measurements to ``out``."""
    import descenso as ds

    w = WORKLOADS["W2"]
    X, y = make_data(w)
    size = int(os.environ.get("PMI_SIZE", os.environ.get("OMPI_COMM_WORLD_SIZE", "1")))
    parallel = _timed_parallel() if size > 1 else None
    model = ds.nn.MLP(w.d, hidden=w.hidden, out_features=1, rng=0)
    reduce_seconds: list[float] = []

    class Watch(ds.train.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
            reduce_seconds.append(parallel.seconds if parallel is not None else 0.0)

    history = ds.fit(model, X, y[:, 0], loss=w.loss, optimizer="adam", lr=w.lr, epochs=epochs,
                     batch_size=w.batch_size, rng=ORDER_SEED, compile=True, callbacks=[Watch()],
                     distributed=parallel)  # fmt: skip
    n_values = sum(p.data.size for p in model.parameters())
    allreduce_seconds = 0.0
    if parallel is not None:  # the gradient Allreduce alone, the ranks in step
        from mpi4py import MPI

        buffer = np.ones(n_values, dtype=np.float32)
        parallel.comm.Barrier()
        started = time.perf_counter()
        for _ in range(200):
            parallel.comm.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
        allreduce_seconds = (time.perf_counter() - started) / 200
    if parallel is None or parallel.is_root:
        ends = np.asarray(history.time, dtype=float)
        result = {
            "ranks": size,
            "epoch_seconds": np.diff(ends, prepend=0.0).tolist(),
            "reduce_seconds": np.diff(np.asarray(reduce_seconds), prepend=0.0).tolist(),
            "allreduce_seconds": allreduce_seconds,
            "steps_per_epoch": int(np.ceil(w.n / w.batch_size)),
            "parameters": int(n_values),
            "train_loss": history.train_loss[-1],
        }
        out.write_text(json.dumps(result))


def run(ranks: int, epochs: int) -> dict[str, Any]:
    """One fresh run on ``ranks`` processes; rank 0's measurements."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, "-m", "benchmarks.scaling", "--worker", "--epochs", str(epochs), "--out",
                   str(out)]  # fmt: skip
        if ranks > 1:
            command = [str(Path(sys.executable).parent / "mpiexec"), "-n", str(ranks), *command]
        env = {**os.environ, **ONE_THREAD}
        subprocess.run(command, check=True, env=env, cwd=Path(__file__).parent.parent)
        return dict(json.loads(out.read_text()))


def summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Medians over the runs' epochs 2..: seconds per epoch, and outside the reduction; the shares.

    Examples
    --------
    >>> run = {"epoch_seconds": [9.0, 2.0, 4.0], "reduce_seconds": [0.0, 1.0, 1.0],
    ...        "allreduce_seconds": 0.001, "steps_per_epoch": 400}
    >>> summary([run])  # doctest: +NORMALIZE_WHITESPACE
    {'epoch_seconds': 3.0, 'outside_seconds': 2.0, 'reduce_share': 0.375, 'allreduce_share': 0.15,
     'allreduce_us': 1000.0}
    """
    epoch, reduce, allreduce, outside = [], [], [], []
    for result in runs:
        times = result["epoch_seconds"][1:] or result["epoch_seconds"]
        reduces = result["reduce_seconds"][1:] or result["reduce_seconds"]
        epoch += times
        reduce += [r / t for r, t in zip(reduces, times, strict=True)]
        outside += [t - r for r, t in zip(reduces, times, strict=True)]
        allreduce += [result["allreduce_seconds"] * result["steps_per_epoch"] / t for t in times]
    return {
        "epoch_seconds": statistics.median(epoch),
        "outside_seconds": statistics.median(outside),
        "reduce_share": statistics.median(reduce),
        "allreduce_share": statistics.median(allreduce),
        "allreduce_us": 1e6 * statistics.median(r["allreduce_seconds"] for r in runs),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ranks", default="1,2", help="comma-separated numbers of ranks (default 1,2)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (the first is not counted)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per number of ranks, interleaved")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.epochs, args.out)
        return
    counts = [int(n) for n in args.ranks.split(",")]
    results: dict[int, list[dict[str, Any]]] = {n: [] for n in counts}
    for _ in range(args.rounds):
        for n in counts:
            results[n].append(run(n, args.epochs))
    first = results[counts[0]][0]
    kilobytes = 4 * first["parameters"] / 1e3
    steps, counted = first["steps_per_epoch"], args.epochs - 1
    print(f"W2: {first['parameters']} parameters ({kilobytes:.0f} kB float32), {steps} steps an epoch, "
          f"{args.rounds} runs x {counted} epochs each")  # fmt: skip
    print("| ranks | s / epoch | speed-up | s / epoch outside the reduction | in the reduction | "
          "gradient Allreduce alone |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    base = summary(results[counts[0]])["epoch_seconds"]
    for n in counts:
        s = summary(results[n])
        alone = "-" if n == 1 else f"{100 * s['allreduce_share']:.1f}% ({s['allreduce_us']:.0f} us a step)"
        reduction = "-" if n == 1 else f"{100 * s['reduce_share']:.1f}%"
        speed_up = base / s["epoch_seconds"]
        seconds, outside = f"{s['epoch_seconds']:.2f}", f"{s['outside_seconds']:.2f}"
        print(f"| {n} | {seconds} | {speed_up:.2f}x | {outside} | {reduction} | {alone} |")


if __name__ == "__main__":
    main()
