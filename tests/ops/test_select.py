"""Ops that choose between values: clip, maximum, minimum, where."""

import numpy as np
import pytest

import descenso as ds
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

PAIRS = [((), ()), ((3,), ()), ((1,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1))]


def values(shape, seed):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


def test_clip_values_and_gradient_by_hand():
    x = ds.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    y = ds.clip(x, -1.0, 1.0)
    np.testing.assert_array_equal(y.data, [-1, -1, 0, 1, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 1, 1, 0])  # the bounds themselves pass the gradient
    np.testing.assert_array_equal(x.clip(min=0.5).data, [0.5, 0.5, 0.5, 1, 2])
    np.testing.assert_array_equal(x.clip(max=0.5).data, [-2, -1, 0, 0.5, 0.5])


def test_clip_errors():
    with pytest.raises(ValueError, match="at least one of min= or max="):
        ds.clip(ds.ones(2))
    with pytest.raises(ValueError, match="min=2 is greater than max=1"):
        ds.clip(ds.ones(2), 2, 1)


def test_maximum_minimum_by_hand_with_a_tie():
    a = ds.tensor([1.0, 5.0, 3.0], requires_grad=True)
    b = ds.tensor([2.0, 4.0, 3.0], requires_grad=True)
    top = ds.maximum(a, b)
    np.testing.assert_array_equal(top.data, [2, 5, 3])
    top.sum().backward()
    np.testing.assert_array_equal(a.grad, [0, 1, 0.5])  # a tie shares the gradient, as PyTorch does
    np.testing.assert_array_equal(b.grad, [1, 0, 0.5])
    a.zero_grad()
    b.zero_grad()
    bottom = ds.minimum(a, b)
    np.testing.assert_array_equal(bottom.data, [1, 4, 3])
    bottom.sum().backward()
    np.testing.assert_array_equal(a.grad, [1, 0, 0.5])
    np.testing.assert_array_equal(b.grad, [0, 1, 0.5])


def test_maximum_with_a_number():
    x = ds.tensor([-1.0, 2.0], requires_grad=True)
    ds.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1])
    assert ds.minimum(1.0, x).dtype == np.float32


def test_where_by_hand():
    a = ds.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ds.tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = ds.where(a > 1.5, a, b)
    np.testing.assert_array_equal(out.data, [10, 2, 3])
    (out * ds.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad, [0, 2, 3])
    np.testing.assert_array_equal(b.grad, [1, 0, 0])


def test_where_broadcasts_condition_and_branches():
    a = ds.tensor([[1.0], [2.0]], requires_grad=True)  # (2, 1)
    out = ds.where(np.array([True, False, True]), a, 0.0)  # (2, 3)
    np.testing.assert_array_equal(out.data, [[1, 0, 1], [2, 0, 2]])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [[2], [2]])


def test_where_errors():
    with pytest.raises(TypeError, match="condition must be boolean; got dtype float32"):
        ds.where(ds.ones(2), ds.ones(2), ds.ones(2))
    with pytest.raises(ValueError, match=r"shapes \(2,\), \(3,\) and \(3,\) cannot be broadcast"):
        ds.where(np.array([True, False]), ds.ones(3), ds.ones(3))


def test_broadcast_errors_show_both_shapes():
    with pytest.raises(ValueError, match=r"maximum: shapes \(2,\) and \(3,\)"):
        ds.maximum(ds.ones(2), ds.ones(3))


@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 3)])
def test_gradcheck_clip(shape):
    # Values stay away from the bounds so the finite difference does not cross a kink.
    x = values(shape, 1)
    x = np.where(np.abs(np.abs(x) - 1) < 0.1, x * 1.3, x)
    assert gradcheck(lambda a: ds.clip(a, -1.0, 1.0), x)
    assert gradcheck(lambda a: ds.clip(a, min=0.0), x)


@pytest.mark.parametrize(("shape_a", "shape_b"), PAIRS)
@pytest.mark.parametrize("op", [ds.maximum, ds.minimum])
def test_gradcheck_maximum_minimum(op, shape_a, shape_b):
    assert gradcheck(op, values(shape_a, 2), values(shape_b, 3))


@pytest.mark.parametrize(("shape_a", "shape_b"), PAIRS)
def test_gradcheck_where(shape_a, shape_b):
    cond = np.random.default_rng(4).random(np.broadcast_shapes(shape_a, shape_b)) > 0.5
    assert gradcheck(lambda a, b: ds.where(cond, a, b), values(shape_a, 5), values(shape_b, 6))


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: ds.clip(a, -0.5, 0.5),
        ds.maximum,
        ds.minimum,
        lambda a, b: ds.where(a > b, a, b),
    ],
)
def test_float32_in_float32_out(op):
    a = ds.tensor(values((2, 3), 7), dtype="float32", requires_grad=True)
    b = ds.tensor(values((3,), 8), dtype="float32", requires_grad=True)
    out = op(a, b)
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32
