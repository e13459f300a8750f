"""The validated choice between a linear candidate and the network, and temperature scaling."""

import numpy as np
import pytest

import descenso
from descenso import serialize
from descenso.estimators import BinaryClassifier, Regressor, _calibration, classifier
from descenso.estimators._exact_linear import PATH
from descenso.estimators._members import choose, run_labels

pytestmark = pytest.mark.filterwarnings("ignore::descenso.stopping.ConvergenceWarning")


def test_golden_section_finds_the_minimum_of_a_unimodal_function():
    assert _calibration.golden_section(lambda x: abs(x - 0.3) + 1.0, -2.0, 5.0) == pytest.approx(
        0.3, abs=1e-5
    )


def test_fit_temperature_undoes_logits_made_five_times_too_large():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=5000)
    labels = (rng.random(5000) < 1 / (1 + np.exp(-truth))).astype(float)
    temperature = _calibration.fit_temperature(5 * truth, labels)
    grid = np.linspace(3, 8, 501)
    best = grid[np.argmin([_calibration.log_loss_at(T, 5 * truth, labels) for T in grid])]
    assert temperature == pytest.approx(best, abs=0.01)  # the sample's optimum: 5.61
    assert temperature == pytest.approx(5.0, rel=0.15)
    before = _calibration.log_loss_at(1.0, 5 * truth, labels)
    assert _calibration.log_loss_at(temperature, 5 * truth, labels) < before - 0.1


def test_fit_temperature_never_sharpens():
    logits = np.array([-0.5, -0.2, 0.3, 0.6])  # separable: a sharper model would look better here
    assert _calibration.fit_temperature(logits, np.array([0.0, 0.0, 1.0, 1.0])) == 1.0


