"""The Markdown table that ``benchmarks.run`` writes: times, ratios within rounds, quality, agreement."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from typing import Any

import numpy as np

from benchmarks.common import TINY, WORKLOADS

# Final losses of implementations that share data, initial weights and batch order must agree to
# |loss - numpy's| <= AGREEMENT_RTOL * |numpy's| + AGREEMENT_ATOL: float32 sums taken in another order
# (or another exp) drift by ~1e-7 per step, which a thousand Adam steps can grow to ~1e-5, not to 1e-3.
AGREEMENT_RTOL = 1e-3
AGREEMENT_ATOL = 1e-4


def machine() -> str:
    """CPU, cores, Python, NumPy and BLAS, in one line."""
    blas = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0].get('internal_api')} {info[0].get('version')}"
    except ImportError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {np.__version__} with {blas}")  # fmt: skip


def spread(values: list[float], digits: int) -> str:
    """``median [min-max]``."""
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def agreement(loss: float, reference: float | None) -> str:
    """'yes', or the relative difference when it exceeds the tolerance."""
    if reference is None:
        return "—"
    difference = abs(loss - reference)
    if difference <= AGREEMENT_RTOL * abs(reference) + AGREEMENT_ATOL:
        return "yes"
    return f"**NO** (off by {difference:.1e})"


def workload_table(name: str, rounds: list[dict], tiny: bool) -> list[str]:
    w = (TINY if tiny else WORKLOADS)[name]
    lines = [f"## {name}: {w.description}" + (" (tiny)" if tiny else ""), "",
             "| implementation | time / epoch (s) | samples / s | ratio to numpy | ratio to torch "
             "| ratio to jax | final loss | agrees with numpy |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    reference = next((r["numpy"]["loss"] for r in rounds if "loss" in r.get("numpy", {})), None)
    for impl in w.impls:
        runs = [r[impl] for r in rounds if impl in r]
        good = [r for r in runs if "error" not in r]
        if not good:
            errors = [r["error"] for r in runs if "error" in r]
            reason = errors[0] if errors else "not run (not installed or not selected)"
            lines.append(f"| {impl} | — | — | — | — | — | {reason[:80]} | — |")
            continue
        per_epoch = [r["seconds"] / r["epochs"] for r in good]
        cells = []
        for peer in ("numpy", "torch", "jax"):
            ratios = [r[impl]["seconds"] / r[peer]["seconds"] for r in rounds
                      if "seconds" in r.get(impl, {}) and "seconds" in r.get(peer, {})]  # fmt: skip
            cells.append(spread(ratios, 2) if ratios else "—")
        shared = impl != "closed_form"  # the exact minimum, not a training run
        agree = agreement(good[-1]["loss"], reference if shared else None)
        throughput = good[0]["n"] / statistics.median(per_epoch)
        ratios = " | ".join(cells)
        lines.append(f"| {impl} | {spread(per_epoch, 4)} | {throughput:,.0f} "
                     f"| {ratios} | {good[-1]['loss']:.5f} | {agree} |")  # fmt: skip
    return [*lines, ""]


def w5_table(rounds: list[dict]) -> list[str]:
    lines = ["## W5: default estimators on scikit-learn's bundled data, against MLPClassifier / MLPRegressor",
             "",
             "Same 75/25 split and seed for both; scikit-learn's MLP in a pipeline after a StandardScaler",
             "(descenso standardises inside the model). `time to reach` is descenso's training time (its",
             "per-epoch test evaluations excluded) until its test score first reached scikit-learn's.",
             "",
             "| data set | sklearn score | sklearn fit (s) | descenso final score | descenso fit (s) "
             "| descenso time to reach (s) | time-to-reach ratio |",
             "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    datasets = sorted({key.split(":")[1] for r in rounds for key in r})
    for dataset in datasets:
        pairs = [(r.get(f"sklearn:{dataset}", {}), r.get(f"descenso:{dataset}", {})) for r in rounds]
        pairs = [(s, d) for s, d in pairs if "score" in s and "score" in d]
        if not pairs:
            lines.append(f"| {dataset} | — | — | — | — | — | — |")
            continue
        reached = [d["time_to_reach"] / s["seconds"] for s, d in pairs if d["time_to_reach"] is not None]
        ratio = spread(reached, 2) + (
            "" if len(reached) == len(pairs) else f" ({len(reached)}/{len(pairs)} reached)"
        )
        to_reach = [d["time_to_reach"] for _, d in pairs if d["time_to_reach"] is not None]
        reach = spread(to_reach, 3) if to_reach else "not reached"
        lines.append(
            f"| {dataset} ({pairs[0][0]['metric']}) | {spread([s['score'] for s, _ in pairs], 4)} "
            f"| {spread([s['seconds'] for s, _ in pairs], 3)} | {spread([d['score'] for _, d in pairs], 4)} "
            f"| {spread([d['seconds'] for _, d in pairs], 3)} | {reach} | {ratio if reached else '—'} |"
        )
    return [*lines, ""]


def memory_table(rounds: list[dict]) -> list[str]:
    runs = [r["fit_memory"] for r in rounds if "peak_bytes" in r.get("fit_memory", {})]
    lines = ["## Peak memory of `descenso.fit` on W2", ""]
    if not runs:
        errors = [r.get("fit_memory", {}).get("error", "not run") for r in rounds]
        return [*lines, f"not measured: {errors[0] if errors else 'not run'}", ""]
    r = runs[-1]
    mib = 2.0**20
    lines += [
        "Traced with `tracemalloc` (NumPy reports its buffers to it) in a fresh process, from before the",
        "data is made to the end of `fit`: the peak of everything Python and NumPy held at once.",
        "",
        "| data (MiB) | model parameters (MiB) | peak during fit (MiB) | peak / (data + model) |",
        "| --- | --- | --- | --- |",
        f"| {r['data_bytes'] / mib:.2f} | {r['model_bytes'] / mib:.2f} | "
        f"{spread([x['peak_bytes'] / mib for x in runs], 2)} | "
        f"{spread([x['peak_bytes'] / (x['data_bytes'] + x['model_bytes']) for x in runs], 3)} |",
        "",
    ]
    return lines


def summarize(results: dict[str, dict[str, list[dict]]], workloads: list[str], tiny: bool) -> str:
    """The whole results page: one section per thread setting, each with every workload's table."""
    lines = [
        f"# Benchmark results ({dt.date.today().isoformat()})",
        "",
        f"Machine: {machine()}.",
        "",
        "Each cell: median over rounds [min-max]. Ratios are taken within a round (lower is faster). The",
        "final loss is the training objective on the full data after training; every implementation gets",
        "the same data, initial weights and batch order (`descenso_fit` included: `fit(rng=...)` draws the",
        f"same permutations), so final losses must agree ({AGREEMENT_RTOL:g} relative + {AGREEMENT_ATOL:g}).",
        "",
    ]
    for threads, by_workload in results.items():
        seen = {json_key(r.get("threads")) for rounds in by_workload.values() for row in rounds
                for r in row.values() if isinstance(r, dict) and "threads" in r}  # fmt: skip
        if threads == "default":
            how = "what each library chooses with no thread variable set (as a user runs it)"
        else:
            how = (f"{threads} for every implementation (OMP/OpenBLAS/MKL variables, threadpoolctl, "
                   "torch.set_num_threads, XLA flags, and the process bound to as many cores)")  # fmt: skip
        workers = ", ".join(sorted(seen))
        lines += [f"# Threads: {threads}", "", f"Threads: {how}; seen in the workers: {workers}.", ""]
        for name in workloads:
            if name == "W5":
                lines += w5_table(by_workload[name])
            elif name == "memory":
                lines += memory_table(by_workload[name])
            else:
                lines += workload_table(name, by_workload[name], tiny)
    return "\n".join(lines)


def json_key(value: Any) -> str:
    """A short, stable text for a thread-settings dict."""
    if not isinstance(value, dict):
        return str(value)
    return " ".join(f"{k}={v}" for k, v in sorted(value.items()))
