"""ONNX export: random networks run by onnxruntime agree with NumPy and with descenso.nn."""

from __future__ import annotations

import itertools
import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import descenso as ds
from descenso import nn
from descenso.export.onnx import OnnxGraph, export_sequential, save_model

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity", "gelu"]


def reference(spec: list[dict], x: np.ndarray) -> np.ndarray:
    """An independent float64 NumPy forward pass over the same layer dicts."""
    x = x.astype(np.float64)
    for step in spec:
        kind = step["type"].lower().replace("_", "")
        if kind == "linear":
            x = x @ np.asarray(step["weight"], np.float64).T + (
                0 if step.get("bias") is None else step["bias"]
            )
        elif kind == "scale":
            x = (x - step["mean"]) / step["scale"]
        elif kind == "unscale":
            x = x * step["scale"] + step["mean"]
        elif kind == "relu":
            x = np.maximum(x, 0)
        elif kind == "leakyrelu":
            x = np.where(x > 0, x, step.get("negative_slope", 0.01) * x)
        elif kind == "tanh":
            x = np.tanh(x)
        elif kind == "sigmoid":
            x = 0.5 * (1 + np.tanh(x / 2))  # 1 / (1 + e^-x) without overflow
        elif kind == "softplus":
            x = np.logaddexp(0, x)
        elif kind == "gelu":
            x = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
        elif kind == "binaryproba":
            x = np.concatenate([1 - x, x], axis=1)
        else:
            assert kind == "identity", kind
    return x


def run(model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})


def random_network(rng, n_features, activation, dtype, depth=3, scale=True):
    widths = [n_features, *rng.integers(2, 24, depth - 1).tolist(), 1]
    spec: list[dict] = []
    if scale:
        spec.append(
            {"type": "scale", "mean": rng.normal(size=n_features), "scale": rng.uniform(0.5, 3, n_features)}
        )
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        weight = (rng.normal(size=(fan_out, fan_in)) * 1.5 / math.sqrt(fan_in)).astype(dtype)
        bias = rng.normal(size=fan_out).astype(dtype) if layer % 2 == 0 else None
        spec.append({"type": "linear", "weight": weight, "bias": bias})
        if layer < depth - 1:
            step = {"type": activation}
            if activation == "leaky_relu":
                step["negative_slope"] = float(rng.uniform(0.01, 0.3))
            spec.append(step)
    return spec


def export(spec, n_features, dtype="float32", opset=17, **kwargs):
    graph = OnnxGraph(dtype=dtype, opset=opset)
    out = export_sequential(graph, spec, "X", n_features=n_features)
    return graph.to_model("X", [out], n_features=n_features, **kwargs)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(4))