@pytest.fixture(scope="module")
def overconfident():
    """More columns than rows and a noisy label: the network memorises and its logits are too large."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 300))
    y = (X[:, 0] + rng.normal(size=160) > 0).astype(int)
    held_out = {}
    real = classifier.BinaryClassifier._calibrate

    def spy(self, logits, target, weights):
        held_out["logits"], held_out["target"] = logits, target
        return real(self, logits, target, weights)

    settings = {"hidden": (64,), "lr": 0.05, "alpha": 0.0, "ensemble": 1, "linear_candidate": False,
                "validation_fraction": 0.25, "random_state": 0}  # fmt: skip
    classifier.BinaryClassifier._calibrate = spy
    try:
        model = BinaryClassifier(**settings).fit(X, y)
    finally:
        classifier.BinaryClassifier._calibrate = real
    return model, X, held_out


def test_the_temperature_reduces_the_validation_log_loss_of_an_overconfident_network(overconfident):
    model, _, held_out = overconfident
    z, t = held_out["logits"], held_out["target"]
    assert len(z) == 40  # the validation rows: a quarter of 160
    assert model.temperature_ > 5.0
    before, after = _calibration.log_loss_at(1.0, z, t), _calibration.log_loss_at(model.temperature_, z, t)
    assert before > 1.0 and after < 0.7  # 1.27 -> 0.69 (log 2 = 0.693 is the no-skill log-loss)


def test_the_temperature_is_in_the_weights_so_predict_proba_uses_it(overconfident):
    model, X, _ = overconfident
    raw = model.model_.layers[-1]
    logits = model.decision_function(X)
    raw.weight.data *= model.temperature_  # undo the division: the network's own logits
    raw.bias.data *= model.temperature_
    try:
        np.testing.assert_allclose(
            model.decision_function(X), logits * model.temperature_, rtol=1e-4, atol=1e-4
        )
    finally:
        raw.weight.data /= model.temperature_
        raw.bias.data /= model.temperature_
    p = model.predict_proba(X)[:, 1]
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-logits)), rtol=1e-12)
    assert np.array_equal(model.predict(X), model.classes_[(logits > 0).astype(int)])


def test_a_saved_calibrated_model_gives_identical_probabilities(tmp_path, overconfident):
    model, X, _ = overconfident
    model.save(tmp_path / "model.descenso")
    again = descenso.load(tmp_path / "model.descenso")
    assert np.array_equal(again.predict_proba(X), model.predict_proba(X))
    assert again.temperature_ == model.temperature_ and again.chosen_ == "network"
    _, meta = serialize.read_model_file(tmp_path / "model.descenso")
    assert meta["choice"] == {"chosen": "network", "validation_loss": model.validation_loss_,
                              "temperature": model.temperature_}  # fmt: skip


def test_onnx_export_gives_the_calibrated_probabilities(tmp_path, overconfident):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model, X, _ = overconfident
    model.to_onnx(tmp_path / "model.onnx")
    session = ort.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, {"X": X.astype(np.float32)}), strict=True))
    probabilities = next(
        v for v in outputs.values() if np.asarray(v).ndim == 2 and np.asarray(v).shape[1] == 2
    )
    np.testing.assert_allclose(probabilities, model.predict_proba(X), atol=1e-5)


def test_hinge_scores_and_fits_without_validation_rows_get_no_temperature():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    hinge = BinaryClassifier(hidden=(4,), loss="hinge", max_epochs=20, ensemble=1, random_state=0).fit(X, y)
    assert hinge.temperature_ is None
    plain = BinaryClassifier(hidden=(4,), early_stopping=False, max_epochs=5, ensemble=1, random_state=0)
    plain.fit(X, y)
    assert plain.temperature_ is None and plain.chosen_ == "network" and plain.validation_loss_ is None


def test_run_labels_and_the_rule():
    assert run_labels(3, True)[:3] == ["linear 1/3", "network 1/3", "linear 2/3"]
    assert choose({"linear": [0.5, 0.3], "network": [0.4, 0.4]}) == "linear"  # a tie keeps the simpler
    assert choose({"linear": [0.5, 0.31], "network": [0.4, 0.4]}) == "network"


def test_a_linear_truth_keeps_the_linear_model(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 8))
    y = X @ rng.normal(size=8) + 0.5 * rng.normal(size=300)
    model = Regressor(random_state=0).fit(X, y)
    assert model.chosen_ == "linear" and model.model_.hidden == []
    assert model.validation_loss_["linear"] <= model.validation_loss_["network"]
    assert len(model.histories_) == 6 and model.history_ is model.histories_[0]  # linear 1/3 ran first
    assert "the last, network 3/3: " in model.stop_reason_
    assert model.stop_reason_.endswith("; kept: the linear model, solved exactly on every row")
    model.save(tmp_path / "linear.descenso")
    again = descenso.load(tmp_path / "linear.descenso")
    assert again.chosen_ == "linear" and again.model_.hidden == []
    assert np.array_equal(again.predict(X), model.predict(X))
    always = Regressor(random_state=0, linear_candidate=False).fit(X, y)
    assert always.chosen_ == "network" and always.model_.hidden == [192, 192]
    assert set(always.validation_loss_) == {"network"} and len(always.histories_) == 3


def test_a_nonlinear_truth_keeps_the_network():
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, "same", "different")  # XOR: no line separates it
    model = BinaryClassifier(random_state=0).fit(X, y)
    assert model.chosen_ == "network" and model.model_.hidden == [192, 192]
    assert model.validation_loss_["network"] < model.validation_loss_["linear"]
    assert model.history_ is model.histories_[1]  # the first network's history
    assert model.score(X, y) > 0.9


def _one_of_the_path(solve, n):
    """The path's solutions on every row: the strengths are m / n, m in PATH."""
    return [solve(m / n) for m in PATH]


