"""descenso.metrics against scikit-learn on seeded random sweeps, edge cases and errors."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from descenso import metrics
from descenso.metrics import UndefinedMetricWarning

TOL = {"rtol": 1e-12, "atol": 1e-12}
REGRESSION = ["mean_squared_error", "root_mean_squared_error", "mean_absolute_error", "r2_score"]
LABEL_SETS = [(0, 1), (-1, 1), (False, True), ("no", "yes"), (0.0, 1.0), (3, 7)]


def quiet(fn, *args, **kwargs):
    """Call ``fn`` ignoring warnings (both libraries warn on the same undefined cases)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def random_weights(rng, n):
    if rng.random() < 0.4:
        return None
    weights = rng.uniform(0.0, 3.0, n)
    weights[rng.random(n) < 0.2] = 0.0  # zero weights are legal and must simply not count
    weights[0] = 1.0  # never all zero
    return weights


# ---------------------------------------------------------------------------- regression


@pytest.mark.parametrize("seed", range(60))
def test_regression_metrics_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    shape = (n,) if seed % 3 else (n, int(rng.integers(1, 4)))
    dtype = np.float32 if seed % 4 == 0 else np.float64
    y_true = (rng.normal(size=shape) * rng.uniform(0.1, 100)).astype(dtype)
    y_pred = (y_true + rng.normal(size=shape) * rng.uniform(0.01, 10)).astype(dtype)
    weights = random_weights(rng, n)
    for name in REGRESSION:
        for multioutput in ("uniform_average", "raw_values"):
            ours = getattr(metrics, name)(y_true, y_pred, sample_weight=weights, multioutput=multioutput)
            theirs = getattr(skm, name)(
                y_true.astype(np.float64), y_pred.astype(np.float64), sample_weight=weights,
                multioutput=multioutput,
            )  # fmt: skip
            np.testing.assert_allclose(ours, theirs, **TOL, err_msg=f"{name} {multioutput}")


def test_regression_integer_inputs_and_column_vectors():
    y_true, y_pred = np.array([1, 2, 3, 4]), np.array([[1.5], [2.0], [2.0], [5.0]])
    for name in REGRESSION:
        assert getattr(metrics, name)(y_true, y_pred) == pytest.approx(
            getattr(skm, name)(y_true, y_pred), rel=1e-12
        )
    assert metrics.mean_squared_error(y_true, y_pred) == pytest.approx((0.25 + 0 + 1 + 1) / 4, rel=1e-15)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "expected"),
    [([2.0, 2.0, 2.0], [2.0, 2.0, 2.0], 1.0), ([2.0, 2.0, 2.0], [2.0, 1.0, 2.0], 0.0)],
)
def test_r2_constant_target_is_finite_like_sklearn(y_true, y_pred, expected):
    assert metrics.r2_score(y_true, y_pred) == expected == skm.r2_score(y_true, y_pred)


def test_r2_of_one_sample_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning, match="two samples"):
        assert np.isnan(metrics.r2_score([1.0], [2.0]))


def test_r2_uses_weighted_mean_of_targets():
    # ybar_w = (1*0 + 3*4) / 4 = 3; SS_tot = 1*9 + 3*1 = 12; SS_res = 1*1 + 3*1 = 4 -> 1 - 4/12
    assert metrics.r2_score([0.0, 4.0], [1.0, 3.0], sample_weight=[1, 3]) == pytest.approx(2 / 3, rel=1e-15)


# ---------------------------------------------------------------------------- labels


def random_labels(rng, n, pair, p=None):
    p = rng.uniform(0.05, 0.95) if p is None else p
    return np.array(pair, dtype=object if isinstance(pair[0], str) else None)[
        (rng.random(n) < p).astype(int)
    ].astype(type(pair[0]) if not isinstance(pair[0], str) else str)


@pytest.mark.parametrize("seed", range(80))
def test_label_metrics_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    pair = LABEL_SETS[seed % len(LABEL_SETS)]
    n = int(rng.integers(1, 40))
    y_true = random_labels(rng, n, pair, p=[0.0, 1.0, None, None][seed % 4])  # all-one-class cases too
    y_pred = random_labels(rng, n, pair, p=[None, 0.0, 1.0, None][(seed // 4) % 4])
    weights = random_weights(rng, n) if n > 1 else None
    pos_label = pair[1] if seed % 5 else pair[0]
    for normalize in (True, False):
        ours = metrics.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=weights)
        theirs = skm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=weights)
        np.testing.assert_allclose(ours, theirs, **TOL)
    for name in ("precision_score", "recall_score", "f1_score"):
        for zero_division in ("warn", 0.0, 1.0, np.nan):
            kwargs = {"pos_label": pos_label, "sample_weight": weights, "zero_division": zero_division}
            ours = quiet(getattr(metrics, name), y_true, y_pred, **kwargs)
            theirs = quiet(getattr(skm, name), y_true, y_pred, **kwargs)
            np.testing.assert_allclose(ours, theirs, **TOL, err_msg=f"{name} {zero_division}")
    for normalize in (None, "true", "pred", "all"):
        kwargs = {"labels": list(pair), "sample_weight": weights, "normalize": normalize}
        ours, theirs = (
            metrics.confusion_matrix(y_true, y_pred, **kwargs),
            skm.confusion_matrix(y_true, y_pred, **kwargs),
        )
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, **TOL)
    ours, theirs = (
        quiet(metrics.confusion_matrix, y_true, y_pred),
        quiet(skm.confusion_matrix, y_true, y_pred),
    )
    np.testing.assert_array_equal(ours, theirs)


