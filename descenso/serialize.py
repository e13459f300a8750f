"""Model files: safetensors tensors plus descenso's JSON metadata, written atomically, read defensively.

A model file is a plain `safetensors <https://github.com/huggingface/safetensors>`_ file::

    8 bytes   N, the header length (unsigned little-endian 64-bit)
    N bytes   JSON header: {"__metadata__": {"descenso": "<JSON text>"},
                            "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
    rest      the tensors' bytes, little-endian, C order, back to back

The ``"descenso"`` string holds our metadata as JSON: ``format`` ("descenso-model"),
``format_version`` ("MAJOR.MINOR"), ``descenso_version`` and whatever the caller stored (architecture,
representation state, classes, feature names, training settings, stop reason).

Loading never unpickles and runs no code: it reads numbers. Before any large allocation it checks
the file size, the header length against it, the header JSON, every dtype, shape and offset, and
the metadata's format and version; any problem becomes a :class:`ModelFileError` that names the
file and the problem. Writing goes to a temporary file in the same directory, is flushed and
fsynced, then renamed over the target, so a crash mid-save never leaves a half-written model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import stat
import struct
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from descenso.backend import to_numpy

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelFileError",
    "atomic_write_bytes",
    "read_model_file",
    "write_model_file",
]

FORMAT_NAME = "descenso-model"
FORMAT_VERSION = "1.0"  # bump the minor for additions old readers may ignore, the major otherwise
METADATA_KEY = "descenso"
DEFAULT_MAX_BYTES = 2**31  # 2 GiB: far above any model descenso trains, far below a forged size
MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
MAX_NDIM = 32
MAX_METADATA_BYTES = 64 * 2**20  # 64 MiB of JSON, a history of some 600 000 epochs; writing refuses more too
MAX_METADATA_DEPTH = 64  # nesting of JSON objects and lists; descenso's own metadata nests under 10
DTYPES: dict[str, np.dtype[Any]] = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}
_RESERVED = ("format", "format_version", "descenso_version", "tensor_sha256", "metadata_sha256")
_CHUNK = 1 << 20


class ModelFileError(ValueError):
    """A model file is missing, corrupt, truncated, hostile or from an unsupported version.

    Parameters
    ----------
    problem : str
        What is wrong, and where possible how to fix it.
    path : str or os.PathLike, optional
        The file; when given the message starts with it.

    Examples
    --------
    >>> str(ModelFileError("the file is empty", "model.descenso"))
    "model file 'model.descenso': the file is empty"
    """

    def __init__(self, problem: str, path: str | os.PathLike[str] | None = None) -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        super().__init__(problem if path is None else f"model file '{path}': {problem}")


# ---------------------------------------------------------------------------- writing


def _encode_metadata(
    metadata: dict[str, Any], format_name: str = FORMAT_NAME, checksum: str | None = None
) -> str:
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict; got {type(metadata).__name__}")
    clash = [key for key in _RESERVED if key in metadata]
    if clash:
        raise ValueError(f"metadata keys {clash} are set by write_model_file itself; rename them")
    from descenso import __version__  # here, not at import: descenso/__init__ may import this module

    document = {"format": format_name, "format_version": FORMAT_VERSION, "descenso_version": __version__}
    document.update(metadata)
    if checksum is not None:
        document["tensor_sha256"] = checksum

    def numpy_scalar(value: Any) -> Any:
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(
            f"metadata holds a {type(value).__name__}, which JSON cannot store; store arrays as arrays"
        )

    try:
        document = json.loads(_canonical_json(document, default=numpy_scalar))  # NumPy scalars -> numbers
    except ValueError as error:  # NaN or infinity
        raise ValueError(
            f"metadata must be plain JSON: {error}; store such numbers as strings or None"
        ) from None
    if checksum is not None:
        document["metadata_sha256"] = _metadata_digest(document)
    text = _canonical_json(document)
    if len(text) > MAX_METADATA_BYTES or _json_depth(document) > MAX_METADATA_DEPTH:  # ASCII: chars = bytes
        raise ValueError(
            f"the metadata is {len(text)} bytes of JSON nesting {_json_depth(document)} levels deep; a "
            f"model file holds at most MAX_METADATA_BYTES={MAX_METADATA_BYTES} bytes and "
            f"MAX_METADATA_DEPTH={MAX_METADATA_DEPTH} levels (readers refuse more). A long history is "
            "the usual cause: train for fewer epochs, or stop earlier"
        )
    return text


def _canonical_json(document: Any, default: Any = None) -> str:
    """The one spelling of ``document`` as JSON text, so a parsed copy re-encodes to the same bytes."""
    return json.dumps(document, allow_nan=False, default=default, sort_keys=True)


def _metadata_digest(document: dict[str, Any]) -> str:
    """sha256 of the metadata's canonical JSON without its own checksum: a changed digit is refused."""
    rest = {key: value for key, value in document.items() if key != "metadata_sha256"}
    return hashlib.sha256(_canonical_json(rest).encode()).hexdigest()


