"""scikit-learn's own estimator checks, run over both estimators.

Every check runs, with ``max_epochs=100`` so the file stays fast. The few checks
that cannot hold for a network trained by stochastic gradient descent in float32
are listed in ``expected_failed_checks`` with the reason; scikit-learn runs them as
expected failures (an unexpected pass is reported as XPASS).
"""

import warnings

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks

from descenso.estimators import BinaryClassifier, Regressor
from descenso.stopping import ConvergenceWarning

ESTIMATORS = [
    Regressor(max_epochs=100, random_state=0),
    BinaryClassifier(max_epochs=100, random_state=0),
    Regressor(max_epochs=100, random_state=0, dtype="float64"),
    BinaryClassifier(max_epochs=100, random_state=0, dtype="float64"),
]

SAMPLE_WEIGHT_EQUIVALENCE = (
    "weights equal to repetitions only in expectation: repeating a row changes the shuffled "
    "mini-batches and the random validation split, so the two fits follow different SGD paths"
)
FLOAT32_ROW_INVARIANCE = (
    "float32 matrix products round differently for different batch sizes and row positions (BLAS "
    "blocking), so a row's prediction can differ by ~1e-7 relative between calls; the float64 "
    "estimators pass it"
)


def expected_failed_checks(estimator):
    failures = {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_EQUIVALENCE}
    if estimator.dtype == "float32":
        # Whether these two fail depends on the BLAS build and CPU; where they pass, pytest says XPASS.
        failures["check_methods_subset_invariance"] = FLOAT32_ROW_INVARIANCE
        failures["check_methods_sample_order_invariance"] = FLOAT32_ROW_INVARIANCE
    return failures


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        # max_epochs is small on purpose (speed): running out of epochs is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