def test_random_float32_networks_match_numpy(activation, seed):
    rng = np.random.default_rng(seed)
    n_features = int(rng.integers(1, 9))
    spec = random_network(rng, n_features, activation, np.float32, depth=int(rng.integers(2, 5)))
    spec.append({"type": "unscale", "mean": np.array([3.0]), "scale": np.array([2.5])})
    model = export(spec, n_features)
    onnx.checker.check_model(model, full_check=True)
    x = (rng.normal(size=(257, n_features)) * 3).astype(np.float32)
    (out,) = run(model, x)
    assert out.dtype == np.float32 and out.shape == (257, 1)
    np.testing.assert_allclose(out, reference(spec, x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float64_networks_match_numpy_closely(activation):
    rng = np.random.default_rng(11)
    spec = random_network(rng, 5, activation, np.float64, depth=4)
    x = rng.normal(size=(64, 5)) * 4
    (out,) = run(export(spec, 5, dtype="float64"), x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, reference(spec, x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("opset", [17, 20])
def test_gelu_composed_and_native_both_match(opset):
    x = np.linspace(-12, 12, 481, dtype=np.float32).reshape(-1, 1)
    spec = [{"type": "gelu"}]
    model = export(spec, 1, opset=opset)
    ops = [node.op_type for node in model.graph.node]
    assert ("Gelu" in ops) == (opset >= 20)
    np.testing.assert_allclose(run(model, x)[0], reference(spec, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("activation", ["softplus", "sigmoid", "tanh", "leaky_relu", "gelu"])
def test_extreme_inputs_stay_finite_and_exact(activation):
    x = np.array([[-1e4], [-100.0], [-30.0], [-1e-3], [0.0], [1e-3], [30.0], [100.0], [1e4]], np.float32)
    for dtype in ("float32", "float64"):
        spec = [{"type": activation}]
        (out,) = run(export(spec, 1, dtype=dtype), x.astype(dtype))
        assert np.all(np.isfinite(out))
        np.testing.assert_allclose(out, reference(spec, x), rtol=1e-6, atol=1e-6)


def descenso_to_spec(module) -> list[dict]:
    """What the integrator will do: translate descenso.nn modules into layer dicts."""
    spec = []
    for layer in module.layers:
        config = layer.get_config()
        if config["type"] == "Linear":
            bias = None if layer.bias is None else layer.bias.data
            spec.append({"type": "linear", "weight": layer.weight.data, "bias": bias})
        else:
            spec.append(config)  # {"type": "GELU"}, {"type": "LeakyReLU", "negative_slope": 0.2}, ...
    return spec


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_descenso_modules_exported_predict_the_same(dtype):
    modules = [nn.GELU(), nn.LeakyReLU(0.2), nn.Softplus(), nn.Tanh(), nn.Sigmoid(), nn.ReLU(), nn.Identity()]
    layers = [nn.Linear(6, 12, rng=0, dtype=dtype)]
    for index, activation in enumerate(modules):
        layers += [
            activation,
            nn.Linear(12, 12 if index < len(modules) - 1 else 1, rng=index + 1, dtype=dtype),
        ]
    model = nn.Sequential(*layers)
    x = np.random.default_rng(3).normal(size=(100, 6)).astype(dtype) * 2
    with ds.no_grad():
        expected = model(ds.tensor(x)).data
    (out,) = run(export(descenso_to_spec(model), 6, dtype=dtype), x)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance)


def test_classifier_path_with_two_probability_columns(tmp_path):
    rng = np.random.default_rng(5)
    spec = [*random_network(rng, 4, "relu", np.float32), {"type": "sigmoid"}, {"type": "binary_proba"}]
    model = export(spec, 4, metadata={"classes": '["no", "yes"]'})
    path = save_model(model, tmp_path / "model.onnx")
    loaded = onnx.load(str(path))
    assert {p.key: p.value for p in loaded.metadata_props} == {"classes": '["no", "yes"]'}
    assert loaded.producer_name == "descenso" and loaded.producer_version == ds.__version__
    x = rng.normal(size=(50, 4)).astype(np.float32)
    (proba,) = run(loaded, x)
    assert proba.shape == (50, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-6)
    np.testing.assert_allclose(proba, reference(spec, x), rtol=1e-5, atol=1e-5)


def test_linear_without_bias_and_several_outputs():
    graph = OnnxGraph()
    weight = np.arange(6, dtype=np.float32).reshape(3, 2)
    hidden = export_sequential(graph, [{"type": "linear", "weight": weight}], "X", n_features=2)
    activated = export_sequential(graph, [{"type": "tanh"}], hidden)
    model = graph.to_model("X", [hidden, activated], n_features=2)
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], np.float32)
    first, second = run(model, x)
    np.testing.assert_allclose(first, x @ weight.T, rtol=1e-7)  # hand check: W is (out, in)
    np.testing.assert_allclose(second, np.tanh(x @ weight.T), rtol=1e-6)
    assert [node.op_type for node in model.graph.node] == ["Gemm", "Tanh"]


def test_graph_builder_names_and_versions():
    graph = OnnxGraph(opset=18)
    assert graph.reserve("X") == "X" and graph.fresh("X") == "X_1"
    first, second = graph.add_initializer("w", np.ones(2)), graph.add_initializer("w", np.ones(2))
    assert (first, second) == ("w", "w_1")
    assert graph.add_initializer("shape", np.array([1, -1])) == "shape"
    reshaped = graph.op("Reshape", graph.op("Add", "X", first), "shape")
    model = graph.to_model("X", [reshaped], n_features=2)
    assert model.opset_import[0].version == 18
    assert model.ir_version == onnx.helper.find_min_ir_version_for(list(model.opset_import))
    assert {t.name: t.data_type for t in model.graph.initializer}["shape"] == onnx.TensorProto.INT64
    np.testing.assert_array_equal(run(model, np.zeros((3, 2), np.float32))[0], np.ones((1, 6)))
    (empty,) = run(
        export([{"type": "identity"}, {"type": "dropout", "p": 0.5}], 2), np.ones((2, 2), np.float32)
    )
    np.testing.assert_array_equal(empty, np.ones((2, 2)))


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ([{"type": "conv"}], ValueError, "unknown type 'conv'"),
        (["relu"], TypeError, r"layers_spec\[0\] must be a dict"),
        ([{"kind": "relu"}], TypeError, "'type' key"),
        ([{"type": "relu", "slope": 1}], ValueError, r"unknown keys \['slope'\]"),
        (
            [{"type": "linear", "weight": np.ones((2, 5))}],
            ValueError,
            "in_features 5 but the previous step gives 3",
        ),
        ([{"type": "linear", "weight": np.ones(3)}], ValueError, "2-D float array"),
        (
            [{"type": "linear", "weight": np.ones((2, 3)), "bias": np.ones(3)}],
            ValueError,
            "expected \\(2,\\)",
        ),
        ([{"type": "linear", "weight": np.full((2, 3), np.nan)}], ValueError, "NaN"),
        (
            [{"type": "scale", "mean": np.zeros(3), "scale": np.array([1.0, 0.0, 1.0])}],
            ValueError,
            "scale contains 0",
        ),
        ([{"type": "scale", "mean": np.zeros(4), "scale": np.ones(4)}], ValueError, "length 4"),
        ([{"type": "binary_proba"}], ValueError, "one column"),
        ([{"type": "Linear"}], ValueError, "'Linear' needs 'weight'"),
        ([{"type": "scale", "mean": np.zeros(3)}], ValueError, "needs 'scale'"),
        ([{"type": "gelu", "approximate": "none"}], ValueError, "tanh approximation"),
    ],
)
def test_clear_errors(spec, error, match):
    with pytest.raises(error, match=match):
        export_sequential(OnnxGraph(), spec, "X", n_features=3)


def test_graph_misuse_errors():
    with pytest.raises(TypeError, match="float32 or float64"):
        OnnxGraph(dtype="float16")
    with pytest.raises(ValueError, match="opset"):
        OnnxGraph(opset=9)
    graph = OnnxGraph(opset=20)
    out = export_sequential(graph, [{"type": "gelu"}], "X")
    with pytest.raises(ValueError, match="lower than the graph's 20"):
        graph.to_model("X", [out], opset=17)
    with pytest.raises(ValueError, match="ONNX graph is invalid"):
        graph.to_model("X", ["nobody_makes_this"])
    with pytest.raises(TypeError, match="OnnxGraph"):
        export_sequential(None, [], "X")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_declared_inputs_float_and_string(dtype):
    """Two inputs, one of text: a one-hot block (unseen text -> zeros) beside a float column."""
    graph = OnnxGraph(dtype=dtype)
    size, colour = graph.add_input("size"), graph.add_input("colour", kind="string")
    hot = graph.op("OneHotEncoder", colour, domain="ai.onnx.ml", cats_strings=["blue", "red"], zeros=1)
    flat = graph.op("Reshape", hot, graph.add_initializer("shape", np.array([-1, 2])))
    typed = graph.op("Cast", flat, to=onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))
    out = graph.op("Concat", size, typed, axis=1)
    model = graph.to_model(None, [out])
    assert {(o.domain, o.version) for o in model.opset_import} == {("", 17), ("ai.onnx.ml", 3)}
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {"size": np.array([[1.5], [2.0], [3.0]], dtype), "colour": np.array([["red"], ["green"], ["x"]])}
    np.testing.assert_array_equal(session.run(None, feed)[0], [[1.5, 0, 1], [2.0, 0, 0], [3.0, 0, 0]])
    assert session.run(None, feed)[0].dtype == np.dtype(dtype)


