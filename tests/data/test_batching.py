"""BatchIterator: every row once per epoch, new order each epoch, seeded, and no whole-array copies."""

import tracemalloc

import numpy as np
import pytest

from descenso import data


def test_each_epoch_is_a_permutation_and_epochs_differ():
    X = np.arange(100.0).reshape(50, 2)
    y = np.arange(50.0)
    batches = data.BatchIterator(X, y, batch_size=8, rng=0)
    epochs = []
    for _ in range(3):
        seen = []
        for X_batch, y_batch in batches:
            np.testing.assert_array_equal(X_batch[:, 0], y_batch * 2)  # rows stay paired
            seen.extend(y_batch.tolist())
        assert sorted(seen) == list(range(50))
        epochs.append(seen)
    assert epochs[0] != epochs[1] != epochs[2]
    again = [v for _, yb in data.BatchIterator(X, y, batch_size=8, rng=0) for v in yb.tolist()]
    assert again == epochs[0]  # the same seed replays the same order


def test_sizes_and_drop_last():
    X = np.zeros((10, 3))
    assert [len(b) for b in data.BatchIterator(X, batch_size=4)] == [4, 4, 2]
    dropped = data.BatchIterator(X, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(b) for b in dropped] == [4, 4]
    assert [len(b) for b in data.BatchIterator(X, batch_size=None)] == [10]


def test_no_shuffle_gives_views_in_order():
    X = np.arange(12.0).reshape(6, 2)
    batches = list(data.BatchIterator(X, batch_size=4, shuffle=False))
    assert np.shares_memory(batches[0], X)
    np.testing.assert_array_equal(np.concatenate(batches), X)


def test_an_epoch_does_not_copy_the_whole_array():
    X = np.random.default_rng(0).normal(size=(200_000, 10)).astype(np.float32)  # 8 MB
    y = np.zeros(200_000, dtype=np.float32)
    batches = data.BatchIterator(X, y, batch_size=256, rng=0)
    tracemalloc.start()
    try:
        for _ in batches:
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One permutation (1.6 MB of int64) and one batch at a time, never another 8 MB copy of X.
    assert peak < 0.35 * X.nbytes


def test_errors():
    with pytest.raises(ValueError, match=r"X has 3 rows but y has 2"):
        data.BatchIterator(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ValueError, match=r"batch_size must be an int >= 1"):
        data.BatchIterator(np.zeros((3, 1)), batch_size=0)
    with pytest.raises(ValueError, match=r"would give no batches"):
        data.BatchIterator(np.zeros((3, 1)), batch_size=4, drop_last=True)
    with pytest.raises(ValueError, match=r"at least one row"):
        data.BatchIterator(np.zeros((0, 1)))
    with pytest.raises(TypeError, match=r"rng must be"):
        data.BatchIterator(np.zeros((3, 1)), rng=1.5)
