"""What each rank runs in the distributed tests: ``mpiexec -n N python ranks.py SCENARIO OUT``.

Run by :mod:`tests.distributed.test_data_parallel`; also used to train the one-process
reference in the test process itself (``train(...)`` with ``distributed=None``).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np

import descenso as ds
from descenso.train import Callback


def problem(dtype: str, n: int = 162) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A regression table: 130 training rows, so batch 32 leaves a last batch of 2 (3 ranks: one empty)."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, 5)).astype(dtype)
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n)).astype(dtype)
    w = rng.uniform(0.0, 2.0, size=n).astype(dtype)
    w[:40] = 0.0  # whole shards of zero weight must add nothing
    return X, y, w


def train(dtype: str, distributed: object = None, **extra: object) -> tuple[object, ds.History]:
    X, y, w = problem(dtype)
    # Different ranks draw different initial weights: the broadcast must make them rank 0's.
    seed = 1000 + (0 if distributed is None else int(os.environ.get("PMI_RANK", "0")))
    model = ds.nn.MLP(5, hidden=(16, 16), out_features=1, rng=seed, dtype=dtype)
    history = ds.fit(
        model, X, y, optimizer="adam", lr=0.05, epochs=15, batch_size=32, validation=0.2, rng=3,
        sample_weight=w, l2=1e-3, metrics=["mae"], stop=[ds.EarlyStopping(patience=1)],
        distributed=distributed, **extra,
    )  # fmt: skip
    return model, history


def write_table(folder: Path) -> None:
    """A Parquet file of 23 row groups (uneven over 2 or 3 ranks) and the same rows as CSV, one bad cell."""
    import pandas as pd

    rng = np.random.default_rng(11)
    n = 2300
    frame = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "city": rng.choice(["x", "y", "z"], n)}
    )
    frame["target"] = np.tanh(frame["a"]) - frame["b"] * (frame["city"] == "y") + 0.05 * rng.normal(size=n)
    frame.to_parquet(folder / "data.parquet", row_group_size=100)
    frame["a"] = frame["a"].astype(object)
    frame.loc[2000, "a"] = "abc"  # in the last CSV piece: the rank that reads it meets bad data
    frame.to_csv(folder / "bad.csv", index=False)


def learn_stream(folder: Path, parallel: object = None) -> ds.data.Stream:
    """The Parquet file's one-pass schema and standardisation, each rank reading only its own pieces."""
    stream = ds.data.Stream(
        folder / "data.parquet", target="target", validation=0.2, seed=5, standardize=True
    )
    return stream.learn(parallel)


class FailOnRank(Callback):
    """Kill this rank (SIGKILL) or make it raise, at step 5 of the run, on rank 1 only."""

    def __init__(self, how: str) -> None:
        self.how = how
        self.steps = 0

    def loss(self, prediction, target, sample_weight=None):
        self.steps += 1
        if self.how == "raise" and self.steps == 5 and os.environ.get("PMI_RANK") == "1":
            raise ds.data.DataError("row 17 of shard 1: could not convert 'abc' to a number")
        return ds.losses.mse(prediction, target, sample_weight=sample_weight)

    def on_step_end(self, step, logs, model):
        if self.how == "kill" and step == 5 and os.environ.get("PMI_RANK") == "1":
            os.kill(os.getpid(), signal.SIGKILL)


def main(scenario: str, out: Path) -> None:
    from descenso.distributed import DataParallel, RankError

    parallel = DataParallel()
    if scenario in ("float64", "float32"):
        model, history = train(scenario, distributed=parallel)
        arrays = {name: p.data for name, p in model.named_parameters()}
        arrays["val_loss"] = np.array(history.val_loss, dtype=np.float64)
        np.savez(out / f"rank{parallel.rank}.npz", **arrays)
        (out / f"rank{parallel.rank}.txt").write_text(f"{history.stopped_by}|{history.stop_reason}")
        return
    if scenario == "stream":
        stream = learn_stream(out, parallel)
        np.savez(out / f"rank{parallel.rank}.npz", mean=stream.mean_, scale=stream.scale_)
        (out / f"rank{parallel.rank}.txt").write_text(repr(stream.schema.columns))
        return
    if scenario == "bad_csv":
        try:
            ds.data.Stream(out / "bad.csv", target="target", piece_bytes=20_000).learn(parallel)
        except RankError as error:
            (out / f"rank{parallel.rank}.txt").write_text(str(error))
            raise SystemExit(3) from None
    failing = FailOnRank(scenario)
    X, y, _ = problem("float64", n=2000)
    model = ds.nn.MLP(5, hidden=(16,), out_features=1, rng=0, dtype="float64")
    try:
        ds.fit(
            model, X, y, loss=failing.loss, epochs=50, batch_size=16, callbacks=[failing], distributed=True
        )
    except RankError as error:
        (out / f"rank{parallel.rank}.txt").write_text(str(error))
        raise SystemExit(3) from None


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
