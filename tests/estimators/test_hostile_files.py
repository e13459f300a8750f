"""Forged and mutated model files: refused with ModelFileError, before anything large is allocated.

The fuzzer at the end is seeded and bounded (a few hundred files, a few seconds); it asserts that
loading a mutated file either raises ModelFileError or gives back a model that predicts exactly
as the original, and that nothing it tries makes the loader allocate more than a few megabytes.
"""

from __future__ import annotations

import copy
import json
import re
import struct
import tracemalloc

import numpy as np
import pytest

from descenso import nn, serialize
from descenso.estimators import BinaryClassifier, ModelFileError, Regressor, load

pytest.importorskip("safetensors")

FAST = {"hidden": (4, 4), "lr": 1e-2, "max_epochs": 30, "n_iter_no_change": None, "random_state": 0}
RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y = X[:, 0] - 2 * X[:, 1]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    regressor = Regressor(**FAST, features=["polynomial", "standardize"], linear_candidate=False).fit(X, Y)
    classifier = BinaryClassifier(**FAST).fit(X, np.where(Y > 0, "high", "low"))
    made = {}
    for name, model in (("regressor", regressor), ("classifier", classifier)):
        for history in [model.history_, *getattr(model, "histories_", [])]:
            history.time = [0.0] * len(history.time)  # the same bytes every run: a deterministic fuzzer
        model.save(folder / f"{name}.descenso")
        made[name] = (folder / f"{name}.descenso", model)
    return made


def forge(source, target, change):
    """Rewrite a model file through ``change(arrays, metadata)``, with fresh checksums: a careful forger."""
    arrays, metadata = serialize.read_model_file(source)
    for key in ("format", "format_version", "descenso_version"):
        metadata.pop(key)
    change(arrays, metadata)
    serialize.write_model_file(target, arrays, metadata)
    return target


def peak_bytes_while(function):
    """Run ``function`` and return (what it raised or returned, the peak bytes traced meanwhile)."""
    tracemalloc.start()
    try:
        try:
            outcome = function()
        except Exception as error:  # the caller asserts on what it was
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def widen(arrays, metadata):
    metadata["architecture"]["hidden"] = [8000, 8000]
    metadata["params"]["hidden"] = [8000, 8000]


def test_a_small_file_declaring_two_8000_wide_layers_is_refused_without_building(files, tmp_path):
    source, _ = files["regressor"]
    forged = forge(source, tmp_path / "wide.descenso", widen)
    assert forged.stat().st_size < 8_000  # a few KB of file ...
    _, meta = serialize.read_model_file(forged)
    declared = nn.parameter_shapes(meta["architecture"])
    assert sum(4 * np.prod(shape) for shape, _ in declared.values()) > 256_000_000  # ... declaring 256 MB
    error, peak = peak_bytes_while(lambda: load(forged))
    assert isinstance(error, ModelFileError)
    assert re.search(
        r"'layers.0.weight' is float32\(\d+, 9\) but the architecture needs float32\(8000, 9\)", str(error)
    )
    assert peak < 2_000_000, f"refusing it traced {peak} bytes"


def test_a_forged_polynomial_degree_is_refused_before_listing_its_columns(files, tmp_path):
    source, _ = files["regressor"]
    forged = forge(
        source,
        tmp_path / "degree.descenso",
        lambda a, m: m["representation"]["steps"][0].__setitem__("degree", 10**6),
    )
    error, peak = peak_bytes_while(lambda: load(forged))
    assert isinstance(error, ModelFileError) and "more than 100000" in str(error)
    assert peak < 2_000_000


def test_metadata_larger_than_the_limit_is_refused_naming_it(files, tmp_path, monkeypatch):
    source, _ = files["regressor"]
    padded = forge(source, tmp_path / "big.descenso", lambda a, m: m.__setitem__("note", "x" * 5000))
    size = len(padded.read_bytes())
    monkeypatch.setattr(serialize, "MAX_METADATA_BYTES", 4000)
    with pytest.raises(ModelFileError, match=r"more than the limit of MAX_METADATA_BYTES=4000") as raised:
        load(padded)
    assert str(padded) in str(raised.value) and size > 5000
    monkeypatch.setattr(serialize, "MAX_METADATA_BYTES", size)
    assert isinstance(load(padded), Regressor)  # the limit, not the content, refused it


