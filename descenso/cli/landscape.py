"""``descenso explain --landscape PNG``: the loss around the explained network, with the path there."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

STEPS = 100


def write_landscape(network: Any, X: Any, y: Any, loss: str, optimizer: str, lr: float, png: str) -> str:
    """Step a copy of ``network`` ``STEPS`` times on the batch, recording its weights; save the slice.

    The slice is the plane the path moved in most (its two principal directions, Li et al. 2018),
    through the weights reached, so the path is visible; the network itself is not changed.
    Returns the sentence the command prints.
    """
    from descenso import viz
    from descenso.landscape import PathRecorder
    from descenso.stopping import DivergenceError
    from descenso.train import fit

    walker, recorder = copy.deepcopy(network), PathRecorder()
    try:
        fit(walker, X, y, loss=loss, optimizer=optimizer, lr=lr, epochs=STEPS, batch_size=None,
            callbacks=[recorder], rng=0)  # fmt: skip
    except DivergenceError as error:
        return f"no landscape: {error}"
    figure = viz.loss_landscape(
        X, y, loss=loss, model=walker, path=recorder.points, directions="pca",
        title=f"{STEPS} steps of {optimizer} (lr={lr:g}) on this batch",
    )  # fmt: skip
    written = viz.save(figure, Path(png))
    return f"wrote {written}: the loss around the weights after {STEPS} steps, with the path there"
