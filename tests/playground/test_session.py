"""The training session on its own: the same engine loop as fit, stepped by hand."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from descenso.playground.inputs import builtin_points, representation
from descenso.playground.protocol import Config, Settings, StopRules
from descenso.playground.session import Session
from descenso.playground.snapshot import snapshot_message

BASE = {"dataset": "circles", "points": 200, "features": ["r", "theta"], "batch_size": 20,
        "layers": [{"neurons": 4, "activation": "tanh"}], "init_seed": 5, "data_seed": 2}  # fmt: skip


def train(session: Session, steps: int) -> None:
    for _ in range(steps):
        assert session.step() is None


def test_the_same_settings_give_the_same_weights_bit_for_bit() -> None:
    one, two = Session(Config(**BASE)), Session(Config(**BASE))
    train(one, 37)
    train(two, 37)
    for (name, a), (_, b) in zip(one.model.state_dict().items(), two.model.state_dict().items(), strict=True):
        assert np.array_equal(a, b), name
    other = Session(Config(**{**BASE, "init_seed": 6}))
    assert not np.array_equal(other.initial_state["layers.0.weight"], one.initial_state["layers.0.weight"])


def test_the_representation_gives_exactly_the_chosen_columns() -> None:
    X = np.array([[3.0, 4.0], [-1.0, 0.5]], dtype=np.float32)
    every = representation(["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "r", "theta"], False)
    x1, x2 = X[:, 0], X[:, 1]
    columns = [x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2), np.hypot(x1, x2), np.arctan2(x2, x1)]
    expected = np.stack(columns, axis=1)
    np.testing.assert_allclose(every.fit_transform(X), expected, rtol=1e-6)
    np.testing.assert_allclose(representation(["theta", "x2"], False).fit_transform(X), expected[:, [1, 8]])


def test_sine_gets_a_second_irrelevant_input_so_it_can_be_drawn() -> None:
    X, y = builtin_points(Config(task="regression", dataset="sine", points=100, noise=0.0))
    assert X.shape == (100, 2) and X.dtype == np.float32
    np.testing.assert_allclose(y, np.sin(X[:, 0]), atol=1e-6)
    assert abs(np.corrcoef(X[:, 1], y)[0, 1]) < 0.3


def test_circles_in_polar_coordinates_reach_95_percent() -> None:
    session = Session(Config(**{**BASE, "optimizer": "adam", "lr": 0.05}))
    while session.epoch < 40:
        session.step()
    train_accuracy, test_accuracy = session.metrics()
    assert test_accuracy >= 0.95 and train_accuracy >= 0.95
    assert session.history.train_loss[-1] < 0.5 * session.history.train_loss[0]


def test_each_epoch_records_the_loss_on_the_whole_sets() -> None:
    session = Session(Config(**BASE))
    train(session, 5)  # 100 training points in batches of 20: one epoch
    assert session.epoch == 1 and len(session.history) == 1
    train_loss, test_loss = session.losses()
    assert session.history.train_loss == [pytest.approx(train_loss)]
    assert session.history.val_loss == [pytest.approx(test_loss)]


def test_l2_pulls_the_weights_towards_zero() -> None:
    norms = []
    for l2 in (0.0, 0.5):
        session = Session(Config(**{**BASE, "l2": l2, "lr": 0.1}))
        train(session, 60)
        norms.append(float(np.sum(session.model.state_dict()["layers.0.weight"] ** 2)))
    assert norms[1] < 0.6 * norms[0]


def test_the_objective_adds_fits_penalty_on_the_weight_matrices() -> None:
    session = Session(Config(**{**BASE, "l1": 0.01, "l2": 0.5}))
    Z, y = session.Z_train[:20], session.data.y_train[:20]
    data_loss, total = session.objective(Z, y)
    weights = [w for name, w in session.model.state_dict().items() if name.endswith("weight")]
    expected = sum(0.5 / 2 * float((w.astype(np.float64) ** 2).sum()) + 0.01 * float(np.abs(w).sum())
                   for w in weights)  # fmt: skip
    assert total.item() - data_loss.item() == pytest.approx(expected, rel=1e-5)
    plain = Session(Config(**BASE))
    data_loss, total = plain.objective(Z, y)
    assert total is data_loss  # no penalty: the data loss itself is differentiated


def test_live_settings_change_the_next_step_only() -> None:
    session = Session(Config(**BASE))
    train(session, 3)
    session.apply(Settings(lr=0.5, batch_size=50))
    assert session.optimizer.lr == 0.5 and session.steps == 3 and session.position == 60
    before = session.model.state_dict()
    session.step()
    assert session.position == 0 and session.epoch == 1  # rows 60..99: the rest of the epoch
    assert session.last_step is not None
    _, update, old = session.last_step["layers.0.weight"]
    np.testing.assert_array_equal(old, before["layers.0.weight"])
    assert np.abs(update).max() > 0


@pytest.mark.parametrize(
    ("stop", "start"),
    [
        (StopRules(max_epochs=3), "reached the maximum of 3 epochs"),
        (StopRules(target_loss=0.6), "train_loss"),
        (StopRules(patience=2), "val_loss did not improve for 2 epochs"),
    ],
)
def test_the_librarys_stop_rules_say_why(stop: StopRules, start: str) -> None:
    config = Config(**{**BASE, "stop": stop, "lr": 3.0 if stop.patience else 0.03, "optimizer": "sgd"})
    session = Session(config)
    event = session.run_for(5.0)
    assert event == "stopped" and session.state == "stopped"
    assert session.reason is not None and start in session.reason
    if stop.patience:
        assert "restored the best weights" in session.reason


def test_tabs_train_in_threads_at_once_exactly_as_alone() -> None:
    # The server runs each tab's work in worker threads, and tabs do not wait for each other: a
    # snapshot drawn under no_grad for one tab must not switch off another tab's gradients.
    alone = Session(Config(**BASE))
    train(alone, 150)
    tab, other, viewer = (Session(Config(**{**BASE, "init_seed": seed})) for seed in (5, 9, 11))
    done = threading.Event()
    errors: list[BaseException] = []

    def guarded(work):
        def run():
            try:
                work()
            except BaseException as error:  # re-raised below, in the test's thread
                errors.append(error)

        return run

    def draw() -> None:
        while not done.is_set():
            snapshot_message(viewer)

    def train_tab() -> None:
        try:
            train(tab, 150)
        finally:
            done.set()

    threads = [threading.Thread(target=guarded(w)) for w in (draw, train_tab, lambda: train(other, 150))]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so steps and snapshots interleave
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    for name, value in alone.model.state_dict().items():
        assert np.array_equal(tab.model.state_dict()[name], value), name
