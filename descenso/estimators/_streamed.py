"""``fit`` on a file larger than memory: a :class:`descenso.data.Stream`, or a CSV/Parquet path.

Everything the in-memory fit learns from the table is learned in the stream's one pass over its
training rows instead: the schema (one-hot categories, missing-value fills), the standardisation
of the inputs and (``Regressor``) of the target, the classes and their shares (``BinaryClassifier``).
The validation rows that drive early stopping are held out by the stream's seeded rule. The
fitted estimator is then like any other: it predicts on DataFrames, arrays or files, and saves
its schema with the model.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from descenso.estimators import _training

__all__ = ["is_stream", "fit_stream"]


def is_stream(X: Any) -> bool:
    """Whether ``fit``'s ``X`` is a streamed source: a Stream, or the path of a file."""
    return isinstance(X, (str, os.PathLike)) or (hasattr(X, "pieces") and hasattr(X, "epoch"))


def fit_stream(estimator: Any, source: Any, y: Any, sample_weight: Any, params: dict[str, Any],
               watch: dict[str, Any]) -> None:  # fmt: skip
    """Fit ``estimator`` on ``source`` (a Stream, or a path with ``y`` the target column's name)."""
    from descenso import features
    from descenso.distributed import as_parallel
    from descenso.train import fit as train_fit

    name = type(estimator).__name__
    parallel = as_parallel(params.get("distributed"))  # one process, or the ranks mpiexec started
    # None: drawn, and kept; over several ranks, rank 0's draw (it seeds the held-out rule too).
    estimator.random_state_ = parallel.agree(_training.draw_seed(params["random_state"]))
    stream = _as_stream(name, source, y, sample_weight, params, estimator)
    seed = params["random_state"] if estimator.random_state_ is None else estimator.random_state_
    rng = parallel.same_rng(_training.seed_generator(seed))
    stream.learn(parallel)  # each rank summarises its own pieces
    schema = stream.schema
    regression = schema.task == "regression"
    if regression != (name == "Regressor"):
        fix = "BinaryClassifier" if not regression else "Regressor"
        raise ValueError(f"{name}.fit: the target '{schema.target}' is {schema.task}; use {fix}")

    # What predict needs: the schema (target left out), the representation, the target's scale.
    estimator.schema_ = type(schema).from_config(schema.get_config())
    estimator.schema_.target = None
    estimator.target_name_ = schema.target
    estimator.n_features_in_ = len(schema.columns)
    estimator.feature_names_in_ = np.asarray([c["name"] for c in schema.columns], dtype=object)
    width = schema.n_features
    scaler = {"type": "standardize", "n_features_in": width}
    estimator.representation_ = features.from_config(
        {"type": "pipeline", "steps": [scaler], "n_features_in": width},
        {"0.mean": stream.mean_, "0.scale": stream.scale_},
    )
    if params["missing"] == "mean":
        estimator.fill_values_ = _fill_values(schema)
    if regression:
        estimator.y_mean_, estimator.y_scale_ = float(stream.y_mean_), float(stream.y_scale_)
        prior = 0.0  # the standardised target has mean 0
    else:
        estimator.classes_ = np.asarray(schema.classes)
        rate = min(max(stream.class_counts_[1] / sum(stream.class_counts_), 1e-6), 1 - 1e-6)
        prior = float(np.log(rate / (1 - rate)))

    model = _training.make_model(width, params, rng, output_bias=prior).to(params["device"])
    estimator.model_, estimator._optimizer = model, _training.make_optimizer(model, params)
    estimator._rng = rng
    early = params["early_stopping"] and stream.validation_rows.n > 0
    history = train_fit(
        model,
        stream,
        loss=estimator._training_loss(),
        optimizer=estimator._optimizer,
        epochs=params["max_epochs"],
        batch_size=_training.effective_batch_size(params["batch_size"], stream.n),
        stop=_training.make_stop({**params, "early_stopping": early}),
        rng=rng,
        l2=float(params["alpha"]),
        schedule=params["schedule"],
        verbose=params["verbose"] == 1,
        callbacks=[
            *([_training.EpochPrinter()] if params["verbose"] >= 2 else []),
            *watch.get("callbacks", []),
        ],
        metrics=watch.get("metrics", []),
        doctor=watch.get("doctor", False),
        compile=True,
        distributed=parallel,
        **watch.get("checkpoint", {}),
    )
    model.eval()
    # One network, no linear candidate, no temperature: the choice needs the table in memory.
    estimator.chosen_, estimator.validation_loss_, estimator.temperature_ = "network", None, None
    estimator._record([history], params, one_epoch=False)


def _as_stream(
    name: str, source: Any, y: Any, sample_weight: Any, params: dict[str, Any], estimator: Any
) -> Any:
    """The Stream to train on, after refusing what would need the whole table in memory."""
    from descenso.data.streamed import Stream

    where = f"{name}.fit on a stream"
    if sample_weight is not None or getattr(estimator, "class_weight", None) is not None:
        raise ValueError(f"{where}: sample_weight and class_weight are for in-memory data; leave them out")
    steps = [s for s in params["features"] if str(s).strip().lower() not in ("standardize", "standardise")]
    if steps:
        raise ValueError(
            f"{where}: features={params['features']!r} need the whole table to fit; a stream learns only "
            "the one-hot encoding and the standardisation in its one pass. Pass features=[] (or "
            "['standardize']), or fit in memory"
        )
    if params["ensemble"] not in ("auto", 1) or params["warm_start"]:
        raise ValueError(f"{where}: trains one network afresh; pass ensemble=1 and warm_start=False")
    if isinstance(source, (str, os.PathLike)):
        if not isinstance(y, str):
            raise TypeError(
                f"{where}: with a file X={str(source)!r}, y must name the target column; got {y!r}"
            )
        validation = params["validation_fraction"] if params["early_stopping"] else 0.0
        source = Stream(
            source, target=y, validation=validation, seed=estimator.random_state_ or 0,
            missing=params["missing"], standardize=True, standardize_target=name == "Regressor",
        )  # fmt: skip
    elif y is not None:
        raise TypeError(f"{where}: a Stream holds its target ({source.target!r}); call fit(stream) with no y")
    if not source.standardize or source.standardize_target != (name == "Regressor"):
        raise ValueError(
            f"{where}: make the Stream with standardize=True (and, for a Regressor, "
            "standardize_target=True), as the estimator scales its inputs and target"
        )
    if source.missing != params["missing"]:
        raise ValueError(
            f"{where}: the Stream has missing={source.missing!r} but {name} has {params['missing']!r}"
        )
    return source


def _fill_values(schema: Any) -> np.ndarray:
    """The fill of every encoded column, as the in-memory fit keeps them: a mean, or a category's one-hot."""
    values: list[float] = []
    for column in schema.columns:
        if column["kind"] == "categorical":
            values += [float(category == column["fill"]) for category in column["categories"]]
        else:
            values.append(float(column["fill"]))
    return np.asarray(values, dtype=np.float64)
