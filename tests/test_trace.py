"""trace_step: every recorded number is checked against the step worked out by hand in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from descenso.nn import MLP, Linear, ReLU, Sequential
from descenso.optim import Adam
from descenso.trace import trace_step

X = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.0]])
Y = np.array([1.0, -1.0, 0.5])
W1 = np.array([[0.5, -0.25], [-1.0, 0.75]])
B1 = np.array([0.1, -0.2])
W2 = np.array([[1.5, -0.5]])
B2 = np.array([0.3])


def network():
    net = Sequential(Linear(2, 2, rng=0, dtype="float64"), ReLU(), Linear(2, 1, rng=0, dtype="float64"))
    for p, value in zip(net.parameters(), (W1, B1, W2, B2), strict=True):
        p.data[...] = value
    return net


def by_hand():
    """The forward pass, MSE loss and backward pass of the network above, written out."""
    z1 = X @ W1.T + B1
    h = np.maximum(z1, 0)
    out = h @ W2.T + B2
    loss = np.mean((out[:, 0] - Y) ** 2)
    d_out = (2 * (out[:, 0] - Y) / len(X))[:, None]
    d_z1 = (d_out @ W2) * (z1 > 0)
    grads = {
        "layers.0.weight": d_z1.T @ X,
        "layers.0.bias": d_z1.sum(0),
        "layers.2.weight": d_out.T @ h,
        "layers.2.bias": d_out.sum(0),
    }
    return [z1, h, out], loss, grads


def test_the_trace_records_forward_loss_gradients_and_the_update():
    net = network()
    trace = trace_step(net, X, Y, loss="mse", lr=0.1)
    outputs, loss, grads = by_hand()

    assert [layer.name for layer in trace.layers] == ["layers.0", "layers.1", "layers.2"]
    for recorded, expected in zip(trace.layers, outputs, strict=True):
        np.testing.assert_allclose(recorded.output, expected, rtol=1e-14)
    assert trace.loss == pytest.approx(loss, rel=1e-14)
    before = dict(zip(grads, (W1, B1, W2, B2), strict=True))
    for p in trace.parameters:
        np.testing.assert_allclose(p.grad, grads[p.name], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(p.before, before[p.name])
        np.testing.assert_allclose(p.update, -0.1 * grads[p.name], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(p.after, dict(net.named_parameters())[p.name].data)  # the step is real
    assert trace.performed and trace.optimizer == "SGD" and trace.lr == 0.1


def test_a_dry_run_puts_weights_and_optimizer_state_back():
    net = network()
    optimizer = Adam(net.parameters(), lr=0.01)
    trace = trace_step(net, X, Y, optimizer=optimizer, dry_run=True)
    for p, value in zip(net.parameters(), (W1, B1, W2, B2), strict=True):
        np.testing.assert_array_equal(p.data, value)
    assert optimizer.steps == 0 and not any(
        buffer.any() for buffer in optimizer.state_dict()["state"].values()
    )
    # Adam's first step moves each weight by lr * g / (|g| + eps): about lr against the gradient's sign.
    _, _, grads = by_hand()
    for p in trace.parameters:
        np.testing.assert_allclose(p.update, -0.01 * np.sign(grads[p.name]), rtol=1e-5)
    assert not trace.performed and "dry run" in str(trace)


def test_the_model_is_left_as_it_was_found():
    net = network()
    trace_step(net, X, Y)
    assert all("forward" not in vars(module) for module in net.layers)
    assert net.training


def test_the_printout_is_aligned_and_readable():
    net = network()
    text = trace_step(net, X, Y, loss="mse", lr=0.1, feature_names=["height", "weight"]).format(width=100)
    outputs, loss, _ = by_hand()
    assert text.startswith("One gradient-descent step on a batch of 3 samples (SGD, lr=0.1); update applied")
    assert f"2. loss: mse = {loss:.6g}" in text
    for header in ("1. forward", "3. backward", "4. update"):
        assert header in text
    block = text.split("layers.0  Linear(in_features=2, out_features=2, bias=True)  shape (3, 2)\n")[1]
    header, *rows = block.splitlines()[:4]
    assert header.split() == ["0", "1"]  # the layer's units
    assert [float(v) for v in rows[0].split()[1:]] == pytest.approx(outputs[0][0], rel=5e-4)
    assert [row.split()[0] for row in rows] == ["1", "2", "3"]  # the samples
    assert len({len(row) for row in rows}) == 1  # aligned columns
    inputs = text.split("input  shape (3, 2)\n")[1].splitlines()
    assert inputs[0].split() == ["height", "weight"]
    assert "theta <- theta - lr * d_t" in text.split("4. update")[1]  # SGD's rule, from its docstring


def _update_rows(text: str, name: str) -> dict[str, dict[str, float]]:
    """The rows of one parameter's update table: {entry label: {column: value}}."""
    lines = text.split(f"  {name}  shape ")[-1].splitlines()[1:]
    columns = lines[0].split()
    rows = {}
    for line in lines[1:]:
        if not line.startswith("    ["):
            break
        label, values = line.strip().split("]", 1)
        rows[label + "]"] = dict(zip(columns, map(float, values.split()), strict=True))
    return rows


