"""Peak memory of ``descenso.fit`` on a workload, against the size of its data and model.

``tracemalloc`` sees every Python object and every NumPy buffer (NumPy reports its
allocations to it). Tracing starts before the data is made; its peak is reset once the
data and model exist, so the peak counts them plus whatever ``fit`` holds at its worst.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from benchmarks.common import ORDER_SEED, Workload, make_data


def fit_peak_memory(w: Workload, X: np.ndarray, y: np.ndarray) -> dict:
    """Run ``fit`` on ``w`` under tracemalloc; return the peak and the sizes it is compared with."""
    from benchmarks.impls.descenso_impl import build
    from descenso.train import fit

    del X, y  # made again under tracing, so they count in the peak
    tracemalloc.start()
    X, y = make_data(w)
    _, model, opt, _ = build(w)
    model_bytes = sum(p.data.nbytes for p in model.parameters())
    tracemalloc.reset_peak()  # drop make_data's float64 temporaries; X and y stay counted
    start = time.perf_counter()
    fit(model, X, y, loss=w.loss, optimizer=opt, epochs=w.epochs, batch_size=w.batch_size, rng=ORDER_SEED)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_bytes": peak, "data_bytes": X.nbytes + y.nbytes, "model_bytes": model_bytes,
            "seconds_traced": seconds}  # fmt: skip
