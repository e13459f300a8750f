"""Regressor and BinaryClassifier fitted on a file read a few pieces at a time, like in memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import descenso as ds
from descenso.data import Stream


def frame(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {"a": rng.normal(size=n), "b": 5 * rng.normal(size=n) + 3, "city": rng.choice(list("xyz"), n)}
    )
    table["price"] = 100 + 10 * table.a - 2 * table.b + 5 * (table.city == "y") + rng.normal(size=n)
    table["label"] = np.where(table.a + (table.city == "x") > 0.3, "yes", "no")
    return table


SETTINGS = {"hidden": (16,), "random_state": 0, "max_epochs": 15, "n_iter_no_change": None}


def test_a_regressor_fitted_on_a_parquet_path_scores_as_in_memory_and_saves_its_schema(tmp_path):
    data = frame()
    data.drop(columns="label").to_parquet(tmp_path / "reg.parquet", row_group_size=500)
    streamed = ds.Regressor(**SETTINGS).fit(tmp_path / "reg.parquet", "price")
    in_memory = ds.Regressor(**SETTINGS, ensemble=1).fit(data.drop(columns="label"), "price")
    test = frame(1000, seed=1)
    X_test = test.drop(columns=["price", "label"])
    # Other validation rows, another batch order: R^2 the same to 0.01 (the noise's share is 0.005).
    assert streamed.score(X_test, test.price) == pytest.approx(in_memory.score(X_test, test.price), abs=0.01)
    assert streamed.score(X_test, test.price) > 0.98
    # The target is scaled by its training rows: those the seeded rule keeps (seed random_state=0,
    # validation_fraction=0.1, pieces of 500 rows).
    kept = np.concatenate([np.random.default_rng([0, i]).random(500) >= 0.1 for i in range(8)])
    assert streamed.y_mean_ == pytest.approx(data.price[kept].mean(), rel=1e-12)
    assert streamed.y_scale_ == pytest.approx(data.price[kept].std(ddof=0), rel=1e-9)
    assert list(streamed.feature_names_in_) == ["a", "b", "city"]
    streamed.save(tmp_path / "model.descenso")
    loaded = ds.load(tmp_path / "model.descenso")
    np.testing.assert_array_equal(loaded.predict(X_test), streamed.predict(X_test))  # one-hot city included
    assert len(loaded.history_.val_loss) == len(streamed.history_.val_loss) == 15


def test_a_classifier_fitted_on_a_stream_learns_the_text_classes_and_their_share(tmp_path):
    data = frame()
    data.drop(columns="price").to_csv(tmp_path / "clf.csv", index=False)
    stream = Stream(tmp_path / "clf.csv", target="label", validation=0.2, seed=2, standardize=True,
                    piece_bytes=20_000)  # fmt: skip
    model = ds.BinaryClassifier(**SETTINGS).fit(stream)
    assert list(model.classes_) == ["no", "yes"]
    test = frame(1000, seed=1)
    assert model.score(test.drop(columns=["price", "label"]), test.label) > 0.97
    share = stream.class_counts_[1] / sum(stream.class_counts_)
    assert share == pytest.approx((data.label == "yes").mean(), abs=0.02)  # the training rows' share
    rows = np.concatenate([stream._part_ids(i) for i in range(len(stream.pieces))])  # its training rows
    assert stream.class_counts_ == [int((data.label.to_numpy()[rows] == c).sum()) for c in ("no", "yes")]


def test_what_a_stream_cannot_do_is_refused_with_the_fix(tmp_path):
    data = frame(500)
    data.drop(columns="label").to_parquet(tmp_path / "reg.parquet", row_group_size=100)
    path = tmp_path / "reg.parquet"
    with pytest.raises(ValueError, match=r"sample_weight and class_weight are for in-memory data"):
        ds.Regressor().fit(path, "price", sample_weight=np.ones(500))
    with pytest.raises(ValueError, match=r"features=\['polar'\] need the whole table"):
        ds.Regressor(features=["polar"]).fit(path, "price")
    with pytest.raises(ValueError, match=r"trains one network afresh; pass ensemble=1"):
        ds.Regressor(ensemble=3).fit(path, "price")
    with pytest.raises(ValueError, match=r"the target 'price' is regression; use Regressor"):
        ds.BinaryClassifier().fit(path, "price")
    with pytest.raises(ValueError, match=r"make the Stream with standardize=True .*standardize_target=True"):
        ds.Regressor().fit(Stream(path, target="price"))
    with pytest.raises(TypeError, match=r"y must name the target column"):
        ds.Regressor().fit(path)
    model = ds.Regressor()
    with pytest.raises(ValueError):
        model.fit(path, "price", sample_weight=np.ones(500))
    assert not hasattr(model, "model_")  # a refused fit leaves nothing behind
