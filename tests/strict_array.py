"""A second array namespace for the CPU tests: NumPy's numbers behind a type that refuses NumPy.

``StrictArray`` plays CuPy's part on a machine without a GPU. Like a CuPy array it is not a NumPy
array, and descenso reaches it only through its own module (``xp = array_module(data)``). Code in
descenso that goes through ``np.`` instead -- ``np.asarray`` or ``np.array`` on device data, a NumPy
ufunc or function (``np.exp``, ``np.where``), or an operand that is a NumPy array (``np.zeros`` mixed
with device data) -- raises :class:`StrictError`: the error a GPU run would hit, or a silent copy to
the host. It is stricter than CuPy, which would run some of those calls on the device.

Only descenso's own code is held to this (the caller's module name starts with ``descenso``); test
code may read values with NumPy freely (``np.testing`` on ``t.data``), so existing tests run
unchanged. The reads to the host that descenso makes (``float``, ``bool``, ``item``, ``asnumpy``)
and its copies from the host (``asarray`` of host data) are counted in :data:`COUNTS`, so a test can
bound them per training step.
"""

from __future__ import annotations

import operator
import sys
import types
from typing import Any

import numpy as np

from descenso import backend

COUNTS = {"to_host": 0, "to_device": 0}


class StrictError(TypeError):
    """descenso used NumPy on device data, or mixed a host array into a device computation."""


def _from_descenso() -> bool:
    """Whether the code that called the function calling this is descenso's (frame 2 up)."""
    name = sys._getframe(2).f_globals.get("__name__", "")
    return name == "descenso" or name.startswith("descenso.")


def _refuse(what: str) -> StrictError:
    return StrictError(f"descenso {what}; use the array's own module, xp = array_module(data)")


def _unwrap(value: Any, strict: bool) -> Any:
    if isinstance(value, StrictArray):
        return value._a
    if isinstance(value, np.ndarray):
        if strict:
            raise _refuse(f"mixed a NumPy array of shape {value.shape} into a device computation")
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v, strict) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, strict) for k, v in value.items()}
    return value


def _wrap(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return StrictArray(value)
    if isinstance(value, np.generic):  # CuPy returns 0-d arrays, never NumPy scalars
        return StrictArray(np.asarray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_wrap(v) for v in value)
    return value


def _to_host(strict: bool) -> None:
    if strict:
        COUNTS["to_host"] += 1


class _Device:
    id = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Device)

    __hash__ = object.__hash__


_DEVICE = _Device()
_SCALARS = (bool, int, float, np.generic)


def _operator(name: str, reflected: bool = False, inplace: bool = False) -> Any:
    op = getattr(operator, name)

    def method(self: StrictArray, other: Any) -> Any:
        strict = _from_descenso()
        if isinstance(other, StrictArray):
            other = other._a
        elif isinstance(other, np.ndarray):
            if strict:
                raise _refuse(f"mixed a NumPy array of shape {other.shape} into '{name}' with a device array")
        elif not isinstance(other, _SCALARS):
            return NotImplemented  # a Tensor: its reflected operator runs
        if inplace:
            op(self._a, other)
            return self
        return _wrap(op(other, self._a) if reflected else op(self._a, other))

    return method