def test_zero_division_warns_only_for_warn():
    with pytest.warns(UndefinedMetricWarning, match="no sample is predicted positive"):
        assert metrics.precision_score([0, 1], [0, 0]) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="no positive sample"):
        assert metrics.recall_score([0, 0], [0, 1]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.f1_score([0, 0], [0, 0], zero_division=1.0) == 1.0
        assert np.isnan(metrics.precision_score([0, 1], [0, 0], zero_division=np.nan))
    with pytest.raises(ValueError, match="zero_division"):
        metrics.precision_score([0, 1], [0, 0], zero_division=0.5)


def test_confusion_matrix_layout_by_hand():
    # rows: true class, columns: predicted class -> [[TN, FP], [FN, TP]]
    matrix = metrics.confusion_matrix([0, 0, 0, 1, 1], [0, 1, 1, 0, 1])
    np.testing.assert_array_equal(matrix, [[1, 2], [1, 1]])
    np.testing.assert_array_equal(
        metrics.confusion_matrix([0, 0, 0, 1, 1], [0, 1, 1, 0, 1], labels=[1, 0]), [[1, 1], [2, 1]]
    )
    weighted = metrics.confusion_matrix([0, 1, 1], [0, 1, 0], sample_weight=[0.5, 2.0, 1.5])
    np.testing.assert_array_equal(weighted, [[0.5, 0.0], [1.5, 2.0]])
    with pytest.warns(UserWarning, match="1x1"):
        np.testing.assert_array_equal(metrics.confusion_matrix([1, 1], [1, 1]), [[2]])
    np.testing.assert_array_equal(metrics.confusion_matrix([1, 1], [1, 1], labels=[0, 1]), [[0, 0], [0, 2]])


def test_multiclass_accuracy_and_confusion_matrix_like_sklearn():
    rng = np.random.default_rng(7)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    assert metrics.accuracy_score(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )
    subset = {"labels": [3, 0, 2]}  # samples with other labels are left out, rows follow labels' order
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred, **subset), skm.confusion_matrix(y_true, y_pred, **subset)
    )


# ---------------------------------------------------------------------------- scores and probabilities


@pytest.mark.parametrize("seed", range(80))
def test_roc_auc_equals_sklearn_with_ties_and_weights(seed):
    rng = np.random.default_rng(seed)
    pair = LABEL_SETS[seed % len(LABEL_SETS)]
    n = int(rng.integers(2, 80))
    y_true = random_labels(rng, n, pair)
    y_true[0], y_true[1] = pair  # both classes present
    levels = [2, 3, 10, None][seed % 4]  # few distinct scores -> many ties
    score = rng.normal(size=n) if levels is None else rng.integers(0, levels, n) / levels
    weights = random_weights(rng, n)
    if weights is not None:
        weights[:2] = 1.0
    ours = metrics.roc_auc_score(y_true, score, sample_weight=weights)
    np.testing.assert_allclose(ours, skm.roc_auc_score(y_true, score, sample_weight=weights), **TOL)


def test_roc_auc_by_hand_and_one_class():
    # midranks of [0.1, 0.4, 0.4, 0.8] are 1, 2.5, 2.5, 4; positives at 0.4 and 0.8
    assert metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.8]) == (2.5 + 4 - 3) / 4
    assert metrics.roc_auc_score([1, 0], [0.3, 0.3]) == 0.5
    with pytest.warns(UndefinedMetricWarning, match="one class"):
        assert np.isnan(metrics.roc_auc_score([1, 1, 1], [0.1, 0.2, 0.3]))
    with pytest.warns(UndefinedMetricWarning, match="one class"):
        assert np.isnan(metrics.roc_auc_score([0, 1], [0.1, 0.2], sample_weight=[1.0, 0.0]))


def test_roc_auc_large_input_is_fast_and_exact():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 200_000)
    score = np.round(rng.normal(size=200_000) + y_true, 2)  # heavy ties
    np.testing.assert_allclose(metrics.roc_auc_score(y_true, score), skm.roc_auc_score(y_true, score), **TOL)


