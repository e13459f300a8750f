"""The test environment has every oracle and optional library, so no test quietly skips.

Some test modules use ``pytest.importorskip`` so they can run in a partial install; in the
project's own test environment (``make test``, CI) that must never happen, and this test says
which library is missing instead.
"""

import importlib

import pytest

NEEDED = ["torch", "sklearn", "pandas", "polars", "pyarrow", "narwhals", "safetensors", "onnx",
          "onnxruntime", "matplotlib", "click", "rich", "fastapi", "uvicorn", "websockets",
          "playwright", "PIL", "hypothesis", "mpi4py"]  # fmt: skip


@pytest.mark.parametrize("module", NEEDED)
def test_test_dependency_is_installed(module):
    try:
        importlib.import_module(module)
    except ImportError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{module} is missing from the test environment ({error}); run `make test`")
