"""Packing parameters into one contiguous buffer so an optimizer updates them all at once.

After packing, each ``p.data`` is a view into one flat array and each ``p.grad``
a view into one flat, zero-initialised gradient array. The engine accumulates
into an existing ``.grad`` in place (``+=``), so backward writes straight into
the flat gradient, and an update rule runs as a handful of NumPy calls over
the whole parameter vector instead of a Python loop over layers.
"""

from __future__ import annotations

import operator
from typing import Sequence

import numpy as np

from descenso.backend import array_module, like
from descenso.tensor import Tensor


class FlatParameters:
    """Own the flat value and gradient buffers of ``params`` (which must share one dtype).

    Parameters
    ----------
    params : sequence of Tensor
        Leaf tensors; their current values (and gradients, if any) are copied in.

    Attributes
    ----------
    data, grad : numpy.ndarray
        The flat buffers, 1-D, of the parameters' dtype.

    Examples
    --------
    >>> import descenso as ds
    >>> a, b = ds.tensor([1.0, 2.0], requires_grad=True), ds.tensor([[3.0]], requires_grad=True)
    >>> flat = FlatParameters([a, b])
    >>> flat.data
    array([1., 2., 3.], dtype=float32)
    >>> b.data[0, 0] = 5.0
    >>> flat.data
    array([1., 2., 5.], dtype=float32)
    """

    def __init__(self, params: Sequence[Tensor]) -> None:
        dtype = params[0].dtype
        assert all(p.dtype == dtype for p in params), "packing needs one dtype"
        self.shapes = [p.shape for p in params]
        self.offsets = np.cumsum([0] + [p.size for p in params]).tolist()
        total = self.offsets[-1]
        xp = array_module(params[0].data)  # the buffers live where the parameters do
        self.data = xp.empty(total, dtype=dtype)
        self.grad = xp.zeros(total, dtype=dtype)
        self.data_views = self.views(self.data)
        self.grad_views = self.views(self.grad)
        self.params = list(params)
        for p, data, grad in zip(self.params, self.data_views, self.grad_views, strict=True):
            data[...] = like(p.data, data)
            if p.grad is not None:
                grad[...] = like(p.grad, grad)
            p.data, p.grad = data, grad

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """One view of ``flat`` per parameter, with that parameter's shape."""
        return [
            flat[start:stop].reshape(shape)
            for start, stop, shape in zip(self.offsets[:-1], self.offsets[1:], self.shapes, strict=True)
        ]

    def holds_data(self) -> bool:
        """Whether every parameter's ``.data`` is still a view of :attr:`data` (none replaced)."""
        return all(map(operator.is_, map(_DATA, self.params), self.data_views))

    def holds_gradients(self) -> bool:
        """Whether every parameter's ``.grad`` is still a view of :attr:`grad` (none replaced)."""
        return all(map(operator.is_, map(_GRAD, self.params), self.grad_views))

    def sync(self, owner: str) -> None:
        """Check that every ``p.data`` is still our view; re-attach any ``p.grad`` that was replaced.

        Raises
        ------
        RuntimeError
            If a parameter's ``.data`` was replaced by another array (the update
            would be lost on it).
        """
        if self.holds_data() and self.holds_gradients():
            return  # the usual case, checked in C: it runs once or twice every step
        for i, (p, data, grad) in enumerate(zip(self.params, self.data_views, self.grad_views, strict=True)):
            if p.data is not data:
                raise RuntimeError(
                    f"{owner}: parameter {i} (shape {p.shape}) no longer uses this optimizer's memory: "
                    "its .data was replaced by a new array (e.g. `p.data = ...`, or another optimizer "
                    "was created for the same parameters). Fix: change values in place "
                    "(`p.data[...] = values` or model.load_state_dict(...)), or create the optimizer again"
                )
            if p.grad is not grad:
                # A gradient set to None (Tensor.zero_grad) or replaced: copy it back into the buffer.
                if p.grad is None:
                    grad.fill(0)
                else:
                    grad[...] = p.grad
                p.grad = grad


_DATA, _GRAD = operator.attrgetter("data"), operator.attrgetter("grad")
