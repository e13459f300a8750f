"""Checkpoints and resume through fit(): a run stopped anywhere and resumed ends bit for bit where an
uninterrupted one does; a checkpoint of another run is refused naming what differs; a folder in use,
unwritable or already holding a checkpoint is refused before any training; a failed write leaves the
previous checkpoint intact."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from descenso import serialize
from descenso.checkpoint import CHECKPOINT_FILE, Checkpointer, CheckpointError, _Lock
from descenso.nn import MLP, Dropout, Linear, ReLU, Sequential
from descenso.optim import SGD, StepLR
from descenso.stopping import EarlyStopping, Tolerance, TrainingInterrupted
from descenso.train import fit


class CrashError(Exception):
    """Stands for the process dying: nothing after it runs."""


class CrashAt:
    def __init__(self, step):
        self.step = step

    def on_step_end(self, step, logs, model):
        if step == self.step:
            raise CrashError


class Schedule:
    """A callback with state: a StepLR stepped each epoch (its state must survive a resume)."""

    def __init__(self, optimizer):
        self.schedule = StepLR(optimizer, step_size=2, gamma=0.5)

    def on_epoch_end(self, epoch, logs, model):
        self.schedule.step()

    def state_dict(self):
        return self.schedule.state_dict()

    def load_state_dict(self, state):
        self.schedule.load_state_dict(state)


def data(dtype="float32", n=50):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 2)).astype(dtype)
    return X, (X[:, 0] * X[:, 1] > 0).astype(dtype)


def train(folder=None, crash=None, resume=False, dtype="float32", every=5, optimizer="adam", dropout=False,
          epochs=10, **kwargs):  # fmt: skip
    X, y = data(dtype)
    if dropout:
        model = Sequential(Linear(2, 8, rng=0, dtype=dtype), ReLU(), Dropout(0.2, rng=5),
                           Linear(8, 1, rng=1, dtype=dtype))  # fmt: skip
    else:
        model = MLP(2, hidden=(8,), out_features=1, rng=0, dtype=dtype)
    callbacks = [CrashAt(crash)] if crash else []
    if optimizer == "sgd":
        optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
        callbacks.append(Schedule(optimizer))
    history = fit(model, X, y, loss="bce_with_logits", optimizer=optimizer, epochs=epochs, batch_size=16,
                  validation=0.2, rng=3, stop=[EarlyStopping(patience=3), Tolerance(n_iter_no_change=4)],
                  metrics=["accuracy"], callbacks=callbacks, checkpoint=folder, checkpoint_every=every,
                  resume=resume, **kwargs)  # fmt: skip
    return model, history


def assert_same_run(first, second):
    (model_a, history_a), (model_b, history_b) = first, second
    for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert a.data.dtype == b.data.dtype and a.data.tobytes() == b.data.tobytes()
    a, b = history_a.to_dict(), history_b.to_dict()
    assert a.pop("time") != [] and b.pop("time") != []
    assert a == b
    assert history_b.epoch == list(range(1, len(history_b.epoch) + 1))  # each epoch exactly once


@pytest.mark.parametrize(
    ("dtype", "crash", "every", "optimizer", "dropout"),
    [
        ("float32", 13, 5, "adam", False),  # in mid-epoch (3 steps an epoch), 3 steps after a checkpoint
        ("float64", 12, 4, "adam", True),  # the last step of an epoch, with Dropout's generator
        ("float32", 9, "epoch", "sgd", False),  # momentum and a schedule callback
    ],
)
def test_a_crashed_run_resumes_bit_for_bit(tmp_path, dtype, crash, every, optimizer, dropout):
    reference = train(dtype=dtype, optimizer=optimizer, dropout=dropout)
    with pytest.raises(CrashError):
        train(tmp_path, crash=crash, dtype=dtype, every=every, optimizer=optimizer, dropout=dropout)
    assert (tmp_path / CHECKPOINT_FILE).exists()
    resumed = train(tmp_path, resume=True, dtype=dtype, every=every, optimizer=optimizer, dropout=dropout)
    assert_same_run(reference, resumed)
    assert os.listdir(tmp_path) == []  # finished: the checkpoint and the lock are gone


def test_early_stopping_state_survives_a_resume(tmp_path):
    X, y = data()
    runs = []
    for folder, crash in ((None, None), (tmp_path, 7)):
        for resume in (False, True) if folder else (False,):
            model = MLP(2, hidden=(8,), out_features=1, rng=0)
            stop = EarlyStopping(patience=2, min_delta=0.5)  # stops early, best weights restored
            try:
                history = fit(model, X, y, loss="bce_with_logits", lr=0.05, epochs=40, batch_size=16,
                              validation=0.2, rng=3, stop=[stop], checkpoint=folder, resume=resume,
                              callbacks=[CrashAt(crash)] if crash and not resume else [])  # fmt: skip
            except CrashError:
                continue
            runs.append((model, history))
    assert runs[0][1].stopped_by == "early_stopping" and len(runs[0][1].epoch) < 40
    assert_same_run(runs[0], runs[1])


def test_a_resume_without_a_checkpoint_starts_from_the_beginning(tmp_path):
    assert_same_run(train(), train(tmp_path / "new", resume=True))


def test_interrupt_writes_a_checkpoint_and_says_how_to_resume(tmp_path):
    import signal

    class Interrupt:
        def on_step_end(self, step, logs, model):
            if step == 6:
                os.kill(os.getpid(), signal.SIGTERM)

    X, y = data()
    model = Linear(2, 1, rng=0)
    with pytest.warns(TrainingInterrupted, match="SIGTERM during epoch 2.*saved a checkpoint at step 2"):
        history = fit(model, X, y, epochs=5, batch_size=16, rng=0, checkpoint=tmp_path,
                      checkpoint_every=100, callbacks=[Interrupt()])  # fmt: skip
    assert history.interrupted_by == "SIGTERM" and history.n_steps == 6
    resumed = Linear(2, 1, rng=0)
    history = fit(resumed, X, y, epochs=5, batch_size=16, rng=0, checkpoint=tmp_path, resume=True)
    reference = Linear(2, 1, rng=0)
    fit(reference, X, y, epochs=5, batch_size=16, rng=0)
    assert resumed.weight.data.tobytes() == reference.weight.data.tobytes()
    assert history.n_steps == 20 and history.epoch == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n": 60}, "other data: the training data hash"),
        ({"batch_size": 8}, "other settings: batch_size is 8 now, 16 in the checkpoint"),
        ({"hidden": (4,)}, "another model: parameters"),
        ({"lr": 0.5}, "other settings: optimizer is"),
    ],
)
def test_a_checkpoint_of_another_run_is_refused_naming_what_differs(tmp_path, change, message):
    def run(crash=None, resume=False, n=50, batch_size=16, hidden=(8,), lr=0.01):
        X, y = data(n=n)
        model = MLP(2, hidden=hidden, out_features=1, rng=0)
        fit(model, X, y, lr=lr, epochs=3, batch_size=batch_size, rng=0, checkpoint=tmp_path,
            checkpoint_every=2, resume=resume, callbacks=[CrashAt(crash)] if crash else [])  # fmt: skip

    with pytest.raises(CrashError):
        run(crash=3)
    before = (tmp_path / CHECKPOINT_FILE).read_bytes()
    with pytest.raises(ValueError, match=message):
        run(resume=True, **change)
    assert (tmp_path / CHECKPOINT_FILE).read_bytes() == before


def test_a_folder_holding_a_checkpoint_is_not_overwritten_without_resume(tmp_path):
    with pytest.raises(CrashError):
        train(tmp_path, crash=6)
    before = (tmp_path / CHECKPOINT_FILE).read_bytes()
    with pytest.raises(
        CheckpointError, match=r"already holds the checkpoint of an unfinished run.*resume=True"
    ):
        train(tmp_path)
    assert (tmp_path / CHECKPOINT_FILE).read_bytes() == before


def test_a_folder_in_use_by_another_run_is_refused_naming_its_pid(tmp_path):
    with (
        _Lock(tmp_path / "lock"),
        pytest.raises(CheckpointError, match=f"in use by another run \\(pid {os.getpid()}"),
    ):
        train(tmp_path, crash=1)  # refused before the first step
    assert_same_run(train(), train(tmp_path))  # the lock is released with its holder


@pytest.mark.parametrize("where", ["parent is a file", "folder is a file"])
def test_an_unusable_folder_fails_before_training(tmp_path, where):
    (tmp_path / "file").write_text("x")
    folder = tmp_path / "file" / "ckpt" if where == "parent is a file" else tmp_path / "file"
    with pytest.raises(CheckpointError, match=r"cannot use .* as the checkpoint folder"):
        train(folder, crash=1)  # a CrashError would mean training started


def test_a_failed_write_stops_training_and_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    with pytest.raises(CrashError):
        train(tmp_path, crash=7)  # checkpoint after step 5
    before = (tmp_path / CHECKPOINT_FILE).read_bytes()

    def disk_full(file, data):
        file.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(serialize, "_write_all", disk_full)
    with pytest.raises(CheckpointError, match=r"checkpoint.safetensors': \[ENOSPC\] No space left.*"
                       r"previous checkpoint \(epoch 2, step 2\) is intact") as caught:  # fmt: skip
        train(tmp_path, resume=True)
    assert caught.value.errno == errno.ENOSPC
    assert (tmp_path / CHECKPOINT_FILE).read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [CHECKPOINT_FILE]  # no temporary file, lock released


def test_checkpoint_arguments_are_checked():
    X, y = data()
    with pytest.raises(ValueError, match="checkpoint_every must be a positive number of steps or 'epoch'"):
        fit(Linear(2, 1, rng=0), X, y, checkpoint="x", checkpoint_every=0)
    with pytest.raises(ValueError, match="resume=True needs checkpoint="):
        fit(Linear(2, 1, rng=0), X, y, resume=True)
    with pytest.raises(TypeError, match="checkpoint must be a folder path"):
        Checkpointer(3)


def test_a_non_finite_gradient_is_never_applied_and_is_named():
    from descenso.finite_gradients import NonFiniteGradientError
    from descenso.nn import Module, Parameter

    class SqrtModel(Module):  # d sqrt(w)/dw is infinite at w = 0, while sqrt(0) = 0 is finite
        def __init__(self):
            super().__init__()
            self.w = Parameter(np.array([[1.0]], dtype=np.float64))

        def forward(self, x):
            return x @ self.w.abs().sqrt()

    X = np.ones((4, 1))
    model = SqrtModel()
    model.w.data[...] = 0.0
    with pytest.raises(NonFiniteGradientError, match=r"gradient of 'w' became (NaN|inf).*loss was finite"):
        fit(model, X, np.zeros(4), optimizer="sgd", lr=0.1, epochs=2, batch_size=None)
    assert model.w.data.tolist() == [[0.0]]  # the step was not applied