def test_declared_input_misuse():
    graph = OnnxGraph()
    graph.add_input("a")
    with pytest.raises(ValueError, match="'a' is already used"):
        graph.add_input("a")
    with pytest.raises(ValueError, match="'float' or 'string'"):
        graph.add_input("b", kind="int")
    with pytest.raises(ValueError, match="operator domain"):
        graph.op("Foo", "a", domain="com.example")
    out = graph.op("Relu", "a")
    with pytest.raises(ValueError, match=r"either input_name .* or declare"):
        graph.to_model("a", [out])
    with pytest.raises(ValueError, match="1 declared inputs"):
        graph.to_model("X", [out])
    with pytest.raises(ValueError, match="0 declared inputs"):
        OnnxGraph().to_model(None, [])
    assert [i.name for i in graph.to_model(None, [out]).graph.input] == ["a"]
    assert [o.domain for o in graph.to_model(None, [out]).opset_import] == [""]  # no ML import unless used


# ---------------------------------------------------------------------------- representations


def run_transform(transform, X: np.ndarray, emit) -> np.ndarray:
    """The fitted ``transform`` exported with ``emit`` and run by onnxruntime on ``X``."""
    graph = OnnxGraph(dtype=str(X.dtype))
    graph.reserve("X")
    out = emit(graph, transform, "X")
    model = graph.to_model("X", [out], n_features=X.shape[1])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"X": X})[0]


