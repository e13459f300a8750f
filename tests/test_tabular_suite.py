"""The tabular suite's bookkeeping: the same stratified folds for every model, and how a tie is called."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")

from benchmarks.tabular import report, run, tables


def _table(task):
    rng = np.random.default_rng(0)
    y = (rng.random(100) < 0.3).astype(int) if task == "binary" else rng.normal(size=100)
    return tables.Table("t", task, pd.DataFrame({"x": rng.normal(size=100)}), y, "test")


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_folds_are_repeatable_stratified_and_cover_every_row_once_per_repeat(task):
    table = _table(task)
    splits = run.folds(table, repeats=2)
    again = run.folds(table, repeats=2)
    assert len(splits) == 10 and all((a[1] == b[1]).all() for a, b in zip(splits, again, strict=True))
    for repeat in range(2):
        tests = np.concatenate([test for _, test in splits[5 * repeat : 5 * repeat + 5]])
        assert sorted(tests) == list(range(100))
    if task == "binary":  # each test fold holds the base rate, 30 %, within one row
        assert all(abs(table.y[test].sum() - 0.3 * len(test)) <= 1 for _, test in splits)


def test_a_difference_within_one_standard_error_is_a_tie():
    def table(ours, rival):
        folds = lambda values: [{"accuracy": v, "log_loss": v} for v in values]  # noqa: E731
        return {"models": {"a": folds(ours), "b": folds(rival)}}

    assert report.outcome(table([0.8, 0.9, 0.7], [0.7, 0.8, 0.6]), "a", "b", "accuracy") == "win"
    assert report.outcome(table([0.8, 0.9, 0.7], [0.7, 0.8, 0.6]), "a", "b", "log_loss") == "loss"
    assert report.outcome(table([0.8, 0.7, 0.9], [0.7, 0.9, 0.8]), "a", "b", "accuracy") == "tie"
