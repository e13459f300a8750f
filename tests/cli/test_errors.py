"""Every user error: one message with the fix, a documented non-zero exit code, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from descenso.cli import ExitCode, run

from .helpers import REPO, assert_user_error, descenso, write_csv


def test_missing_data_file(tmp_path):
    result = descenso("train", "nowhere.csv", "--target", "y", cwd=tmp_path)
    assert_user_error(result, 3, "nowhere.csv", "not found")
    # Without --target as well, the missing file is still what is said first.
    assert_user_error(descenso("train", "nowhere.csv", cwd=tmp_path), 3, "nowhere.csv", "not found")


def test_missing_target_column_lists_the_columns(tmp_path, regression):
    result = descenso("train", str(regression), "--target", "prize", cwd=tmp_path)
    assert_user_error(result, 3, "'prize'", "a, b, c, y")
    assert not (tmp_path / "runs").exists()  # nothing written before the data is known to be good
    # The fix is a line of its own, and spelled as the flag: the closest name, or any of them.
    assert "fix: pass one of them with --target" in result.stderr
    typo = descenso("train", str(regression), "--target", "yy", cwd=tmp_path)
    assert_user_error(typo, 3, "'yy'", "fix: pass --target y (the closest name)")


def test_three_text_classes_say_to_map_them_to_two(tmp_path):
    animals = write_csv(tmp_path / "animals.csv", ["x", "animal"],
                        [[i, ("cat", "dog", "fish")[i % 3]] for i in range(30)])  # fmt: skip
    result = descenso("train", str(animals), "--target", "animal", cwd=tmp_path)
    assert_user_error(result, 3, "3 classes", "'fish': 10", "fix: map it to two classes first")
    assert "--task regression" not in result.stderr  # text is not a number to predict


def test_polar_on_a_wide_table_asks_for_the_columns(tmp_path):
    table = write_csv(tmp_path / "t.csv", ["a", "b", "c", "y"], [[i, i % 5, i % 3, i % 2] for i in range(40)])
    result = descenso("train", str(table), "--target", "y", "--features", "polar", cwd=tmp_path)
    assert_user_error(result, 3, "3 columns, a, b, c", "fix: name them, e.g. polar(a,b)")
    result = descenso("train", str(table), "--target", "y", "--features", "polar(a,q)", cwd=tmp_path)
    assert_user_error(result, 3, "no column 'q'", "fix: check the spelling")


def test_bad_flag_value_names_the_flag(tmp_path):
    result = descenso("train", "--hidden", "64,x", cwd=tmp_path)
    assert_user_error(result, 2, "--hidden", "64,x", "descenso train --help")


def test_corrupt_model_file(tmp_path, regression):
    model = tmp_path / "model.descenso"
    model.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{broken}" + b"\x00" * 32)
    result = descenso("predict", str(model), str(regression), cwd=tmp_path)
    assert_user_error(result, 4, "model.descenso")


def test_non_binary_target_with_task_binary(tmp_path, regression):
    result = descenso("train", str(regression), "--target", "y", "--task", "binary", cwd=tmp_path)
    assert_user_error(result, 3, "'y'", "2", "--task regression")


def test_diverging_learning_rate_says_to_lower_it(tmp_path, regression):
    result = descenso(
        "train",
        str(regression),
        "--target",
        "y",
        "--optimizer",
        "sgd",
        "--lr",
        "1e6",
        "--epochs",
        "5",
        cwd=tmp_path,
    )
    assert_user_error(result, 5, "lr", "fix: pass a smaller learning rate, e.g. --lr 100000")
    assert "try" not in result.stderr  # one suggestion, the fix line, not a second one in the message
    assert list((tmp_path / "runs").iterdir()) == []  # no run folder for a run that failed


def test_a_classifier_whose_loss_explodes_while_finite_fails_too(tmp_path, penguins):
    # BCE from logits stays finite (about |logit|) however far the weights run off: the loss read
    # 6e19 and the saved model predicted one class; now the run stops, restores, and exits 5.
    result = descenso("train", str(penguins), "--target", "sex", "--lr", "1e6", cwd=tmp_path)
    assert_user_error(result, 5, "the loss grew from", "restored the", "e.g. --lr 100000")
    assert "try" not in result.stderr
    assert list((tmp_path / "runs").iterdir()) == []


# The rest run in-process through descenso.cli.run, which is what the script calls.


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["train", "--epochs", "0"], 2, ["--epochs"]),
        (["train", "--lr", "-1"], 2, ["--lr"]),
        (["train", "--batch-size", "half"], 2, ["--batch-size", "'half'"]),
        (["train", "--optimizer", "adamm"], 2, ["--optimizer", "adam"]),
        (["train", "--features", "polr"], 2, ["polr", "polar"]),
        (["train", "--dataset", "nope"], 2, ["nope", "spirals"]),
        (["train", "--dataset", "sine", "--task", "binary"], 2, ["sine", "regression"]),
        (["train", "--dataset", "plane", "--loss", "bce"], 2, ["bce", "mse"]),
        (["train", "--config", "nowhere.json"], 2, ["nowhere.json"]),
        (["train", "--test-fraction", "1.5"], 2, ["--test-fraction"]),
        (["predict", "nowhere.descenso", "data.csv"], 4, ["nowhere.descenso"]),
        (["evaluate", "nowhere.descenso", "data.csv"], 4, ["nowhere.descenso"]),
        (["explain", "--rows", "0"], 2, ["--rows"]),
        (["frobnicate"], 2, ["frobnicate"]),
    ],
)
def test_usage_errors_in_process(args, code, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(args) == code
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_train_file_needs_target_and_lists_the_columns(tmp_path, regression, capsys):
    assert run(["train", str(regression)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "needs --target COLUMN" in err
    assert "the columns of 'reg.csv' are: a, b, c, y; e.g. --target y" in err
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text("a;b;y\n1;2;3\n")
    assert run(["train", str(semicolons)]) == ExitCode.DATA  # the file is the first thing to say
    assert "looks separated by semicolons" in capsys.readouterr().err


def test_config_with_unknown_setting(tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text('{"settings": {"epochs": 3, "learning_rate": 0.1}}')
    assert run(["train", "--config", str(config)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "learning_rate" in err and "lr" in err


def test_predict_names_missing_columns_and_keeps_extra_ones(tmp_path, ring, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["train", str(ring), "--target", "label", "--epochs", "5", "--name", "r", "--quiet"]) == 0
    capsys.readouterr()
    other = write_csv(tmp_path / "other.csv", ["x1", "z"], [[0.1, 0.2], [0.3, 0.4]])
    assert run(["predict", "runs/r/model.descenso", str(other)]) == ExitCode.DATA
    err = capsys.readouterr().err
    assert "other.csv lacks the model's input column(s): x2" in err and "columns: x1, x2" in err
    # Extra columns (an id, the true target) are no error: kept aside and written beside the predictions.
    ids = write_csv(tmp_path / "ids.csv", ["id", "x1", "x2"], [[7, 0.1, 0.2], [8, 0.3, 0.4]])
    assert run(["predict", "runs/r/model.descenso", str(ids), "--keep", "id"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,prediction,probability_out" and [line.split(",")[0] for line in lines[1:]] == [
        "7",
        "8",
    ]
    assert run(["predict", "runs/r/model.descenso", str(ids), "--keep", "name"]) == ExitCode.USAGE
    assert "--keep names column(s) ids.csv does not have: name" in capsys.readouterr().err
    assert run(["evaluate", "runs/r/model.descenso", str(other)]) == ExitCode.DATA
    assert "'label' not found" in capsys.readouterr().err


def test_internal_errors_are_reported_as_bugs_without_traceback(monkeypatch, capsys):
    import descenso.cli.commands_info as info

    def broken(as_json):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(info.datasets, "callback", broken)
    assert run(["datasets"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: boom" in err and "DESCENSO_DEBUG=1" in err
    assert "Traceback" not in err


def test_exit_codes_are_documented_in_docs_and_module():
    documented = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", (REPO / "docs" / "cli.md").read_text(), re.M))
    assert {int(code) for code in documented} == {int(code) for code in ExitCode}
    module_doc = Path(REPO / "descenso" / "cli" / "errors.py").read_text()
    for code in ExitCode:
        assert re.search(rf"^{int(code)}\s+``{code.name}``", module_doc, re.M), code


def test_unwritable_out_folder_is_refused_before_training(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    assert run(["train", "--dataset", "xor", "--out", "afile/runs", "--epochs", "100000"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "afile/runs" in err and "--out" in err and "epoch" not in err  # no training was started


def test_a_config_with_a_value_of_the_wrong_kind_names_the_setting(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"settings": {"lr": "fast"}}')
    result = descenso("train", "--config", str(config), cwd=tmp_path)
    assert_user_error(result, 2, "learning rate must be a number; got 'fast'")
