"""Reverse-mode autodiff: accumulation, grad modes, graph lifetime, deep graphs and errors."""

import numpy as np
import pytest

import descenso as ds

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def test_a_tensor_used_twice_gets_both_contributions():
    x = ds.tensor(3.0, requires_grad=True)
    (x * x + x).backward()  # d/dx (x^2 + x) = 2x + 1
    assert x.grad == 7.0


def test_diamond_graph_accumulates_through_both_paths():
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = ds.exp(a)
    c = a * 3
    (b + c).sum().backward()  # d/dx = 2 e^(2x) + 6
    np.testing.assert_allclose(x.grad, 2 * np.exp([2.0, 4.0]) + 6, rtol=1e-6)


def test_the_same_gradient_array_is_not_shared_between_leaves():
    # add hands the same array to both parents; in-place accumulation must not leak from one to the other.
    a = ds.tensor([1.0, 2.0], requires_grad=True)
    b = ds.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    (a * 5).sum().backward()
    np.testing.assert_array_equal(a.grad, [6, 6])
    np.testing.assert_array_equal(b.grad, [1, 1])


def test_leaf_gradients_accumulate_over_backward_calls_until_zeroed():
    w = ds.tensor([1.0, -1.0], requires_grad=True)
    for _ in range(3):
        (w * 2).sum().backward()
    np.testing.assert_array_equal(w.grad, [6, 6])
    w.zero_grad()
    assert w.grad is None


def test_no_grad_as_context_builds_no_graph():
    w = ds.tensor([1.0], requires_grad=True)
    with ds.no_grad():
        assert not ds.is_grad_enabled()
        y = w * 2
        with ds.enable_grad():
            assert ds.is_grad_enabled()
            z = w * 2
        assert not ds.is_grad_enabled()
    assert ds.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad


def test_no_grad_and_enable_grad_as_decorators():
    w = ds.tensor([1.0], requires_grad=True)

    @ds.no_grad()
    def predict(t):
        return t * 2

    @ds.enable_grad()
    def step(t):
        return t * 2

    assert not predict(w).requires_grad
    with ds.no_grad():
        assert step(w).requires_grad
    assert predict.__name__ == "predict"


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError), ds.no_grad():
        1 / 0
    assert ds.is_grad_enabled()


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    # A no_grad() held open in thread A while thread B runs a training step: B must still record
    # its graph (the switch is per thread, as in PyTorch), and each thread gets its own mode back.
    import threading

    inside_a, b_done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def thread_a():
        with ds.no_grad():
            inside_a.set()
            b_done.wait(5)
            seen["a_enabled_inside"] = ds.is_grad_enabled()
        seen["a_enabled_after"] = ds.is_grad_enabled()

    def thread_b():
        inside_a.wait(5)
        w = ds.tensor([1.0, 2.0], requires_grad=True)
        y = (w * w).sum()
        seen["b_enabled"] = ds.is_grad_enabled()
        seen["b_records"] = y.requires_grad
        y.backward()
        seen["b_grad"] = w.grad.tolist()
        b_done.set()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {
        "a_enabled_inside": False,
        "a_enabled_after": True,
        "b_enabled": True,
        "b_records": True,
        "b_grad": [2.0, 4.0],
    }
    assert ds.is_grad_enabled()  # the main thread was never touched


def test_a_new_thread_starts_with_recording_on_even_under_no_grad_here():
    import threading

    result = {}
    with ds.no_grad():
        t = threading.Thread(target=lambda: result.setdefault("on", ds.is_grad_enabled()))
        t.start()
        t.join(5)
        assert not ds.is_grad_enabled()
    assert result == {"on": True}


def test_an_error_inside_backward_leaves_no_partial_gradient_behind():
    # backward() keeps each waiting node's partial gradient on the node; an error half-way must clear
    # them, or the next backward through the same (retained) graph would add stale numbers.
    from descenso.tensor import Tensor

    fail = [True]

    def flaky(a):
        def backward(grad):
            if fail[0]:
                raise ZeroDivisionError("boom")
            return (grad * 3,)

        return Tensor.from_op(a.data * 3, (a,), backward, "flaky")

    x = ds.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    loss = (flaky(a) + a).sum()  # d/dx = 2 * (3 + 1) = 8
    with pytest.raises(ZeroDivisionError):
        loss.backward(retain_graph=True)
    assert a._pending is None
    fail[0] = False
    x.grad = None
    loss.backward()
    assert x.grad.tolist() == [8.0, 8.0]


def test_retain_graph_allows_a_second_backward():
    x = ds.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    assert x.grad == 4.0
    y.backward()
    assert x.grad == 8.0


def test_backward_through_a_freed_graph_is_refused():
    x = ds.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match=r"already freed.*retain_graph=True"):
        y.backward()


def test_backward_through_a_shared_freed_node_is_refused():
    x = ds.tensor(2.0, requires_grad=True)
    h = ds.exp(x)
    (h * 2).backward()
    with pytest.raises(RuntimeError, match="already freed"):
        (h * 3).backward()


def test_non_scalar_backward_shows_the_shape_and_how_to_reduce():
    y = ds.ones(32, 1, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match=r"needs a scalar; got shape \(32, 1\)\. Reduce first, e\.g\. loss\.mean\(\)"
    ):
        y.backward()


def test_non_scalar_backward_with_an_explicit_grad():
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(grad=[1.0, 10.0])
    np.testing.assert_array_equal(x.grad, [2, 40])
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the tensor has shape \(2,\)"):
        (x * x).backward(grad=[1.0, 1.0, 1.0])


def test_one_element_tensor_of_any_shape_needs_no_grad():
    x = ds.tensor([[3.0]], requires_grad=True)
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[6.0]])


def test_backward_on_a_tensor_without_grad_is_refused():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ds.tensor(1.0).backward()
    w = ds.tensor(1.0, requires_grad=True)
    with ds.no_grad():
        y = w * 2
    with pytest.raises(RuntimeError, match=r"no_grad\(\)"):
        y.backward()


def test_non_leaf_gradients_are_kept_only_with_retain_grad():
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    kept = (x * 2).retain_grad()
    (hidden * kept).sum().backward()
    assert hidden.grad is None
    np.testing.assert_array_equal(kept.grad, [3, 6])  # d(h k)/dk = h
    np.testing.assert_array_equal(x.grad, [12, 24])  # 2 * 3x * 2


def test_gradient_stops_at_leaves_without_requires_grad():
    w = ds.tensor([2.0], requires_grad=True)
    c = ds.tensor([5.0])
    (w * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(w.grad, [5])


@pytest.mark.numpy_only("graph depth, not the array module; slow")
def test_a_chain_of_100000_ops_has_no_recursion_limit():
    x = ds.tensor(1.0, dtype="float64", requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**100_000, rel=1e-9)


@pytest.mark.numpy_only("graph depth, not the array module; slow")
def test_a_deep_graph_can_be_dropped_without_backward():
    x = ds.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    del y  # releasing 100,000 nested closures must not overflow the C stack
    assert x.grad is None


@pytest.mark.numpy_only("a NumPy array as an operand is host data")
def test_gradient_dtype_follows_the_leaf():
    w = ds.tensor([1.0, 2.0], requires_grad=True)  # float32
    (w * np.array([0.5, 0.25])).sum().backward()  # a float64 array operand promotes the product
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, [0.5, 0.25])
