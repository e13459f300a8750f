"""Hidden-unit maps: each square holds the unit's exact output over the input plane."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from descenso import viz
from descenso.nn import MLP


def test_each_map_is_the_units_output_over_the_plane(tmp_path):
    model = MLP(2, hidden=(3, 2), rng=0)
    first = model.layers[0]
    first.weight.data[:] = [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]  # relu(x1), relu(x2), relu(x1 - x2)
    first.bias.data[:] = [0.0, 0.0, 0.5]
    X = np.array([[-1.0, -2.0], [1.0, 2.0]])
    fig = viz.unit_maps(model, X, resolution=11)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.collections]
    assert len(axes) == 3 + 2 + 1  # every hidden unit, then the output
    a = np.linspace(-1.1, 1.1, 11)
    b = np.linspace(-2.2, 2.2, 11)
    A, B = np.meshgrid(a, b)
    expected = [np.maximum(A, 0), np.maximum(B, 0), np.maximum(A - B + 0.5, 0)]
    for ax, values in zip(axes, expected, strict=False):
        np.testing.assert_allclose(
            np.asarray(ax.collections[0].get_array()).reshape(A.shape), values, atol=1e-6
        )
    assert axes[2].get_title() == f"unit 3\n[0, {np.max(expected[2]):.3g}]"
    output = np.asarray(model(np.column_stack([A.ravel(), B.ravel()]).astype(np.float32)).data)[:, 0]
    np.testing.assert_allclose(np.asarray(axes[-1].collections[0].get_array()).ravel(), output, rtol=1e-5)
    with Image.open(viz.save(fig, tmp_path / "units.png")) as image:
        assert image.format == "PNG" and image.size[0] > 300


def test_a_transform_maps_the_plane_to_the_networks_inputs():
    model = MLP(4, hidden=(2,), rng=0)
    X = np.random.default_rng(0).normal(size=(10, 2))
    fig = viz.unit_maps(model, X, y=X[:, 0] > 0, transform=lambda P: np.c_[P, P**2], resolution=5)
    assert len([ax for ax in fig.axes if ax.collections]) == 3


def test_unit_maps_need_two_features_and_a_sequential_network():
    with pytest.raises(ValueError, match="exactly 2 input features"):
        viz.unit_maps(MLP(3, (2,), rng=0), np.zeros((4, 3)))
    from descenso.nn import Linear

    with pytest.raises(ValueError, match="Sequential"):
        viz.unit_maps(Linear(2, 1), np.zeros((4, 2)))
