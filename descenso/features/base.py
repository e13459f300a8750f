"""What every representation shares: the Transform contract, Pipeline, names and configs.

A representation is fitted on the training data only (``fit``), then applied to
any data (``transform``). It saves as two parts, like a model: a JSON-able
``get_config()`` (what it is) and ``state_dict()`` (the fitted numbers, NumPy
arrays). :func:`from_config` rebuilds it from both.
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any, ClassVar

import numpy as np

from descenso.features.columns import parse_step, resolve_columns, split_steps

__all__ = [
    "NotFittedError",
    "Transform",
    "Pipeline",
    "Identity",
    "from_config",
    "get",
    "check_array",
    "column_indices",
]

# type name -> class; filled by ``Transform.__init_subclass__`` as each family is defined.
_REGISTRY: dict[str, type[Transform]] = {}


class NotFittedError(ValueError, AttributeError):
    """Raised when ``transform`` is called before ``fit`` (scikit-learn's name and bases)."""


def check_array(X: Any, n_features: int | None = None, who: str = "transform") -> np.ndarray:
    """Validate a 2-D numeric array; float32/float64 keep their dtype, other numbers become float32.

    Raises
    ------
    TypeError
        For non-numeric data.
    ValueError
        For a wrong number of dimensions or columns, or NaN/inf values (naming the column).
    """
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(
            f"{who}: expected a numeric array; got dtype {X.dtype}. "
            "Use descenso.data.read to encode text columns"
        )
    if X.ndim != 2:
        raise ValueError(
            f"{who}: expected a 2-D array (samples, features); got shape {X.shape}. "
            "For one feature use X.reshape(-1, 1)"
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float32)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"{who}: X has {X.shape[1]} columns but this transform was fitted on {n_features}; "
            "pass data with the same columns as the training data"
        )
    bad = ~np.isfinite(X)
    if bad.any():
        column = int(np.argmax(bad.any(axis=0)))
        raise ValueError(
            f"{who}: X holds {int(bad.sum())} NaN/inf values (first in column {column}, "
            f"{int(bad[:, column].sum())} rows); fill or drop them first, "
            "e.g. descenso.data.read(..., missing='mean')"
        )
    return X


def column_indices(columns: list[Any] | None, n_features: int, who: str) -> list[int]:
    """The chosen columns as indices in ``[0, n_features)``: all of them when ``columns`` is None.

    Parameters
    ----------
    columns : list of int or None
        Column indices; negative ones count from the end, as in NumPy.
    n_features : int
        The number of columns of X.
    who : str
        The transform's name, for the error message.

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        For an index X does not have.

    Examples
    --------
    >>> column_indices([0, -1], 3, "Log"), column_indices(None, 2, "Log")
    ([0, 2], [0, 1])
    """
    if columns is None:
        return list(range(n_features))
    if any(c >= n_features or c < -n_features for c in columns):
        raise ValueError(f"{who}: columns {columns} do not exist in X with {n_features} columns")
    return [c % n_features for c in columns]


