"""Representations: fitted transforms that change how the data is described to a model.

The course notes stress that the representation matters (polar versus cartesian
coordinates). Every transform here is fitted on the training data only, applied
to any data, and saves with a model as ``get_config()`` + ``state_dict()``.

Examples
--------
>>> import numpy as np
>>> from descenso import features
>>> X_train = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0]], dtype=np.float32)
>>> rep = features.get("polar").fit(X_train)
>>> rep.transform(X_train)[:, 0]          # the radius column
array([1., 2., 3.], dtype=float32)
>>> rep.get_feature_names_out()
['r(x1,x2)', 'angle(x1,x2)', 'sin_angle(x1,x2)', 'cos_angle(x1,x2)']
"""

from descenso.features.base import Identity, NotFittedError, Pipeline, Transform, from_config, get
from descenso.features.expression import Expression, ExpressionError
from descenso.features.geometry import Polar, Radial
from descenso.features.log import Log
from descenso.features.onehot import OneHot
from descenso.features.polynomial import Polynomial
from descenso.features.scaling import MinMax, Standardize

__all__ = [
    "Transform", "Pipeline", "Identity", "Standardize", "MinMax", "Polar", "Radial", "Polynomial",
    "OneHot", "Log", "Expression", "ExpressionError", "NotFittedError", "from_config", "get",
]  # fmt: skip
