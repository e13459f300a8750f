"""Bringing data in: validated reading, splits, mini-batches and streaming from files.

``read`` checks a table before any training and names every problem with its
column, rows and fix; ``TableSchema`` re-applies the same encoding to new data;
``train_val_test_split`` and ``BatchIterator`` are seeded; ``batches`` streams a
file larger than memory, and ``Stream`` turns one into encoded training batches
(representations learned in one pass), on one process or sharded over MPI ranks.
pyarrow, narwhals and pandas/polars are imported only when a file or frame is read
(``pip install 'descenso[data]'``).

Examples
--------
>>> import numpy as np
>>> from descenso import data
>>> X, y = np.arange(12.0).reshape(6, 2), np.array([0.0, 1.0] * 3)
>>> X_train, X_test, y_train, y_test = data.train_test_split(X, y, test=2, rng=0)
>>> [len(X_batch) for X_batch, _ in data.BatchIterator(X_train, y_train, batch_size=3, rng=0)]
[3, 1]
"""

from descenso.data.batching import BatchIterator
from descenso.data.errors import DataError, DataWarning
from descenso.data.read import Table, read
from descenso.data.schema import TableSchema
from descenso.data.split import TrainTest, TrainValTest, train_test_split, train_val_test_split
from descenso.data.stream import batches
from descenso.data.streamed import Stream

__all__ = [
    "read", "Table", "TableSchema", "DataError", "DataWarning", "train_test_split", "train_val_test_split",
    "TrainTest", "TrainValTest", "BatchIterator", "batches", "Stream",
]  # fmt: skip
