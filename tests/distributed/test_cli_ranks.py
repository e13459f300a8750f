"""``mpiexec -n 2 descenso train``: one run folder from rank 0, the same exit code on every rank.

Each test starts its own ranks with the mpiexec of the environment's MPICH wheel, under a timeout,
so a hang fails the test instead of the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from descenso.cli.ranks import launch_size

pytest.importorskip("mpi4py")
MPIEXEC = Path(sys.executable).parent / "mpiexec"
ROOT = Path(__file__).parent.parent.parent
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
DESCENSO = [sys.executable, "-m", "descenso"]
FLAGS = ["--target", "y", "--epochs", "6", "--ensemble", "1", "--dtype", "float64", "--hidden", "16"]


def table(path: Path, n: int = 500) -> Path:
    import pandas as pd

    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["y"] = np.sin(frame["a"]) + frame["b"] * frame["c"] + 0.1 * rng.normal(size=n)
    frame.to_parquet(path)
    return path


def mpiexec(
    folder: Path, *programs: list[str], timeout: float = 90, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``mpiexec -n 1 PROGRAM_0 : -n 1 PROGRAM_1 ...``: one rank per program (MPI's MPMD form)."""
    command = ["timeout", str(timeout), str(MPIEXEC)]
    for index, program in enumerate(programs):
        command += [*([":"] if index else []), "-n", "1", *program]
    return subprocess.run(command, capture_output=True, text=True, env={**ENV, **(env or {})}, cwd=folder,
                          timeout=timeout + 10)  # fmt: skip


def test_the_launch_is_read_from_mpich_or_open_mpi_variables_without_mpi4py():
    assert launch_size({"PMI_RANK": "1", "PMI_SIZE": "2"}) == 2
    assert launch_size({"OMPI_COMM_WORLD_SIZE": "3", "OMPI_COMM_WORLD_RANK": "0"}) == 3
    assert launch_size({}) == 1 and launch_size({"PMI_SIZE": "x"}) == 1
    code = "import sys; from descenso.cli.ranks import ranks; print(ranks(), 'mpi4py' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert done.stdout.split() == ["Local()", "False"], done.stderr


def test_two_ranks_write_one_run_folder_with_the_numbers_of_one_process(tmp_path):
    table(tmp_path / "data.parquet")
    train = [*DESCENSO, "train", "data.parquet", *FLAGS]
    done = mpiexec(tmp_path, [*train, "--name", "two"], [*train, "--name", "two"])
    assert done.returncode == 0, done.stderr
    # Only rank 0 printed the summary and wrote: one run folder, no "two-2" from rank 1.
    assert done.stdout.count("run folder:") == 1, done.stdout
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["latest", "two"]
    config = json.loads((tmp_path / "runs" / "two" / "config.json").read_text())
    assert config["world_size"] == 2
    alone = subprocess.run([*train, "--name", "one", "-q"], capture_output=True, text=True, env=ENV,
                           cwd=tmp_path, timeout=120)  # fmt: skip
    assert alone.returncode == 0, alone.stderr
    assert json.loads((tmp_path / "runs" / "one" / "config.json").read_text())["world_size"] == 1
    two, one = (json.loads((tmp_path / "runs" / n / "metrics.json").read_text()) for n in ("two", "one"))
    assert two["epochs"] == one["epochs"] and two["steps"] == one["steps"]
    for name, value in one["test"].items():
        if isinstance(value, float):
            assert two["test"][name] == pytest.approx(value, rel=1e-9), name


def test_a_data_file_missing_on_one_rank_stops_every_rank_with_that_error(tmp_path):
    table(tmp_path / "data.parquet")
    good = [*DESCENSO, "train", "data.parquet", *FLAGS]
    bad = [*DESCENSO, "train", "elsewhere.parquet", *FLAGS]  # rank 1's machine lacks the file
    done = mpiexec(tmp_path, good, bad, timeout=60)
    assert done.returncode == 3, (done.returncode, done.stderr)  # 124 would be the timeout: a hang
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr  # rank 0 says it, for both
    assert errors[0].startswith("error: rank 1 of 2: ")
    assert "elsewhere.parquet" in errors[0]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_an_unwritable_out_folder_on_rank_0_stops_every_rank_before_training(tmp_path):
    table(tmp_path / "data.parquet")
    (tmp_path / "a-file").write_text("not a folder")
    train = [*DESCENSO, "train", "data.parquet", *FLAGS, "--out", "a-file/runs"]
    done = mpiexec(tmp_path, train, train, timeout=60)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "error: rank 0 of 2: " in done.stderr and "epoch" not in done.stderr
