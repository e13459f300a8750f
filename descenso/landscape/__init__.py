"""Loss landscapes: the surface gradient descent walks on, and the path it took.

Two pictures of the course notes' gradient descent, as numbers (the figures are in
:func:`descenso.viz.loss_landscape`):

- :func:`two_parameter_landscape`: for a model with two parameters, ``f(x) = w x + b`` (a line, or
  logistic regression on one feature), the objective over the whole ``(w, b)`` plane is exact, its
  minimum is known in closed form, and gradient descent's path over it can be drawn for several
  learning rates.
- :func:`random_slice`: for any network, a 2-D slice of the loss through the final weights along two
  random directions normalised per filter (Li et al., 2018), with the training path, recorded by a
  :class:`PathRecorder`, projected on it.

Examples
--------
>>> import numpy as np
>>> from descenso.landscape import two_parameter_landscape
>>> x = np.linspace(0.0, 2.0, 20)
>>> scape = two_parameter_landscape(x[:, None], 3 * x + 1, learning_rates=[0.1], epochs=5)
>>> np.round(scape.minimum, 6).tolist(), len(scape.paths[0].points)
([3.0, 1.0], 6)
"""

from descenso.landscape.exact import TwoParameterLandscape, two_parameter_landscape
from descenso.landscape.path import DescentPath, PathRecorder
from descenso.landscape.random_slice import (
    RandomSlice,
    filter_normalized_directions,
    path_directions,
    random_slice,
)

__all__ = [
    "DescentPath",
    "PathRecorder",
    "RandomSlice",
    "TwoParameterLandscape",
    "filter_normalized_directions",
    "path_directions",
    "random_slice",
    "two_parameter_landscape",
]