def _checked_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(arrays, dict):
        raise TypeError(f"arrays must be a dict of name -> numpy array; got {type(arrays).__name__}")
    checked = {}
    for name, array in arrays.items():
        array = to_numpy(array)  # a GPU model's weights are written from a host copy: files are host data
        if not isinstance(name, str) or not name or name == "__metadata__":
            raise ValueError(f"array names must be non-empty strings other than '__metadata__'; got {name!r}")
        if not isinstance(array, np.ndarray):
            raise TypeError(f"arrays[{name!r}] must be a numpy array; got {type(array).__name__}")
        if array.dtype.newbyteorder("<") not in DTYPES.values():
            raise TypeError(
                f"arrays[{name!r}] has dtype {array.dtype}; model files hold float32, float64 or int64. "
                f"Convert it, e.g. array.astype(np.int64)"
            )
        checked[name] = np.require(
            array, array.dtype.newbyteorder("<"), "C"
        )  # keeps 0-d (ascontiguousarray does not)
    return checked


def _write_all(file: BinaryIO, data: bytes) -> None:
    """Write ``data`` in chunks (a seam for tests that fail a write midway)."""
    view = memoryview(data)
    for start in range(0, len(view), _CHUNK):
        file.write(view[start : start + _CHUNK])


def _replace(source: str, target: Path) -> None:
    """``os.replace`` (a seam for tests that crash a save right before its rename)."""
    os.replace(source, target)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform can open a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _safetensors() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("model files need the safetensors package: pip install 'descenso[files]'") from None
    return safetensors.numpy


def _file_mode(path: Path) -> int:
    """The mode the saved file should have: the replaced file's, else 0666 minus the umask."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(path).st_mode)
    umask = os.umask(0)  # the only portable way to read it is to set it, then put it back at once
    os.umask(umask)
    return 0o666 & ~umask


def _save_error(error: OSError, path: Path, what: str, note: str = "") -> OSError:
    """The same kind of OSError, with a message that names the file being saved."""
    message = f"cannot save {what} to '{path}': {error.strerror or error}{note}"
    return type(error)(error.errno, message) if error.errno is not None else type(error)(message)


def write_model_file(
    path: str | os.PathLike[str],
    arrays: dict[str, np.ndarray],
    metadata: dict[str, Any],
    *,
    format_name: str = FORMAT_NAME,
    what: str = "the model",
) -> Path:
    """Write ``arrays`` and ``metadata`` to one safetensors model file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace. Its directory must exist.
    arrays : dict of str to numpy.ndarray
        Named float32, float64 or int64 arrays (any shape, including 0-d and empty).
    metadata : dict
        JSON-able data (dicts, lists, str, int, float, bool, None; NumPy scalars become numbers).
        The keys "format", "format_version" and "descenso_version" are reserved.
    format_name : str, default "descenso-model"
        The kind of file, stored as ``format`` (checkpoints are "descenso-checkpoint").
    what : str, default "the model"
        What the file holds, for error messages.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        For a non-dict, a non-array value, an unsupported dtype or metadata JSON cannot hold.
    ValueError
        For a bad array name, a reserved metadata key, or NaN/infinity in the metadata.
    OSError
        When the directory is missing or unwritable or the disk is full; the message names the path.
        Any existing file at ``path`` is then unchanged and no temporary file is left behind.

    Notes
    -----
    The bytes go to a temporary file in the same directory, which is flushed and fsynced, then
    ``os.replace`` renames it onto ``path`` (atomic on POSIX and Windows) and the directory is
    fsynced, so readers see either the old file or the complete new one.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "model.descenso"
    ...     _ = write_model_file(path, {"w": np.ones((2, 3), np.float32)}, {"architecture": "linear"})
    ...     arrays, meta = read_model_file(path)
    >>> arrays["w"].shape, meta["architecture"], meta["format"]
    ((2, 3), 'linear', 'descenso-model')
    """
    checked = _checked_arrays(arrays)
    encoded = _encode_metadata(metadata, format_name, _tensor_digest(checked))
    data = _safetensors().save(checked, metadata={METADATA_KEY: encoded})
    return atomic_write_bytes(path, data, what)


def _tensor_digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over every tensor's name, dtype, shape and little-endian bytes, in name order.

    Stored in the metadata and checked on load, so one flipped or zeroed byte of a weight is refused
    instead of silently moving predictions.
    """
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.require(arrays[name], arrays[name].dtype.newbyteorder("<"), "C")
        digest.update(f"{name}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, what: str = "the model") -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace; its directory must exist.
    data : bytes
    what : str, default "the model"
        What the file holds, for error messages: "cannot save {what} to '{path}': ...".

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OSError
        (the same subclass, e.g. PermissionError) naming ``path``; the old file is then unchanged
        and no temporary file is left. IsADirectoryError when ``path`` is a directory.

    Notes
    -----
    The bytes go to a temporary file in the same directory (same filesystem, so the rename is
    atomic), which is flushed and fsynced; ``os.replace`` then renames it onto ``path`` and the
    directory is fsynced so the rename survives a power cut. The new file keeps the mode of the
    file it replaces (else ``0666`` minus the umask).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     atomic_write_bytes(pathlib.Path(folder) / "a.bin", b"abc").read_bytes()
    b'abc'
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, f"cannot save {what} to '{path}': it is a directory; give a file name")
    directory = path.parent
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise _save_error(error, path, what) from error
    try:
        with os.fdopen(fd, "wb") as file:
            os.chmod(temporary, _file_mode(path))  # mkstemp makes 0600; a saved file gets the usual mode
            _write_all(file, data)
            file.flush()
            os.fsync(file.fileno())
        _replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _save_error(error, path, what, "; any existing file is unchanged") from error
        raise
    _fsync_directory(directory)
    return path


