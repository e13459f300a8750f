"""The doctor: each finding on data built to have it, none on data without it, and its fix helps."""

from __future__ import annotations

import numpy as np
import pytest

import descenso as ds
from descenso.nn import MLP, Linear
from descenso.stopping import DivergenceError


@pytest.fixture
def clean():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=400)).astype(np.float32)
    return X, y


def test_clean_data_and_a_sound_setup_have_no_findings(clean):
    X, y = clean
    assert ds.doctor(X, y, model=MLP(3, (16, 16), rng=0), lr=0.01).codes == []
    labels = (y > 0).astype(np.float32)
    assert ds.doctor(X, labels, model=MLP(3, (16,), rng=0), lr=0.01).codes == []


def test_features_on_different_scales_and_standardising_fixes_it(clean):
    X, y = clean
    raw = X * np.array([1.0, 500.0, 0.01], dtype=np.float32)
    finding = ds.doctor(raw, y)["scales"]
    assert finding.numbers["largest"] == "x1" and finding.numbers["smallest"] == "x2"
    assert finding.numbers["ratio"] == pytest.approx(5e4, rel=0.2)
    with pytest.raises(DivergenceError):  # the rate that suits the standardised data diverges here
        ds.fit(Linear(3, 1, rng=0), raw, y, optimizer="sgd", lr=0.3, epochs=50, batch_size=None)
    scaled = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    assert "scales" not in ds.doctor(scaled, y).codes
    history = ds.fit(Linear(3, 1, rng=0), scaled, y, optimizer="sgd", lr=0.3, epochs=50, batch_size=None)
    assert history.train_loss[-1] < 0.02


def test_constant_and_duplicated_columns(clean):
    X, y = clean
    bad = np.c_[X, np.full(len(X), 3.0), 2 * X[:, 0] + 1].astype(np.float32)
    report = ds.doctor(bad, y)
    assert report.codes == ["constant_column", "duplicate_column"]
    assert report["constant_column"].numbers["column"] == "x3"
    assert report["duplicate_column"].numbers == {
        "column": "x4",
        "duplicates": "x0",
        "correlation": pytest.approx(1.0),
    }
    design = np.c_[bad, np.ones(len(bad))].astype(np.float64)
    assert np.linalg.matrix_rank(design) < design.shape[1]  # the weights are not determined...
    kept = np.c_[X, np.ones(len(X))].astype(np.float64)
    assert np.linalg.matrix_rank(kept) == kept.shape[1]  # ...until the two columns are dropped


def test_a_leaking_column_and_dropping_it_gives_a_model_that_works_without_it(clean):
    X, y = clean
    leaky = np.c_[X, 3 * y - 1].astype(np.float32)
    assert ds.doctor(leaky, y)["leakage"].numbers["column"] == "x3"
    # At prediction time the leaked value is not known (here: its mean). The model that copied it fails.
    test = leaky.copy()
    test[:, 3] = leaky[:, 3].mean()
    leaked, honest = Linear(4, 1, rng=0), Linear(3, 1, rng=0)
    ds.fit(leaked, leaky, y, optimizer="sgd", lr=0.02, epochs=60, batch_size=None, l2=1e-3)
    ds.fit(honest, X, y, optimizer="sgd", lr=0.3, epochs=60, batch_size=None)
    error_leaked = np.mean((leaked(test).data[:, 0] - y) ** 2)
    error_honest = np.mean((honest(X).data[:, 0] - y) ** 2)
    assert error_honest < error_leaked / 10


def test_a_column_that_separates_the_classes_is_flagged(clean):
    X, _ = clean
    labels = (X[:, 0] > 0.2).astype(np.float32)
    assert ds.doctor(X, labels)["leakage"].numbers["column"] == "x0"
    noisy = ((X[:, 0] + 0.5 * np.random.default_rng(1).normal(size=len(X))) > 0.2).astype(np.float32)
    assert "leakage" not in ds.doctor(X, noisy).codes


