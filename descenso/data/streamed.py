"""``Stream``: a CSV or Parquet file larger than memory as training batches, on one process or many.

The file is read in pieces (:mod:`descenso.data.pieces`: Parquet row groups, CSV byte
ranges); rank ``r`` of ``N`` reads only pieces ``r, r + N, r + 2N, ...``. Three rules,
none of which depends on the number of ranks, make it match one process:

- **Held out by a seeded rule.** Row ``j`` of piece ``i`` belongs to validation when
  ``u < validation``, to test when ``validation <= u < validation + test``, else to training,
  with ``u`` the ``j``-th draw of ``default_rng([seed, i])``: no index list, no second copy.
- **Learned in one pass.** Before the first epoch each rank summarises its pieces' training
  rows; the summaries are combined in piece order (:mod:`descenso.data.learn`) into the schema
  (one-hot categories, fills, task) and, with ``standardize=True``, every column's mean and scale.
- **Shuffled globally, per epoch.** From the epoch's seed: a permutation of the pieces; in
  windows of ``window`` consecutive pieces, a permutation of the window's rows, appended to
  the rows left over from the window before and cut into global batches. Each rank takes
  the batch's rows it holds; the batch is the same set of rows on any number of ranks.

Memory is about ``window / N`` pieces per rank (plus a batch), whatever the size of the file.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

import numpy as np

from descenso.data.errors import DataError
from descenso.data.inspect import encode_target, missing_mask, target_column
from descenso.data.learn import combine, learned_schema, standardisation, summarise
from descenso.data.pieces import Pieces
from descenso.distributed import Local, Share

__all__ = ["Stream"]

_PARTS = {"train": 0, "validation": 1, "test": 2}


class Stream:
    """A CSV/Parquet file as training, validation and test rows, read a few pieces at a time.

    Parameters
    ----------
    path : str or path
        A ``.parquet`` file (write it with row groups of ~10k-100k rows) or an uncompressed
        ``.csv``/``.tsv`` file.
    target : str
        The column to predict.
    validation, test : float, default 0
        The fractions of rows held out by the seeded rule (see the module notes).
    seed : int, default 0
        Seeds the held-out rule.
    missing, task : as in :func:`descenso.data.read`
    standardize : bool, default False
        Scale every encoded column to mean 0 and standard deviation 1 of the training rows.
    standardize_target : bool, default False
        Scale a regression target the same way (``y_mean_``, ``y_scale_``); predictions are then
        ``output * y_scale_ + y_mean_``.
    window : int, default 4
        Pieces shuffled together; more mixes better and holds more in memory.
    piece_bytes : int, default 4 MiB
        The size of a CSV piece.
    dtype : str or numpy dtype, default "float32"
        The dtype of the batches (the model's).

    Attributes
    ----------
    schema : TableSchema
        After :meth:`learn`: the encoding, as ``data.read`` gives it.
    mean_, scale_ : numpy.ndarray or None
        After :meth:`learn` with ``standardize=True``.
    y_mean_, y_scale_ : float or None
        After :meth:`learn`: the training target's mean and standard deviation (1 where it is 0);
        None for a text target.
    class_counts_ : list of int or None
        After :meth:`learn`, for a binary target: the training rows of each class of ``schema.classes``.
    train, validation_rows, test_rows : Stream
        The same file's other parts (sharing what was learned).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np, pandas as pd
    >>> import descenso as ds
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "line.parquet"
    >>> x = np.linspace(-1, 1, 400)
    >>> pd.DataFrame({"x": x, "y": 3 * x + 1}).to_parquet(path, row_group_size=50)
    >>> stream = Stream(path, target="y", validation=0.2, seed=0, dtype="float64").learn()
    >>> stream.n + stream.validation_rows.n
    400
    >>> batches = list(stream.epoch(np.random.default_rng(0), batch=128))
    >>> sum(len(yb) for _, yb, _, _ in batches) == stream.n, batches[0][0].shape[1]
    (True, 1)
    >>> folder.cleanup()
    """

    def __init__(
        self,
        path: Any,
        target: str,
        validation: float = 0.0,
        test: float = 0.0,
        seed: int = 0,
        missing: str | None = None,
        task: str | None = None,
        standardize: bool = False,
        standardize_target: bool = False,
        window: int = 4,
        piece_bytes: int = 4 << 20,
        dtype: Any = "float32",
    ) -> None:
        if missing not in (None, "drop", "mean"):
            raise ValueError(f"Stream: missing must be None, 'drop' or 'mean'; got {missing!r}")
        if not (0 <= validation < 1 and 0 <= test < 1 and validation + test < 1):
            raise ValueError(
                f"Stream: validation={validation} and test={test} must be fractions in [0, 1) that leave "
                "rows to train on (validation + test < 1)"
            )
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"Stream: window must be an int >= 1 (pieces shuffled together); got {window!r}")
        self.pieces = Pieces(path, piece_bytes)
        if target not in self.pieces.names:
            names = ", ".join(self.pieces.names)
            raise DataError(f"column '{target}' not found in {self.pieces.label}; the columns are: {names}")
        self.target, self.task, self.missing, self.seed = target, task, missing, int(seed)
        self.fractions = (float(validation), float(test))
        self.standardize, self.standardize_target, self.window = (
            bool(standardize),
            bool(standardize_target),
            window,
        )
        self.part = "train"
        self.dtype = np.dtype(dtype)
        self._learned: dict[str, Any] = {}  # shared by the parts: schema, standardisation, row counts

    # ------------------------------------------------------------------ the parts
    def _view(self, part: str) -> Stream:
        other = copy.copy(self)  # shares self._learned
        other.part = part
        return other

    @property
    def train(self) -> Stream:
        """The training rows."""
        return self._view("train")

    @property
    def validation_rows(self) -> Stream:
        """The rows held out for validation (the same seeded rule on every rank)."""
        return self._view("validation")

    @property
    def test_rows(self) -> Stream:
        """The rows held out for testing."""
        return self._view("test")

    def _labels(self, piece: int, rows: int) -> np.ndarray:
        """0 train, 1 validation, 2 test, for each row of a piece: the seeded held-out rule."""
        u = np.random.default_rng([self.seed, piece]).random(rows)
        validation, test = self.fractions
        labels = np.zeros(rows, dtype=np.int8)
        labels[u < validation] = 1
        labels[(u >= validation) & (u < validation + test)] = 2
        return labels

    # ------------------------------------------------------------------ the one pass
    def learn(self, parallel: Any = None) -> Stream:
        """Learn the schema (and standardisation) from the training rows in one pass, sharded over ranks."""
        if self._learned:
            return self
        parallel = parallel or Local()

        def my_pieces() -> dict[int, Any]:
            mine = {}
            known = self.pieces.rows  # rows per piece from a Parquet footer, to number rows in messages
            for piece in range(parallel.rank, len(self.pieces), parallel.size):
                cols = self.pieces.read(piece, None, sum(known[:piece]) if known else 0)
                train = self._labels(piece, cols.n_rows) == 0
                subset = type(cols)({k: v[train] for k, v in cols.data.items()}, cols.dtypes, cols.label)
                mine[piece] = (cols.n_rows, summarise(subset, self.target, self.task, self.missing))
            return mine

        gathered: dict[int, Any] = {}
        for part in parallel.gather(my_pieces):  # a rank that fails here stops every rank with its error
            gathered.update(part)
        rows = [gathered[i][0] for i in range(len(self.pieces))]
        summaries = [gathered[i][1] for i in range(len(self.pieces)) if gathered[i][1]["rows"]]
        if not summaries:
            raise DataError(f"{self.pieces.label} has no training rows; there is nothing to learn from")
        total = combine(summaries, self.pieces.label)
        schema = learned_schema(total, self.target, self.task, self.missing, self.pieces.label)
        mean, scale = standardisation(total, schema) if self.standardize else (None, None)
        y = total["target"]
        if self.standardize_target and schema.task != "regression":
            raise ValueError(
                f"Stream: standardize_target=True is for a regression target, but '{self.target}' is "
                "binary (0/1); leave it False"
            )
        y_mean = y["mean"] if "n" in y else None
        y_scale = (float(np.sqrt(y["m2"] / y["n"])) or 1.0) if y.get("n") else None
        class_counts = y["label_counts"] if schema.task == "binary" else None
        offsets = np.cumsum([0, *rows])
        counts = np.zeros(3, dtype=np.int64)
        for piece, n_rows in enumerate(rows):
            counts += np.bincount(self._labels(piece, n_rows), minlength=3)
        self._learned.update(schema=schema, mean=mean, scale=scale, rows=rows, offsets=offsets, counts=counts,
                             y_mean=y_mean, y_scale=y_scale, class_counts=class_counts)  # fmt: skip
        return self

    @property
    def schema(self) -> Any:
        return self._learned["schema"]

    @property
    def mean_(self) -> Any:
        return self._learned.get("mean")

    @property
    def scale_(self) -> Any:
        return self._learned.get("scale")

    @property
    def y_mean_(self) -> Any:
        return self._learned.get("y_mean")

    @property
    def y_scale_(self) -> Any:
        return self._learned.get("y_scale")

    @property
    def class_counts_(self) -> Any:
        return self._learned.get("class_counts")

    @property
    def n(self) -> int:
        """Rows in this part (of all ranks together)."""
        return int(self._learned["counts"][_PARTS[self.part]])

    @property
    def n_features(self) -> int:
        return int(self.schema.n_features)

    # ------------------------------------------------------------------ reading the rows
    def _load(self, piece: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This part's rows of one piece: ``(ids, X, y)``, ids global row numbers."""
        offset = int(self._learned["offsets"][piece])
        cols = self.pieces.read(piece, [c["name"] for c in self.schema.columns] + [self.target], offset)
        mine = np.flatnonzero(self._labels(piece, cols.n_rows) == _PARTS[self.part])
        cols = type(cols)(
            {k: v[mine] for k, v in cols.data.items()}, cols.dtypes, cols.label, cols.header_lines
        )
        _, y_values, _ = target_column(self.target, cols, self.schema.task)
        known = ~missing_mask(y_values)
        on_missing = {"mean": "fill", "drop": "drop"}.get(str(self.missing), "error")
        X, keep = self.schema.encode(cols, on_missing, dtype=self.dtype)
        y = encode_target(self.target, y_values[keep], self.schema.classes, cols).astype(self.dtype)
        ids = offset + mine[keep]
        if not known[keep].all():
            good = known[keep]
            X, y, ids = X[good], y[good], ids[good]
        if self.mean_ is not None:
            X = ((X - self.mean_.astype(self.dtype)) / self.scale_.astype(self.dtype)).astype(self.dtype)
        if self.standardize_target:
            y = ((y - self.dtype.type(self.y_mean_)) / self.dtype.type(self.y_scale_)).astype(self.dtype)
        return ids, X, y

    def _stand_in(self) -> tuple[np.ndarray, np.ndarray, None, Share]:
        """One zero row weighted 0: what a rank with no rows of a batch computes on, to join the reduction."""
        return np.zeros((1, self.n_features), self.dtype), np.zeros(1, self.dtype), None, Share(0, 0.0)

    def epoch(self, rng: np.random.Generator, batch: int, parallel: Any = None) -> Iterator[tuple[Any, ...]]:
        """This epoch's global batches ``(X_b, y_b, None, share)``, as this rank's part of each.

        Call :meth:`learn` first. See the module notes for the order.
        """
        parallel = parallel or Local()
        shuffle = np.random.default_rng(rng.integers(2**63))  # the same on every rank
        order = shuffle.permutation(len(self.pieces))
        pending = np.zeros(0, dtype=np.int64)  # global ids of rows shuffled but not yet in a batch
        pool: list[np.ndarray] = [np.zeros(0, np.int64), np.zeros((0, self.n_features), self.dtype)]
        pool.append(np.zeros(0, self.dtype))
        for start in range(0, len(order), self.window):
            window = order[start : start + self.window]
            ids = np.concatenate([self._part_ids(int(p)) for p in window])
            pending = np.concatenate([pending, ids[shuffle.permutation(len(ids))]])
            loaded = [self._load(int(p)) for p in window if int(p) % parallel.size == parallel.rank]
            pool = [np.concatenate([pool[k], *(part[k] for part in loaded)]) for k in range(3)]  # ids, X, y
            sorter = np.argsort(pool[0], kind="stable")  # this rank's rows, by global id
            pool = [column[sorter] for column in pool]
            full = len(pending) // batch * batch
            for first in range(0, full, batch):
                yield self._take(pool, pending[first : first + batch])
            pending = pending[full:]
            keep = np.isin(pool[0], pending)
            pool = [column[keep] for column in pool]
        if len(pending):
            yield self._take(pool, pending)

    def _part_ids(self, piece: int) -> np.ndarray:
        rows = self._learned["rows"][piece]
        return int(self._learned["offsets"][piece]) + np.flatnonzero(
            self._labels(piece, rows) == _PARTS[self.part]
        )

    def _take(self, pool: list[np.ndarray], wanted: np.ndarray) -> tuple[Any, ...]:
        ids, X, y = pool
        where = np.searchsorted(ids, wanted)
        found = where < len(ids)
        found[found] = ids[where[found]] == wanted[found]
        rows = where[found]
        if not len(rows):
            return self._stand_in()
        return X[rows], y[rows], None, Share(len(rows), float(len(rows)))

    def chunks(self, parallel: Any = None) -> Iterator[tuple[Any, ...]]:
        """This part's rows of this rank's pieces, one piece at a time (a stand-in if it has none)."""
        parallel = parallel or Local()
        given = False
        for piece in range(parallel.rank, len(self.pieces), parallel.size):
            _, X, y = self._load(piece)
            if len(y):
                given = True
                yield X, y, None, Share(len(y), float(len(y)))
        if not given:
            yield self._stand_in()

    def __len__(self) -> int:
        """Rows in this part, after :meth:`learn`."""
        if not self._learned:
            raise RuntimeError(f"{self!r} counts its rows in learn(); call stream.learn() first")
        return self.n

    def __bool__(self) -> bool:
        return True  # a stream is a source whether or not its rows are counted yet

    def __repr__(self) -> str:
        return f"Stream({str(self.pieces.path.name)!r}, target={self.target!r}, part={self.part!r})"
