"""descenso.testing.gradcheck: passes on correct gradients, fails loudly on wrong ones."""

import re

import numpy as np
import pytest

import descenso as ds
from descenso.tensor import Tensor
from descenso.testing import GradcheckError, gradcheck, numerical_grad


def wrong_square(a: Tensor) -> Tensor:
    """``a**2`` whose backward forgets the factor 2."""

    def backward(grad):
        return (grad * a.data,)

    return Tensor.from_op(a.data**2, (a,), backward, "wrong_square")


def nan_backward(a: Tensor) -> Tensor:
    return Tensor.from_op(a.data * 1.0, (a,), lambda grad: (grad * np.nan,), "nan")


def wrongly_shaped(a: Tensor) -> Tensor:
    return Tensor.from_op(a.data.sum(), (a,), lambda grad: (np.ones(a.size + 1),), "wrongly_shaped")


def test_passes_on_correct_ops_and_compositions():
    assert gradcheck(lambda x: (x * x).sum(), [1.0, -2.0, 3.0])
    assert gradcheck(lambda x, y: ds.tanh(x @ y) * 2, np.ones((2, 3)) * 0.3, np.eye(3)[:, :2])
    assert gradcheck(ds.sigmoid, 0.7)  # a plain number becomes a 0-d input


def test_raises_on_a_wrong_backward_naming_input_index_and_values():
    # The worst element is reported: at x = 2 the error (2 vs 4, times the weight) is largest.
    with pytest.raises(
        GradcheckError, match=r"input 0 \(shape \(2,\)\) is wrong at index \(1,\): backward\(\) gives"
    ) as info:
        gradcheck(wrong_square, [1.0, 2.0])
    given, expected = map(float, re.findall(r"gives? (-?[\d.e+-]+)", str(info.value)))
    assert expected == pytest.approx(2 * given, rel=1e-6)


def test_raises_on_the_second_input_only_when_that_one_is_wrong():
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: a * 2 + wrong_square(b), [1.0], [3.0])


def test_nan_gradients_fail():
    # Regression: NaN compared false against the tolerance, so NaN gradients used to pass.
    with pytest.raises(GradcheckError, match="gives nan"):
        gradcheck(nan_backward, [1.0, 2.0])


def test_wrongly_shaped_gradients_fail():
    with pytest.raises(GradcheckError, match=r"has shape \(4,\); expected the input's shape \(3,\)"):
        gradcheck(wrongly_shaped, [1.0, 2.0, 3.0])


def test_a_function_that_ignores_its_input_has_zero_gradient():
    assert gradcheck(lambda x: ds.ones(2, dtype="float64"), [1.0, 2.0])


def test_is_an_assertion_error_so_plain_pytest_reports_it():
    assert issubclass(GradcheckError, AssertionError)


def test_inputs_are_not_modified():
    data = np.array([1.0, 2.0])
    gradcheck(lambda x: x * x, data)
    np.testing.assert_array_equal(data, [1.0, 2.0])


def test_numerical_grad_by_hand():
    x = ds.tensor([1.0, -2.0], dtype="float64")
    (grad,) = numerical_grad(lambda t: t**3, [x], np.array([1.0, 2.0]), 1e-5)
    np.testing.assert_allclose(grad, [3.0, 2 * 12.0], rtol=1e-8)
    np.testing.assert_array_equal(x.data, [1.0, -2.0])
