"""The playground's messages: what the page may send, checked before any work is done.

Every WebSocket message is one JSON object with a ``type``. :func:`parse_message`
checks its size, its type and every field's kind and range, and returns a typed
object or raises :class:`ProtocolError` with a sentence the page shows as is.
The limits below bound the memory and time one browser tab can ask for.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from descenso.playground.presets import PRESET_NAMES

MAX_MESSAGE_BYTES = 16_384
MAX_LAYERS = 6
MAX_NEURONS = 16
MIN_POINTS, MAX_POINTS = 20, 2000
MAX_CSV_ROWS = 5000
MAX_UPLOAD_BYTES = 2_000_000
MAX_SESSIONS = 8
MAX_EPOCHS = 100_000
MAX_SEED = 2**31 - 1

CLASSIFICATION_DATASETS = ("spirals", "circles", "xor", "moons", "blobs")
REGRESSION_DATASETS = ("plane", "sine", "ring")
Feature = Literal["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "r", "theta"]
FEATURES: tuple[Feature, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "r", "theta")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")

Activation = Literal["relu", "tanh", "sigmoid", "leaky_relu", "identity"]


class ProtocolError(ValueError):
    """A message from the page that the server refuses; ``str()`` is the sentence to show."""


class _Strict(BaseModel):
    # Unknown keys are refused so a typo in a field name is an error, not a silent default.
    model_config = ConfigDict(extra="forbid", strict=True)


class Layer(_Strict):
    """One hidden layer: its width and its activation."""

    neurons: int = Field(ge=1, le=MAX_NEURONS)
    activation: Activation = "relu"


class StopRules(_Strict):
    """The library's stopping criteria; ``None`` switches a rule off."""

    target_loss: float | None = Field(default=None, gt=0.0, le=1e6)
    patience: int | None = Field(default=None, ge=1, le=10_000)
    max_epochs: int | None = Field(default=None, ge=1, le=MAX_EPOCHS)


class CsvChoice(_Strict):
    """An uploaded CSV file (by its token) and the columns to use."""

    token: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    x1: str = Field(min_length=1, max_length=200)
    x2: str = Field(min_length=1, max_length=200)
    target: str = Field(min_length=1, max_length=200)


class Config(_Strict):
    """Everything that defines a run: data, representation, network, optimiser, seeds, stop rules.

    Examples
    --------
    >>> Config(dataset="circles", features=["r", "theta"]).layers[0].neurons
    4
    """

    task: Literal["classification", "regression"] = "classification"
    dataset: str = "circles"
    csv: CsvChoice | None = None
    noise: float = Field(default=0.1, ge=0.0, le=1.0)
    points: int = Field(default=400, ge=MIN_POINTS, le=MAX_POINTS)
    test_ratio: float = Field(default=0.5, ge=0.1, le=0.9)
    data_seed: int = Field(default=1, ge=0, le=MAX_SEED)
    features: list[Feature] = Field(default_factory=lambda: list(FEATURES[:2]), min_length=1, max_length=9)
    layers: list[Layer] = Field(
        default_factory=lambda: [Layer(neurons=4), Layer(neurons=2)], max_length=MAX_LAYERS
    )
    optimizer: Literal["sgd", "momentum", "adam", "rmsprop"] = "adam"
    lr: float = Field(default=0.03, gt=0.0, le=1e4)
    batch_size: int = Field(default=16, ge=1, le=MAX_CSV_ROWS)
    l1: float = Field(default=0.0, ge=0.0, le=10.0)
    l2: float = Field(default=0.0, ge=0.0, le=10.0)
    init_seed: int = Field(default=1, ge=0, le=MAX_SEED)
    stop: StopRules = Field(default_factory=StopRules)

    @field_validator("features")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each input feature may be chosen once")
        return value

    @model_validator(mode="after")
    def _dataset_fits_task(self) -> Config:
        if self.dataset == "csv":
            if self.csv is None:
                raise ValueError("dataset 'csv' needs the 'csv' field: upload a file first")
            return self
        allowed = CLASSIFICATION_DATASETS if self.task == "classification" else REGRESSION_DATASETS
        if self.dataset not in allowed:
            raise ValueError(
                f"dataset {self.dataset!r} is not a {self.task} dataset; choose one of {allowed}"
            )
        return self


class Settings(_Strict):
    """Hyperparameters that change while training, without a reset."""

    lr: float | None = Field(default=None, gt=0.0, le=1e4)
    batch_size: int | None = Field(default=None, ge=1, le=MAX_CSV_ROWS)
    l1: float | None = Field(default=None, ge=0.0, le=10.0)
    l2: float | None = Field(default=None, ge=0.0, le=10.0)
    stop: StopRules | None = None


class ConfigMessage(_Strict):
    """``{"type": "config", "config": {...}}``: start a new run with these settings (paused)."""

    type: Literal["config"]
    config: Config


class SetMessage(_Strict):
    """``{"type": "set", "settings": {...}}``: change hyperparameters of the running session."""

    type: Literal["set"]
    settings: Settings


class ControlMessage(_Strict):
    """``play``, ``pause``, ``step`` (one mini-batch), ``reset`` (same weights), ``reinit``, ``export``."""

    type: Literal["play", "pause", "step", "reset", "reinit", "export"]


class PresetMessage(_Strict):
    """``{"type": "preset", "name": ...}``: start the run of one of :mod:`descenso.playground.presets`."""

    type: Literal["preset"]
    name: str = Field(min_length=1, max_length=64)

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in PRESET_NAMES:
            raise ValueError(f"unknown preset {value!r}; choose one of {', '.join(PRESET_NAMES)}")
        return value


class LoadModelMessage(_Strict):
    """``{"type": "load_model", "token": ...}``: show a model file uploaded to ``/api/model``."""

    type: Literal["load_model"]
    token: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


Message = Annotated[
    ConfigMessage | SetMessage | ControlMessage | PresetMessage | LoadModelMessage,
    Field(discriminator="type"),
]
_MESSAGE = TypeAdapter(Message)
_TYPES = ("config", "set", "play", "pause", "step", "reset", "reinit", "export", "preset", "load_model")


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"][1:])  # [0] is the message type
    got = json.dumps(first.get("input"))[:60] if "input" in first else "nothing"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where or 'message'}: {message} (got {got})"


def parse_message(text: str | bytes) -> Message:
    """Validate one WebSocket message and return it as a typed object.

    Parameters
    ----------
    text : str or bytes
        The raw message, a JSON object with a ``type`` field.

    Returns
    -------
    ConfigMessage, SetMessage, ControlMessage, PresetMessage or LoadModelMessage

    Raises
    ------
    ProtocolError
        If the message is too long, not JSON, of an unknown type, or a field is
        of the wrong kind or out of range. The text names the field and the limit.

    Examples
    --------
    >>> parse_message('{"type": "set", "settings": {"lr": 0.1}}').settings.lr
    0.1
    >>> try:
    ...     parse_message('{"type": "config", "config": {"layers": [{"neurons": 99}]}}')
    ... except ProtocolError as error:
    ...     print(error)
    config.layers.0.neurons: Input should be less than or equal to 16 (got 99)
    """
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(text)} bytes refused; the limit is {MAX_MESSAGE_BYTES} bytes")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProtocolError(f"message is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("type") not in _TYPES:
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ProtocolError(f"unknown message type {kind!r}; expected one of {', '.join(_TYPES)}")
    try:
        return _MESSAGE.validate_python(data)
    except ValidationError as error:
        raise ProtocolError(_describe(error)) from None
