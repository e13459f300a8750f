"""The Tensor: an n-d array, its gradient, and the op that made it.

A Tensor made by an op remembers its parents and a ``backward`` closure that
maps the gradient of the output to one gradient per parent. ``Tensor.backward``
walks that graph once, in reverse topological order, and is the only place
where gradients are accumulated.
"""

from __future__ import annotations

import itertools
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from descenso.backend import _BY_TYPE, array_module, device_of, to_device
from descenso.grad_mode import _grad_state

BackwardFn = Callable[[np.ndarray], Sequence["np.ndarray | None"]]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Numbers the recorded nodes in creation order. An op's inputs always exist before its output, so
# visiting nodes from the highest number down is a topological order of any graph (see backward).
_node_numbers = itertools.count(1)


def _freed_backward(grad: np.ndarray) -> Sequence[np.ndarray | None]:
    raise RuntimeError(
        "backward() through a graph that was already freed: the first backward() "
        "released it. Pass retain_graph=True to the first call to backward twice."
    )


def _as_float_array(data: Any, dtype: Any) -> np.ndarray:
    """Convert user data to a float32/float64 array, refusing silent integer casts."""
    if isinstance(data, Tensor):
        data = data.data
    xp = array_module(data)  # a device array stays on its device
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in _FLOAT_DTYPES:
            raise TypeError(f"dtype must be float32 or float64; got {dtype}")
        return xp.asarray(data, dtype=dtype)
    if isinstance(data, np.ndarray) or isinstance(data, np.generic) or xp is not np:
        kind = data.dtype.kind
        if data.dtype in _FLOAT_DTYPES:
            return xp.asarray(data)
        if kind == "f":  # float16 or longdouble: no kernels we trust, use float32
            return xp.asarray(data, dtype=np.float32)
        if kind in "iub":
            raise TypeError(
                f"got an array of dtype {data.dtype}; descenso computes in floating point. "
                f"Convert on purpose, e.g. ds.tensor(x, dtype='float32')"
            )
        raise TypeError(f"cannot make a Tensor from an array of dtype {data.dtype}")
    try:
        array = np.asarray(data, dtype=np.float32)  # Python numbers and lists: float32
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"cannot make a Tensor from {type(data).__name__}: {error}. "
            "Pass numbers, nested lists of numbers or a float NumPy array"
        ) from None
    return array


