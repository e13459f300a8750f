"""Importing the data, representation, dataset and lab modules needs NumPy only."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_optional_library_is_imported():
    code = (
        "import sys\n"
        "import descenso.data, descenso.features, descenso.datasets, descenso.lab\n"
        "from descenso import datasets, features\n"
        "X, y, _ = datasets.load('circles', n=20)\n"
        "features.get('polar,standardize').fit_transform(X)\n"
        "heavy = ['pandas', 'polars', 'pyarrow', 'narwhals', 'matplotlib', 'sklearn', 'torch']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
