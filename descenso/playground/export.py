"""Export a playground run as a descenso model file, and open saved 2-feature models.

Layout of an exported file (a :func:`descenso.serialize.write_model_file` file, the
same keys as a saved estimator so ``descenso.load`` can read it):

arrays
    ``model.<name>``: the network's weights (``layers.0.weight`` ...);
    ``representation.<key>``: the fitted representation's arrays (e.g. ``0.mean``).
metadata
    ``kind`` "estimator"; ``estimator`` "BinaryClassifier" or "Regressor";
    ``params`` the estimator parameters equivalent to the run; ``architecture``
    (``MLP.get_config()``); ``representation`` (the fitted Pipeline's config);
    ``n_features_in`` 2; ``feature_names_in``; ``target_name``; ``schema`` None;
    ``history`` (``History.to_dict()``); ``stop_reason``; ``n_iter`` (epochs);
    ``classes`` ``{"values", "dtype"}`` (classification: label 0 then label 1) or
    ``target_scaling`` ``{"mean": 0.0, "scale": 1.0}`` (regression: the network
    predicts y itself); and ``playground``: ``{"config": the page's settings,
    "data": {"dataset", "columns", "target"}}`` to reopen the very run.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from descenso.playground.inputs import representation
from descenso.playground.protocol import ACTIVATIONS, MAX_LAYERS, MAX_NEURONS, MAX_UPLOAD_BYTES, ProtocolError


def _params(session: Any) -> dict[str, Any]:
    config = session.config
    activations = [layer.activation for layer in config.layers]
    return {
        "activation": activations[0] if len(set(activations)) == 1 else (activations or "relu"),
        "alpha": config.l2,
        "batch_size": config.batch_size,
        "dtype": "float32",
        "early_stopping": config.stop.patience is not None,
        "features": [representation(config.features, session.data.standardize).get_config()],
        "hidden": [layer.neurons for layer in config.layers],
        "loss": "bce" if session.data.task == "classification" else "mse",
        "lr": config.lr,
        "max_epochs": max(1, config.stop.max_epochs or session.epoch or 1),
        "n_iter_no_change": config.stop.patience or 10,
        "optimizer": "sgd" if config.optimizer == "momentum" else config.optimizer,
        "random_state": config.init_seed,
        "tol": 0.0001,
        "validation_fraction": config.test_ratio,
        "verbose": 0,
        "warm_start": False,
        **({"class_weight": None, "threshold": 0.5} if session.data.task == "classification" else {}),
    }


def export_metadata(session: Any) -> dict[str, Any]:
    """The JSON metadata of :func:`export_model` (see the module docstring for the layout).

    Parameters
    ----------
    session : playground.session.Session

    Returns
    -------
    dict
    """
    data, config = session.data, session.config
    metadata: dict[str, Any] = {
        "kind": "estimator",
        "estimator": "BinaryClassifier" if data.task == "classification" else "Regressor",
        "params": _params(session),
        "architecture": session.model.get_config(),
        "representation": session.features.get_config(),
        "n_features_in": 2,
        # Names only for a table, as scikit-learn does: built-in data are plain arrays.
        "feature_names_in": list(data.column_names) if config.dataset == "csv" else None,
        "target_name": data.target_name,
        "schema": None,
        "history": session.history.to_dict(),
        "stop_reason": session.reason or f"exported from the playground at epoch {session.epoch}",
        "n_iter": int(session.epoch),
        "playground": {
            "config": config.model_dump(exclude={"csv"}),
            "data": {
                "dataset": config.dataset,
                "columns": list(data.column_names),
                "target": data.target_name,
            },
        },
    }
    if data.task == "classification":
        labels = data.classes if data.classes is not None else [0.0, 1.0]
        values = [v.item() if isinstance(v, np.generic) else v for v in labels]
        metadata["classes"] = {"values": values, "dtype": np.asarray(values).dtype.str}
    else:
        metadata["target_scaling"] = {"mean": 0.0, "scale": 1.0}
    return metadata


def export_model(session: Any) -> bytes:
    """The trained network of ``session`` as the bytes of a descenso model file.

    Parameters
    ----------
    session : playground.session.Session

    Returns
    -------
    bytes
        A safetensors file with descenso's metadata, as
        :func:`descenso.serialize.write_model_file` writes it.
    """
    from descenso.serialize import write_model_file

    arrays = {f"model.{k}": v for k, v in session.model.state_dict().items()}
    arrays.update({f"representation.{k}": v for k, v in session.features.state_dict().items()})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.descenso"
        write_model_file(path, arrays, export_metadata(session))
        return path.read_bytes()


def _closest_features(chosen: list[str], standardize: bool) -> list[str]:
    """The CLI's named representation steps closest to the playground's columns."""
    steps = ["standardize"] if standardize else []
    if "r" in chosen or "theta" in chosen:
        steps.append("polar")
    if any(name in chosen for name in ("x1^2", "x2^2", "x1*x2")):
        steps.append("polynomial")
    return steps


def train_command(session: Any, filename: str) -> str:
    """The ``descenso train`` command line closest to this run, with notes on what differs.

    The CLI names whole representation steps (``polar`` gives r, θ, sin θ and cos θ),
    one activation for all layers, and no L1 penalty; the notes say where the run used
    more than the flags can say. The exported file holds the exact network.

    Parameters
    ----------
    session : playground.session.Session
    filename : str
        The exported file's name, for the note.

    Returns
    -------
    str
        The command, a newline, and a ``#`` comment with the notes.
    """
    config, data = session.config, session.data
    if config.dataset == "csv":
        assert config.csv is not None
        source = f"{session.csv_name or 'data.csv'} --target {config.csv.target}"
    else:
        source = f"--dataset {config.dataset} --samples {config.points} --noise {config.noise:g}"
    activations = {layer.activation for layer in config.layers} or {"relu"}
    parts = [
        f"descenso train {source}",
        f"--task {'binary' if data.task == 'classification' else 'regression'}",
        f"--hidden {','.join(str(layer.neurons) for layer in config.layers) or 'none'}",
        f"--activation {sorted(activations)[0] if len(activations) == 1 else config.layers[0].activation}",
        f"--optimizer {'sgd' if config.optimizer == 'momentum' else config.optimizer}",
        f"--lr {config.lr:g}",
        f"--batch-size {config.batch_size}",
        f"--epochs {max(session.epoch, 1)}",
        f"--alpha {config.l2:g}",
        (
            f"--early-stopping --patience {config.stop.patience}"
            if config.stop.patience
            else "--no-early-stopping"
        ),
        f"--test-fraction {config.test_ratio:g}",
        f"--seed {config.init_seed}",
    ]
    steps = _closest_features(config.features, data.standardize)
    if steps:
        parts.append(f"--features {','.join(steps)}")
    notes = [f"the playground's inputs were {', '.join(config.features)}"]
    if config.dataset == "csv":
        notes.append(f"it used only the columns {config.csv.x1 if config.csv else ''}, "
                     f"{config.csv.x2 if config.csv else ''}")  # fmt: skip
    if len(activations) > 1:
        notes.append("activations per layer: " + ", ".join(layer.activation for layer in config.layers))
    if config.optimizer == "momentum":
        notes.append("SGD with momentum 0.9")
    if config.l1:
        notes.append(f"L1 penalty {config.l1:g}")
    note = "# closest command; " + "; ".join(notes) + f". The exact network is in {filename}"
    return " ".join(parts) + "\n" + note


def python_snippet(session: Any, filename: str) -> str:
    """A Python snippet that loads the exported file with ``descenso.load`` and predicts.

    Parameters
    ----------
    session : playground.session.Session
    filename : str

    Returns
    -------
    str
    """
    names = session.data.column_names
    method = "predict_proba(X)[:, 1]" if session.data.task == "classification" else "predict(X)"
    kind = "BinaryClassifier" if session.data.task == "classification" else "Regressor"
    if session.config.dataset == "csv":
        rows = ", ".join(f"{name!r}: [0.0]" for name in names)
        data = f"import pandas as pd\n\nX = pd.DataFrame({{{rows}}})  # the training columns\n"
    else:
        data = "X = np.array([[0.5, -0.25]], dtype=np.float32)  # columns x1, x2\n"
    return (
        "import numpy as np\n"
        "import descenso as ds\n\n"
        f"model = ds.load({filename!r})  # a {kind}\n"
        f"{data}"
        f"print(model.{method})\n"
    )


@dataclass
class SavedModel:
    """A model file opened for the playground."""

    task: str
    model: Any
    transform: Any
    config: dict[str, Any] | None
    summary: str


def _fold_target_scaling(model: Any, scaling: dict[str, Any]) -> None:
    """Make the last Linear layer predict ``y`` itself: ``W' = s W``, ``b' = s b + m``."""
    mean, scale = scaling.get("mean"), scaling.get("scale")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (mean, scale)):
        raise ValueError(f"target_scaling must hold a finite mean and scale; got {scaling}")
    last = model.layers[-1]
    last.weight.data[...] *= scale
    last.bias.data[...] = last.bias.data * scale + mean


def open_model(body: bytes, name: str) -> SavedModel:
    """Read an uploaded model file and rebuild its network and representation.

    Parameters
    ----------
    body : bytes
        The file's contents; read by :func:`descenso.serialize.read_model_file`.
    name : str
        The file's name, for messages.

    Returns
    -------
    SavedModel
        The task, the network (a regressor's target scaling folded into its last layer),
        the fitted representation, the playground settings if the playground wrote it, and
        a one-line summary.

    Raises
    ------
    ProtocolError
        For a file that is too large, not a valid model file, or whose model does not take
        exactly two input features.
    """
    from descenso import features, nn
    from descenso.estimators.loading import check_declared_weights
    from descenso.serialize import ModelFileError, read_model_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.descenso"
        path.write_bytes(body)
        try:
            arrays, meta = read_model_file(path, max_bytes=MAX_UPLOAD_BYTES)
        except ModelFileError as error:
            raise ProtocolError(f"{name}: {error.problem}") from None
    try:
        if meta.get("n_features_in") != 2:
            raise ValueError(
                f"the model takes {meta.get('n_features_in')} input features; the playground draws 2"
            )
        weights = {k[len("model.") :]: v for k, v in arrays.items() if k.startswith("model.")}
        check_declared_weights(meta["architecture"], weights)  # before building: forged widths cost nothing
        model = nn.from_config(meta["architecture"])
        model.load_state_dict(weights)
        state = {k[len("representation.") :]: v for k, v in arrays.items() if k.startswith("representation.")}
        transform = features.from_config(meta["representation"], state)
        if meta.get("target_scaling"):
            _fold_target_scaling(model, meta["target_scaling"])
        for p in model.parameters():
            if not np.isfinite(p.data).all():
                raise ValueError("the weights hold NaN or infinity")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, MemoryError, OverflowError) as error:
        raise ProtocolError(
            f"{name} is not a 2-feature descenso model the playground can open: {error!s:.300}"
        ) from None
    task = (
        "classification" if meta.get("estimator") == "BinaryClassifier" or "classes" in meta else "regression"
    )
    saved = meta.get("playground", {}).get("config") if isinstance(meta.get("playground"), dict) else None
    hidden = list(getattr(model, "hidden", []))
    if saved is None and (len(hidden) > MAX_LAYERS or any(h > MAX_NEURONS for h in hidden)):
        raise ProtocolError(f"{name}: the network {hidden} is larger than the playground draws "
                            f"(at most {MAX_LAYERS} layers of {MAX_NEURONS} neurons)")  # fmt: skip
    summary = " → ".join(str(n) for n in [2, *hidden, 1]) + f" ({meta.get('estimator', 'network')})"
    return SavedModel(task, model, transform, saved, summary)


def layers_of(model: Any) -> list[dict[str, Any]]:
    """The page's layer list for an MLP: width and activation name per hidden layer.

    Parameters
    ----------
    model : nn.MLP

    Returns
    -------
    list of dict
        ``{"neurons", "activation"}``; activations the page lacks are shown as relu.
    """
    config = model.get_config()
    activation = config.get("activation", "relu")
    names = activation if isinstance(activation, list) else [activation] * len(config.get("hidden", []))
    return [{"neurons": int(width), "activation": a if a in ACTIVATIONS else "relu"}
            for width, a in zip(config.get("hidden", []), names, strict=True)]  # fmt: skip
