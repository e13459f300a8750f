"""``descenso explain`` on a trained model, read as a terminal user reads it."""

from __future__ import annotations

import numpy as np
import pytest

from descenso.cli import run


def _update_table(text: str, name: str) -> dict[str, dict[str, float]]:
    """One parameter's update table in step 4: {entry label: {column: value}} (a wide terminal)."""
    lines = text.split("4. update")[1].split(f"  {name}  shape ")[1].splitlines()[1:]
    columns = lines[0].split()
    rows = {}
    for line in lines[1:]:
        if not line.startswith("    ["):
            break
        label, values = line.strip().split("] ", 1)
        rows[label + "]"] = dict(zip(columns, map(float, values.split()), strict=True))
    return rows


@pytest.fixture
def trained(tmp_path, penguins, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["train", str(penguins), "--target", "sex", "--epochs", "20", "--hidden", "8", "--name", "p"]
    assert run([*args, "--ensemble", "1", "--quiet"]) == 0
    capsys.readouterr()
    return tmp_path / "runs/p/model.descenso"


def test_explain_names_the_columns_and_fits_the_terminal(trained, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    assert run(["explain", str(trained)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 60
    inputs = out.split("input  shape (4, 7)")[1].split("layers.0")[0]
    for name in ("bill_length_mm", "body_mass_g", "species=Adelie", "species=Gentoo"):
        assert name in inputs, name
    # the model's own optimizer and rate, with Adam's rule and why its state is zero
    assert "Adam(lr=0.003" in out and "m <- beta1 m + (1 - beta1) g" in out
    assert "keeps no optimizer state" in out


def test_the_update_explain_shows_is_the_step_adam_takes_on_a_copy(trained, capsys, monkeypatch):
    from descenso import losses
    from descenso.cli.commands_predict import load_model
    from descenso.cli.explain import saved_network
    from descenso.optim import Adam

    monkeypatch.setenv("COLUMNS", "200")
    saved = trained.read_bytes()
    assert run(["explain", str(trained), "--rows", "4", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert trained.read_bytes() == saved  # a dry run: the file is not changed

    _, X, y, loss, *_ = saved_network(str(trained), None, None, rows=4, seed=0)  # explain's batch
    copy = load_model(str(trained))
    optimizer = Adam(copy.model_.parameters(), lr=copy.lr)
    before = {name: p.data.copy() for name, p in copy.model_.named_parameters()}
    losses.get(loss)(copy.model_(X), y).backward()
    optimizer.step()
    for name, p in copy.model_.named_parameters():
        moved = p.data - before[name]
        rows = _update_table(out, name)
        assert rows, name
        for label, row in rows.items():
            parts = [part.strip() for part in label.strip("[]").split(",")]
            index = tuple(int(part) if part.isdigit() else input_column(copy, part) for part in parts)
            assert row["update"] == pytest.approx(float(moved[index]), rel=2e-3, abs=1e-9), (name, label)
            assert row["gradient"] != 0 and np.sign(row["update"]) == -np.sign(row["gradient"])


def input_column(estimator, name: str) -> int:
    """The network input column called ``name`` (the names explain prints for the first weight)."""
    return [str(n) for n in estimator._encoded_names()].index(name)
