"""Side-by-side benchmark harness: descenso against hand-written NumPy, PyTorch, JAX and scikit-learn.

Every (workload, implementation) pair runs in a fresh process, in rounds; the
order of implementations is shuffled each round, and ratios are taken within a
round so machine noise cancels as far as it can. Usage::

    python -m benchmarks.run                      # W1-W5, 3 rounds, writes benchmarks/results.md
    python -m benchmarks.run --workloads W1 --rounds 5
    python -m benchmarks.run --tiny --rounds 1    # seconds; what the test suite runs

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import TINY, WORKLOADS, make_data  # noqa: E402

IMPLEMENTATIONS = {
    "numpy": ("benchmarks.impls.numpy_ref", "train", None),
    "descenso": ("benchmarks.impls.descenso_impl", "train", None),
    "descenso_fit": ("benchmarks.impls.descenso_impl", "train_fit", None),
    "torch": ("benchmarks.impls.torch_impl", "train", "torch"),
    "jax": ("benchmarks.impls.jax_impl", "train", "jax"),
    "closed_form": ("benchmarks.impls.closed_form", "train", None),
}


def available(impl: str) -> bool:
    """Whether the library an implementation needs is installed."""
    needs = IMPLEMENTATIONS[impl][2]
    return needs is None or importlib.util.find_spec(needs) is not None


def worker(workload: str, impl: str, tiny: bool) -> dict:
    """Run one implementation once in this process and return its measurements."""
    module_name, function, _ = IMPLEMENTATIONS[impl]
    w = (TINY if tiny else WORKLOADS)[workload]
    X, y = make_data(w)
    train = getattr(__import__(module_name, fromlist=[function]), function)
    loss, seconds = train(w, X, y)
    return {"loss": loss, "seconds": seconds, "epochs": w.epochs, "n": w.n}


def run_in_fresh_process(workload: str, impl: str, tiny: bool) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", workload, impl]
    if tiny:
        cmd.append("--tiny")
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    blas = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0].get('internal_api')} {info[0].get('version')} ({info[0].get('num_threads')} threads)"
    except ImportError:
        pass
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, {blas}")


def summarize(results: dict, workloads: list[str], tiny: bool) -> str:
    lines = [
        f"# Benchmark results ({dt.date.today().isoformat()})",
        "",
        f"Machine: {machine()}.",
        "Each cell: median over rounds (min-max in brackets). Ratios are taken within a round against the",
        "hand-written NumPy implementation (lower is faster); quality is the final full-data training loss",
        "(same data, initial weights and batch order for every implementation except `descenso_fit`,",
        "which shuffles with its own seeded rng).",
        "",
    ]
    for name in workloads:
        w = (TINY if tiny else WORKLOADS)[name]
        lines += [f"## {name}: {w.description}" + (" (tiny)" if tiny else ""), "",
                  "| implementation | time / epoch (s) | samples / s | ratio to numpy | final loss |",
                  "| --- | --- | --- | --- | --- |"]
        rounds = results[name]
        for impl in w.impls:
            runs = [r[impl] for r in rounds if impl in r]
            errors = [r["error"] for r in runs if "error" in r]
            good = [r for r in runs if "error" not in r]
            if not good:
                reason = errors[0] if errors else "not run (not installed or not selected)"
                lines.append(f"| {impl} | — | — | — | {reason[:80]} |")
                continue
            per_epoch = [r["seconds"] / r["epochs"] for r in good]
            ratios = [r[impl]["seconds"] / r["numpy"]["seconds"] for r in rounds
                      if "seconds" in r.get(impl, {}) and "seconds" in r.get("numpy", {})]
            ratio = (f"{statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]"
                     if ratios else "—")
            med = statistics.median(per_epoch)
            lines.append(f"| {impl} | {med:.4f} [{min(per_epoch):.4f}-{max(per_epoch):.4f}] | "
                         f"{good[0]['n'] / med:,.0f} | {ratio} | {good[-1]['loss']:.5f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "IMPL"), help=argparse.SUPPRESS)
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--impls", default=None, help="comma-separated subset of implementations")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, to check the harness works")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results.md")))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.tiny)))
        return
    workloads = args.workloads.split(",")
    chosen = set(args.impls.split(",")) if args.impls else None
    results: dict[str, list[dict]] = {name: [] for name in workloads}
    order_rng = random.Random(0)
    for round_index in range(args.rounds):
        for name in workloads:
            w = (TINY if args.tiny else WORKLOADS)[name]
            impls = [i for i in w.impls if available(i) and (chosen is None or i in chosen or i == "numpy")]
            order_rng.shuffle(impls)
            row = {}
            for impl in impls:
                row[impl] = run_in_fresh_process(name, impl, args.tiny)
                print(f"round {round_index + 1} {name} {impl}: {row[impl]}", file=sys.stderr, flush=True)
            results[name].append(row)
    table = summarize(results, workloads, args.tiny)
    Path(args.out).write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