def points_with_axes(dtype: str, columns: int = 2) -> np.ndarray:
    """Random points plus every axis direction, the origin and signed zeros (atan2's hard cases)."""
    rng = np.random.default_rng(7)
    special = [[0.0, 0.0], [-0.0, 0.0], [0.0, -0.0], [-0.0, -0.0], [2.0, 0.0], [-2.0, 0.0], [-2.0, -0.0],
               [0.0, 3.0], [0.0, -3.0], [-0.0, 3.0], [1e-30, 1.0], [-1e-30, -1.0], [5.0, 5.0], [-5.0, 5.0],
               [-5.0, -5.0], [5.0, -5.0]]  # fmt: skip
    X = np.concatenate([np.array(special), rng.normal(size=(200, 2)) * rng.choice([0.01, 1, 100], (200, 1))])
    if columns > 2:
        X = np.concatenate([X, rng.normal(size=(len(X), columns - 2))], axis=1)
    return X.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_atan2_matches_numpy_in_all_four_quadrants_and_on_the_axes(dtype):
    from descenso.export.onnx_features import atan2

    X = points_with_axes(dtype)

    def emit(graph, transform, x):
        return atan2(graph, graph.op("Gather", x, graph.add_initializer("i", np.array([1])), axis=1),
                     graph.op("Gather", x, graph.add_initializer("i", np.array([0])), axis=1))  # fmt: skip

    angle = run_transform(None, X, emit)[:, 0]
    expected = np.arctan2(X[:, 1], X[:, 0])
    tolerance = 1e-6 if dtype == "float32" else 1e-14  # float64: the Newton step restores full precision
    np.testing.assert_allclose(angle, expected, rtol=tolerance, atol=tolerance)
    assert np.array_equal(np.signbit(angle[:4]), np.signbit(expected[:4]))  # +-0 and +-pi at the origin
    assert set(np.sign(expected)) == {-1.0, 0.0, 1.0}


@pytest.mark.parametrize(
    ("settings", "columns"),
    [({}, 2), ({"center": "mean"}, 2), ({"center": [0.5, -1.0]}, 2), ({"columns": (2, 0)}, 3),
     ({"columns": (-1, 1), "center": "mean"}, 4)],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_polar_export_matches_the_transform(settings, columns, dtype):
    from descenso.export.onnx_features import polar
    from descenso.features import Polar

    X = points_with_axes(dtype, columns)
    transform = Polar(**settings).fit(X)
    exported = run_transform(transform, X, polar)
    expected = transform.transform(X)
    assert exported.shape == expected.shape == (len(X), columns + 2)
    np.testing.assert_allclose(exported, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "formulas",
    [
        ["x1 + x2 - x3", "x1 * x2 / (x3 + 10)", "-x1 ** 2", "x2 ** 3 - 2 * x1"],
        ["sin(x1) + cos(x2)", "tan(x3 / 4)", "exp(x1 / 3)", "log(abs(x2) + 1)", "sqrt(abs(x3))"],
        ["tanh(x1 * x2)", "abs(x1) ** 0.5", "2 * 3", "-(x1 - x3) * +x2"],
    ],
)
@pytest.mark.parametrize("keep_input", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_expression_export_matches_the_transform(formulas, keep_input, dtype):
    from descenso.export.onnx_features import expression
    from descenso.features import Expression

    X = points_with_axes(dtype, 3)
    transform = Expression(formulas, keep_input=keep_input).fit(X)
    exported = run_transform(transform, X, expression)
    expected = transform.transform(X)
    assert exported.shape == expected.shape == (len(X), 3 * keep_input + len(formulas))
    np.testing.assert_allclose(exported, expected, rtol=1e-5, atol=1e-5)
