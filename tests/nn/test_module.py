"""Module and Parameter: discovery of parameters, state dicts, modes, repr, summary, configs."""

import json

import numpy as np
import pytest

import descenso as ds
from descenso.nn import MLP, Dropout, Linear, Module, Parameter, ReLU, Sequential, Tanh, from_config

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def test_parameter_is_a_leaf_that_requires_grad_and_owns_its_memory():
    source = np.array([1.0, 2.0], dtype=np.float64)
    p = Parameter(source)
    source[0] = 99.0
    assert p.requires_grad and p.is_leaf and p.dtype == np.float64
    assert p.data.tolist() == [1.0, 2.0]
    assert repr(p).startswith("Parameter([1., 2.]")


def test_named_parameters_walks_nested_modules_in_definition_order():
    net = Sequential(
        Linear(2, 3, rng=0), ReLU(), Sequential(Linear(3, 4, rng=1), Linear(4, 1, bias=False, rng=2))
    )
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.layers.0.weight",
        "layers.2.layers.0.bias",
        "layers.2.layers.1.weight",
    ]
    assert [p.shape for p in net.parameters()] == [(3, 2), (3,), (4, 3), (4,), (1, 4)]


def test_shared_parameter_is_listed_once():
    layer = Linear(2, 2, rng=0)
    net = Sequential(layer, layer)
    assert len(net.parameters()) == 2


def test_state_dict_is_a_copy_and_load_state_dict_copies_in_place():
    model = MLP(2, hidden=(4,), rng=0)
    state = model.state_dict()
    state["layers.0.weight"][...] = 0.0
    assert not np.all(model.layers[0].weight.data == 0)  # a copy, not a view
    weight_array = model.layers[0].weight.data
    other = MLP(2, hidden=(4,), rng=1)
    model.load_state_dict(other.state_dict())
    assert model.layers[0].weight.data is weight_array  # same memory: optimizer views stay valid
    np.testing.assert_array_equal(weight_array, other.layers[0].weight.data)


def test_load_state_dict_names_missing_and_unexpected_keys_and_changes_nothing():
    model = MLP(2, hidden=(4,), rng=0)
    before = model.state_dict()
    state = model.state_dict()
    del state["layers.2.bias"]
    state["layers.9.weight"] = np.zeros((1, 1))
    with pytest.raises(ValueError, match=r"Missing: \['layers.2.bias'\]. Unexpected: \['layers.9.weight'\]"):
        model.load_state_dict(state)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_load_state_dict_reports_both_shapes_and_is_atomic():
    model = MLP(2, hidden=(4,), rng=0)
    state = {k: v + 1 for k, v in model.state_dict().items()}
    state["layers.2.weight"] = np.zeros((1, 5))
    with pytest.raises(ValueError, match=r"'layers.2.weight' has shape \(1, 5\) in the state but \(1, 4\)"):
        model.load_state_dict(state)
    assert not np.any(model.layers[0].bias.data == 1)  # the valid entries were not half-applied


def test_load_state_dict_non_strict_and_dtype_cast():
    model = Linear(2, 1, rng=0)
    model.load_state_dict({"weight": np.array([[1.0, 2.0]], dtype=np.float64)}, strict=False)
    assert model.weight.dtype == np.float32 and model.weight.data.tolist() == [[1.0, 2.0]]
    with pytest.raises(TypeError, match="dict"):
        model.load_state_dict([1, 2])


def test_modules_lists_every_child_named_children_finds_depth_first():
    """``modules()`` walks without building names; it must find what ``named_children()`` names."""

    class Holder(Module):
        def __init__(self):
            super().__init__()
            self.rate, self.dtype = 0.5, np.dtype(np.float32)  # plain values: nothing below them
            self.pair = (Linear(2, 2, rng=0), "not a module", ReLU())
            self.net = Sequential(Linear(2, 3, rng=1), Sequential(Tanh(), Linear(3, 1, rng=2)))
            self.weight = Parameter([1.0])

    def by_names(module):
        return [module, *(m for _, child in module.named_children() for m in by_names(child))]

    for model in [Holder(), MLP(2, hidden=(4, 4), dropout=0.5, rng=0), Linear(2, 1, rng=0)]:
        assert [id(m) for m in model.modules()] == [id(m) for m in by_names(model)]
    assert [type(m).__name__ for m in Holder().modules()] == [
        "Holder", "Linear", "ReLU", "Sequential", "Linear", "Sequential", "Tanh", "Linear"
    ]  # fmt: skip


def test_train_eval_propagate_and_return_self():
    model = MLP(2, hidden=(4,), dropout=0.5, rng=0)
    assert model.eval() is model
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_fills_in_place():
    model = Linear(2, 1, rng=0)
    model(ds.ones(3, 2)).sum().backward()
    grad = model.weight.grad
    assert grad is not None and np.all(grad == 3.0)
    model.zero_grad()
    assert model.weight.grad is grad and np.all(grad == 0)


