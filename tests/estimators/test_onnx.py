"""ONNX export: onnxruntime reproduces predict / predict_proba to 1e-5 for the whole path."""

import json

import numpy as np
import pytest

from descenso import features
from descenso.data import DataWarning
from descenso.estimators import BinaryClassifier, Regressor

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

FAST = {"hidden": (16, 8), "lr": 1e-2, "max_epochs": 20, "random_state": 0}

# Export is about reproducing the trained function, converged or not: 20 epochs keep it fast.
pytestmark = pytest.mark.filterwarnings("ignore::descenso.stopping.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 20.0, size=(200, 3))  # positive, so log features apply
    X[:, 2] = np.round(X[:, 2] / 5)  # a few codes, for one-hot
    y = np.log(X[:, 0]) * 30 - X[:, 1] + 500.0  # far from zero: the target scaling matters
    return X, y


def _run(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session, session.run(None, {"X": X})[0]


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"activation": "tanh", "features": ["polynomial"]},
        {"activation": "gelu", "features": ["minmax"]},
        {"activation": ["leaky_relu", "softplus"], "features": [features.Log(columns=[0]), "standardize"]},
        {"dtype": "float64", "activation": "sigmoid"},
        {"features": [features.Radial(columns=[0, 1], keep_input=True)]},
        {"features": [features.OneHot(columns=[2])], "dtype": "float64"},
        {"hidden": ()},
        {"features": ["polar(0,1)"]},  # wider data: Polar is told its columns
        {"features": [features.Polar(columns=(2, 0), center="mean")], "dtype": "float64"},
        {"features": [features.Expression(["x1 * x2", "sin(x1) + log(x3 + 1)", "x2 ** 2 / 10"])]},
    ],
)
def test_regressor_onnx_equals_predict(tmp_path, data, settings):
    X, y = data
    model = Regressor(**{**FAST, **settings}).fit(X, y)
    model.to_onnx(tmp_path / "model.onnx")
    session, out = _run(tmp_path / "model.onnx", X.astype(model.model_.dtype))
    assert out.shape == (len(X),)
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-5, atol=1e-5)
    assert [o.name for o in session.get_outputs()] == ["variable"]


def test_classifier_onnx_equals_predict_proba(tmp_path, data):
    X, y = data
    labels = np.where(y > np.median(y), "up", "down")
    model = BinaryClassifier(**FAST, threshold=0.7).fit(X, labels)
    model.to_onnx(tmp_path / "clf.onnx")
    session, proba = _run(tmp_path / "clf.onnx", X.astype(np.float32))
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5, atol=1e-5)
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["classes"]) == ["down", "up"] and float(meta["threshold"]) == 0.7
    decided = np.asarray(json.loads(meta["classes"]))[(proba[:, 1] > 0.7).astype(int)]
    assert np.mean(decided == model.predict(X)) > 0.99  # equal but for probabilities within 1e-5 of 0.7


def test_representations_without_a_translation_are_named():
    from descenso.estimators.onnx import _representation
    from descenso.export.onnx import OnnxGraph

    class Cube:  # a user's own transform: descenso cannot know its ONNX form
        name = "cube"

    with pytest.raises(NotImplementedError, match=r"Cube \('cube'\) has no ONNX translation.*polar"):
        _representation(OnnxGraph(), Cube(), "X")


def _table(rng, n):
    pd = pytest.importorskip("pandas")
    area = rng.uniform(20.0, 200.0, n)
    city = rng.choice(["Lima", "Quito", "Cusco"], n)
    kind = rng.choice(["flat", "house"], n)
    garden = rng.integers(0, 2, n).astype(bool)
    price = area * 3 + np.select([city == "Lima", city == "Quito"], [50.0, 10.0], -20.0) + 15.0 * garden
    return pd.DataFrame({"area": area, "city": city, "garden": garden, "kind": kind, "price": price})


def _feed(frame, dtype):
    """One (n, 1) array per column: floats for numbers and booleans, strings ("" if missing) for text."""
    pd = pytest.importorskip("pandas")
    feed = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            feed[name] = column.to_numpy(dtype).reshape(-1, 1)
        else:
            feed[name] = column.astype(object).where(column.notna(), "").to_numpy(object).reshape(-1, 1)
    return feed


