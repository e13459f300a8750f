"""Arithmetic ops: + - * / ** @, negation and the fused linear."""

import numpy as np
import pytest

import descenso as ds
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

# Broadcast pairs: scalars, size-1 axes, added leading axes, both sides stretched.
PAIRS = [
    ((), ()),
    ((3,), ()),
    ((), (3,)),
    ((1,), (3,)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((2, 3), (2, 3)),
    ((4, 1, 3), (2, 1)),
    ((1, 1), (1,)),
]


def values(shape, seed, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def positive(shape, seed):
    return values(shape, seed, 0.5, 2.0)


# ----------------------------------------------------------------------------- values by hand
def test_add_sub_mul_div_by_hand():
    a = ds.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = ds.tensor([10.0, 20.0])
    np.testing.assert_array_equal((a + b).data, [[11, 22], [13, 24]])
    np.testing.assert_array_equal((a - b).data, [[-9, -18], [-7, -16]])
    np.testing.assert_array_equal((a * b).data, [[10, 40], [30, 80]])
    np.testing.assert_allclose((b / a).data, [[10, 10], [10 / 3, 5]], rtol=1e-6)
    np.testing.assert_array_equal((-a).data, [[-1, -2], [-3, -4]])
    np.testing.assert_array_equal((a**2).data, [[1, 4], [9, 16]])


def test_scalars_on_either_side():
    x = ds.tensor([1.0, 2.0, 4.0])
    np.testing.assert_array_equal((2 + x).data, [3, 4, 6])
    np.testing.assert_array_equal((x + 2).data, [3, 4, 6])
    np.testing.assert_array_equal((2 - x).data, [1, 0, -2])
    np.testing.assert_array_equal((x - 2).data, [-1, 0, 2])
    np.testing.assert_array_equal((3 * x).data, [3, 6, 12])
    np.testing.assert_array_equal((8 / x).data, [8, 4, 2])
    np.testing.assert_array_equal((x / 2).data, [0.5, 1, 2])
    np.testing.assert_array_equal((2**x).data, [2, 4, 16])
    np.testing.assert_allclose((x**0.5).data, [1, np.sqrt(2), 2], rtol=1e-6)


@pytest.mark.numpy_only("NumPy arrays as operands are host data")
def test_numpy_array_on_the_left_gives_a_tensor():
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 5.0], dtype=np.float32) - x
    assert isinstance(y, ds.Tensor)
    np.testing.assert_array_equal(y.data, [2, 3])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [-1, -1])
    z = np.ones((2, 2), dtype=np.float32) @ x
    assert isinstance(z, ds.Tensor)
    np.testing.assert_array_equal(z.data, [3, 3])


def test_gradients_by_hand():
    a = ds.tensor([2.0, 3.0], requires_grad=True)
    b = ds.tensor([5.0, 4.0], requires_grad=True)
    (a * b + a / b - b**2).sum().backward()
    # d/da = b + 1/b ; d/db = a - a/b**2 - 2b
    np.testing.assert_allclose(a.grad, [5 + 1 / 5, 4 + 1 / 4], rtol=1e-6)
    np.testing.assert_allclose(b.grad, [2 - 2 / 25 - 10, 3 - 3 / 16 - 8], rtol=1e-6)


def test_pow_gradient_of_the_exponent_by_hand():
    base = ds.tensor(2.0, requires_grad=True)
    exponent = ds.tensor(3.0, requires_grad=True)
    (base**exponent).backward()
    assert base.grad == pytest.approx(3 * 2.0**2)
    assert exponent.grad == pytest.approx(8 * np.log(2.0), rel=1e-6)


def test_pow_edge_cases_follow_pytorch_without_warnings():
    x = ds.tensor([0.0, 2.0], dtype="float64", requires_grad=True)
    (x**0).sum().backward()  # d(x**0)/dx = 0, also at x = 0 (not 0 * inf)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    b = ds.tensor(2.0, dtype="float64", requires_grad=True)
    base = ds.tensor([0.0, 3.0], dtype="float64")
    (base**b).sum().backward()  # d(0**b)/db = 0 for b >= 0; d(3**b)/db = 9 log 3
    assert b.grad == pytest.approx(9 * np.log(3.0))


