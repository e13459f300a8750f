"""ONNX export: a small graph builder over ``onnx.helper``, and feed-forward networks as layer dicts.

A network to export is a plain list of dicts, so this module needs nothing from ``descenso.nn``::

    [{"type": "scale", "mean": m, "scale": s},          # (x - mean) / scale, e.g. Standardize
     {"type": "linear", "weight": W, "bias": b},        # W of shape (out, in), as PyTorch and descenso
     {"type": "relu"},
     {"type": "linear", "weight": W2, "bias": b2},
     {"type": "sigmoid"},
     {"type": "binary_proba"}]                          # (n, 1) -> (n, 2) columns [1 - p, p]

Types: linear, relu, leaky_relu (``negative_slope``, default 0.01), tanh, sigmoid, softplus, gelu,
identity, dropout (identity at inference), scale and unscale (``x * scale + mean``), binary_proba.
Case and underscores are ignored, so descenso's module class names ("LeakyReLU", "GELU") work too.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    import onnx as onnx_types

__all__ = ["DEFAULT_OPSET", "OnnxGraph", "export_sequential", "save_model"]

DEFAULT_OPSET = 17  # runs on every onnxruntime since 1.13; GELU is composed below opset 20
NATIVE_GELU_OPSET = 20
MIN_OPSET = 13
ML_DOMAIN = "ai.onnx.ml"  # the traditional-ML operators (OneHotEncoder ...)
ML_OPSET = 3  # onnxruntime has run it since 1.6
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'descenso[onnx]'") from None
    return onnx


class OnnxGraph:
    """An ONNX graph under construction: named initializers, nodes, fresh names, then a model.

    Parameters
    ----------
    dtype : {"float32", "float64"}
        The element type of the input, the outputs and every float initializer.
    opset : int, default 17
        The ONNX opset the graph targets (13 or later); builders use native ops it offers.
    name : str
        The graph's name inside the model.

    Examples
    --------
    >>> graph = OnnxGraph()
    >>> w = graph.add_initializer("w", np.ones((1, 2)))
    >>> y = graph.op("MatMul", "x", w)
    >>> model = graph.to_model("x", [y], n_features=1)
    >>> [node.op_type for node in model.graph.node], model.opset_import[0].version
    (['MatMul'], 17)

    Several inputs, e.g. one per table column, are declared with :meth:`add_input`:

    >>> graph = OnnxGraph()
    >>> area, city = graph.add_input("area"), graph.add_input("city", kind="string")
    >>> hot = graph.op("OneHotEncoder", city, domain="ai.onnx.ml", cats_strings=["Lima"], zeros=1)
    >>> model = graph.to_model(None, [hot])
    >>> [(i.name, i.type.tensor_type.elem_type) for i in model.graph.input]   # 1: float, 8: string
    [('area', 1), ('city', 8)]
    """

    def __init__(self, dtype: str = "float32", opset: int = DEFAULT_OPSET, name: str = "descenso") -> None:
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"dtype must be float32 or float64; got {dtype}")
        if not isinstance(opset, int) or opset < MIN_OPSET:
            raise ValueError(f"opset must be an int >= {MIN_OPSET}; got {opset!r}")
        self.dtype = np.dtype(dtype)
        self.opset = opset
        self.name = name
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._taken: set[str] = set()
        self.inputs: list[tuple[str, str, int]] = []  # declared with add_input: (name, kind, width)
        self.domains: set[str] = set()  # operator domains besides the default one

    def fresh(self, hint: str = "t") -> str:
        """A name not used yet in this graph: ``hint``, else ``hint_1``, ``hint_2``, ..."""
        name, number = hint, 0
        while name in self._taken:
            number += 1
            name = f"{hint}_{number}"
        self._taken.add(name)
        return name

    def reserve(self, name: str) -> str:
        """Mark an outside name (the graph input) as taken, so no node output reuses it."""
        self._taken.add(name)
        return name

    def add_input(self, name: str, kind: str = "float", width: int = 1) -> str:
        """Declare a graph input of shape (batch, width); returns ``name``.

        Parameters
        ----------
        name : str
            What runtimes feed; it must not be taken already.
        kind : {"float", "string"}
            ``"float"`` is the graph dtype; ``"string"`` a tensor of text.
        width : int, default 1

        Raises
        ------
        ValueError
            For a name already used in the graph, or an unknown kind.
        """
        if kind not in ("float", "string"):
            raise ValueError(f"kind must be 'float' or 'string'; got {kind!r}")
        if name in self._taken:
            raise ValueError(f"the input name {name!r} is already used in this graph; use another name")
        self.inputs.append((self.reserve(name), kind, int(width)))
        return name

    def add_initializer(self, name: str, array: Any) -> str:
        """Store a constant array; floats become the graph dtype, integers int64. Returns its name."""
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(self.dtype)
        elif array.dtype.kind in "iub":
            array = array.astype(np.int64)
        else:
            raise TypeError(f"initializer {name!r}: dtype {array.dtype} is not a number type")
        unique = self.fresh(name)
        self.initializers.append(_onnx().numpy_helper.from_array(array, unique))
        return unique

    def constant(self, value: Any, hint: str = "const") -> str:
        """A float constant in the graph dtype (scalars broadcast like NumPy's)."""
        return self.add_initializer(hint, np.asarray(value, dtype=self.dtype))

    def add_node(
        self, op_type: str, inputs: Sequence[str], outputs: int | Sequence[str] = 1, **attrs: Any
    ) -> list[str]:
        """Append an ``op_type`` node; ``outputs`` is a count (fresh names) or the names. Returns them."""
        if isinstance(outputs, int):
            names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        else:
            names = [self.reserve(n) for n in outputs]
        domain = attrs.get("domain") or ""
        if domain not in ("", "ai.onnx", ML_DOMAIN):
            raise ValueError(f"operator domain must be the default one or {ML_DOMAIN!r}; got {domain!r}")
        if domain == ML_DOMAIN:  # the model must import that domain's opset
            self.domains.add(domain)
        node = _onnx().helper.make_node(
            op_type, list(inputs), names, name=self.fresh(f"{op_type}_node"), **attrs
        )
        self.nodes.append(node)
        return names

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        """Append a single-output node and return its output's name."""
        return self.add_node(op_type, inputs, 1, **attrs)[0]

    def to_model(
        self,
        input_name: str | None,
        output_names: Sequence[str],
        opset: int | None = None,
        n_features: int | None = None,
        metadata: dict[str, str] | None = None,
    ) -> onnx_types.ModelProto:
        """The checked ``onnx.ModelProto`` with one input of shape (batch, n_features).

        Parameters
        ----------
        input_name : str or None
            The graph input's name (what runtimes feed); None when the inputs were declared with
            :meth:`add_input` (then they are the graph's inputs, in order).
        output_names : sequence of str
            Node outputs to expose, in order.
        opset : int, optional
            Defaults to the graph's; lower than the graph's is refused (its nodes may need it).
            Nodes of the ``ai.onnx.ml`` domain add its opset ``ML_OPSET`` to the imports.
        n_features : int, optional
            The width of the single input; symbolic when None.
        metadata : dict of str to str, optional
            Stored as the model's ``metadata_props`` (e.g. class names, feature names).

        Raises
        ------
        ValueError
            For a lower opset, an ``input_name`` given with declared inputs (or neither), or a graph
            that ``onnx.checker`` (full check, with shape inference)
            rejects, e.g. an output no node produces.
        """
        onnx = _onnx()
        opset = self.opset if opset is None else opset
        if opset < self.opset:
            raise ValueError(
                f"opset {opset} is lower than the graph's {self.opset}; build with OnnxGraph(opset=...)"
            )
        if (input_name is None) == (not self.inputs):
            raise ValueError(
                "give either input_name (one input) or declare the inputs with add_input, not both "
                f"or neither; got input_name={input_name!r} and {len(self.inputs)} declared inputs"
            )
        element = onnx.helper.np_dtype_to_tensor_dtype(self.dtype)
        kinds = {"float": element, "string": onnx.TensorProto.STRING}
        declared: list[tuple[str, str, Any]] = self.inputs or [
            (str(input_name), "float", n_features or "n_features")
        ]
        inputs = [
            onnx.helper.make_tensor_value_info(name, kinds[kind], ["batch", width])
            for name, kind, width in declared
        ]
        outputs = [onnx.helper.make_tensor_value_info(name, element, None) for name in output_names]
        graph = onnx.helper.make_graph(self.nodes, self.name, inputs, outputs, self.initializers)
        imports = [onnx.helper.make_opsetid("", opset)]
        imports += [onnx.helper.make_opsetid(domain, ML_OPSET) for domain in sorted(self.domains)]
        model = onnx.helper.make_model(graph, opset_imports=imports, producer_name="descenso")
        model.ir_version = onnx.helper.find_min_ir_version_for(imports)  # older runtimes load it too
        from descenso import __version__

        model.producer_version = __version__
        if metadata:
            onnx.helper.set_model_props(model, {str(k): str(v) for k, v in metadata.items()})
        try:  # inference fills in the outputs' shapes (declared with the element type only)
            model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
            onnx.checker.check_model(model, full_check=True)
        except Exception as error:  # checker and shape-inference errors: the graph is wrong
            raise ValueError(f"the ONNX graph is invalid: {error}") from None
        return model


# ---------------------------------------------------------------------------- layers

Emitter = Callable[[OnnxGraph, dict[str, Any], str, "int | None", str], "tuple[str, int | None]"]


def _float_array(spec: dict[str, Any], key: str, ndim: tuple[int, ...], where: str) -> np.ndarray:
    if spec.get(key) is None:
        raise ValueError(f"{where}: {spec['type']!r} needs {key!r}")
    array = np.asarray(spec[key])
    if array.dtype.kind not in "iuf" or array.ndim not in ndim:
        ranks = " or ".join(f"{n}-D" for n in ndim)
        raise ValueError(f"{where}: {key} must be a {ranks} float array; got {array.dtype} {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{where}: {key} contains NaN or infinity")
    return array


def _check_width(found: int, width: int | None, what: str, where: str) -> None:
    if width is not None and found != width:
        raise ValueError(f"{where}: {what} {found} but the previous step gives {width} features")


def _linear(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
    weight = _float_array(spec, "weight", (2,), where)  # (out_features, in_features)
    _check_width(weight.shape[1], width, "weight has in_features", where)
    inputs = [x, graph.add_initializer("weight", weight)]
    if spec.get("bias") is not None:
        bias = _float_array(spec, "bias", (1,), where)
        if bias.shape != (weight.shape[0],):
            raise ValueError(
                f"{where}: bias has shape {bias.shape}; expected ({weight.shape[0]},) like weight rows"
            )
        inputs.append(graph.add_initializer("bias", bias))
    return graph.op("Gemm", *inputs, transB=1), weight.shape[0]  # x @ W.T + b


def _scaling(inverse: bool) -> Emitter:
    def emit(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
        mean, scale = (_float_array(spec, key, (0, 1), where) for key in ("mean", "scale"))
        for array in (mean, scale):
            if array.ndim == 1:
                _check_width(array.shape[0], width, "mean/scale have length", where)
                width = array.shape[0]
        if not inverse and np.any(scale == 0):
            raise ValueError(
                f"{where}: scale contains 0; constant columns need scale 1 (as Standardize does)"
            )
        m, s = graph.add_initializer("mean", mean), graph.add_initializer("scale", scale)
        if inverse:
            return graph.op("Add", graph.op("Mul", x, s), m), width  # x * scale + mean
        return graph.op("Div", graph.op("Sub", x, m), s), width  # (x - mean) / scale

    return emit


def _leaky_relu(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
    slope = float(spec.get("negative_slope", spec.get("alpha", 0.01)))
    if graph.dtype == np.float32:  # ONNX float attributes are float32: exact only in float32
        return graph.op("LeakyRelu", x, alpha=slope), width
    positive = graph.op("Greater", x, graph.constant(0.0, "zero"))
    return graph.op("Where", positive, x, graph.op("Mul", x, graph.constant(slope, "slope"))), width


def _softplus(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
    if graph.dtype == np.float32:
        return graph.op("Softplus", x), width
    # onnxruntime has no float64 Softplus: descenso's stable form max(x, 0) + log(1 + e^-|x|)
    bounded = graph.op("Exp", graph.op("Neg", graph.op("Abs", x)))
    return graph.op(
        "Add", graph.op("Relu", x), graph.op("Log", graph.op("Add", bounded, graph.constant(1.0, "one")))
    ), width


def _gelu(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
    if spec.get("approximate", "tanh") != "tanh":
        raise ValueError(
            f"{where}: descenso's GELU is the tanh approximation; got approximate={spec['approximate']!r}"
        )
    if graph.opset >= NATIVE_GELU_OPSET:
        return graph.op("Gelu", x, approximate="tanh"), width
    # descenso.nn.gelu, op for op: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    cube = graph.op("Mul", graph.op("Mul", x, x), x)
    inner = graph.op("Add", x, graph.op("Mul", cube, graph.constant(0.044715, "gelu_c")))
    tanh = graph.op("Tanh", graph.op("Mul", inner, graph.constant(_SQRT_2_OVER_PI, "sqrt_2_over_pi")))
    half_x = graph.op("Mul", x, graph.constant(0.5, "half"))
    return graph.op("Mul", half_x, graph.op("Add", tanh, graph.constant(1.0, "one"))), width


def _binary_proba(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
    if width not in (None, 1):
        raise ValueError(
            f"{where}: binary_proba needs one column, P(positive); the previous step gives {width}"
        )
    negative = graph.op("Sub", graph.constant(np.ones((1, 1)), "one"), x)
    return graph.op("Concat", negative, x, axis=1), 2  # (batch, 2): [P(class 0), P(class 1)]


def _unary(op_type: str) -> Emitter:
    return lambda graph, spec, x, width, where: (graph.op(op_type, x), width)


def _identity(graph: OnnxGraph, spec: dict[str, Any], x: str, width: int | None, where: str):
    return x, width


# type -> (emitter, allowed keys besides "type")
LAYERS: dict[str, tuple[Emitter, frozenset[str]]] = {
    "linear": (_linear, frozenset({"weight", "bias"})),
    "relu": (_unary("Relu"), frozenset()),
    "leakyrelu": (_leaky_relu, frozenset({"negative_slope", "alpha"})),
    "tanh": (_unary("Tanh"), frozenset()),
    "sigmoid": (_unary("Sigmoid"), frozenset()),
    "softplus": (_softplus, frozenset()),
    "gelu": (_gelu, frozenset({"approximate"})),
    "identity": (_identity, frozenset()),
    "dropout": (_identity, frozenset({"p"})),
    "scale": (_scaling(inverse=False), frozenset({"mean", "scale"})),
    "unscale": (_scaling(inverse=True), frozenset({"mean", "scale"})),
    "binaryproba": (_binary_proba, frozenset()),
}


def _layer_type(spec: Any, where: str) -> str:
    if not isinstance(spec, dict) or "type" not in spec:
        raise TypeError(
            f"{where} must be a dict with a 'type' key, e.g. {{'type': 'relu'}}; got {spec!r:.80}"
        )
    kind = str(spec["type"]).lower().replace("_", "")
    if kind not in LAYERS:
        raise ValueError(f"{where}: unknown type {spec['type']!r}; known types: {sorted(LAYERS)}")
    unknown = set(spec) - {"type"} - LAYERS[kind][1]
    if unknown:
        raise ValueError(
            f"{where} ({kind}): unknown keys {sorted(unknown)}; allowed: {sorted(LAYERS[kind][1])}"
        )
    return kind


def export_sequential(
    graph: OnnxGraph, layers_spec: Sequence[dict[str, Any]], input_name: str, n_features: int | None = None
) -> str:
    """Emit the layers of ``layers_spec``, in order, on ``input_name``; return the last output's name.

    Parameters
    ----------
    graph : OnnxGraph
        Receives the nodes and initializers (in its dtype; its opset decides native GELU).
    layers_spec : sequence of dict
        ``{"type": ..., **arguments}`` steps; see the module docstring for the types.
    input_name : str
        The tensor the first step reads, usually the graph input, shape (batch, n_features).
    n_features : int, optional
        The input width, to check the first layer's shape against.

    Returns
    -------
    str
        The name of the final output (always a node output, even for an all-identity network).

    Raises
    ------
    TypeError
        For a step that is not a dict with a "type".
    ValueError
        For an unknown type or key, arrays of the wrong rank, shapes that do not chain, NaN or
        infinite weights, a zero scale.

    Notes
    -----
    ``linear`` is one ``Gemm(x, W, b, transB=1) = x W^T + b`` with ``W`` of shape (out, in).
    ``gelu`` is ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` exactly as ``descenso.nn.gelu``,
    composed from Mul/Add/Tanh below opset 20 and the native ``Gelu(approximate="tanh")`` from it.
    In float64 graphs ``leaky_relu`` becomes ``Where(x > 0, x, slope x)`` (ONNX's ``alpha`` is
    float32) and ``softplus`` is composed, as onnxruntime has no float64 Softplus kernel.

    Examples
    --------
    >>> graph = OnnxGraph()
    >>> spec = [{"type": "linear", "weight": np.ones((3, 2)), "bias": np.zeros(3)}, {"type": "ReLU"}]
    >>> out = export_sequential(graph, spec, "x", n_features=2)
    >>> [node.op_type for node in graph.to_model("x", [out], n_features=2).graph.node]
    ['Gemm', 'Relu']
    """
    if not isinstance(graph, OnnxGraph):
        raise TypeError(f"graph must be an OnnxGraph; got {type(graph).__name__}")
    graph.reserve(input_name)
    current, width = input_name, n_features
    for index, spec in enumerate(layers_spec):
        where = f"layers_spec[{index}]"
        emit = LAYERS[_layer_type(spec, where)][0]
        current, width = emit(graph, spec, current, width, where)
    if current == input_name:  # an output must come from a node, not be the input itself
        current = graph.op("Identity", current)
    return current


def save_model(model: onnx_types.ModelProto, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to ``path`` atomically (see ``descenso.serialize.atomic_write_bytes``).

    Raises
    ------
    OSError
        Naming the path; an existing file there is then unchanged.
    """
    from descenso.serialize import atomic_write_bytes

    return atomic_write_bytes(path, model.SerializeToString())
