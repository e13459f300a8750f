"""data.read of a Parquet file that fits in memory costs at most about twice its result."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from peak_memory import run_python

READ = textwrap.dedent(
    """
    import json, sys
    from descenso import data
    from peak_memory import peak_mib

    path, warm_up = sys.argv[1], sys.argv[2]
    # pyarrow's pool keeps the buffers of its first row groups of this size, the libraries their
    # first-use memory: neither is the data's. One read of a file with the same row groups first.
    data.read(warm_up, target="y", missing="mean")
    baseline = peak_mib()
    table = data.read(path, target="y", missing="mean")
    result_mib = (table.X.nbytes + table.y.nbytes) / 2**20
    print(json.dumps({"extra_mib": peak_mib() - baseline, "result_mib": result_mib, "shape": table.X.shape,
                      "x2_mean": float(table.X[:, 2].mean(dtype="float64"))}))
    """
)


def write_parquet(path: Path, rows: int, rows_per_group: int, seed: int) -> float:
    """Five float64 columns (one with 1% missing), a text column of three cities, a target; x2's mean."""
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(seed)
    columns = {f"x{j}": rng.normal(size=rows) for j in range(5)}
    columns["x2"][rng.random(rows) < 0.01] = np.nan
    columns["city"] = rng.choice(np.array(["lima", "quito", "cusco"], dtype=object), rows)
    columns["y"] = columns["x0"] - 2 * columns["x1"] + rng.normal(size=rows)
    table = pa.table({name: pa.array(values, from_pandas=True) for name, values in columns.items()})
    pq.write_table(table, path, row_group_size=rows_per_group)
    return float(np.nanmean(columns["x2"]))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
def test_reading_a_parquet_file_costs_at_most_two_and_a_half_times_its_result(tmp_path):
    big, warm_up = tmp_path / "big.parquet", tmp_path / "warm.parquet"
    x2_mean = write_parquet(big, 600_000, 150_000, seed=0)
    write_parquet(warm_up, 150_000, 150_000, seed=1)
    got = json.loads(run_python(READ, big, warm_up))
    numbers = f"peak growth {got['extra_mib']:.1f} MiB for a result of {got['result_mib']:.1f} MiB"
    assert got["shape"] == [600_000, 8], numbers  # x0..x4, city=cusco/lima/quito
    assert got["x2_mean"] == pytest.approx(x2_mean, rel=1e-6)  # missing values filled with the mean
    # The meter is not blind: the result itself is in the peak. The table as float64 (7 columns,
    # 32 MiB) alone would be more than the bound's margin over the result.
    assert got["result_mib"] < got["extra_mib"] <= 2.5 * got["result_mib"], numbers
