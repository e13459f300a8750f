"""``descenso train DATA --stream``: a file read a few pieces at a time, then a run folder like any other."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .helpers import REPO, assert_user_error, descenso


def write_table(path, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "city": rng.choice(list("xyz"), n)}
    )
    frame["price"] = 50 + 10 * frame.a - 4 * frame.b + 3 * (frame.city == "y") + 0.5 * rng.normal(size=n)
    frame["sold"] = np.where(frame.a - frame.b > 0, "yes", "no")
    frame.drop(columns="sold").to_parquet(path, row_group_size=250)
    frame.drop(columns="price").to_csv(path.with_suffix(".csv"), index=False)
    return frame


def test_a_streamed_run_writes_a_run_folder_whose_model_predicts_the_file(tmp_path):
    frame = write_table(tmp_path / "houses.parquet")
    args = ("train", "houses.parquet", "--target", "price", "--stream", "--hidden", "16", "--epochs", "20")
    result = descenso(*args, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["estimator"] == "Regressor" and summary["test"]["r2"] > 0.98
    # The test rows are the seeded rule's: about a fifth of the file, none of them trained on.
    assert 0.17 < summary["sizes"]["test"] / 3000 < 0.23
    config = json.loads((tmp_path / "runs" / "latest" / "config.json").read_text())
    assert config["settings"]["stream"] is True
    predicted = descenso(
        "predict", "runs/latest/model.descenso", "houses.parquet", "-o", "p.csv", cwd=tmp_path
    )
    assert predicted.returncode == 0, predicted.stderr
    values = pd.read_csv(tmp_path / "p.csv").iloc[:, -1].to_numpy()
    assert np.corrcoef(values, frame.price)[0, 1] > 0.99  # the saved schema one-hot encodes city
    replayed = descenso("replay", "runs/latest", cwd=tmp_path)  # streamed again, from config.json
    assert replayed.returncode == 0 and "bitwise identical" in replayed.stdout, replayed.stderr


def test_a_streamed_csv_classifier_and_what_a_stream_refuses(tmp_path):
    write_table(tmp_path / "houses.parquet")
    result = descenso("train", "houses.csv", "--target", "sold", "--stream", "--epochs", "10", "--json",
                      cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["classes"] == ["no", "yes"] and summary["test"]["accuracy"] > 0.95
    refused = descenso("train", "houses.csv", "--target", "sold", "--stream", "--class-weight", "balanced",
                       cwd=tmp_path)  # fmt: skip
    assert_user_error(refused, 2, "--stream learns only", "--class-weight")
    assert_user_error(
        descenso("train", "--dataset", "moons", "--stream", cwd=tmp_path), 2, "--stream reads a DATA"
    )


@pytest.mark.slow
def test_two_ranks_on_a_stream_reach_the_test_loss_of_one_process(tmp_path):
    pytest.importorskip("mpi4py")
    mpiexec = Path(sys.executable).parent / "mpiexec"
    write_table(tmp_path / "houses.parquet", n=2000)  # 8 row groups: 4 a rank
    flags = ["train", "houses.parquet", "--target", "price", "--stream", "--hidden", "8", "--epochs", "4",
             "--dtype", "float64", "--json"]  # fmt: skip
    one = json.loads(descenso(*flags, "--out", "one", cwd=tmp_path).stdout)
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}
    command = [
        "timeout",
        "150",
        str(mpiexec),
        "-n",
        "2",
        sys.executable,
        "-m",
        "descenso",
        *flags,
        "--out",
        "two",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=160)
    assert done.returncode == 0, done.stderr
    two = json.loads(done.stdout)
    # Each rank read only its own pieces; the held-out rule and the epochs' order do not depend on
    # the number of ranks, so the test loss is one process's to the summation order.
    assert two["test"]["mse"] == pytest.approx(one["test"]["mse"], rel=1e-9)
    assert json.loads((tmp_path / "two" / "latest" / "config.json").read_text())["world_size"] == 2
