"""PyTorch as an independent oracle: every op, and random compositions of ops, in float64.

Each expression is built twice from the same random leaves, once with descenso and once with
torch; values and the gradient of every leaf must agree to 1e-6. torch is a test dependency only.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual name

import descenso as ds
from descenso.backend import to_numpy

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

torch.set_num_threads(1)

Pair = tuple[ds.Tensor, torch.Tensor]  # the same value, built by descenso and by torch


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    actual = to_numpy(actual)  # from any device
    # rtol 1e-6; atol scaled to the magnitude so cancellation in big sums is not a false alarm.
    scale = max(1.0, float(np.max(np.abs(expected)))) if np.size(expected) else 1.0
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9 * scale, err_msg=what)


class Builder:
    """Random leaves, shared by both libraries, and the comparison of their gradients."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.leaves: list[Pair] = []

    def leaf(self, shape: tuple[int, ...], low: float = -1.5, high: float = 1.5) -> Pair:
        data = self.rng.uniform(low, high, size=shape)
        pair = (ds.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True))
        self.leaves.append(pair)
        return pair

    def check(self, out: Pair, what: str) -> None:
        d, t = out
        assert d.dtype == np.float64 and d.shape == tuple(t.shape), what
        assert_close(d.data, t.detach().numpy(), f"value of {what}")
        weights = self.rng.uniform(0.5, 1.5, size=d.shape)
        (d * ds.tensor(weights)).sum().backward()
        (t * torch.tensor(weights)).sum().backward()
        for i, (leaf_d, leaf_t) in enumerate(self.leaves):
            expected = leaf_t.grad.numpy() if leaf_t.grad is not None else np.zeros(leaf_d.shape)
            actual = leaf_d.grad if leaf_d.grad is not None else np.zeros(leaf_d.shape)
            assert_close(actual, expected, f"gradient of leaf {i} {leaf_d.shape} in {what}")


