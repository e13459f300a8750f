"""Ops that move values: reshape, transpose, squeeze, unsqueeze, broadcast_to, concatenate, stack."""

import numpy as np
import pytest

import descenso as ds
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def values(shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


def test_values_by_hand():
    x = ds.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(x.reshape(3, 2).data, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(x.reshape((-1,)).data, [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(x.T.data, [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(ds.transpose(x, 1, 0).data, x.T.data)
    assert ds.unsqueeze(x, 0).shape == (1, 2, 3) and x.unsqueeze(-1).shape == (2, 3, 1)
    assert ds.squeeze(ds.ones(1, 2, 1)).shape == (2,) and ds.ones(1, 2, 1).squeeze(0).shape == (2, 1)
    np.testing.assert_array_equal(ds.broadcast_to(ds.tensor([1.0, 2.0]), (2, 2)).data, [[1, 2], [1, 2]])
    np.testing.assert_array_equal(
        ds.concatenate([x, ds.tensor([[7.0, 8.0, 9.0]])]).data, [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    )
    np.testing.assert_array_equal(
        ds.stack([ds.tensor([1.0, 2.0]), ds.tensor([3.0, 4.0])], axis=1).data, [[1, 3], [2, 4]]
    )


def test_gradients_are_moved_back_by_hand():
    a = ds.tensor([1.0, 2.0], requires_grad=True)
    b = ds.tensor([3.0], requires_grad=True)
    weights = ds.tensor([1.0, 2.0, 3.0])
    (ds.concatenate([a, b]) * weights).sum().backward()
    np.testing.assert_array_equal(a.grad, [1, 2])
    np.testing.assert_array_equal(b.grad, [3])
    c = ds.tensor([1.0, 2.0], requires_grad=True)
    ds.broadcast_to(c, (3, 2)).sum().backward()
    np.testing.assert_array_equal(c.grad, [3, 3])
    d = ds.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (d.T * ds.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    np.testing.assert_array_equal(d.grad, [[1, 2, 3]])


GRADCHECKS = {
    "reshape": (lambda a: a.reshape(3, -1), [(6,)]),
    "reshape_0d": (lambda a: a.reshape(1, 1), [()]),
    "transpose": (lambda a: a.transpose(2, 0, 1), [(2, 3, 4)]),
    "T": (lambda a: a.T, [(2, 3)]),
    "squeeze": (lambda a: a.squeeze(), [(1, 3, 1)]),
    "unsqueeze": (lambda a: a.unsqueeze(1), [(2, 3)]),
    "broadcast_to": (lambda a: a.broadcast_to((4, 2, 3)), [(2, 1)]),
    "broadcast_to_0d": (lambda a: a.broadcast_to((2, 2)), [()]),
    "concatenate": (lambda a, b: ds.concatenate([a, b, a], axis=-1), [(2, 1), (2, 3)]),
    "stack": (lambda a, b: ds.stack([a, b], axis=-1), [(2, 3), (2, 3)]),
    "stack_0d": (lambda a, b: ds.stack([a, b]), [(), ()]),
}


@pytest.mark.parametrize("name", GRADCHECKS)
def test_gradcheck(name):
    fn, shapes = GRADCHECKS[name]
    assert gradcheck(fn, *[values(shape, seed) for seed, shape in enumerate(shapes)])


def test_errors_show_the_shapes():
    with pytest.raises(
        ValueError, match=r"cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4,\)"
    ):
        ds.ones(2, 3).reshape(4)
    with pytest.raises(ValueError, match=r"not a permutation of a 3-d tensor"):
        ds.ones(2, 3, 4).transpose(0, 0, 1)
    with pytest.raises(ValueError, match=r"axis 1 has size 3, not 1 \(shape \(2, 3\)\)"):
        ds.ones(2, 3).squeeze(1)
    with pytest.raises(ValueError, match="unsqueeze: axis 3 is out of range"):
        ds.ones(2).unsqueeze(3)
    with pytest.raises(ValueError, match=r"cannot broadcast shape \(2, 3\) to \(3, 3\)"):
        ds.ones(2, 3).broadcast_to((3, 3))
    with pytest.raises(ValueError, match=r"concatenate along axis 0: shapes \(2, 3\), \(2, 4\) do not fit"):
        ds.concatenate([ds.ones(2, 3), ds.ones(2, 4)])
    with pytest.raises(ValueError, match=r"stack needs tensors of one shape"):
        ds.stack([ds.ones(2), ds.ones(3)])
    with pytest.raises(ValueError, match="non-empty list"):
        ds.stack([])


def test_transpose_refuses_out_of_range_axes():
    # Regression: (0, 4, 2) on a 3-d tensor wrapped 4 to 1 and was silently accepted.
    with pytest.raises(ValueError, match=r"axes \(0, 4, 2\) are out of range for a 3-d tensor"):
        ds.ones(2, 3, 4).transpose(0, 4, 2)
    assert ds.ones(2, 3, 4).transpose(0, -1, 1).shape == (2, 4, 3)


@pytest.mark.parametrize("name", GRADCHECKS)
def test_float32_in_float32_out(name):
    fn, shapes = GRADCHECKS[name]
    inputs = [ds.tensor(values(shape), dtype="float32", requires_grad=True) for shape in shapes]
    out = fn(*inputs)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(t.grad.dtype == np.float32 for t in inputs)
