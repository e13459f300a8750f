"""The expression language: precedence, functions, names, error positions and safety."""

import numpy as np
import pytest

from descenso import features
from descenso.features.expression import ExpressionError, parse

X = np.array([[3.0, 4.0], [-1.0, 0.5], [0.25, 2.0]], dtype=np.float32)
x1, x2 = X[:, 0], X[:, 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x1*x2", x1 * x2),
        ("sin(x1)", np.sin(x1)),
        ("sqrt(x1**2+x2**2)", np.sqrt(x1**2 + x2**2)),
        ("x1 + x2 * 2", x1 + x2 * 2),
        ("(x1 + x2) * 2", (x1 + x2) * 2),
        ("x1 - x2 - 1", x1 - x2 - 1),  # left-associative
        ("x1 / x2 / 2", x1 / x2 / 2),
        ("2 ** 3 ** 2 + 0 * x1", np.full(3, 512.0)),  # right-associative, as in Python
        ("-x1**2", -(x1**2)),  # ** binds tighter than unary minus
        ("x2 ** -1", x2**-1.0),
        ("--x1", x1),
        ("+x1", x1),
        ("1.5e1 + .5 + x1", 15.5 + x1),
        ("exp(x2) + log(abs(x1)) + tanh(x1) - cos(x2) + tan(x2)",
         np.exp(x2) + np.log(np.abs(x1)) + np.tanh(x1) - np.cos(x2) + np.tan(x2)),
        ("abs(  x1  )", np.abs(x1)),
    ],
)  # fmt: skip
def test_values_match_numpy(text, expected):
    out = features.Expression([text], keep_input=False).fit_transform(X)
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-5)
    assert out.dtype == np.float32


def test_keep_input_and_names():
    expr = features.Expression(["x1*x2", "sin(x1)"]).fit(X)
    out = expr.transform(X)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out[:, :2], X)
    assert expr.get_feature_names_out() == ["x1", "x2", "x1*x2", "sin(x1)"]


def test_given_names():
    expr = features.Expression(["area / rooms"], names=["area", "rooms"], keep_input=False)
    np.testing.assert_allclose(expr.fit_transform(X)[:, 0], x1 / x2, rtol=1e-6)
    with pytest.raises(ValueError, match=r"2 names given but X has 3 columns"):
        expr.fit(np.ones((2, 3)))


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("x1 ^ 2", 3, "use \\*\\* for powers"),
        ("x1 $ x2", 3, "unexpected character '\\$'"),
        ("x1 +", 4, "found the end of the expression"),
        ("(x1 + x2", 8, "expected '\\)' but found the end"),
        ("x1 x2", 3, "unexpected 'x2' after a complete expression"),
        ("foo(x1)", 0, "unknown function 'foo'"),
        ("sin x1", 0, "function 'sin' needs parentheses"),
        ("x1 * y", 5, "unknown column 'y'"),
        ("x0 + 1", 0, "unknown column 'x0'"),
        ("x1 * * x2", 5, "expected a number, a column name or '\\('"),
        ("__import__(x1)", 0, "unknown function '__import__'"),
        ("__import__('os')", 11, 'unexpected character "\'"'),
        ("x1.real", 2, "unexpected '.real'|unexpected character '.'"),
    ],
)
def test_errors_point_at_the_bad_token(text, position, message):
    with pytest.raises(ExpressionError, match=message) as caught:
        features.Expression([text])
    assert f"at position {position} in" in str(caught.value)
    assert str(caught.value).splitlines()[-1] == "    " + " " * position + "^"


def test_unknown_column_for_the_data_is_reported_at_fit():
    expr = features.Expression(["x3 * 2"])
    with pytest.raises(ExpressionError, match=r"unknown column 'x3' \(columns: x1, x2\)"):
        expr.fit(X)


def test_nan_results_are_refused_with_the_formula():
    with pytest.raises(ValueError, match=r"'log\(x1\)' gives NaN or inf on 1 rows \(the first is row X\[1\]"):
        features.Expression(["log(x1)"]).fit_transform(X)


def test_nothing_is_evaluated_as_python(monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/compile must never run")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    out = features.Expression(["sqrt(x1**2 + x2**2)"], keep_input=False).fit_transform(X)
    np.testing.assert_allclose(out[:, 0], np.hypot(x1, x2), rtol=1e-6)


def test_deep_nesting_and_long_text_are_refused_cleanly():
    with pytest.raises(ExpressionError, match=r"nested deeper than 100"):
        features.Expression(["(" * 500 + "x1" + ")" * 500])
    with pytest.raises(ExpressionError, match=r"nested deeper than 100"):
        features.Expression(["-" * 500 + "x1"])
    with pytest.raises(ExpressionError, match=r"the limit is 2000"):
        features.Expression(["x1+" * 1000 + "x1"])


def test_empty_and_wrong_types():
    with pytest.raises(ExpressionError, match=r"empty expression"):
        features.Expression(["  "])
    with pytest.raises(ValueError, match=r"at least one formula"):
        features.Expression([])
    with pytest.raises(TypeError, match=r"string like"):
        parse(3, ["x1"])


def test_config_round_trip():
    expr = features.Expression(["x1*x2"], keep_input=False).fit(X)
    again = features.from_config(expr.get_config(), expr.state_dict())
    np.testing.assert_array_equal(again.transform(X), expr.transform(X))
