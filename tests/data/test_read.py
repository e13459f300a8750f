"""data.read: every source kind, and every bad input gets an error naming the column, rows and fix."""

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from descenso import data
from descenso.data import DataError, DataWarning

HOUSES = "area,city,rooms,sold\n50,Lima,2,no\n80,Quito,3,yes\n65,Lima,4,yes\n70,Cusco,2,no\n"


@pytest.fixture
def houses(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_text(HOUSES)
    return path


def frame():
    return pd.DataFrame(
        {"area": [50.0, 80.0, 65.0, 70.0], "city": ["Lima", "Quito", "Lima", "Cusco"],
         "rooms": [2, 3, 4, 2], "sold": ["no", "yes", "yes", "no"]}
    )  # fmt: skip


def check_houses(table):
    assert table.feature_names == ["area", "city=Cusco", "city=Lima", "city=Quito", "rooms"]
    assert table.task == "binary" and table.classes == ["no", "yes"] and table.target == "sold"
    np.testing.assert_array_equal(table.y, [0, 1, 1, 0])
    np.testing.assert_array_equal(table.X[1], [80, 0, 0, 1, 3])
    assert table.X.dtype == np.float32 and table.y.dtype == np.float32


def test_csv(houses):
    check_houses(data.read(houses, target="sold"))
    check_houses(data.read(str(houses), target="sold"))


def test_parquet(tmp_path):
    path = tmp_path / "houses.parquet"
    frame().to_parquet(path)
    check_houses(data.read(path, target="sold"))


def test_tsv(tmp_path):
    path = tmp_path / "houses.tsv"
    path.write_text(HOUSES.replace(",", "\t"))
    check_houses(data.read(path, target="sold"))


@pytest.mark.parametrize(
    "convert", [lambda df: df, pl.from_pandas, pa.Table.from_pandas, lambda df: pl.from_pandas(df).lazy()]
)
def test_dataframes(convert):
    check_houses(data.read(convert(frame()), target="sold"))


def test_numpy_pair_and_column_index():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    table = data.read((X, np.array([0.5, 1.5, 3.0])))
    assert table.task == "regression" and table.target == "y" and table.feature_names == ["x1", "x2"]
    np.testing.assert_array_equal(table.X, X.astype(np.float32))
    table = data.read(np.column_stack([X, [1.0, 0.0, 1.0]]), target=-1)
    assert table.task == "binary" and table.classes == [0, 1] and table.target == "x3"


def test_boolean_and_string_targets_remember_their_classes():
    X = np.zeros((4, 1)) + np.arange(4)[:, None]
    table = data.read((X, np.array([True, False, True, True])))
    assert table.classes == [False, True]
    np.testing.assert_array_equal(table.y, [1, 0, 1, 1])
    table = data.read(pd.DataFrame({"x": [1.0, 2.0, 3.0], "t": ["spam", "ham", "spam"]}), target="t")
    assert table.classes == ["ham", "spam"] and table.y.tolist() == [1.0, 0.0, 1.0]


def test_task_inference_and_override():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "t": [0.0, 1.0, 1.0, 0.0]})
    assert data.read(df, target="t").task == "binary"
    assert data.read(df, target="t", task="regression").task == "regression"
    df["t"] = [0.5, 1.0, 2.5, 3.0]
    assert data.read(df, target="t").task == "regression"


def test_numbered_columns():
    table = data.read(pd.DataFrame({0: [1.0, 2.0, 3.0], 1: [0.5, 1.0, 2.5]}), target=1)
    assert table.target == "1" and table.feature_names == ["0"] and table.task == "regression"


def test_boolean_feature_is_zero_one():
    table = data.read(pd.DataFrame({"flag": [True, False, True], "t": [1.0, 2.0, 4.0]}), target="t")
    np.testing.assert_array_equal(table.X[:, 0], [1, 0, 1])
    assert table.schema.columns[0]["kind"] == "boolean"


# ---------------------------------------------------------------- bad inputs, each named
def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"data file not found: '.*nope.csv'.*check the path"):
        data.read(tmp_path / "nope.csv", target="y")


def test_missing_target_lists_the_columns(houses):
    with pytest.raises(DataError, match=r"column 'sould' not found in 'houses.csv'; the columns are: "
                       r"area, city, rooms, sold. Fix: pass target='sold'"):  # fmt: skip
        data.read(houses, target="sould")
    with pytest.raises(TypeError, match=r"needs target= .* columns are: area, city, rooms, sold"):
        data.read(houses)


