"""Turn a file, a DataFrame or NumPy arrays into named NumPy columns, with the reader's errors explained.

CSV and Parquet are parsed by pyarrow, DataFrames (pandas, polars, pyarrow) are
read through narwhals; nothing here parses text itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from descenso.data.errors import DataError

__all__ = ["Columns", "load_columns", "CSV_SUFFIXES", "PARQUET_SUFFIXES"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".csv.bz2", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_INSTALL = "pip install 'descenso[data]'"


@dataclass
class Columns:
    """Named 1-D NumPy columns of equal length, the common form of every source.

    Attributes
    ----------
    data : mapping of str to numpy.ndarray
        Columns in source order. Text columns are object arrays with ``None`` for missing. A dict,
        or for a Parquet file or a pyarrow Table an :class:`ArrowColumns` that converts a column
        each time it is asked for.
    dtypes : dict of str to str
        What the source said each column is: ``"numeric"``, ``"boolean"``, ``"text"``,
        ``"object"`` (to be inspected) or another type name (unsupported).
    label : str
        How messages name the source: ``'data.csv'`` or ``the pandas DataFrame``.
    header_lines : int
        Lines before the first data row in a file (1 for a CSV header); 0 otherwise.
    """

    data: Mapping[str, np.ndarray]
    dtypes: dict[str, str]
    label: str
    header_lines: int = 0
    row_offset: int = 0  # index of the first row in the whole source (streamed chunks)

    @property
    def n_rows(self) -> int:
        if isinstance(self.data, ArrowColumns):
            return self.data.n_rows  # from the file's footer, without reading a column
        return len(next(iter(self.data.values()))) if self.data else 0

    def rows_text(self, rows: np.ndarray, limit: int = 5) -> str:
        """``"data rows 4, 18 (file lines 5, 19)"`` for 0-based positions ``rows``; see :func:`rows_text`."""
        return rows_text(np.asarray(rows) + self.row_offset, self.header_lines, limit)


def rows_text(rows: Any, header_lines: int = 0, limit: int = 5) -> str:
    """Rows named the way a person finds them: data row N is the N-th row below the header.

    Every message of descenso counts rows this way (from 1, the header not counted); for a CSV
    file the line numbers follow, the header being line 1 (the row number a spreadsheet shows).

    Parameters
    ----------
    rows : array-like of int
        0-based positions of the rows among the data rows.
    header_lines : int, default 0
        Lines before the first data row in the file (1 for a CSV header, 0 for other sources).
    limit : int, default 5
        How many rows to name before ``...``.

    Returns
    -------
    str

    Examples
    --------
    >>> from descenso.data.sources import rows_text
    >>> rows_text([3, 17], header_lines=1)
    'data rows 4, 18 (file lines 5, 19)'
    >>> rows_text([0])
    'data row 1'
    """
    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    more = ", ..." if rows.size > limit else ""
    shown = ", ".join(str(int(r) + 1) for r in rows[:limit]) + more
    text = f"{'data row' if rows.size == 1 else 'data rows'} {shown}"
    if header_lines:
        lines = ", ".join(str(int(r) + header_lines + 1) for r in rows[:limit]) + more
        text += f" (file {'line' if rows.size == 1 else 'lines'} {lines})"
    return text


def _import(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(f"reading tables needs {name.split('.')[0]}; install it with {_INSTALL}") from None


def file_format(path: Path) -> str:
    """``"csv"`` or ``"parquet"`` from the suffix and the first bytes; DataError for anything else."""
    name = path.name.lower()
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head[:4] == b"PAR1" or name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if head[:4] == b"PK\x03\x04":
        raise DataError(
            f"cannot read '{path.name}': it is a ZIP archive (an Excel .xlsx file is one), "
            "not CSV or Parquet. Export it as CSV (File > Save As > CSV) or save it with DataFrame.to_parquet"
        )
    if name.endswith(CSV_SUFFIXES):
        compressed = name.endswith((".gz", ".bz2"))
        if not compressed and b"\x00" in head:
            raise DataError(
                f"cannot read '{path.name}' as CSV: it contains binary bytes, so it is not a text file. "
                "descenso reads CSV (text) and Parquet files"
            )
        return "csv"
    raise DataError(
        f"cannot read '{path.name}': unsupported file type '{path.suffix or '(no suffix)'}'; descenso reads "
        f"CSV ({', '.join(CSV_SUFFIXES)}) and Parquet ({', '.join(PARQUET_SUFFIXES)}) files. "
        "Convert it, or load it yourself and pass the DataFrame"
    )


def check_path(source: Any) -> Path:
    path = Path(os.fspath(source)).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"data file not found: '{path}' (absolute: '{path.absolute()}'); check the path"
        )
    if path.is_dir():
        raise DataError(f"'{path}' is a folder; pass the path of a .csv or .parquet file inside it")
    return path


def delimiter(path: Path) -> str:
    """The field separator descenso reads a CSV with: a tab for ``.tsv`` files, else a comma."""
    return "\t" if ".tsv" in path.name.lower() else ","


def header_line(path: Path) -> str:
    """The first line of a text file (up to 64 KiB), as text."""
    with open(path, "rb") as handle:
        return handle.readline(1 << 16).decode("utf-8", "replace")


def csv_options(path: Path, **convert: Any) -> dict[str, Any]:
    """pyarrow CSV options: tab-separated for .tsv, commas otherwise; empty cells are missing.

    pyarrow reads an empty cell of a text column as the string ``""`` unless
    ``strings_can_be_null``; descenso wants it missing in every column, so the missing-value
    rules (refuse, drop, fill) apply to text as to numbers. With it, pyarrow's usual null
    spellings ("NA", "null", "NaN" ...) are missing in text columns too, as they already were in
    number columns (and as pandas reads them). ``convert`` adds ``ConvertOptions`` arguments.
    """
    pacsv = _import("pyarrow.csv")
    return {
        "parse_options": pacsv.ParseOptions(delimiter=delimiter(path)),
        "convert_options": pacsv.ConvertOptions(strings_can_be_null=True, **convert),
    }


@contextmanager
def _reading(path: Path, kind: str) -> Iterator[None]:
    """pyarrow's errors while reading ``path`` as a DataError that says what a readable file is."""
    pa = _import("pyarrow")
    try:
        yield
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as error:
        hint = (
            "one header line, then the same number of fields on every line"
            if kind == "csv"
            else "a complete file written by pandas, polars or pyarrow (not truncated or renamed)"
        )
        raise DataError(f"could not read '{path.name}' as {kind.upper()}: {error}. Expected {hint}") from None


