"""CuPy as descenso's "cuda" device: imported, checked and registered the first time "cuda" is asked for."""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["load"]


def load() -> tuple[type, Any, Callable[[Any, int], Any], int]:
    """CuPy as a device for :func:`descenso.backend.register`: ``(array type, module, put, GPU count)``.

    It says how to fix it when CuPy or a GPU is missing.

    Raises
    ------
    ImportError
        CuPy is not installed (``pip install 'descenso[gpu]'``).
    RuntimeError
        CuPy is, but no CUDA GPU is visible.
    """
    try:
        import cupy
    except ImportError:
        raise ImportError(
            "device 'cuda' needs CuPy, which is not installed. Fix: pip install 'descenso[gpu]' "
            "(CuPy for CUDA 12; for CUDA 13 pip install cupy-cuda13x), or use device='cpu'"
        ) from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDARuntimeError: no driver, or no device
        count, why = 0, f" ({error})"
    else:
        why = ""
    if count == 0:
        raise RuntimeError(
            f"device 'cuda' was asked for but no CUDA GPU is visible{why}. Check `nvidia-smi` and "
            "CUDA_VISIBLE_DEVICES, or use device='cpu'"
        )

    def put(data: Any, index: int) -> Any:
        if isinstance(data, cupy.ndarray) and data.device.id == index:
            return data
        with cupy.cuda.Device(index):
            return cupy.asarray(cupy.asnumpy(data) if isinstance(data, cupy.ndarray) else data)  # via host

    return cupy.ndarray, cupy, put, count
