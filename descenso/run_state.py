"""The state of a training run as plain data: what a checkpoint holds and what resuming restores.

:func:`descenso.train.fit` keeps its run in a :class:`RunState` (the model, the optimizer, the
random generator, the stopping criteria, the callbacks and the History) and walks the data with a
:class:`Position` (the epoch, the step in it, its permutation and the sums of its numbers so far).
:func:`capture` turns both into ``(arrays, document)``, named NumPy arrays plus a JSON-able dict,
and :func:`restore` puts them back, so that the continued run takes the same steps, bit for bit.
:func:`fingerprint` describes the data, the model and the settings, so a resume can refuse a
checkpoint made for another run. The functions are public so that other step loops (a multi-rank
run, say) can gather and restore the same state; :mod:`descenso.checkpoint` writes it to disk.

What is captured: the weights; the optimizer's ``state_dict()`` (moments, momentum, step count,
hyperparameters, learning rate); the generator's ``bit_generator.state``, and any generator a
module holds (``Dropout``); every criterion's attributes (``EarlyStopping``'s best weights and
patience counter, ...); the ``state_dict()`` of every callback that has one (a learning-rate
schedule, say); the History; the position in the epoch; and the seconds trained so far.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from descenso.backend import device_of, to_numpy

__all__ = ["Position", "RunState", "capture", "restore", "fingerprint", "differences", "describe_settings"]


@dataclasses.dataclass(slots=True)  # add() runs at every step: slots make it ~15 ns faster
class Position:
    """Where a run is: ``step`` steps into epoch ``epoch``, with that epoch's sums so far.

    ``step == 0`` means ``epoch`` epochs are complete and the next one starts afresh.

    Examples
    --------
    >>> at = Position()
    >>> at.new_epoch(None, ["accuracy"])
    >>> at.add(10, loss=0.5, objective=0.75, metrics=[0.9])
    >>> at.epoch, at.step, at.seen, at.loss_sum, at.metric_sums
    (1, 1, 10, 5.0, {'accuracy': 9.0})
    """

    epoch: int = 0
    step: int = 0
    order: np.ndarray | None = None
    seen: int = 0
    loss_sum: float = 0.0
    objective_sum: float = 0.0
    metric_sums: dict[str, float] = dataclasses.field(default_factory=dict)

    def new_epoch(self, order: np.ndarray | None, metric_names: Any) -> None:
        """Start the next epoch, visiting the rows in ``order`` (None: all rows, in place)."""
        self.epoch, self.step, self.order, self.seen = self.epoch + 1, 0, order, 0
        self.loss_sum, self.objective_sum = 0.0, 0.0
        self.metric_sums = dict.fromkeys(metric_names, 0.0)

    def add(self, size: int, loss: float, objective: float, metrics: Sequence[float]) -> None:
        """Count one step of ``size`` samples: its mean loss, objective and metric values.

        ``metrics`` holds one value per name given to :meth:`new_epoch`, in that order.
        """
        self.step += 1
        self.seen += size
        self.loss_sum += loss * size
        self.objective_sum += objective * size
        if metrics:  # most runs have none: no loop at every step
            sums = self.metric_sums
            for name, value in zip(sums, metrics, strict=True):  # values change, keys do not: no copy
                sums[name] += value * size

    def end_epoch(self) -> None:
        """The epoch is recorded: the next step starts a new one."""
        self.step, self.order = 0, None


@dataclasses.dataclass
class RunState:
    """Everything of a run that changes as it trains, besides its :class:`Position`."""

    model: Any
    optimizer: Any
    rng: np.random.Generator
    criteria: list[Any]
    callbacks: list[Any]
    history: Any
    started: float = dataclasses.field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Seconds trained, counting those before a resume."""
        return time.perf_counter() - self.started


# ---------------------------------------------------------------------------- capture and restore


