"""An epoch's shards, asked once an epoch: the same rows and shares as one ``shard`` call per batch."""

from __future__ import annotations

import numpy as np
import pytest

from descenso.distributed import DataParallel, Local


def per_batch(parallel, order, n, batch, first_step, sample_weight):
    """What the feed did before: one ``shard`` call per global batch."""
    if order is None:
        return [parallel.shard(slice(None), n, sample_weight)]
    starts = range(first_step * batch, n, batch)
    return [parallel.shard(order[start : start + batch], n, sample_weight) for start in starts]


def same(a, b):
    assert len(a) == len(b)
    for (rows_a, share_a), (rows_b, share_b) in zip(a, b, strict=True):
        assert share_a == share_b
        if isinstance(rows_a, slice):
            assert rows_a == rows_b
        else:
            np.testing.assert_array_equal(rows_a, rows_b)


def rank_of(size, rank):
    """A DataParallel's sharding arithmetic for one rank, without MPI (shard reads only rank and size)."""
    parallel = DataParallel.__new__(DataParallel)
    parallel.rank, parallel.size = rank, size
    return parallel


@pytest.mark.parametrize(("n", "batch"), [(10, 3), (9, 3), (10, 10), (7, 32), (2000, 32)])
@pytest.mark.parametrize("first_step", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_shards_are_the_per_batch_shards_of_every_parallel(n, batch, first_step, weighted):
    rng = np.random.default_rng(n + batch)
    batch = min(batch, n)
    order = rng.permutation(n) if batch < n else None
    weights = rng.random(n) if weighted else None
    for parallel in [Local(), rank_of(2, 0), rank_of(2, 1), rank_of(3, 2)]:
        same(
            parallel.shards(order, n, batch, first_step, weights),
            per_batch(parallel, order, n, batch, first_step, weights),
        )


def test_local_shards_keep_every_batch_whole_and_the_short_last_one_counted():
    parts = Local().shards(np.arange(7), 7, 3, 0, None)
    assert [rows.tolist() for rows, _ in parts] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [(share.count, share.weight) for _, share in parts] == [(3, 3.0), (3, 3.0), (1, 1.0)]
    assert Local().shards(np.arange(6), 6, 3, 2, None) == []  # resumed at the epoch's end: nothing left
