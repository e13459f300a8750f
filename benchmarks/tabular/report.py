"""Turn the suite's results (``results/<label>.json``) into Markdown tables.

    python -m benchmarks.tabular.report results/after.json                 # print one run's tables
    python -m benchmarks.tabular.report --before results/before.json results/after.json -o results.md
    python -m benchmarks.tabular.report results/choice.json --before results/after.json \
        --titles "Now|Earlier" -o results.md

For each table: the mean test metric over the folds with its standard error, per model, and the
median fit time. Then descenso's win / tie / loss against each rival: on a table, the two models'
per-fold differences (same folds) have a mean and a standard error (their standard deviation over
sqrt(number of folds)); within one standard error of zero is a tie. Then each model's mean rank over
the tables (1 is best; ties share the mean of their ranks) and the fit-time ratios.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

#: The metric that decides wins and ranks, and whether higher is better, per task.
MAIN = {"binary": "accuracy", "regression": "r2"}
HIGHER = {"accuracy": True, "roc_auc": True, "log_loss": False, "r2": True, "rmse": False}
LABELS = {"descenso": "descenso", "descenso_v0": "descenso (old defaults)", "sklearn_mlp": "sklearn MLP",
          "descenso_network": "descenso (network only)", "linear": "linear", "hgb": "HistGB"}  # fmt: skip


def values(table: dict[str, Any], model: str, metric: str) -> np.ndarray:
    return np.array([fold[metric] for fold in table["models"][model]])


def mean_se(x: np.ndarray) -> tuple[float, float]:
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0


def outcome(table: dict[str, Any], ours: str, rival: str, metric: str) -> str:
    """ "win", "tie" or "loss" of ``ours`` against ``rival`` on ``metric`` (paired over the folds)."""
    diff = values(table, ours, metric) - values(table, rival, metric)
    if not HIGHER[metric]:
        diff = -diff
    mean, se = mean_se(diff)
    if abs(mean) <= se or mean == 0:
        return "tie"
    return "win" if mean > 0 else "loss"


def ranks(table: dict[str, Any], model_names: list[str], metric: str) -> dict[str, float]:
    from scipy.stats import rankdata

    means = np.array([values(table, m, metric).mean() for m in model_names])
    order = rankdata(-means if HIGHER[metric] else means)
    return dict(zip(model_names, (float(r) for r in order), strict=True))


def metric_table(results: dict[str, Any], metric: str, task: str) -> list[str]:
    model_names = results["models"]
    head = "| table | rows | inputs | " + " | ".join(LABELS.get(m, m) for m in model_names) + " |"
    lines = [head, "|" + " --- |" * (3 + len(model_names))]
    for table in results["tables"]:
        if table["task"] != task:
            continue
        cells = []
        best = max if HIGHER[metric] else min
        means = {m: values(table, m, metric).mean() for m in model_names}
        top = best(means.values())
        for m in model_names:
            mean, se = mean_se(values(table, m, metric))
            text = f"{mean:.3f} ± {se:.3f}" if abs(mean) < 100 else f"{mean:.1f} ± {se:.1f}"
            cells.append(f"**{text}**" if means[m] == top else text)
        repeats = f", {table['repeats']}x5 folds" if table["repeats"] != results.get("repeats", 3) else ""
        lines.append(
            f"| {table['name']} | {table['rows']:,} | {table['kinds']}{repeats} | " + " | ".join(cells) + " |"
        )
    return lines


def scoreboard(results: dict[str, Any], ours: str) -> list[str]:
    """Win / tie / loss of ``ours`` against every other model, on each metric, and mean ranks."""
    model_names = results["models"]
    rivals = [m for m in model_names if m != ours]
    lines = ["| metric | " + " | ".join(f"vs {LABELS.get(r, r)}" for r in rivals) + " |",
             "|" + " --- |" * (1 + len(rivals))]  # fmt: skip
    secondary = {"binary": "roc_auc", "regression": "rmse"}
    rows = (
        ("main (accuracy / R²)", MAIN),
        ("ROC AUC / RMSE", secondary),
        ("log-loss", {"binary": "log_loss"}),
    )
    for label, metrics in rows:
        cells = []
        for rival in rivals:
            counts = {"win": 0, "tie": 0, "loss": 0}
            for table in results["tables"]:
                if table["task"] in metrics:
                    counts[outcome(table, ours, rival, metrics[table["task"]])] += 1
            cells.append(f"{counts['win']} / {counts['tie']} / {counts['loss']}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for rival in rivals:
        lost = [t["name"] for t in results["tables"] if outcome(t, ours, rival, MAIN[t["task"]]) == "loss"]
        lines.append(f"\nLost on the main metric to {LABELS.get(rival, rival)}: {', '.join(lost) or 'none'}.")
    all_ranks = [ranks(t, model_names, MAIN[t["task"]]) for t in results["tables"]]
    head = "| model | mean rank (main metric) | median fit time (s) | fit time / sklearn MLP (median) |"
    lines += ["", head, "| --- | --- | --- | --- |"]
    for m in model_names:
        rank = np.mean([r[m] for r in all_ranks])
        medians = [np.median(values(t, m, "fit_seconds")) for t in results["tables"]]
        ratio = ""
        if "sklearn_mlp" in model_names:
            mlp = [np.median(values(t, "sklearn_mlp", "fit_seconds")) for t in results["tables"]]
            ratio = f"{np.median(np.array(medians) / np.array(mlp)):.2f}x"
        lines.append(f"| {LABELS.get(m, m)} | {rank:.2f} | {np.median(medians):.3f} | {ratio} |")
    return lines


def section(results: dict[str, Any], title: str, ours: str = "descenso") -> str:
    out = [f"## {title}", "", f"Total run time {results.get('seconds', 0) / 60:.1f} min.", "",
           f"### Win / tie / loss of {LABELS.get(ours, ours)} (tables)", ""]  # fmt: skip
    out += scoreboard(results, ours)
    for task, metrics in (("binary", ("accuracy", "roc_auc", "log_loss")), ("regression", ("r2", "rmse"))):
        for metric in metrics:
            out += ["", f"### {task}: {metric} (mean ± standard error over the folds; best in bold)", ""]
            out += metric_table(results, metric, task)
    out += ["", "### median fit time per table (seconds)", ""]
    model_names = results["models"]
    out += ["| table | " + " | ".join(LABELS.get(m, m) for m in model_names) + " |",
            "|" + " --- |" * (1 + len(model_names))]  # fmt: skip
    for t in results["tables"]:
        cells = [f"{np.median(values(t, m, 'fit_seconds')):.3f}" for m in model_names]
        out.append(f"| {t['name']} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("after", help="results JSON of the run to report")
    parser.add_argument("--before", action="append", default=[],
                        help="results JSON of an earlier run, reported below it (repeatable)")  # fmt: skip
    parser.add_argument(
        "--titles", help="the sections' titles, separated by '|': the run's, then each --before's"
    )
    parser.add_argument("--header", help="a Markdown file put at the top")
    parser.add_argument("-o", "--output", help="write here instead of printing")
    args = parser.parse_args(argv)
    titles = (
        args.titles.split("|")
        if args.titles
        else ["After: the new defaults"] + ["Before: the defaults before issue 15"] * len(args.before)
    )
    if len(titles) != 1 + len(args.before):
        parser.error(f"--titles gives {len(titles)} titles for {1 + len(args.before)} runs")
    parts = [Path(args.header).read_text()] if args.header else []
    for path, title in zip([args.after, *args.before], titles, strict=True):
        parts.append(section(json.loads(Path(path).read_text()), title))
    text = "\n".join(parts)
    if args.output:
        Path(args.output).write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
