"""The canvas every figure is drawn on, and :func:`save`, which writes one to a PNG atomically."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_DPI = 100
# Okabe and Ito's palette: told apart with every common colour-vision deficiency.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")


def _figure(width: float = 6.4, height: float = 4.4) -> Figure:
    """A new Figure on the Agg canvas (width x height inches at 100 dpi)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'descenso[plot]'") from None
    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as a PNG to ``path`` atomically, then release the figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from one of this module's functions.
    path : str or PathLike
        Destination; its folder must exist. An existing file is replaced only once the new one is
        complete (written to a temporary file in the same folder, then renamed).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OSError
        When the folder is missing or unwritable or the disk is full; the message names the path,
        any existing file there is unchanged and no temporary file is left (see
        :func:`descenso.serialize.atomic_write_bytes`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from descenso import viz
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = viz.save(viz.loss_curves({"train_loss": [1.0, 0.5]}), folder / "loss.png")
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    from descenso.serialize import atomic_write_bytes

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=_DPI)
    finally:
        fig.clear()
    return atomic_write_bytes(path, buffer.getvalue(), what="the figure")


def _history_columns(history: Any) -> Mapping[str, Any]:
    """Accept a History (anything with ``to_dict()``) or a mapping of per-epoch lists."""
    if hasattr(history, "to_dict"):
        history = history.to_dict()
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a History or a mapping of lists; got {type(history).__name__}")
    return history
