"""Elementwise functions: exp log sqrt abs tanh and the activations."""

import numpy as np
import pytest

import descenso as ds
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

SHAPES = [(), (1,), (3,), (1, 1), (2, 3), (2, 1, 3)]


def away_from_zero(shape, seed):
    """Values in +-[0.2, 2]: no kink (relu, abs, leaky_relu) within a finite-difference step."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def positive(shape, seed):
    return np.random.default_rng(seed).uniform(0.3, 3.0, size=shape)


# name -> (function, input generator)
OPS = {
    "exp": (ds.exp, away_from_zero),
    "log": (ds.log, positive),
    "sqrt": (ds.sqrt, positive),
    "abs": (ds.abs, away_from_zero),
    "tanh": (ds.tanh, away_from_zero),
    "sigmoid": (ds.sigmoid, away_from_zero),
    "relu": (ds.relu, away_from_zero),
    "leaky_relu": (ds.leaky_relu, away_from_zero),
    "leaky_relu_0.2": (lambda a: ds.leaky_relu(a, 0.2), away_from_zero),
    "softplus": (ds.softplus, away_from_zero),
    "log_sigmoid": (ds.log_sigmoid, away_from_zero),
}


def test_values_by_hand():
    x = ds.tensor([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(ds.exp(x).data, [np.exp(-2), 1, np.exp(3)], rtol=1e-6)
    np.testing.assert_allclose(ds.log(ds.tensor([1.0, np.e])).data, [0, 1], atol=1e-7)
    np.testing.assert_array_equal(ds.sqrt(ds.tensor([4.0, 9.0])).data, [2, 3])
    np.testing.assert_array_equal(ds.abs(x).data, [2, 0, 3])
    np.testing.assert_array_equal(abs(x).data, [2, 0, 3])
    np.testing.assert_allclose(ds.tanh(x).data, np.tanh([-2.0, 0.0, 3.0]), rtol=1e-6)
    np.testing.assert_allclose(ds.sigmoid(x).data, [1 / (1 + np.e**2), 0.5, 1 / (1 + np.e**-3)], rtol=1e-6)
    np.testing.assert_array_equal(ds.relu(x).data, [0, 0, 3])
    np.testing.assert_allclose(ds.leaky_relu(x).data, [-0.02, 0, 3], rtol=1e-6)
    np.testing.assert_allclose(ds.leaky_relu(x, 0.5).data, [-1, 0, 3])
    np.testing.assert_allclose(ds.softplus(x).data, np.log1p(np.exp([-2.0, 0.0, 3.0])), rtol=1e-6)
    np.testing.assert_allclose(ds.log_sigmoid(x).data, -np.log1p(np.exp([2.0, 0.0, -3.0])), rtol=1e-6)


def test_methods_match_functions():
    x = ds.tensor([-1.5, 0.5, 2.0])
    for name in ["exp", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "log_sigmoid", "abs"]:
        np.testing.assert_array_equal(getattr(x, name)().data, getattr(ds, name)(x).data)


def test_derivatives_by_hand():
    x = ds.tensor([-2.0, 0.5, 3.0], dtype="float64", requires_grad=True)
    ds.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 1])
    x.zero_grad()
    ds.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1, 1, 1])
    x.zero_grad()
    ds.sigmoid(x).sum().backward()
    s = 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(x.grad, s * (1 - s))
    x.zero_grad()
    ds.softplus(x).sum().backward()  # d softplus = sigmoid
    np.testing.assert_allclose(x.grad, s)
    x.zero_grad()
    ds.log_sigmoid(x).sum().backward()  # d log sigmoid = 1 - sigmoid
    np.testing.assert_allclose(x.grad, 1 - s)


def test_kinks_follow_pytorch_at_zero():
    x = ds.tensor([0.0], dtype="float64", requires_grad=True)
    for fn, expected in [(ds.relu, 0.0), (ds.abs, 0.0), (lambda a: ds.leaky_relu(a, 0.1), 0.1)]:
        x.zero_grad()
        fn(x).sum().backward()
        assert x.grad[0] == expected


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", OPS)
def test_gradcheck(name, shape):
    fn, make = OPS[name]
    assert gradcheck(fn, make(shape, seed=len(shape) + 7))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_stable_at_plus_minus_1000(dtype):
    # Any overflow warning would fail this test: warnings are errors in the test run.
    x = ds.tensor([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=dtype, requires_grad=True)
    s = ds.sigmoid(x)
    np.testing.assert_allclose(s.data, [0.0, np.exp(-30), 0.5, 1.0, 1.0], rtol=1e-6, atol=0)
    sp = ds.softplus(x)
    np.testing.assert_allclose(sp.data, [0.0, np.exp(-30), np.log(2), 30.0, 1000.0], rtol=1e-6, atol=0)
    ls = ds.log_sigmoid(x)
    np.testing.assert_allclose(ls.data, [-1000.0, -30.0, -np.log(2), -np.exp(-30), 0.0], rtol=1e-6, atol=0)
    (s + sp + ls).sum().backward()
    # d/dx [sigmoid + softplus + log_sigmoid] = s(1-s) + s + (1-s)  =  s(1-s) + 1
    sig = 1 / (1 + np.exp(-np.array([-30.0, 0.0, 30.0])))
    np.testing.assert_allclose(x.grad, [1.0, *(sig * (1 - sig) + 1), 1.0], rtol=1e-6)
    for out in (s, sp, ls):
        assert np.isfinite(out.data).all() and out.dtype == np.dtype(dtype)
    assert np.isfinite(x.grad).all()


@pytest.mark.parametrize("name", OPS)
def test_float32_in_float32_out(name):
    fn, make = OPS[name]
    x = ds.tensor(make((2, 3), seed=3), dtype="float32", requires_grad=True)
    out = fn(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
