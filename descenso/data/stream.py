"""Stream a CSV or Parquet file in chunks, so a file larger than memory can be trained on.

pyarrow reads the file a piece at a time (``ParquetFile.iter_batches`` /
``pyarrow.csv.open_csv``); each piece is encoded with a :class:`TableSchema`
and cut into float32 batches. Memory stays bounded by one chunk plus one batch,
whatever the size of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import numpy as np

from descenso.data.errors import DataError
from descenso.data.inspect import encode_target, missing_mask, target_column
from descenso.data.schema import TableSchema
from descenso.data.sources import Columns, _import, check_path, csv_options, file_format

__all__ = ["batches"]

# CSV block size. pyarrow's streaming reader reads ahead about 32 blocks, so memory is ~35x this
# (measured: 9 MiB at 256 KiB, 36 MiB at 1 MiB), independent of the file's size.
_BLOCK_BYTES = 1 << 18
_PARQUET_BUFFER = 1 << 20


def _record_batches(
    path: Path, kind: str, columns: list[str] | None, types: dict[str, Any], rows: int
) -> Any:
    """pyarrow RecordBatches of the chosen columns, read one piece at a time."""
    pa = _import("pyarrow")
    try:
        if kind == "parquet":
            # pre_buffer=False: pyarrow's default pre-buffering keeps every row group read so
            # far in memory (measured: the whole 100 MB file); without it, memory is ~1 row group.
            parquet = _import("pyarrow.parquet").ParquetFile(
                path, pre_buffer=False, buffer_size=_PARQUET_BUFFER
            )
            with parquet:
                _check_names(path, parquet.schema_arrow.names, columns)
                yield from parquet.iter_batches(batch_size=rows, columns=columns, use_threads=False)
            return
        pacsv = _import("pyarrow.csv")
        read = pacsv.ReadOptions(block_size=_BLOCK_BYTES)
        with pacsv.open_csv(path, read_options=read, **csv_options(path)) as probe:
            names = probe.schema.names
        _check_names(path, names, columns)
        options = csv_options(path, column_types=types, include_columns=columns)
        with pacsv.open_csv(path, read_options=read, **options) as reader:
            yield from reader
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise DataError(f"could not read '{path}' as {kind.upper()}: {error}") from None


def _check_names(path: Path, names: list[str], wanted: list[str] | None) -> None:
    missing = [name for name in wanted or [] if name not in names]
    if missing:
        raise DataError(
            f"'{path.name}' lacks the column(s) {', '.join(missing)}; its columns are: {', '.join(names)}"
        )


def _columns(batch: Any, label: str, header_lines: int, offset: int) -> Columns:
    """A pyarrow RecordBatch as :class:`Columns` (numbers as arrays, text as object arrays)."""
    pa = _import("pyarrow")
    data, dtypes = {}, {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        kind = column.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            dtypes[name] = "numeric"
            column = column.cast(pa.float64())  # nulls become NaN below
            values = column.to_numpy(zero_copy_only=False)
        else:
            if pa.types.is_boolean(kind):
                dtypes[name] = "boolean"
            elif pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
                dtypes[name] = "text"
            else:
                dtypes[name] = str(kind)
            if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                values = column.to_numpy(zero_copy_only=False)  # object array of str/None, no list between
            else:
                values = np.array(column.to_pylist(), dtype=object)
        data[name] = values
    return Columns(data, dtypes, label, header_lines, offset)


def _arrow_types(schema: TableSchema) -> dict[str, Any]:
    """Fixed CSV column types from the schema, so every chunk parses the same way."""
    pa = _import("pyarrow")
    kinds = {"numeric": pa.float64(), "boolean": pa.bool_(), "categorical": pa.string()}
    types = {column["name"]: kinds[column["kind"]] for column in schema.columns}
    if schema.classes is not None and isinstance(schema.classes[0], str):
        types[str(schema.target)] = pa.string()
    elif schema.classes is not None and isinstance(schema.classes[0], bool):
        types[str(schema.target)] = pa.bool_()
    else:
        types[str(schema.target)] = pa.float64()
    return types


def _infer_schema(
    path: Path, kind: str, target: str, missing: str | None, task: str | None, rows: int
) -> TableSchema:
    from descenso.data.read import read

    pa = _import("pyarrow")
    sample, count = [], 0
    reader = _record_batches(path, kind, None, {}, rows)
    try:
        for batch in reader:
            sample.append(batch)
            count += batch.num_rows
            if count >= rows:
                break
    finally:
        reader.close()  # release the file and pyarrow's buffers now, not at garbage collection
    if not sample:
        raise DataError(f"'{path.name}' has a header but no data rows; there is nothing to learn from")
    table = pa.Table.from_batches(sample).slice(0, rows)
    return read(table, target=target, missing=missing, task=task).schema


def batches(
    path: Any,
    target: str | None = None,
    batch_size: int = 1024,
    schema: TableSchema | None = None,
    missing: str | None = None,
    task: str | None = None,
    sample_rows: int = 10_000,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X, y)`` float32 batches from a CSV or Parquet file, reading it in chunks.

    Parameters
    ----------
    path : str or path
        A ``.csv``/``.tsv`` or ``.parquet`` file.
    target : str, optional
        The column to predict; defaults to ``schema.target``.
    batch_size : int, default 1024
        Rows per batch; the last batch may be smaller.
    schema : TableSchema, optional
        How to encode the columns, e.g. ``data.read(sample, target=...).schema``. ``None``
        infers it from the first ``sample_rows`` rows: pass a schema when text columns may
        have categories that first rows lack (unseen categories encode as all zeros).
    missing : {None, "drop", "mean"}, optional
        As in :func:`descenso.data.read`; defaults to the schema's.
    task : {None, "binary", "regression"}
        Used only when inferring the schema.
    sample_rows : int, default 10000
        Rows read to infer a schema.

    Yields
    ------
    X : numpy.ndarray of float32, shape (batch_size, p)
    y : numpy.ndarray of float32, shape (batch_size,)

    Raises
    ------
    FileNotFoundError, DataError
        As :func:`descenso.data.read`, for the chunk where the problem is (rows are
        numbered from the start of the file).

    Notes
    -----
    Rows come in file order: shuffle the file once beforehand if it is sorted (by
    target or time), since SGD assumes batches are random samples. Memory in use is
    about one pyarrow chunk plus the batch being assembled, independent of the file's
    size: CSV is read in 256 KiB blocks (pyarrow reads about 32 ahead, ~9 MiB), Parquet
    one row group at a time without pre-buffering (write big files with row groups of
    ~100k rows, e.g. ``row_group_size=100_000``).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "tiny.csv"
    >>> _ = path.write_text("a,b,y\\n1,2,0.5\\n3,4,1.5\\n5,6,2.5\\n")
    >>> [(X.shape, y.tolist()) for X, y in batches(path, target="y", batch_size=2)]
    [((2, 2), [0.5, 1.5]), ((1, 2), [2.5])]
    >>> folder.cleanup()
    """
    path = check_path(path)
    kind = file_format(path)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1; got {batch_size!r}")
    if schema is None:
        if target is None:
            raise TypeError("batches() needs target= (the column to predict) or a schema= from data.read")
        schema = _infer_schema(path, kind, target, missing, task, sample_rows)
    target = target or schema.target
    if target != schema.target:
        raise ValueError(f"target={target!r} differs from the schema's target {schema.target!r}")
    missing = schema.missing if missing is None else missing
    on_missing = {"mean": "fill", "drop": "drop"}.get(str(missing), "error")
    names = [column["name"] for column in schema.columns] + [str(target)]
    types = _arrow_types(schema)
    yield from _rebatch(_encoded(path, kind, names, types, schema, on_missing), int(batch_size))


