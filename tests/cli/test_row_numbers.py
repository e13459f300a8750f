"""Every command counts rows the same way: data row N is the N-th row below the header, from 1."""

from __future__ import annotations

from .conftest import penguin_rows
from .helpers import assert_user_error, descenso, write_csv


def test_train_predict_evaluate_and_explain_name_the_same_rows(tmp_path):
    header, rows = penguin_rows()
    write_csv(tmp_path / "complete.csv", header, rows)
    rows[3][1] = ""  # the 4th data row: line 5 of the file, row 5 of a spreadsheet
    gaps = write_csv(tmp_path / "gaps.csv", header, rows)
    rows[3][1], rows[6][5] = "18.0", "perhaps"  # the 7th data row: a label the model never saw
    labels = write_csv(tmp_path / "labels.csv", header, rows)
    where = "data row 4 (file line 5)"

    train = descenso("train", str(gaps), "--target", "sex", "--epochs", "2", cwd=tmp_path)
    assert_user_error(train, 3, f"column 'bill_depth_mm': 1 row ({where})", "--missing drop")
    args = ["--target", "sex", "--epochs", "2", "--ensemble", "1", "--name", "m", "--quiet"]
    assert descenso("train", "complete.csv", *args, cwd=tmp_path).returncode == 0
    model = "runs/m/model.descenso"
    for command in (["predict", model, str(gaps)], ["evaluate", model, str(gaps)],
                    ["explain", model, "--data", str(gaps)]):  # fmt: skip
        assert_user_error(descenso(*command, cwd=tmp_path), 3, f"bill_depth_mm (1 row): {where}")
    dropped = descenso("evaluate", model, str(gaps), "--missing", "drop", cwd=tmp_path)
    assert f"left out 1 of 333 rows with missing values (--missing drop): {where}" in dropped.stderr
    unknown = descenso("evaluate", model, str(labels), cwd=tmp_path)
    assert_user_error(unknown, 3, "labels the model does not know: perhaps in data row 7 (file line 8)")