#: Field separators a CSV may use instead of the one descenso reads (";" is what spreadsheets in
#: countries with a decimal comma write).
OTHER_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def check_separator(header: str, path: Path) -> None:
    """Refuse a CSV whose header line is split by another separator than the one descenso reads.

    Read with the wrong separator, a file becomes one text column whose name is the whole header
    line (``"a;b;price"``), or fails to parse where a decimal comma (``1,5``) splits a row; every
    later error would be about something else. This says what happened instead. It refuses rather
    than guesses: a file separated by semicolons usually writes decimal commas too, which a
    guessed separator alone would read as text.
    """
    expected = delimiter(path)
    if expected in header:
        return
    found = [sep for sep in OTHER_SEPARATORS if sep != expected and sep in header]
    if found:
        sep = found[0]
        shown = "\\t" if sep == "\t" else sep
        if sep == "\t":
            fix = "Rename it with a .tsv suffix (descenso reads those as tab-separated)"
        else:
            decimal = ", decimal=','" if sep == ";" else ""
            when = " (decimal=',' if its numbers are written 1,5)" if decimal else ""
            fix = (f"Convert it first{when}: pandas.read_csv(path, sep='{shown}'{decimal})"
                   ".to_csv('data.csv', index=False), then train on data.csv")  # fmt: skip
        kind = "tab" if expected == "\t" else "comma"
        raise DataError(
            f"'{path.name}' looks separated by {OTHER_SEPARATORS[sep]} ('{shown}'): its header line is "
            f"{header.strip()!r}, and descenso reads {kind}-separated files. {fix}"
        )


def column_names(path: Path) -> list[str]:
    """The column names of a CSV or Parquet file, from its header line or schema (nothing else read).

    Raises DataError for a file that is neither, or whose CSV header uses another separator.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "houses.csv").write_text('area,"city, country",price\\n50,"Lima, Peru",100\\n')
    >>> column_names(folder / "houses.csv")
    ['area', 'city, country', 'price']
    """
    import csv

    if file_format(path) == "parquet":
        return list(_import("pyarrow.parquet").read_schema(path).names)
    header = header_line(path)
    check_separator(header, path)
    return next(csv.reader([header.lstrip("\ufeff")], delimiter=delimiter(path)), [])