def test_empty_and_header_only(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("a,b,y\n")
    with pytest.raises(DataError, match=r"'empty.csv' is empty"):
        data.read(tmp_path / "empty.csv", target="y")
    with pytest.raises(DataError, match=r"'header.csv' has a header but no data rows"):
        data.read(tmp_path / "header.csv", target="y")
    with pytest.raises(DataError, match=r"has no rows"):
        data.read(pd.DataFrame({"a": [], "y": []}), target="y")
    with pytest.raises(DataError, match=r"only the target column 'y'"):
        data.read(pd.DataFrame({"y": [1.0, 2.0]}), target="y")


def test_text_target_for_regression(houses):
    with pytest.raises(
        DataError, match=r"target 'sold' .* holds text \(e.g. 'no'\); regression needs a numeric"
    ):
        data.read(houses, target="sold", task="regression")


@pytest.mark.parametrize(
    ("labels", "match"),
    [(["a", "b", "c", "a"], "has 3 classes \\('a': 2, 'b': 1, 'c': 1\\); binary classification needs"),
     (["a", "a", "a", "a"], "has 1 class \\('a': 4\\)")],
)  # fmt: skip
def test_binary_target_needs_two_classes_and_shows_the_counts(labels, match):
    with pytest.raises(DataError, match=match):
        data.read(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "t": labels}), target="t", task="binary")


