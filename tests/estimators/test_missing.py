"""missing=None | "drop" | "mean": gaps in X refused, dropped, or filled with learned training means."""

import warnings

import numpy as np
import pytest

from descenso.estimators import BinaryClassifier, Regressor, _training, load
from descenso.stopping import ConvergenceWarning

pd = pytest.importorskip("pandas")

FAST = {"hidden": (8,), "lr": 0.02, "max_epochs": 30, "random_state": 0}


@pytest.fixture(autouse=True)
def _short_runs_may_not_converge():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def gappy():
    rng = np.random.default_rng(4)
    X = rng.normal(loc=[1.0, -2.0, 5.0], size=(200, 3))
    y = 2 * X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=200)
    X[::9, 0] = np.nan
    X[3::11, 2] = np.nan
    return X, y


def test_none_refuses_nan_naming_the_fix(gappy):
    X, y = gappy
    with pytest.raises(ValueError, match=r"Input X contains NaN \(first at index \(0, 0\)\).*missing='mean'"):
        Regressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="'missing' parameter must be None"):
        Regressor(missing="median").fit(X, y)


def test_mean_learns_fill_values_from_the_training_split_only(gappy):
    X, y = gappy
    model = Regressor(**FAST, missing="mean").fit(X, y)
    rng = _training.seed_generator(0)
    train, _val = _training.split_validation(len(y), model.validation_fraction, rng)
    np.testing.assert_allclose(model.fill_values_, np.nanmean(X[train].astype(np.float32), axis=0), rtol=1e-6)
    assert abs(model.fill_values_[0] - np.nanmean(X[:, 0])) > 1e-4  # the validation rows are not averaged
    # predict fills new gaps with the same values: equal to predicting the filled rows.
    filled = np.where(np.isnan(X), model.fill_values_, X)
    np.testing.assert_array_equal(model.predict(X), model.predict(filled))
    complete = ~np.isnan(X).any(axis=1)
    assert model.score(X[complete], y[complete]) > 0.75  # 30 epochs of a small network, seeded


def test_mean_fill_values_survive_save_and_load(gappy, tmp_path):
    X, y = gappy
    model = Regressor(**FAST, missing="mean", early_stopping=False).fit(X, y)
    np.testing.assert_allclose(model.fill_values_, np.nanmean(X.astype(np.float32), axis=0), rtol=1e-6)
    model.save(tmp_path / "m.descenso")
    again = load(tmp_path / "m.descenso")
    assert again.missing == "mean"
    np.testing.assert_array_equal(again.fill_values_, model.fill_values_)
    np.testing.assert_array_equal(again.predict(X[:20]), model.predict(X[:20]))


def test_drop_trains_on_complete_rows_and_predict_still_needs_them(gappy):
    X, y = gappy
    complete = ~np.isnan(X).any(axis=1)
    dropped = Regressor(**FAST, missing="drop").fit(X, y)
    reference = Regressor(**FAST).fit(X[complete], y[complete])
    np.testing.assert_array_equal(dropped.predict(X[complete]), reference.predict(X[complete]))
    assert not hasattr(dropped, "fill_values_")
    with pytest.raises(ValueError, match="Input X contains NaN"):
        dropped.predict(X)


def test_text_gaps_take_the_most_frequent_category_and_number_gaps_the_mean():
    frame = pd.DataFrame(
        {
            "size": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, np.nan] * 10,
            "city": ["Lima", "Quito", "Lima", None, "Lima", "Cusco", "Quito", "Lima"] * 10,
        }
    )
    labels = np.array([0, 1, 0, 1, 1, 0, 1, 0] * 10)
    model = BinaryClassifier(**FAST, missing="mean", early_stopping=False).fit(frame, labels)
    assert model.schema_.feature_names == ["size", "city=Cusco", "city=Lima", "city=Quito"]
    # size: mean of 1, 2, 4, 5, 6, 7 = 25 / 6; city: Lima is the most frequent (4 of 7 present per 8 rows)
    np.testing.assert_allclose(model.fill_values_, [25 / 6, 0.0, 1.0, 0.0], rtol=1e-6)
    gaps = pd.DataFrame({"size": [np.nan], "city": [None]})
    same = pd.DataFrame({"size": [25 / 6], "city": ["Lima"]})
    np.testing.assert_allclose(model.predict_proba(gaps), model.predict_proba(same), rtol=1e-6)
    strict = BinaryClassifier(**FAST, early_stopping=False)
    with pytest.raises(ValueError, match=r"column 'city': 10 rows .*missing='mean'"):
        strict.fit(frame, labels)


def test_onnx_export_fills_nan_like_predict(gappy, tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    X, y = gappy
    model = Regressor(**FAST, missing="mean").fit(X, y)
    model.to_onnx(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    exported = session.run(None, {"X": X.astype(np.float32)})[0]
    np.testing.assert_allclose(exported, model.predict(X), rtol=1e-5, atol=1e-5)
    assert np.isnan(X).any(axis=1).sum() == 39  # 23 rows 0, 9, ... and 18 rows 3, 14, ..., 2 in both
