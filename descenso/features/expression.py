"""User-defined features from a small, safe expression language: ``"x1*x2"``, ``"sin(x1)"``.

The text is split into tokens, parsed by recursive descent into a tree and the
tree is evaluated with NumPy. Nothing is ever passed to ``eval``/``exec`` or
compiled: only the operations below exist, so no expression can run code.

Grammar (``**`` binds tighter than unary minus and is right-associative, as in Python)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom ("**" unary)?
    atom       := NUMBER | NAME | FUNCTION "(" expression ")" | "(" expression ")"
    FUNCTION   := sin | cos | tan | exp | log | sqrt | abs | tanh
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Callable

import numpy as np

from descenso.features.base import Transform

__all__ = ["Expression", "ExpressionError", "parse", "FUNCTIONS"]

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
}  # fmt: skip
_BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power,
}  # fmt: skip
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|[-+*/()]))"
)
_MAX_LENGTH = 2000
_MAX_DEPTH = 100


class ExpressionError(ValueError):
    """A feature expression that cannot be parsed or refers to unknown names."""


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "op" or "end"
    text: str
    position: int  # 0-based character offset in the expression


def _error(text: str, position: int, message: str) -> ExpressionError:
    return ExpressionError(f"{message} at position {position} in {text!r}\n    {text}\n    {' ' * position}^")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raise :class:`ExpressionError` at the first character that is none."""
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            bad = position + len(text[position:]) - len(text[position:].lstrip())
            hint = "; use ** for powers" if text[bad] == "^" else ""
            raise _error(text, bad, f"unexpected character {text[bad]!r}{hint}")
        kind = match.lastgroup or "op"
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent over the token list; builds a tree of tuples.

    Nodes: ``("num", value)``, ``("col", index)``, ``("neg", node)``,
    ``("bin", op, left, right)``, ``("call", name, node)``.
    """

    def __init__(self, text: str, names: list[str]) -> None:
        self.text, self.names = text, names
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            found = "the end" if token.kind == "end" else repr(token.text)
            raise _error(self.text, token.position, f"expected {text!r} but found {found}")

    def parse(self) -> tuple[Any, ...]:
        node = self.expression()
        token = self.peek()
        if token.kind != "end":
            raise _error(self.text, token.position, f"unexpected {token.text!r} after a complete expression")
        return node

    def expression(self) -> tuple[Any, ...]:
        node = self.term()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            node = ("bin", op, node, self.term())
        return node

    def term(self) -> tuple[Any, ...]:
        node = self.unary()
        while self.peek().text in ("*", "/"):
            op = self.take().text
            node = ("bin", op, node, self.unary())
        return node

    def unary(self) -> tuple[Any, ...]:
        token = self.peek()
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _error(self.text, token.position, f"expression nested deeper than {_MAX_DEPTH} levels")
        try:
            if token.text in ("-", "+"):
                self.take()
                operand = self.unary()
                return ("neg", operand) if token.text == "-" else operand
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> tuple[Any, ...]:
        node = self.atom()
        if self.peek().text == "**":
            self.take()
            node = ("bin", "**", node, self.unary())
        return node

    def atom(self) -> tuple[Any, ...]:
        token = self.take()
        if token.kind == "number":
            return ("num", float(token.text))
        if token.text == "(":
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "name":
            return self.name(token)
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        raise _error(self.text, token.position, f"expected a number, a column name or '(' but found {found}")

    def name(self, token: Token) -> tuple[Any, ...]:
        if self.peek().text == "(":
            if token.text not in FUNCTIONS:
                known = ", ".join(FUNCTIONS)
                raise _error(self.text, token.position, f"unknown function {token.text!r} (known: {known})")
            self.take()
            node = self.expression()
            self.expect(")")
            return ("call", token.text, node)
        if token.text in FUNCTIONS:
            raise _error(
                self.text, token.position, f"function {token.text!r} needs parentheses, e.g. {token.text}(x1)"
            )
        if token.text not in self.names:
            raise _error(
                self.text, token.position, f"unknown column {token.text!r} (columns: {', '.join(self.names)})"
            )
        return ("col", self.names.index(token.text))


def parse(text: str, names: list[str]) -> tuple[Any, ...]:
    """Parse ``text`` into an expression tree over the column ``names``.

    Raises
    ------
    ExpressionError
        With the position of the first bad token and a caret under it.

    Examples
    --------
    >>> parse("-x1**2 + 3", ["x1"])
    ('bin', '+', ('neg', ('bin', '**', ('col', 0), ('num', 2.0))), ('num', 3.0))
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression is a string like 'x1*x2'; got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("an empty expression; write e.g. 'x1*x2' or 'sin(x1)'")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(f"expression of {len(text)} characters; the limit is {_MAX_LENGTH}")
    return _Parser(text, names).parse()