@pytest.mark.parametrize("missing", [None, "mean"])
@pytest.mark.parametrize("estimator", ["regressor", "classifier"])
def test_text_columns_are_one_hot_encoded_in_the_graph(tmp_path, estimator, missing):
    rng = np.random.default_rng(1)
    train = _table(rng, 240)
    test = _table(rng, 40).drop(columns="price")
    test.loc[[1, 7], "city"] = "Arequipa"  # unseen: an all-zero block, as predict encodes it
    if missing == "mean":
        train.loc[[3, 9], "area"] = np.nan
        train.loc[[5, 11, 12], "city"] = None
        test.loc[2, "area"], test.loc[6, "area"] = np.nan, np.inf
        test.loc[[4, 8], "city"], test.loc[10, "kind"] = None, None
    if estimator == "classifier":
        train["price"] = np.where(train["price"] > train["price"].median(), "dear", "cheap")
        model = BinaryClassifier(**FAST, missing=missing).fit(train, "price")
        with pytest.warns(DataWarning, match=r"column 'city' has 'Arequipa' in 2 rows"):
            expected, output = model.predict_proba(test), "probabilities"
    else:
        model = Regressor(**FAST, missing=missing, dtype="float64").fit(train, "price")
        with pytest.warns(DataWarning, match=r"column 'city' has 'Arequipa' in 2 rows"):
            expected, output = model.predict(test), "variable"
    model.to_onnx(tmp_path / "table.onnx")
    session = ort.InferenceSession(str(tmp_path / "table.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, _feed(test, model.model_.dtype))[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert np.ptp(expected[:, -1] if expected.ndim == 2 else expected) > 0.1  # a function, not a constant
    assert [(i.name, i.type, i.shape) for i in session.get_inputs()] == [
        ("area", f"tensor({'double' if estimator == 'regressor' else 'float'})", ["batch", 1]),
        ("city", "tensor(string)", ["batch", 1]),
        ("garden", f"tensor({'double' if estimator == 'regressor' else 'float'})", ["batch", 1]),
        ("kind", "tensor(string)", ["batch", 1]),
    ]
    assert [o.name for o in session.get_outputs()] == [output]
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["input_columns"]) == ["area", "city", "garden", "kind"]
    assert json.loads(meta["text_columns"]) == ["city", "kind"]


def test_a_missing_text_value_is_the_most_frequent_category(tmp_path):
    """missing="mean": "" is filled with the commonest city, so it predicts as that city does."""
    rng = np.random.default_rng(2)
    train = _table(rng, 200)
    train.loc[[0, 1], "city"] = None
    model = Regressor(**FAST, missing="mean").fit(train, "price")
    common = train["city"].value_counts().idxmax()
    row = train.drop(columns="price").iloc[[5, 5]].reset_index(drop=True)
    row.loc[0, "city"], row.loc[1, "city"] = None, common
    model.to_onnx(tmp_path / "fill.onnx")
    session = ort.InferenceSession(str(tmp_path / "fill.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, _feed(row, np.float32))[0]
    assert got[0] == got[1]
    np.testing.assert_allclose(got, model.predict(row), rtol=1e-5, atol=1e-5)


def test_polars_tables_export_too(tmp_path):
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(_table(np.random.default_rng(3), 120))
    model = Regressor(**FAST).fit(frame, "price")
    model.to_onnx(tmp_path / "polars.onnx")
    session = ort.InferenceSession(str(tmp_path / "polars.onnx"), providers=["CPUExecutionProvider"])
    test = frame.drop("price").to_pandas()
    got = session.run(None, _feed(test, np.float32))[0]
    np.testing.assert_allclose(got, model.predict(frame.drop("price")), rtol=1e-5, atol=1e-5)


def test_numeric_tables_keep_the_single_input(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = _table(np.random.default_rng(4), 100).drop(columns=["city", "kind", "garden"])
    model = Regressor(**FAST).fit(frame, "price")
    model.to_onnx(tmp_path / "numeric.onnx")
    session, out = _run(tmp_path / "numeric.onnx", frame[["area"]].to_numpy(np.float32))
    assert [(i.name, i.shape) for i in session.get_inputs()] == [("X", ["batch", 1])]
    np.testing.assert_allclose(out, model.predict(frame[["area"]]), rtol=1e-5, atol=1e-5)
    assert isinstance(frame, pd.DataFrame)
    assert "input_columns" not in session.get_modelmeta().custom_metadata_map


def test_a_column_named_like_the_output_is_refused(tmp_path):
    frame = _table(np.random.default_rng(5), 60).rename(columns={"area": "variable"})
    model = Regressor(**FAST).fit(frame, "price")
    with pytest.raises(ValueError, match=r"named 'variable'.*rename that column"):
        model.to_onnx(tmp_path / "clash.onnx")
    assert not (tmp_path / "clash.onnx").exists()