def _encoded(
    path: Path, kind: str, names: list[str], types: dict[str, Any], schema: TableSchema, on_missing: str
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    offset = 0
    for batch in _record_batches(path, kind, names, types, 65536):
        cols = _columns(batch, f"'{path.name}'", 1 if kind == "csv" else 0, offset)
        offset += batch.num_rows
        _, y_values, _ = target_column(str(schema.target), cols, schema.task)
        known = ~missing_mask(y_values)
        if not known.all() and on_missing == "error":
            raise DataError(
                f"target '{schema.target}' is missing in {cols.rows_text(np.flatnonzero(~known))} of "
                f"{cols.label}; pass missing='drop'"
            )
        X, keep = schema.encode(cols, on_missing)
        y = encode_target(str(schema.target), y_values, schema.classes, cols)[keep]
        if not known.all():
            good = known[keep]
            X, y = X[good], y[good]
        yield X, y.astype(np.float32)


def _rebatch(
    chunks: Iterator[tuple[np.ndarray, np.ndarray]], size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Cut a stream of chunks of any length into batches of exactly ``size`` rows (the last may be short)."""
    pending_X: list[np.ndarray] = []
    pending_y: list[np.ndarray] = []
    count = 0
    for X, y in chunks:
        pending_X.append(X)
        pending_y.append(y)
        count += len(X)
        if count < size:
            continue
        X_all, y_all = np.concatenate(pending_X), np.concatenate(pending_y)
        full = (count // size) * size
        for start in range(0, full, size):
            yield X_all[start : start + size], y_all[start : start + size]
        pending_X, pending_y, count = [X_all[full:]], [y_all[full:]], count - full
    if count:
        yield np.concatenate(pending_X), np.concatenate(pending_y)
