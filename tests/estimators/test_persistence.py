"""Saving and loading estimators: identical predictions, corrupt files refused, atomic overwrites."""

import json
import os

import numpy as np
import pytest

from descenso import serialize
from descenso.estimators import BinaryClassifier, ModelFileError, Regressor, load
from descenso.estimators._validation import NotFittedError

pytest.importorskip("safetensors")

FAST = {"hidden": (8,), "lr": 1e-2, "max_epochs": 200, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = X[:, 0] - 2 * X[:, 1] + 0.3 * rng.normal(size=150)
    return X, y


@pytest.fixture(scope="module")
def regressor(data):
    return Regressor(**FAST, features=["polynomial"], linear_candidate=False).fit(*data)  # a network


def test_regressor_round_trip_predicts_identically(tmp_path, data, regressor):
    X, _ = data
    path = tmp_path / "model.descenso"
    regressor.save(path)
    again = load(path)
    assert type(again) is Regressor
    np.testing.assert_array_equal(again.predict(X), regressor.predict(X))
    assert again.get_params() == regressor.get_params()
    assert again.stop_reason_ == regressor.stop_reason_ and again.n_iter_ == regressor.n_iter_
    assert again.history_.train_loss == regressor.history_.train_loss
    assert (again.y_mean_, again.y_scale_) == (regressor.y_mean_, regressor.y_scale_)


def test_classifier_round_trip_keeps_labels_names_and_threshold(tmp_path, data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = np.where(y > 0, "high", "low")
    model = BinaryClassifier(**FAST, threshold=0.3, class_weight="balanced").fit(frame, labels)
    model.save(tmp_path / "clf.descenso")
    again = load(tmp_path / "clf.descenso")
    np.testing.assert_array_equal(again.predict_proba(frame), model.predict_proba(frame))
    np.testing.assert_array_equal(again.predict(frame), model.predict(frame))
    assert again.classes_.dtype == model.classes_.dtype and list(again.classes_) == ["high", "low"]
    assert list(again.feature_names_in_) == ["a", "b", "c"] and again.threshold == 0.3
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        again.predict(frame.rename(columns={"a": "z"}))


def test_categorical_schema_survives_the_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"size": rng.uniform(0, 1, 120), "color": rng.choice(["red", "green"], 120)})
    df["y"] = df["size"] + (df["color"] == "red")
    model = Regressor(**FAST).fit(df, "y")
    model.save(tmp_path / "cat.descenso")
    again = load(tmp_path / "cat.descenso")
    np.testing.assert_array_equal(again.predict(df), model.predict(df))
    assert again.target_name_ == "y"


def test_save_before_fit_is_refused(tmp_path):
    with pytest.raises(NotFittedError):
        Regressor().save(tmp_path / "nothing.descenso")
    assert not (tmp_path / "nothing.descenso").exists()


@pytest.fixture(scope="module")
def good_file(tmp_path_factory, regressor):
    path = tmp_path_factory.mktemp("good") / "good.descenso"
    regressor.save(path)
    return path


def _rewrite(source, target, change):
    """Copy a model file, letting ``change(arrays, metadata)`` tamper with it on the way."""
    arrays, metadata = serialize.read_model_file(source)
    for key in ("format", "format_version", "descenso_version"):
        metadata.pop(key)
    change(arrays, metadata)
    serialize.write_model_file(target, arrays, metadata)


def _set(key, value):
    return lambda arrays, meta: meta.__setitem__(key, value)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda a, m: a.__setitem__("model.layers.0.weight", np.ones((3, 9), np.float32)), "needs float32"),
        (_set("n_features_in", "3"), "expected"),
        (lambda a, m: a.pop("model.layers.2.bias"), "the architecture needs"),
        (lambda a, m: a.__setitem__("model.layers.0.bias", np.ones(8, np.float64)), "float64"),
        (
            lambda a, m: a.__setitem__("model.layers.0.bias", np.full_like(a["model.layers.0.bias"], np.nan)),
            "NaN",
        ),
        (lambda a, m: m["architecture"].__setitem__("hidden", [16]), "architecture needs"),
        (lambda a, m: m["architecture"].__setitem__("type", "Sequential"), "must be an MLP"),
        (_set("estimator", "os.system"), "unknown estimator"),
        (_set("kind", "network"), "holds no estimator"),
        (_set("n_features_in", 5), "does not take the 5 input features"),
        (lambda a, m: m["params"].__setitem__("lr", -7), "'lr' parameter"),
        (lambda a, m: m["params"].__setitem__("surprise", 1), "unexpected keyword"),
        (lambda a, m: m.pop("target_scaling"), "lacks 'target_scaling'"),
        (lambda a, m: m["target_scaling"].__setitem__("scale", -1.0), "positive scale"),
        (lambda a, m: a.pop("representation.1.mean"), "lacks mean"),
    ],
)
def test_inconsistent_files_raise_model_file_error(tmp_path, good_file, change, match):
    bad = tmp_path / "bad.descenso"
    _rewrite(good_file, bad, change)
    with pytest.raises(ModelFileError, match=match) as raised:
        load(bad)
    assert str(bad) in str(raised.value)


def test_classifier_labels_are_checked(tmp_path, data):
    X, y = data
    good, bad = tmp_path / "good.descenso", tmp_path / "bad.descenso"
    BinaryClassifier(**FAST).fit(X, y > 0).save(good)
    _rewrite(good, bad, lambda a, m: m["classes"].__setitem__("dtype", "V100000000"))
    with pytest.raises(ModelFileError, match="unsupported dtype"):
        load(bad)
    _rewrite(good, bad, lambda a, m: m["classes"].__setitem__("values", [0, 1, 2]))
    with pytest.raises(ModelFileError, match="two labels"):
        load(bad)


@pytest.mark.parametrize("cut", [0, 7, 100, -1])
def test_truncated_and_garbage_files(tmp_path, regressor, cut):
    path = tmp_path / "model.descenso"
    regressor.save(path)
    raw = path.read_bytes()
    path.write_bytes(raw[:cut] if cut >= 0 else b"\x00" * 8 + raw[8:])
    with pytest.raises(ModelFileError):
        load(path)


def test_a_foreign_safetensors_file_is_refused(tmp_path):
    pytest.importorskip("safetensors")
    from safetensors.numpy import save_file

    path = tmp_path / "foreign.safetensors"
    save_file({"w": np.ones(3, np.float32)}, str(path))
    with pytest.raises(ModelFileError, match="descenso"):
        load(path)


def test_failed_overwrite_keeps_the_old_model(tmp_path, data, regressor, monkeypatch):
    X, y = data
    path = tmp_path / "model.descenso"
    regressor.save(path)
    before = path.read_bytes()
    other = Regressor(**{**FAST, "random_state": 1}).fit(X, y)

    def fail_half_way(file, payload):
        file.write(payload[: len(payload) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialize, "_write_all", fail_half_way)
    with pytest.raises(OSError, match="No space left"):
        other.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.descenso"]  # no temporary file left behind
    np.testing.assert_array_equal(load(path).predict(X), regressor.predict(X))


def test_the_metadata_is_plain_json_with_the_settings(tmp_path, regressor):
    path = tmp_path / "model.descenso"
    regressor.save(path)
    _, meta = serialize.read_model_file(path)
    json.dumps(meta)  # nothing but JSON: no pickled objects anywhere
    assert meta["estimator"] == "Regressor" and meta["architecture"]["type"] == "MLP"
    assert [step["type"] for step in meta["representation"]["steps"]] == ["polynomial", "standardize"]
    assert meta["params"]["hidden"] == [8] and meta["stop_reason"] == regressor.stop_reason_
