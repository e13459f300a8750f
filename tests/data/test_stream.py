"""data.batches: exact batches from CSV and Parquet, schema reuse, errors by row, and bounded memory."""

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from peak_memory import run_python

from descenso import data
from descenso.data import DataError


def write_csv(path, n, start=0):
    rows = ["a,city,y"] + [f"{i},{'Lima' if i % 3 else 'Quito'},{i % 2}" for i in range(start, start + n)]
    path.write_text("\n".join(rows) + "\n")


def test_csv_batches_have_exact_sizes_and_values(tmp_path):
    path = tmp_path / "small.csv"
    write_csv(path, 10)
    got = list(data.batches(path, target="y", batch_size=4))
    assert [len(X) for X, _ in got] == [4, 4, 2]
    X = np.concatenate([X for X, _ in got])
    y = np.concatenate([y for _, y in got])
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(X[:, 0], np.arange(10))
    np.testing.assert_array_equal(
        X[:, 1:], [[0, 1] if i % 3 == 0 else [1, 0] for i in range(10)]
    )  # city=Lima, city=Quito
    np.testing.assert_array_equal(y, np.arange(10) % 2)


def test_parquet_batches_equal_read(tmp_path):
    frame = pd.DataFrame({"u": np.arange(1000.0), "v": np.sin(np.arange(1000.0)), "t": np.arange(1000.0) * 2})
    path = tmp_path / "f.parquet"
    frame.to_parquet(path, row_group_size=300)  # batches must cross row-group boundaries
    table = data.read(path, target="t")
    got = list(data.batches(path, target="t", batch_size=128))
    assert [len(X) for X, _ in got] == [128] * 7 + [104]
    np.testing.assert_array_equal(np.concatenate([X for X, _ in got]), table.X)
    np.testing.assert_array_equal(np.concatenate([y for _, y in got]), table.y)


def test_a_given_schema_is_reused(tmp_path):
    sample = pd.DataFrame({"a": [1.0, 2.0, 3.0], "city": ["Cusco", "Lima", "Quito"], "y": [0, 1, 1]})
    schema = data.read(sample, target="y").schema
    path = tmp_path / "later.csv"
    write_csv(path, 3)
    X, y = next(data.batches(path, batch_size=10, schema=schema))
    np.testing.assert_array_equal(X[:, 1:], [[0, 0, 1], [0, 1, 0], [0, 1, 0]])
    np.testing.assert_array_equal(y, [0, 1, 0])


def test_missing_values_are_reported_with_file_rows_or_dropped(tmp_path):
    path = tmp_path / "gaps.csv"
    lines = ["a,b,y"] + [f"{i},{i * 2},{i}" for i in range(200_000)]
    lines[150_001] = "5,,7"  # data row 150001 (position 150000), far past the first chunk
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"column 'b': 1 row \(data row 150001 \(file line 150002\)\)"):
        for _ in data.batches(path, target="y", batch_size=50_000):
            pass
    total = sum(len(y) for _, y in data.batches(path, target="y", batch_size=50_000, missing="drop"))
    assert total == 199_999


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        next(data.batches(tmp_path / "none.parquet", target="y"))
    path = tmp_path / "small.csv"
    write_csv(path, 5)
    with pytest.raises(TypeError, match="needs target="):
        next(data.batches(path))
    with pytest.raises(DataError, match="column 'price' not found"):
        next(data.batches(path, target="price"))
    schema = data.read(pd.DataFrame({"a": [1.0, 2.0], "z": [3.0, 1.0], "y": [0, 1]}), target="y").schema
    with pytest.raises(DataError, match=r"'small.csv' lacks the column\(s\) z"):
        next(data.batches(path, schema=schema))
    with pytest.raises(ValueError, match="batch_size must be"):
        next(data.batches(path, target="y", batch_size=0))


# A few million rows: one child process writes the file in chunks, a second one streams it, so the
# streaming process's peak memory is its own and not the writer's.
_WRITE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import pyarrow as pa, pyarrow.csv as pacsv, pyarrow.parquet as pq

    path, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    chunk, rng, writer = 500_000, np.random.default_rng(0), None
    y_sum = a_sum = 0.0
    for start in range(0, n, chunk):  # written in chunks: the whole table is never in memory
        a, b, c = (rng.normal(size=chunk) for _ in range(3))
        y = a + 2 * b
        y_sum, a_sum = y_sum + y.sum(), a_sum + a.sum()
        table = pa.table({"a": a, "b": b, "c": c, "y": y})
        if kind == "parquet":
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=100_000)  # memory bound: one row group
        else:
            with open(path, "ab") as out:
                pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=start == 0))
    if writer:
        writer.close()
    print(json.dumps({"y_sum": y_sum, "a_sum": a_sum}))
    """
)
_STREAM = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import pyarrow.csv as pacsv, pyarrow.parquet as pq
    from descenso import data
    from peak_memory import peak_mib

    path, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

    rows, y_total, a_total = 0, 0.0, 0.0
    base = None
    for X, y in data.batches(path, target="y", batch_size=8192):
        base = base or peak_mib()  # after imports, the schema sample and the first chunk
        rows += len(y)
        y_total += float(y.sum(dtype=np.float64))
        a_total += float(X[:, 0].sum(dtype=np.float64))
    streamed = peak_mib() - base
    whole = pq.read_table(path) if kind == "parquet" else pacsv.read_csv(path)
    whole_array = np.column_stack([whole.column(i).to_numpy() for i in range(4)])
    loaded = peak_mib() - base
    print(json.dumps({"rows": rows, "streamed_mib": streamed, "loaded_mib": loaded,
                      "in_memory_mib": n * 4 * 8 / 2**20, "y_total": y_total, "a_total": a_total}))
    """
)


def run_child(script, *args):
    return json.loads(run_python(script, *args, timeout=120))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
@pytest.mark.parametrize(("kind", "n"), [("parquet", 3_000_000), ("csv", 2_000_000)])
def test_millions_of_rows_stream_with_bounded_memory(tmp_path, kind, n):
    path = tmp_path / f"big.{kind}"
    written = run_child(_WRITE, path, kind, n)
    stats = run_child(_STREAM, path, kind, n)
    assert stats["rows"] == n
    assert stats["y_total"] == pytest.approx(written["y_sum"], abs=0.5)  # float32 batches, float64 sums
    assert stats["a_total"] == pytest.approx(written["a_sum"], abs=0.5)
    assert stats["in_memory_mib"] > 60
    # Streaming grows the process by far less than the table's size in memory ...
    assert stats["streamed_mib"] < stats["in_memory_mib"] / 4, stats
    # ... while loading it whole does not (so the measurement does see such growth).
    assert stats["loaded_mib"] > stats["in_memory_mib"] * 0.8, stats


def test_an_empty_text_cell_is_missing_in_streamed_csv_too(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text("a,city,y\n1,Lima,0\n2,,1\n3,Quito,0\n4,Lima,1\n")
    with pytest.raises(DataError, match=r"column 'city': 1 row \(data row 2"):
        list(data.batches(path, target="y", batch_size=2))
    sizes = [len(y) for _, y in data.batches(path, target="y", batch_size=2, missing="drop")]
    assert sizes == [2, 1]
