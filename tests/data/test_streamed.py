"""Stream: a file read a few pieces at a time, held out by a seeded rule, learned in one pass."""

from __future__ import annotations

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
    stream.learn()
    rng = np.random.default_rng(0)
    epochs = [[yb for _, yb, _, _ in stream.epoch(rng, 64, ds.distributed.Local())] for _ in range(2)]
    sizes = [len(yb) for yb in epochs[0]]
    dropped = sum(stream._labels(i, 250)[j] == 0 for i, j in ((0, 5), (2, 200), (8, 100)))
    assert dropped  # a training row with a missing x2 is dropped: its batch is one row short
    assert len(sizes) == -(-stream.n // 64) and max(sizes) == 64 and sum(sizes) == stream.n - dropped
    first, second = np.concatenate(epochs[0]), np.concatenate(epochs[1])
    np.testing.assert_array_equal(np.sort(first), np.sort(second))
    assert not np.array_equal(first, second)


def test_bad_input_is_refused_before_training_with_the_fix(files, tmp_path):
    _, folder = files
    with pytest.raises(DataError, match=r"column 'price' not found in 't.parquet'; the columns are: x0"):
        Stream(folder / "t.parquet", target="price")
    with pytest.raises(
        DataError, match=r"missing, NaN or infinite values in the training rows .* column 'x2'"
    ):
        Stream(folder / "t.parquet", target="y").learn()
    pd.DataFrame({"a": [1.0], "y": [2.0]}).to_csv(tmp_path / "z.csv.gz", index=False)
    with pytest.raises(DataError, match=r"compressed.*Decompress it, or convert it to Parquet"):
        Stream(tmp_path / "z.csv.gz", target="y")
