"""What the page draws, as compact JSON: maps as base64 bytes, numbers rounded, never NaN.

A map over the input plane is ``size x size`` values quantised to one byte each
(0 = the low end of its range, 255 = the high end), top row first, so the
output map (40 x 40) plus a 16 x 16 map per neuron stays a few kilobytes and can
be sent several times a second.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from descenso.grad_mode import no_grad
from descenso.nn import Linear
from descenso.playground import landscape, presets
from descenso.playground.inputs import plane, representation
from descenso.playground.protocol import FEATURES

GRID_SIZE = 40
MAP_SIZE = 16
_MAX_CURVE_POINTS = 400


def quantize(values: np.ndarray, low: float, high: float) -> str:
    """Map ``values`` from ``[low, high]`` to bytes 0..255 (clipped; NaN to the middle), base64-encoded.

    Parameters
    ----------
    values : array_like
    low, high : float
        The values sent as 0 and 255.

    Returns
    -------
    str
        Base64 of one byte per value.

    Examples
    --------
    >>> text = quantize(np.array([0.0, 0.5, 1.0, 7.0, np.nan]), 0.0, 1.0)
    >>> text, list(base64.b64decode(text))
    ('AID//4A=', [0, 128, 255, 255, 128])
    """
    scaled = (np.asarray(values, dtype=np.float64) - low) / max(high - low, 1e-12)
    scaled = np.nan_to_num(scaled, nan=0.5, posinf=1.0, neginf=0.0)
    data = np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def symmetric(values: np.ndarray) -> str:
    """Quantise ``values`` around zero: ``[-m, m]`` with ``m`` the largest absolute finite value.

    Parameters
    ----------
    values : numpy.ndarray

    Returns
    -------
    str
        As :func:`quantize`; 128 is zero.
    """
    finite = values[np.isfinite(values)]
    largest = float(np.abs(finite).max()) if finite.size else 1.0
    largest = largest if largest > 0 else 1.0
    return quantize(values, -largest, largest)


def finite(value: Any, digits: int = 6) -> float | None:
    """A float rounded to ``digits`` significant digits, or None for NaN and infinity (JSON has neither).

    Parameters
    ----------
    value : float
    digits : int, default 6

    Examples
    --------
    >>> finite(3.14159265, 3), finite(float("inf"))
    (3.14, None)
    """
    value = float(value)
    return float(f"{value:.{digits}g}") if math.isfinite(value) else None


def data_message(session: Any) -> dict[str, Any]:
    """The ``data`` message: the points, the plane, each feature's map, and the settings in force.

    Parameters
    ----------
    session : playground.session.Session

    Returns
    -------
    dict
        JSON-able: ``config``, ``task``, ``bounds``, ``target_range``, ``column_names``,
        ``points`` (x1, x2, y, test flags), ``grid_size``, ``map_size``, ``feature_maps``,
        ``loss``, ``source`` (the opened model file, if any), ``preset`` (the preset the run started
        from, if any) and ``presets`` (every preset's name, title, text, example and guide).
    """
    data = session.data
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    small = plane(data.bounds, MAP_SIZE)
    every = representation(list(FEATURES), data.standardize).fit(data.X_train).transform(small)
    maps = {name: symmetric(every[:, i]) for i, name in enumerate(FEATURES)}
    return {
        "type": "data",
        "config": session.config.model_dump(exclude={"csv"}),
        "task": data.task,
        "bounds": list(data.bounds),
        "target_range": list(data.target_range),
        "column_names": data.column_names,
        "target_name": data.target_name,
        "points": {
            "x1": [finite(v, 4) for v in X[:, 0]],
            "x2": [finite(v, 4) for v in X[:, 1]],
            "y": [finite(v, 4) for v in y],
            "test": [0] * len(data.X_train) + [1] * len(data.X_test),
        },
        "grid_size": GRID_SIZE,
        "map_size": MAP_SIZE,
        "feature_maps": maps,
        "loss": "bce_with_logits" if data.task == "classification" else "mse",
        "source": session.loaded_from,
        "preset": session.preset,
        "landscape": landscape.landscape(session),
        "presets": presets.listing(),
    }


def _network_maps(session: Any, grid: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The output for every grid point, and each hidden layer's activations (n_points, width)."""
    h = session.features.transform(grid)
    hidden: list[np.ndarray] = []
    layers = list(getattr(session.model, "layers", [session.model]))
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        for i, layer in enumerate(layers):
            h = layer(h)
            if not isinstance(layer, Linear) and i < len(layers) - 1:
                hidden.append(np.asarray(h.data))
    return np.asarray(h.data).reshape(-1), hidden


def _curve(history: Any) -> dict[str, list[Any]]:
    n = len(history)
    keep: Any = np.unique(np.linspace(0, n - 1, min(n, _MAX_CURVE_POINTS)).astype(int)) if n else []
    return {
        "epoch": [history.epoch[i] for i in keep],
        "train": [finite(history.train_loss[i], 5) for i in keep],
        "test": [finite(history.val_loss[i], 5) if history.val_loss[i] is not None else None for i in keep],
    }


def _inspector(last_step: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for name, arrays in (last_step or {}).items():
        grad, update, before = (a.astype(np.float64) for a in arrays)  # float32 squares overflow sooner
        relative = np.linalg.norm(update) / max(float(np.linalg.norm(before)), 1e-12)
        rows.append(
            {
                "name": name,
                "shape": list(grad.shape),
                "grad_mean_abs": finite(np.abs(grad).mean(), 4) or 0.0,
                "grad_max_abs": finite(np.abs(grad).max(), 4) or 0.0,
                "update_norm": finite(np.linalg.norm(update), 4) or 0.0,
                "relative_update": finite(relative, 4) or 0.0,
                "grad_sample": [finite(v, 3) or 0.0 for v in grad.ravel()[:4]],
                "update_sample": [finite(v, 3) or 0.0 for v in update.ravel()[:4]],
            }
        )
    return rows


def snapshot_message(session: Any) -> dict[str, Any]:
    """The ``snapshot`` message: every live view at the current weights.

    Parameters
    ----------
    session : playground.session.Session

    Returns
    -------
    dict
        JSON-able: ``state``, ``epoch``, ``steps``, ``lr``, train/test ``loss`` and ``metric``,
        the loss ``history``, the ``output`` map, one map per hidden ``neurons``, the
        ``weights`` of each Linear layer, the step ``inspector`` rows and, for a model of one weight
        and one bias, the ``path`` of ``(w, b)`` its steps took (else None).

    Near divergence the weights are finite but huge and the loss may overflow; such values are
    sent as null (see :func:`finite`), so NumPy's overflow warnings are silenced here.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _snapshot(session)


def _snapshot(session: Any) -> dict[str, Any]:
    data = session.data
    output, _ = _network_maps(session, plane(data.bounds, GRID_SIZE))
    _, hidden = _network_maps(session, plane(data.bounds, MAP_SIZE))
    if data.task == "classification":
        output = 1.0 / (1.0 + np.exp(-np.clip(output.astype(np.float64), -60, 60)))  # probability of class 1
    train_loss, test_loss = session.losses()
    train_metric, test_metric = session.metrics()
    linears = [m for m in getattr(session.model, "layers", [session.model]) if isinstance(m, Linear)]
    return {
        "type": "snapshot",
        "state": session.state,
        "epoch": session.epoch,
        "steps": session.steps,
        "lr": session.optimizer.lr,
        "train_loss": finite(train_loss),
        "test_loss": finite(test_loss),
        "train_metric": finite(train_metric),
        "test_metric": finite(test_metric),
        "history": _curve(session.history),
        "output": quantize(output, *data.target_range),
        "neurons": [[symmetric(layer[:, j]) for j in range(layer.shape[1])] for layer in hidden],
        "weights": [
            {
                "w": np.round(m.weight.data.astype(np.float64), 4).tolist(),
                "b": np.round(m.bias.data.astype(np.float64), 4).tolist() if m.bias is not None else [],
            }
            for m in linears
        ],
        "inspector": _inspector(session.last_step),
        "path": landscape.path(session),
    }
