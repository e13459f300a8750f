"""Devices from the user's side: estimators, the CLI, model files and the compiled step.

The GPU here is the strict test double (tests/strict_array.py), registered as device "strict":
what runs on it runs through the same code a CuPy array takes, and any NumPy call on its data fails.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
import strict_array
from strict_array import StrictArray, use_strict_device

from descenso import backend, nn
from descenso.cli import inputs, training
from descenso.cli.errors import CLIError, ExitCode
from descenso.cli.settings import TrainSettings
from descenso.compile import CompileWarning
from descenso.estimators import BinaryClassifier, Regressor, load
from descenso.serialize import read_model_file, write_model_file
from descenso.train import fit


def data(n=160):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (n, 2))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2


SETTINGS = dict(hidden=(16,), max_epochs=20, lr=0.01, random_state=0)
SHORT_RUNS = pytest.mark.filterwarnings(
    "ignore::descenso.stopping.ConvergenceWarning"
)  # 20 epochs, on purpose


@SHORT_RUNS
def test_regressor_on_a_device_predicts_as_on_the_cpu_and_saves_a_file_the_cpu_loads(tmp_path):
    use_strict_device()
    X, y = data()
    on_cpu = Regressor(**SETTINGS).fit(X, y)
    on_device = Regressor(device="strict", **SETTINGS).fit(X, y)
    assert on_device.model_.device == "strict:0"
    assert all(isinstance(p.data, StrictArray) for p in on_device.model_.parameters())
    predicted = on_device.predict(X)
    assert type(predicted) is np.ndarray
    np.testing.assert_allclose(predicted, on_cpu.predict(X), rtol=1e-5, atol=1e-6)
    assert on_device.score(X, y) > 0.5  # it learned
    on_device.save(tmp_path / "gpu.descenso")
    again = load(tmp_path / "gpu.descenso")  # a model trained on a GPU, loaded here on the CPU
    assert again.model_.device == "cpu" and again.device == "strict"
    np.testing.assert_array_equal(again.predict(X), predicted)
    again.set_params(device="strict", warm_start=True, max_epochs=2).fit(X, y)  # and back to the device
    assert again.model_.device == "strict:0"
    ort = pytest.importorskip("onnxruntime")  # and ONNX export reads the device's weights
    on_device.to_onnx(tmp_path / "gpu.onnx")
    session = ort.InferenceSession(str(tmp_path / "gpu.onnx"), providers=["CPUExecutionProvider"])
    (exported,) = session.run(None, {"X": X.astype(np.float32)})
    np.testing.assert_allclose(exported, predicted, rtol=1e-5, atol=1e-5)


@SHORT_RUNS
def test_partial_fit_moves_the_model_when_the_device_changes():
    use_strict_device()
    X, y = data()
    labels = (y > np.median(y)).astype(int)
    model = BinaryClassifier(**SETTINGS).partial_fit(X, labels, classes=[0, 1])
    model.set_params(device="strict").partial_fit(X, labels)
    assert model.model_.device == "strict:0"
    assert model.predict_proba(X).shape == (len(X), 2)


def test_estimators_check_the_device_before_any_work(monkeypatch):
    X, y = data(20)
    with pytest.raises(
        ValueError, match=r"Regressor: the 'device' parameter must be 'cpu', 'cuda' or 'cuda:N'"
    ):
        Regressor(device="gpu").fit(X, y)
    monkeypatch.delitem(backend._BY_NAME, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "cupy", None)  # CuPy not installed
    with pytest.raises(ImportError, match=r"pip install 'descenso\[gpu\]'"):
        Regressor(device="cuda").fit(X, y)


def test_cli_device_is_a_usage_error_when_unknown_or_without_cupy(monkeypatch):
    with pytest.raises(CLIError, match="unknown device 'gpu'") as caught:
        TrainSettings(device="gpu").validate()
    assert caught.value.code == ExitCode.USAGE
    monkeypatch.delitem(backend._BY_NAME, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "cupy", None)
    with pytest.raises(CLIError, match=r"needs CuPy, which is not installed") as caught:
        TrainSettings(device="cuda").validate()
    assert caught.value.code == ExitCode.USAGE
    assert "descenso[gpu]" in caught.value.fix  # printed on the error's own fix: line
    assert caught.value.fix.endswith("or use --device cpu")  # the flag, not the estimator's device='cpu'


def test_cli_trains_on_the_device_it_is_given():
    use_strict_device()
    settings = TrainSettings(
        dataset="circles", samples=200, epochs=10, hidden=(8,), device="strict"
    ).validate()
    assert settings.to_config()["device"] == "strict"
    data = inputs.load(settings)
    strict_array.COUNTS.update(to_device=0)
    estimator = training._fit(training.build_estimator(settings, data.task), data, settings, show=False)
    assert estimator.model_.device == "strict:0" and strict_array.COUNTS["to_device"] > 0


def test_a_model_file_is_written_from_device_arrays(tmp_path):
    use_strict_device()
    arrays = nn.Linear(2, 1, rng=0).to("strict").state_dict()
    assert all(isinstance(a, StrictArray) for a in arrays.values())
    back, _ = read_model_file(write_model_file(tmp_path / "m.descenso", arrays, {"architecture": "linear"}))
    for name, value in back.items():
        assert type(value) is np.ndarray
        np.testing.assert_array_equal(value, arrays[name])


def test_compiled_step_runs_on_the_device_with_the_host_numbers():
    use_strict_device()
    X, y = data(32)
    X, y = X.astype(np.float32), y.astype(np.float32)
    host = nn.MLP(2, hidden=(4,), rng=0)
    fit(host, X, y, epochs=2, rng=0)
    model = nn.MLP(2, hidden=(4,), rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # captured on the device, not a fallback
        fit(model, X, y, epochs=2, compile=True, device="strict", rng=0)
    assert model.device == "strict:0"
    for a, b in zip(model.parameters(), host.parameters(), strict=True):
        np.testing.assert_array_equal(backend.to_numpy(a.data), b.data)


def test_fit_sums_built_in_metrics_on_the_device_and_hands_callables_host_arrays():
    use_strict_device()
    X, y = data(96)
    X, y = X.astype(np.float32), (y > np.median(y)).astype(np.float32)
    seen = []

    def r2(t, o):  # a user's metric, written with NumPy
        seen.append(type(t) is np.ndarray and type(o) is np.ndarray)
        return float(1 - np.sum((t - o[:, 0]) ** 2) / np.sum((t - t.mean()) ** 2))

    settings = dict(loss="bce_with_logits", epochs=3, batch_size=16, rng=0)
    reads = []
    for metrics in ([], ["accuracy", "mse"]):
        strict_array.COUNTS.update(to_host=0)
        history = fit(nn.MLP(2, hidden=(8,), rng=0), X, y, device="strict", metrics=metrics, **settings)
        reads.append(strict_array.COUNTS["to_host"])
    assert reads[1] - reads[0] == 3 * 2  # each built-in metric read once an epoch, not once a step
    on_host = fit(nn.MLP(2, hidden=(8,), rng=0), X, y, metrics=["accuracy", "mse", r2], **settings)
    on_device = fit(
        nn.MLP(2, hidden=(8,), rng=0), X, y, device="strict", metrics=["accuracy", "mse", r2], **settings
    )
    assert seen and all(seen)
    for name in ("accuracy", "mse", "r2"):
        assert on_device.metrics[name] == on_host.metrics[name], name
    assert history.metrics["accuracy"] == on_host.metrics["accuracy"]


def test_a_checkpoint_mid_epoch_holds_the_device_metric_sums_and_resumes(tmp_path):
    use_strict_device()
    X, y = data(64)
    X, y = X.astype(np.float32), (y > np.median(y)).astype(np.float32)
    settings = dict(
        loss="bce_with_logits", epochs=2, batch_size=16, rng=0, metrics=["accuracy"], device="strict"
    )
    full = fit(nn.MLP(2, hidden=(8,), rng=0), X, y, **settings)

    class StopAfterSix:
        def on_step_end(self, step, logs, model):
            if step == 6:  # mid-epoch 2: the checkpoint holds a device sum
                raise KeyboardInterrupt

    model = nn.MLP(2, hidden=(8,), rng=0)
    folder = tmp_path / "run"
    with pytest.warns(UserWarning, match="interrupted"):
        fit(model, X, y, checkpoint=folder, checkpoint_every=1, callbacks=[StopAfterSix()], **settings)
    resumed = fit(
        nn.MLP(2, hidden=(8,), rng=0), X, y, checkpoint=folder, checkpoint_every=1, resume=True, **settings
    )
    assert resumed.metrics["accuracy"] == full.metrics["accuracy"]
