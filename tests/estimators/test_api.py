"""The estimators as a practitioner uses them: scikit-learn tools, DataFrames, weights, errors."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from descenso.estimators import BinaryClassifier, Regressor
from descenso.stopping import ConvergenceWarning

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

FAST = {"hidden": (16,), "lr": 1e-2, "max_epochs": 200, "random_state": 0}


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(240, 3))
    y = 2.0 * X[:, 0] - X[:, 1] ** 2 + 0.5 * X[:, 2] + 100.0  # an offset the target scaling removes
    return X, y


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(240, 2))
    noise = rng.normal(0, 0.3, size=240)  # not separable: the best logits are finite
    y = np.where(X[:, 0] + 0.5 * X[:, 1] + noise > 0, "yes", "no")
    return X, y


def test_learned_state_ends_in_underscore_and_fit_returns_self(regression):
    X, y = regression
    model = Regressor(**FAST)
    assert model.fit(X, y) is model
    assert model.n_features_in_ == 3
    assert len(model.histories_) == 6  # ensemble="auto": 3 splits, each a linear candidate and a network
    assert model.history_ is model.histories_[0 if model.chosen_ == "linear" else 1]
    assert 1 <= model.n_iter_ <= 3 * 200 and sum(len(h.epoch) for h in model.histories_) == model.n_iter_
    assert "epoch" in model.stop_reason_
    assert model.score(X, y) > 0.95
    # The target scaling is learned on the training split (90%, the rest validates early stopping).
    assert abs(model.y_mean_ - y.mean()) < 0.1 and abs(model.y_scale_ - y.std()) < 0.1


def test_pipeline_grid_search_and_cross_val_score(regression, binary):
    X, y = regression
    scores = cross_val_score(make_pipeline(StandardScaler(), Regressor(**FAST)), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9
    Xc, yc = binary
    search = GridSearchCV(BinaryClassifier(**FAST), {"hidden": [(4,), (16,)], "alpha": [1e-4, 1e-2]}, cv=3)
    search.fit(Xc, yc)
    assert search.best_score_ > 0.9
    assert set(search.best_params_) == {"hidden", "alpha"}
    assert search.predict(Xc[:5]).dtype.kind == "U"


def test_clone_and_get_params_are_json_friendly():
    model = BinaryClassifier(hidden=(8, 4), class_weight="balanced", threshold=0.3)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    config = model.explain_config()
    assert config["params"]["hidden"] == [8, 4] and config["params"]["threshold"] == 0.3


@pytest.mark.parametrize("frame", ["pandas", "polars"])
def test_dataframes_give_the_same_model_as_arrays(regression, frame):
    X, y = regression
    columns = {"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]}
    df = pd.DataFrame(columns) if frame == "pandas" else pl.DataFrame(columns)
    from_frame = Regressor(**FAST).fit(df, y)
    from_array = Regressor(**FAST).fit(X, y)
    np.testing.assert_array_equal(from_frame.predict(df), from_array.predict(X))
    assert list(from_frame.feature_names_in_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        from_frame.predict(df[["c", "b", "a"]] if frame == "pandas" else df.select(["c", "b", "a"]))


@pytest.mark.parametrize("frame", ["pandas", "polars"])
def test_fit_takes_the_target_column_by_name_with_categorical_columns(frame):
    rng = np.random.default_rng(2)
    n = 300
    city = rng.choice(["madrid", "sevilla", "bilbao"], n)
    area = rng.uniform(50, 200, n)
    price = (
        3 * area + np.select([city == "madrid", city == "bilbao"], [100.0, 50.0], 0.0) + rng.normal(0, 3, n)
    )
    data = {"area": area, "city": city, "price": price}
    df = pd.DataFrame(data) if frame == "pandas" else pl.DataFrame(data)
    model = Regressor(lr=1e-2, random_state=0).fit(df, "price")
    assert model.n_features_in_ == 2 and list(model.feature_names_in_) == ["area", "city"]
    assert model.score(df, "price") > 0.99
    # The target column may stay in the frame at predict time; it is dropped.
    without = df.drop(columns="price") if frame == "pandas" else df.drop("price")
    np.testing.assert_allclose(model.predict(df), model.predict(without), rtol=0, atol=0)
    # One city only: the fitted one-hot encoding is reused, so the column count still fits.
    one_city = df.filter(pl.col("city") == "madrid") if frame == "polars" else df[df.city == "madrid"]
    residual = model.predict(one_city) - np.asarray(one_city["price"])
    assert np.abs(residual).mean() < 10


def test_refit_on_an_array_forgets_the_table_layout():
    df = pd.DataFrame({"x": np.linspace(0, 1, 60), "kind": ["a", "b", "c"] * 20, "y": np.linspace(0, 2, 60)})
    model = Regressor(**FAST).fit(df, "y")
    assert hasattr(model, "schema_") and model.n_features_in_ == 2
    X = np.column_stack([df["x"], df["x"] ** 2, np.ones(60)])
    model.fit(X, df["y"])
    assert not hasattr(model, "schema_") and not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 3 and model.target_name_ is None
    assert model.predict(X).shape == (60,)


def test_fit_by_column_name_needs_a_dataframe(regression):
    X, _ = regression
    with pytest.raises(TypeError, match="names a target column"):
        Regressor().fit(X, "price")
    with pytest.raises(ValueError, match="column 'price' not found; columns are: a, b"):
        Regressor().fit(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), "price")


def test_sample_weight_zero_equals_dropping_rows(regression):
    X, y = regression
    weights = np.ones(len(y))
    weights[::3] = 0
    settings = {**FAST, "early_stopping": False, "batch_size": None, "max_epochs": 50}
    shifted = y.copy()
    shifted[::3] += 50.0  # changes only rows of weight zero
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 50 full-batch epochs, on purpose
        weighted = Regressor(**settings).fit(X, y, sample_weight=weights)
        ignored = Regressor(**settings).fit(X, shifted, sample_weight=weights)
        counted = Regressor(**settings).fit(X, shifted)
    np.testing.assert_allclose(ignored.predict(X), weighted.predict(X), rtol=1e-6)
    assert np.abs(counted.predict(X) - weighted.predict(X)).mean() > 5.0


def test_class_weight_balanced_raises_minority_recall():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] + rng.normal(0, 1.0, 400) > 1.6).astype(int)  # about 10% positives, noisy
    plain = BinaryClassifier(**FAST).fit(X, y)
    balanced = BinaryClassifier(**FAST, class_weight="balanced").fit(X, y)
    recall = [np.mean(model.predict(X)[y == 1] == 1) for model in (plain, balanced)]
    assert recall[1] > recall[0] + 0.2, recall


def test_threshold_decision_function_and_two_column_proba(binary):
    X, y = binary
    model = BinaryClassifier(**FAST).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-model.decision_function(X))), rtol=1e-12)
    assert list(model.classes_) == ["no", "yes"]
    strict = clone(model).set_params(threshold=0.9).fit(X, y)
    assert np.array_equal(strict.predict(X) == "yes", strict.predict_proba(X)[:, 1] > 0.9)
    assert (strict.predict(X) == "yes").sum() < (model.predict(X) == "yes").sum()


def test_partial_fit_keeps_optimizer_state(regression):
    X, y = regression
    model = Regressor(**FAST)
    model.partial_fit(X, y)
    optimizer = model._optimizer
    for _ in range(4):
        model.partial_fit(X, y)
    assert model._optimizer is optimizer and model.n_iter_ == 5
    first = Regressor(**FAST).partial_fit(X, y).score(X, y)
    assert model.score(X, y) > first
    classifier = BinaryClassifier(**FAST).partial_fit(X[:10], ["a"] * 10, classes=["a", "b"])
    assert list(classifier.classes_) == ["a", "b"]
    classifier.partial_fit(X[10:20], ["b"] * 10, sample_weight=np.full(10, 2.0))  # one class per batch
    assert classifier.n_iter_ == 2
    with pytest.raises(ValueError, match="only one class"):
        BinaryClassifier(**FAST).partial_fit(X[:10], ["a"] * 10)


def test_warm_start_continues_from_the_weights(regression):
    X, y = regression
    settings = {**FAST, "max_epochs": 5, "early_stopping": False}
    model = Regressor(**settings, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 5 epochs do not converge, on purpose
        scores = [model.fit(X, y).score(X, y) for _ in range(3)]
        cold = Regressor(**settings).fit(X, y)
        again = cold.fit(X, y).score(X, y)
    assert scores[0] < scores[1] < scores[2]
    assert again == pytest.approx(scores[0], abs=1e-12)  # without warm_start every fit starts afresh


def test_same_seed_same_model_bit_for_bit(binary):
    X, y = binary
    a = BinaryClassifier(**FAST).fit(X, y)
    b = BinaryClassifier(**FAST).fit(X, y)
    for (name, wa), (_, wb) in zip(a.model_.state_dict().items(), b.model_.state_dict().items(), strict=True):
        assert np.array_equal(wa, wb), name
    c = BinaryClassifier(**{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.decision_function(X), c.decision_function(X))


def test_verbose_prints_progress(regression, capsys):
    X, y = regression
    with pytest.warns(ConvergenceWarning, match="max_epochs=30"):
        Regressor(**{**FAST, "max_epochs": 30, "verbose": 1}).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch" in out and "stopped: reached the maximum of 30 epochs" in out
    with pytest.warns(ConvergenceWarning):
        Regressor(**{**FAST, "max_epochs": 12, "verbose": 2}).fit(X, y)
    scale, *lines = capsys.readouterr().out.splitlines()
    assert scale.startswith("Regressor: the losses below are mse on the standardised target")
    assert [line.split(":")[0] for line in lines[:12]] == [f"epoch {i}" for i in range(1, 13)]
    assert "val_loss" in lines[0] and lines[-1].startswith("stopped:")


def test_works_without_scikit_learn():
    """With scikit-learn unimportable the estimators keep get_params/set_params/clone by hand."""
    script = """
