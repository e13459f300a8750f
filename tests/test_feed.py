"""fit on a file streamed a few pieces at a time: the in-memory result, with bounded memory."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from peak_memory import run_python

import descenso as ds
from descenso.data import Stream

CITIES = ["cusco", "lima", "quito"]  # one-hot in sorted order, as the schema learns them


def table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{j}": rng.normal(size=n) for j in range(4)})
    frame["city"] = rng.choice(CITIES, n)
    noise = 0.3 * rng.normal(size=n)
    frame["y"] = frame.x0 - 2 * frame.x1 + 0.5 * frame.x2 * frame.x3 + (frame.city == "quito") + noise
    return frame


def held_out(frame: pd.DataFrame, rows_per_piece: int, validation: float, seed: int) -> np.ndarray:
    """The documented rule: row j of piece i is held out when draw j of default_rng([seed, i]) < v."""
    pieces = range(0, len(frame), rows_per_piece)
    return np.concatenate(
        [np.random.default_rng([seed, i]).random(min(rows_per_piece, len(frame) - s)) < validation
         for i, s in enumerate(pieces)]
    )  # fmt: skip


def test_full_batch_on_a_stream_takes_the_steps_of_full_batch_in_memory(tmp_path):
    frame = table(3000)
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, row_group_size=250)
    stream = Stream(path, target="y", validation=0.2, seed=4, standardize=True)
    streamed_model = ds.nn.MLP(7, hidden=(8,), out_features=1, rng=0, dtype="float64")
    streamed = ds.fit(streamed_model, stream, epochs=6, batch_size=10_000, lr=0.05, rng=0)

    # The in-memory path, built by hand: one-hot city, standardised by the training rows' mean and std.
    X = np.column_stack([frame[[f"x{j}" for j in range(4)]], *(frame.city == c for c in CITIES)]).astype(
        float
    )
    y = frame.y.to_numpy()
    val = held_out(frame, 250, 0.2, seed=4)
    X = (X - X[~val].mean(axis=0)) / X[~val].std(axis=0)
    model = ds.nn.MLP(7, hidden=(8,), out_features=1, rng=0, dtype="float64")
    in_memory = ds.fit(model, X[~val], y[~val], validation=(X[val], y[val]), epochs=6, batch_size=None,
                       lr=0.05, rng=0)  # fmt: skip

    # One batch of the same rows, summed in another order: float64 agrees to ~1e-15; 1e-10 allowed.
    assert stream.n == (~val).sum() and stream.validation_rows.n == val.sum()
    np.testing.assert_allclose(streamed.train_loss, in_memory.train_loss, rtol=1e-10)
    np.testing.assert_allclose(streamed.val_loss, in_memory.val_loss, rtol=1e-10)
    for a, b in zip(streamed_model.parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-9, atol=1e-12)
    assert streamed.train_loss[-1] < streamed.train_loss[0]


def test_a_path_and_the_target_name_are_streamed_and_validated_by_the_seeded_rule(tmp_path):
    table(600).to_parquet(tmp_path / "t.parquet", row_group_size=100)
    history = ds.fit(ds.nn.Linear(7, 1, rng=0), tmp_path / "t.parquet", "y", epochs=3, rng=0, lr=0.05)
    assert len(history) == 3 and history.train_loss[-1] < history.train_loss[0]
    assert history.val_loss == [None] * 3  # no fraction held out unless the Stream is asked to
    stream = Stream(tmp_path / "t.parquet", target="y", validation=0.25)
    held = ds.fit(ds.nn.Linear(7, 1, rng=0), stream, epochs=2, rng=0)
    assert all(v is not None and v > 0 for v in held.val_loss)


def test_bad_streamed_input_is_refused_before_training_with_the_fix(tmp_path):
    table(400).to_parquet(tmp_path / "t.parquet", row_group_size=100)
    stream = Stream(tmp_path / "t.parquet", target="y", validation=0.2)
    model = ds.nn.Linear(7, 1, rng=0)
    with pytest.raises(TypeError, match=r"seeded rule.*Stream\(path, target=..., validation=0.2\)"):
        ds.fit(model, stream, validation=0.2)
    with pytest.raises(ValueError, match=r"batch_size=None would need the whole file in memory"):
        ds.fit(model, stream, batch_size=None)
    with pytest.raises(ValueError, match=r"gradcheck=True, doctor=True would need the whole file"):
        ds.fit(model, stream, gradcheck=True, doctor=True)
    with pytest.raises(TypeError, match=r"a Stream holds its targets"):
        ds.fit(model, stream, np.zeros(400))
    with pytest.raises(TypeError, match=r"y must name the target column"):
        ds.fit(model, tmp_path / "t.parquet")
    with pytest.raises(ValueError, match=r"cannot take X of shape \(1, 7\)"):
        ds.fit(ds.nn.Linear(3, 1), stream)
    assert stream.train._learned  # learned once, before the model was found not to fit
    with pytest.raises(ValueError, match=r"trains on a stream's training rows; got its validation rows"):
        ds.fit(model, stream.validation_rows)


def test_a_streamed_run_stopped_in_mid_epoch_resumes_to_the_uninterrupted_weights(tmp_path):
    table(1200).to_parquet(tmp_path / "t.parquet", row_group_size=100)

    class CrashAt:
        def on_step_end(self, step, logs, model):
            if step == 13:  # in epoch 2 (10 steps an epoch: ~960 training rows in batches of 100)
                raise RuntimeError("the process died")

    def run(**extra):
        stream = Stream(tmp_path / "t.parquet", target="y", validation=0.2, seed=1, standardize=True)
        model = ds.nn.MLP(7, hidden=(8,), out_features=1, rng=0)
        history = ds.fit(model, stream, epochs=3, batch_size=100, rng=0, **extra)
        return model, history

    with pytest.raises(RuntimeError, match="the process died"):
        run(checkpoint=tmp_path / "ckpt", checkpoint_every=4, callbacks=[CrashAt()])
    resumed, history = run(checkpoint=tmp_path / "ckpt", resume=True)
    reference, expected = run()
    assert history.val_loss == expected.val_loss and history.n_steps == expected.n_steps == 30
    for a, b in zip(resumed.parameters(), reference.parameters(), strict=True):
        assert a.data.tobytes() == b.data.tobytes()


def test_a_one_shot_generator_of_batches_is_refused_with_the_fix(tmp_path):
    table(200).to_parquet(tmp_path / "t.parquet", row_group_size=100)
    with pytest.raises(TypeError, match=r"can be read only once.*descenso.data.Stream\(path, target=...\)"):
        ds.fit(ds.nn.Linear(7, 1), ds.data.batches(tmp_path / "t.parquet", target="y"))


# ------------------------------------------------------------------ a file ten times the memory bound

MEMORY_RUN = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import descenso as ds
    from peak_memory import peak_mib

    path, warm_up, how, epochs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    settings = dict(epochs=epochs, batch_size=1024, lr=0.01, rng=0)

    def model():
        return ds.nn.MLP(5, hidden=(16,), out_features=1, rng=0)

    # The libraries' own memory is not the data's: run every code path once on a small file with
    # pieces of the same size (pyarrow's reader keeps ~10 MiB of buffers after its first row group of
    # 10k rows; its compute kernels map ~45 MiB at the first cast), then take the baseline.
    ds.fit(model(), ds.data.Stream(warm_up, target="y", validation=0.1, standardize=True), **settings)
    table = ds.data.read(warm_up, target="y")
    ds.fit(model(), ds.features.Standardize().fit_transform(table.X), table.y, validation=0.1, **settings)
    del table
    baseline = peak_mib()
    if how == "stream":
        stream = ds.data.Stream(path, target="y", validation=0.1, seed=0, standardize=True, window=2)
        history = ds.fit(model(), stream, **settings)
    else:
        table = ds.data.read(path, target="y")
        X = ds.features.Standardize().fit_transform(table.X)
        history = ds.fit(model(), X, table.y, validation=0.1, **settings)
    print(json.dumps({"extra_mib": peak_mib() - baseline, "val_loss": history.val_loss[-1]}))
    """
)


