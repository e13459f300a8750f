"""Losses: values by hand, reductions, sample weights, gradients (incl. extremes), errors."""

import warnings

import numpy as np
import pytest

import descenso as ds
from descenso import losses
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

ALL = ["mse", "mae", "huber", "bce_with_logits", "bce", "hinge"]


def test_hand_worked_values():
    p = ds.tensor([1.0, 2.0, -1.0], dtype="float64")
    y = [0.0, 4.0, -1.0]
    assert losses.mse(p, y).item() == pytest.approx((1 + 4 + 0) / 3)
    assert losses.mae(p, y).item() == pytest.approx((1 + 2 + 0) / 3)
    # huber delta=1: 0.5*1^2, 1*(2 - 0.5), 0
    assert losses.huber(p, y).item() == pytest.approx((0.5 + 1.5 + 0) / 3)
    assert losses.huber(p, y, delta=2.0).item() == pytest.approx((0.5 + 2.0 + 0) / 3)
    z, t = ds.tensor([0.0, 2.0, -3.0], dtype="float64"), [1.0, 0.0, 0.0]
    expected = [np.log(2), np.log1p(np.exp(2.0)), np.log1p(np.exp(-3.0))]
    np.testing.assert_allclose(losses.bce_with_logits(z, t, reduction="none").data, expected, rtol=1e-12)
    probs = ds.tensor([0.5, 0.9, 0.2], dtype="float64")
    np.testing.assert_allclose(
        losses.bce(probs, t, reduction="none").data, [np.log(2), -np.log(0.1), -np.log(0.8)], rtol=1e-12
    )
    # hinge: targets 1, 0, 0 -> s = +1, -1, -1; max(0, 1 - s z)
    np.testing.assert_allclose(losses.hinge(z, t, reduction="none").data, [1.0, 3.0, 0.0])


def test_pos_weight_scales_the_positive_term_only():
    z = ds.tensor([0.5, 0.5], dtype="float64")
    plain = losses.bce_with_logits(z, [1.0, 0.0], reduction="none").data
    weighted = losses.bce_with_logits(z, [1.0, 0.0], reduction="none", pos_weight=3.0).data
    np.testing.assert_allclose(weighted, [3 * plain[0], plain[1]], rtol=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_reductions_and_sample_weight(name):
    fn = losses.get(name)
    rng = np.random.default_rng(0)
    p = ds.tensor(rng.uniform(0.1, 0.9, size=(6, 1)))
    y = (rng.random(6) > 0.5).astype(np.float64)
    w = rng.uniform(0.5, 2.0, size=6)
    each = fn(p, y, reduction="none").data.ravel()
    assert fn(p, y).item() == pytest.approx(each.mean())
    assert fn(p, y, reduction="sum").item() == pytest.approx(each.sum())
    assert fn(p, y, sample_weight=w).item() == pytest.approx((w * each).sum() / w.sum())
    assert fn(p, y, reduction="sum", sample_weight=w).item() == pytest.approx((w * each).sum())
    np.testing.assert_allclose(fn(p, y, reduction="none", sample_weight=w).data.ravel(), w * each, rtol=1e-12)
    # Integer weights equal repeating samples.
    counts = np.array([1, 2, 1, 3, 1, 1])
    repeated = fn(ds.tensor(np.repeat(p.data, counts, axis=0)), np.repeat(y, counts)).item()
    assert fn(p, y, sample_weight=counts).item() == pytest.approx(repeated)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_prediction(name, reduction):
    fn = losses.get(name)
    rng = np.random.default_rng(1)
    p = rng.uniform(0.1, 0.9, size=(5, 1))
    p[0] = 0.35  # away from every kink
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    w = rng.uniform(0.5, 2, size=5)
    assert gradcheck(lambda p: fn(p, y, reduction=reduction), p)
    assert gradcheck(lambda p: fn(p, y, reduction=reduction, sample_weight=w), p)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "bce_with_logits", "bce"])
def test_gradcheck_target_too(name):
    fn = losses.get(name)
    p = np.array([0.2, 0.7, 0.4])
    y = np.array([0.9, 0.1, 0.5])  # soft labels, so the target is differentiable everywhere here
    assert gradcheck(lambda p, y: fn(p, y), p, y)


