"""Model files: bit-exact round trips, hostile and broken files, atomic writes, no pickle."""

from __future__ import annotations

import errno
import json
import os
import pickle
import struct
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descenso import serialize
from descenso.serialize import ModelFileError, read_model_file, write_model_file

OURS = {"format": "descenso-model", "format_version": "1.0", "descenso_version": "0.1.0"}


def sample_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "layers.0.weight": rng.normal(size=(4, 3)).astype(np.float32),
        "layers.0.bias": rng.normal(size=4).astype(np.float32),
        "scaler.mean": rng.normal(size=3),  # float64
        "classes": np.array([0, 1], dtype=np.int64),
        "step": np.array(7, dtype=np.int64),  # 0-d
    }


def raw_file(header: dict, data: bytes = b"", length: int | None = None) -> bytes:
    """A safetensors file built by hand, so tests can forge any part of it."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def tensor_header(entries: dict, metadata: dict | None = OURS) -> dict:
    header = dict(entries)
    if metadata is not None:
        header["__metadata__"] = {"descenso": json.dumps(metadata)}
    return header


def write_bytes(directory: Path, content: bytes, name: str = "m.descenso") -> Path:
    path = directory / name
    path.write_bytes(content)
    return path


def assert_refused(path, match: str | None = None) -> ModelFileError:
    with pytest.raises(ModelFileError, match=match) as caught:
        read_model_file(path)
    assert str(path) in str(caught.value)
    return caught.value


# ---------------------------------------------------------------------------- round trip


def test_round_trip_is_bit_exact(tmp_path):
    arrays = sample_arrays()
    arrays["tiny"] = np.array([np.finfo(np.float64).tiny, -0.0, 1e308, np.pi])
    arrays["subnormal32"] = np.array([1e-45, -np.float32(3.4e38)], dtype=np.float32)
    arrays["empty"] = np.zeros((0, 5), dtype=np.float32)
    metadata = {
        "architecture": {"type": "mlp", "hidden": [16, 16], "activation": "relu"},
        "classes": ["no", "sí"],
        "feature_names": ["x1", "x2", "x3"],
        "stop_reason": "validation loss did not improve for 20 epochs",
        "lr": np.float32(0.01),  # NumPy scalars are stored as numbers
        "epochs": np.int64(12),
    }
    path = write_model_file(tmp_path / "m.descenso", arrays, metadata)
    loaded, meta = read_model_file(path)
    assert set(loaded) == set(arrays)
    for name, array in arrays.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        assert loaded[name].tobytes() == array.tobytes()  # bit-exact, signed zero included
        assert loaded[name].flags.writeable
    assert meta["architecture"] == metadata["architecture"] and meta["classes"] == ["no", "sí"]
    assert meta["lr"] == float(np.float32(0.01)) and meta["epochs"] == 12
    assert meta["format"] == "descenso-model" and meta["format_version"] == "1.0"
    import descenso

    assert meta["descenso_version"] == descenso.__version__


def test_non_contiguous_and_big_endian_arrays_are_stored_by_value(tmp_path):
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    arrays = {"strided": base[:, ::2], "transposed": base.T, "big": base.astype(">f8")}
    loaded, _ = read_model_file(write_model_file(tmp_path / "m", arrays, {}))
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)
    assert loaded["big"].dtype == np.dtype("<f8")


def test_overwrite_replaces_and_keeps_mode(tmp_path):
    path = write_model_file(tmp_path / "m", sample_arrays(0), {"v": 1})
    os.chmod(path, 0o640)
    write_model_file(path, sample_arrays(1), {"v": 2})
    assert read_model_file(path)[1]["v"] == 2
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary file left


def test_new_file_gets_umask_mode_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_model_file(tmp_path / "m", sample_arrays(), {})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------------------- broken and hostile files


def test_truncated_at_every_length_is_refused(tmp_path):
    content = write_model_file(tmp_path / "good", sample_arrays(), {"a": 1}).read_bytes()
    for length in range(len(content)):
        path = write_bytes(tmp_path, content[:length])
        error = assert_refused(path)
        if length == 0:
            assert "empty" in str(error)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_byte_flips_load_or_fail_cleanly(tmp_path, data):
    content = bytearray((tmp_path / "good").read_bytes() if (tmp_path / "good").exists() else b"")
    if not content:
        content = bytearray(write_model_file(tmp_path / "good", sample_arrays(), {"a": [1, 2]}).read_bytes())
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(content) - 1), st.integers(1, 255)), max_size=4))
    for position, mask in flips:
        content[position] ^= mask
    path = write_bytes(tmp_path, bytes(content), "flipped")
    try:
        arrays, metadata = read_model_file(path)
    except ModelFileError as error:
        assert "flipped" in str(error)
    else:  # a flip inside tensor data or JSON string text can leave a valid file
        assert len(arrays) == len(sample_arrays()) and metadata["format"] == "descenso-model"


@pytest.mark.parametrize(
    ("length", "match"),
    [
        (0, "header length says 0"),
        (2**64 - 1, "header length says 18446744073709551615"),
        (10**12, "truncated"),
    ],
)
def test_forged_header_lengths_fail_fast_without_allocating(tmp_path, length, match):
    path = write_bytes(tmp_path, raw_file(tensor_header({}), length=length))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        assert_refused(path, match)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 0.5
    assert peak < 1_000_000


def test_header_length_past_end_of_file(tmp_path):
    good = raw_file(tensor_header({}))
    assert read_model_file(write_bytes(tmp_path, good))[0] == {}
    assert_refused(write_bytes(tmp_path, struct.pack("<Q", len(good) - 7) + good[8:]), "file has")


@pytest.mark.parametrize(
    ("header_text", "match"),
    [
        (b'{"a": ', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 200_000, "JSON"),  # nesting bomb
        (b'{"__metadata__": {"descenso": "{}"}, "__metadata__": {}}', "duplicate key"),
    ],
)
def test_bad_header_json(tmp_path, header_text, match):
    path = write_bytes(tmp_path, struct.pack("<Q", len(header_text)) + header_text)
    assert_refused(path, match)


F32_PAIR = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize(
    ("entries", "data", "match"),
    [
        ({"w": {**F32_PAIR, "dtype": "BF16"}}, 8, "dtype 'BF16'"),
        ({"w": {**F32_PAIR, "dtype": "I32"}}, 8, "dtype 'I32'"),
        ({"w": {**F32_PAIR, "dtype": 5}}, 8, "dtype 5"),
        ({"w": {"dtype": "F32", "shape": [2]}}, 8, "expected keys"),
        ({"w": [1, 2]}, 8, "expected keys"),
        ({"w": {**F32_PAIR, "shape": [-2]}}, 8, "non-negative integers"),
        ({"w": {**F32_PAIR, "shape": [2.0]}}, 8, "non-negative integers"),
        ({"w": {**F32_PAIR, "shape": [True, 2]}}, 8, "non-negative integers"),
        ({"w": {**F32_PAIR, "shape": [1] * 40}}, 8, "non-negative integers"),
        ({"w": {**F32_PAIR, "data_offsets": [0]}}, 8, "two integers"),
        ({"w": {**F32_PAIR, "data_offsets": [0, 8.0]}}, 8, "two integers"),
        ({"w": {**F32_PAIR, "data_offsets": [0, 16]}}, 8, "outside the 8 bytes"),
        ({"w": {**F32_PAIR, "data_offsets": [-8, 0]}}, 8, "outside"),
        ({"w": {**F32_PAIR, "data_offsets": [8, 0]}}, 8, "outside"),
        ({"w": {**F32_PAIR, "shape": [3]}}, 8, "needs 12 bytes; data_offsets span 8"),
        ({"w": {**F32_PAIR, "shape": [2**40, 2**40]}}, 8, "needs 4835703278458516698824704 bytes"),
        ({"w": F32_PAIR, "v": F32_PAIR}, 16, "overlaps the previous tensor"),
        ({"w": F32_PAIR, "v": {**F32_PAIR, "data_offsets": [12, 20]}}, 20, "leaves a gap after byte 8"),
        ({"w": F32_PAIR}, 12, "accounts for 8 bytes of tensor data but the file holds 12"),
        ({}, 4, "accounts for 0 bytes"),
    ],
)
def test_bad_tensor_entries(tmp_path, entries, data, match):
    assert_refused(write_bytes(tmp_path, raw_file(tensor_header(entries), b"\0" * data)), match)


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        (None, "no descenso metadata"),
        ({**OURS, "format": "other-model"}, "format is 'other-model'"),
        ({k: v for k, v in OURS.items() if k != "format"}, "format is None"),
        ({**OURS, "format_version": "2.0", "descenso_version": "9.9.9"}, "newer descenso 9.9.9.*Upgrade"),
        ({**OURS, "format_version": "1"}, "must look like '1.0'"),
        ({**OURS, "format_version": 1.0}, "must look like '1.0'"),
        ({**OURS, "format_version": "0.9"}, "not a released format"),
    ],
)
def test_bad_metadata(tmp_path, metadata, match):
    path = write_bytes(tmp_path, raw_file(tensor_header({"w": F32_PAIR}, metadata), b"\0" * 8))
    assert_refused(path, match)


def test_metadata_that_is_not_ours(tmp_path):
    for stored, match in [
        ({"descenso": "[1]"}, "must be a JSON object"),
        ({"descenso": "{"}, "descenso metadata is not valid JSON"),
        ({"descenso": json.dumps(OURS), "other": 3}, "strings to strings"),
        ({"descenso": 3}, "no descenso metadata"),
        ([], "no descenso metadata"),
    ]:
        path = write_bytes(tmp_path, raw_file({"__metadata__": stored}))
        assert_refused(path, match)


def test_newer_minor_version_still_loads(tmp_path):
    path = write_bytes(tmp_path, raw_file(tensor_header({}, {**OURS, "format_version": "1.7", "new": 1})))
    assert read_model_file(path)[1]["new"] == 1


def test_plain_safetensors_file_is_not_a_model(tmp_path):
    from safetensors.numpy import save_file

    save_file({"w": np.ones(3, np.float32)}, str(tmp_path / "plain.safetensors"))
    assert_refused(tmp_path / "plain.safetensors", "not a descenso model file")


def test_pickle_and_npz_files_renamed_are_refused(tmp_path):
    content = pickle.dumps({"weights": np.ones(3), "evil": print})
    assert_refused(write_bytes(tmp_path, content, "pickled.descenso"), "header length says")
    np.savez(tmp_path / "arrays.npz", w=np.ones(3))
    assert_refused(tmp_path / "arrays.npz", "header length says")


def test_empty_short_missing_directory_and_fifo(tmp_path):
    assert_refused(write_bytes(tmp_path, b""), "the file is empty")
    assert_refused(write_bytes(tmp_path, b"\x01\0\0"), "too short")
    assert_refused(tmp_path / "missing.descenso", "no such file")
    assert_refused(tmp_path, "directory")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        assert_refused(tmp_path / "fifo", "not a regular file")  # and does not wait for a writer


def test_max_bytes(tmp_path):
    path = write_model_file(tmp_path / "m", sample_arrays(), {})
    size = path.stat().st_size
    assert read_model_file(path, max_bytes=size)[0].keys() == sample_arrays().keys()
    with pytest.raises(ModelFileError, match=f"{size} bytes, more than max_bytes={size - 1}"):
        read_model_file(path, max_bytes=size - 1)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(TypeError, match="max_bytes"):
            read_model_file(path, max_bytes=bad)
    with pytest.raises(TypeError, match="path"):
        read_model_file(3)


def test_model_file_error_is_a_value_error_with_path():
    error = ModelFileError("bad shapes", "x.descenso")
    assert isinstance(error, ValueError) and error.path == "x.descenso" and error.problem == "bad shapes"
    assert str(ModelFileError("no path")) == "no path"


def test_loading_never_unpickles(tmp_path, monkeypatch):
    path = write_model_file(tmp_path / "m", sample_arrays(), {"a": 1})

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was called")

    for name in ("loads", "load", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    arrays, _ = read_model_file(path)
    assert arrays["classes"].tolist() == [0, 1]
    assert "pickle" not in sys.modules["descenso.serialize"].__dict__


# ---------------------------------------------------------------------------- atomic writes


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def test_failure_midway_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = write_model_file(tmp_path / "m.descenso", sample_arrays(0), {"v": "old"})
    before = snapshot(tmp_path)

    def write_half_then_fail(file, data):
        file.write(data[: len(data) // 2])
        file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(serialize, "_write_all", write_half_then_fail)
    with pytest.raises(OSError, match=r"cannot save the model to .*m\.descenso.*No space left.*unchanged"):
        write_model_file(path, sample_arrays(1), {"v": "new"})
    assert snapshot(tmp_path) == before
    assert read_model_file(path)[1]["v"] == "old"


def test_interrupt_and_fsync_failure_keep_the_old_file(tmp_path, monkeypatch):
    path = write_model_file(tmp_path / "m.descenso", sample_arrays(0), {"v": "old"})
    before = snapshot(tmp_path)

    def interrupted(file, data):
        file.write(data[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(serialize, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_model_file(path, sample_arrays(1), {"v": "new"})
    assert snapshot(tmp_path) == before
    monkeypatch.undo()

    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        write_model_file(path, sample_arrays(1), {"v": "new"})
    assert snapshot(tmp_path) == before


def test_unwritable_destinations(tmp_path):
    blocker = write_bytes(tmp_path, b"a file, not a directory", "blocker")
    with pytest.raises(NotADirectoryError, match="cannot save the model to"):
        write_model_file(blocker / "m.descenso", sample_arrays(), {})
    with pytest.raises(FileNotFoundError, match="cannot save the model to"):
        write_model_file(tmp_path / "missing" / "m.descenso", sample_arrays(), {})
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match="is a directory"):
        write_model_file(tmp_path / "folder", sample_arrays(), {})


@pytest.mark.parametrize("step", ["mkstemp", "replace"])
def test_read_only_directory_keeps_the_old_file(tmp_path, monkeypatch, step):
    # A read-only directory refuses the temporary file (mkstemp) or, on some filesystems, the rename
    # onto the old file. Simulated, because root (as in CI) may write into a 0o555 directory anyway.
    path = write_model_file(tmp_path / "m.descenso", sample_arrays(0), {"v": "old"})
    before = snapshot(tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile if step == "mkstemp" else os, step, denied)
    with pytest.raises(PermissionError, match=r"cannot save the model to .*m\.descenso.*Permission denied"):
        write_model_file(path, sample_arrays(1), {"v": "new"})
    monkeypatch.undo()
    assert snapshot(tmp_path) == before  # no temporary file left behind either
    assert read_model_file(path)[1]["v"] == "old"


# ---------------------------------------------------------------------------- writing validates


@pytest.mark.parametrize(
    ("arrays", "metadata", "error", "match"),
    [
        ({"w": np.ones(2, np.int32)}, {}, TypeError, "dtype int32.*astype"),
        ({"w": np.ones(2, bool)}, {}, TypeError, "dtype bool"),
        ({"w": np.ones(2, np.float16)}, {}, TypeError, "float16"),
        ({"w": [1.0, 2.0]}, {}, TypeError, "must be a numpy array"),
        ({"": np.ones(2)}, {}, ValueError, "non-empty strings"),
        ({"__metadata__": np.ones(2)}, {}, ValueError, "__metadata__"),
        ([np.ones(2)], {}, TypeError, "dict of name"),
        ({}, {"format": "x"}, ValueError, "reserved|set by write_model_file"),
        ({}, {"tol": float("nan")}, ValueError, "plain JSON"),
        ({}, {"fn": print}, TypeError, "JSON cannot store"),
        ({}, [1], TypeError, "metadata must be a dict"),
    ],
)
def test_write_refuses_bad_input_before_touching_disk(tmp_path, arrays, metadata, error, match):
    with pytest.raises(error, match=match):
        write_model_file(tmp_path / "m", arrays, metadata)
    assert list(tmp_path.iterdir()) == []


def test_a_library_failure_after_our_checks_is_still_a_model_file_error(tmp_path, monkeypatch):
    path = write_model_file(tmp_path / "m", sample_arrays(), {})

    class Broken:
        @staticmethod
        def load(data):
            raise RuntimeError("library disagrees")

    monkeypatch.setattr(serialize, "_safetensors", lambda: Broken)
    assert_refused(path, "safetensors could not decode it: library disagrees")


def test_a_flipped_or_zeroed_weight_byte_is_refused_by_the_checksum(tmp_path):
    path = tmp_path / "m.descenso"
    weights = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    serialize.write_model_file(path, {"w": weights}, {"architecture": "linear"})
    arrays, metadata = serialize.read_model_file(path)
    assert arrays["w"].tobytes() == weights.tobytes() and "tensor_sha256" not in metadata
    data = bytearray(path.read_bytes())
    for change in ("flip", "zero"):
        corrupt = bytearray(data)
        if change == "flip":
            corrupt[-5] ^= 0x01  # one bit of the last weights
        else:
            corrupt[-16:] = bytes(16)
        path.write_bytes(bytes(corrupt))
        with pytest.raises(serialize.ModelFileError, match="does not match the sha256 checksum"):
            serialize.read_model_file(path)
