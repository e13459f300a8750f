"""``descenso train --checkpoint-every N`` / ``--resume`` as a user meets them, in real processes.

A run SIGKILLed after some steps (or in the middle of writing a checkpoint, right before its rename)
and rerun with ``--resume`` ends with the same model, bit for bit, and the same history as a run never
stopped; SIGTERM and Ctrl-C end the run with 143 / 130 and say how to resume; a checkpoint write that
hits the file-size limit (EFBIG, a real one from RLIMIT_FSIZE) stops with the file and the errno named
and the previous checkpoint intact; a folder locked by another run is refused naming its pid.
"""

from __future__ import annotations

import csv
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from descenso.checkpoint import CHECKPOINT_FILE, FORMAT, _Lock
from descenso.estimators._member_checkpoints import FINISHED_FILE
from descenso.serialize import read_model_file

from .helpers import REPO, assert_user_error

# 200 spirals rows: 144 to train on, batches of 32, so 5 steps an epoch and 40 in all. At lr 0.1 the
# networks beat the linear candidate in those 40 steps, so the networks (which checkpoint) are kept;
# the linear candidates are solved exactly, in no steps and with no checkpoint of their own.
TRAIN = ["train", "--dataset", "spirals", "--samples", "200", "--epochs", "8", "--hidden", "8", "--lr", "0.1",
         "--json", "--name", "run", "--checkpoint-every", "3"]  # fmt: skip

# Runs the command in this process after arranging a fault: kill (or signal) itself at step K (of the
# first network of the default three-network ensemble, or of network N with "SIGKILL@N"), or be
# killed by SIGKILL right before the Nth rename of a checkpoint.
WRAPPER = """
import os, signal, sys
from descenso import checkpoint, serialize
fault, when = sys.argv[1], int(sys.argv[2])
fault, _, network = fault.partition("@")  # SIGKILL@2: at step `when` of the ensemble's second network
step_done, networks = checkpoint.Checkpointer.step_done, []
def patched_step_done(self, run, at, force=False):
    step_done(self, run, at, force)
    networks.extend([] if self in networks else [self])  # one checkpointer per network, in turn
    if fault != "rename" and run.history.n_steps == when and len(networks) == int(network or 1):
        os.kill(os.getpid(), getattr(signal, fault))
checkpoint.Checkpointer.step_done = patched_step_done
replace, renames = serialize._replace, []
def patched_replace(source, target):
    renames.append(target)
    if fault == "rename" and target.name == checkpoint.CHECKPOINT_FILE and len(renames) == when:
        os.kill(os.getpid(), signal.SIGKILL)
    replace(source, target)
serialize._replace = patched_replace
from descenso.cli.main import main
sys.argv = ["descenso", *sys.argv[3:]]
main()
"""