def capture(run: RunState, at: Position) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The run and its position as ``(arrays, document)``: named arrays and a JSON-able dict.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.history import History
    >>> from descenso.nn import Linear
    >>> from descenso.optim import Adam
    >>> model = Linear(2, 1, rng=0)
    >>> run = RunState(model, Adam(model.parameters()), np.random.default_rng(0), [], [], History())
    >>> arrays, document = capture(run, Position())
    >>> sorted(arrays)[:3], document["position"]["epoch"]
    (['model.bias', 'model.weight', 'optimizer.exp_avg.0'], 0)
    """
    encoder = _Encoder()
    state = run.optimizer.state_dict() if hasattr(run.optimizer, "state_dict") else {}
    document = {
        "position": {
            field.name: encoder.encode(getattr(at, field.name), f"position.{field.name}.")
            for field in dataclasses.fields(at)
        },
        "elapsed": run.elapsed(),
        "rng": run.rng.bit_generator.state,
        "module_rngs": _module_rngs(run.model),
        "optimizer": encoder.encode({k: v for k, v in state.items() if k != "state"}, "optimizer."),
        "criteria": [encoder.encode(_attributes(c), f"criteria.{i}.") for i, c in enumerate(run.criteria)],
        "callbacks": [
            [type(c).__name__, encoder.encode(c.state_dict(), f"callbacks.{i}.")]
            for i, c in enumerate(_stateful(run.callbacks))
        ],
        "history": encoder.encode(_attributes(run.history), "history."),
    }
    arrays = {f"model.{name}": value for name, value in run.model.state_dict().items()}
    arrays |= {f"optimizer.{key}": value for key, value in state.get("state", {}).items()}
    return arrays | encoder.arrays, document


def restore(run: RunState, arrays: dict[str, np.ndarray], document: dict[str, Any]) -> Position:
    """Put what :func:`capture` returned back into ``run`` (in place); return the position."""
    decode = _Decoder(arrays).decode
    run.model.load_state_dict(_prefixed(arrays, "model."))
    if hasattr(run.optimizer, "load_state_dict"):
        run.optimizer.load_state_dict(
            decode(document["optimizer"]) | {"state": _prefixed(arrays, "optimizer.")}
        )
    run.rng.bit_generator.state = document["rng"]
    for index, attribute, state in document["module_rngs"]:
        getattr(run.model.modules()[index], attribute).bit_generator.state = state
    for criterion, attributes in zip(run.criteria, document["criteria"], strict=True):
        _load(criterion, decode(attributes))
    stateful = _stateful(run.callbacks)
    saved = [name for name, _ in document["callbacks"]]
    if saved != [type(c).__name__ for c in stateful]:
        raise ValueError(
            f"the checkpoint holds the state of the callbacks {saved}, but this run's callbacks with a "
            f"state_dict() are {[type(c).__name__ for c in stateful]}; pass the same callbacks to resume"
        )
    for callback, (_, state) in zip(stateful, document["callbacks"], strict=True):
        callback.load_state_dict(decode(state))
    _load(run.history, decode(document["history"]))
    run.started = time.perf_counter() - float(document["elapsed"])
    return Position(**{name: decode(value) for name, value in document["position"].items()})


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}


def _stateful(callbacks: list[Any]) -> list[Any]:
    """The callbacks whose state a checkpoint keeps: those with state_dict() and load_state_dict()."""
    return [c for c in callbacks if _has_state(c)]


def _has_state(obj: Any) -> bool:
    return callable(getattr(obj, "state_dict", None)) and callable(getattr(obj, "load_state_dict", None))


def _load(obj: Any, state: dict[str, Any]) -> None:
    if _has_state(obj):
        obj.load_state_dict(state)
    else:
        vars(obj).update(state)


def _attributes(obj: Any) -> dict[str, Any]:
    return obj.state_dict() if _has_state(obj) else dict(vars(obj))


def _module_rngs(model: Any) -> list[Any]:
    modules = model.modules() if callable(getattr(model, "modules", None)) else []
    return [
        [index, name, value.bit_generator.state]
        for index, module in enumerate(modules)
        for name, value in sorted(vars(module).items())
        if isinstance(value, np.random.Generator)
    ]


class _Encoder:
    """Plain values to JSON (exact: floats by repr, inf/NaN tagged); arrays set aside by name."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value: Any, name: str) -> Any:
        if device_of(value) != "cpu":  # a GPU array (e.g. a metric's sum so far, 0-d): a host copy
            value = to_numpy(value)[()]
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, np.ndarray):
            self.arrays[name] = value.copy()
            return {"$array": name}
        if isinstance(value, np.random.Generator):
            return {"$rng": value.bit_generator.state}
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, f"{name}{i}.") for i, v in enumerate(value)]
            return items if isinstance(value, list) else {"$tuple": items}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"$dict": {k: self.encode(v, f"{name}{k}.") for k, v in value.items()}}
        raise TypeError(
            f"cannot checkpoint {name.rstrip('.')!r}: a {type(value).__name__} is not plain data. "
            "Fix: give its class state_dict() and load_state_dict() methods that return and take plain "
            "values and NumPy arrays"
        )


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        ((tag, inner),) = value.items()
        if tag == "$float":
            return float(inner)
        if tag == "$array":
            return self.arrays[inner]
        if tag == "$rng":
            rng = np.random.default_rng()
            rng.bit_generator.state = inner
            return rng
        if tag == "$tuple":
            return tuple(self.decode(v) for v in inner)
        return {k: self.decode(v) for k, v in inner.items()}


