"""A CSV or Parquet file as numbered pieces that can be read one at a time, by any process.

A Parquet file's pieces are its row groups (from the footer, nothing else is read); a CSV
file's are byte ranges of about ``piece_bytes`` that start at a line boundary (each found by
reading a few bytes at the nominal offset), so a rank reads only the bytes of its own pieces.
pyarrow parses every piece; nothing here parses text itself.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from descenso.data.errors import DataError
from descenso.data.sources import Columns, _import, check_path, check_separator, csv_options, file_format

__all__ = ["Pieces"]

_PIECE_BYTES = 4 << 20


class Pieces:
    """The pieces of one file; ``read(i, columns)`` gives piece ``i`` as :class:`Columns`.

    Parameters
    ----------
    path : str or path
        A ``.parquet`` file (pieces: row groups) or an uncompressed ``.csv``/``.tsv`` file
        (pieces: byte ranges; a quoted field may not hold a line break).
    piece_bytes : int, default 4 MiB
        The size of a CSV piece.

    Attributes
    ----------
    kind : {"parquet", "csv"}
    names : list of str
        The file's columns.
    rows : list of int or None
        Rows per piece: known from the footer for Parquet; None for CSV until counted.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "t.csv"
    >>> _ = path.write_text("a,y\\n" + "".join(f"{i},{i % 2}\\n" for i in range(100)))
    >>> pieces = Pieces(path, piece_bytes=64)
    >>> len(pieces), pieces.names
    (8, ['a', 'y'])
    >>> sum(pieces.read(i, None).n_rows for i in range(len(pieces)))
    100
    >>> folder.cleanup()
    """

    def __init__(self, path: Any, piece_bytes: int = _PIECE_BYTES) -> None:
        self.path = check_path(path)
        self.kind = file_format(self.path)
        self.label = f"'{self.path.name}'"
        self.types: dict[str, Any] = {}
        if self.kind == "parquet":
            pq = _import("pyarrow.parquet")
            # Opened once: parsing the footer at every read would cost ~KiB per row group each time.
            # pre_buffer=False: pyarrow's pre-buffering keeps what it read; without it, about one row group.
            self._parquet = pq.ParquetFile(self.path, pre_buffer=False, buffer_size=1 << 20)
            meta = self._parquet.metadata
            self.names = list(meta.schema.to_arrow_schema().names)
            self.rows: list[int] | None = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
            self._ranges: list[tuple[int, int]] = []
            return
        if self.path.name.lower().endswith((".gz", ".bz2")):
            raise DataError(
                f"cannot stream {self.label} in pieces: it is compressed, so a piece cannot start at a byte "
                "offset. Decompress it, or convert it to Parquet (e.g. pandas.read_csv(...).to_parquet(...))"
            )
        self._header, self._ranges = _csv_ranges(self.path, piece_bytes)
        self.names = self._probe_names()
        self.rows = None

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "parquet" and self.rows is not None else len(self._ranges)

    def read(self, index: int, columns: list[str] | None, offset: int = 0) -> Columns:
        """Piece ``index`` as Columns (rows numbered from ``offset`` in messages)."""
        from descenso.data.stream import _columns

        pa = _import("pyarrow")
        try:
            if self.kind == "parquet":
                table = self._parquet.read_row_group(index, columns=columns, use_threads=False)
                return _columns(table, self.label, 0, offset)
            table = self._read_csv(index, columns)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise DataError(f"could not read {self.where(index)} of {self.label}: {error}") from None
        # A CSV piece's first row number is known only after counting the pieces before it.
        return _columns(table, f"{self.label} ({self.where(index)}, rows counted from its start)", 0, 0)

    def where(self, index: int) -> str:
        """How messages name piece ``index``: ``row group 3`` or ``bytes 4194304-8388608``."""
        if self.kind == "parquet":
            return f"row group {index}"
        start, stop = self._ranges[index]
        return f"bytes {start}-{stop}"

    def _read_csv(self, index: int, columns: list[str] | None) -> Any:
        pa, pacsv = _import("pyarrow"), _import("pyarrow.csv")
        start, stop = self._ranges[index]
        with open(self.path, "rb") as handle:
            handle.seek(start)
            body = handle.read(stop - start)
        read = pacsv.ReadOptions(
            column_names=self.names, use_threads=False, block_size=max(1 << 20, len(body) + 1)
        )
        options = csv_options(self.path, column_types=self.types, include_columns=columns)
        return pacsv.read_csv(pa.py_buffer(body), read_options=read, **options)

    def _probe_names(self) -> list[str]:
        """The column names, and fixed column types from the first 64 KiB so every piece parses alike."""
        pa, pacsv = _import("pyarrow"), _import("pyarrow.csv")
        check_separator(self._header.decode("utf-8", "replace"), self.path)
        with open(self.path, "rb") as handle:
            head = handle.read(len(self._header) + (64 << 10))
        head = head[: head.rfind(b"\n") + 1] or head
        try:
            table = pacsv.read_csv(pa.py_buffer(head), **csv_options(self.path))
        except pa.ArrowInvalid as error:
            raise DataError(f"could not read the start of {self.label}: {error}") from None
        for field in table.schema:
            kind = field.type
            numeric = pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)
            self.types[field.name] = pa.float64() if numeric else kind
        return list(table.schema.names)


def _csv_ranges(path: Path, piece_bytes: int) -> tuple[bytes, list[tuple[int, int]]]:
    """The header line, and byte ranges of the data that each start at a line's first byte."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header = handle.readline()
        starts = [handle.tell()]
        for nominal in range(starts[0] + piece_bytes, size, piece_bytes):
            handle.seek(nominal - 1)
            handle.readline()  # to the end of the line that holds byte nominal - 1
            if handle.tell() > starts[-1] and handle.tell() < size:
                starts.append(handle.tell())
    if not header.strip():
        raise DataError(f"'{path.name}' is empty; expected a header line and data rows")
    bounds = [*starts, size]
    ranges = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    return header, ranges
