"""The array-module switch (descenso/backend.py), devices, and what runs under the strict namespace."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import strict_array
from strict_array import COUNTS, StrictArray, StrictError, use_strict_device

import descenso as ds
from descenso import backend, losses, nn, optim
from descenso.train import fit

# --------------------------------------------------------------------------- the public surface covered
# Every public function below runs, forward and backward, on the strict namespace: in this file
# (test_every_covered_function_runs_on_the_strict_namespace) and, for each family, in its own tests,
# which run twice (NumPy and strict) through the fixture `array_namespace` (tests/conftest.py):
# tests/ops/*, tests/nn/*, tests/optim/test_optimizers.py, tests/test_losses.py, tests/test_tensor.py,
# tests/test_autograd.py and tests/test_train.py.
COVERED_OPS = {
    "abs", "add", "broadcast_to", "clip", "concatenate", "div", "exp", "getitem", "leaky_relu", "linear",
    "linear_relu", "log", "log_sigmoid", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg",
    "pow", "relu", "reshape", "sigmoid", "softplus", "sqrt", "squeeze", "stack", "sub", "sum", "tanh",
    "transpose", "unsqueeze", "where",
}  # fmt: skip
COVERED_LOSSES = {"mse", "mae", "huber", "bce_with_logits", "bce", "hinge"}
COVERED_OPTIMIZERS = {"sgd", "gd", "momentum", "adam", "adamw", "rmsprop"}
COVERED_LAYERS = {"Linear", "MLP", "Sequential", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "GELU",
                  "Identity", "Dropout"}  # fmt: skip
COVERED_OTHERS = {"tensor", "zeros", "ones", "randn", "rand", "fit", "gradcheck", "clip_grad_norm"}


def test_the_covered_list_is_every_public_op_loss_optimizer_and_layer():
    assert set(ds.ops.__all__) == COVERED_OPS
    assert set(losses.LOSSES) == COVERED_LOSSES
    assert set(optim.OPTIMIZERS) <= COVERED_OPTIMIZERS
    layers = {name for name in nn.__all__ if isinstance(getattr(nn, name), type)} - {"Module", "Parameter"}
    assert layers == COVERED_LAYERS


@pytest.fixture
def strict():
    use_strict_device()
    COUNTS.update(to_host=0, to_device=0)
    with backend.default_device("strict"):
        yield


CALLS = {
    "abs": lambda a, b: ds.abs(a),
    "add": lambda a, b: a + b,
    "broadcast_to": lambda a, b: ds.broadcast_to(a[0], (2, 3)),
    "clip": lambda a, b: ds.clip(a, -0.5, 0.5),
    "concatenate": lambda a, b: ds.concatenate([a, b], axis=1),
    "div": lambda a, b: a / (b * b + 1),
    "exp": lambda a, b: ds.exp(a),
    "getitem": lambda a, b: a[[0, 0, 1], 1:],
    "leaky_relu": lambda a, b: ds.leaky_relu(a, 0.1),
    "linear": lambda a, b: ds.linear(a, b, b[:, 0]),
    "linear_relu": lambda a, b: ds.ops.linear_relu(a, b, b[:, 0]),
    "log": lambda a, b: ds.log(a * a + 1),
    "log_sigmoid": lambda a, b: ds.log_sigmoid(a),
    "matmul": lambda a, b: a @ b.T,
    "max": lambda a, b: a.max(axis=1),
    "maximum": lambda a, b: ds.maximum(a, b),
    "mean": lambda a, b: a.mean(axis=0),
    "min": lambda a, b: a.min(),
    "minimum": lambda a, b: ds.minimum(a, 0.0),
    "mul": lambda a, b: a * b,
    "neg": lambda a, b: -a,
    "pow": lambda a, b: (a * a + 1) ** b,
    "relu": lambda a, b: ds.relu(a),
    "reshape": lambda a, b: a.reshape(3, 2),
    "sigmoid": lambda a, b: ds.sigmoid(a),
    "softplus": lambda a, b: ds.softplus(a),
    "sqrt": lambda a, b: ds.sqrt(a * a + 1),
    "squeeze": lambda a, b: a[:1].squeeze(0),
    "stack": lambda a, b: ds.stack([a, b]),
    "sub": lambda a, b: 1.0 - a - b,
    "sum": lambda a, b: a.sum(axis=-1),
    "tanh": lambda a, b: ds.tanh(a),
    "transpose": lambda a, b: a.T,
    "unsqueeze": lambda a, b: a.unsqueeze(1),
    "where": lambda a, b: ds.where(a > 0, a, b),
}


def run_everything(device):
    """Every covered op, loss and optimizer once, on ``device``; the numbers, for comparison."""
    rng = np.random.default_rng(0)
    values = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 3))
    out = {}
    for name in sorted(COVERED_OPS):
        a, b = (ds.tensor(v, requires_grad=True, device=device) for v in values)
        y = CALLS[name](a, b)
        (y * y).sum().backward()
        out[name] = [y.data, a.grad if a.grad is not None else 0, b.grad if b.grad is not None else 0]
    for name in sorted(COVERED_LOSSES):
        z = ds.tensor(values[0], requires_grad=True, device=device)
        target = (values[1] > 0).astype(np.float32)
        loss = losses.get(name)(ds.sigmoid(z) if name == "bce" else z, target, sample_weight=[1.0, 2.0])
        loss.backward()
        out[name] = [loss.data, z.grad]
    for name in sorted(COVERED_OPTIMIZERS & set(optim.OPTIMIZERS)):
        model = nn.MLP(3, hidden=(4,), activation="tanh", rng=0).to(device)
        opt = optim.get(name, model.parameters(), lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            losses.mse(model(values[0]), values[1][:, 0]).backward()
            optim.clip_grad_norm(model.parameters(), 1.0)
            opt.step()
        out[name] = [p.data for p in model.parameters()]
    return out


def test_every_covered_function_runs_on_the_strict_namespace(strict):
    on_strict = run_everything("strict")
    on_numpy = run_everything("cpu")
    for name, arrays in on_strict.items():
        for strict_value, numpy_value in zip(arrays, on_numpy[name], strict=True):
            assert isinstance(strict_value, (StrictArray, int)), name
            np.testing.assert_array_equal(strict_value, numpy_value, err_msg=name)
    for layer in COVERED_LAYERS - {"Linear", "MLP", "Sequential"}:
        module = getattr(nn, layer)() if layer != "Dropout" else nn.Dropout(0.5, rng=0)
        y = module(ds.randn(4, 3, rng=0, requires_grad=True))
        assert isinstance(y.data, StrictArray), layer


def test_a_stray_numpy_call_in_descenso_fails_under_the_strict_namespace(strict):
    x = ds.tensor([1.0, -2.0])
    assert isinstance(x.data, StrictArray) and x.device == "strict:0"
    module = types.ModuleType("descenso.stray")  # code that lives in descenso ...
    exec("import numpy as np\ndef f(a): return np.exp(a)\ndef g(a): return np.asarray(a)", module.__dict__)
    with pytest.raises(StrictError, match="ufunc exp"):
        module.f(x.data)
    with pytest.raises(StrictError, match="converted a device array"):
        module.g(x.data)
    np.testing.assert_array_equal(np.exp(x.data), np.exp(np.float32([1.0, -2.0])))  # tests may


# --------------------------------------------------------------------------- devices
def test_device_names_and_errors():
    assert backend.parse_device("cpu") == ("cpu", 0)
    with pytest.raises(ValueError, match=r"unknown device 'gpu'; expected one of: cpu, cuda, cuda:N"):
        backend.parse_device("gpu")
    use_strict_device()
    assert backend.parse_device("strict:0") == ("strict", 0)
    with pytest.raises(ValueError, match=r"device 'strict:1' does not exist: 1 strict device\(s\)"):
        backend.parse_device("strict:1")
    assert backend.array_module(np.ones(1)) is np and backend.array_module(3.0) is np


def test_cuda_without_cupy_says_to_install_the_gpu_extra(monkeypatch):
    monkeypatch.delitem(backend._BY_NAME, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    with pytest.raises(ImportError, match=r"needs CuPy.*pip install 'descenso\[gpu\]'"):
        ds.tensor([1.0], device="cuda")


def test_cuda_without_a_visible_gpu_says_so(monkeypatch):
    def no_device():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    monkeypatch.delitem(backend._BY_NAME, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(RuntimeError, match=r"no CUDA GPU is visible \(cudaErrorNoDevice.*nvidia-smi"):
        nn.Linear(2, 1).to("cuda")


def test_mixing_devices_names_both_and_the_fix():
    use_strict_device()
    a, b = ds.tensor([1.0, 2.0]), ds.tensor([3.0, 4.0], device="strict")
    with pytest.raises(ValueError, match=r"add: the operands are on different devices, cpu and strict:0.*"
                       r"Fix: move the one on cpu with .to\('strict:0'\)"):  # fmt: skip
        a + b
    with pytest.raises(ValueError, match="linear: the operands are on different devices"):
        ds.linear(a.reshape(1, 2), b.reshape(1, 2))


def test_to_and_cpu_move_tensors_and_modules_and_back():
    use_strict_device()
    x = ds.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x
    on = x.to("strict")
    assert on.device == "strict:0" and on.requires_grad and on.is_leaf and "device='strict:0'" in repr(on)
    with pytest.raises(TypeError, match=r"numpy\(\) on a tensor on strict:0.*t.cpu\(\).numpy\(\)"):
        on.numpy()
    np.testing.assert_array_equal(on.cpu().numpy(), [1.0, 2.0])
    model = nn.MLP(2, hidden=(3,), rng=0)
    before = model.state_dict()
    assert model.to("strict") is model and model.device == "strict:0"
    assert all(isinstance(p.data, StrictArray) for p in model.parameters())
    model.to("cpu")
    for name, value in model.state_dict().items():
        assert type(value) is np.ndarray
        np.testing.assert_array_equal(value, before[name])


def test_the_same_seed_gives_the_same_weights_on_every_device(strict):
    """Initial weights and random tensors are drawn on the host, then moved."""
    on_device = nn.MLP(3, hidden=(5,), rng=7)
    assert on_device.device == "strict:0"
    with backend.default_device("cpu"):
        on_host = nn.MLP(3, hidden=(5,), rng=7)
        assert ds.randn(3, rng=1).device == "cpu"
    for a, b in zip(on_device.parameters(), on_host.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(
        ds.randn(3, rng=1).data, np.random.default_rng(1).standard_normal(3, np.float32)
    )


def test_load_state_dict_across_devices():
    use_strict_device()
    source = nn.MLP(2, hidden=(3,), rng=0).to("strict")
    target = nn.MLP(2, hidden=(3,), rng=1)
    target.load_state_dict(source.state_dict())  # device arrays into host parameters
    back = nn.MLP(2, hidden=(3,), rng=2).to("strict")
    back.load_state_dict(target.state_dict())  # host arrays into device parameters
    for a, b in zip(back.parameters(), source.parameters(), strict=True):
        assert isinstance(a.data, StrictArray)
        np.testing.assert_array_equal(a.data, b.data)


# --------------------------------------------------------------------------- fit on a device
def spirals(n=96):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2)).astype(np.float32)
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.float32)


def test_fit_on_a_device_reads_one_value_a_step_and_equals_numpy_bit_for_bit():
    use_strict_device()
    X, y = spirals()
    settings = dict(loss="bce_with_logits", epochs=3, batch_size=16, rng=0, validation=0.25, l2=1e-3)
    host = nn.MLP(2, hidden=(8,), rng=0)
    fit(host, X, y, **settings)
    device = nn.MLP(2, hidden=(8,), rng=0)
    COUNTS.update(to_host=0, to_device=0)
    history = fit(device, X, y, device="strict", **settings)
    steps, epochs = history.n_steps, len(history)
    assert device.device == "strict:0" and steps == 3 * 5
    # One read of the step's two loss values; a few per epoch (gradient norm, weight check, validation).
    per_epoch = 1 + len(device.parameters()) + 1
    assert COUNTS["to_host"] == steps + epochs * per_epoch + 2  # +2: the targets checked once, both sets
    # The weights and the data (X, y and their validation part) once, the batch order once an epoch.
    assert COUNTS["to_device"] == len(device.parameters()) + 4 + epochs
    for a, b in zip(device.parameters(), host.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_fit_refuses_to_move_a_model_under_an_optimizer_object():
    use_strict_device()
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    X, y = spirals(8)
    with pytest.raises(ValueError, match=r"fit: device='strict' would move the model from cpu.*"
                       r"model.to\('strict'\) before building the optimizer"):  # fmt: skip
        fit(model, X, y, optimizer=opt, device="strict")
    assert model.device == "cpu"


def test_strict_double_counts_only_descenso_reads():
    COUNTS.update(to_host=0, to_device=0)
    a = strict_array.xp.asarray(np.ones(3))
    float(a.sum())
    assert COUNTS == {"to_host": 0, "to_device": 0}  # the test's own reads are free