def test_writing_refuses_metadata_a_reader_would_refuse(tmp_path):
    deep = nested(serialize.MAX_METADATA_DEPTH)
    with pytest.raises(ValueError, match=r"nesting 65 levels deep.*MAX_METADATA_DEPTH=64"):
        serialize.write_model_file(tmp_path / "deep.descenso", {}, {"deep": deep})
    big = "x" * serialize.MAX_METADATA_BYTES
    with pytest.raises(ValueError, match=r"a model file holds at most MAX_METADATA_BYTES=67108864 bytes"):
        serialize.write_model_file(tmp_path / "big.descenso", {}, {"note": big})
    assert list(tmp_path.iterdir()) == []  # refused before touching the disk


def nested(depth):
    value: object = 1
    for _ in range(depth - 1):
        value = [value]
    return [value]


@pytest.mark.parametrize(
    ("depth", "refused"), [(serialize.MAX_METADATA_DEPTH - 1, False), (65, True), (100_000, True)]
)
def test_metadata_nesting_deeper_than_the_limit_is_refused(tmp_path, depth, refused):
    text = "[" * depth + "]" * depth  # written by hand: json.dumps itself cannot nest 100 000 deep
    document = json.dumps({**{"format": "descenso-model", "format_version": "1.0"}, "deep": "@"})
    document = document.replace('"@"', text)
    header = json.dumps({"__metadata__": {"descenso": document}}).encode()
    path = tmp_path / "deep.descenso"
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    if not refused:
        _, metadata = serialize.read_model_file(path)
        assert len(json.dumps(metadata["deep"])) == 2 * depth
        return
    with pytest.raises(ModelFileError, match=r"nest|not acceptable JSON") as raised:
        serialize.read_model_file(path)
    if depth < 1000:
        assert "nests more than 64 levels deep (the limit, MAX_METADATA_DEPTH)" in str(raised.value)


def test_a_changed_digit_in_the_metadata_is_refused_by_its_checksum(files, tmp_path):
    source, model = files["regressor"]
    raw = source.read_bytes()
    mean = json.dumps(model.y_mean_)
    assert raw.count(mean.encode()) == 1
    changed = mean[:-1] + ("1" if mean[-1] != "1" else "2")
    path = tmp_path / "digit.descenso"
    path.write_bytes(raw.replace(mean.encode(), changed.encode()))
    with pytest.raises(ModelFileError, match="metadata does not match the sha256 checksum"):
        load(path)


@pytest.mark.parametrize(
    "config",
    [
        {"type": "MLP", "in_features": 3, "hidden": [4, 2], "dtype": None},  # None: float64, as the builder
        {"type": "MLP", "in_features": 3, "hidden": 5, "dropout": 0.5, "activation": ["tanh"]},
        {"type": "MLP", "in_features": 2, "hidden": [], "out_features": 3, "dtype": "float64"},
        {"type": "Linear", "in_features": 3, "out_features": 2, "bias": False},
        {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 2, "out_features": 3},
                                          {"type": "ReLU"}, {"type": "Dropout", "p": 0.1},
                                          {"type": "Linear", "in_features": 3, "out_features": 1}]},
    ],
)  # fmt: skip
def test_declared_shapes_are_the_shapes_the_builder_makes(config):
    built = {
        name: (value.shape, str(value.dtype)) for name, value in nn.from_config(config).state_dict().items()
    }
    assert nn.parameter_shapes(config) == built


def test_a_number_out_of_range_in_the_metadata_is_refused(files, tmp_path):
    source, model = files["regressor"]
    raw = source.read_bytes()
    mean = json.dumps(model.y_mean_).encode()
    path = tmp_path / "inf.descenso"
    path.write_bytes(raw.replace(mean, b"1e999"[: len(mean)].ljust(len(mean), b"9")))
    with pytest.raises(ModelFileError, match="not acceptable JSON: ValueError: the number 1e999"):
        load(path)


@pytest.mark.parametrize("failure", [MemoryError, OverflowError])
def test_allocation_failures_while_building_become_model_file_errors(files, monkeypatch, failure):
    source, _ = files["regressor"]

    def cannot_allocate(*args, **kwargs):
        raise failure("cannot allocate")

    monkeypatch.setattr(nn, "from_config", cannot_allocate)
    with pytest.raises(ModelFileError, match=f"{failure.__name__}: cannot allocate.*too large to allocate"):
        load(source)


