"""The Tensor: creation, dtypes, properties, conversion and repr."""

import numpy as np
import pytest

import descenso as ds

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


# ----------------------------------------------------------------------------- creation and dtypes
def test_lists_and_numbers_become_float32():
    assert ds.tensor([[1, 2], [3, 4]]).dtype == np.float32
    assert ds.tensor([1.5, 2.5]).dtype == np.float32
    scalar = ds.tensor(3)
    assert scalar.dtype == np.float32 and scalar.shape == ()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_arrays_keep_their_dtype(dtype):
    data = np.array([1.0, 2.0], dtype=dtype)
    assert ds.tensor(data).dtype == dtype
    assert ds.Tensor(data).dtype == dtype


def test_float16_becomes_float32():
    assert ds.tensor(np.ones(2, dtype=np.float16)).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_integer_arrays_are_refused_without_dtype(dtype):
    with pytest.raises(TypeError, match=r"dtype .*; descenso computes in floating point.*dtype='float32'"):
        ds.tensor(np.array([1, 0], dtype=dtype))


def test_integer_arrays_convert_on_purpose():
    x = ds.tensor(np.array([1, 2]), dtype="float64")
    assert x.dtype == np.float64
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_bad_data_and_dtype_are_refused():
    with pytest.raises(TypeError, match="dtype must be float32 or float64; got int32"):
        ds.tensor([1, 2], dtype="int32")
    with pytest.raises(TypeError, match="cannot make a Tensor from list"):
        ds.tensor(["a", "b"])
    with pytest.raises(TypeError, match="cannot make a Tensor from list"):
        ds.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        ds.zeros(2, dtype="float16")


def test_zeros_and_ones():
    z = ds.zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float32 and not z.data.any()
    assert ds.zeros((2, 3)).shape == (2, 3)
    o = ds.ones(4, dtype="float64", requires_grad=True)
    assert o.dtype == np.float64 and o.requires_grad and o.data.sum() == 4


@pytest.mark.parametrize("make", [ds.randn, ds.rand])
def test_random_tensors_need_an_explicit_rng(make):
    with pytest.raises(TypeError, match="rng"):
        make(2, 3)
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator or an int seed; got NoneType"):
        make(2, 3, rng=None)


@pytest.mark.parametrize("make", [ds.randn, ds.rand])
def test_random_tensors_are_reproducible(make):
    a = make(3, 2, rng=np.random.default_rng(7))
    b = make(3, 2, rng=np.random.default_rng(7))
    c = make(3, 2, rng=7)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.data, c.data)
    assert not np.array_equal(a.data, make(3, 2, rng=8).data)
    assert a.shape == (3, 2) and a.dtype == np.float32
    assert make(2, rng=0, dtype="float64").dtype == np.float64


def test_rand_is_in_the_unit_interval_and_randn_is_standard_normal():
    u = ds.rand(10_000, rng=0).data
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    n = ds.randn(10_000, rng=0).data
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05


# ----------------------------------------------------------------------------- properties
def test_properties():
    x = ds.tensor(np.zeros((2, 3, 4), dtype=np.float64), requires_grad=True)
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.size == 24 and x.dtype == np.float64
    assert len(x) == 2 and x.is_leaf and x.grad is None and x.requires_grad
    assert x.T.shape == (4, 3, 2)
    y = x * 2
    assert not y.is_leaf and y.requires_grad


@pytest.mark.numpy_only("checks the NumPy array type")
def test_op_results_on_0d_tensors_are_ndarrays():
    # Regression: NumPy returns scalars for ops on 0-d arrays; .data must stay an ndarray.
    a, b = ds.tensor(2.0), ds.tensor(3.0)
    for out in (a * b, ds.exp(a), a + 1, -a, a.sum()):
        assert type(out.data) is np.ndarray and out.shape == ()


# ----------------------------------------------------------------------------- conversion
def test_item():
    assert ds.tensor([[2.5]]).item() == 2.5
    assert isinstance(ds.tensor(1.0).item(), float)
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with one element; got shape \(2,\)"):
        ds.tensor([1.0, 2.0]).item()


@pytest.mark.numpy_only("numpy() is host memory")
def test_numpy_shares_memory():
    x = ds.tensor([1.0, 2.0])
    x.numpy()[0] = 5.0
    assert x.data[0] == 5.0 and isinstance(x.numpy(), np.ndarray)


def test_detach_cuts_the_graph_but_shares_values():
    w = ds.tensor([1.0, 2.0], requires_grad=True)
    y = w * 3
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad is None
    assert np.shares_memory(d.data, y.data)
    (d * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [3, 6])  # only the direct path to w


def test_requires_grad_on_non_leaf_is_refused():
    y = ds.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only applies to leaf tensors; use detach"):
        y.requires_grad_(False)
    x = ds.tensor([1.0]).requires_grad_()
    assert x.requires_grad


def test_astype_round_trip():
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    y = x.astype("float64")
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2, 4])
    with pytest.raises(TypeError, match="astype: dtype must be float32 or float64"):
        x.astype("int64")


def test_comparisons_give_boolean_masks_without_a_graph():
    x = ds.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x >= 2
    np.testing.assert_array_equal(mask.data, [False, True, True])
    assert not mask.requires_grad
    np.testing.assert_array_equal((x < 2).data, [True, False, False])


# ----------------------------------------------------------------------------- repr
@pytest.mark.numpy_only("the repr of a device tensor names its device")
def test_repr():
    assert repr(ds.tensor([1.0, 2.5])) == "tensor([1. , 2.5])"
    assert repr(ds.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(ds.tensor(np.array([1.0]))) == "tensor([1.], dtype=float64)"
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=mul)"
    assert repr(ds.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_tensor_copies_its_data_and_tensor_class_wraps_it():
    # An in-place update (what an optimizer does) must not reach the caller's array.
    source = np.array([1.0, 2.0], dtype=np.float32)
    w = ds.tensor(source, requires_grad=True)
    w.data -= 1.0
    np.testing.assert_array_equal(source, [1.0, 2.0])
    assert not np.shares_memory(ds.tensor(w).data, w.data)
    assert np.shares_memory(ds.Tensor(source).data, source)  # the class itself does not copy


def test_truth_value_and_float():
    # Regression: bool() fell back to __len__, so bool(tensor([0.0])) was True.
    assert not ds.tensor([0.0])
    assert ds.tensor(2.0)
    assert float(ds.tensor([[2.5]])) == 2.5
    with pytest.raises(ValueError, match="truth value of a tensor with 3 elements is ambiguous"):
        bool(ds.tensor([1.0, 2.0, 3.0]))


def test_iteration_gives_rows_connected_to_the_graph():
    x = ds.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2
    np.testing.assert_array_equal(rows[1].data, [3, 4])
    (rows[0] * 2 + rows[1]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2, 2], [1, 1]])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(ds.tensor(1.0))  # used to give [] silently
