"""Linear, initialisers, activations, Dropout and MLP: values by hand, statistics, gradients, errors."""

import numpy as np
import pytest

import descenso as ds
from descenso.nn import GELU, MLP, Dropout, Linear, activation, gelu, init
from descenso.testing import gradcheck

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def test_linear_computes_x_w_transpose_plus_b():
    layer = Linear(2, 3, rng=0, dtype="float64")
    layer.weight.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.bias.data[...] = [0.5, -0.5, 1.0]
    out = layer(np.array([[1.0, -1.0]]))
    assert out.data.tolist() == [[-0.5, -1.5, 0.0]]
    out.sum().backward()
    assert layer.weight.grad.tolist() == [[1, -1]] * 3 and layer.bias.grad.tolist() == [1, 1, 1]


def test_linear_without_bias_and_gradcheck():
    layer = Linear(3, 2, bias=False, rng=0, dtype="float64")
    assert layer.bias is None and len(layer.parameters()) == 1
    x = np.random.default_rng(1).normal(size=(4, 3))
    assert gradcheck(lambda w, x: ds.linear(x, w), layer.weight.data, x)


def test_linear_input_dtype_rules():
    layer = Linear(2, 1, rng=0)
    assert layer(np.ones((3, 2), dtype=np.float64)).dtype == np.float32  # arrays are converted
    with pytest.raises(TypeError, match=r"x\.astype"):
        layer(ds.tensor(np.ones((3, 2), dtype=np.float64)))
    with pytest.raises(ValueError, match="in_features"):
        layer(np.ones((3, 4)))


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="positive int"):
        Linear(bad, 1)


def test_linear_rejects_unknown_init():
    with pytest.raises(ValueError, match="unknown initialiser 'kaiming'"):
        Linear(2, 2, init="kaiming")


def test_initialisers_have_the_stated_scale_and_are_seeded():
    he = init.he_normal((400, 1000), rng=0)
    assert he.dtype == np.float32 and abs(he.std() - np.sqrt(2 / 1000)) < 0.002
    glorot = init.glorot_uniform((300, 500), rng=0)
    limit = np.sqrt(6 / 800)
    assert glorot.max() <= limit and glorot.min() >= -limit and abs(glorot.std() - limit / np.sqrt(3)) < 0.002
    np.testing.assert_array_equal(init.he_uniform((3, 4), rng=5), init.he_uniform((3, 4), rng=5))
    with pytest.raises(TypeError, match="rng must be"):
        init.glorot_normal((2, 2), rng="seed")


def test_mlp_chooses_he_for_relu_layers_and_glorot_elsewhere():
    model = MLP(1000, hidden=(500, 500), activation=["relu", "tanh"], rng=0)
    first, second = model.layers[0].weight.data, model.layers[2].weight.data
    assert model.layers[0].init == "he" and abs(first.std() - np.sqrt(2 / 1000)) < 0.002
    assert model.layers[2].init == "glorot" and np.abs(second).max() <= np.sqrt(6 / 1000)
    assert model.layers[-1].init == "glorot"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("relu", [0.0, 0.0, 2.0]),
        ("leaky_relu", [-0.01, 0.0, 2.0]),
        ("tanh", np.tanh([-1.0, 0.0, 2.0])),
        ("sigmoid", 1 / (1 + np.exp([1.0, 0.0, -2.0]))),
        ("identity", [-1.0, 0.0, 2.0]),
        ("softplus", np.log1p(np.exp([-1.0, 0.0, 2.0]))),
        ("gelu", [-0.15880801, 0.0, 1.95459769]),
    ],
)
def test_activation_values_and_gradients(name, expected):
    module = activation(name)
    x = ds.tensor([-1.0, 0.0, 2.0], dtype="float64")
    np.testing.assert_allclose(module(x).data, expected, rtol=1e-7)
    assert gradcheck(module, [-1.3, 0.4, 2.0])
    assert type(ds.nn.from_config(module.get_config())) is type(module)


def test_activation_by_name_errors_and_aliases():
    assert type(activation("Leaky-ReLU")).__name__ == "LeakyReLU"
    assert type(activation("linear")).__name__ == "Identity"
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activation("swish")
    with pytest.raises(TypeError, match="name or a Module"):
        activation(3)


def test_gelu_is_the_tanh_approximation():
    x = np.linspace(-4, 4, 9)
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(gelu(ds.tensor(x)).data, expected, rtol=1e-12)
    assert "tanh" in repr(GELU())


def test_dropout_is_inverted_seeded_and_only_in_training():
    x = ds.ones(10000)
    a, b = Dropout(0.25, rng=3)(x).data, Dropout(0.25, rng=3)(x).data
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a).tolist()) == {0.0, np.float32(1 / 0.75)}
    assert abs((a == 0).mean() - 0.25) < 0.02 and abs(a.mean() - 1.0) < 0.03
    assert a.dtype == np.float32
    drop = Dropout(0.25, rng=3).eval()
    assert drop(x) is x


def test_dropout_gradient_is_the_mask():
    x = ds.tensor(np.ones(8), requires_grad=True, dtype="float64")
    y = Dropout(0.5, rng=1)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)


@pytest.mark.parametrize("p", [-0.1, 1.0, "0.5"])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(p)


def test_mlp_structure_shapes_and_dropout_placement():
    model = MLP(4, hidden=(8, 6), out_features=2, dropout=0.1, rng=0)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert model(np.zeros((5, 4))).shape == (5, 2)
    assert model.num_parameters() == 4 * 8 + 8 + 8 * 6 + 6 + 6 * 2 + 2


def test_mlp_same_seed_same_weights_and_linear_model():
    a, b = MLP(3, rng=7), MLP(3, rng=7)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert na == nb
        np.testing.assert_array_equal(pa.data, pb.data)
    assert not np.array_equal(MLP(3, rng=8).layers[0].weight.data, a.layers[0].weight.data)
    linear_model = MLP(3, hidden=(), rng=0)
    assert len(linear_model.layers) == 1 and linear_model.num_parameters() == 4


def test_mlp_errors():
    with pytest.raises(ValueError, match="2 activations for 1 hidden layers"):
        MLP(2, hidden=(4,), activation=["relu", "tanh"])
    with pytest.raises(ValueError, match="hidden sizes"):
        MLP(2, hidden=(4, 0))


def test_mlp_float64_end_to_end_gradcheck():
    model = MLP(2, hidden=(3,), activation="tanh", rng=0, dtype="float64")
    x = np.random.default_rng(0).normal(size=(5, 2))
    assert gradcheck(model, x)
