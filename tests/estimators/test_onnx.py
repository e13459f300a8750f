"""ONNX export: onnxruntime reproduces predict / predict_proba to 1e-5 for the whole path."""

import json

import numpy as np
import pytest

from descenso import features
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
        {"features": ["polar"]},
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


def test_categorical_tables_are_refused_with_the_fix(tmp_path):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"x": np.arange(40.0), "kind": ["a", "b"] * 20, "y": np.arange(40.0)})
    model = Regressor(**FAST).fit(df, "y")
    with pytest.raises(NotImplementedError, match="get_dummies"):
        model.to_onnx(tmp_path / "cat.onnx")
