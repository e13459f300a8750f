"""Fixtures shared by the whole suite.

``array_namespace`` runs a test twice: on NumPy, and on the strict test double of a GPU array
module (:mod:`strict_array`), with every tensor, parameter and ``fit`` placed on device "strict".
A test module opts in with ``pytestmark = pytest.mark.usefixtures("array_namespace")``.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest
import strict_array
from strict_array import use_strict_device

from descenso import backend

# DESCENSO_TEST_DEVICE=cuda runs these tests on a GPU instead (benchmarks/gpu_check.sh: tests/oracle).
_NAMESPACES = (
    [os.environ["DESCENSO_TEST_DEVICE"]] if os.environ.get("DESCENSO_TEST_DEVICE") else ["numpy", "strict"]
)


@pytest.fixture(params=_NAMESPACES)
def array_namespace(request: pytest.FixtureRequest) -> Iterator[str]:
    """The device the test's tensors land on: "cpu" (NumPy) or "strict" (the test double)."""
    if request.param == "numpy":
        yield "cpu"
        return
    if request.param != "strict":  # a real device, e.g. "cuda"
        with backend.default_device(request.param):
            yield request.param
        return
    use_strict_device()
    strict_array.COUNTS.update(to_host=0, to_device=0)
    with backend.default_device("strict"):
        yield "strict"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the strict run of tests marked ``numpy_only`` (they say why: host arrays on purpose)."""
    keep, drop = [], []
    for item in items:
        param = getattr(getattr(item, "callspec", None), "params", {}).get("array_namespace")
        (drop if param == "strict" and item.get_closest_marker("numpy_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