def test_class_imbalance_and_balanced_weights_raise_balanced_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=2000) > 2.0).astype(np.float32)
    finding = ds.doctor(X, y)["imbalance"]
    assert finding.numbers["minority_class"] == 1 and finding.numbers["share"] < 0.1

    def balanced_accuracy(weights):
        model = Linear(2, 1, rng=0)
        ds.fit(model, X, y, loss="bce_with_logits", optimizer="sgd", lr=1.0, epochs=100, batch_size=None,
               sample_weight=weights)  # fmt: skip
        predicted = model(X).data[:, 0] > 0
        return np.mean([np.mean(predicted[y == c] == c) for c in (0, 1)])

    share = y.mean()
    weights = np.where(y == 1, 0.5 / share, 0.5 / (1 - share)).astype(np.float32)
    assert balanced_accuracy(weights) > balanced_accuracy(None) + 0.1
    assert "imbalance" not in ds.doctor(X, (X[:, 0] > 0).astype(np.float32)).codes


def test_learning_rate_too_large_or_too_small_with_the_measured_fix(clean):
    X, y = clean
    big = ds.doctor(X, y, model=Linear(3, 1, rng=0), lr=5.0, optimizer="sgd")["lr_too_large"]
    assert big.numbers["suggested_lr"] == 0.5 and big.numbers["suggested_losses"][-1] < 0.05
    small = ds.doctor(X, y, model=Linear(3, 1, rng=0), lr=1e-6, optimizer="sgd")["lr_too_small"]
    mine, theirs = small.numbers["losses"], small.numbers["suggested_losses"]
    assert theirs[0] - theirs[-1] > 5 * (mine[0] - mine[-1]) > 0
    assert ds.doctor(X, y, model=Linear(3, 1, rng=0), lr=0.05, optimizer="sgd").codes == []


def test_dead_relu_units_and_leaky_relu_brings_them_back(clean):
    X, y = clean
    dead, leaky = MLP(3, (16,), rng=0), MLP(3, (16,), activation="leaky_relu", rng=0)
    for model in (dead, leaky):
        model.layers[0].bias.data[:] = -50.0  # every pre-activation far below zero
    finding = ds.doctor(X, y, model=dead)["dead_units"]
    assert finding.numbers["shares"] == {"layers.1": 1.0}
    before = float(ds.losses.mse(dead(X), y).item())
    stuck = ds.fit(dead, X, y, lr=0.01, epochs=30, rng=0)
    moving = ds.fit(leaky, X, y, lr=0.01, epochs=30, rng=0)  # Adam: small gradients are enough
    assert stuck.train_loss[-1] > 0.5 * before  # only the output bias learns
    assert moving.train_loss[-1] < 0.5 * stuck.train_loss[-1]


def test_vanishing_and_exploding_gradients_per_layer(clean):
    X, y = clean
    deep_sigmoid = MLP(3, (16,) * 8, activation="sigmoid", rng=0)
    finding = ds.doctor(X, y, model=deep_sigmoid)["vanishing_gradients"]
    assert finding.numbers["first_over_last"] < 1e-3 and len(finding.numbers["norms"]) == 9
    assert "vanishing_gradients" not in ds.doctor(X, y, model=MLP(3, (16,) * 8, rng=0)).codes
    big = MLP(3, (16,) * 6, rng=0)
    for p in big.parameters():
        if p.ndim == 2:
            p.data *= 6
    assert max(ds.doctor(X, y, model=big)["exploding_gradients"].numbers["norms"].values()) > 1e3


def test_the_doctor_refuses_bad_input():
    with pytest.raises(ValueError, match="finite"):
        ds.doctor(np.array([[1.0], [np.nan]]), [0.0, 1.0])
    with pytest.raises(ValueError, match="rows"):
        ds.doctor(np.zeros((3, 2)), np.zeros(2))
