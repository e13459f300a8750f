"""``import descenso`` needs only NumPy: no optional library is imported with it."""

import subprocess
import sys

OPTIONAL = (
    "pandas",
    "pyarrow",
    "polars",
    "narwhals",
    "sklearn",
    "torch",
    "jax",
    "matplotlib",
    "safetensors",
    "onnx",
    "onnxruntime",
    "click",
    "rich",
    "fastapi",
    "uvicorn",
    "scipy",
    "numba",
)


def test_import_descenso_loads_only_numpy():
    code = f"import sys, descenso\nprint(','.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_public_names_are_documented():
    import descenso

    missing = [name for name in descenso.__all__ if not (getattr(descenso, name).__doc__ or "").strip()]
    assert missing == []
