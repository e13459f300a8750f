"""A non-finite gradient is never applied: through the optimizer's flat buffer and tensor by tensor."""

import numpy as np
import pytest

from descenso import optim
from descenso.finite_gradients import NonFiniteGradientError, check_finite_gradients
from descenso.nn import MLP


@pytest.mark.parametrize("replaced", [False, True])
def test_a_nan_gradient_is_named_whether_or_not_it_lives_in_the_flat_buffer(replaced):
    model = MLP(2, hidden=(4,), out_features=1, rng=0)
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    params = model.parameters()
    check_finite_gradients(params, model, 1, 0.1, 0.5, optimizer.packed)  # all zeros: finite
    weight = model.layers[2].weight
    if replaced:  # a user's own array, not a view of the flat buffer: checked tensor by tensor
        weight.grad = np.zeros_like(weight.data)
    weight.grad[0, 1] = np.nan
    with pytest.raises(NonFiniteGradientError, match=r"the gradient of 'layers.2.weight' became NaN"):
        check_finite_gradients(params, model, 3, 0.1, 0.5, optimizer.packed)
    weight.grad[0, 1] = np.inf
    with pytest.raises(NonFiniteGradientError, match=r"became inf at epoch 3"):
        check_finite_gradients(params, model, 3, 0.1, 0.5, None)
