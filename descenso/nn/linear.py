"""``Linear``: the affine layer ``y = x W^T + b``, PyTorch's weight layout."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso import backend
from descenso.backend import array_module
from descenso.creation import _dtype
from descenso.nn import init as initializers
from descenso.nn.module import Module, Parameter
from descenso.ops.arithmetic import linear
from descenso.ops.fused import linear_relu
from descenso.tensor import Tensor


def as_input(x: Any, weight: Tensor) -> Tensor:
    """``x`` as a Tensor of the weight's dtype and device; arrays are converted and moved, Tensors
    must already match (``linear`` names both devices when they differ).

    Raises
    ------
    TypeError
        For a Tensor of another dtype (converting it silently would hide an upcast or a
        loss of precision).
    """
    dtype = weight.dtype
    if isinstance(x, Tensor):
        if x.dtype != dtype:
            raise TypeError(
                f"input has dtype {x.dtype} but the layer's weights are {dtype}. "
                f"Fix: x.astype('{dtype}') or build the model with dtype='{x.dtype}'"
            )
        return x
    return Tensor(backend.like(array_module(x).asarray(x, dtype=dtype), weight.data))  # like Keras


class Linear(Module):
    """Fully connected layer ``y = x W^T + b``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output sample.
    bias : bool, default True
        Whether to learn an additive bias ``b`` (initialised to zero).
    init : {"he", "glorot", "he_uniform", "glorot_normal"} or callable, optional
        Weight initialiser ``f(shape, rng, dtype)``. ``None`` means "glorot";
        ``MLP`` passes "he" for layers followed by a ReLU-family activation.
    rng : None, int or numpy.random.Generator
        Source of the initial weights (None: fresh entropy, not reproducible).
    dtype : {"float32", "float64"}, default "float32"

    Attributes
    ----------
    weight : Parameter
        Shape ``(out_features, in_features)``, like PyTorch.
    bias : Parameter or None
        Shape ``(out_features,)``.

    Notes
    -----
    Forward is the fused op ``descenso.linear`` (one graph node). NumPy arrays
    given as input are converted to the layer's dtype and moved to its device;
    a Tensor of another dtype (or on another device) is refused.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.nn import Linear
    >>> layer = Linear(3, 2, rng=0)
    >>> layer.weight.shape, layer(ds.ones(4, 3)).shape
    ((2, 3), (4, 2))
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: Any = None,
        rng: Any = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive int; got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.init = "glorot" if init is None else init
        self.dtype = _dtype(dtype)
        make = initializers.get(self.init) if isinstance(self.init, str) else self.init
        if not callable(make):
            raise TypeError(f"Linear: init must be a name or a callable f(shape, rng, dtype); got {init!r}")
        shape = (self.out_features, self.in_features)
        self.weight = Parameter(make(shape, initializers.as_generator(rng), self.dtype), dtype=self.dtype)
        self.bias = Parameter(np.zeros(self.out_features, dtype=self.dtype)) if bias else None

    def forward(self, x: Any) -> Tensor:
        """``x @ weight.T + bias`` for ``x`` of shape ``(..., in_features)``."""
        return linear(as_input(x, self.weight), self.weight, self.bias)

    def _forward_relu(self, x: Any) -> Tensor:
        """``relu(self(x))`` as one fused node (what ``Sequential`` calls for ``Linear, ReLU``)."""
        return linear_relu(as_input(x, self.weight), self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )

    def get_config(self) -> dict[str, Any]:
        """``{"type": "Linear", "in_features", "out_features", "bias", "init", "dtype"}``."""
        init = self.init if isinstance(self.init, str) else None
        return {
            "type": "Linear",
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.bias is not None,
            "init": init,
            "dtype": str(self.dtype),
        }
