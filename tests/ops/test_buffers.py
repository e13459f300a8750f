"""The array pool behind the big ops: an array comes back only once nothing else refers to it."""

import threading

import numpy as np
import pytest

import descenso as ds
from descenso.ops import _buffers

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def big_shape():
    return (_buffers.MIN_BYTES // 4 // 64 + 1, 64)  # just over the threshold in float32


def test_a_free_array_is_handed_out_again_and_a_used_one_never():
    _buffers.clear()
    dtype = np.dtype(np.float32)
    first = _buffers.empty(big_shape(), dtype)
    second = _buffers.empty(big_shape(), dtype)
    assert second is not first  # `first` is still referenced here
    first_id = id(first)
    del first
    third = _buffers.empty(big_shape(), dtype)
    assert id(third) == first_id  # freed by us, so reused
    view = third[:3]
    del third
    fourth = _buffers.empty(big_shape(), dtype)
    assert id(fourth) != first_id  # a view still holds the base array
    assert view.base is not None


def test_small_arrays_and_other_shapes_are_not_shared():
    _buffers.clear()
    small = _buffers.empty((4, 4), np.dtype(np.float32))
    assert not _buffers._pool
    a = _buffers.empty(big_shape(), np.dtype(np.float32))
    b = _buffers.empty(big_shape(), np.dtype(np.float64))
    assert a.dtype == np.float32 and b.dtype == np.float64 and small.shape == (4, 4)
    assert len(_buffers._pool) == 2


@pytest.mark.numpy_only("only NumPy arrays are pooled")
def test_outputs_a_user_keeps_are_never_overwritten_by_later_steps():
    _buffers.clear()
    rng = np.random.default_rng(0)
    x = rng.standard_normal(big_shape()).astype(np.float32)  # (4097, 64)
    w = ds.tensor(rng.standard_normal((64, 64)).astype(np.float32), requires_grad=True)
    kept = ds.linear(x, w)
    expected = kept.data.copy()
    for _ in range(3):  # more steps, same shapes: the pool must not hand out `kept`'s memory
        y = ds.relu(ds.linear(x, w))
        y.sum().backward()
        del y
    np.testing.assert_array_equal(kept.data, expected)


def test_two_threads_never_get_the_same_array():
    _buffers.clear()
    dtype = np.dtype(np.float32)
    held: list[list[np.ndarray]] = [[], []]
    clashes = []
    lock = threading.Lock()

    def take(slot: int) -> None:
        for _ in range(300):
            array = _buffers.empty(big_shape(), dtype)
            with lock:
                if any(array is other for other in held[1 - slot]):
                    clashes.append(id(array))
                held[slot].append(array)
                if len(held[slot]) > 2:
                    held[slot].pop(0)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clashes == []  # at no moment did both threads hold the same array