def read_arrow(path: Path) -> Any:
    """Read a whole CSV or Parquet file into a pyarrow Table, wrapping pyarrow's errors."""
    kind = file_format(path)
    with _reading(path, kind):
        if kind == "parquet":
            return _import("pyarrow.parquet").read_table(path)
        if path.stat().st_size == 0:
            raise DataError(f"'{path.name}' is empty (0 bytes); expected a header line and data rows")
        check_separator(header_line(path), path)
        return _import("pyarrow.csv").read_csv(path, **csv_options(path))


class ArrowColumns(Mapping[str, np.ndarray]):
    """The columns of a Parquet file or a pyarrow Table, each converted when asked for, never kept.

    ``columns[name]`` is what :func:`columns_from_frame` gives for that column, built a row group
    (a Table's chunk) at a time into one array: a number column straight into float64 (NaN for
    missing), a text column through its few distinct values (each row a reference to one of them,
    not a string of its own). So :func:`descenso.data.read` holds one column at a time beside its
    result, not the table (pyarrow's, then NumPy's copy of it, then the encoding). A Parquet
    file's column is read from the file each time; a Table is already in memory.
    """

    def __init__(self, source: Any, label: str, path: Path | None = None) -> None:
        pa, nw = _import("pyarrow"), _import("narwhals")
        self.label, self.path = label, path
        if path is not None:
            with _reading(path, "parquet"):
                self.file = _import("pyarrow.parquet").ParquetFile(path)
            schema, self.n_rows = self.file.schema_arrow, int(self.file.metadata.num_rows)
        else:
            self.table = source
            schema, self.n_rows = source.schema, int(source.num_rows)
        self.types = {str(field.name): field.type for field in schema}
        empty = nw.from_native(schema.empty_table()).schema
        self.dtypes = {str(name): _dtype_kind(dtype) for name, dtype in empty.items()}
        for name, kind in self.dtypes.items():
            if kind not in ("numeric", "text", "boolean"):  # e.g. a date, or an all-missing column
                self.dtypes[name] = self._whole(name)[1]
        self._fast = {
            name: "numeric" if pa.types.is_integer(t) or pa.types.is_floating(t) else "text"
            for name, t in self.types.items()
            if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_string(t)
            or pa.types.is_large_string(t)
        }  # fmt: skip

    def __iter__(self) -> Iterator[str]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.types:
            raise KeyError(name)
        fast = self._fast.get(name)
        if fast is None:
            return self._whole(name)[0]
        out = np.empty(self.n_rows, dtype=np.float64 if fast == "numeric" else object)
        start = 0
        for chunk in self._chunks(name):
            stop = start + len(chunk)
            out[start:stop] = _numbers(chunk) if fast == "numeric" else _texts(chunk)
            start = stop
        return out

    def _chunks(self, name: str) -> Iterator[Any]:
        if self.path is None:
            yield from self.table.column(name).chunks
            return
        with _reading(self.path, "parquet"):
            for group in range(self.file.num_row_groups):
                yield from self.file.read_row_group(group, columns=[name]).column(0).chunks

    def _whole(self, name: str) -> tuple[np.ndarray, str]:
        """The column converted whole, as :func:`columns_from_frame` does (rare types)."""
        if self.path is None:
            table = self.table.select([name])
        else:
            with _reading(self.path, "parquet"):
                table = self.file.read(columns=[name])
        cols = columns_from_frame(table, self.label)
        return cols.data[name], cols.dtypes[name]


def arrow_columns(table: Any, label: str, header_lines: int = 0) -> Columns:
    """:class:`Columns` converting a pyarrow Table's columns one at a time (all at once if names repeat)."""
    if len(set(table.column_names)) < len(table.column_names):
        return columns_from_frame(table, label, header_lines)
    columns = ArrowColumns(table, label)
    return Columns(columns, columns.dtypes, label, header_lines)


def _numbers(chunk: Any) -> np.ndarray:
    """An Arrow integer or float array as NumPy (pyarrow gives NaN for missing)."""
    return np.asarray(chunk.to_numpy(zero_copy_only=False))


