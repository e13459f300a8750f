"""ONNX export of a fitted estimator's whole prediction path.

input (batch, n_features) -> NaN filled (``missing="mean"``) -> representation (standardisation
and the other fitted transforms) -> network -> output: the prediction in the target's units for
``Regressor`` (named "variable", shape (batch,)), or ``[P(classes_[0]), P(classes_[1])]``
for ``BinaryClassifier`` (named "probabilities", shape (batch, 2)). Built on
:mod:`descenso.export.onnx`; class labels, threshold and feature names travel as
model metadata.
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
        For a representation step with no ONNX translation (named in the message), or a model
        fitted on a DataFrame with text/categorical columns (its one-hot schema is not exported).
    ImportError
        Without the onnx package (``pip install 'descenso[onnx]'``).
    """
    from descenso.export import onnx as export

    check_is_fitted(estimator)
    if getattr(estimator, "schema_", None) is not None:
        raise NotImplementedError(
            "this model was fitted on a table with text/categorical columns, whose one-hot encoding "
            "(descenso.data.TableSchema) has no ONNX translation. One-hot encode those columns "
            "before fit (e.g. pandas.get_dummies) to export it"
        )
    model = estimator.model_
    graph = export.OnnxGraph(dtype=str(model.dtype), opset=export.DEFAULT_OPSET if opset is None else opset)
    graph.reserve(INPUT_NAME)
    x = INPUT_NAME
    if getattr(estimator, "fill_values_", None) is not None:  # missing="mean": fill NaN as predict does
        fill = graph.add_initializer("fill_values", estimator.fill_values_.reshape(1, -1))
        x = graph.op("Where", graph.op("IsNaN", x), fill, x)
    x = _representation(graph, estimator.representation_, x)
    x = export.export_sequential(graph, _network_spec(model), x)
    if hasattr(estimator, "classes_"):
        out = export.export_sequential(graph, [{"type": "sigmoid"}, {"type": "binary_proba"}], x)
        output = graph.add_node("Identity", [out], ["probabilities"])[0]
        metadata = {"classes": json.dumps([_plain(c) for c in estimator.classes_]),
                    "threshold": str(float(estimator.threshold))}  # fmt: skip
    else:
        scaling = {
            "type": "unscale",
            "mean": np.array(estimator.y_mean_),
            "scale": np.array(estimator.y_scale_),
        }
        out = export.export_sequential(graph, [scaling], x)
        flat = graph.add_initializer("flat_shape", np.array([-1], dtype=np.int64))
        output = graph.add_node("Reshape", [out, flat], ["variable"])[0]
        metadata = {}
    names = getattr(estimator, "feature_names_in_", None)
    metadata["feature_names"] = json.dumps(None if names is None else [str(n) for n in names])
    metadata["estimator"] = type(estimator).__name__
    proto = graph.to_model(INPUT_NAME, [output], n_features=estimator.n_features_in_, metadata=metadata)
    export.save_model(proto, path)
    return proto


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _network_spec(model: Any) -> list[dict[str, Any]]:
    """The MLP's layers as descenso.export.onnx layer dicts (Dropout is the identity at inference)."""
    from descenso.nn import Dropout, Linear

    spec: list[dict[str, Any]] = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            bias = None if layer.bias is None else layer.bias.data
            spec.append({"type": "linear", "weight": layer.weight.data, "bias": bias})
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