# ---------------------------------------------------------------------------- what a run is for


def fingerprint(model: Any, data: tuple[Any, ...], settings: dict[str, Any]) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: the data's hash, the model's shape, the settings.

    Parameters
    ----------
    model : nn.Module
    data : tuple of arrays or None
        Everything trained and validated on (``X, y, sample_weight``, validation arrays).
    settings : dict
        JSON-able settings that change the steps taken (loss, optimizer, batch size, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> a = fingerprint(Linear(2, 1, rng=0), (np.zeros((3, 2)), np.zeros(3)), {"batch_size": 2})
    >>> b = fingerprint(Linear(2, 1, rng=0), (np.ones((3, 2)), np.zeros(3)), {"batch_size": 2})
    >>> differences(a, b)[0][:44]
    'other data: the training data hash is sha256'
    """
    digest = hashlib.sha256()
    for array in data:
        if array is None:
            digest.update(b"none;")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.data.cast("B"))
    shapes = [[name, list(p.shape), str(p.dtype)] for name, p in model.named_parameters()]
    return {"data": digest.hexdigest(), "model": shapes, "settings": settings}


def differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Sentences naming what differs between two fingerprints (empty when they match)."""
    out = []
    if saved.get("data") != current.get("data"):
        out.append(
            f"other data: the training data hash is sha256 {str(current.get('data'))[:12]}... now but "
            f"{str(saved.get('data'))[:12]}... in the checkpoint"
        )
    if saved.get("model") != current.get("model"):
        out.append(
            f"another model: parameters {_short(current.get('model'))} now, "
            f"{_short(saved.get('model'))} in the checkpoint"
        )
    old, new = saved.get("settings", {}), current.get("settings", {})
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            out.append(
                f"other settings: {key} is {_short(new.get(key))} now, "
                f"{_short(old.get(key))} in the checkpoint"
            )
    return out


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_settings(**settings: Any) -> dict[str, Any]:
    """Settings as JSON-able values for :func:`fingerprint` (objects by their ``repr``)."""
    return {
        k: [_plain(i) for i in v] if isinstance(v, (list, tuple)) else _plain(v) for k, v in settings.items()
    }


def _plain(value: Any) -> Any:
    """A value as JSON that is the same in every process (no memory addresses)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text