@pytest.mark.parametrize("seed", range(60))
def test_log_loss_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    pair = LABEL_SETS[seed % len(LABEL_SETS)]
    n = int(rng.integers(2, 60))
    y_true = random_labels(rng, n, pair)
    y_true[0], y_true[1] = pair
    proba = rng.uniform(0, 1, n)
    proba[rng.random(n) < 0.2] = rng.choice([0.0, 1.0])  # exact 0 and 1 exercise the clipping
    weights = random_weights(rng, n)
    two_columns = seed % 2 == 1
    y_proba = np.column_stack([1 - proba, proba]) if two_columns else proba
    for normalize in (True, False):
        ours = metrics.log_loss(y_true, y_proba, normalize=normalize, sample_weight=weights)
        theirs = skm.log_loss(y_true, y_proba, normalize=normalize, sample_weight=weights)
        np.testing.assert_allclose(ours, theirs, **TOL)


def test_log_loss_clipping_and_labels():
    eps = np.finfo(np.float64).eps
    assert metrics.log_loss([0, 1], [1.0, 1.0]) == pytest.approx(-np.log(eps) / 2, rel=1e-15)
    assert metrics.log_loss([0, 1], [0.0, 1.0]) == pytest.approx(-np.log(1 - eps), rel=1e-12)
    # one class in y_true: the labels argument says which column it is
    ours = metrics.log_loss([1, 1], [0.9, 0.6], labels=[0, 1])
    assert ours == pytest.approx(skm.log_loss([1, 1], [0.9, 0.6], labels=[0, 1]), rel=1e-12)
    with pytest.raises(ValueError, match="only the label 1; pass labels"):
        metrics.log_loss([1, 1], [0.9, 0.6])
    with pytest.raises(ValueError, match=r"missing from labels"):
        metrics.log_loss([1, 2], [0.9, 0.6], labels=[0, 1])
    with pytest.warns(UserWarning, match="sum to one"):
        metrics.log_loss([0, 1], [[0.2, 0.7], [0.3, 0.7]])


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: metrics.mean_squared_error([1.0, 2.0], [1.0]), ValueError, "y_true has 2, y_pred has 1"),
        (lambda: metrics.mean_absolute_error([1.0, np.nan], [1.0, 2.0]), ValueError, "nan at index 1"),
        (lambda: metrics.r2_score([1.0, 2.0], [1.0, np.inf]), ValueError, "inf at index 1"),
        (lambda: metrics.mean_squared_error([], []), ValueError, "empty"),
        (lambda: metrics.mean_squared_error(["a"], ["b"]), TypeError, "numbers"),
        (lambda: metrics.mean_squared_error([[1, 2]], [[1, 2, 3]]), ValueError, "2 outputs"),
        (lambda: metrics.mean_squared_error([1, 2], [1, 2], multioutput="x"), ValueError, "multioutput"),
        (
            lambda: metrics.mean_squared_error([1, 2], [1, 2], sample_weight=[1]),
            ValueError,
            "sample_weight has 1",
        ),
        (lambda: metrics.mean_squared_error([1, 2], [1, 2], sample_weight=[0, 0]), ValueError, "all zeros"),
        (lambda: metrics.mean_squared_error([1, 2], [1, 2], sample_weight=[1, np.nan]), ValueError, "nan"),
        (lambda: metrics.accuracy_score([0, 1], [0, 1, 1]), ValueError, "y_true has 2, y_pred has 3"),
        (lambda: metrics.accuracy_score([0, 1], [0.5, 1]), ValueError, "continuous"),
        (lambda: metrics.accuracy_score([0, np.nan], [0, 1]), ValueError, "nan at index 1"),
        (lambda: metrics.accuracy_score([0, 1], ["0", "1"]), ValueError, "same kind of labels"),
        (lambda: metrics.precision_score([0, 1, 2], [0, 1, 1]), ValueError, "3 distinct labels"),
        (lambda: metrics.f1_score(["a", "b"], ["a", "b"]), ValueError, "pos_label=1 is not one of"),
        (lambda: metrics.recall_score([[0, 1]], [[0, 1]]), ValueError, "1-D class labels"),
        (lambda: metrics.roc_auc_score([0, 1, 2], [0.1, 0.2, 0.3]), ValueError, "binary"),
        (lambda: metrics.roc_auc_score([0, 1], [0.1, np.nan]), ValueError, "nan at index 1"),
        (lambda: metrics.roc_auc_score([0, 1], [0.1]), ValueError, "y_true has 2, y_score has 1"),
        (lambda: metrics.log_loss([0, 1], [0.1, 1.5]), ValueError, r"\[0, 1\]"),
        (lambda: metrics.log_loss([0, 1, 2], [0.1, 0.2, 0.3]), ValueError, "binary"),
        (lambda: metrics.log_loss([0, 1], [[0.1, 0.2, 0.7]] * 2), ValueError, "1 or 2 columns"),
        (lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[2, 3]), ValueError, "none of labels"),
        (lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[0, 0]), ValueError, "repeated"),
        (lambda: metrics.confusion_matrix([0, 1], [0, 1], normalize="x"), ValueError, "normalize"),
    ],
)
def test_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_metrics_work_without_scikit_learn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from descenso import metrics\n"
        "print(metrics.roc_auc_score([0, 1, 1], [0.2, 0.9, 0.2]), metrics.r2_score([1, 2, 3], [1, 2, 2]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0.75", "0.5"]
