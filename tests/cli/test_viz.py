"""descenso.viz: each report figure is a valid PNG of the stated size, and the numbers drawn are right."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from sklearn.metrics import roc_auc_score

from descenso import viz


@pytest.fixture
def binary():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=200) > 0).astype(float)
    return X, y


def saved_size(fig, path):
    viz.save(fig, path)
    with Image.open(path) as image:
        image.load()
        assert image.format == "PNG"
        return image.size


def test_every_figure_saves_as_a_png_of_its_size(tmp_path, binary):
    X, y = binary
    proba = 1 / (1 + np.exp(-(X[:, 0] + 0.5 * X[:, 1]) * 3))
    history = {"epoch": [1, 2, 3, 4], "train_loss": [1.0, 0.5, 0.2, 0.1], "val_loss": [1.1, 0.6, 0.3, 0.35]}
    figures = {
        "loss": (viz.loss_curves(history), (640, 440)),
        "roc": (viz.roc_curve(y, proba), (500, 460)),
        "cm": (viz.confusion_matrix(y, proba > 0.5, labels=("no", "yes")), (460, 420)),
        "boundary": (
            viz.decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, y, resolution=50),
            (560, 480),
        ),
        "fit": (viz.predicted_vs_actual(X[:, 0], X[:, 0] + 0.1), (500, 480)),
        "residuals": (viz.residuals(X[:, 0], X[:, 0] + 0.1), (800, 400)),
    }
    for name, (fig, size) in figures.items():
        assert saved_size(fig, tmp_path / f"{name}.png") == size, name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{name}.png" for name in figures
    )  # no temp files


def test_roc_area_matches_scikit_learn_with_ties(binary):
    X, y = binary
    scores = np.round(X[:, 0], 1)  # many ties
    fpr, tpr, auc = viz.roc_points(y, scores)
    assert auc == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


def test_confusion_matrix_cells_show_the_counts():
    fig = viz.confusion_matrix([0, 0, 0, 1, 1], [0, 1, 0, 1, 1])
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == sorted(["2\n67%", "1\n33%", "0\n0%", "2\n100%"])


def test_loss_curves_mark_the_kept_epoch_and_skip_missing_validation():
    fig = viz.loss_curves({"train_loss": [1.0, 0.5], "val_loss": [None, None]})
    assert [line.get_label() for line in fig.axes[0].lines] == ["train"]

    class History:
        best_epoch = 2

        def to_dict(self):
            return {"epoch": [1, 2, 3], "train_loss": [1.0, 0.1, 0.001], "val_loss": [1.0, 0.2, 0.3]}

    ax = viz.loss_curves(History()).axes[0]
    assert ax.get_yscale() == "log"  # losses span three orders of magnitude
    assert "weights kept (epoch 2)" in [line.get_label() for line in ax.lines]


def test_figures_refuse_bad_input():
    with pytest.raises(ValueError, match="exactly 2 features"):
        viz.decision_boundary(lambda P: P[:, 0], np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="both classes"):
        viz.roc_curve([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="same length"):
        viz.residuals([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="no train_loss"):
        viz.loss_curves({"train_loss": []})
    with pytest.raises(TypeError, match="History or a mapping"):
        viz.loss_curves([0.1, 0.2])


def test_save_replaces_a_file_whole_or_not_at_all(tmp_path):
    path = tmp_path / "loss.png"
    path.write_bytes(b"the old figure")
    with pytest.raises(FileNotFoundError, match=r"cannot save the figure to .*nowhere"):
        viz.save(viz.loss_curves({"train_loss": [1.0, 0.5]}), tmp_path / "nowhere" / "loss.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png"]  # no temporary left behind
    assert saved_size(viz.loss_curves({"train_loss": [1.0, 0.5]}), path) == (640, 440)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png"]
