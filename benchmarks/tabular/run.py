"""Run the tabular suite: repeated stratified 5-fold CV of every model on every table.

    python -m benchmarks.tabular.run                 # the full suite (about 20 minutes on 2 cores)
    python -m benchmarks.tabular.run --quick         # 1 repeat, tables under 2,000 rows
    python -m benchmarks.tabular.run --tables wine,diabetes --repeats 1 --models descenso,sklearn_mlp

Every model sees the same folds (one ``RepeatedStratifiedKFold`` per table, seeded; regression targets
are stratified on their quintiles). Per fold it records the test metrics (binary: accuracy, ROC AUC,
log-loss; regression: R², RMSE) and the fit time. All libraries get one thread (BLAS and OpenMP), so a
busy shared machine slows every model alike and the fit-time ratios, taken within the run, hold.
Results go to ``benchmarks/tabular/results/<label>.json`` after each table; ``report.py`` turns them
into ``results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from benchmarks.tabular import models, tables  # noqa: E402

RESULTS = Path(__file__).parent / "results"
#: Tables with more rows than this are run with ``--large-repeats`` repeats.
LARGE = 20_000


def folds(table: tables.Table, repeats: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) index pairs of repeated stratified 5-fold CV, the same for every model."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    if table.task == "binary":
        strata = table.y
    else:  # quintiles of the target
        strata = np.searchsorted(np.quantile(table.y, [0.2, 0.4, 0.6, 0.8]), table.y)
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=seed)
    return list(cv.split(np.zeros(len(table.y)), strata))


def scores(task: str, y_true: np.ndarray, model: Any, X_test: Any) -> dict[str, float]:
    """Test metrics of a fitted model."""
    from sklearn import metrics

    if task == "binary":
        proba = np.clip(model.predict_proba(X_test)[:, 1], 1e-15, 1 - 1e-15)
        return {
            "accuracy": float(np.mean((proba > 0.5) == y_true)),
            "roc_auc": float(metrics.roc_auc_score(y_true, proba)),
            "log_loss": float(metrics.log_loss(y_true, proba, labels=[0, 1])),
        }
    predicted = np.asarray(model.predict(X_test), dtype=np.float64)
    return {
        "r2": float(metrics.r2_score(y_true, predicted)),
        "rmse": float(np.sqrt(np.mean((y_true - predicted) ** 2))),
    }


def run_table(table: tables.Table, model_names: list[str], repeats: int, log: Any = print) -> dict[str, Any]:
    """Every model on every fold of ``table``; per model, the list of fold records."""
    from threadpoolctl import threadpool_limits

    splits = folds(table, repeats)
    out: dict[str, Any] = {"name": table.name, "task": table.task, "rows": len(table.y),
                           "columns": table.X.shape[1], "kinds": table.kinds, "source": table.source,
                           "repeats": repeats, "models": {name: [] for name in model_names}}  # fmt: skip
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's MLP often ends at max_iter; that is its default
        for fold, (train, test) in enumerate(splits):
            X_train, X_test = table.X.iloc[train], table.X.iloc[test]
            for name in model_names:  # the same fold for every model, one after the other
                model = models.make(name, table.task, X_train, seed=fold)
                started = time.perf_counter()
                model.fit(X_train, table.y[train])
                seconds = time.perf_counter() - started
                record = scores(table.task, table.y[test], model, X_test)
                record["fit_seconds"] = seconds
                out["models"][name].append(record)
            main = "accuracy" if table.task == "binary" else "r2"
            line = "  ".join(f"{n} {out['models'][n][-1][main]:.3f}" for n in model_names)
            log(f"  {table.name} fold {fold + 1}/{len(splits)}: {line}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tables", help=f"comma-separated subset of: {', '.join(tables.names())}")
    parser.add_argument("--models", default="descenso,sklearn_mlp,linear,hgb",
                        help=f"comma-separated subset of: {', '.join(models.MODELS)}")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="repeats of 5-fold CV (default 3)")
    parser.add_argument("--large-repeats", type=int, default=1,
                        help=f"repeats for tables over {LARGE:,} rows (default 1)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="1 repeat, only tables under 2,000 rows")
    parser.add_argument("--label", default="latest", help="results file name (default: latest)")
    args = parser.parse_args(argv)

    chosen = args.tables.split(",") if args.tables else tables.names()
    model_names = args.models.split(",")
    unknown = [m for m in model_names if m not in models.MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {', '.join(models.MODELS)}")
    repeats = 1 if args.quick else args.repeats
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{args.label}.json"
    results: dict[str, Any] = {"models": model_names, "tables": [], "repeats": repeats}
    started = time.perf_counter()
    for key in chosen:
        table = tables.load(key)
        if args.quick and len(table.y) >= 2000:
            continue
        n_repeats = args.large_repeats if len(table.y) > LARGE else repeats
        print(f"{table.name}: {len(table.y)} rows, {table.task}, {n_repeats} x 5 folds", flush=True)
        results["tables"].append(run_table(table, model_names, n_repeats, log=lambda s: print(s, flush=True)))
        results["seconds"] = time.perf_counter() - started
        path.write_text(json.dumps(results, indent=1))
    print(f"wrote {path} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
