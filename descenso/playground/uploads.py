"""Files the page uploads (CSV tables, saved models), kept briefly under unguessable tokens.

The store holds a bounded number of uploads, oldest dropped first, so memory
stays bounded whatever a page sends: at most ``max_items`` files of at most
``protocol.MAX_UPLOAD_BYTES`` each.
"""

from __future__ import annotations

import io
import secrets
import threading
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np

from descenso.playground.protocol import MAX_CSV_ROWS, ProtocolError


class UploadStore:
    """A small LRU store of uploads by token.

    Parameters
    ----------
    max_items : int, default 16
        Uploads kept; the oldest is forgotten when a new one arrives.

    Examples
    --------
    >>> store = UploadStore(max_items=1)
    >>> first = store.put("csv", "a.csv", "table A")
    >>> second = store.put("csv", "b.csv", "table B")
    >>> store.get(second, "csv")
    ('b.csv', 'table B')
    >>> len(store)
    1
    """

    def __init__(self, max_items: int = 16) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, tuple[str, str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, kind: str, name: str, value: Any) -> str:
        """Keep ``value`` and return its token.

        Parameters
        ----------
        kind : {"csv", "model"}
        name : str
            The file's name, for messages.
        value : object
            The parsed upload.

        Returns
        -------
        str
            An unguessable token (``secrets.token_urlsafe``).
        """
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._items[token] = (kind, name, value)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return token

    def get(self, token: str, kind: str) -> tuple[str, Any]:
        """Return ``(name, value)`` of an upload of this kind.

        Parameters
        ----------
        token : str
        kind : {"csv", "model"}

        Raises
        ------
        ProtocolError
            If the token is unknown (never issued, or dropped for newer uploads).
        """
        with self._lock:
            item = self._items.get(token)
            if item is not None:
                self._items.move_to_end(token)
        if item is None or item[0] != kind:
            raise ProtocolError(f"the uploaded {kind} file is no longer on the server; upload it again")
        return item[1], item[2]


def read_csv_upload(body: bytes, name: str) -> tuple[Any, dict[str, Any]]:
    """Parse an uploaded CSV with pyarrow; return the table and what the page needs to pick columns.

    Parameters
    ----------
    body : bytes
        The file's contents (already bounded in size by the server).
    name : str
        The file's name, for messages.

    Returns
    -------
    table : pyarrow.Table
    summary : dict
        ``{"name", "rows", "columns": [{"name", "numeric", "distinct"}]}`` where
        ``distinct`` counts different values up to 3 (2 means a binary column).

    Raises
    ------
    ProtocolError
        For a file that does not parse, has no rows or more than ``MAX_CSV_ROWS``, or
        fewer than two numeric columns besides a target.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:
        raise ProtocolError("reading CSV files needs pyarrow: pip install 'descenso[data]'") from None
    from pathlib import Path

    from descenso.data.errors import DataError
    from descenso.data.sources import check_separator

    try:
        check_separator(body[: body.find(b"\n") + 1 or len(body)].decode("utf-8", "replace"), Path(name))
        table = pacsv.read_csv(io.BytesIO(body))
    except DataError as error:  # separated by semicolons, tabs or bars: say so, and how to convert it
        raise ProtocolError(str(error)) from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ProtocolError(f"{name} is not a CSV file pyarrow can read: {error}") from None
    if table.num_rows == 0:
        raise ProtocolError(f"{name} has a header but no data rows; upload a file with rows to train on")
    if table.num_rows > MAX_CSV_ROWS:
        raise ProtocolError(
            f"{name} has {table.num_rows} rows; the playground trains on up to {MAX_CSV_ROWS}. "
            f"Upload a sample of the rows, or train on the whole file with `descenso train {name}`"
        )
    columns = []
    for column_name, column in zip(table.column_names, table.columns, strict=True):
        numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
        distinct = (
            len(pc.unique(column.slice(0, MAX_CSV_ROWS)).drop_null())
            if column.null_count < len(column)
            else 0
        )
        columns.append({"name": column_name, "numeric": numeric, "distinct": min(distinct, 3)})
    if sum(c["numeric"] for c in columns) < 2 or len(columns) < 3:
        kinds = ", ".join(f"{c['name']} ({'numeric' if c['numeric'] else 'text'})" for c in columns)
        raise ProtocolError(
            f"{name} needs two numeric feature columns and a target column; it has columns {kinds}"
        )
    return table, {"name": name, "rows": table.num_rows, "columns": columns}


def csv_columns(table: Any, x1: str, x2: str, target: str, task: str) -> tuple[np.ndarray, np.ndarray, Any]:
    """The two feature columns and the target of an uploaded table, read by :func:`descenso.data.read`.

    Parameters
    ----------
    table : pyarrow.Table
    x1, x2, target : str
        Column names.
    task : {"classification", "regression"}

    Returns
    -------
    X : numpy.ndarray, shape (n, 2), float32
    y : numpy.ndarray, shape (n,), float32
        0/1 for classification.
    classes : list or None
        The target's two original labels for classification.

    Raises
    ------
    ProtocolError
        For columns that are missing, repeated, not numeric, or a target that does
        not suit the task (the reader's message says which and why).
    """
    import pyarrow as pa

    from descenso import data

    for column in (x1, x2, target):
        if column not in table.column_names:
            raise ProtocolError(
                f"column {column!r} is not in the uploaded file; it has {', '.join(table.column_names)}"
            )
    if len({x1, x2, target}) < 3:
        raise ProtocolError(f"pick three different columns; got x1={x1!r}, x2={x2!r}, target={target!r}")
    for column in (x1, x2):
        kind = table.schema.field(column).type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            raise ProtocolError(f"column {column!r} holds {kind} values; x1 and x2 must be numeric columns")
    with warnings.catch_warnings():  # e.g. "a column is constant": the picture shows it plainly
        warnings.simplefilter("ignore")
        try:
            chosen = data.read(table.select([x1, x2, target]), target=target, missing="drop",
                               task="binary" if task == "classification" else "regression")  # fmt: skip
        except ValueError as error:  # the reader's messages are written for the user
            raise ProtocolError(str(error)) from None
    classes = list(chosen.classes or []) if task == "classification" else None
    return chosen.X.astype(np.float32), chosen.y.astype(np.float32), classes