# ============================================================================ each op on its own
UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], tuple[float, float]]] = {
    "neg": (lambda a: -a, lambda t: -t, (-2, 2)),
    "exp": (ds.exp, torch.exp, (-2, 2)),
    "log": (ds.log, torch.log, (0.2, 3)),
    "sqrt": (ds.sqrt, torch.sqrt, (0.2, 3)),
    "abs": (ds.abs, torch.abs, (-2, 2)),
    "tanh": (ds.tanh, torch.tanh, (-3, 3)),
    "sigmoid": (ds.sigmoid, torch.sigmoid, (-8, 8)),
    "relu": (ds.relu, torch.relu, (-2, 2)),
    "leaky_relu": (lambda a: ds.leaky_relu(a, 0.1), lambda t: F.leaky_relu(t, 0.1), (-2, 2)),
    "softplus": (ds.softplus, F.softplus, (-8, 8)),
    "log_sigmoid": (ds.log_sigmoid, F.logsigmoid, (-8, 8)),
    "clip": (lambda a: ds.clip(a, -0.5, 1.0), lambda t: torch.clamp(t, -0.5, 1.0), (-2, 2)),
    "pow_number": (lambda a: a**3, lambda t: t**3, (-2, 2)),
    "rpow_number": (lambda a: 2.0**a, lambda t: 2.0**t, (-2, 2)),
    "rsub_number": (lambda a: 1.0 - a, lambda t: 1.0 - t, (-2, 2)),
    "rdiv_number": (lambda a: 3.0 / a, lambda t: 3.0 / t, (0.5, 2)),
    "sum": (lambda a: a.sum(axis=-1), lambda t: t.sum(dim=-1), (-2, 2)),
    "mean": (lambda a: a.mean(axis=0, keepdims=True), lambda t: t.mean(dim=0, keepdim=True), (-2, 2)),
    "max": (lambda a: a.max(axis=-1), lambda t: torch.amax(t, dim=-1), (-2, 2)),
    "min": (lambda a: a.min(), lambda t: torch.amin(t), (-2, 2)),
    "reshape": (lambda a: a.reshape(-1), lambda t: t.reshape(-1), (-2, 2)),
    "transpose": (lambda a: a.T, lambda t: t.permute(*reversed(range(t.ndim))), (-2, 2)),
    "unsqueeze": (lambda a: a.unsqueeze(1), lambda t: t.unsqueeze(1), (-2, 2)),
    "broadcast_to": (
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda t: torch.broadcast_to(t, (2, 3, 4)),
        (-2, 2),
    ),
    "slice": (lambda a: a[1:, ::2], lambda t: t[1:, ::2], (-2, 2)),
    "int_array": (lambda a: a[[2, 0, 2]], lambda t: t[[2, 0, 2]], (-2, 2)),
}
BINARY: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any], tuple[float, float]]] = {
    "add": (lambda a, b: a + b, torch.add, (-2, 2)),
    "sub": (lambda a, b: a - b, torch.sub, (-2, 2)),
    "mul": (lambda a, b: a * b, torch.mul, (-2, 2)),
    "div": (lambda a, b: a / b, torch.div, (0.5, 2)),
    "pow": (lambda a, b: a**b, torch.pow, (0.5, 2)),
    "maximum": (ds.maximum, torch.maximum, (-2, 2)),
    "minimum": (ds.minimum, torch.minimum, (-2, 2)),
    "where": (lambda a, b: ds.where(a > b, a * 2, b), lambda a, b: torch.where(a > b, a * 2, b), (-2, 2)),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_op_against_torch(name):
    fn_d, fn_t, (low, high) = UNARY[name]
    builder = Builder(seed=1)
    d, t = builder.leaf((3, 4), low, high)
    builder.check((fn_d(d), fn_t(t)), name)


@pytest.mark.parametrize(("shape_a", "shape_b"), [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1, 3), (4, 1))])
@pytest.mark.parametrize("name", BINARY)
def test_binary_op_against_torch(name, shape_a, shape_b):
    fn_d, fn_t, (low, high) = BINARY[name]
    builder = Builder(seed=2)
    a, b = builder.leaf(shape_a, low, high), builder.leaf(shape_b, low, high)
    builder.check((fn_d(a[0], b[0]), fn_t(a[1], b[1])), name)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((1, 2, 3), (4, 3, 2)),
    ],
)
def test_matmul_against_torch(shape_a, shape_b):
    builder = Builder(seed=3)
    a, b = builder.leaf(shape_a), builder.leaf(shape_b)
    builder.check((a[0] @ b[0], a[1] @ b[1]), "matmul")


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 5, 3)])
def test_linear_against_torch(x_shape):
    builder = Builder(seed=4)
    x, w, b = builder.leaf(x_shape), builder.leaf((4, 3)), builder.leaf((4,))
    builder.check((ds.linear(x[0], w[0], b[0]), F.linear(x[1], w[1], b[1])), "linear")


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 5, 3)])
def test_linear_relu_against_torch(x_shape):
    from descenso.ops import linear_relu

    builder = Builder(seed=14)
    x, w, b = builder.leaf(x_shape), builder.leaf((4, 3)), builder.leaf((4,))
    builder.check((linear_relu(x[0], w[0], b[0]), F.relu(F.linear(x[1], w[1], b[1]))), "linear_relu")


def test_concatenate_and_stack_against_torch():
    builder = Builder(seed=5)
    a, b = builder.leaf((2, 3)), builder.leaf((2, 1))
    c, e = builder.leaf((2, 3)), builder.leaf((2, 3))
    out_d = (
        ds.concatenate([a[0], b[0]], axis=1) * ds.stack([c[0], e[0]], axis=-1).sum(axis=-1)[:, [0, 1, 2, 0]]
    )
    out_t = torch.cat([a[1], b[1]], dim=1) * torch.stack([c[1], e[1]], dim=-1).sum(dim=-1)[:, [0, 1, 2, 0]]
    builder.check((out_d, out_t), "concatenate/stack")


def test_ties_share_the_gradient_like_torch():
    builder = Builder(seed=6)
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    d, t = ds.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    builder.leaves.append((d, t))
    out_d = d.max(axis=1) + d.min() + ds.maximum(d, 2.0).sum(axis=0)[:2] + ds.relu(d - 2.0).sum()
    out_t = (
        torch.amax(t, dim=1)
        + torch.amin(t)
        + torch.maximum(t, torch.tensor(2.0, dtype=torch.float64)).sum(dim=0)[:2]
        + torch.relu(t - 2.0).sum()
    )
    builder.check((out_d, out_t), "ties")


