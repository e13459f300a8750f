"""A verbose Regressor says its losses are on the standardised target, with the mean and std."""

from __future__ import annotations

import numpy as np

from descenso import BinaryClassifier, Regressor


def test_a_verbose_regressor_names_the_scale_of_its_losses(capsys):
    X = np.random.default_rng(0).normal(size=(100, 2))
    y = 50 + 10 * X[:, 0]
    model = Regressor(hidden=(8,), max_epochs=3, verbose=1, early_stopping=False, n_iter_no_change=None,
                      random_state=0, ensemble=1).fit(X, y)  # fmt: skip
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        f"Regressor: the losses below are mse on the standardised target (y - {model.y_mean_:.6g}) / "
        f"{model.y_scale_:.6g}; predict and score are in y's units"
    )
    assert abs(model.y_mean_ - y.mean()) < 3 and abs(model.y_scale_ - y.std()) < 2  # the training rows'


def test_a_classifier_and_a_quiet_regressor_print_no_scale_line(capsys):
    X = np.random.default_rng(1).normal(size=(60, 2))
    Regressor(hidden=(4,), max_epochs=2, early_stopping=False, n_iter_no_change=None, random_state=0,
              ensemble=1).fit(X, X[:, 0])  # fmt: skip
    BinaryClassifier(hidden=(4,), max_epochs=2, verbose=1, early_stopping=False, n_iter_no_change=None,
                     random_state=0, ensemble=1).fit(X, X[:, 0] > 0)  # fmt: skip
    assert "standardised" not in capsys.readouterr().out