class StrictArray:
    """An array of one device that NumPy cannot see into (from descenso's code)."""

    __slots__ = ("_a",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, array: np.ndarray) -> None:
        self._a = array

    # what CuPy arrays have
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    T = property(lambda self: StrictArray(self._a.T))
    device = property(lambda self: _DEVICE)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # __array_interface__ and friends would hand NumPy the memory
            raise AttributeError(name)
        attribute = getattr(self._a, name)
        if not callable(attribute):
            return _wrap(attribute)

        def method(*args: Any, **kwargs: Any) -> Any:
            strict = _from_descenso()
            if name in ("item", "tolist"):
                _to_host(strict)
                return attribute(*args, **kwargs)
            return _wrap(attribute(*_unwrap(args, strict), **_unwrap(kwargs, strict)))

        return method

    def get(self) -> np.ndarray:
        """A host copy (CuPy's name)."""
        _to_host(_from_descenso())
        return self._a.copy()

    # reads to the host: allowed, as CuPy allows them, and counted
    def __float__(self) -> float:
        _to_host(_from_descenso())
        return float(self._a)

    def __int__(self) -> int:
        _to_host(_from_descenso())
        return int(self._a)

    def __bool__(self) -> bool:
        _to_host(_from_descenso())
        return bool(self._a)

    def __format__(self, spec: str) -> str:
        _to_host(_from_descenso())
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    # NumPy's ways in, refused from descenso
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if _from_descenso():
            raise _refuse(f"converted a device array of shape {self.shape} to NumPy (np.asarray/np.array)")
        return self._a if dtype is None else self._a.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # A NumPy scalar on the left of an operator (np.float32(2) * x) arrives here; CuPy takes it.
        scalar_operator = method == "__call__" and any(isinstance(i, np.generic) for i in inputs)
        strict = _from_descenso() and not scalar_operator
        if strict:
            raise _refuse(f"called NumPy's ufunc {ufunc.__name__} on a device array")
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*_unwrap(inputs, strict), **_unwrap(kwargs, strict))
        return out[0] if isinstance(out, tuple) and isinstance(out[0], StrictArray) else _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if _from_descenso():
            raise _refuse(f"called np.{func.__name__} on a device array")
        return func(*_unwrap(args, False), **_unwrap(kwargs, False))

    # indexing
    def __getitem__(self, index: Any) -> Any:
        return _wrap(self._a[_unwrap(index, _from_descenso())])

    def __setitem__(self, index: Any, value: Any) -> None:
        strict = _from_descenso()
        self._a[_unwrap(index, strict)] = _unwrap(value, strict)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        return (_wrap(row) for row in self._a)

    def __repr__(self) -> str:
        return "strict_" + repr(self._a)

    def __deepcopy__(self, memo: Any) -> StrictArray:
        return StrictArray(self._a.copy())

    def __neg__(self) -> StrictArray:
        return StrictArray(-self._a)

    def __pos__(self) -> StrictArray:
        return self

    def __abs__(self) -> StrictArray:
        return StrictArray(abs(self._a))

    def __invert__(self) -> StrictArray:
        return StrictArray(~self._a)


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor"):
    _op = _name + "_" if _name in ("and", "or") else _name  # operator.and_, operator.or_
    setattr(StrictArray, f"__{_name}__", _operator(_op))
    setattr(StrictArray, f"__r{_name}__", _operator(_op, reflected=True))
    setattr(StrictArray, f"__i{_name}__", _operator("i" + _name, inplace=True))
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(StrictArray, f"__{_name}__", _operator(_name))


class _Ufunc:
    """A NumPy ufunc over strict arrays, with ``.at`` (what CuPy's ufuncs offer)."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        strict = _from_descenso()
        out = kwargs.get("out")
        result = self._ufunc(*_unwrap(args, strict), **_unwrap(kwargs, strict))
        return out if isinstance(out, StrictArray) else _wrap(result)

    def at(self, array: StrictArray, indices: Any, values: Any = None) -> None:
        strict = _from_descenso()
        self._ufunc.at(array._a, _unwrap(indices, strict), _unwrap(values, strict))


def _function(fn: Any) -> Any:
    def function(*args: Any, **kwargs: Any) -> Any:
        strict = _from_descenso()
        out = kwargs.get("out")
        result = fn(*_unwrap(args, strict), **_unwrap(kwargs, strict))
        return out if isinstance(out, StrictArray) else _wrap(result)

    function.__name__ = fn.__name__
    return function


class _Module(types.ModuleType):
    """``xp`` for strict arrays: NumPy's names, taking and giving strict arrays only."""

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(np, name)
        if isinstance(attribute, np.ufunc):
            wrapped: Any = _Ufunc(attribute)
        elif callable(attribute) and not isinstance(attribute, type):
            wrapped = _function(attribute)
        else:
            return attribute  # dtypes, constants
        setattr(self, name, wrapped)
        return wrapped

    @staticmethod
    def asarray(data: Any, dtype: Any = None) -> StrictArray:
        """The copy to the device, for host data (counted); a strict array as it is (or cast)."""
        if isinstance(data, StrictArray):
            return (
                data if dtype is None or np.dtype(dtype) == data.dtype else StrictArray(data._a.astype(dtype))
            )
        if _from_descenso():
            COUNTS["to_device"] += 1
        return StrictArray(np.array(data, dtype=dtype))

    @staticmethod
    def array(data: Any, dtype: Any = None, copy: bool = True) -> StrictArray:
        if isinstance(data, StrictArray):
            return StrictArray(np.array(data._a, dtype=dtype, copy=copy))
        if _from_descenso():
            COUNTS["to_device"] += 1
        return StrictArray(np.array(data, dtype=dtype))

    @staticmethod
    def asnumpy(data: Any) -> np.ndarray:
        """The copy to the host (counted), CuPy's name."""
        if _from_descenso():
            COUNTS["to_host"] += 1
        return data._a.copy() if isinstance(data, StrictArray) else np.asarray(data)


xp = _Module("strict_xp")


def put(data: Any, index: int) -> StrictArray:
    """``backend.register``'s mover: host data to the (only) strict device."""
    if isinstance(data, StrictArray):
        return data
    COUNTS["to_device"] += 1
    return StrictArray(np.array(data))


def use_strict_device() -> None:
    """Make "strict" a device of descenso (idempotent): what loading CuPy does for "cuda"."""
    backend.register("strict", StrictArray, xp, put, count=1)