def test_the_printed_update_is_what_the_optimizer_does_on_a_copy():
    """Adam's update is not -lr * grad: it is read from the step, whatever state Adam is in."""
    rng = np.random.default_rng(1)
    Xb, yb = rng.normal(size=(5, 3)), rng.normal(size=5)
    net = MLP(3, hidden=(4,), rng=1)
    optimizer = Adam(net.parameters(), lr=0.01)
    for _ in range(3):  # give Adam non-trivial moments first
        trace_step(net, Xb, yb, optimizer=optimizer)
    copy, copy_optimizer = MLP(3, hidden=(4,), rng=2), None
    copy.load_state_dict(net.state_dict())
    copy_optimizer = Adam(copy.parameters(), lr=0.01)
    copy_optimizer.load_state_dict(optimizer.state_dict())

    text = trace_step(net, Xb, yb, optimizer=optimizer, dry_run=True).format(width=200)
    trace_step(copy, Xb, yb, optimizer=copy_optimizer)  # the real step, on the copy
    assert "t=4" in text and "m <- beta1 m + (1 - beta1) g" in text
    for name, p in net.named_parameters():
        moved = dict(copy.named_parameters())[name].data - p.data
        rows = _update_rows(text, name)
        assert rows, name
        for label, row in rows.items():
            parts = [i.strip() for i in label.strip("[]").split(",")]  # "x2" names input column 1
            index = tuple(int(i) if i.isdigit() else int(i[1:]) - 1 for i in parts)
            assert row["update"] == pytest.approx(moved[index], rel=1e-3), (name, label)
            assert row["update"] != pytest.approx(-0.01 * row["gradient"], rel=0.05)  # not -lr * grad
            assert {"m", "v"} <= set(row)


def test_a_small_gradient_shows_a_non_zero_update():
    net = Linear(1, 1, rng=0)
    net.weight.data[...], net.bias.data[...] = 1.0, 0.0
    trace = trace_step(net, [[1e-4]], [0.0], loss="mse", lr=0.1)
    # d/dw (w x)^2 = 2 w x^2 = 2e-8; the update is -2e-9, which four decimals (or float32's
    # after - before, since 1 - 2e-9 rounds to 1) would show as 0
    row = _update_rows(trace.format(width=80), "weight")["[0, x1]"]
    assert row["gradient"] == pytest.approx(2e-8, rel=1e-3)
    assert row["update"] == pytest.approx(-2e-9, rel=1e-3) and row["after"] == 1.0


@pytest.mark.parametrize("width", [40, 60, 80, 132])
def test_no_line_is_wider_than_the_terminal(width, monkeypatch):
    rng = np.random.default_rng(0)
    names = ["flipper_length_mm", "body_mass_g", "species=Chinstrap", "island=Torgersen", "year", "x"]
    model = MLP(6, hidden=(64, 64), rng=0)
    trace = trace_step(model, rng.normal(size=(4, 6)), rng.normal(size=4), optimizer="adam",
                       feature_names=names)  # fmt: skip
    monkeypatch.setenv("COLUMNS", str(width))
    text = str(trace)
    assert max(len(line) for line in text.splitlines()) <= width
    first_weight = text.split("3. backward")[1].split("layers.0.bias")[0]
    for name in names[:4]:
        assert name in text.split("input  shape")[1] and name[:15] in first_weight


def test_large_arrays_are_cut_with_a_note():
    rng = np.random.default_rng(0)
    model = MLP(12, hidden=(10,), rng=0)
    text = str(trace_step(model, rng.normal(size=(9, 12)), rng.normal(size=9), lr=0.01))
    assert "input  shape (9, 12) (3 more rows, 4 more columns not shown)" in text


def test_bad_batches_are_refused():
    with pytest.raises(ValueError, match=r"got X \(3,\) and y \(3,\)"):
        trace_step(network(), X[:, 0], Y)