def test_a_memory_error_while_reading_becomes_a_model_file_error(files, monkeypatch):
    source, _ = files["regressor"]

    def cannot_allocate(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(serialize, "_load_tensors", cannot_allocate)
    with pytest.raises(ModelFileError, match="not enough memory to read it"):
        load(source)


# ---------------------------------------------------------------------------- the fuzzer


def mutate_bytes(raw: bytes, rng: np.random.Generator) -> bytes:
    data = bytearray(raw)
    kind = rng.integers(6)
    if kind == 0:  # flip one to three bytes anywhere
        for position in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[position] ^= int(rng.integers(1, 256))
    elif kind == 1:  # truncate
        del data[int(rng.integers(0, len(data))) :]
    elif kind == 2:  # insert or delete one byte
        position = int(rng.integers(8, len(data)))
        if rng.random() < 0.5:
            data.insert(position, int(rng.integers(256)))
        else:
            del data[position]
    elif kind == 3:  # forge the header length
        data[:8] = struct.pack("<Q", int(rng.choice([0, 1, len(data), 2**63, int(rng.integers(0, 2**40))])))
    elif kind == 4:  # flip a byte inside the JSON header, where most of the structure is
        (length,) = struct.unpack("<Q", raw[:8])
        data[8 + int(rng.integers(0, length))] ^= int(rng.integers(1, 256))
    else:  # zero a run of tensor bytes
        (length,) = struct.unpack("<Q", raw[:8])
        start = int(rng.integers(8 + length, len(data)))
        data[start : start + 8] = bytes(len(data[start : start + 8]))
    return bytes(data)


HOSTILE_VALUES = [0, -1, 1, 8000, 10**6, 2**63, 1.5, float(2**70), True, False, None, "", "x", [], {},
                  [8000, 8000], {"type": "MLP"}, "float16", "object", [0] * 5]  # fmt: skip


def paths_in(value, prefix=()):
    """Every place in a JSON document, as a tuple of keys and indices."""
    yield prefix
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    )
    for key, child in children:
        yield from paths_in(child, (*prefix, key))


def mutate_document(arrays, metadata, rng):
    """Change one value, key or array the way a forger could, keeping the file self-consistent."""
    if rng.random() < 0.3:
        name = sorted(arrays)[int(rng.integers(len(arrays)))]
        array, kind = arrays[name], rng.integers(5)
        if kind == 0:
            del arrays[name]
        elif kind == 1:
            arrays[name] = np.zeros(
                tuple(int(n) + int(rng.integers(1, 3)) for n in array.shape) or (2,), array.dtype
            )
        elif kind == 2:
            arrays[name] = array.astype(np.float64 if array.dtype == np.float32 else np.float32)
        elif kind == 3:
            arrays[name] = np.full_like(array, np.nan) if array.dtype.kind == "f" else array + 10**9
        else:
            arrays["model.extra"] = np.ones(3, np.float32)
        return
    places = [place for place in paths_in(metadata) if place]
    place = places[int(rng.integers(len(places)))]
    parent = metadata
    for key in place[:-1]:
        parent = parent[key]
    if rng.random() < 0.2 and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = copy.deepcopy(HOSTILE_VALUES[int(rng.integers(len(HOSTILE_VALUES)))])


CASES = 160  # per base file: about two seconds each


def predictions(model):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_fuzzed_files_only_ever_raise_model_file_error(files, tmp_path, kind):
    source, original = files[kind]
    expected = predictions(original)
    raw = source.read_bytes()
    pristine = serialize.read_model_file(source)
    rng = np.random.default_rng(12)
    outcomes = {"refused": 0, "equal": 0, "forged and loaded": 0}
    tracemalloc.start()
    try:
        for case in range(CASES):
            path = tmp_path / f"case{case}.descenso"
            forged = case % 2 == 1
            if forged:
                arrays, metadata = copy.deepcopy(pristine)
                for key in ("format", "format_version", "descenso_version"):
                    metadata.pop(key)
                mutate_document(arrays, metadata, rng)
                try:
                    serialize.write_model_file(path, arrays, metadata)
                except (TypeError, ValueError):
                    continue  # not even writable: nothing for the loader to see
            else:
                path.write_bytes(mutate_bytes(raw, rng))
            try:
                model = load(path)
            except ModelFileError as error:
                assert str(path) in str(error)
                outcomes["refused"] += 1
                continue
            if not forged:  # a raw mutation that loads must be harmless
                np.testing.assert_array_equal(predictions(model), expected, err_msg=f"case {case}")
                outcomes["equal"] += 1
            else:  # a careful forger can change a setting; the model must still be whole
                assert model.n_features_in_ == 3 and predictions(model).shape[0] == len(X)
                outcomes["forged and loaded"] += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"the fuzzer's loads traced {peak} bytes"
    assert outcomes["refused"] > CASES // 2, outcomes  # the mutations do reach the checks
    assert outcomes["forged and loaded"] > 0, outcomes
