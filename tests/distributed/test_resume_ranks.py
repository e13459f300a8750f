"""Resuming a 2-rank ``descenso train`` that was killed: the weights of the run that was never stopped.

The ranks are started with the mpiexec of the environment's MPICH wheel, under a timeout; the
killed run is SIGKILLed (the whole job, as a lost node would end it) as soon as rank 0 wrote its
first checkpoint, so the run resumes from a step in the middle of an epoch.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.distributed.test_cli_ranks import DESCENSO, ENV, MPIEXEC, table

pytest.importorskip("mpi4py")
FLAGS = ["--target", "y", "--epochs", "40", "--no-early-stopping", "--ensemble", "1", "--hidden", "32,32",
         "--checkpoint-every", "7", "-q"]  # fmt: skip


def two_ranks(*args: str) -> list[str]:
    return ["timeout", "120", str(MPIEXEC), "-n", "2", *DESCENSO, "train", "data.parquet", *FLAGS, *args]


def run(folder: Path, command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=folder, timeout=130)


def killed_after_its_first_checkpoint(folder: Path, command: list[str], checkpoint: Path) -> int:
    """Start the job, SIGKILL all its processes once ``checkpoint`` exists; the job's exit status."""
    job = subprocess.Popen(command, env=ENV, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 100
    while not checkpoint.exists() and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(job.pid, signal.SIGKILL)  # every process of the job, as a lost node would end it
    return job.wait(timeout=30)


def final_weights(folder: Path, name: str) -> str:
    return str(json.loads((folder / "runs" / name / "config.json").read_text())["record"]["final_weights"])


def test_a_killed_two_rank_run_resumes_to_the_weights_of_an_uninterrupted_one(tmp_path):
    table(tmp_path / "data.parquet", n=1000)
    whole = run(tmp_path, two_ranks("--name", "whole", "--checkpoint-dir", "ckpt-whole"))
    assert whole.returncode == 0, whole.stderr

    checkpoint = tmp_path / "ckpt" / "checkpoint.safetensors"
    interrupted = two_ranks("--name", "resumed", "--checkpoint-dir", "ckpt")
    status = killed_after_its_first_checkpoint(tmp_path, interrupted, checkpoint)
    assert status != 0 and checkpoint.exists(), "the run ended before it could be killed"
    assert not (tmp_path / "runs" / "resumed").exists()

    resumed = run(tmp_path, two_ranks("--name", "resumed", "--checkpoint-dir", "ckpt", "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    assert final_weights(tmp_path, "resumed") == final_weights(tmp_path, "whole")  # bit for bit
    assert not checkpoint.exists()  # a finished run removes its checkpoint
    metrics = [json.loads((tmp_path / "runs" / n / "metrics.json").read_text()) for n in ("whole", "resumed")]
    assert metrics[0]["steps"] == metrics[1]["steps"] and metrics[0]["test"] == metrics[1]["test"]


def test_ranks_that_would_resume_at_different_points_stop_with_one_error(tmp_path):
    """Rank 1 sees no checkpoint (its machine has another folder): all stop, exit 6, before training."""
    table(tmp_path / "data.parquet", n=1000)
    killed_after_its_first_checkpoint(tmp_path, two_ranks("--checkpoint-dir", "ckpt"),
                                      tmp_path / "ckpt" / "checkpoint.safetensors")  # fmt: skip
    train = [*DESCENSO, "train", "data.parquet", *FLAGS, "--resume", "--checkpoint-dir"]
    done = run(
        tmp_path, ["timeout", "60", str(MPIEXEC), "-n", "1", *train, "ckpt", ":", "-n", "1", *train, "other"]
    )
    assert done.returncode == 6, (done.returncode, done.stderr)
    expected = r"the ranks did not load the same checkpoint from 'ckpt': rank 0 at epoch \d+ step \d+ \(\d+ "
    assert re.search(expected + r"steps done\), rank 1 found none\. Fix: ", done.stderr), done.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