def test_matmul_and_linear_by_hand():
    x = ds.tensor([[1.0, 2.0]])  # (1, 2)
    w = ds.tensor([[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]])  # (3, 2): out_features=3
    np.testing.assert_array_equal((x @ w.T).data, [[1, 0, 1.5]])
    y = ds.linear(x, w, ds.tensor([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(y.data, [[2, 1, 2.5]])
    np.testing.assert_array_equal((ds.tensor([1.0, 2.0]) @ ds.tensor([3.0, 4.0])).data, 11)


def test_linear_gradients_by_hand():
    x = ds.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = ds.tensor([[1.0, -1.0]], requires_grad=True)
    b = ds.tensor([0.5], requires_grad=True)
    ds.linear(x, w, b).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, -1], [1, -1]])
    np.testing.assert_array_equal(w.grad, [[4, 6]])
    np.testing.assert_array_equal(b.grad, [2])


# ----------------------------------------------------------------------------- gradient checks
@pytest.mark.parametrize(("shape_a", "shape_b"), PAIRS)
@pytest.mark.parametrize("op", [ds.add, ds.sub, ds.mul, lambda a, b: a + b, lambda a, b: a * b - b])
def test_gradcheck_add_sub_mul(op, shape_a, shape_b):
    assert gradcheck(op, values(shape_a, 0), values(shape_b, 1))


@pytest.mark.parametrize(("shape_a", "shape_b"), PAIRS)
def test_gradcheck_div(shape_a, shape_b):
    assert gradcheck(ds.div, values(shape_a, 2), positive(shape_b, 3))
    assert gradcheck(lambda a, b: 1.5 / b - a / 2, values(shape_a, 2), positive(shape_b, 3))


@pytest.mark.parametrize(("shape_a", "shape_b"), PAIRS)
def test_gradcheck_pow(shape_a, shape_b):
    assert gradcheck(ds.pow, positive(shape_a, 4), values(shape_b, 5))
    assert gradcheck(lambda a: a**3, values(shape_a, 4))
    assert gradcheck(lambda b: 2.0**b, values(shape_b, 5))


@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 3)])
def test_gradcheck_neg(shape):
    assert gradcheck(lambda a: -a, values(shape, 6))


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((1, 1), (1, 1)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((2, 3), (5, 3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((1, 2, 3), (4, 3, 2)),
        ((3,), (2, 3, 4)),
        ((2, 2, 3), (3,)),
    ],
)
def test_gradcheck_matmul(shape_a, shape_b):
    assert gradcheck(ds.matmul, values(shape_a, 7), values(shape_b, 8))


@pytest.mark.parametrize("x_shape", [(3,), (1, 3), (4, 3), (2, 4, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_gradcheck_linear(x_shape, with_bias):
    inputs = [values(x_shape, 9), values((2, 3), 10)] + ([values((2,), 11)] if with_bias else [])
    assert gradcheck(ds.linear, *inputs)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("op", [ds.add, ds.sub, ds.mul, ds.div, ds.pow])
def test_broadcast_error_shows_both_shapes(op):
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        op(ds.ones(2, 3), ds.ones(4))


def test_matmul_errors_show_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(32, 3\) and \(4, 1\) do not align"):
        ds.ones(32, 3) @ ds.ones(4, 1)
    with pytest.raises(ValueError, match=r"shapes \(\) and \(3,\).*use \*"):
        ds.matmul(ds.tensor(2.0), ds.ones(3))
    with pytest.raises(ValueError, match=r"\(2, 2, 3\) and \(3, 3, 4\)"):
        ds.ones(2, 2, 3) @ ds.ones(3, 3, 4)


def test_linear_errors():
    with pytest.raises(ValueError, match=r"input of shape \(5, 4\) does not fit a weight of shape \(2, 3\)"):
        ds.linear(ds.ones(5, 4), ds.ones(2, 3))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\).*expected bias.shape == \(2,\)"):
        ds.linear(ds.ones(5, 3), ds.ones(2, 3), ds.ones(3))
    with pytest.raises(ValueError, match=r"weight must be 2-d"):
        ds.linear(ds.ones(5, 3), ds.ones(3))


# ----------------------------------------------------------------------------- dtypes
BINARY = [
    ds.add,
    ds.sub,
    ds.mul,
    ds.div,
    ds.pow,
    lambda a, b: a @ b.T,
    lambda a, b: ds.linear(a, b, b[0]),
    lambda a, b: -a + b,
    lambda a, b: a**2 + 3.0**b - 1 / b,
]


@pytest.mark.parametrize("op", BINARY)
def test_float32_in_float32_out(op):
    a = ds.tensor(positive((2, 2), 12), dtype="float32", requires_grad=True)
    b = ds.tensor(positive((2, 2), 13), dtype="float32", requires_grad=True)
    out = op(a, b)
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_python_numbers_adopt_the_tensor_dtype(dtype):
    x = ds.ones(2, dtype=dtype)
    for out in (x + 0.1, 0.1 - x, x * 3, 2.5 / x, x**1.5, 2.0**x):
        assert out.dtype == np.dtype(dtype)