class Tensor:
    """An n-d array (NumPy, or CuPy on a GPU) that can record the ops applied to it and differentiate them.

    Parameters
    ----------
    data : array_like
        Numbers, nested lists (become float32) or a float32/float64 NumPy or CuPy array
        (keeps its dtype and device). Integer arrays need an explicit ``dtype``.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for this tensor.
    dtype : {"float32", "float64"}, optional
        Convert ``data`` to this dtype.

    Attributes
    ----------
    data : numpy.ndarray or cupy.ndarray
        The values, on the tensor's device.
    grad : numpy.ndarray or cupy.ndarray or None
        The accumulated gradient of a leaf after ``backward()``; ``None`` before.
    requires_grad : bool
        Whether gradients flow to this tensor.

    Examples
    --------
    >>> import descenso as ds
    >>> x = ds.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    __slots__ = (
        "_backward", "_parents", "_pending", "_retain", "_seq", "data", "grad", "name", "requires_grad",
    )  # fmt: skip
    # Makes ``ndarray + Tensor`` call ``Tensor.__radd__`` instead of NumPy's loop.
    __array_priority__ = 1000.0

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data: np.ndarray = _as_float_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad: bool = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: BackwardFn | None = None
        self.name: str = "leaf"
        self._retain: bool = False
        self._seq: int = 0  # creation number of a recorded node (0 for leaves)
        self._pending: np.ndarray | None = None  # the gradient gathered so far, during backward only

    @staticmethod
    def from_op(data: np.ndarray, parents: tuple[Tensor, ...], backward: BackwardFn, name: str) -> Tensor:
        """Wrap an op's result; keep the graph only if recording and a parent needs it.

        Parameters
        ----------
        data : numpy.ndarray
            The op's output values.
        parents : tuple of Tensor
            The op's tensor inputs.
        backward : callable
            Maps the gradient of the output to one gradient (or None) per parent, in order.
        name : str
            The op's name, shown in ``repr`` as ``grad_fn``.

        Returns
        -------
        Tensor
            The output; it records ``parents`` and ``backward`` only when grad mode is on and
            some parent requires grad.

        Examples
        --------
        >>> import numpy as np, descenso as ds
        >>> from descenso.tensor import Tensor
        >>> def double(a):
        ...     return Tensor.from_op(a.data * 2, (a,), lambda grad: (grad * 2,), "double")
        >>> x = ds.tensor([1.0, 3.0], requires_grad=True)
        >>> double(x).sum().backward()
        >>> x.grad
        array([2., 2.], dtype=float32)
        """
        out = Tensor.__new__(Tensor)
        # NumPy returns a scalar, not a 0-d array, from ops on 0-d arrays; keep .data an ndarray.
        out.data = data if type(data) is np.ndarray or type(data) in _BY_TYPE else np.asarray(data)
        out.grad = None
        out.name = name
        out._retain = False
        out._pending = None
        if _grad_state.enabled:
            for parent in parents:  # a plain loop: any() over a generator costs more per op
                if parent.requires_grad:
                    out.requires_grad = True
                    out._parents = parents
                    out._backward = backward
                    out._seq = next(_node_numbers)
                    return out
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        out._seq = 0
        return out

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype (float32 or float64)."""
        return self.data.dtype

    @property
    def device(self) -> str:
        """Where the values live: ``"cpu"`` or ``"cuda:N"``."""
        return device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op."""
        return self._backward is None

    T: Tensor  # the transpose (all axes reversed): a property that descenso.ops attaches with the ops

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        # Without this, Python iterates through __getitem__, and a 0-d tensor silently looks empty.
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor; use .item() to read its value")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        # Without this, Python would use __len__: ``bool(tensor([0.0]))`` would be True.
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use (t > 0).data.any() or .all(), or compare t.item() for a one-element tensor"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __repr__(self) -> str:
        host = self.data if type(self.data) is np.ndarray else array_module(self.data).asnumpy(self.data)
        body = np.array2string(host, precision=4, separator=", ", prefix="tensor(")
        extra = f", dtype={self.dtype}" if self.dtype != np.float32 else ""
        extra += f", device='{self.device}'" if self.device != "cpu" else ""
        if self.requires_grad:
            extra += ", requires_grad=True" if self.is_leaf else f", grad_fn={self.name}"
        return f"tensor({body}{extra})"

    # ------------------------------------------------------------------ conversion
    def item(self) -> float:
        """Return the single value of a one-element tensor as a Python float.

        Raises
        ------
        ValueError
            If the tensor has more than one element.

        Examples
        --------
        >>> import descenso as ds
        >>> ds.tensor([[2.5]]).item()
        2.5
        """
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element; got shape {self.shape}")
        return float(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """Return the values as a NumPy array (the same memory, not a copy).

        Raises
        ------
        TypeError
            For a tensor on a GPU (copy it to the host first: ``t.cpu().numpy()``), as in PyTorch.

        Examples
        --------
        >>> import descenso as ds
        >>> ds.tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        if type(self.data) is not np.ndarray:
            raise TypeError(
                f"numpy() on a tensor on {self.device}: its values are not in host memory. "
                "Fix: t.cpu().numpy() copies them to the host"
            )
        return self.data

    def to(self, device: str) -> Tensor:
        """This tensor on ``device`` ("cpu", "cuda", "cuda:N"): itself if already there, else a copy.

        The copy is a new leaf that keeps ``requires_grad``; gradients do not flow across devices.

        Raises
        ------
        ValueError
            For an unknown device name.
        ImportError, RuntimeError
            For "cuda" without CuPy, or without a visible GPU (the message says the fix).

        Examples
        --------
        >>> import descenso as ds
        >>> ds.tensor([1.0, 2.0]).to("cpu").device
        'cpu'
        """
        data = to_device(self.data, device)
        if data is self.data:
            return self
        return Tensor(data, requires_grad=self.requires_grad and self.is_leaf)

    def cpu(self) -> Tensor:
        """This tensor on the host (``to("cpu")``)."""
        return self.to("cpu")

    def detach(self) -> Tensor:
        """Return a tensor with the same values (the same memory) that is cut from the graph.

        Examples
        --------
        >>> import descenso as ds
        >>> y = ds.tensor([1.0], requires_grad=True) * 2
        >>> y.detach().requires_grad
        False
        """
        out = Tensor.__new__(Tensor)
        out.data, out.grad, out.requires_grad = self.data, None, False
        out._parents, out._backward, out.name, out._retain = (), None, "leaf", False
        out._seq, out._pending = 0, None
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf and return self.

        Raises
        ------
        RuntimeError
            On a tensor made by an op (use ``detach()`` first).

        Examples
        --------
        >>> import descenso as ds
        >>> ds.tensor([1.0]).requires_grad_().requires_grad
        True
        """
        if not self.is_leaf:
            raise RuntimeError("requires_grad_() only applies to leaf tensors; use detach() first")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` for this non-leaf tensor after ``backward()`` (leaves always keep it).

        Examples
        --------
        >>> import descenso as ds
        >>> x = ds.tensor([1.0, 2.0], requires_grad=True)
        >>> h = (x * 3).retain_grad()
        >>> (h * h).sum().backward()
        >>> h.grad
        array([ 6., 12.], dtype=float32)
        """
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad`` becomes None)."""
        self.grad = None

    # ------------------------------------------------------------------ autodiff
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires it.

        Parameters
        ----------
        grad : array_like, optional
            The gradient of some scalar with respect to this tensor, of this
            tensor's shape. May be omitted only when the tensor has one element
            (the gradient is then 1).
        retain_graph : bool, default False
            Keep the graph so ``backward()`` can run through it again. By
            default the graph is released to free memory.

        Raises
        ------
        RuntimeError
            If the tensor does not require grad, is not scalar and no ``grad``
            was given, or the graph was already freed.

        Notes
        -----
        Reverse-mode accumulation: for every node ``v`` in reverse topological
        order, ``dL/dparent += backward_v(dL/dv)``. Each node is visited once, and
        without recursion, so graphs of any depth work. The order comes for free:
        nodes are numbered as ops create them, and an op's inputs always exist
        before its output, so a node popped from a max-heap of numbers has already
        received the gradient of every consumer. Each node holds its partial
        gradient while it waits (no dictionary, no separate sorting pass), and a
        leaf's gradient is accumulated as soon as it arrives.

        Examples
        --------
        >>> import descenso as ds
        >>> x = ds.tensor(3.0, requires_grad=True)
        >>> (x * x + x).backward()
        >>> x.grad
        array(7., dtype=float32)
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of its graph "
                "has requires_grad=True (or it was computed inside no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() needs a scalar; got shape {self.shape}. "
                    "Reduce first, e.g. loss.mean(), or pass grad= of the same shape"
                )
            seed = array_module(self.data).ones(self.shape, dtype=self.dtype)
        else:
            seed = grad.data if isinstance(grad, Tensor) else grad
            if device_of(seed) != self.device:
                seed = to_device(seed, self.device)  # a host array for a device tensor: moved once
            seed = array_module(seed).asarray(seed, dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward(grad=...): grad has shape {seed.shape} but the tensor has "
                    f"shape {self.shape}; they must be equal"
                )
        if self._backward is None:  # a leaf: the seed is its gradient
            self._accumulate(seed)
            return
        self._pending = seed
        heap = [(-self._seq, self)]  # numbers are unique, so two nodes are never compared
        try:
            while heap:
                node = heappop(heap)[1]
                node_grad: np.ndarray = node._pending  # type: ignore[assignment]  # set when pushed
                node._pending = None
                if node._retain:
                    node._accumulate(node_grad)
                parent_grads = node._backward(node_grad)  # type: ignore[misc]  # not None: not a leaf
                for parent, parent_grad in zip(node._parents, parent_grads, strict=True):
                    if parent_grad is None or not parent.requires_grad:
                        continue
                    if parent._backward is None:  # a leaf
                        parent._accumulate(parent_grad)
                    elif parent._pending is None:  # first gradient to reach this node
                        parent._pending = parent_grad
                        heappush(heap, (-parent._seq, parent))
                    else:  # out of place: the same array may have been handed to two parents
                        parent._pending = parent._pending + parent_grad
                if not retain_graph:
                    node._parents = ()
                    node._backward = _freed_backward
        except BaseException:
            for _, waiting in heap:  # a later backward() must not see these partial gradients
                waiting._pending = None
            raise

    def _accumulate(self, grad: np.ndarray) -> None:
        if self.grad is None:
            # Own copy: the array may be a broadcast view or shared with another tensor.
            self.grad = array_module(grad).array(grad, dtype=self.dtype, copy=True)
        else:
            self.grad += grad

    # ------------------------------------------------------------------ operators
    # Bound at import time by descenso.ops (see the end of descenso/ops/__init__.py).
    __hash__ = object.__hash__

    if TYPE_CHECKING:  # what descenso.ops binds, declared so type checkers see it

        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def leaky_relu(self, negative_slope: float = 0.01) -> Tensor: ...
        def softplus(self) -> Tensor: ...
        def log_sigmoid(self) -> Tensor: ...
        def clip(self, min: float | None = None, max: float | None = None) -> Tensor: ...  # noqa: A002
        def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def max(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def min(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def transpose(self, *axes: Any) -> Tensor: ...
        def squeeze(self, axis: Any = None) -> Tensor: ...
        def unsqueeze(self, axis: int) -> Tensor: ...
        def broadcast_to(self, shape: Sequence[int]) -> Tensor: ...
        def astype(self, dtype: Any) -> Tensor: ...
