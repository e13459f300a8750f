"""The report's figures say what they show: the loss and its scale, which rows, the positive class."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from descenso import viz
from descenso.cli import run

from .conftest import penguin_rows
from .helpers import write_csv


@pytest.fixture
def figures(monkeypatch):
    """Every figure a command saves, by file name: its axes' titles and labels, read before saving."""
    seen: dict[str, dict[str, list[str]]] = {}
    save = viz.save

    def recording_save(fig, path):
        seen[Path(path).name] = {
            "titles": [ax.get_title() for ax in fig.axes],
            "ylabels": [ax.get_ylabel() for ax in fig.axes],
        }
        return save(fig, path)

    monkeypatch.setattr(viz, "save", recording_save)
    return seen


def assert_real_pngs(folder: Path, names) -> None:
    for name in names:
        with Image.open(folder / name) as image:
            image.load()
            assert image.format == "PNG" and min(image.size) >= 300, name


def test_train_figures_name_the_loss_the_split_and_the_positive_class(tmp_path, penguins, figures,
                                                                     monkeypatch):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert run(["train", str(penguins), "--target", "sex", "--epochs", "15", "--name", "p", "--quiet"]) == 0
    test_rows = round(0.2 * 333)
    assert figures["loss.png"]["ylabels"] == ["log-loss"]
    assert figures["loss.png"]["titles"] == [
        "Loss per epoch\n266 training rows, 10% of them held out for validation"
    ]
    assert figures["roc.png"]["titles"] == [
        f"ROC curve: test split, {test_rows} rows\npositive class: 'male'"
    ]
    assert figures["confusion_matrix.png"]["titles"][0].startswith(
        f"Confusion matrix: test split, {test_rows} rows"
    )
    assert_real_pngs(tmp_path / "runs/p", figures)


def test_a_regression_loss_is_on_the_standardised_target(tmp_path, regression, figures, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["train", str(regression), "--target", "y", "--epochs", "10", "--name", "r", "--quiet"]) == 0
    assert figures["loss.png"]["ylabels"] == ["MSE (standardised y)"]  # the target column is y
    assert figures["residuals.png"]["titles"][0] == "Residuals: test split, 60 rows"


def test_evaluate_draws_the_evaluated_file_not_the_training_history(tmp_path, penguins, figures,
                                                                    monkeypatch):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert run(["train", str(penguins), "--target", "sex", "--epochs", "15", "--name", "p", "--quiet"]) == 0
    figures.clear()
    new = write_csv(tmp_path / "new_penguins.csv", *penguin_rows(n=90, seed=7))
    assert run(["evaluate", "runs/p/model.descenso", str(new), "--report", "eval", "--json"]) == 0
    # no loss.png: that is the run's; the reliability diagram is of the evaluated rows
    assert sorted(figures) == ["confusion_matrix.png", "reliability.png", "roc.png"]
    assert "new_penguins.csv, 90 rows" in figures["reliability.png"]["titles"][0]
    assert figures["roc.png"]["titles"] == ["ROC curve: new_penguins.csv, 90 rows\npositive class: 'male'"]
    assert figures["confusion_matrix.png"]["titles"][0].startswith(
        "Confusion matrix: new_penguins.csv, 90 rows"
    )
    assert_real_pngs(tmp_path / "eval", figures)


def test_a_long_file_name_goes_on_its_own_title_line(tmp_path, figures):
    from descenso.cli import report

    name = "penguins_measured_in_the_field_2024.csv"
    report.write_plots(tmp_path, "binary", [0, 1, 1, 0], [0, 1, 0, 0], [0.2, 0.9, 0.4, 0.1], split=name,
                       class_names=("female", "male"))  # fmt: skip
    assert figures["roc.png"]["titles"] == [f"ROC curve\n{name}, 4 rows\npositive class: 'male'"]
    assert_real_pngs(tmp_path, figures)
