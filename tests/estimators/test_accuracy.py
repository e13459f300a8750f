"""Issue 5 item 6: with default settings descenso is at least as accurate as scikit-learn's MLP.

Real data that ships with scikit-learn (no download), one fixed split and fixed seeds on both
sides. scikit-learn's MLPs stop at max_iter=200 and warn ConvergenceWarning on these sets; that
warning (and only that one) is caught explicitly around scikit-learn's fit. descenso runs under
the test suite's warnings-as-errors.
"""

import warnings

import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.datasets import load_breast_cancer, load_diabetes  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from descenso.estimators import BinaryClassifier, Regressor  # noqa: E402


def _sklearn_score(mlp, X_train, X_test, y_train, y_test):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline = make_pipeline(StandardScaler(), mlp).fit(X_train, y_train)
    return pipeline.score(X_test, y_test)


def test_breast_cancer_accuracy_at_least_sklearn_mlp():
    X, y = load_breast_cancer(return_X_y=True)
    split = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    ours = BinaryClassifier(random_state=0).fit(split[0], split[2]).score(split[1], split[3])
    theirs = _sklearn_score(MLPClassifier(random_state=0), *split)
    assert ours >= theirs - 0.01, (ours, theirs)
    assert ours >= 0.94  # measured 0.951 on this split (scikit-learn: 0.951)


def test_diabetes_r2_at_least_sklearn_mlp():
    X, y = load_diabetes(return_X_y=True)
    split = train_test_split(X, y, test_size=0.25, random_state=0)
    ours = Regressor(random_state=0).fit(split[0], split[2]).score(split[1], split[3])
    theirs = _sklearn_score(MLPRegressor(random_state=0), *split)
    assert ours >= theirs - 0.01, (ours, theirs)
    # scikit-learn's defaults leave the unscaled target far from fitted (R² -1.41 here); descenso
    # standardises the target inside the model and reaches a positive R² (measured 0.19).
    assert ours >= 0.15
