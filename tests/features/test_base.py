"""The shared contract: get(name), Pipeline, and save/restore of every transform through JSON."""

import json

import numpy as np
import pytest

from descenso import features

X = np.random.default_rng(1).uniform(0.1, 3.0, (40, 3)).astype(np.float32)


def make_all():
    return [
        features.Standardize(),
        features.MinMax(feature_range=(-1, 1)),
        features.Polar(columns=(0, 2), center="mean"),
        features.Radial(columns=[0, 1], keep_input=True),
        features.Polynomial(degree=3, interaction_only=True),
        features.OneHot(columns=[1]),
        features.Log(columns=[0, 2]),
        features.Expression(["x1*x2", "sqrt(x3)"]),
        features.Identity(),
        features.Pipeline(["polar(0,1)", features.Polynomial(2), "standardize"]),
    ]


ALL = make_all()


@pytest.mark.parametrize("transform", ALL, ids=lambda t: type(t).__name__)
def test_save_and_restore_through_json(transform):
    train, test = X[:30], X[30:] + 0.05
    expected = transform.fit(train).transform(test)
    config = json.loads(json.dumps(transform.get_config()))
    state = {key: np.array(value) for key, value in transform.state_dict().items()}
    again = features.from_config(config, state)
    assert again.is_fitted and type(again) is type(transform)
    np.testing.assert_array_equal(again.transform(test), expected)
    assert len(transform.get_feature_names_out()) == expected.shape[1]


@pytest.mark.parametrize("index", range(len(ALL)))
def test_unfitted_config_rebuilds_an_unfitted_transform(index):
    transform = make_all()[index]
    again = features.from_config(json.loads(json.dumps(transform.get_config())))
    assert type(again) is type(transform) and not again.is_fitted
    assert again.get_config() == transform.get_config()


def test_state_dict_returns_copies():
    scaler = features.Standardize().fit(X)
    scaler.state_dict()["mean"][:] = 99.0
    assert scaler.mean_[0] != 99.0


def test_pipeline_fits_each_step_on_the_previous_output():
    pipe = features.Pipeline(["polar", "standardize"]).fit(X[:, :2])
    out = pipe.transform(X[:, :2])
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-5)
    assert pipe.steps[1].n_features_in_ == 4
    assert pipe.get_feature_names_out(["a", "b"])[0] == "r(a,b)"
    assert sorted(pipe.state_dict()) == ["0.center", "1.mean", "1.scale"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("standardize", features.Standardize), ("standardise", features.Standardize),
        ("minmax", features.MinMax), ("polar", features.Polar), ("radial", features.Radial),
        ("polynomial", features.Polynomial), ("poly", features.Polynomial), ("onehot", features.OneHot),
        ("log", features.Log), ("raw", features.Identity), (" Polar ", features.Polar),
    ],
)  # fmt: skip
def test_get_by_name(name, kind):
    assert type(features.get(name)) is kind


def test_get_lists_and_passes_arguments():
    pipe = features.get("polar,standardize")
    assert isinstance(pipe, features.Pipeline) and [type(s) for s in pipe.steps] == [
        features.Polar, features.Standardize,
    ]  # fmt: skip
    assert features.get("polynomial", degree=3).degree == 3
    scaler = features.Standardize()
    assert features.get(scaler) is scaler
    assert isinstance(features.get(["log", "standardize"]), features.Pipeline)


def test_get_unknown_name_lists_the_choices():
    with pytest.raises(
        ValueError,
        match=r"unknown representation 'polr' \(did you mean 'polar'\?\); choose from: .*polar.*raw",
    ):
        features.get("polr")
    with pytest.raises(TypeError, match=r"a representation is a name"):
        features.get(3)
    with pytest.raises(
        TypeError, match=r"features.get\('expression'\): .*missing 1 required .*'expressions'"
    ):
        features.get("expression")


def test_from_config_errors():
    with pytest.raises(ValueError, match=r"unknown transform type 'spline'"):
        features.from_config({"type": "spline"})
    with pytest.raises(ValueError, match=r"bad parameters for transform 'polar'"):
        features.from_config({"type": "polar", "colums": [0, 1]})
    with pytest.raises(ValueError, match=r"the saved state lacks mean, scale"):
        features.from_config({"type": "standardize", "n_features_in": 2}, {})
    with pytest.raises(ValueError, match=r"a dict with a 'type' key"):
        features.from_config(["standardize"])


def test_repr():
    assert repr(features.Polynomial(3)) == "Polynomial(degree=3, interaction_only=False, include_bias=False)"
