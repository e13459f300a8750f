"""Side-by-side benchmark harness: descenso against hand-written NumPy, PyTorch, JAX and scikit-learn.

Every (workload, implementation) pair runs in a fresh process, in rounds; the
order of implementations is shuffled each round, and ratios are taken within a
round so machine noise cancels as far as it can. Every fresh process gets the
same thread settings (``--threads``: ``default``, what each library picks for itself
with no variable set, as a user runs it, and ``1``: the OMP/OpenBLAS/MKL environment
variables, threadpoolctl's BLAS limit, ``torch.set_num_threads`` and JAX's XLA flags),
and the table records what each worker saw. Both settings run by default. Usage::

    python -m benchmarks.run                      # W1-W7 and the memory check, 3 rounds, both thread settings
    python -m benchmarks.run --workloads W1 --rounds 5 --threads 1
    python -m benchmarks.run --tiny --rounds 1    # seconds; what the test suite runs

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import TINY, WORKLOADS, make_data  # noqa: E402
from benchmarks.report import summarize  # noqa: E402

IMPLEMENTATIONS = {
    "numpy": ("benchmarks.impls.numpy_ref", "train", None),
    "descenso": ("benchmarks.impls.descenso_impl", "train", None),
    "descenso_compiled": ("benchmarks.impls.descenso_impl", "train_compiled", None),
    "descenso_compiled_numpy": ("benchmarks.impls.descenso_impl", "train_compiled_numpy", None),
    "descenso_fit": ("benchmarks.impls.descenso_impl", "train_fit", None),
    "torch": ("benchmarks.impls.torch_impl", "train", "torch"),
    "jax": ("benchmarks.impls.jax_impl", "train", "jax"),
    "closed_form": ("benchmarks.impls.closed_form", "train", None),
}
W5_IMPLS = ("sklearn", "descenso")  # sklearn first: its score is descenso's target in the same round
W5_DATASETS = ("breast_cancer", "diabetes")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")  # fmt: skip


def available(impl: str) -> bool:
    """Whether the library an implementation needs is installed."""
    needs = IMPLEMENTATIONS[impl][2]
    return needs is None or importlib.util.find_spec(needs) is not None


def pin_cores(threads: str) -> None:
    """Bind this process to ``threads`` cores (the last ones it may use), before any library starts threads.

    Thread variables alone do not hold every library to its count: XLA's CPU client sizes its own
    pool and, with the flags of :func:`child_environment`, still ran W3's products on two cores
    (CPU time 1.9x wall time). Bound to one core, every implementation gets exactly one.
    """
    if threads != "default" and hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(allowed[-int(threads) :]))


def pin_threads(threads: str) -> dict[str, Any]:
    """Limit BLAS (threadpoolctl) and torch to ``threads`` ("default": no limit); return what is in force."""
    settings: dict[str, Any] = {"threads": threads}
    if hasattr(os, "sched_getaffinity"):
        settings["cores"] = len(os.sched_getaffinity(0))
    try:
        from threadpoolctl import threadpool_info, threadpool_limits

        if threads != "default":
            threadpool_limits(limits=int(threads))
        blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
        settings["blas"] = sorted({i["num_threads"] for i in blas})
        settings["blas_kernel"] = sorted({f"{i['internal_api']} {i.get('architecture')}" for i in blas})
    except ImportError:
        settings["blas"] = "threadpoolctl not installed"
    if "torch" in sys.modules:  # only where the implementation imported it
        import torch

        if threads != "default":
            torch.set_num_threads(int(threads))
        settings["torch"] = torch.get_num_threads()
    return settings


def worker(workload: str, impl: str, tiny: bool, threads: str, target: float | None) -> dict:
    """Run one implementation once in this process and return its measurements."""
    pin_cores(threads)
    if workload == "W5":
        from benchmarks.w5 import run_w5

        pin_threads(threads)
        kind, dataset = impl.split(":")
        result = run_w5(kind, dataset, tiny, target)
        result["threads"] = pin_threads(threads)
        return result
    w = (TINY if tiny else WORKLOADS)[workload]
    X, y = make_data(w)
    if impl == "fit_memory":
        from benchmarks.memory import fit_peak_memory

        return fit_peak_memory(w, X, y)
    module_name, function, needs = IMPLEMENTATIONS[impl]
    if needs:
        __import__(needs)
    pin_threads(threads)
    train = getattr(__import__(module_name, fromlist=[function]), function)
    loss, seconds = train(w, X, y)
    return {"loss": loss, "seconds": seconds, "epochs": w.epochs, "n": w.n, "threads": pin_threads(threads)}


def child_environment(threads: str) -> dict[str, str]:
    """The environment of every fresh process: the same thread limits for every library (none: default)."""
    env = dict(os.environ)
    for name in (*THREAD_VARIABLES, "XLA_FLAGS"):
        env.pop(name, None)
    if threads != "default":
        for name in THREAD_VARIABLES:
            env[name] = threads
        if threads == "1":
            env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    env["PYTHONHASHSEED"] = "0"
    return env


def run_in_fresh_process(
    workload: str, impl: str, args: argparse.Namespace, target: float | None = None
) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", workload, impl, "--threads", args.threads]
    if args.tiny:
        cmd.append("--tiny")
    if target is not None:
        cmd += ["--target", repr(target)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600,
                          env=child_environment(args.threads))  # fmt: skip
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_round(name: str, args: argparse.Namespace, chosen: set[str] | None, order_rng: random.Random) -> dict:
    """One round of one workload: every implementation once, each in a fresh process."""
    if name == "W5":
        row: dict[str, Any] = {}
        for dataset in W5_DATASETS:
            theirs = row[f"sklearn:{dataset}"] = run_in_fresh_process("W5", f"sklearn:{dataset}", args)
            row[f"descenso:{dataset}"] = run_in_fresh_process(
                "W5", f"descenso:{dataset}", args, theirs.get("score")
            )
        return row
    if name == "memory":
        return {"fit_memory": run_in_fresh_process("W2", "fit_memory", args)}
    w = (TINY if args.tiny else WORKLOADS)[name]
    impls = [i for i in w.impls if available(i) and (chosen is None or i in chosen or i == "numpy")]
    order_rng.shuffle(impls)
    return {impl: run_in_fresh_process(name, impl, args) for impl in impls}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "IMPL"), help=argparse.SUPPRESS)
    parser.add_argument("--target", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W6,W7,W5,memory",
                        help="comma-separated: W1-W7 and 'memory' (peak memory of fit on W2)")  # fmt: skip
    parser.add_argument("--impls", default=None, help="comma-separated subset of implementations")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="default,1",
                        help="comma-separated thread settings, each run in full: 'default' (what "
                             "the libraries choose) or a number for BLAS, torch and XLA "
                             "(default: default,1)")  # fmt: skip
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, to check the harness works")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results.md")))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.tiny, args.threads, args.target)))
        return
    workloads = args.workloads.split(",")
    chosen = set(args.impls.split(",")) if args.impls else None
    settings = args.threads.split(",")
    for threads in settings:
        if threads != "default" and not (threads.isdigit() and int(threads) > 0):
            parser.error(f"--threads: expected 'default' or a positive number; got {threads!r}")
    results = {threads: {name: [] for name in workloads} for threads in settings}
    order_rng = random.Random(0)
    for round_index in range(args.rounds):
        for threads in settings:  # every setting in every round, so a busy spell hits them alike
            args.threads = threads
            for name in workloads:
                row = run_round(name, args, chosen, order_rng)
                for impl, value in row.items():
                    print(f"round {round_index + 1} threads={threads} {name} {impl}: {value}",
                          file=sys.stderr, flush=True)  # fmt: skip
                results[threads][name].append(row)
    table = summarize(results, workloads, args.tiny)
    Path(args.out).write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
