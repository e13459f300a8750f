"""An ensemble's checkpoints: each network in its own folder, the finished ones kept, resumed bit for bit.

A fit killed (here: an exception raised from the checkpointer, as a crash would be) while the second
of the default three networks trains resumes that network from its own checkpoint, loads the first
from the file it left when it finished, and ends with the uninterrupted fit's weights and histories.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from descenso import checkpoint
from descenso.checkpoint import CHECKPOINT_FILE, CheckpointError, CheckpointMismatchError
from descenso.estimators import BinaryClassifier, Regressor
from descenso.estimators._member_checkpoints import FINISHED_FILE

pytestmark = pytest.mark.filterwarnings("ignore::descenso.stopping.ConvergenceWarning")  # 6 epochs: short

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * RNG.normal(size=120)


class CrashError(Exception):
    """The process dying, as the fit sees it."""


def crash_in_network(monkeypatch, network: int, step: int) -> list:
    """Raise CrashError once the ``network``-th checkpointer (one per network, in turn) reaches ``step``.

    Returns the checkpointers seen so far (network 0: never crash, only count them)."""
    step_done, seen = checkpoint.Checkpointer.step_done, []

    def patched(self, run, at, force=False):
        step_done(self, run, at, force)
        seen.extend([] if self in seen else [self])
        if len(seen) == network and run.history.n_steps == step:
            raise CrashError

    monkeypatch.setattr(checkpoint.Checkpointer, "step_done", patched)
    return seen


def make(cls=Regressor, **params):
    return cls(hidden=(8,), max_epochs=6, batch_size=16, random_state=0, linear_candidate=False, **params)


def weights(model) -> dict[str, bytes]:
    return {name: array.tobytes() for name, array in model.model_.state_dict().items()}


@pytest.mark.parametrize(("cls", "target"), [(Regressor, Y), (BinaryClassifier, (Y > 0).astype(int))])
@pytest.mark.parametrize("network", [2, 3])
def test_a_fit_crashed_in_a_later_network_resumes_it_bit_for_bit(tmp_path, monkeypatch, cls, target, network):
    reference = make(cls).fit(X, target)
    folder = tmp_path / "ckpt"
    with monkeypatch.context() as patch:
        crash_in_network(patch, network, step=10)
        with pytest.raises(CrashError):
            make(cls).fit(X, target, checkpoint=folder, checkpoint_every=3)
    finished = [f"member-{j}" for j in range(1, network)]
    assert sorted(os.listdir(folder)) == [*finished, f"member-{network}"]  # no lock left by the dead fit
    assert all(os.listdir(folder / name) == [FINISHED_FILE] for name in finished)
    assert os.listdir(folder / f"member-{network}") == [CHECKPOINT_FILE]
    with monkeypatch.context() as patch:  # the finished networks are loaded, never trained again
        trained = crash_in_network(patch, 0, step=0)
        resumed = make(cls).fit(X, target, checkpoint=folder, checkpoint_every=3, resume=True)
    assert [c.folder.name for c in trained] == [f"member-{j}" for j in range(network, 4)]
    assert weights(resumed) == weights(reference)
    losses = [list(h.train_loss) for h in reference.histories_]
    assert [list(h.train_loss) for h in resumed.histories_] == losses
    assert [h.stop_reason for h in resumed.histories_] == [h.stop_reason for h in reference.histories_]
    assert resumed.n_iter_ == reference.n_iter_
    assert os.listdir(folder) == []  # completed: every network's checkpoint deleted


def test_a_finished_network_of_other_settings_is_refused_and_one_without_resume_too(tmp_path, monkeypatch):
    folder = tmp_path / "ckpt"
    with monkeypatch.context() as patch:
        crash_in_network(patch, 2, step=4)
        with pytest.raises(CrashError):
            make().fit(X, Y, checkpoint=folder, checkpoint_every=3)
    with pytest.raises(CheckpointMismatchError, match=r"member-1.*other settings: alpha is 0\.5 now"):
        make(alpha=0.5).fit(X, Y, checkpoint=folder, resume=True)
    with pytest.raises(CheckpointError, match="already holds network 1 of an unfinished ensemble fit"):
        make().fit(X, Y, checkpoint=folder)
    assert os.listdir(folder / "member-1") == [FINISHED_FILE]  # refused before anything was overwritten
