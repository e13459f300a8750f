"""Every example runs in --quick mode as a user would run it, writes nothing, and shows what it claims."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_example(name: str, *args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env["PYTHONWARNINGS"] = "error"  # an example must not warn either
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), "--quick", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the output:\n{text}"
    return float(match.group(1))


@pytest.fixture
def empty_dir(tmp_path):
    return tmp_path


def test_01_concept_erm(empty_dir):
    out = run_example("01_concept_erm.py", cwd=empty_dir)
    exact = number(r"risk of the exact minimiser: ([\d.]+)", out)
    descent = number(r"risk reached by gradient descent: ([\d.]+)", out)
    gap = number(r"gap to the exact minimum ([\d.e+-]+)", out)
    network = number(r"risk of a ReLU network 1-16-16-1 \(Adam\): ([\d.]+)", out)
    guesses = [float(v) for v in re.findall(r"risk (\d\.\d+)\n", out)]
    assert len(guesses) == 4 and min(guesses) > exact  # no guess beats the argmin
    assert abs(descent - exact) < 1e-6 and 0 <= gap < 1e-9
    assert network < exact / 5
    assert list(empty_dir.iterdir()) == []


def test_02_gradient_descent(empty_dir):
    out = run_example("02_gradient_descent.py", cwd=empty_dir)
    minimum = number(r"minimum of the loss ([\d.]+)", out)
    small = number(r"\(too small\): loss ([\d.]+)", out)
    good = number(r"\(good\): loss ([\d.]+)", out)
    assert good == pytest.approx(minimum, abs=1e-6)
    assert small > 10 * minimum  # crawls
    assert re.search(
        r"\(too large\): DivergenceError: the loss grew from [\d.]+ to [\d.e+]+, more than 10000 times its "
        r"first value, at epoch \d+ \(lr=[\d.]+\); restored the weights from the end of epoch \d+, [^;]+; "
        r"try a smaller learning rate, e.g. lr=[\d.]+",
        out,
    )
    falling = [float(v) for v in re.findall(r"epoch +\d+ +loss ([\d.]+)", out)]
    assert len(falling) == 7 and all(a > b for a, b in itertools.pairwise(falling[:-1]))  # until the minimum
    assert list(empty_dir.iterdir()) == []


def test_02_writes_a_figure_only_when_asked(empty_dir):
    out = run_example("02_gradient_descent.py", "--plot", "curves.png", cwd=empty_dir)
    assert "wrote curves.png" in out
    assert (empty_dir / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_02_draws_the_landscape_with_four_regimes(empty_dir):
    out = run_example("02_gradient_descent.py", "--landscape", "landscape.png", cwd=empty_dir)
    for label in (
        "too small: crawls",
        "good: reaches the minimum",
        "too large: oscillates",
        "too large: diverges",
    ):
        assert label in out, label
    assert (empty_dir / "landscape.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_03_general_functioning(empty_dir):
    out = run_example("03_general_functioning.py", cwd=empty_dir)
    for section in ("1. forward", "2. loss: bce_with_logits = ", "3. backward", "4. update"):
        assert section in out
    first = number(r"2\. loss: bce_with_logits = ([\d.]+)", out)
    assert number(r"first loss ([\d.]+)", out) == pytest.approx(first, abs=1e-4)
    assert number(r"last loss ([\d.]+)", out) < 0.5 * first
    assert "total parameters: 13" in out


def test_04_regression(empty_dir):
    out = run_example("04_regression.py", cwd=empty_dir)
    line = number(r"linear regression \(least squares\): test MSE [\d.]+, R2 ([\d.]+)", out)
    network = number(r"ReLU network 5-32-32-1 \(Adam\): test MSE [\d.]+, R2 ([\d.]+)", out)
    assert 0.6 < line < 0.85 and network > 0.88
    assert "restored the best weights" in out
    assert list(empty_dir.iterdir()) == []


def test_05_binary_classification(empty_dir):
    out = run_example("05_binary_classification.py", cwd=empty_dir)
    line = number(r"logistic regression \(Newton, exact\): test accuracy ([\d.]+)", out)
    network = number(r"ReLU network 2-16-16-1 \(Adam, BCE from logits\): test accuracy ([\d.]+)", out)
    assert line < 0.93 and network >= 0.95 and network > line + 0.03
    assert "confusion matrix" in out
    assert list(empty_dir.iterdir()) == []


@pytest.mark.parametrize("name", ["01_concept_erm.py", "03_general_functioning.py"])
def test_the_topic_figures_are_written_when_asked(empty_dir, name):
    out = run_example(name, "--plot", "topic.png", cwd=empty_dir)
    assert "wrote topic.png" in out
    assert (empty_dir / "topic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in empty_dir.iterdir()] == ["topic.png"]
