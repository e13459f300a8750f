"""Figures: loss curves, ROC, confusion matrix, decision boundary, fits, landscapes, units, representations.

Every function builds and returns a matplotlib ``Figure`` drawn on the Agg canvas (no window, no
global pyplot state, so it works headless and from threads); :func:`save` writes it to a PNG file
atomically and releases it. matplotlib is imported inside the functions, so ``import descenso``
never needs it.

Examples
--------
>>> import numpy as np
>>> from descenso import viz
>>> fig = viz.loss_curves({"epoch": [1, 2, 3], "train_loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.6, 0.4]})
>>> [round(v) for v in fig.get_size_inches() * fig.dpi]
[640, 440]
"""

from descenso.viz._canvas import save
from descenso.viz.classification import confusion_matrix, decision_boundary, roc_curve, roc_points
from descenso.viz.landscape import loss_landscape
from descenso.viz.regression import predicted_vs_actual, residuals
from descenso.viz.representations import representation_panels
from descenso.viz.training import loss_curves, loss_label, runs_loss_curves
from descenso.viz.units import unit_maps

__all__ = [
    "confusion_matrix",
    "decision_boundary",
    "loss_curves",
    "loss_label",
    "loss_landscape",
    "predicted_vs_actual",
    "representation_panels",
    "residuals",
    "roc_curve",
    "roc_points",
    "runs_loss_curves",
    "save",
    "unit_maps",
]