def _texts(chunk: Any) -> np.ndarray:
    """An Arrow string array as an object array of ``str``, ``None`` for missing; one ``str`` per value."""
    encoded = chunk.dictionary_encode()
    values = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last one, None, for missing
    values[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    codes = encoded.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    return values[codes]


def _dtype_kind(dtype: Any) -> str:
    """Map a narwhals dtype to our coarse kinds."""
    if dtype.is_numeric():
        return "numeric"
    name = type(dtype).__name__ if not isinstance(dtype, type) else dtype.__name__
    return {
        "Boolean": "boolean",
        "String": "text",
        "Categorical": "text",
        "Enum": "text",
        "Object": "object",
    }.get(name, name)


def columns_from_frame(frame: Any, label: str, header_lines: int = 0) -> Columns:
    """Columns of a pandas/polars/pyarrow frame (through narwhals)."""
    nw = _import("narwhals")
    df = nw.from_native(frame)
    if isinstance(df, nw.LazyFrame):
        df = df.collect()
    data, dtypes = {}, {}
    for name in df.columns:
        series = df.get_column(name)
        kind = _dtype_kind(series.dtype)
        if kind not in ("numeric", "text", "boolean") and series.null_count() == len(series):
            # pyarrow and polars type a column without a single value (an empty CSV column) as
            # null: it is an all-missing column, which the readers warn about and ignore.
            kind, values = "numeric", np.full(len(series), np.nan)
        else:
            values = series.to_numpy()
        if kind in ("text", "boolean") and values.dtype == object:
            odd = np.fromiter(
                (v is not None and not isinstance(v, (str, bool)) for v in values), bool, len(values)
            )
            if odd.any():  # NaN or pandas.NA among the values: missing is None, as everywhere
                values = values.copy()
                values[odd] = [None if _is_null(v) else v for v in values[odd]]
        data[str(name)], dtypes[str(name)] = values, kind
    return Columns(data, dtypes, label, header_lines)


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ == "NAType"


def columns_from_array(X: Any, label: str, names: list[str] | None = None) -> Columns:
    """Columns ``x1 ... xd`` of a 2-D array (or the given names)."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise DataError(
            f"{label}: X must be 2-D (samples, features); got shape {X.shape}. "
            "For one feature use X.reshape(-1, 1)"
        )
    names = names or [f"x{j + 1}" for j in range(X.shape[1])]
    data = {name: X[:, j] for j, name in enumerate(names)}
    return Columns(data, {name: array_kind(X[:, j]) for j, name in enumerate(names)}, label)


def array_kind(values: np.ndarray) -> str:
    """Coarse kind of a NumPy column from its dtype."""
    kind = values.dtype.kind
    return {"b": "boolean", "i": "numeric", "u": "numeric", "f": "numeric", "U": "text", "S": "text"}.get(
        kind, "object" if kind == "O" else str(values.dtype)
    )


def _is_frame(source: Any) -> bool:
    module = type(source).__module__.split(".")[0]
    return module in ("pandas", "polars", "pyarrow", "modin", "cudf", "dask", "narwhals")


def describe(source: Any) -> str:
    return f"the {type(source).__module__.split('.')[0]} {type(source).__name__}"


def load_columns(source: Any) -> Columns:
    """Read a path, a DataFrame or a 2-D array into :class:`Columns`.

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    DataError
        For a file that is not CSV/Parquet or does not parse.
    TypeError
        For anything else.
    """
    if isinstance(source, (str, os.PathLike)):
        path = check_path(source)
        kind = file_format(path)
        if kind == "parquet":
            columns = ArrowColumns(None, f"'{path.name}'", path)
            return Columns(columns, columns.dtypes, columns.label)
        return arrow_columns(read_arrow(path), f"'{path.name}'", 1)
    if type(source).__module__.startswith("pyarrow") and type(source).__name__ == "Table":
        return arrow_columns(source, describe(source))
    if _is_frame(source):
        return columns_from_frame(source, describe(source))
    if isinstance(source, np.ndarray):
        return columns_from_array(source, "the array")
    raise TypeError(
        f"cannot read data from {type(source).__name__}; pass a path to a .csv/.parquet file, "
        "a pandas or polars DataFrame, a pyarrow Table, or NumPy arrays (X, y)"
    )
