"""Fused ops: linear_relu equals relu(linear(...)) in values and gradients, by hand and by gradcheck."""

import numpy as np
import pytest

import descenso as ds
from descenso.ops import linear_relu
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def test_linear_relu_by_hand():
    x = ds.tensor([[1.0, 2.0], [-1.0, 0.5]], requires_grad=True)
    w = ds.tensor([[1.0, 1.0], [0.0, -1.0]], requires_grad=True)
    b = ds.tensor([0.5, 0.0], requires_grad=True)
    y = linear_relu(x, w, b)  # z = [[3.5, -2], [0, -0.5]] -> relu: z = 0 counts as inactive
    np.testing.assert_array_equal(y.data, [[3.5, 0.0], [0.0, 0.0]])
    y.sum().backward()
    np.testing.assert_array_equal(w.grad, [[1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(b.grad, [1.0, 0.0])
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0], [0.0, 0.0]])
    assert y.name == "linear_relu"


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 4, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_relu_gradcheck(x_shape, with_bias):
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1, 1, x_shape), rng.uniform(-1, 1, (4, 3))
    if with_bias:
        assert gradcheck(linear_relu, x, w, rng.uniform(-0.5, 0.5, 4))
    else:
        assert gradcheck(lambda a, b: linear_relu(a, b), x, w)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_relu_equals_relu_of_linear_bit_for_bit(dtype):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(6, 5), (3, 5), (3,)]]
    fused = [ds.tensor(a, requires_grad=True) for a in arrays]
    plain = [ds.tensor(a, requires_grad=True) for a in arrays]
    y_fused, y_plain = linear_relu(*fused), ds.relu(ds.linear(*plain))
    np.testing.assert_array_equal(y_fused.data, y_plain.data)
    assert y_fused.dtype == np.dtype(dtype)
    weights = ds.tensor(rng.standard_normal((6, 3)).astype(dtype))
    (y_fused * weights).sum().backward()
    (y_plain * weights).sum().backward()
    for f, p in zip(fused, plain, strict=True):
        np.testing.assert_array_equal(f.grad, p.grad)
        assert f.grad.dtype == np.dtype(dtype)


def test_linear_relu_checks_shapes_like_linear():
    with pytest.raises(ValueError, match=r"linear_relu: input of shape \(2, 4\) does not fit .*\(3, 5\)"):
        linear_relu(ds.ones(2, 4), ds.ones(3, 5))
    with pytest.raises(ValueError, match=r"linear_relu: bias of shape \(2,\)"):
        linear_relu(ds.ones(2, 5), ds.ones(3, 5), ds.ones(2))


def test_linear_relu_under_no_grad_builds_no_graph():
    w = ds.tensor([[1.0]], requires_grad=True)
    with ds.no_grad():
        y = linear_relu(ds.tensor([[2.0]]), w)
    assert not y.requires_grad and y.is_leaf


def test_large_arrays_take_the_reused_buffer_path_with_the_same_numbers():
    from descenso.ops import _buffers

    rng = np.random.default_rng(2)
    x = rng.standard_normal((2100, 40)).astype(np.float32)
    w = rng.standard_normal((130, 40)).astype(np.float32)  # output 2100 x 130 floats: over 1 MiB
    assert 2100 * 130 * 4 >= _buffers.MIN_BYTES
    for _ in range(2):  # the second round runs on buffers handed back by the first
        xs = [ds.tensor(x, requires_grad=True), ds.tensor(x, requires_grad=True)]
        ws = [ds.tensor(w, requires_grad=True), ds.tensor(w, requires_grad=True)]
        fused = linear_relu(xs[0], ws[0])
        plain = ds.relu(ds.linear(xs[1], ws[1]))
        np.testing.assert_array_equal(fused.data, plain.data)
        ((fused - 0.5) ** 2).mean().backward()
        ((plain - 0.5) ** 2).mean().backward()
        np.testing.assert_array_equal(xs[0].grad, xs[1].grad)
        np.testing.assert_array_equal(ws[0].grad, ws[1].grad)
