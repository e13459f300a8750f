"""ONNX export of a fitted estimator's whole prediction path.

input (batch, n_features) -> NaN filled (``missing="mean"``) -> representation (standardisation
and the other fitted transforms) -> network -> output: the prediction in the target's units for
``Regressor`` (named "variable", shape (batch,)), or ``[P(classes_[0]), P(classes_[1])]``
for ``BinaryClassifier`` (named "probabilities", shape (batch, 2)). Built on
:mod:`descenso.export.onnx`; class labels, threshold and feature names travel as
model metadata.

A model fitted on a table with text columns (one with a ``schema_``) gets one input per column
instead, named after it, and the one-hot encoding of the text columns inside the graph.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from descenso.estimators._validation import check_is_fitted

__all__ = ["to_onnx"]

INPUT_NAME = "X"


def to_onnx(estimator: Any, path: Any, opset: int | None = None) -> Any:
    """Write the fitted ``estimator``'s prediction path to ``path`` as an ONNX model (atomically).

    Parameters
    ----------
    estimator : Regressor or BinaryClassifier
    path : str or os.PathLike
    opset : int, optional
        The ONNX opset (default: descenso.export.onnx's).

    Returns
    -------
    onnx.ModelProto
        The model written.

    Raises
    ------
    NotImplementedError
        For a representation step with no ONNX translation (named in the message).
    ValueError
        For a table column named like the model's output ("variable" or "probabilities").
    ImportError
        Without the onnx package (``pip install 'descenso[onnx]'``).

    Notes
    -----
    Fitted on an array or an all-numeric table, the model has one float input ``"X"`` of shape
    (batch, n_features_in_). Fitted on a table with text (or categorical) columns, it has one input
    per column, in the table's order and named after it, each of shape (batch, 1): a float tensor
    (in the model's dtype) for a numeric column, 0/1 for a boolean one, and a string tensor for a
    text column. The graph encodes them as ``predict`` does: each text column becomes indicators
    over its sorted training categories (``ai.onnx.ml.OneHotEncoder``, ``zeros=1``), an unseen
    category all zeros, and the blocks are concatenated in the table's order. With
    ``missing="mean"``, NaN and infinity in a numeric column take the column's training mean, and
    a missing text value, fed as the empty string ``""``, takes the block of the most frequent
    training category; without it, ``""`` is an unseen category. The metadata ``input_columns``
    and ``text_columns`` (JSON lists) name the inputs.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import pandas as pd
    >>> from descenso.estimators import Regressor
    >>> df = pd.DataFrame({"area": [50.0, 80.0, 65.0, 90.0], "city": ["Lima", "Quito", "Lima", "Quito"],
    ...                    "price": [100.0, 190.0, 130.0, 210.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     model = Regressor(hidden=(4,), max_epochs=5, random_state=0).fit(df, "price")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     proto = to_onnx(model, os.path.join(folder, "price.onnx"))
    >>> [(i.name, i.type.tensor_type.elem_type) for i in proto.graph.input]   # 1: float, 8: string
    [('area', 1), ('city', 8)]
    """
    from descenso.export import onnx as export

    check_is_fitted(estimator)
    model = estimator.model_
    graph = export.OnnxGraph(dtype=str(model.dtype), opset=export.DEFAULT_OPSET if opset is None else opset)
    fill_values = getattr(estimator, "fill_values_", None)
    schema = getattr(estimator, "schema_", None)
    metadata: dict[str, str] = {}
    if schema is not None:  # a table with text columns: one input per column, one-hot inside the graph
        output_name = "probabilities" if hasattr(estimator, "classes_") else "variable"
        x = _table_inputs(graph, schema, fill_values, output_name)
        metadata["input_columns"] = json.dumps([name for name, _, _ in graph.inputs])
        metadata["text_columns"] = json.dumps([name for name, kind, _ in graph.inputs if kind == "string"])
        input_name = None
    else:
        input_name = x = graph.reserve(INPUT_NAME)
    if fill_values is not None:  # missing="mean": fill NaN (a table's inf too) as predict does
        fill = graph.add_initializer("fill_values", fill_values.reshape(1, -1))
        gap = graph.op("IsNaN", x)
        if schema is not None:  # the table encoder counts inf in a numeric column as missing
            gap = graph.op("Or", gap, graph.op("IsInf", x))
        x = graph.op("Where", gap, fill, x)
    x = _representation(graph, estimator.representation_, x)
    x = export.export_sequential(graph, _network_spec(model), x)
    if hasattr(estimator, "classes_"):
        out = export.export_sequential(graph, [{"type": "sigmoid"}, {"type": "binary_proba"}], x)
        output = graph.add_node("Identity", [out], ["probabilities"])[0]
        metadata["classes"] = json.dumps([_plain(c) for c in estimator.classes_])
        metadata["threshold"] = str(float(estimator.threshold))
    else:
        scaling = {
            "type": "unscale",
            "mean": np.array(estimator.y_mean_),
            "scale": np.array(estimator.y_scale_),
        }
        out = export.export_sequential(graph, [scaling], x)
        flat = graph.add_initializer("flat_shape", np.array([-1], dtype=np.int64))
        output = graph.add_node("Reshape", [out, flat], ["variable"])[0]
    names = getattr(estimator, "feature_names_in_", None)
    metadata["feature_names"] = json.dumps(None if names is None else [str(n) for n in names])
    metadata["estimator"] = type(estimator).__name__
    n_features = None if schema is not None else estimator.n_features_in_
    proto = graph.to_model(input_name, [output], n_features=n_features, metadata=metadata)
    export.save_model(proto, path)
    return proto


def _table_inputs(graph: Any, schema: Any, fill_values: Any, output_name: str) -> str:
    """One input per column of ``schema``, encoded and concatenated as ``TableSchema.encode`` does.

    Numeric (and boolean, as 0/1) columns are float inputs of shape (batch, 1), passed through; a
    text column is a string input of shape (batch, 1) one-hot encoded over its sorted categories by
    ``ai.onnx.ml.OneHotEncoder`` (``zeros=1``: an unseen category gives all zeros, as in predict).
    With ``fill_values`` (missing="mean"), the empty string is the missing text value and becomes
    the block's fill, the most frequent category (unless "" was a category of its own).
    Returns the name of the (batch, n_encoded_columns) float matrix.
    """
    names = [str(column["name"]) for column in schema.columns]
    if output_name in names:
        raise ValueError(
            f"a column is named {output_name!r}, the name of the ONNX model's output; rename that "
            "column before fit to export the model"
        )
    blocks, start = [], 0
    for column, name in zip(schema.columns, names, strict=True):
        if column["kind"] != "categorical":
            blocks.append(graph.add_input(name, kind="float"))
            start += 1
            continue
        text = graph.add_input(name, kind="string")
        categories = [str(category) for category in column["categories"]]
        width = len(categories)
        if not width:  # no category learned: an empty block, as the schema encodes it
            continue
        block = _one_hot(graph, text, categories)
        if fill_values is not None and "" not in categories:
            missing = graph.op("Cast", _one_hot(graph, text, [""]), to=9)  # 9: bool, True where ""
            fill = graph.add_initializer("text_fill", fill_values[start : start + width].reshape(1, -1))
            block = graph.op("Where", missing, fill, block)
        blocks.append(block)
        start += width
    return graph.op("Concat", *blocks, axis=1)


def _one_hot(graph: Any, text: str, categories: list[str]) -> str:
    """(batch, 1) strings -> (batch, k) indicators in the graph dtype; other strings give zeros."""
    from descenso.export.onnx import ML_DOMAIN

    hot = graph.op("OneHotEncoder", text, domain=ML_DOMAIN, cats_strings=categories, zeros=1)
    shape = graph.add_initializer("onehot_shape", np.array([-1, len(categories)], dtype=np.int64))
    flat = graph.op("Reshape", hot, shape)  # (batch, 1, k) -> (batch, k); the encoder's output is float
    return flat if graph.dtype == np.float32 else graph.op("Cast", flat, to=_element_type(graph))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _network_spec(model: Any) -> list[dict[str, Any]]:
    """The MLP's layers as descenso.export.onnx layer dicts (Dropout is the identity at inference)."""
    from descenso.backend import to_numpy
    from descenso.nn import Dropout, Linear

    spec: list[dict[str, Any]] = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            bias = None if layer.bias is None else to_numpy(layer.bias.data)  # host copies of GPU weights
            spec.append({"type": "linear", "weight": to_numpy(layer.weight.data), "bias": bias})
        elif not isinstance(layer, Dropout):
            spec.append(layer.get_config())
    return spec


def _representation(graph: Any, transform: Any, x: str) -> str:
    """Emit one fitted transform (recursively for a Pipeline); return the output's name."""
    from descenso.export import onnx_features

    kind = transform.name
    if kind == "pipeline":
        for step in transform.steps:
            x = _representation(graph, step, x)
        return x
    if kind == "identity":
        return x
    if kind == "standardize":
        mean, scale = (graph.add_initializer(k, getattr(transform, k + "_")) for k in ("mean", "scale"))
        return graph.op("Div", graph.op("Sub", x, mean), scale)
    if kind == "minmax":
        low, high = transform.feature_range
        start = graph.add_initializer("min", transform.min_)
        factor = graph.add_initializer("factor", (high - low) / transform.range_)
        return graph.op("Add", graph.op("Mul", graph.op("Sub", x, start), factor), graph.constant(low, "low"))
    if kind == "polynomial":
        return _polynomial(graph, transform, x)
    if kind == "log":
        return _log(graph, transform, x)
    if kind == "onehot":
        return _onehot(graph, transform, x)
    if kind == "radial":
        return _radial(graph, transform, x)
    if kind == "polar":
        return onnx_features.polar(graph, transform, x)
    if kind == "expression":
        return onnx_features.expression(graph, transform, x)
    raise NotImplementedError(
        f"the representation {type(transform).__name__} ({kind!r}) has no ONNX translation yet; "
        "exportable steps are: standardize, minmax, polynomial, log, onehot, radial, polar, "
        "expression, identity"
    )


def _column(graph: Any, x: str, index: int) -> str:
    return graph.op("Gather", x, graph.add_initializer("col", np.array([index], dtype=np.int64)), axis=1)


def _polynomial(graph: Any, transform: Any, x: str) -> str:
    """One output column per monomial: the product of the term's columns (the empty term is 1)."""
    columns = []
    for term in transform._terms():
        if not term:
            first = _column(graph, x, 0)
            columns.append(graph.op("Add", graph.op("Mul", first, graph.constant(0.0, "zero")),
                                    graph.constant(1.0, "one")))  # fmt: skip
            continue
        product = _column(graph, x, term[0])
        for index in term[1:]:
            product = graph.op("Mul", product, _column(graph, x, index))
        columns.append(product)
    return graph.op("Concat", *columns, axis=1) if len(columns) > 1 else columns[0]


def _log(graph: Any, transform: Any, x: str) -> str:
    """``log1p`` on the chosen columns, the others unchanged (a column mask selects)."""
    mask = np.zeros((1, transform.n_features_in_), dtype=bool)
    mask[0, transform._cols(transform.n_features_in_)] = True
    logged = graph.op("Log", graph.op("Add", x, graph.constant(1.0, "one")))
    selector = graph.op("Cast", graph.add_initializer("log_columns", mask), to=9)  # 9: ONNX bool
    return graph.op("Where", selector, logged, x)


def _element_type(graph: Any) -> int:
    import onnx

    return int(onnx.helper.np_dtype_to_tensor_dtype(graph.dtype))


def _onehot(graph: Any, transform: Any, x: str) -> str:
    """Each encoded column becomes ``Cast(Equal(x_i, categories))``: k indicator columns."""
    encoded = dict(zip(transform._cols(transform.n_features_in_), transform.categories_, strict=True))
    blocks = []
    for i in range(transform.n_features_in_):
        column = _column(graph, x, i)
        if i in encoded:
            categories = graph.add_initializer("categories", encoded[i].reshape(1, -1))
            hits = graph.op("Equal", column, categories)  # (batch, k) bool
            column = graph.op("Cast", hits, to=_element_type(graph))
        blocks.append(column)
    return graph.op("Concat", *blocks, axis=1) if len(blocks) > 1 else blocks[0]


def _radial(graph: Any, transform: Any, x: str) -> str:
    """The distance to the fitted center over the chosen columns (after the inputs if kept)."""
    indices = graph.add_initializer("radial_columns", np.array(transform._cols(transform.n_features_in_)))
    diff = graph.op(
        "Sub", graph.op("Gather", x, indices, axis=1), graph.add_initializer("center", transform.center_)
    )
    axes = graph.add_initializer("axes", np.array([1], dtype=np.int64))
    radius = graph.op("Sqrt", graph.op("ReduceSum", graph.op("Mul", diff, diff), axes, keepdims=1))
    return graph.op("Concat", x, radius, axis=1) if transform.keep_input else radius
