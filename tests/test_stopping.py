"""Each stopping criterion fires when, and only when, it should, and says why with the numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descenso.history import History
from descenso.nn import Linear
from descenso.stopping import (
    DivergenceError,
    EarlyStopping,
    GradientNorm,
    MaxEpochs,
    TargetLoss,
    TimeBudget,
    Tolerance,
    check_finite_loss,
    check_finite_weights,
)


def run(criterion, rows, model=None):
    """Feed epochs to a criterion one by one, as fit does; return (epoch it fired at or None, reason)."""
    history = History()
    criterion.reset()
    for i, row in enumerate(rows, start=1):
        values = {"train_loss": 1.0, "objective": 1.0, "lr": 0.1, "grad_norm": 1.0, "time": float(i)}
        values.update(row)
        history.record(epoch=i, **values)
        reason = criterion.check(history, model)
        if reason:
            return i, reason
    return None, None


def losses(*values, key="train_loss"):
    return [{key: v} for v in values]


def test_max_epochs_fires_exactly_at_the_limit():
    assert run(MaxEpochs(3), losses(1, 1))[0] is None
    epoch, reason = run(MaxEpochs(3), losses(0.5, 0.4, 0.25, 0.1))
    assert epoch == 3
    assert reason == "reached the maximum of 3 epochs (train_loss 0.25)"


def test_time_budget_fires_on_the_first_epoch_past_the_budget():
    rows = [{"time": t} for t in (0.4, 0.9, 1.4, 2.0)]
    epoch, reason = run(TimeBudget(1.0), rows)
    assert epoch == 3
    assert reason == "the time budget of 1 s ran out after 1.4 s (epoch 3)"
    assert run(TimeBudget(5.0), rows)[0] is None


def test_target_loss_fires_at_or_below_the_target_only():
    epoch, reason = run(TargetLoss(0.1), losses(0.5, 0.2, 0.1000001, 0.1, 0.05))
    assert epoch == 4
    assert reason == "train_loss 0.1 reached the target 0.1 at epoch 4"
    assert run(TargetLoss(0.01), losses(0.5, 0.2, 0.011))[0] is None


def test_target_loss_on_validation_loss():
    rows = [{"val_loss": v} for v in (0.9, 0.3, 0.2)]
    epoch, reason = run(TargetLoss(0.25, monitor="val_loss"), rows)
    assert (epoch, reason) == (3, "val_loss 0.2 reached the target 0.25 at epoch 3")


def test_tolerance_counts_epochs_that_do_not_improve_by_more_than_tol():
    # best 1.0 at epoch 1; epochs 2-4 improve by < tol = 0.01 each (0.995, 0.991, 0.9905): not improvements.
    rows = losses(1.0, 0.995, 0.991, 0.9905, key="objective")
    epoch, reason = run(Tolerance(tol=0.01, n_iter_no_change=3), rows)
    assert epoch == 4
    assert reason == (
        "objective did not improve by more than tol=0.01 for 3 epochs (best 0.9905 at epoch 4, now 0.9905)"
    )


def test_tolerance_resets_its_counter_on_a_real_improvement():
    # 2 stalled epochs, then a drop of 0.5 (> tol), then 2 stalled: never 3 in a row.
    rows = losses(1.0, 1.0, 1.0, 0.5, 0.5, 0.5, key="objective")
    assert run(Tolerance(tol=0.01, n_iter_no_change=3), rows)[0] is None
    assert run(Tolerance(tol=0.01, n_iter_no_change=2), rows)[0] == 3


def test_tolerance_reads_the_objective_not_the_data_loss():
    # The data loss keeps falling but the objective (with the penalty) does not: it must fire.
    rows = [{"train_loss": 1.0 / i, "objective": 2.0} for i in range(1, 6)]
    assert run(Tolerance(tol=1e-4, n_iter_no_change=2), rows)[0] == 3


def test_gradient_norm_fires_strictly_below_eps():
    rows = [{"grad_norm": g} for g in (1.0, 1e-3, 1e-6, 9.9e-7)]
    epoch, reason = run(GradientNorm(1e-6), rows)
    assert epoch == 4
    assert reason == "the gradient norm 9.9e-07 fell below eps=1e-06 at epoch 4"


def val(*values):
    return [{"val_loss": v} for v in values]


def test_early_stopping_waits_patience_epochs_after_the_best():
    epoch, reason = run(EarlyStopping(patience=2), val(1.0, 0.5, 0.6, 0.55, 0.4))
    assert epoch == 4
    assert reason == "val_loss did not improve for 2 epochs (best 0.5 at epoch 2, now 0.55 at epoch 4)"
    assert run(EarlyStopping(patience=3), val(1.0, 0.5, 0.6, 0.55, 0.4))[0] is None


def test_early_stopping_min_delta_makes_small_gains_not_count():
    rows = val(1.0, 0.95, 0.91, 0.9)  # gains of 0.05, 0.04, 0.01 < min_delta 0.1
    assert run(EarlyStopping(patience=3, min_delta=0.1), rows)[0] == 4
    assert run(EarlyStopping(patience=3, min_delta=0.0), rows)[0] is None


def test_early_stopping_ignores_epochs_before_start_from_epoch():
    rows = val(1.0, 2.0, 3.0, 4.0, 0.5, 0.6)
    assert run(EarlyStopping(patience=1), rows)[0] == 2
    # Epochs 1-4 ignored: the first seen is 0.5 at epoch 5, and 0.6 at epoch 6 is the first stall.
    assert run(EarlyStopping(patience=1, start_from_epoch=4), rows)[0] == 6


def test_early_stopping_baseline_must_be_beaten():
    epoch, reason = run(EarlyStopping(patience=3, baseline=0.3), val(0.5, 0.4, 0.35, 0.2))
    assert epoch == 3
    assert reason == "val_loss did not beat the baseline 0.3 in 3 epochs (now 0.35 at epoch 3)"
    assert run(EarlyStopping(patience=3, baseline=0.3), val(0.5, 0.4, 0.25, 0.26, 0.27))[0] is None


def test_early_stopping_maximises_accuracy_in_auto_mode():
    rows = [{"metrics": {"val_accuracy": a}} for a in (0.5, 0.8, 0.7, 0.75)]
    epoch, reason = run(EarlyStopping(monitor="val_accuracy", patience=2), rows)
    assert epoch == 4
    assert "best 0.8 at epoch 2" in reason


def test_early_stopping_restores_the_best_weights_at_finalize():
    model = Linear(2, 1, rng=0)
    criterion = EarlyStopping(patience=2)
    history = History()
    criterion.reset()
    snapshots = {}
    for epoch, loss in enumerate((1.0, 0.3, 0.5, 0.6), start=1):
        model.weight.data[...] = epoch  # the "training" of this epoch
        snapshots[epoch] = model.state_dict()
        history.record(epoch=epoch, train_loss=1, objective=1, lr=0.1, grad_norm=1, time=0, val_loss=loss)
        if criterion.check(history, model):
            break
    assert epoch == 4
    note = criterion.finalize(history, model)
    assert note == "restored the best weights, from epoch 2 (val_loss 0.3)"
    np.testing.assert_array_equal(model.weight.data, snapshots[2]["weight"])
    assert history.best_epoch == 2


def test_early_stopping_without_restore_keeps_the_last_weights():
    model = Linear(2, 1, rng=0)
    criterion = EarlyStopping(patience=1, restore_best_weights=False)
    run(criterion, val(1.0, 2.0), model=model)
    before = model.weight.data.copy()
    assert criterion.finalize(History(), model) is None
    np.testing.assert_array_equal(model.weight.data, before)


def test_reset_forgets_the_previous_run():
    criterion = Tolerance(tol=0.1, n_iter_no_change=2)
    assert run(criterion, losses(1.0, 1.0, 1.0, key="objective"))[0] == 3
    assert run(criterion, losses(1.0, 1.0, key="objective"))[0] is None  # run() calls reset() first


@pytest.mark.parametrize(("value", "word"), [(math.nan, "NaN"), (math.inf, "inf"), (-math.inf, "-inf")])
def test_divergence_error_names_the_epoch_and_suggests_a_smaller_lr(value, word):
    with pytest.raises(DivergenceError) as info:
        check_finite_loss(value, epoch=3, lr=10.0)
    assert str(info.value) == (
        f"the loss became {word} at epoch 3 (lr=10.0); try a smaller learning rate, e.g. lr=1.0"
    )
    assert isinstance(info.value, ValueError)
    assert info.value.suggested_lr == 1.0
    check_finite_loss(1e30, epoch=1, lr=0.1)  # large but finite: not divergence


def test_divergence_in_the_weights_names_the_parameter():
    model = Linear(2, 1, rng=0)
    check_finite_weights(model, epoch=1, lr=0.5)
    model.bias.data[0] = np.inf
    expected = r"the weights 'bias' became inf at epoch 7 \(lr=0.5\).*lr=0.05"
    with pytest.raises(DivergenceError, match=expected):
        check_finite_weights(model, epoch=7, lr=0.5)


def test_the_weights_check_through_the_optimizers_buffer_names_the_parameter_too():
    from descenso.nn import MLP
    from descenso.optim import Adam

    model = MLP(3, hidden=(4,), rng=0)
    packed = Adam(model.parameters(), lr=0.1).packed
    check_finite_weights(model, epoch=1, lr=0.1, packed=packed)
    model.layers[0].weight.data[1, 2] = 3e38  # finite, but w . w overflows float32: the walk decides
    check_finite_weights(model, epoch=1, lr=0.1, packed=packed)
    model.layers[-1].bias.data[0] = np.nan
    with pytest.raises(DivergenceError, match=r"the weights 'layers.2.bias' became NaN at epoch 4"):
        check_finite_weights(model, epoch=4, lr=0.1, packed=packed)
    model.layers[-1].bias.data = np.zeros(1, np.float32)  # replaced: no longer in the buffer
    model.layers[0].weight.data[1, 2] = np.inf
    assert not packed.holds_data()
    with pytest.raises(DivergenceError, match=r"the weights 'layers.0.weight' became inf"):
        check_finite_weights(model, epoch=4, lr=0.1, packed=packed)


@pytest.mark.parametrize(
    "make",
    [
        lambda: MaxEpochs(0),
        lambda: TimeBudget(-1),
        lambda: Tolerance(tol=-1),
        lambda: GradientNorm(0),
        lambda: EarlyStopping(patience=0),
        lambda: EarlyStopping(mode="biggest"),
    ],
)
def test_bad_settings_are_refused_at_construction(make):
    with pytest.raises(ValueError, match="must be"):
        make()


def test_history_last_row_is_the_last_entry_of_every_series_it_names():
    for validated in (False, True):
        h = History()
        for epoch in (1, 2, 3):
            h.record(epoch=epoch, train_loss=1.0 / epoch, objective=2.0 / epoch, lr=0.1 * epoch,
                     grad_norm=float(epoch), time=0.5 * epoch, val_loss=3.0 / epoch if validated else None,
                     metrics={"accuracy": 0.2 * epoch}, optimum_gap=0.01 * epoch)  # fmt: skip
            assert h.last_row() == {name: h.get(name)[-1] for name in h.names()}
        assert ("val_loss" in h.last_row()) is validated
        assert h.last_row()["accuracy"] == h.metrics["accuracy"][-1]
    h.val_loss[:2] = [None, None]  # a val_loss on some epochs only still names the series
    assert "val_loss" in h.names()
