"""Stream: a file read a few pieces at a time, held out by a seeded rule, learned in one pass."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import descenso as ds
from descenso.data import DataError, Stream
from descenso.data.pieces import Pieces
from descenso.features import Standardize


def table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{j}": rng.normal(size=n) for j in range(4)})
    frame["city"] = rng.choice(["lima", "quito", "cusco"], n)
    frame["y"] = (
        frame.x0
        - 2 * frame.x1
        + 0.5 * frame.x2 * frame.x3
        + (frame.city == "quito")
        + 0.3 * rng.normal(size=n)
    )
    return frame


@pytest.fixture
def files(tmp_path):
    frame = table(3000)
    frame.loc[[5, 700, 2100], "x2"] = np.nan
    frame.to_parquet(tmp_path / "t.parquet", row_group_size=250)
    frame.to_csv(tmp_path / "t.csv", index=False)
    return frame, tmp_path


@pytest.mark.parametrize("name", ["t.parquet", "t.csv"])
def test_pieces_cover_every_row_once_in_order(files, name):
    frame, folder = files
    pieces = Pieces(folder / name, piece_bytes=20_000)
    assert len(pieces) >= 8
    read = pd.concat([pd.DataFrame(pieces.read(i, ["x0", "city"]).data) for i in range(len(pieces))])
    np.testing.assert_array_equal(read["x0"].to_numpy(), frame["x0"].to_numpy())
    assert read["city"].tolist() == frame["city"].tolist()


@pytest.mark.parametrize("name", ["t.parquet", "t.csv"])
def test_one_pass_learns_what_read_and_standardize_learn_from_the_training_rows(files, name):
    frame, folder = files
    stream = Stream(folder / name, target="y", validation=0.2, test=0.1, seed=3, missing="mean",
                    standardize=True, piece_bytes=20_000).learn()  # fmt: skip
    train_rows = np.concatenate([stream._part_ids(i) for i in range(len(stream.pieces))])
    assert stream.n == len(train_rows) and 0.66 < stream.n / 3000 < 0.74
    assert stream.n + stream.validation_rows.n + stream.test_rows.n == 3000
    reference = ds.data.read(
        frame.iloc[np.sort(train_rows)].reset_index(drop=True), target="y", missing="mean"
    )
    got, expected = stream.schema.get_config(), reference.schema.get_config()
    fills = [(c.pop("fill"), e.pop("fill")) for c, e in zip(got["columns"], expected["columns"], strict=True)]
    assert got == expected
    for fill, fill_expected in fills:  # means summed in another order; the mode exactly
        assert fill == (pytest.approx(fill_expected, rel=1e-12) if isinstance(fill, float) else fill_expected)
    scaler = Standardize().fit(reference.X.astype(np.float64))
    np.testing.assert_allclose(stream.mean_, scaler.mean_, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(stream.scale_, scaler.scale_, rtol=1e-6)


def test_the_held_out_rule_gives_disjoint_parts_that_do_not_depend_on_the_pieces_read(files):
    _, folder = files
    stream = Stream(folder / "t.parquet", target="y", validation=0.25, seed=1, missing="drop").learn()
    parts = [np.concatenate([s._part_ids(i) for i in range(len(s.pieces))])
             for s in (stream, stream.validation_rows, stream.test_rows)]  # fmt: skip
    assert sorted(np.concatenate(parts).tolist()) == list(range(3000))
    assert len(parts[2]) == 0 and 0.2 < len(parts[1]) / 3000 < 0.3
    again = Stream(folder / "t.parquet", target="y", validation=0.25, seed=1, missing="drop").learn()
    np.testing.assert_array_equal(again.validation_rows._part_ids(4), stream.validation_rows._part_ids(4))


def test_every_training_row_comes_once_per_epoch_in_a_new_order(files):
    _, folder = files
    stream = Stream(folder / "t.parquet", target="y", validation=0.2, missing="drop", window=3)
    model = ds.nn.Linear(7, 1, rng=0)
    stream.prepare(model, ds.distributed.Local())
    rng = np.random.default_rng(0)
    epochs = [[yb for _, yb, _, _ in stream.epoch(rng, 64, ds.distributed.Local())] for _ in range(2)]
    sizes = [len(yb) for yb in epochs[0]]
    dropped = sum(stream._labels(i, 250)[j] == 0 for i, j in ((0, 5), (2, 200), (8, 100)))
    assert dropped  # a training row with a missing x2 is dropped: its batch is one row short
    assert len(sizes) == -(-stream.n // 64) and max(sizes) == 64 and sum(sizes) == stream.n - dropped
    first, second = np.concatenate(epochs[0]), np.concatenate(epochs[1])
    np.testing.assert_array_equal(np.sort(first), np.sort(second))
    assert not np.array_equal(first, second)


def test_fit_on_a_stream_reaches_the_loss_of_fit_in_memory(files):
    frame, folder = files
    stream = Stream(
        folder / "t.parquet", target="y", validation=0.2, seed=0, missing="drop", standardize=True
    )
    model = ds.nn.MLP(7, hidden=(16,), out_features=1, rng=0)
    streamed = ds.fit(
        model, stream, validation=stream.validation_rows, epochs=20, batch_size=64, rng=0, lr=0.01
    )
    table_ = ds.data.read(frame, target="y", missing="drop")
    X = Standardize().fit_transform(table_.X)
    in_memory = ds.fit(ds.nn.MLP(7, hidden=(16,), out_features=1, rng=0), X, table_.y, validation=0.2,
                       epochs=20, batch_size=64, rng=0, lr=0.01)  # fmt: skip
    assert streamed.val_loss[-1] < 0.2 and in_memory.val_loss[-1] < 0.2  # the noise alone is 0.09
    # Other rows held out, another order: the same loss to the sampling noise of 600 rows.
    assert streamed.train_loss[-1] == pytest.approx(in_memory.train_loss[-1], rel=0.1)
    assert streamed.val_loss[-1] == pytest.approx(in_memory.val_loss[-1], rel=0.2)


def test_a_path_with_the_target_name_is_streamed(files):
    _, folder = files
    frame = table(400)
    frame.to_parquet(folder / "clean.parquet", row_group_size=100)
    history = ds.fit(ds.nn.Linear(7, 1, rng=0), folder / "clean.parquet", "y", epochs=3, rng=0)
    assert len(history) == 3 and history.train_loss[-1] < history.train_loss[0]


def test_bad_input_is_refused_before_training_with_the_fix(files, tmp_path):
    _, folder = files
    with pytest.raises(DataError, match=r"column 'price' not found in 't.parquet'; the columns are: x0"):
        Stream(folder / "t.parquet", target="price")
    with pytest.raises(
        DataError, match=r"missing, NaN or infinite values in the training rows .* column 'x2'"
    ):
        Stream(folder / "t.parquet", target="y").learn()
    stream = Stream(folder / "t.parquet", target="y", missing="drop")
    with pytest.raises(
        TypeError, match=r"validation=stream.validation_rows.*Stream\(path, target=..., validation=0.2\)"
    ):
        ds.fit(ds.nn.Linear(7, 1), stream, validation=0.2)
    with pytest.raises(ValueError, match=r"cannot take X of shape \(1, 7\)"):
        ds.fit(ds.nn.Linear(3, 1), stream)
    pd.DataFrame({"a": [1.0], "y": [2.0]}).to_csv(tmp_path / "z.csv.gz", index=False)
    with pytest.raises(DataError, match=r"compressed.*Decompress it, or convert it to Parquet"):
        Stream(tmp_path / "z.csv.gz", target="y")


MEMORY_RUN = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import descenso as ds

    def peak_mib():
        # The peak resident memory of this process (Linux's VmHWM). Not getrusage's ru_maxrss: across
        # fork + exec it keeps the parent's peak (here pytest's, hundreds of MiB), hiding ours.
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    path, warm_up, how, epochs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    # The libraries' own memory is not the data's: first run every code path once on a file of 2,000
    # rows in pieces of 1,000 (pyarrow's compute kernels alone map ~45 MiB at the first cast, its Parquet
    # reader ~10 MiB at the first read), then take the baseline.
    stream = ds.data.Stream(warm_up, target="y", validation=0.05, seed=0, standardize=True, window=2)
    ds.fit(ds.nn.MLP(7, hidden=(16,), out_features=1, rng=0), stream, validation=stream.validation_rows,
           epochs=1, batch_size=512, rng=0)
    table = ds.data.read(warm_up, target="y")
    ds.fit(ds.nn.MLP(7, hidden=(16,), out_features=1, rng=0), table.X, table.y, validation=0.05, epochs=1)
    del stream, table
    # The file's footer (its index of row groups, ~10 KiB per row group once parsed) is opened before
    # the baseline too: it is what a Stream holds to find the pieces, not data.
    stream = ds.data.Stream(path, target="y", validation=0.05, seed=0, standardize=True, window=2)
    baseline = peak_mib()
    model = ds.nn.MLP(7, hidden=(16,), out_features=1, rng=0)
    if how == "stream":
        history = ds.fit(model, stream, validation=stream.validation_rows, epochs=epochs, batch_size=512,
                         rng=0)
    else:
        table = ds.data.read(path, target="y")
        X = ds.features.Standardize().fit_transform(table.X)
        history = ds.fit(model, X, table.y, validation=0.05, epochs=epochs, batch_size=512, rng=0)
    print(json.dumps({"extra_mib": peak_mib() - baseline, "val_loss": history.val_loss[-1]}))
    """
)


def run_measured(path: Path, how: str, epochs: int) -> dict:
    warm_up = path.parent / "warm_up.parquet"
    table(2000, seed=3).to_parquet(warm_up, row_group_size=1000)
    env = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(Path(__file__).parents[2])}  # fmt: skip
    command = [sys.executable, "-c", MEMORY_RUN, str(path), str(warm_up), how, str(epochs)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
def test_a_file_ten_times_the_memory_bound_trains_to_the_in_memory_loss(tmp_path):
    big, small = tmp_path / "big.parquet", tmp_path / "small.parquet"
    table(1_000_000, seed=1).to_parquet(big, row_group_size=2_500, compression="none")
    table(100_000, seed=2).to_parquet(small, row_group_size=2_500, compression="none")
    bound = big.stat().st_size / 2**20 / 10  # MiB: a tenth of the file (47 MiB)
    streamed = run_measured(big, "stream", epochs=1)
    in_memory = run_measured(small, "memory", epochs=10)  # a tenth of the rows, as many steps
    assert streamed["extra_mib"] < bound, (streamed, bound)
    assert in_memory["extra_mib"] > bound  # the measure sees a table held in memory: it is not blind
    assert streamed["val_loss"] == pytest.approx(in_memory["val_loss"], rel=0.1)
