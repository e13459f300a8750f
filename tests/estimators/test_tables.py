"""DataFrames with any column names, and what fitting on them warns about."""

import warnings

import numpy as np
import pytest

from descenso.data import DataWarning
from descenso.estimators import Regressor
from descenso.stopping import ConvergenceWarning

pd = pytest.importorskip("pandas")

FAST = {"hidden": (4,), "max_epochs": 5, "random_state": 0}


def _frame():
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "y": rng.normal(size=60),  # a feature called y: the usual name of a target
            "city": rng.choice(["Lima", "Quito"], size=60),
            "k": np.full(60, 2.0),
            "kind": ["same"] * 60,
        }
    )


def test_a_feature_column_named_y_is_a_feature():
    frame = _frame()
    target = 3 * frame["y"].to_numpy() + (frame["city"] == "Lima")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Regressor(**FAST).fit(frame, target)
    assert list(model.feature_names_in_) == ["y", "city", "k", "kind"]
    assert model.schema_.feature_names == ["y", "city=Lima", "city=Quito", "k", "kind=same"]
    assert model.schema_.target is None
    assert model.predict(frame).shape == (60,)


def test_constant_columns_give_one_warning_per_fit_at_the_callers_line():
    frame = _frame()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        Regressor(**FAST).fit(frame, frame["y"].to_numpy())
    remarks = [w for w in caught if issubclass(w.category, DataWarning)]
    assert len(remarks) == 1
    text = str(remarks[0].message)
    assert "column 'k' in X is constant (every value is 2.0)" in text
    assert "column 'kind' in X is constant (every value is 'same')" in text
    assert remarks[0].filename == __file__  # points at the fit call, not inside descenso
