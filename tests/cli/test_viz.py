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


def test_loss_curves_draw_a_baseline_and_then_call_the_epoch_the_best_not_the_kept():
    curves = {"epoch": [1, 2, 3], "train_loss": [1.0, 0.5, 0.4], "val_loss": [1.0, 0.6, 0.7]}
    ax = viz.loss_curves(curves, baseline=("linear model: validation loss", 0.55)).axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    assert "best epoch (2)" in lines and not any(label.startswith("weights kept") for label in lines)
    assert set(lines["linear model: validation loss"].get_ydata()) == {0.55}


def test_a_run_that_keeps_the_exact_linear_model_plots_the_networks_against_it():
    from descenso.cli.training import _descent_to_plot
    from descenso.estimators import Regressor

    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    model = Regressor(random_state=0).fit(X, X @ rng.normal(size=4) + 0.3 * rng.normal(size=300))
    assert model.chosen_ == "linear" and model.history_.stopped_by == "exact"
    history, (label, level) = _descent_to_plot(model)
    assert history is model.histories_[1] and len(history.epoch) > 1  # network 1/3, by descent
    assert "linear model" in label and level == model.history_.val_loss[0]
    network = Regressor(random_state=0, linear_candidate=False).fit(X, X[:, 0] ** 2)
    assert _descent_to_plot(network) == (network.history_, None)


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


def test_the_loss_axis_names_the_loss_and_its_scale():
    history = {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}
    label = viz.loss_label("mse", "regression")
    assert label == "MSE (standardised target)"
    assert viz.loss_curves(history, loss_label=label).axes[0].get_ylabel() == label
    assert viz.loss_label("mse", "regression", target="price") == "MSE (standardised price)"
    assert viz.loss_label("bce", "binary") == "log-loss"


def test_the_roc_names_the_positive_class(binary):
    X, y = binary
    ax = viz.roc_curve(y, X[:, 0], title="ROC curve: test split, 200 rows", labels=("no", "yes")).axes[0]
    assert ax.get_title() == "ROC curve: test split, 200 rows\npositive class: 'yes'"
    assert ax.get_ylabel() == "true positive rate: share of 'yes' rows called 'yes'"
    assert ax.get_xlabel() == "false positive rate: share of 'no' rows called 'yes'"


def test_the_confusion_matrix_is_normalised_per_true_class_and_says_so():
    ax = viz.confusion_matrix([0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1], labels=("no", "yes")).axes[0]
    shares = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(shares, [[0.75, 0.25], [0.0, 1.0]])  # each row (true class) sums to 1
    assert sorted(t.get_text() for t in ax.texts) == sorted(["3\n75%", "1\n25%", "0\n0%", "2\n100%"])
    assert "% of its true class: rows sum to 100%" in ax.get_title()
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("true class", "predicted class")


def test_a_diverging_run_is_cut_off_and_marked(tmp_path):
    runs = {
        "lr = 0.1": {"train_loss": [2.0, 1.0, 0.5, 0.25]},
        "lr = 3": {"train_loss": [2.0, 8.0, 1e10, 1e37, float("inf")]},
    }
    ax = viz.runs_loss_curves(runs, loss_label="MSE on the training rows").axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylim()[1] <= 10 * 2.0 * 1.5  # not up to 1e37
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["lr = 0.1", "lr = 3: diverged at epoch 3"]
    cut = ax.lines[1]
    assert list(cut.get_xdata()) == [1, 2, 3] and cut.get_ydata()[-1] == 20.0  # up to the edge
    assert ax.lines[2].get_marker() == "x" and ax.get_ylabel() == "MSE on the training rows"
    assert saved_size(viz.runs_loss_curves(runs), tmp_path / "runs.png") == (640, 440)


def test_the_decision_boundary_names_the_classes(binary):
    X, y = binary
    probability = lambda P: 1 / (1 + np.exp(-P[:, 0]))  # noqa: E731
    fig = viz.decision_boundary(probability, X, y, resolution=20, labels=("no", "yes"))
    plane, colorbar = fig.axes
    assert [t.get_text() for t in plane.get_legend().get_texts()] == ["no", "yes"]
    assert colorbar.get_ylabel() == "P(yes)"


def test_representation_panels_show_what_each_representation_adds(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) < 1).astype(float)
    poly = np.column_stack([X, X**2, X[:, 0] * X[:, 1]])
    panels = [("raw", X, ["x1", "x2"]), ("polynomial", poly, ["x1", "x2", "x1^2", "x2^2", "x1 x2"])]
    fig = viz.representation_panels(panels, y, "binary", class_names=("outer", "inner"))
    raw, polynomial = fig.axes
    assert (raw.get_xlabel(), raw.get_ylabel()) == ("x1", "x2")
    assert (polynomial.get_xlabel(), polynomial.get_ylabel()) == ("x1^2", "x2^2")  # not x1, x2 again
    assert "2 of its 5 columns" in polynomial.get_title()
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["outer", "inner"]
    assert saved_size(fig, tmp_path / "panels.png") == (800, 380)