import sys
sys.modules["sklearn"] = None  # import sklearn now raises ImportError
import numpy as np
import descenso
from descenso.estimators import BinaryClassifier, Regressor
from descenso.estimators._sklearn_compat import HAVE_SKLEARN
assert not HAVE_SKLEARN
X = np.random.default_rng(0).normal(size=(120, 2))
model = BinaryClassifier(hidden=(8,), lr=0.01, random_state=0, max_epochs=300).fit(X, X[:, 0] > 0)
assert model.score(X, X[:, 0] > 0) > 0.9, model.score(X, X[:, 0] > 0)
twin = type(model)(**model.get_params()).set_params(threshold=0.4)
assert twin.threshold == 0.4 and twin.hidden == (8,)
assert repr(twin) == "BinaryClassifier(hidden=(8,), lr=0.01, max_epochs=300, random_state=0, threshold=0.4)"
try:
    twin.set_params(nope=1)
except ValueError as error:
    assert "Invalid parameter 'nope'" in str(error)
else:
    raise AssertionError("set_params accepted an unknown name")
assert "sklearn" not in {name.split(".")[0] for name in sys.modules if sys.modules[name] is not None}
"""
    root = Path(__file__).resolve().parents[2]  # the repository, so `import descenso` finds this checkout
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=root
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: BinaryClassifier().fit([[0.0], [1.0], [2.0]], [0, 1, 2]), r"classes \(0: 1, 1: 1, 2: 1\)"),
        (lambda: BinaryClassifier().fit([[0.0], [1.0]], [0.5, 1.5]), "Unknown label type: continuous"),
        (lambda: BinaryClassifier().fit([[0.0], [1.0]], [1, 1]), r"only one class.*1: 2"),
        (lambda: Regressor().fit([[np.nan], [1.0]], [0.0, 1.0]), "Input X contains NaN"),
        (lambda: Regressor().fit([[np.inf], [1.0]], [0.0, 1.0]), "Input X contains infinity"),
        (lambda: Regressor().fit([1.0, 2.0], [0.0, 1.0]), "Reshape your data"),
        (lambda: Regressor().fit([[1.0], [2.0]], [0.0]), "inconsistent numbers of samples"),
        (lambda: Regressor(hidden=(0,)).fit([[1.0], [2.0]], [0.0, 1.0]), "'hidden' parameter"),
        (lambda: Regressor(loss="bce").fit([[1.0], [2.0]], [0.0, 1.0]), "'loss' parameter"),
        (lambda: Regressor(lr=-1).fit([[1.0], [2.0]], [0.0, 1.0]), "'lr' parameter"),
        (lambda: Regressor().fit([[1.0]], [1.0]), "n_samples=1"),
        (lambda: Regressor().fit([["red"], ["blue"]], [0.0, 1.0]), "text that is not a number"),
        (lambda: Regressor().fit([[1.0], [2.0]], [0.0, 1.0], sample_weight=[0, 0]), "non-zero"),
    ],
)
def test_errors_say_what_and_how_to_fix(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_predict_before_fit_and_with_wrong_width(regression):
    from descenso.estimators._validation import NotFittedError

    X, y = regression
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Regressor().predict(X)
    model = Regressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but Regressor is expecting 3"):
        model.predict(X[:, :2])


def test_float64_model_keeps_float64_inputs_from_a_table_with_text_columns():
    """The schema used to encode every numeric column as float32, rounding a float64 model's inputs."""
    import pandas as pd

    rng = np.random.default_rng(0)
    area = 1.0 + rng.integers(0, 1000, 120) * 1e-9  # differences float32 cannot hold
    frame = pd.DataFrame({"area": area, "city": rng.choice(["a", "b"], 120)})
    y = (area - 1.0) * 1e9 + (frame["city"] == "a") * 3.0
    with warnings.catch_warnings():  # five epochs are enough to fit the schema (the networks may warn)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Regressor(dtype="float64", max_epochs=5, random_state=0).fit(frame, y.to_numpy())
    encoded = model.schema_.transform(frame, dtype=np.float64)
    assert encoded.dtype == np.float64
    np.testing.assert_array_equal(encoded[:, 0], area)
    rounded = model.schema_.transform(frame)[:, 0]  # the float32 default rounds them: the check bites
    assert not np.array_equal(rounded.astype(np.float64), area)