def write_parquet(path: Path, rows: int, seed: int) -> None:
    """Rows of a smooth function plus noise 0.3, written one row group of 10k rows at a time."""
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    rng, writer = np.random.default_rng(seed), None
    for _ in range(0, rows, 10_000):
        x = {f"x{j}": rng.normal(size=10_000) for j in range(5)}
        x["y"] = np.sin(x["x0"]) - 2 * x["x1"] + 0.5 * x["x2"] * x["x3"] + 0.3 * rng.normal(size=10_000)
        batch = pa.table(x)
        writer = writer or pq.ParquetWriter(path, batch.schema, compression="none")
        writer.write_table(batch)
    writer.close()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
def test_a_file_ten_times_the_memory_bound_trains_to_the_in_memory_loss(tmp_path):
    big, small, warm_up = tmp_path / "big.parquet", tmp_path / "small.parquet", tmp_path / "warm.parquet"
    for path, rows, seed in ((big, 1_000_000, 1), (small, 100_000, 2), (warm_up, 20_000, 3)):
        write_parquet(path, rows, seed)
    in_memory_mib = 1_000_000 * 6 * 8 / 2**20  # the big table's six float64 columns: 46 MiB
    bound = in_memory_mib / 10

    streamed = json.loads(run_python(MEMORY_RUN, big, warm_up, "stream", 1))
    # A tenth of the rows in memory, as many steps.
    loaded = json.loads(run_python(MEMORY_RUN, small, warm_up, "memory", 10))

    numbers = (
        f"peak growth: streamed {streamed['extra_mib']:.1f} MiB, a tenth in memory {loaded['extra_mib']:.1f} "
        f"MiB, bound {bound:.1f} MiB; val_loss {streamed['val_loss']:.4f} vs {loaded['val_loss']:.4f}"
    )
    assert streamed["extra_mib"] < bound, numbers
    # The meter is not blind: holding a tenth of the table in memory already costs more than the bound.
    assert loaded["extra_mib"] > bound, numbers
    # Different rows, the same distribution and number of steps: the same loss (noise alone is 0.09).
    assert streamed["val_loss"] == pytest.approx(loaded["val_loss"], rel=0.05), numbers
    assert streamed["val_loss"] < 0.2