class Transform:
    """Base class of every representation: ``fit`` on training data, ``transform`` any data.

    Subclasses set ``name`` (the string for :func:`get` and configs), list their fitted
    arrays in ``state_names`` (stored as attributes with a trailing ``_``), and implement
    ``_fit``, ``_transform``, ``get_params`` and ``get_feature_names_out``.

    Attributes
    ----------
    n_features_in_ : int
        The number of columns seen in ``fit``.
    """

    name: ClassVar[str] = ""
    state_names: ClassVar[tuple[str, ...]] = ()
    n_features_in_: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            _REGISTRY[cls.name] = cls

    # ------------------------------------------------------------- public contract
    def fit(self, X: Any, y: Any = None, input_names: list[str] | None = None) -> Transform:
        """Learn the transform's state from training data ``X`` (shape ``(n, d)``); return self.

        ``input_names`` (the names of X's columns) lets a step be told its columns by name;
        the names are resolved to indices here, so the fitted step (and its config) holds indices.
        """
        X = check_array(X, who=f"{type(self).__name__}.fit")
        self._use_names(input_names, X.shape[1])
        self._fit(X)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Apply the fitted transform; float32 in, float32 out."""
        if not self.is_fitted:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X_train) first "
                "(fit on the training data only)"
            )
        X = check_array(X, self.n_features_in_, who=f"{type(self).__name__}.transform")
        return self._transform(X)

    def fit_transform(self, X: Any, y: Any = None, input_names: list[str] | None = None) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X, input_names=input_names).transform(X)

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` (or :func:`from_config` with a state) has run."""
        return hasattr(self, "n_features_in_")

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, JSON-able."""
        return {}

    def get_config(self) -> dict[str, Any]:
        """JSON-able description: ``{"type": name, **params}`` plus ``n_features_in`` once fitted."""
        config: dict[str, Any] = {"type": self.name, **self.get_params()}
        if self.is_fitted:
            config["n_features_in"] = int(self.n_features_in_)
        return config

    def state_dict(self) -> dict[str, np.ndarray]:
        """The fitted arrays (copies), by name."""
        return {key: np.array(getattr(self, key + "_"), copy=True) for key in self.state_names}

    def load_state_dict(self, state: dict[str, np.ndarray], n_features_in: int) -> None:
        """Restore fitted arrays saved by :meth:`state_dict`."""
        missing = [key for key in self.state_names if key not in state]
        if missing:
            raise ValueError(
                f"{type(self).__name__}: the saved state lacks {', '.join(missing)}; "
                f"it has {', '.join(state) or 'nothing'}. Save with state_dict() and pass it back"
            )
        for key in self.state_names:
            setattr(self, key + "_", np.array(state[key], copy=True))
        self.n_features_in_ = int(n_features_in)

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        """Names of the output columns (inputs default to ``x1 ... xd``)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------- for subclasses
    def _use_names(self, input_names: list[str] | None, n_features: int) -> None:
        """Turn column names in ``self.columns`` into indices (steps without columns have none)."""
        columns = getattr(self, "columns", None)
        if columns is not None and any(isinstance(column, str) for column in columns):
            setattr(self, "columns", resolve_columns(columns, input_names, type(self).__name__))  # noqa: B010

    def _fit(self, X: np.ndarray) -> None:
        """Compute the state; the default has none."""

    def _transform(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _input_names(self, input_names: list[str] | None) -> list[str]:
        if input_names is None:
            return [f"x{i + 1}" for i in range(self.n_features_in_)]
        return list(input_names)


class Identity(Transform):
    """The raw data, unchanged (the ``"raw"`` representation).

    Examples
    --------
    >>> Identity().fit_transform(np.ones((1, 2), dtype=np.float32))
    array([[1., 1.]], dtype=float32)
    """

    name = "identity"

    def _transform(self, X: np.ndarray) -> np.ndarray:
        return X

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        return self._input_names(input_names)


class Pipeline(Transform):
    """Transforms applied one after the other; each is fitted on the previous one's output.

    Parameters
    ----------
    steps : list of Transform or str
        The transforms, or names for :func:`get`.

    Examples
    --------
    >>> from descenso import features
    >>> pipe = features.Pipeline(["polar", "standardize"])
    >>> pipe.fit_transform(np.array([[1, 0], [0, 2], [-3, 0]], dtype=np.float32)).shape
    (3, 4)
    >>> [step["type"] for step in pipe.get_config()["steps"]]
    ['polar', 'standardize']
    """

    name = "pipeline"

    def __init__(self, steps: list[Any]) -> None:
        if not isinstance(steps, (list, tuple)) or not steps:
            raise ValueError(f"Pipeline needs a non-empty list of transforms; got {steps!r}")
        self.steps = [get(step) for step in steps]

    def fit(self, X: Any, y: Any = None, input_names: list[str] | None = None) -> Pipeline:
        X = check_array(X, who="Pipeline.fit")
        self.n_features_in_ = X.shape[1]
        names = None if input_names is None else list(input_names)
        for step in self.steps:
            X = step.fit(X, input_names=names).transform(X)
            names = None if names is None else step.get_feature_names_out(names)  # the next step's inputs
        return self

    def _transform(self, X: np.ndarray) -> np.ndarray:
        for step in self.steps:
            X = step.transform(X)
        return X

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"type": self.name, "steps": [step.get_config() for step in self.steps]}
        if self.is_fitted:
            config["n_features_in"] = int(self.n_features_in_)
        return config

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every step's state, keys prefixed by the step's index (``"0.mean"``)."""
        return {
            f"{i}.{key}": value
            for i, step in enumerate(self.steps)
            for key, value in step.state_dict().items()
        }

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        for step in self.steps:
            names = step.get_feature_names_out(names)
        return names

    def __repr__(self) -> str:
        return f"Pipeline({self.steps!r})"


def _step_state(state: dict[str, np.ndarray], index: int) -> dict[str, np.ndarray]:
    prefix = f"{index}."
    return {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}


def from_config(config: dict[str, Any], state: dict[str, np.ndarray] | None = None) -> Transform:
    """Rebuild a transform from ``get_config()`` and, if it was fitted, its ``state_dict()``.

    Parameters
    ----------
    config : dict
        As returned by ``get_config()`` (after a JSON round trip, too).
    state : dict of str to numpy.ndarray, optional
        As returned by ``state_dict()``. Needed when the config says it was fitted
        (it has ``n_features_in``) and the transform has fitted arrays.

    Returns
    -------
    Transform
        Fitted if the config was.

    Raises
    ------
    ValueError
        For an unknown ``type``, bad parameters or a state that lacks an array.

    Examples
    --------
    >>> from descenso import features
    >>> X = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    >>> scaler = features.Standardize().fit(X)
    >>> again = features.from_config(scaler.get_config(), scaler.state_dict())
    >>> bool(np.array_equal(again.transform(X), scaler.transform(X)))
    True
    """
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"a transform config is a dict with a 'type' key; got {config!r}")
    params = {key: value for key, value in config.items() if key not in ("type", "n_features_in")}
    kind = config["type"]
    if kind not in _REGISTRY:
        raise ValueError(f"unknown transform type {kind!r}; known types are: {', '.join(sorted(_REGISTRY))}")
    state = dict(state or {})
    if kind == "pipeline":
        steps = [from_config(step, _step_state(state, i)) for i, step in enumerate(params.get("steps", []))]
        transform: Transform = Pipeline(steps)
    else:
        try:
            transform = _REGISTRY[kind](**params)
        except TypeError as error:
            raise ValueError(f"bad parameters for transform {kind!r}: {error}") from None
    if "n_features_in" in config:
        if kind == "pipeline":
            transform.n_features_in_ = int(config["n_features_in"])
        else:
            transform.load_state_dict(state, int(config["n_features_in"]))
    return transform


_ALIASES = {"raw": "identity", "none": "identity", "standardise": "standardize", "poly": "polynomial"}


def get(spec: Any, **kwargs: Any) -> Transform:
    """A transform from a name, a comma-separated list of names, a list, or a Transform.

    Parameters
    ----------
    spec : str, list or Transform
        ``"standardize"``, ``"minmax"``, ``"polar"``, ``"radial"``, ``"polynomial"``, ``"onehot"``,
        ``"log"``, ``"raw"``; a step that takes columns can name them, ``"polar(x,y)"`` or
        ``"log(price,area)"`` (names or indices); ``"polar(x,y),standardize"`` or a list gives
        a :class:`Pipeline`; a Transform is returned as is.
    **kwargs
        Constructor arguments for a single named transform, e.g. ``get("polynomial", degree=3)``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the names).
    TypeError
        For anything else.

    Examples
    --------
    >>> from descenso import features
    >>> features.get("polar")
    Polar(columns=None, center=None)
    >>> features.get("polar(bill_length_mm,bill_depth_mm),standardize")
    Pipeline([Polar(columns=['bill_length_mm', 'bill_depth_mm'], center=None), Standardize()])
    """
    if isinstance(spec, Transform):
        return spec
    if isinstance(spec, (list, tuple)):
        return Pipeline(list(spec))
    if not isinstance(spec, str):
        raise TypeError(
            f"a representation is a name, a list of names or a Transform; got {type(spec).__name__}"
        )
    names = split_steps(spec)
    if len(names) > 1:
        return Pipeline(names)
    name, columns = parse_step(names[0]) if names else ("", None)
    key = _ALIASES.get(name, name)
    if key not in _REGISTRY or key == "pipeline":
        known = sorted({*(k for k in _REGISTRY if k != "pipeline"), "raw"})
        close = difflib.get_close_matches(name, known, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown representation {spec!r}{guess}; choose from: {', '.join(known)}")
    if columns is not None:
        if "columns" not in inspect.signature(_REGISTRY[key]).parameters:
            raise ValueError(f"the step {key!r} takes no columns; write {key!r} alone")
        kwargs = {**kwargs, "columns": columns}
    try:
        return _REGISTRY[key](**kwargs)
    except TypeError as error:
        raise TypeError(f"features.get({spec!r}): {error}; e.g. features.Expression(['x1*x2'])") from None
