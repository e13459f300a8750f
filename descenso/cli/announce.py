"""What ``descenso train`` says about the way the data goes into the network.

Nothing happens to the columns without a word: text columns are one-hot encoded (one 0/1 input per
category), and representation steps (``--features polar``) replace columns with new ones; the
command names both, so a user knows what the network's inputs are.
"""

from __future__ import annotations

from typing import Any

#: Categories named in the one-hot line before "...".
SHOWN = 5


def text_columns(X_train: Any, target: str) -> dict[str, list[Any]]:
    """The text (and categorical) input columns of a training table, each with its sorted categories.

    These are the columns the estimator one-hot encodes, with the categories it learns: the distinct
    values present in its training rows. An array (a built-in dataset) has none.

    Examples
    --------
    >>> import pandas as pd
    >>> from descenso.cli.announce import text_columns
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "city": ["Quito", None, "Lima"], "y": [0, 1, 0]})
    >>> text_columns(frame, "y")
    {'city': ['Lima', 'Quito']}
    """
    if not hasattr(X_train, "columns"):
        return {}
    found = {}
    for name in X_train.columns:
        column = X_train[name]
        text = column.dtype.kind in "OUS" or str(column.dtype) in ("category", "string")
        if name == target or not text:
            continue
        found[str(name)] = sorted({str(v) for v in column.dropna().tolist()})
    return found


def encoding_line(columns: dict[str, list[Any]]) -> str | None:
    """One line naming the one-hot encoded columns and their categories, or None for none.

    Examples
    --------
    >>> from descenso.cli.announce import encoding_line
    >>> print(encoding_line({"species": ["Adelie", "Chinstrap", "Gentoo"]}))  # doctest: +NORMALIZE_WHITESPACE
    one-hot encoding 1 text column into 3 inputs (one 0/1 input per category):
    species (3 categories: Adelie, Chinstrap, Gentoo)
    >>> encoding_line({}) is None
    True
    """
    if not columns:
        return None
    parts = []
    for name, categories in columns.items():
        shown = ", ".join(categories[:SHOWN]) + (", ..." if len(categories) > SHOWN else "")
        parts.append(f"{name} ({len(categories)} categories: {shown})")
    count = f"{len(columns)} text column{'s' if len(columns) > 1 else ''}"
    inputs = sum(len(categories) for categories in columns.values())
    return f"one-hot encoding {count} into {inputs} inputs (one 0/1 input per category): {'; '.join(parts)}"


def inputs_line(estimator: Any, steps: list[Any]) -> str | None:
    """After fitting: the names of the network's inputs that ``--features`` steps made, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from descenso import features
    >>> from descenso.cli.announce import inputs_line
    >>> fitted = features.Pipeline(["polar", "standardize"]).fit(np.ones((4, 2)) + np.eye(4, 2))
    >>> model = SimpleNamespace(representation_=fitted, _encoded_names=lambda: None)
    >>> print(inputs_line(model, ["polar"]))  # doctest: +NORMALIZE_WHITESPACE
    --features polar: the network's 4 inputs are r(x1,x2), angle(x1,x2), sin_angle(x1,x2),
    cos_angle(x1,x2) (then standardised)
    """
    if not steps:
        return None
    pipeline = estimator.representation_
    names = network_inputs(estimator)
    spec = ",".join(str(step) for step in steps)
    scaled = " (then standardised)" if len(pipeline.steps) > len(steps) else ""  # fit appended it
    return f"--features {spec}: the network's {len(names)} inputs are {', '.join(names)}{scaled}"


def network_inputs(estimator: Any) -> list[str]:
    """The names of a fitted estimator's network inputs: after one-hot encoding and the representation."""
    return [str(name) for name in estimator.representation_.get_feature_names_out(estimator._encoded_names())]