def run(cwd: Path, *args: str, fault: str = "none", when: int = 0, limit: int | None = None):
    def preexec() -> None:
        if limit is not None:  # EFBIG instead of death by SIGXFSZ once a file would pass `limit` bytes
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLBACKEND": "Agg"}  # fmt: skip
    return subprocess.run([sys.executable, "-c", WRAPPER, fault, str(when), *TRAIN, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180, preexec_fn=preexec)  # fmt: skip


def outcome(folder: Path) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """The model's tensors as bytes, and history.csv without its wall-clock column."""
    arrays, _ = read_model_file(folder / "model.descenso")
    with open(folder / "history.csv", newline="") as file:
        rows = [{k: v for k, v in row.items() if k != "time"} for row in csv.DictReader(file)]
    return {name: array.tobytes() for name, array in arrays.items()}, rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted runs, once per dtype (float32 is resumed by the tests below)."""
    results = {}
    for dtype in ("float32", "float64"):
        cwd = tmp_path_factory.mktemp(f"reference-{dtype}")
        done = run(cwd, "--dtype", dtype)
        assert done.returncode == 0, done.stderr
        results[dtype] = outcome(cwd / "runs" / "run")
        assert not (cwd / "runs" / "checkpoints" / "run").exists()  # a finished run leaves no checkpoint
    return results


def resume(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    (cwd / "runs" / "run").rename(cwd / "runs" / "killed")  # the interrupted run's report, if any
    return run(cwd, "--resume", *args)


def test_a_sigkilled_run_resumed_equals_an_uninterrupted_one(tmp_path, reference, dtype="float64"):
    killed = run(tmp_path, "--dtype", dtype, fault="SIGKILL", when=17)  # epoch 4, 2 steps after a save
    assert killed.returncode == -signal.SIGKILL
    (tmp_path / "runs" / "run").mkdir(parents=True)
    done = resume(tmp_path, "--dtype", dtype)
    assert done.returncode == 0, done.stderr
    weights, history = outcome(tmp_path / "runs" / "run")
    assert weights == reference[dtype][0]
    assert history == reference[dtype][1]
    assert [row["epoch"] for row in history] == [str(e) for e in range(1, 9)]  # each epoch once
    assert not (tmp_path / "runs" / "checkpoints" / "run").exists()  # no checkpoint, lock or temporary


def test_a_kill_during_the_checkpoint_write_keeps_the_previous_one(tmp_path, reference):
    killed = run(tmp_path, fault="rename", when=3)  # the 3rd save dies before its rename
    assert killed.returncode == -signal.SIGKILL
    folder = (
        tmp_path / "runs" / "checkpoints" / "run" / "member-2"
    )  # the first network (run 2: after linear 1/3)
    _, metadata = read_model_file(folder / CHECKPOINT_FILE, format_name=FORMAT)  # whole and loadable
    assert (metadata["run"]["position"]["epoch"], metadata["run"]["position"]["step"]) == (2, 1)
    assert any(name.endswith(".tmp") for name in os.listdir(folder))  # the dead save's temporary file
    (tmp_path / "runs" / "run").mkdir(parents=True)
    done = resume(tmp_path)
    assert done.returncode == 0, done.stderr
    assert outcome(tmp_path / "runs" / "run") == reference["float32"]
    assert not folder.parent.exists()  # resumed and finished: no checkpoint, no temporary file, no lock


@pytest.mark.parametrize(("signal_name", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_sigterm_and_ctrl_c_save_a_checkpoint_and_say_how_to_resume(tmp_path, reference, signal_name, code):
    stopped = run(tmp_path, fault=signal_name, when=12)
    assert stopped.returncode == code, stopped.stderr
    assert "--resume" in stopped.stderr and "runs/checkpoints/run" in stopped.stderr
    assert (tmp_path / "runs" / "checkpoints" / "run" / "member-2" / CHECKPOINT_FILE).exists()
    if signal_name == "SIGTERM":
        done = resume(tmp_path)
        assert done.returncode == 0, done.stderr
        assert outcome(tmp_path / "runs" / "run") == reference["float32"]


def test_a_full_disk_stops_training_naming_the_file_and_keeps_the_checkpoint(tmp_path):
    killed = run(tmp_path, fault="SIGKILL", when=9)  # right after the save at step 9
    assert killed.returncode == -signal.SIGKILL
    checkpoint = tmp_path / "runs" / "checkpoints" / "run" / "member-2" / CHECKPOINT_FILE
    before = checkpoint.read_bytes()
    done = run(tmp_path, "--resume", limit=len(before) // 2)
    name = Path("runs/checkpoints/run/member-2") / CHECKPOINT_FILE
    assert_user_error(done, 6, f"cannot write the checkpoint '{name}'", "[EFBIG] File too large",
                      "the previous checkpoint (epoch 2, step 4) is intact")  # fmt: skip
    assert checkpoint.read_bytes() == before
    assert os.listdir(checkpoint.parent) == [CHECKPOINT_FILE]  # no temporary file, the lock released


def test_a_second_run_on_the_same_checkpoint_folder_is_refused(tmp_path):
    folder = tmp_path / "runs" / "checkpoints" / "run"
    folder.mkdir(parents=True)
    with _Lock(folder / "lock"):
        done = run(tmp_path)
    assert_user_error(done, 6, "in use by another run", f"pid {os.getpid()}")
    assert not (tmp_path / "runs" / "run").exists()


def test_a_run_killed_in_its_second_network_resumes_that_network_and_keeps_the_first(tmp_path, reference):
    killed = run(tmp_path, fault="SIGKILL@2", when=11)  # network 2 of 3, last checkpoint at its step 9
    assert killed.returncode == -signal.SIGKILL
    folder = tmp_path / "runs" / "checkpoints" / "run"
    assert os.listdir(folder / "member-2") == [FINISHED_FILE]  # network 1 finished: kept, not retrained
    assert not (folder / "member-1").exists() and not (folder / "member-3").exists()  # linear: solved again
    _, metadata = read_model_file(folder / "member-4" / CHECKPOINT_FILE, format_name=FORMAT)
    assert (metadata["run"]["position"]["epoch"], metadata["run"]["history"]["$dict"]["n_steps"]) == (2, 9)
    (tmp_path / "runs" / "run").mkdir(parents=True)
    done = resume(tmp_path)
    assert done.returncode == 0, done.stderr
    assert outcome(tmp_path / "runs" / "run") == reference["float32"]  # the merged weights, bit for bit
    assert not folder.exists()
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "MPLBACKEND": "Agg"}
    replayed = subprocess.run([sys.executable, "-m", "descenso", "replay", "runs/run"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180)  # fmt: skip
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "bitwise identical" in replayed.stdout and "every recorded fact is the same" in replayed.stdout


@pytest.mark.parametrize("when", [17, 13], ids=["after an epoch", "in mid-epoch"])
def test_a_resumed_run_replays_bitwise_with_its_whole_history(tmp_path, when):
    import json

    one = ("--ensemble", "1")  # one network: the run resumed is the one recorded
    killed = run(tmp_path, *one, fault="SIGKILL", when=when)  # last checkpoint: step 15 (epoch 3 done) / 12
    assert killed.returncode == -signal.SIGKILL
    (tmp_path / "runs" / "run").mkdir(parents=True)
    done = resume(tmp_path, *one)
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "runs" / "run" / "config.json").read_text())["record"]
    assert len(record["history"]["weights"]) == len(record["history"]["train_loss"]) == 8  # every epoch
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "MPLBACKEND": "Agg"}
    replayed = subprocess.run([sys.executable, "-m", "descenso", "replay", "runs/run"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180)  # fmt: skip
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "bitwise identical" in replayed.stdout and "history of 8 epochs" in replayed.stdout
    assert "every recorded fact is the same" in replayed.stdout  # the initial weights too: the original ones
