"""Indexing and slicing: basic, integer-array and boolean indices."""

import numpy as np
import pytest

import descenso as ds
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

X = np.arange(12.0).reshape(3, 4) / 4 - 1  # distinct values

INDICES = {
    "int": 1,
    "negative_int": -1,
    "slice": slice(0, 2),
    "step": (slice(None), slice(None, None, -2)),
    "int_and_slice": (1, slice(1, 3)),
    "newaxis": (None, slice(1, 2)),
    "ellipsis": (Ellipsis, 0),
    "scalar_element": (2, 3),
    "int_array": np.array([2, 0]),
    "int_array_repeats": np.array([0, 0, 2, 0]),
    "list": [1, 1],
    "two_arrays": (np.array([0, 2, 2]), np.array([1, 3, 3])),
    "array_and_slice": (slice(None), np.array([3, 3, 0])),
    "mask": X > 0,
    "row_mask": np.array([True, False, True]),
}


def test_values_by_hand():
    x = ds.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(x[1].data, [4, 5, 6])
    np.testing.assert_array_equal(x[:, 1:].data, [[2, 3], [5, 6]])
    assert x[0, 2].item() == 3 and x[0, 2].shape == ()
    np.testing.assert_array_equal(x[[1, 0, 1]].data, [[4, 5, 6], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(x[x > 3.5].data, [4, 5, 6])
    np.testing.assert_array_equal(x[ds.tensor([1.0, 0.0])].data, [[4, 5, 6], [1, 2, 3]])


def test_repeated_integer_index_accumulates_the_gradient():
    x = ds.tensor([10.0, 20.0, 30.0], requires_grad=True)
    (x[[0, 0, 2, 0]] * ds.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [7, 0, 3])


def test_slice_gradient_by_hand():
    x = ds.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    (x[:, ::2] * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2, 0, 2], [2, 0, 2]])


def test_result_does_not_share_memory_with_the_source():
    x = ds.tensor([1.0, 2.0, 3.0])
    part = x[:2]
    x.data[0] = 100.0
    np.testing.assert_array_equal(part.data, [1, 2])


@pytest.mark.parametrize("name", INDICES)
def test_matches_numpy_and_gradcheck(name):
    index = INDICES[name]
    out = ds.tensor(X, dtype="float64")[index]
    np.testing.assert_array_equal(out.data, X[index])
    assert gradcheck(lambda a: a[index], X)


def test_index_error_shows_the_shape():
    with pytest.raises(IndexError, match=r"index 5 is invalid for a tensor of shape \(3,\)"):
        ds.ones(3)[5]
    with pytest.raises(IndexError, match=r"shape \(2, 2\)"):
        ds.ones(2, 2)[[0, 3]]


@pytest.mark.parametrize("name", INDICES)
def test_float32_in_float32_out(name):
    x = ds.tensor(X, dtype="float32", requires_grad=True)
    out = x[INDICES[name]]
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
