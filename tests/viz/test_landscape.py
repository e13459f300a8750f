"""Loss landscapes: the numbers behind the picture are exact, and the figures are real PNGs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from descenso import fit, viz
from descenso.landscape import (
    PathRecorder,
    filter_normalized_directions,
    random_slice,
    two_parameter_landscape,
)
from descenso.landscape.exact import objective
from descenso.landscape.path import flat_parameters
from descenso.linear_models import least_squares, logistic_newton, logistic_objective, mse_objective
from descenso.nn import MLP


@pytest.fixture
def line():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, 100)
    return x, 1.5 * x - 0.5 + rng.normal(0, 0.3, 100)


def test_the_surface_at_the_exact_optimum_is_the_least_squares_objective(line):
    x, y = line
    scape = two_parameter_landscape(x, y, epochs=5)
    w, b = least_squares(x[:, None], y)
    np.testing.assert_allclose(scape.minimum, [w[0], b], rtol=1e-12)
    assert scape.minimum_value == pytest.approx(mse_objective(w, b, x[:, None], y), rel=1e-12)
    # no grid point lies below the exact minimum, and the grid's best is close to it
    assert scape.values.min() >= scape.minimum_value - 1e-12
    assert scape.values.min() == pytest.approx(scape.minimum_value, rel=1e-2)
    assert scape.values[7, 11] == pytest.approx(mse_objective([scape.w[11]], scape.b[7], x[:, None], y))


def test_the_logistic_surface_has_its_minimum_where_newton_says(line):
    x, _ = line
    y = (x + np.random.default_rng(1).normal(0, 1, x.size) > 1.2).astype(float)
    scape = two_parameter_landscape(x, y, loss="bce_with_logits", epochs=5)
    w, b, _ = logistic_newton(x[:, None], y)
    np.testing.assert_allclose(scape.minimum, [w[0], b], rtol=1e-9)
    assert objective(w[0], b, x, y, "bce_with_logits") == pytest.approx(
        logistic_objective(w, b, x[:, None], y)
    )
    assert scape.values.min() >= scape.minimum_value - 1e-12


def test_paths_are_gradient_descent_steps_and_show_the_four_regimes(line):
    x, y = line
    scape = two_parameter_landscape(x, y)
    labels = [path.label for path in scape.paths]
    assert labels == ["too small: crawls", "good: reaches the minimum", "too large: oscillates",
                      "too large: diverges"]  # fmt: skip
    for path in scape.paths:
        start, first = path.points[0], path.points[1]
        residual = start[0] * x + start[1] - y
        gradient = np.array([np.mean(2 * residual * x), np.mean(2 * residual)])
        np.testing.assert_allclose(first, start - path.lr * gradient, rtol=1e-10)
        assert len(path.points) == 26
    good = scape.paths[1]
    assert np.linalg.norm(good.points[-1] - scape.minimum) < 0.05 * np.linalg.norm(
        good.points[0] - scape.minimum
    )
    assert scape.paths[3].losses[-1] > 100 * scape.paths[3].losses[0]
    assert scape.paths[0].lr * scape.curvature == pytest.approx(0.1)


def test_a_two_parameter_landscape_refuses_two_features():
    with pytest.raises(ValueError, match="one feature"):
        two_parameter_landscape(np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="loss must be one of"):
        two_parameter_landscape(np.arange(5.0), np.arange(5.0), loss="hinge")


@pytest.fixture
def trained():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)).astype(np.float32)
    y = X[:, 0] * X[:, 1]
    model, recorder = MLP(2, hidden=(6, 5), rng=0), PathRecorder()
    fit(model, X, y, epochs=15, rng=0, callbacks=[recorder])
    return model, X, y, recorder.points


def test_the_projected_path_ends_at_the_origin_of_the_slice(trained):
    model, X, y, points = trained
    before = flat_parameters(model)
    scape = random_slice(model, X, y, path=points, resolution=7)
    np.testing.assert_allclose(scape.path[-1], [0.0, 0.0], atol=1e-9)
    np.testing.assert_array_equal(flat_parameters(model), before)  # the model is left as it was
    assert scape.values[3, 3] == pytest.approx(scape.center_value, rel=1e-6)  # the grid's centre
    assert scape.path_values[-1] == pytest.approx(scape.center_value, rel=1e-6)
    assert 0 < scape.captured < 0.5  # random directions hold little of a path in 73 dimensions
    pca = random_slice(model, X, y, path=points, resolution=5, directions="pca")
    assert pca.captured > 0.9 and np.abs(pca.path[-1]).max() < 1e-9


def test_directions_are_normalised_per_filter(trained):
    model = trained[0]
    d = filter_normalized_directions(model, rng=3)
    offset = 0
    for p in model.parameters():
        part = d[:, offset : offset + p.data.size]
        if p.ndim == 2:
            rows = part.reshape(2, *p.shape)
            np.testing.assert_allclose(np.linalg.norm(rows, axis=2), np.broadcast_to(
                np.linalg.norm(p.data, axis=1), (2, p.shape[0])), rtol=1e-5)  # fmt: skip
        else:
            assert not part.any()
        offset += p.data.size


def test_the_figures_are_real_images(tmp_path, line, trained):
    x, y = line
    path = viz.save(viz.loss_landscape(x[:, None], y, epochs=10, resolution=41), tmp_path / "exact.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1000, 780)
        pixels = np.asarray(image.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # contours, not a blank canvas
    model, X, y2, points = trained
    fig = viz.loss_landscape(X, y2, model=model, path=points, resolution=9)
    with Image.open(viz.save(fig, tmp_path / "slice.png")) as image:
        assert image.size == (640, 560)