def evaluate(node: tuple[Any, ...], X: np.ndarray) -> np.ndarray:
    """Evaluate a parsed tree on the columns of ``X`` (shape (n, d)); the result has X's dtype."""
    kind = node[0]
    if kind == "num":
        return np.full(X.shape[0], node[1], dtype=X.dtype)
    if kind == "col":
        return X[:, node[1]]
    if kind == "neg":
        return -evaluate(node[1], X)
    if kind == "call":
        return FUNCTIONS[node[1]](evaluate(node[2], X))
    return _BINARY[node[1]](evaluate(node[2], X), evaluate(node[3], X))


class Expression(Transform):
    """New feature columns computed from formulas over the input columns.

    Parameters
    ----------
    expressions : list of str
        Formulas such as ``"x1*x2"``, ``"sin(x1)"``, ``"sqrt(x1**2 + x2**2)"``. Allowed:
        numbers, column names, ``+ - * / **``, unary ``-``, parentheses and the functions
        ``sin cos tan exp log sqrt abs tanh``.
    names : list of str, optional
        Names for the input columns; default ``x1 ... xd`` (1-based, like the notes).
    keep_input : bool, default True
        Output the input columns first, then one column per expression.

    Raises
    ------
    ExpressionError
        At construction for a formula that does not parse or names an unknown column
        (the message shows the position); in ``transform`` if a formula gives NaN or inf
        (e.g. ``log`` of a negative value).

    Notes
    -----
    Parsed by recursive descent and evaluated node by node with NumPy ufuncs; the
    language has no names other than the columns and the functions above, so no
    expression can reach Python. Values are computed in the input's dtype.

    Examples
    --------
    >>> X = np.array([[3.0, 4.0]], dtype=np.float32)
    >>> Expression(["x1*x2", "sqrt(x1**2 + x2**2)"]).fit_transform(X)
    array([[ 3.,  4., 12.,  5.]], dtype=float32)
    >>> try:
    ...     Expression(["x1 ^ 2"])
    ... except ExpressionError as error:
    ...     print(error)
    unexpected character '^'; use ** for powers at position 3 in 'x1 ^ 2'
        x1 ^ 2
           ^
    """

    name = "expression"

    def __init__(
        self, expressions: list[str], names: list[str] | None = None, keep_input: bool = True
    ) -> None:
        if isinstance(expressions, str):
            expressions = [expressions]
        if not expressions:
            raise ValueError("Expression needs at least one formula, e.g. Expression(['x1*x2'])")
        self.expressions = list(expressions)
        self.names = None if names is None else [str(n) for n in names]
        self.keep_input = bool(keep_input)
        if self.names is not None:
            self._trees = [parse(text, self.names) for text in self.expressions]
        else:  # parse now for syntax errors; columns are checked again in fit once d is known
            self._trees = [parse(text, _free_names(text)) for text in self.expressions]

    def get_params(self) -> dict[str, Any]:
        return {"expressions": list(self.expressions), "names": self.names, "keep_input": self.keep_input}

    def _fit(self, X: np.ndarray) -> None:
        self._parse_for(X.shape[1])

    def load_state_dict(self, state: dict[str, np.ndarray], n_features_in: int) -> None:
        self._parse_for(int(n_features_in))
        self.n_features_in_ = int(n_features_in)

    def _parse_for(self, d: int) -> None:
        names = self._input_names_for(d)
        self._trees = [parse(text, names) for text in self.expressions]

    def _input_names_for(self, d: int) -> list[str]:
        if self.names is None:
            return [f"x{i + 1}" for i in range(d)]
        if len(self.names) != d:
            raise ValueError(f"Expression: {len(self.names)} names given but X has {d} columns")
        return self.names

    def _transform(self, X: np.ndarray) -> np.ndarray:
        columns = []
        with np.errstate(all="ignore"):  # checked just below, with a message that names the formula
            for text, tree in zip(self.expressions, self._trees, strict=True):
                values = evaluate(tree, X).astype(X.dtype, copy=False)
                bad = ~np.isfinite(values)
                if bad.any():
                    raise ValueError(
                        f"Expression {text!r} gives NaN or inf on {int(bad.sum())} rows (the first is "
                        f"row X[{int(np.argmax(bad))}]); guard the domain, e.g. log(abs(x1) + 1) or "
                        "sqrt(abs(x1))"
                    )
                columns.append(values)
        new = np.stack(columns, axis=1)  # (n, number of expressions)
        return np.concatenate([X, new], axis=1) if self.keep_input else new

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        return [*names, *self.expressions] if self.keep_input else list(self.expressions)


def _free_names(text: str) -> list[str]:
    """The column names in ``text`` when no ``names`` were given: each must be ``x<k>``, k >= 1."""
    names = []
    tokens = tokenize(text)
    for token, after in pairwise(tokens):
        if token.kind == "name" and token.text not in FUNCTIONS and after.text != "(":
            if not re.fullmatch(r"x[1-9]\d*", token.text):
                raise _error(
                    text,
                    token.position,
                    f"unknown column {token.text!r}; without names= the columns are x1, x2, ... "
                    "(pass names=[...] to use your own)",
                )
            names.append(token.text)
    return names