# ---------------------------------------------------------------------------- reading


def _open_regular(path: Path, max_bytes: int) -> tuple[BinaryIO, int]:
    """Open ``path`` for reading if it is a regular file of a plausible size; return (file, size)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (a hang); it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ModelFileError("no such file", path) from None
    except IsADirectoryError:
        raise ModelFileError("it is a directory, not a model file", path) from None
    except OSError as error:
        raise ModelFileError(f"cannot open it: {error.strerror or error}", path) from None
    info = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(info.st_mode):
        problem = "it is a directory, not a model file"
    elif not stat.S_ISREG(info.st_mode):
        problem = "it is not a regular file"
    elif info.st_size == 0:
        problem = "the file is empty"
    elif info.st_size < 8:
        problem = f"the file is {info.st_size} bytes, too short to hold the 8-byte header length"
    elif info.st_size > max_bytes:
        problem = (
            f"the file is {info.st_size} bytes, more than max_bytes={max_bytes}; "
            "pass a larger max_bytes if you trust this file"
        )
    if problem:
        os.close(fd)
        raise ModelFileError(problem, path)
    return os.fdopen(fd, "rb"), info.st_size


def _read_exactly(file: BinaryIO, count: int, what: str, path: Path) -> bytes:
    data = file.read(count)
    if len(data) != count:
        raise ModelFileError(f"the file ended early while reading {what} (changed while reading?)", path)
    return data


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"duplicate key {duplicate!r}")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as infinity, which JSON cannot hold
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _parse_json(text: bytes | str, what: str, path: Path) -> Any:
    try:
        # Decode as UTF-8 ourselves: json.loads would guess UTF-16/32 from the first bytes.
        return json.loads(
            text.decode("utf-8") if isinstance(text, bytes) else text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except UnicodeDecodeError as error:
        raise ModelFileError(
            f"{what} is not UTF-8 text: {error.reason} at byte {error.start}", path
        ) from None
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{what} is not valid JSON: {error.msg} at character {error.pos}", path
        ) from None
    except (ValueError, RecursionError) as error:  # duplicate keys, absurd numbers, nesting bombs
        raise ModelFileError(
            f"{what} is not acceptable JSON: {type(error).__name__}: {error}", path
        ) from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_tensor_entries(header: dict[str, Any], data_bytes: int, path: Path) -> None:
    """Dtypes, shapes and offsets: contiguous, non-overlapping, exactly covering the data."""
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        where = f"tensor {name!r:.80}"
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise ModelFileError(
                f"{where}: expected keys dtype, shape, data_offsets; got {entry!r:.200}", path
            )
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in DTYPES:
            raise ModelFileError(
                f"{where} has dtype {dtype!r:.40}; model files hold only {list(DTYPES)}", path
            )
        if (
            not isinstance(shape, list)
            or len(shape) > MAX_NDIM
            or not all(_is_int(n) and n >= 0 for n in shape)
        ):
            raise ModelFileError(
                f"{where}: shape must be a list of non-negative integers; got {shape!r:.200}", path
            )
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(n) for n in offsets)):
            raise ModelFileError(f"{where}: data_offsets must be two integers; got {offsets!r:.200}", path)
        begin, end = offsets
        if not 0 <= begin <= end <= data_bytes:
            raise ModelFileError(
                f"{where}: data_offsets [{str(begin)[:40]}, {str(end)[:40]}] fall outside the "
                f"{data_bytes} bytes of tensor data (truncated or corrupt file)",
                path,
            )
        expected = DTYPES[dtype].itemsize * math.prod(shape)  # exact Python ints: no overflow
        if end - begin != expected:
            raise ModelFileError(
                f"{where}: shape {shape} of {dtype} needs {expected} bytes; data_offsets span {end - begin}",
                path,
            )
        spans.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            kind = (
                "overlaps the previous tensor" if begin < position else f"leaves a gap after byte {position}"
            )
            raise ModelFileError(f"tensor {name!r:.80} at data_offsets [{begin}, {end}] {kind}", path)
        position = end
    if position != data_bytes:
        raise ModelFileError(
            f"the header accounts for {position} bytes of tensor data but the file holds {data_bytes}", path
        )


def _json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (no recursion: a deep one cannot crash it)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_METADATA_DEPTH:  # deeper than the limit is already refused: stop walking
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _check_metadata(header: dict[str, Any], path: Path, format_name: str = FORMAT_NAME) -> dict[str, Any]:
    """Our JSON metadata, with a supported format name and version."""
    from descenso import __version__

    stored = header.get("__metadata__")
    if not isinstance(stored, dict) or not isinstance(stored.get(METADATA_KEY), str):
        raise ModelFileError(
            "it has no descenso metadata: it is not a descenso model file (a plain safetensors file?)", path
        )
    if not all(isinstance(value, str) for value in stored.values()):
        raise ModelFileError("the safetensors __metadata__ must map strings to strings", path)
    text = stored[METADATA_KEY]
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_METADATA_BYTES:
        raise ModelFileError(
            f"the descenso metadata is {size} bytes, more than the limit of "
            f"MAX_METADATA_BYTES={MAX_METADATA_BYTES}: corrupt or forged",
            path,
        )
    metadata = _parse_json(text, "the descenso metadata", path)
    depth = _json_depth(metadata)
    if depth > MAX_METADATA_DEPTH:
        raise ModelFileError(
            f"the descenso metadata nests more than {MAX_METADATA_DEPTH} levels deep (the limit, "
            "MAX_METADATA_DEPTH): corrupt or forged",
            path,
        )
    if not isinstance(metadata, dict):
        raise ModelFileError(
            f"the descenso metadata must be a JSON object; got {type(metadata).__name__}", path
        )
    if metadata.get("format") != format_name:
        raise ModelFileError(f"format is {metadata.get('format')!r:.80}, expected {format_name!r}", path)
    version = metadata.get("format_version")
    match = re.fullmatch(r"(\d{1,6})\.(\d{1,6})", version) if isinstance(version, str) else None
    if match is None:
        raise ModelFileError(f"format_version must look like '1.0'; got {version!r:.80}", path)
    major, supported = int(match[1]), int(FORMAT_VERSION.split(".")[0])
    if major > supported:
        made_by = metadata.get("descenso_version")
        raise ModelFileError(
            f"it was made by a newer descenso {made_by!s:.40} (file format {version}); this is descenso "
            f"{__version__}, which reads format {supported}.x. Upgrade: pip install --upgrade descenso",
            path,
        )
    if major < 1:
        raise ModelFileError(f"format_version {version} is not a released format", path)
    return metadata


def read_model_file(
    path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES, *, format_name: str = FORMAT_NAME
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read and validate a model file written by :func:`write_model_file`.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    max_bytes : int, default 2**31 (2 GiB)
        Refuse larger files without reading them.
    format_name : str, default "descenso-model"
        The kind of file expected (see :func:`write_model_file`).

    Returns
    -------
    arrays : dict of str to numpy.ndarray
        Writable arrays with the stored dtypes (float32, float64, int64) and shapes.
    metadata : dict
        The JSON metadata, including "format", "format_version" and "descenso_version". JSON has
        no tuples: tuples written come back as lists.

    Raises
    ------
    ModelFileError
        For a missing file, a directory, an empty, too large, truncated or corrupt file, a header
        length that does not fit the file, bad header JSON, a dtype other than F32/F64/I64, offsets
        out of range, overlapping or with gaps, a shape that disagrees with its bytes, missing
        descenso metadata, a wrong format name, or a format from a newer descenso.
    TypeError
        When ``path`` is not a path or ``max_bytes`` not a positive integer.

    Notes
    -----
    The header (8-byte length ``N``, then ``N`` bytes of JSON) is checked by descenso before the
    safetensors library sees any byte, so no forged size is ever allocated: at most ``max_bytes``
    are read. Nothing is unpickled and no code from the file runs.

    Examples
    --------
    >>> read_model_file("no/such/model.descenso")
    Traceback (most recent call last):
    ...
    descenso.serialize.ModelFileError: model file 'no/such/model.descenso': no such file
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    if not _is_int(max_bytes) or max_bytes <= 0:
        raise TypeError(f"max_bytes must be a positive int; got {max_bytes!r}")
    path = Path(path)
    try:
        return _read(path, max_bytes, format_name)
    except MemoryError:  # the sizes are checked first, so this is a machine short of memory
        raise ModelFileError(
            "there is not enough memory to read it; free memory, or lower max_bytes to refuse such files",
            path,
        ) from None


def _read(path: Path, max_bytes: int, format_name: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    file, size = _open_regular(path, max_bytes)
    with file:
        (header_bytes,) = struct.unpack("<Q", _read_exactly(file, 8, "the header length", path))
        if header_bytes == 0 or header_bytes > min(size - 8, MAX_HEADER_BYTES):
            raise ModelFileError(
                f"the header length says {header_bytes} bytes but the file has {size - 8} after it "
                f"(limit {MAX_HEADER_BYTES}): truncated or not a safetensors file",
                path,
            )
        raw_header = _read_exactly(file, header_bytes, "the header", path)
        header = _parse_json(raw_header, "the header", path)
        if not isinstance(header, dict):
            raise ModelFileError(f"the header must be a JSON object; got {type(header).__name__}", path)
        data_bytes = size - 8 - header_bytes
        _check_tensor_entries(header, data_bytes, path)
        metadata = _check_metadata(header, path, format_name)
        stored_digest = metadata.pop("metadata_sha256", None)  # files written before it have none
        if stored_digest is not None and stored_digest != _metadata_digest(metadata):
            raise ModelFileError(
                "the metadata does not match the sha256 checksum stored with it: the file is corrupt "
                "(a changed character); use an intact copy or train again",
                path,
            )
        data = _read_exactly(file, data_bytes, "the tensor data", path)
        if file.read(1):
            raise ModelFileError("the file grew while it was read", path)
    arrays = _load_tensors(b"".join((struct.pack("<Q", header_bytes), raw_header, data)), path)
    for name, array in arrays.items():  # belt and braces: the library must agree with our checks
        entry = header[name]
        if array.dtype != DTYPES[entry["dtype"]] or list(array.shape) != entry["shape"]:
            raise ModelFileError(
                f"tensor {name!r:.80} decoded as {array.dtype}{array.shape}, not as declared", path
            )
    expected = metadata.pop("tensor_sha256", None)  # files written before checksums have none
    if expected is not None and expected != _tensor_digest(arrays):
        raise ModelFileError(
            "the tensor data does not match the sha256 checksum stored with it: the file is corrupt "
            "(a changed or zeroed byte); use an intact copy or train again",
            path,
        )
    return arrays, metadata


def _load_tensors(data: bytes, path: Path) -> dict[str, np.ndarray]:
    try:
        return _safetensors().load(data)
    except Exception as error:  # whatever the library dislikes is a problem of the file
        raise ModelFileError(f"safetensors could not decode it: {error}", path) from None