# ============================================================================ random compositions
def variant(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to ``shape``: some leading axes dropped, some axes set to 1."""
    drop = int(rng.integers(0, len(shape) + 1)) if rng.random() < 0.5 else 0
    return tuple(1 if rng.random() < 0.3 else n for n in shape[drop:])


class Composer(Builder):
    """Random expression trees whose output has a requested shape, built in both libraries."""

    def expr(self, shape: tuple[int, ...], depth: int) -> Pair:
        if depth == 0 or self.rng.random() < 0.15:
            return self.leaf(shape)
        kinds = ["unary", "unary", "binary", "binary", "reduce", "move", "index"]
        if shape:
            kinds += ["matmul", "linear", "join"]
        else:
            kinds += ["matmul"]
        kind = str(self.rng.choice(kinds))
        return getattr(self, kind)(shape, depth - 1)

    def unary(self, shape: tuple[int, ...], depth: int) -> Pair:
        d, t = self.expr(shape, depth)
        choice = int(self.rng.integers(0, 14))
        ops: list[tuple[Callable[[Any], Any], Callable[[Any], Any]]] = [
            (lambda a: -a, lambda a: -a),
            (lambda a: ds.exp(ds.tanh(a)), lambda a: torch.exp(torch.tanh(a))),
            (lambda a: ds.log(ds.softplus(a) + 0.1), lambda a: torch.log(F.softplus(a) + 0.1)),
            (lambda a: ds.sqrt(a * a + 0.5), lambda a: torch.sqrt(a * a + 0.5)),
            (ds.abs, torch.abs),
            (ds.tanh, torch.tanh),
            (ds.sigmoid, torch.sigmoid),
            (ds.relu, torch.relu),
            (lambda a: ds.leaky_relu(a, 0.05), lambda a: F.leaky_relu(a, 0.05)),
            (ds.softplus, F.softplus),
            (ds.log_sigmoid, F.logsigmoid),
            (lambda a: ds.clip(a, -0.7, 0.9), lambda a: torch.clamp(a, -0.7, 0.9)),
            (lambda a: ds.tanh(a) ** 2, lambda a: torch.tanh(a) ** 2),
            (lambda a: 0.5 - a / 2.0, lambda a: 0.5 - a / 2.0),
        ]
        fn_d, fn_t = ops[choice]
        return fn_d(d), fn_t(t)

    def binary(self, shape: tuple[int, ...], depth: int) -> Pair:
        shapes = [shape, variant(self.rng, shape)]
        self.rng.shuffle(shapes)
        (ad, at), (bd, bt) = self.expr(shapes[0], depth), self.expr(shapes[1], depth)
        choice = int(self.rng.integers(0, 8))
        if choice == 0:
            return ad + bd, at + bt
        if choice == 1:
            return ad - bd, at - bt
        if choice == 2:
            return ad * bd, at * bt
        if choice == 3:
            return ad / (bd * bd + 0.5), at / (bt * bt + 0.5)
        if choice == 4:
            return (ds.sigmoid(ad) + 0.5) ** ds.tanh(bd), (torch.sigmoid(at) + 0.5) ** torch.tanh(bt)
        if choice == 5:
            return ds.maximum(ad, bd), torch.maximum(at, bt)
        if choice == 6:
            return ds.minimum(ad, bd), torch.minimum(at, bt)
        cd, ct = self.expr(variant(self.rng, shape), depth)
        return ds.where(cd > 0, ad, bd), torch.where(ct > 0, at, bt)

    def reduce(self, shape: tuple[int, ...], depth: int) -> Pair:
        name = str(self.rng.choice(["sum", "mean", "max", "min"]))
        torch_fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[name]
        if not shape and self.rng.random() < 0.5:  # reduce everything
            d, t = self.expr((2, 3), depth)
            return getattr(ds, name)(d), torch_fn(t, dim=(0, 1))
        ones = [i for i, n in enumerate(shape) if n == 1]
        if ones and self.rng.random() < 0.5:  # keepdims over an axis of size 1 in the result
            axis = ones[int(self.rng.integers(0, len(ones)))]
            source = (*shape[:axis], 3, *shape[axis + 1 :])
            d, t = self.expr(source, depth)
            return getattr(ds, name)(d, axis=axis, keepdims=True), torch_fn(t, dim=axis, keepdim=True)
        axis = int(self.rng.integers(0, len(shape) + 1))
        source = (*shape[:axis], int(self.rng.integers(1, 4)), *shape[axis:])
        negative = axis - len(source)  # exercise negative axes too
        d, t = self.expr(source, depth)
        return getattr(ds, name)(d, axis=negative), torch_fn(t, dim=negative)

    def move(self, shape: tuple[int, ...], depth: int) -> Pair:
        choice = int(self.rng.integers(0, 4))
        if choice == 0:  # reshape from the flat vector
            d, t = self.expr((int(np.prod(shape)),), depth)
            return d.reshape(shape), t.reshape(shape)
        if choice == 1 and len(shape) >= 2:  # transpose
            perm = tuple(int(i) for i in self.rng.permutation(len(shape)))
            inverse = tuple(int(i) for i in np.argsort(perm))
            d, t = self.expr(tuple(shape[i] for i in inverse), depth)
            return d.transpose(perm), t.permute(*perm)
        if choice == 2 and 1 in shape:  # unsqueeze
            axis = shape.index(1)
            d, t = self.expr(shape[:axis] + shape[axis + 1 :], depth)
            return d.unsqueeze(axis), t.unsqueeze(axis)
        if choice == 3:  # squeeze
            axis = int(self.rng.integers(0, len(shape) + 1))
            d, t = self.expr((*shape[:axis], 1, *shape[axis:]), depth)
            return d.squeeze(axis), t.squeeze(axis)
        d, t = self.expr(variant(self.rng, shape), depth)  # broadcast_to
        return d.broadcast_to(shape), torch.broadcast_to(t, shape)

    def index(self, shape: tuple[int, ...], depth: int) -> Pair:
        axis = int(self.rng.integers(0, len(shape) + 1))
        before = (slice(None),) * axis
        if axis == len(shape) or self.rng.random() < 0.3:  # an integer removes an axis
            d, t = self.expr((*shape[:axis], 3, *shape[axis:]), depth)
            j = int(self.rng.integers(-3, 3))
            return d[(*before, j)], t[(*before, j)]
        n = shape[axis]
        if self.rng.random() < 0.5:  # a slice
            d, t = self.expr((*shape[:axis], n + 2, *shape[axis + 1 :]), depth)
            return d[(*before, slice(1, n + 1))], t[(*before, slice(1, n + 1))]
        picks = self.rng.integers(0, 2, size=n)  # an integer array with repeats
        d, t = self.expr((*shape[:axis], 2, *shape[axis + 1 :]), depth)
        return d[(*before, picks)], t[(*before, torch.as_tensor(picks))]

    def matmul(self, shape: tuple[int, ...], depth: int) -> Pair:
        k = int(self.rng.integers(1, 4))
        if not shape:
            (ad, at), (bd, bt) = self.expr((k,), depth), self.expr((k,), depth)
        elif len(shape) == 1:
            (ad, at), (bd, bt) = self.expr((k,), depth), self.expr((k, shape[0]), depth)
        else:
            batch, (n, m) = shape[:-2], shape[-2:]
            b_shape = (k, m) if self.rng.random() < 0.5 else (*batch, k, m)
            (ad, at), (bd, bt) = self.expr((*batch, n, k), depth), self.expr(b_shape, depth)
        return ad @ bd, at @ bt

    def linear(self, shape: tuple[int, ...], depth: int) -> Pair:
        in_features = int(self.rng.integers(1, 4))
        xd, xt = self.expr((*shape[:-1], in_features), depth)
        (wd, wt), (bd, bt) = self.leaf((shape[-1], in_features)), self.leaf((shape[-1],))
        return ds.linear(xd, wd, bd), F.linear(xt, wt, bt)

    def join(self, shape: tuple[int, ...], depth: int) -> Pair:
        axis = int(self.rng.integers(0, len(shape)))
        n = shape[axis]
        if n == 1 or (n <= 3 and self.rng.random() < 0.5):  # stack n pieces
            pieces = [self.expr(shape[:axis] + shape[axis + 1 :], depth) for _ in range(n)]
            return ds.stack([p[0] for p in pieces], axis=axis), torch.stack([p[1] for p in pieces], dim=axis)
        cut = int(self.rng.integers(1, n))  # two non-empty pieces
        pieces = [self.expr((*shape[:axis], size, *shape[axis + 1 :]), depth) for size in (cut, n - cut)]
        return ds.concatenate([p[0] for p in pieces], axis=axis), torch.cat([p[1] for p in pieces], dim=axis)


SHAPES = [(), (1,), (3,), (2, 3), (3, 1), (2, 1, 3)]


@pytest.mark.parametrize("seed", range(150))
def test_random_composition_against_torch(seed):
    composer = Composer(seed)
    shape = SHAPES[seed % len(SHAPES)]
    out = composer.expr(shape, depth=5)
    composer.check(out, f"composition {seed}")