def test_repr_and_summary_are_readable():
    model = MLP(2, hidden=(3,), rng=0)
    assert repr(model) == (
        "MLP(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n"
        "  (2): Linear(in_features=3, out_features=1, bias=True)\n)"
    )
    summary = model.summary()
    assert "total parameters: 13" in summary and "weight (3, 2), bias (3,)" in summary
    assert model.num_parameters() == 13


def test_custom_module_forward_and_missing_config():
    class Twice(Module):
        def __init__(self):
            super().__init__()
            self.inner = Linear(1, 1, rng=0)

        def forward(self, x):
            return self.inner(self.inner(x))

    m = Twice()
    assert [n for n, _ in m.named_parameters()] == ["inner.weight", "inner.bias"]
    with pytest.raises(NotImplementedError, match="get_config"):
        m.get_config()
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1.0)


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, hidden=(5, 4), activation=["tanh", "gelu"], dropout=0.2, rng=0, dtype="float64"),
        MLP(3, hidden=(), rng=0),
        Sequential(Linear(2, 3, init="he_uniform", rng=0), Tanh(), Dropout(0.1, rng=0), Linear(3, 1, rng=0)),
        MLP(2, hidden=(4,), activation=[ds.nn.LeakyReLU(0.2)], rng=0),
    ],
)
def test_config_is_json_and_rebuilds_the_same_function(model):
    config = json.loads(json.dumps(model.get_config()))
    twin = from_config(config, rng=123)
    twin.load_state_dict(model.state_dict())
    assert twin.get_config() == model.get_config()
    model.eval(), twin.eval()
    x = np.random.default_rng(0).normal(size=(4, model.parameters()[0].shape[1]))
    np.testing.assert_array_equal(model(x).data, twin(x).data)


def test_from_config_errors():
    with pytest.raises(ValueError, match="unknown module type 'Conv2d'"):
        from_config({"type": "Conv2d"})
    with pytest.raises(ValueError, match="'type' key"):
        from_config({"in_features": 2})
    with pytest.raises(ValueError, match="bad arguments for Linear"):
        from_config({"type": "Linear", "in_features": 2, "out_features": 1, "colour": "red"})


# ----------------------------------------------------------------------------- Linear + ReLU fusion
def test_sequential_runs_linear_then_relu_as_one_fused_node_with_identical_numbers():
    class PlainReLU(ReLU):  # a subclass is never fused: it keeps its own forward
        pass

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    fused = MLP(3, hidden=(5, 4), out_features=1, rng=0)
    plain = Sequential(Linear(3, 5), PlainReLU(), Linear(5, 4), PlainReLU(), Linear(4, 1))
    plain.load_state_dict(fused.state_dict())
    out_fused, out_plain = fused(x), plain(x)
    assert out_fused._parents[0].name == "linear_relu"
    assert out_plain._parents[0].name == "relu"
    np.testing.assert_array_equal(out_fused.data, out_plain.data)
    out_fused.sum().backward()
    out_plain.sum().backward()
    for (name, a), b in zip(fused.named_parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(a.grad, b.grad, err_msg=name)


def test_sequential_fuses_only_adjacent_linear_relu_pairs():
    net = Sequential(ReLU(), Linear(2, 2, rng=0), Tanh(), Linear(2, 2, rng=1), ReLU())
    x = ds.tensor([[1.0, -2.0]], requires_grad=True)
    out = net(x)
    expected = ds.relu(ds.linear(ds.tanh(ds.linear(ds.relu(x), net[1].weight, net[1].bias)), net[3].weight,
                                 net[3].bias))  # fmt: skip
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-6)
    assert out.name == "linear_relu"  # the last pair; ReLU first and Linear+Tanh stay unfused


def test_a_layer_whose_forward_is_replaced_on_the_instance_is_not_fused():
    # descenso.trace_step watches each layer by replacing its forward; fusion must not skip it.
    net = MLP(2, hidden=(3,), out_features=1, rng=0)
    seen = []
    original = net[1].forward
    net[1].forward = lambda x: seen.append(x.name) or original(x)
    out = net(ds.ones(4, 2))
    assert seen == ["linear"] and out._parents[0].name == "relu"
    del net[1].forward
    assert net(ds.ones(4, 2))._parents[0].name == "linear_relu"


def test_parameters_are_the_named_parameters_without_names_on_nested_lists_and_tuples():
    class Holder(Module):
        def __init__(self):
            super().__init__()
            shared = Linear(2, 2, rng=0)
            self.scale = Parameter([1.0])
            self.blocks = [Sequential(Linear(2, 3, rng=1), ReLU()), shared, 3, "text"]
            self.pair = (shared, Linear(3, 1, rng=2))  # a shared module: its parameters once
            self.again = self.scale  # a shared parameter: once
            self.plain = [1.0, 2.0]

        def forward(self, x):
            return x

    for model in [Holder(), MLP(2, hidden=[4, 4], out_features=1, rng=0), Linear(2, 1, rng=0), ReLU()]:
        named = [p for _, p in model.named_parameters()]
        assert [id(p) for p in model.parameters()] == [id(p) for p in named]  # the same objects, in order
    assert len(Holder().parameters()) == 7  # scale, blocks.0 (2), shared (2), pair.1 (2)