def test_nan_and_inf_name_columns_and_rows(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,y\n1,2,1\n,3,2\n4,inf,3\n5,,4\n")
    with pytest.raises(DataError) as caught:
        data.read(path, target="y")
    message = str(caught.value)
    assert "column 'a': 1 row (data row 2 (file line 3))" in message
    assert "column 'b': 2 rows (data rows 3, 4 (file lines 4, 5))" in message
    assert "(3 rows in all)" in message and "missing='drop'" in message and "missing='mean'" in message


def test_missing_drop_and_mean():
    df = pd.DataFrame(
        {"a": [1.0, np.nan, 3.0, 5.0, 7.0, 9.0], "c": ["u", "v", None, "v", "v", "v"],
         "y": [1.0, 2.0, 3.0, np.nan, 5.0, 6.0]}
    )  # fmt: skip
    dropped = data.read(df, target="y", missing="drop")
    assert dropped.n_dropped == 3 and dropped.X.shape == (3, 3)
    np.testing.assert_array_equal(dropped.y, [1.0, 5.0, 6.0])
    filled = data.read(df, target="y", missing="mean")
    # The target row is dropped (never invented); means and modes come from the kept rows.
    assert filled.n_dropped == 1
    np.testing.assert_allclose(filled.X[:, 0], [1.0, 5.0, 3.0, 7.0, 9.0])
    np.testing.assert_array_equal(filled.X[2, 1:], [0.0, 1.0])  # missing text -> most frequent 'v'
    with pytest.raises(DataError, match=r"target 'y' is missing in 1 row .*\(data row 4\)"):
        data.read(df.fillna({"a": 0.0, "c": "u"}), target="y")


def test_constant_and_all_missing_columns_warn():
    df = pd.DataFrame(
        {"k": [2.0, 2.0, 2.0], "gone": [None, None, None], "x": [1.0, 2.0, 3.0], "y": [1.0, 0.0, 1.0]}
    )
    with pytest.warns(DataWarning) as record:
        table = data.read(df, target="y")
    messages = [str(w.message) for w in record]
    assert any(
        "column 'gone' in the pandas DataFrame is entirely missing; it is ignored" in m for m in messages
    )
    assert any("column 'k' in the pandas DataFrame is constant (every value is 2.0)" in m for m in messages)
    assert table.feature_names == ["k", "x"] and table.schema.ignored == ["gone"]
    assert all(w.filename == __file__ for w in record)  # the warning points at the caller's line


def test_a_column_without_any_value_is_ignored_with_a_warning(tmp_path):
    # pyarrow (an empty CSV column) and polars type such a column as null, not as a number or text.
    path = tmp_path / "gaps.csv"
    path.write_text("x,gone,y\n1.0,,0\n2.0,,1\n3.0,,0\n")
    sources = [path, pl.DataFrame({"x": [1.0, 2.0, 3.0], "gone": [None] * 3, "y": [0, 1, 0]})]
    for source in sources:
        with pytest.warns(DataWarning, match=r"column 'gone' in .* is entirely missing; it is ignored"):
            table = data.read(source, target="y")
        assert table.feature_names == ["x"] and table.schema.ignored == ["gone"]
        np.testing.assert_array_equal(table.X[:, 0], [1.0, 2.0, 3.0])


def test_a_target_without_any_value_is_an_error(tmp_path):
    path = tmp_path / "unlabelled.csv"
    path.write_text("x,y\n1.0,\n2.0,\n")
    for missing in (None, "drop"):
        with pytest.raises(DataError, match=r"target 'y' in 'unlabelled.csv' has no values at all"):
            data.read(path, target="y", missing=missing)


def test_a_clean_table_does_not_warn(houses):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.read(houses, target="sold")


def test_identifier_like_text_column_warns():
    df = pd.DataFrame({"id": [f"user{i}" for i in range(60)], "x": np.arange(60.0), "y": [0.0, 1.0] * 30})
    with pytest.warns(DataWarning, match=r"text column 'id' .* has 60 distinct values in 60 rows"):
        data.read(df, target="y")


def test_mismatched_lengths():
    with pytest.raises(DataError, match=r"X has 3 rows but y has 4"):
        data.read((np.zeros((3, 2)), np.zeros(4)))


def test_a_csv_separated_by_another_character_is_refused_with_how_to_convert_it(tmp_path):
    """Split on the wrong separator, the header becomes one column: say so, not "column not found"."""
    (tmp_path / "semi.csv").write_text("area;city;price\n50;Lima;1,5\n80;Quito;2,5\n")
    with pytest.raises(DataError, match=r"'semi.csv' looks separated by semicolons.*decimal=','"):
        data.read(tmp_path / "semi.csv", target="price")
    with pytest.raises(DataError, match=r"looks separated by semicolons"):  # a stream reads its head
        data.Stream(tmp_path / "semi.csv", target="price")
    (tmp_path / "tabs.csv").write_text("area\tprice\n50\t1\n")
    with pytest.raises(DataError, match=r"looks separated by tabs .*Rename it with a .tsv suffix"):
        data.read(tmp_path / "tabs.csv", target="price")
    (tmp_path / "tabs.tsv").write_text("area\tprice\n50\t1\n80\t2\n")
    assert data.read(tmp_path / "tabs.tsv", target="price").feature_names == ["area"]
    (tmp_path / "one.csv").write_text("price\n1\n2\n")  # one column and no other separator: read
    with pytest.raises(DataError, match=r"only the target column"):
        data.read(tmp_path / "one.csv", target="price")


def test_files_that_are_not_csv_or_parquet(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02\x03")
    (tmp_path / "c.xlsx").write_bytes(b"PK\x03\x04rest")
    (tmp_path / "d.csv").write_text("a,b\n1,2\n3\n")
    with pytest.raises(DataError, match=r"unsupported file type '.json'; descenso reads CSV"):
        data.read(tmp_path / "a.json", target="b")
    with pytest.raises(DataError, match=r"contains binary bytes"):
        data.read(tmp_path / "b.csv", target="b")
    with pytest.raises(DataError, match=r"ZIP archive .*Export it as CSV"):
        data.read(tmp_path / "c.xlsx", target="b")
    with pytest.raises(
        DataError, match=r"could not read '.*d.csv' as CSV: CSV parse error: Expected 2 columns"
    ):
        data.read(tmp_path / "d.csv", target="b")
    (tmp_path / "e.parquet").write_bytes(b"not really parquet")
    with pytest.raises(DataError, match=r"could not read 'e.parquet' as PARQUET: .*not truncated or renamed"):
        data.read(tmp_path / "e.parquet", target="b")
    with pytest.raises(DataError, match=r"is a folder"):
        data.read(tmp_path, target="b")


def test_text_in_a_numeric_column(tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("age,y\n31,1\n?,2\n40,3\n52,4\n")
    with pytest.raises(DataError, match=r"column 'age' .* looks numeric, but 1 of its values is not a number "
                       r"\(first data row 2 \(file line 3\): '\?'\)"):  # fmt: skip
        data.read(path, target="y")


def test_unusable_types_and_bad_arguments():
    df = pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2021-01-01"]), "y": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"column 'when' .* has type Datetime"):
        data.read(df, target="y")
    mixed = pd.DataFrame({"m": pd.Series([1, "a", 2.0], dtype=object), "y": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match=r"column 'm' .* mixes values of different kinds"):
        data.read(mixed, target="y")
    with pytest.raises(ValueError, match=r"missing must be None, 'drop' or 'mean'"):
        data.read(frame(), target="sold", missing="zero")
    with pytest.raises(ValueError, match=r"task must be"):
        data.read(frame(), target="sold", task="multiclass")
    with pytest.raises(TypeError, match=r"cannot read data from dict"):
        data.read({"a": [1]}, target="a")


def test_an_empty_text_cell_in_a_csv_is_missing_not_a_category(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text("area,city,sold\n50,Lima,no\n80,,yes\n65,Lima,yes\n70,Cusco,no\n")
    with pytest.raises(DataError, match=r"column 'city': 1 row \(data row 2 \(file line 3\)\)"):
        data.read(path, target="sold")
    filled = data.read(path, target="sold", missing="mean")
    assert filled.feature_names == ["area", "city=Cusco", "city=Lima"]  # no "city=" category
    np.testing.assert_array_equal(filled.X[1], [80.0, 0.0, 1.0])  # the most frequent city, Lima
    assert data.read(path, target="sold", missing="drop").n_dropped == 1
