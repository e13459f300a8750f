"""Polar and Radial: hand-worked values, the seam, centres, names and geometry on circles."""

import numpy as np
import pytest

from descenso import datasets, features


def test_polar_values_by_hand():
    X = np.array([[3.0, 4.0, 9.0], [-1.0, 0.0, 8.0], [0.0, 0.0, 7.0]], dtype=np.float32)
    out = features.Polar(columns=(0, 1)).fit_transform(X)
    expected = [
        [5.0, np.arctan2(4, 3), 0.8, 0.6, 9.0],
        [1.0, np.pi, 0.0, -1.0, 8.0],
        [0.0, 0.0, 0.0, 0.0, 7.0],  # at the pole the direction is set to 0, not NaN
    ]
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert out.dtype == np.float32


def test_polar_sin_cos_have_no_seam_where_the_angle_jumps():
    just_above = np.array([[-1.0, 1e-4]], dtype=np.float32)
    just_below = np.array([[-1.0, -1e-4]], dtype=np.float32)
    polar = features.Polar().fit(just_above)
    a, b = polar.transform(just_above)[0], polar.transform(just_below)[0]
    assert abs(a[1] - b[1]) > 6.0  # the angle jumps by almost 2 pi
    np.testing.assert_allclose(a[2:], b[2:], atol=1e-3)  # sin and cos barely move


def test_polar_centres():
    X = np.array([[1.0, 1.0], [3.0, 1.0]], dtype=np.float32)
    origin = features.Polar().fit(X)
    mean = features.Polar(center="mean").fit(X)
    given = features.Polar(center=(1.0, 1.0)).fit(X)
    np.testing.assert_allclose(origin.transform(X)[:, 0], [np.sqrt(2), np.sqrt(10)], rtol=1e-6)
    np.testing.assert_allclose(mean.transform(X)[:, 0], [1.0, 1.0])
    np.testing.assert_allclose(given.transform(X)[:, 0], [0.0, 2.0])
    np.testing.assert_allclose(mean.state_dict()["center"], [2.0, 1.0])


def test_polar_chosen_columns_and_names():
    X = np.array([[9.0, 0.0, 2.0]], dtype=np.float32)
    polar = features.Polar(columns=(2, 1)).fit(X)
    np.testing.assert_allclose(polar.transform(X), [[2.0, 0.0, 0.0, 1.0, 9.0]], atol=1e-7)
    assert polar.get_feature_names_out(["a", "b", "c"]) == [
        "r(c,b)", "angle(c,b)", "sin_angle(c,b)", "cos_angle(c,b)", "a",
    ]  # fmt: skip


def test_polar_bad_columns():
    with pytest.raises(ValueError, match=r"two different columns; got \[1, 1\]"):
        features.Polar(columns=(1, 1))
    with pytest.raises(ValueError, match=r"do not exist"):
        features.Polar(columns=(0, 5)).fit(np.zeros((2, 2)))


def test_polar_separates_circles_by_radius():
    X, y, _ = datasets.load("circles", n=600, noise=0.05, rng=0)
    radius = features.Polar().fit_transform(X)[:, 0]
    assert radius[y == 1].max() < radius[y == 0].min()  # one threshold separates them


def test_radial_fitted_and_given_centre():
    X = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 2.0]], dtype=np.float32)
    fitted = features.Radial().fit(X)
    np.testing.assert_allclose(fitted.center_, [2.0, 2.0 / 3.0])
    given = features.Radial(center=[0.0, 0.0], keep_input=True).fit(X)
    out = given.transform(X)
    np.testing.assert_allclose(out[:, 2], [0.0, 4.0, np.sqrt(8)], rtol=1e-6)
    np.testing.assert_array_equal(out[:, :2], X)
    assert given.get_feature_names_out() == ["x1", "x2", "r(x1,x2)"]


def test_radial_subset_of_columns():
    X = np.array([[3.0, 100.0, 4.0]], dtype=np.float32)
    radial = features.Radial(columns=[0, 2], center=[0.0, 0.0]).fit(X)
    np.testing.assert_allclose(radial.transform(X), [[5.0]])
    with pytest.raises(ValueError, match=r"center has 3 numbers but there are 2 columns"):
        features.Radial(columns=None, center=[0, 0, 0]).fit(X[:, :2])


def test_radial_columns_are_checked_and_may_count_from_the_end():
    with pytest.raises(ValueError, match=r"Radial: columns \[0, 4\] do not exist in X with 3 columns"):
        features.Radial(columns=[0, 4]).fit(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Radial: columns is empty"):
        features.Radial(columns=[]).fit(np.zeros((2, 3)))
    X = np.array([[3.0, 0.0, 4.0], [1.0, 5.0, 1.0]])
    from_end = features.Radial(columns=[0, -1], center=[0.0, 0.0]).fit(X)
    np.testing.assert_allclose(from_end.transform(X)[:, 0], [5.0, np.sqrt(2.0)])
    assert from_end.get_feature_names_out() == ["r(x1,x3)"]


def test_polar_never_guesses_its_columns():
    # On a table, "the first two columns" were two one-hot columns of a text column.
    X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    names = ["bill_length_mm", "bill_depth_mm", "species=Adelie", "species=Gentoo"]
    with pytest.raises(ValueError) as info:
        features.Polar().fit(X, input_names=names)
    assert str(info.value) == (
        "Polar needs to be told which two columns are (x, y): the data has 4 columns, bill_length_mm, "
        "bill_depth_mm and 2 one-hot columns of the text column species; name them, "
        "e.g. polar(bill_length_mm,bill_depth_mm)"
    )
    named = features.get("polar(bill_depth_mm,bill_length_mm)").fit(X, input_names=names)
    assert named.columns == [1, 0]  # names resolved to indices when fitted, so the config holds indices
    np.testing.assert_allclose(named.transform(X)[:, 0], np.hypot(X[:, 0], X[:, 1]), rtol=1e-6)
    assert named.get_feature_names_out(names)[:1] == ["r(bill_depth_mm,bill_length_mm)"]
    with pytest.raises(ValueError, match=r"Polar: no column 'flipper'; the columns are: bill_length_mm, "):
        features.get("polar(flipper,bill_length_mm)").fit(X, input_names=names)
    with pytest.raises(ValueError, match=r"column 'a' is a name, but the data has no column names"):
        features.get("polar(a,b)").fit(X)
    with pytest.raises(ValueError, match=r"4 unnamed columns; give their indices, e.g. polar\(0,1\)"):
        features.Polar().fit(X)  # an array has no names to suggest: the fix it gives must work
    assert features.get("polar(0,1)").fit(X).columns == [0, 1]
    with pytest.raises(ValueError, match=r"the step 'standardize' takes no columns"):
        features.get("standardize(a)")
    assert features.Polar().fit_transform(X[:, :2]).shape == (10, 4)  # two columns: nothing to guess
