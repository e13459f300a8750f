"""End to end: ``python -m descenso train`` on real files, its run folder, and reproducing a run."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from .helpers import REPO, descenso

RUN_FILES = {"model.descenso", "metrics.json", "history.csv", "config.json", "loss.png"}
BINARY_PLOTS = {"roc.png", "reliability.png", "confusion_matrix.png"}
REGRESSION_PLOTS = {"predicted_vs_actual.png", "residuals.png"}


def check_png(path: Path) -> tuple[int, int]:
    """A PNG that decodes, of a size a report can show (between 300 and 1200 pixels a side)."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()  # decodes every pixel: a truncated file fails here
        width, height = image.size
        colours = image.convert("L").getextrema()
    assert 300 <= width <= 1200 and 300 <= height <= 1200, (path.name, image.size)
    assert colours[0] < colours[1], f"{path.name} is a blank image"
    return width, height


def final_json(result: subprocess.CompletedProcess) -> dict:
    """The one machine-readable line ``--json`` prints."""
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def history_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_no_data_trains_the_builtin_spirals_demo_and_writes_the_report(tmp_path):
    summary = final_json(descenso("train", "--json", cwd=tmp_path))
    run = tmp_path / summary["run_dir"]
    assert run.parent == tmp_path / "runs" and (tmp_path / "runs" / "latest").resolve() == run.resolve()
    assert set(p.name for p in run.iterdir()) == RUN_FILES | BINARY_PLOTS | {
        "decision_boundary.png",
        "unit_maps.png",
    }
    assert summary["data"] == "built-in dataset spirals" and summary["task"] == "binary"
    # 120 test points of two spirals: a linear model gets about 0.75, the networks 0.94 (alpha=3e-3, the
    # default since the tabular suite's last round) to 0.97 (alpha=1e-3); the boundary follows both arms.
    assert summary["test"]["accuracy"] >= 0.93
    assert summary["model_choice"]["chosen"] == "network"
    assert summary["timings"]["total_seconds"] < 60
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test"] == summary["test"] and metrics["stopped_by"] in ("early_stopping", "max_epochs")
    choice = metrics["model_choice"]  # two spirals: no line separates them
    assert choice["chosen"] == "network" and choice["validation_loss"]["linear"] > 0.4
    assert choice["temperature"] >= 1.0 and 0 < summary["test"]["log_loss"] < 0.2
    assert check_png(run / "reliability.png") == (500, 560)
    assert metrics["sizes"] == {"rows": 600, "dropped": 0, "train": 480, "test": 120, "parameters": 37825}
    assert sum(sum(row) for row in metrics["test"]["confusion_matrix"]) == 120
    rows = history_rows(run / "history.csv")
    assert len(rows) == metrics["epochs"] and rows[0]["epoch"] == "1"
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"]) / 10
    assert {"train_loss", "val_loss", "lr", "grad_norm", "time", "accuracy", "val_accuracy"} <= set(rows[0])
    config = json.loads((run / "config.json").read_text())["settings"]
    assert config["dataset"] is None and config["data"] is None and config["hidden"] == [64, 64]
    sizes = {name: check_png(run / name) for name in ("loss.png", "roc.png", "confusion_matrix.png")}
    assert check_png(run / "decision_boundary.png") == (560, 480) and sizes["loss.png"] == (640, 440)
    assert check_png(run / "unit_maps.png")[1] > 1000  # 2 x 32 hidden units in rows of 8, then the output