def test_gradcheck_bce_with_logits_pos_weight_and_large_logits():
    y = np.array([1.0, 0.0, 1.0, 0.0])
    assert gradcheck(lambda z: losses.bce_with_logits(z, y, pos_weight=2.5), [0.3, -1.2, 40.0, -40.0])
    assert gradcheck(lambda z, t: losses.bce_with_logits(z, t, pos_weight=0.5), [0.3, -1.2], [0.2, 0.7])
    assert gradcheck(lambda z: losses.bce_with_logits(z, y), [1000.0, -1000.0, -1000.0, 1000.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_with_logits_extreme_logits_are_finite_without_warnings(dtype):
    z = ds.tensor([1000.0, -1000.0, 1000.0, -1000.0], requires_grad=True, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = losses.bce_with_logits(z, [1.0, 0.0, 0.0, 1.0], reduction="sum", pos_weight=2.0)
        loss.backward()
    assert loss.dtype == np.dtype(dtype)
    assert loss.item() == pytest.approx(1000 + 2 * 1000)  # two right, one wrong negative, one wrong positive
    np.testing.assert_allclose(z.grad, [0.0, 0.0, 1.0, -2.0])


def test_bce_clips_probabilities():
    p = ds.tensor([0.0, 1.0], requires_grad=True, dtype="float64")
    loss = losses.bce(p, [1.0, 0.0], reduction="none")
    np.testing.assert_allclose(loss.data, -np.log(1e-7) * np.ones(2), rtol=1e-6)
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad)) and np.all(p.grad == 0)  # outside the clip range


def test_float32_stays_float32():
    p = ds.tensor([[0.5], [0.2]], requires_grad=True)
    for name in ALL:
        loss = losses.get(name)(p, np.array([1.0, 0.0]), sample_weight=np.array([1.0, 2.0]))
        assert loss.dtype == np.float32, name
        p.grad = None
        loss.backward()
        assert p.grad.dtype == np.float32


def test_target_shape_rules():
    p = ds.tensor([[0.1], [0.2], [0.3]])
    assert losses.mse(p, [0.0, 0.0, 0.0], reduction="none").shape == (3, 1)  # (n,) fits (n, 1)
    assert losses.mse(ds.tensor([0.1, 0.2]), [[0.0], [0.0]], reduction="none").shape == (2,)
    with pytest.raises(ValueError, match=r"prediction has shape \(3, 1\) but target has shape \(2,\)"):
        losses.mse(p, [0.0, 1.0])
    with pytest.raises(ValueError, match="target has shape"):
        losses.mse(ds.zeros(2, 3), np.zeros((3, 2)))


def test_classification_targets_must_be_binary():
    z = ds.tensor([0.1, 0.2])
    with pytest.raises(ValueError, match=r"targets must be in \{0, 1\}.*\[-1.0\]"):
        losses.bce_with_logits(z, [-1.0, 1.0])
    with pytest.raises(ValueError, match=r"\[2.0\]"):
        losses.bce(ds.tensor([0.1, 0.2]), [2.0, 1.0])
    with pytest.raises(ValueError, match=r"targets must be in \{0, 1\}; got values such as \[0.5\]"):
        losses.hinge(z, [0.5, 1.0])
    with pytest.raises(ValueError, match="nan"):
        losses.bce_with_logits(z, [np.nan, 1.0])


def test_argument_errors():
    p = ds.tensor([0.1, 0.2])
    with pytest.raises(ValueError, match="reduction must be one of"):
        losses.mse(p, [0, 0], reduction="avg")
    with pytest.raises(TypeError, match="prediction must be a Tensor"):
        losses.mse([0.1, 0.2], [0, 0])
    with pytest.raises(ValueError, match=r"one weight per sample, shape \(2,\)"):
        losses.mse(p, [0, 0], sample_weight=[1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        losses.mse(p, [0, 0], sample_weight=[1, -2])
    with pytest.raises(ValueError, match="sums to 0"):
        losses.mse(p, [0, 0], sample_weight=[0, 0])
    with pytest.raises(ValueError, match="delta must be positive"):
        losses.huber(p, [0, 0], delta=0)
    with pytest.raises(ValueError, match="pos_weight"):
        losses.bce_with_logits(p, [0, 1], pos_weight=-1)


def test_get():
    assert losses.get("MSE") is losses.mse and losses.get("l1") is losses.mae
    assert losses.get("binary_cross_entropy") is losses.bce

    def custom(p, y):
        return p

    assert losses.get(custom) is custom
    with pytest.raises(ValueError, match=r"unknown loss 'cross'.*bce_with_logits"):
        losses.get("cross")
    with pytest.raises(TypeError):
        losses.get(3)
