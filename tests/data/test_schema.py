"""TableSchema: JSON round trip and re-applying the training encoding to new files and frames."""

import json

import numpy as np
import pandas as pd
import pytest

from descenso import data
from descenso.data import DataError, DataWarning, TableSchema


@pytest.fixture
def table():
    df = pd.DataFrame(
        {
            "area": [50.0, 80.0, np.nan, 70.0],
            "city": ["Lima", "Quito", "Lima", "Cusco"],
            "sold": [False, True, True, False],
        }
    )
    return data.read(df, target="sold", missing="mean")


def test_config_is_json_and_rebuilds(table):
    config = json.loads(json.dumps(table.schema.get_config()))
    again = TableSchema.from_config(config)
    assert again.feature_names == table.feature_names == ["area", "city=Cusco", "city=Lima", "city=Quito"]
    assert again.classes == [False, True] and again.task == "binary" and again.missing == "mean"
    assert config["columns"][0]["fill"] == pytest.approx(200.0 / 3.0)
    with pytest.raises(ValueError, match=r"not a TableSchema config"):
        TableSchema.from_config({"version": 99})


def test_transform_new_frame_and_file(table, tmp_path):
    new = pd.DataFrame(
        {"city": ["Quito", "Arequipa"], "area": [60.0, np.nan]}
    )  # other order, unseen city, NaN
    with pytest.warns(DataWarning, match=r"column 'city' has 'Arequipa' in 1 row \(categories not seen"):
        X = TableSchema.from_config(table.schema.get_config()).transform(new)
    np.testing.assert_allclose(X, [[60.0, 0, 0, 1], [200.0 / 3.0, 0, 0, 0]], rtol=1e-6)
    path = tmp_path / "new.csv"
    path.write_text("area,city,sold\n55,Cusco,true\n")  # the target may be present: it is ignored
    np.testing.assert_array_equal(table.schema.transform(path), [[55.0, 1, 0, 0]])  # Cusco: known
    np.testing.assert_array_equal(table.schema.transform_target(path), [1.0])


def test_transform_refuses_missing_and_extra_columns(table):
    with pytest.raises(
        DataError, match=r"it lacks the column\(s\) city. The model expects the columns: area, city"
    ):
        table.schema.transform(pd.DataFrame({"area": [1.0]}))
    with pytest.raises(DataError, match=r"column\(s\) the model does not know: price"):
        table.schema.transform(pd.DataFrame({"area": [1.0], "city": ["Lima"], "price": [3.0]}))


def test_missing_values_at_prediction_time_without_mean():
    schema = data.read(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]}), target="y").schema
    with pytest.raises(DataError, match=r"column 'a': 1 row \(data row 1\).*trained with missing=None"):
        schema.transform(pd.DataFrame({"a": [np.nan]}))


def test_text_where_numbers_were_trained(table):
    with pytest.raises(
        DataError, match=r"column 'area' .* holds text .*'big'.* was numeric in the training data"
    ):
        table.schema.transform(pd.DataFrame({"area": ["big"], "city": ["Lima"]}))


def test_array_input_in_schema_order():
    schema = data.read((np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]]), np.array([1.0, 2.0, 3.0]))).schema
    np.testing.assert_array_equal(schema.transform(np.array([[7.0, 8.0]])), [[7.0, 8.0]])
    with pytest.raises(
        DataError, match=r"the array has 3 columns but the model expects 2, in this order: x1, x2"
    ):
        schema.transform(np.zeros((1, 3)))


def test_decode_and_unknown_labels(table, tmp_path):
    np.testing.assert_array_equal(table.schema.decode([0.2, 0.9]), [False, True])
    path = tmp_path / "labels.csv"
    path.write_text("area,city,sold\n1,Lima,maybe\n")
    with pytest.raises(DataError, match=r"1 value that is neither class False nor True .*'maybe'"):
        table.schema.transform_target(path)
    strings = data.read(pd.DataFrame({"x": [1.0, 2.0], "t": ["no", "yes"]}), target="t").schema
    with pytest.raises(DataError, match=r"neither class 'no' nor 'yes' \(first data row 2: 'perhaps'\)"):
        strings.transform_target(pd.DataFrame({"x": [1.0, 2.0], "t": ["no", "perhaps"]}))
    regression = data.read(pd.DataFrame({"x": [1.0, 2.0, 3.0], "t": [1.0, 2.0, 4.0]}), target="t").schema
    with pytest.raises(ValueError, match=r"decode\(\) is for binary targets"):
        regression.decode([1.0])


def test_transform_can_keep_missing_values_as_nan_for_the_caller(table):
    new = pd.DataFrame({"area": [np.nan, 60.0, np.inf], "city": ["Quito", None, "Lima"]})
    X = table.schema.transform(new, on_missing="nan")
    expected = [[np.nan, 0, 0, 1], [60.0, np.nan, np.nan, np.nan], [np.nan, 0, 1, 0]]
    np.testing.assert_array_equal(X, np.array(expected, dtype=np.float32))  # a gap: its whole block
    with pytest.raises(ValueError, match="on_missing must be"):
        table.schema.transform(new, on_missing="zero")