def test_the_kept_linear_model_is_the_exact_ridge_solution_on_every_row():
    """Kept, the linear kind is solved once more on every row, at one strength of the 1/n path."""
    from descenso.linear_models import least_squares

    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 8))
    y = X @ rng.normal(size=8) + 0.5 * rng.normal(size=300)
    model = Regressor(random_state=0, dtype="float64").fit(X, y)
    assert model.chosen_ == "linear"
    linear_runs = [h for h in model.histories_ if h.stopped_by == "exact"]
    assert len(linear_runs) == 3 and all(h.grad_norm[0] < 1e-8 for h in linear_runs)  # at the minimum
    assert all("solved exactly by least squares for 6 ridge strengths" in h.stop_reason for h in linear_runs)
    Z = model.representation_.transform(X)
    target = (y - model.y_mean_) / model.y_scale_
    kept = model.model_.layers[-1].weight.data[0]
    matches = [np.allclose(kept, w, rtol=1e-9, atol=1e-12)
               for w, _ in _one_of_the_path(lambda l2: least_squares(Z, target, l2=l2), 300)]  # fmt: skip
    assert sum(matches) == 1  # the training rows alone (any split) would give other weights
    weight, bias = least_squares(Z, target, l2=[m / 300 for m in PATH][matches.index(True)])
    np.testing.assert_allclose(
        model.predict(X), model.y_mean_ + model.y_scale_ * (Z @ weight + bias), rtol=1e-9
    )


def test_the_linear_candidate_of_a_classifier_is_weighted_logistic_regression():
    from descenso.linear_models import logistic_newton

    rng = np.random.default_rng(6)
    X = rng.normal(size=(400, 3))
    y = (X @ np.array([2.0, -1.0, 0.5]) + rng.logistic(size=400) > 0).astype(int)
    weights = rng.uniform(0.5, 2.0, 400)
    model = BinaryClassifier(random_state=0, dtype="float64").fit(X, y, sample_weight=weights)
    assert model.chosen_ == "linear" and model.model_.hidden == []
    assert all("Newton's method" in h.stop_reason for h in model.histories_ if h.stopped_by == "exact")
    Z = model.representation_.transform(X)
    solutions = _one_of_the_path(
        lambda l2: logistic_newton(Z, y, l2=l2, sample_weight=weights, tol=1e-8), 400
    )
    logits = [(Z @ w + b) / model.temperature_ for w, b, _ in solutions]  # the temperature divides them
    assert sum(np.allclose(model.decision_function(X), z, rtol=1e-6, atol=1e-9) for z in logits) == 1


def test_a_loss_without_a_solver_trains_the_linear_candidate_by_gradient_descent():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    y = X @ rng.normal(size=4) + 0.5 * rng.normal(size=300)
    model = Regressor(random_state=0, loss="huber", ensemble=1).fit(X, y)
    assert [h.stopped_by for h in model.histories_] == ["early_stopping", "early_stopping"]
    assert len(model.histories_[0].epoch) > 1


def test_linear_candidate_must_be_a_bool():
    with pytest.raises(ValueError, match="'linear_candidate' parameter must be True or False"):
        Regressor(linear_candidate="yes").fit(np.ones((20, 1)), np.arange(20.0))


def test_the_networks_are_the_same_with_or_without_the_linear_candidates():
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, size=(300, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    chosen = BinaryClassifier(random_state=0).fit(X, y)
    alone = BinaryClassifier(random_state=0, linear_candidate=False).fit(X, y)
    assert chosen.chosen_ == "network"
    assert np.array_equal(chosen.predict_proba(X), alone.predict_proba(X))


def test_reliability_points_bin_the_predictions():
    from descenso import viz

    predicted, observed, counts = viz.reliability_points(
        [0, 1, 0, 1, 1], [0.05, 0.15, 0.5, 0.55, 1.0], bins=4
    )
    assert counts.tolist() == [2, 2, 1] and observed.tolist() == [0.5, 0.5, 1.0]
    np.testing.assert_allclose(predicted, [0.1, 0.525, 1.0])
    with pytest.raises(ValueError, match="same length"):
        viz.reliability_points([0, 1], [0.5])
