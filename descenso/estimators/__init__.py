"""scikit-learn-compatible estimators over descenso's networks: ``Regressor`` and ``BinaryClassifier``.

Both follow scikit-learn's contract (``__init__`` stores, ``fit`` validates, trains and
returns ``self``, learned state ends in ``_``), take NumPy arrays, lists, pandas and polars
DataFrames, save to one safe model file (:func:`load` reads it back) and export to ONNX.
scikit-learn is optional: when it is installed the estimators are real
``sklearn.base.BaseEstimator`` subclasses (so ``Pipeline``, ``GridSearchCV`` and ``clone`` work).

Examples
--------
>>> import numpy as np
>>> from descenso.estimators import Regressor
>>> X = np.linspace(-1, 1, 100).reshape(-1, 1)
>>> model = Regressor(hidden=(16,), lr=0.01, random_state=0).fit(X, 2 * X[:, 0] + 1)
>>> model.predict([[0.5]]).round(1)
array([2.])
"""

from descenso.estimators.classifier import BinaryClassifier
from descenso.estimators.loading import load
from descenso.estimators.regressor import Regressor
from descenso.serialize import ModelFileError

__all__ = ["BinaryClassifier", "ModelFileError", "Regressor", "load"]
