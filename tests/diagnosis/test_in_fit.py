"""fit(doctor=True) watches a run; fit(gradcheck=True) checks the first batch's gradient."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import descenso as ds
from descenso.diagnosis import DiagnosisWarning
from descenso.nn import MLP, Linear, Module, Parameter
from descenso.tensor import Tensor
from descenso.testing import GradcheckError


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 2)).astype(np.float32)
    return X, (X[:, 0] - 2 * X[:, 1] + 0.5).astype(np.float32)


def test_a_sound_run_has_an_empty_diagnosis_and_no_warning(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = ds.fit(MLP(2, (8,), rng=0), X, y, lr=0.01, epochs=12, rng=0, doctor=True)
    assert history.diagnosis.codes == []


def test_the_doctor_reports_a_rising_loss_and_dead_units_during_training(data):
    X, y = data
    with pytest.warns(DiagnosisWarning, match="too large"):
        history = ds.fit(Linear(2, 1, rng=0), X, y, optimizer="sgd", lr=1.05, epochs=12, batch_size=None,
                         doctor=True)  # fmt: skip
    assert history.diagnosis.codes == ["lr_too_large"]
    model = MLP(2, (8,), rng=0)
    model.layers[0].bias.data[:] = -20.0
    with pytest.warns(DiagnosisWarning, match="dead ReLU units"):
        history = ds.fit(model, X, y, lr=0.01, epochs=3, rng=0, doctor=True)
    assert history.diagnosis["dead_units"].numbers["shares"] == {"layers.1": 1.0}


def test_the_doctor_sees_the_data_and_the_gradients_of_the_first_step(data):
    X, y = data
    wide = np.c_[X, 1e4 * X[:, 0]].astype(np.float32)
    with pytest.warns(DiagnosisWarning) as caught:
        history = ds.fit(MLP(3, (8,) * 6, activation="sigmoid", rng=0), wide, y, epochs=2, rng=0, doctor=True)
    assert {"scales", "duplicate_column"} <= set(history.diagnosis.codes)
    assert len(caught) == 1  # one warning listing every finding
    with pytest.raises(TypeError, match="doctor must be"):
        ds.fit(Linear(2, 1), X, y, doctor="yes")


class Cube(Module):
    """x -> a * x**3, with a backward written by hand: right, or wrong by design."""

    def __init__(self, wrong: bool) -> None:
        super().__init__()
        self.a = Parameter(np.array([[0.7]], dtype=np.float32))
        self.wrong = wrong

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.a.dtype))
        a, cube = self.a, x.data**3
        wrong = self.wrong

        def backward(grad):
            da = (grad * cube).sum(axis=0, keepdims=True)
            dx = grad * a.data * (2 if wrong else 3) * x.data**2
            return da, dx

        return Tensor.from_op(a.data * cube, parents=(a, x), backward=backward, name="cube")


def test_gradcheck_passes_a_right_backward_and_leaves_training_as_it_was(data):
    X, y = data
    checked, plain = MLP(2, (8,), rng=0), MLP(2, (8,), rng=0)
    history = ds.fit(checked, X, y, epochs=3, rng=1, gradcheck=True)
    ds.fit(plain, X, y, epochs=3, rng=1)
    assert history.gradcheck.max_relative_error < 1e-6 and history.gradcheck.checked == 33
    for a, b in zip(checked.parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)  # the check used a copy of the model and rng
    assert ds.fit(MLP(2, (8,), rng=0), X, y, epochs=1).gradcheck is None


def test_gradcheck_catches_a_wrong_backward_in_a_users_module(data):
    X, _ = data
    x, target = X[:, :1], (0.5 * X[:, 0] ** 3).astype(np.float32)
    ok = ds.fit(ds.nn.Sequential(Linear(1, 1, rng=0), Cube(wrong=False)), x, target, epochs=1, gradcheck=True)
    assert ok.gradcheck.max_relative_error < 1e-6
    with pytest.raises(GradcheckError, match=r"layers\.0\.(weight|bias)") as error:
        ds.fit(ds.nn.Sequential(Linear(1, 1, rng=0), Cube(wrong=True)), x, target, epochs=1, gradcheck=True)
    assert "above the tolerance 0.0001" in str(error.value)
    with pytest.raises(ValueError, match="gradcheck must be"):
        ds.fit(Linear(1, 1), x, target, gradcheck=-1.0)


def test_estimators_and_the_cli_take_doctor(tmp_path, data, capsys):
    from descenso.cli import run
    from descenso.stopping import ConvergenceWarning

    X, y = data
    wide = np.c_[X, np.full(len(X), 7.0)]
    with pytest.warns(DiagnosisWarning, match="constant"), pytest.warns(ConvergenceWarning):
        model = ds.Regressor(hidden=(4,), max_epochs=3, early_stopping=False, random_state=0)
        model.fit(wide, y, doctor=True)
    assert model.diagnosis_.codes == ["constant_column"]
    quick = ds.Regressor(hidden=(4,), max_epochs=30, tol=10.0, n_iter_no_change=1, random_state=0)
    assert quick.fit(X, y).diagnosis_ is None
    path = tmp_path / "data.csv"
    rows = "\n".join(f"{a},{b},{1e4 * a},{t}" for (a, b), t in zip(X, y, strict=True))
    path.write_text("a,b,c,target\n" + rows + "\n")
    args = ["train", str(path), "--target", "target", "--epochs", "3", "--doctor", "--out", str(tmp_path)]
    assert run(args[:-3] + args[-2:]) == 0  # without --doctor: not a word about it
    captured = capsys.readouterr()
    assert "duplicates" not in captured.out + captured.err
    assert run(args) == 0
    captured = capsys.readouterr()
    assert "column 'x2' duplicates 'x0'" in captured.out + captured.err
