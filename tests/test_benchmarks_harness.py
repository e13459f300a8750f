"""The benchmark harness keeps working: one tiny run end to end, and its agreement flag.

Benchmarks are not tests: nothing here asserts a time, only that every part runs and that
the numbers it reports are the ones it says (same final loss for the same init and order).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_tiny_run_writes_every_table_and_the_implementations_agree(tmp_path):
    out = tmp_path / "results.md"
    command = [sys.executable, "-m", "benchmarks.run", "--tiny", "--rounds", "1", "--workloads",
               "W1,W5,memory", "--impls", "descenso,descenso_fit", "--out", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    table = out.read_text()
    assert "Threads: 1 for every implementation" in table
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    for impl in ("numpy", "descenso", "descenso_fit"):  # same init and batch order: same final loss
        cells = [c.strip() for c in rows[impl].split("|")]
        assert cells[-2] == "yes", rows[impl]
        assert float(cells[-3]) > 0
    for dataset in ("breast_cancer (accuracy)", "diabetes (R²)"):
        cells = [c.strip() for c in rows[dataset].split("|")]
        assert cells[2] != "—" and cells[4] != "—", rows[dataset]
    memory = next(line for line in table.splitlines() if line.startswith("| 0."))
    ratio = float(memory.split("|")[4].split()[0])
    assert 1.0 <= ratio < 50  # peak counts the data itself, so at least the data


def test_a_disagreeing_loss_is_flagged():
    sys.path.insert(0, str(ROOT))
    from benchmarks.report import agreement

    assert agreement(0.25, 0.25) == "yes"
    assert agreement(0.2501, 0.25) == "yes"  # within rtol 1e-3 + atol 1e-4
    assert agreement(0.30, 0.25).startswith("**NO**")
    assert agreement(0.30, None) == "—"
