"""Log: log1p values, chosen columns, and a clear error on negative values."""

import numpy as np
import pytest

from descenso import features


def test_values_and_names():
    X = np.array([[0.0, -2.0], [9.0, 3.0]], dtype=np.float32)
    log = features.Log(columns=[0]).fit(X)
    np.testing.assert_allclose(log.transform(X), [[0.0, -2.0], [np.log(10.0), 3.0]], rtol=1e-6)
    assert log.get_feature_names_out(["price", "t"]) == ["log1p(price)", "t"]


def test_negative_values_name_the_column_row_and_value():
    with pytest.raises(ValueError, match=r"column 1 has 1 negative values \(the first is X\[1, 1\] = -2\)"):
        features.Log().fit(np.array([[0.0, 1.0], [1.0, -2.0]]))
    log = features.Log().fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"column 0 has 2 negative values"):
        log.transform(-np.ones((2, 2)))


def test_input_is_not_modified():
    X = np.array([[1.0]], dtype=np.float32)
    features.Log().fit_transform(X)
    assert X[0, 0] == 1.0


def test_columns_out_of_range_and_negative_indices():
    with pytest.raises(ValueError, match=r"Log: columns \[2\] do not exist in X with 2 columns"):
        features.Log(columns=[2]).fit(np.zeros((2, 2)))
    X = np.array([[1.0, 3.0], [0.0, 7.0]])
    np.testing.assert_array_equal(
        features.Log(columns=[-1]).fit_transform(X), features.Log(columns=[1]).fit_transform(X)
    )
    assert features.Log(columns=[-1]).fit(X).get_feature_names_out() == ["x1", "log1p(x2)"]
