"""Reductions: sum, mean, max, min with axis and keepdims."""

import numpy as np
import pytest

import descenso as ds
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

# (shape, axis) including a 0-d tensor, size-1 axes, negative and tuple axes.
CASES = [
    ((), None),
    ((), 0),
    ((), -1),
    ((1,), None),
    ((4,), 0),
    ((2, 3), None),
    ((2, 3), 0),
    ((2, 3), -1),
    ((2, 1, 3), (0, 2)),
    ((2, 3, 4), (-1, 0)),
    ((1, 1), 1),
]
REDUCTIONS = {
    "sum": (ds.sum, np.sum),
    "mean": (ds.mean, np.mean),
    "max": (ds.max, np.max),
    "min": (ds.min, np.min),
}


def values(shape, seed):
    # Distinct values, so max/min have no ties inside a finite-difference step.
    count = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(np.linspace(-2, 2, count)).reshape(shape)


def test_values_by_hand():
    x = ds.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    assert ds.sum(x).item() == 21
    np.testing.assert_array_equal(x.sum(axis=0).data, [5, 7, 9])
    np.testing.assert_array_equal(x.sum(axis=1, keepdims=True).data, [[9], [12]])
    assert x.mean().item() == 3.5
    np.testing.assert_array_equal(x.mean(axis=-1).data, [3, 4])
    np.testing.assert_array_equal(x.max(axis=1).data, [5, 6])
    np.testing.assert_array_equal(x.min(axis=0, keepdims=True).data, [[1, 2, 3]])
    assert x.max().item() == 6 and x.min().item() == 1
    np.testing.assert_array_equal(x.sum(axis=(0, 1)).data, 21)


def test_gradients_by_hand():
    x = ds.tensor([[1.0, 5.0], [4.0, 2.0]], requires_grad=True)
    (x.sum(axis=0) * ds.tensor([1.0, 10.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, 10], [1, 10]])
    x.zero_grad()
    x.mean().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 0.25))
    x.zero_grad()
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1], [1, 0]])
    x.zero_grad()
    x.min().backward()
    np.testing.assert_array_equal(x.grad, [[1, 0], [0, 0]])


def test_max_and_min_ties_share_the_gradient():
    x = ds.tensor([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    x.zero_grad()
    x.min().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [0, 0, 0]])


def test_zero_dimensional_tensor_accepts_axis_0_and_minus_1():
    # Regression: axis=0 used to raise NumPy's AxisError and axis=-1 a ValueError on a 0-d tensor.
    x = ds.tensor(3.0, requires_grad=True)
    for fn in (ds.sum, ds.mean, ds.max, ds.min):
        for axis in (0, -1, None):
            out = fn(x, axis=axis)
            assert out.shape == () and out.item() == 3.0
    ds.sum(x, axis=0).backward()
    assert x.grad == 1.0


@pytest.mark.parametrize(("shape", "axis"), CASES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_matches_numpy_and_gradcheck(name, shape, axis, keepdims):
    fn, reference = REDUCTIONS[name]
    x = values(shape, seed=len(shape))
    out = fn(ds.tensor(x), axis=axis, keepdims=keepdims)
    numpy_axis = None if (axis is None or shape == ()) else axis
    expected = reference(x, axis=numpy_axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert gradcheck(lambda a: fn(a, axis=axis, keepdims=keepdims), x)


def test_errors():
    with pytest.raises(ValueError, match="axis 2 is out of range for a tensor with 2 dimensions"):
        ds.ones(2, 3).sum(axis=2)
    with pytest.raises(ValueError, match="axis -3 is out of range"):
        ds.ones(2, 3).mean(axis=-3)
    with pytest.raises(ValueError, match=r"mean of an empty selection: shape \(0, 3\)"):
        ds.zeros(0, 3).mean(axis=0)
    with pytest.raises(ValueError, match=r"max of an empty tensor \(shape \(0,\)\)"):
        ds.zeros(0).max()


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
def test_float32_in_float32_out(name, axis):
    x = ds.tensor(values((2, 3), 1), dtype="float32", requires_grad=True)
    out = REDUCTIONS[name][0](x, axis=axis)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_mean_of_a_boolean_mask_is_a_fraction():
    # Regression: dividing by the input dtype's count turned count into True for a mask, so the
    # "mean" of (x > 0) was the number of hits instead of their fraction.
    x = ds.tensor([1.0, -1.0, 2.0])
    assert (x > 0).mean().item() == pytest.approx(2 / 3)
    mask = ds.tensor([[1.0, -1.0], [2.0, 3.0]]) > 0
    np.testing.assert_allclose(mask.mean(axis=1).data, [0.5, 1.0])
