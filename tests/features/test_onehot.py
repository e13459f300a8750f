"""OneHot: against scikit-learn's OneHotEncoder, unseen values, passthrough columns, state."""

import numpy as np
import pytest
from sklearn.preprocessing import OneHotEncoder

from descenso import features


def test_matches_scikit_learn_with_unknowns_ignored():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 4, (30, 2)).astype(np.float32)
    test = rng.integers(0, 6, (10, 2)).astype(np.float32)  # 4 and 5 were never seen
    ours = features.OneHot().fit(train)
    theirs = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train)
    np.testing.assert_array_equal(ours.transform(test), theirs.transform(test))


def test_unseen_category_is_all_zeros_and_others_pass_through():
    train = np.array([[1.0, 0.5], [3.0, 0.25]], dtype=np.float32)
    encoder = features.OneHot(columns=[0]).fit(train)
    out = encoder.transform(np.array([[3.0, 7.0], [2.0, 8.0]], dtype=np.float32))
    np.testing.assert_array_equal(out, [[0.0, 1.0, 7.0], [0.0, 0.0, 8.0]])
    assert encoder.get_feature_names_out(["kind", "w"]) == ["kind=1", "kind=3", "w"]


def test_state_round_trip():
    train = np.array([[1.0, 5.0], [2.0, 6.0], [1.0, 7.0]], dtype=np.float32)
    encoder = features.OneHot().fit(train)
    state = encoder.state_dict()
    assert sorted(state) == ["categories.0", "categories.1"]
    again = features.from_config(encoder.get_config(), state)
    np.testing.assert_array_equal(again.transform(train), encoder.transform(train))
    with pytest.raises(ValueError, match=r"lacks categories\.1"):
        features.from_config(encoder.get_config(), {"categories.0": state["categories.0"]})


def test_bad_column():
    with pytest.raises(ValueError, match=r"do not exist"):
        features.OneHot(columns=[3]).fit(np.zeros((2, 2)))