def test_csv_with_text_columns_missing_values_and_yes_no_target(tmp_path, houses):
    summary = final_json(
        descenso(
            "train",
            str(houses),
            "--target",
            "sold",
            "--missing",
            "drop",
            "--epochs",
            "150",
            "--name",
            "houses",
            "--json",
            cwd=tmp_path,
        )
    )
    run = tmp_path / "runs" / "houses"
    # 2 numeric-ish columns + a 3-category text column: no decision boundary (that is for 2 features)
    assert set(p.name for p in run.iterdir()) == RUN_FILES | BINARY_PLOTS
    assert summary["task"] == "binary" and summary["classes"] == ["no", "yes"]
    assert summary["sizes"]["dropped"] == 8 and summary["sizes"]["rows"] == 300  # rows 5, 42, ..., 264
    assert summary["test"]["accuracy"] >= 0.85
    for name in ("loss.png", "roc.png", "confusion_matrix.png"):
        check_png(run / name)

    predicted = descenso(
        "predict", "runs/houses/model.descenso", str(houses), "-o", "preds.csv", cwd=tmp_path
    )
    assert predicted.returncode == 0, predicted.stderr  # the model's rule: no prediction for a gap
    assert "no prediction for 8 rows with missing values (--missing drop): data rows 6, 43, 80" in (
        predicted.stderr
    )
    complete = tmp_path / "complete.csv"
    lines = houses.read_text().splitlines()
    complete.write_text("\n".join(line for line in lines if not line.startswith(",")) + "\n")
    predicted = descenso(
        "predict", "runs/houses/model.descenso", str(complete), "-o", "preds.csv", cwd=tmp_path
    )
    assert predicted.returncode == 0, predicted.stderr
    with open(tmp_path / "preds.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 292 and list(rows[0]) == [
        "area",
        "rooms",
        "city",
        "sold",
        "prediction",
        "probability_yes",  # named after the positive class
    ]
    assert {row["prediction"] for row in rows} == {"yes", "no"}
    agree = sum(row["prediction"] == row["sold"] for row in rows) / len(rows)
    assert agree >= 0.85
    assert all((float(row["probability_yes"]) > 0.5) == (row["prediction"] == "yes") for row in rows)


def test_regression_csv_report_and_evaluate(tmp_path, regression):
    summary = final_json(
        descenso(
            "train",
            str(regression),
            "--target",
            "y",
            "--epochs",
            "120",
            "--name",
            "reg",
            "--json",
            cwd=tmp_path,
        )
    )
    run = tmp_path / "runs" / "reg"
    assert set(p.name for p in run.iterdir()) == RUN_FILES | REGRESSION_PLOTS
    assert summary["task"] == "regression" and summary["test"]["r2"] > 0.95
    assert (
        summary["test"]["rmse"] ** 2 == summary["test"]["mse"]
        or abs(summary["test"]["rmse"] ** 2 - summary["test"]["mse"]) < 1e-9
    )
    assert check_png(run / "residuals.png") == (800, 400)
    check_png(run / "predicted_vs_actual.png")

    result = descenso(
        "evaluate", "runs/reg/model.descenso", str(regression), "--report", "rep", "--json", cwd=tmp_path
    )
    evaluation = json.loads(result.stdout)
    assert evaluation["rows"] == 300 and evaluation["test"]["r2"] > 0.95  # 80 % of these rows were trained on
    # the evaluated file's own figures; the training history (loss.png) stays in the run folder
    assert set(p.name for p in (tmp_path / "rep").iterdir()) == {"metrics.json"} | REGRESSION_PLOTS


def test_config_json_reproduces_the_run(tmp_path, ring):
    first = final_json(
        descenso(
            "train",
            str(ring),
            "--target",
            "label",
            "--epochs",
            "40",
            "--hidden",
            "16",
            "--seed",
            "3",
            "--name",
            "a",
            "--json",
            cwd=tmp_path,
        )
    )
    assert set(p.name for p in (tmp_path / "runs" / "a").iterdir()) >= {"decision_boundary.png"}
    second = final_json(
        descenso("train", "--config", "runs/a/config.json", "--name", "b", "--json", cwd=tmp_path)
    )
    assert second["test"] == first["test"] and second["epochs"] == first["epochs"]
    config_a = json.loads((tmp_path / "runs/a/config.json").read_text())
    config_b = json.loads((tmp_path / "runs/b/config.json").read_text())
    assert (
        config_a == config_b and config_a["settings"]["hidden"] == [16] and config_a["settings"]["seed"] == 3
    )


def test_ctrl_c_saves_the_best_model_and_writes_the_report(tmp_path):
    command = [
        sys.executable,
        "-m",
        "descenso",
        "train",
        "--dataset",
        "moons",
        "--epochs",
        "100000",
        "--no-early-stopping",
        "--patience",
        "100000",
        "--tol",
        "0",
        "--name",
        "stopped",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    while line and " epoch " not in f" {line}":  # the first epoch is done: training is under way
        line = process.stderr.readline()
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    run = tmp_path / "runs" / "stopped"
    assert RUN_FILES | BINARY_PLOTS <= set(p.name for p in run.iterdir())
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["stopped_by"] == "interrupt"
    assert 1 <= metrics["epochs"] < 100000 and metrics["test"]["accuracy"] > 0.5
    assert "run folder" in stdout
