r"""Reading users' inputs for reference values (``symbinfo refs --inputs FILE``).

A file holds cases for one kernel; each case gives the kernel's inputs by name
(:data:`KERNEL_INPUTS`). Formats, by file extension:

* ``.json``: ``{"cases": [{"p": [0.2, 0.8], "q": [0.5, 0.5]}, ...]}`` (or the bare list);
  numbers or exact hex strings (``"0x1.999999999999ap-3"``); tables as nested lists.
* ``.csv``: a header row of input names, then one case per row; a vector is one cell of
  numbers separated by spaces (or ``;``).
* ``.npy``: for kernels with one input, a 1-D array (elementwise kernels: one case per entry)
  or a 2-D array (one case per row). ``.npz``: one array per input name, cases along the first
  axis.

Input files are untrusted: values are parsed as numbers (never evaluated), sizes are bounded
(:data:`MAX_FILE_BYTES`, :data:`MAX_CASES`), and every problem is reported with the file, the
case (row) and the input (column), e.g. ``inputs.csv: row 3, column 'p', entry 1: nan is not a
probability``. Nothing is generated until the whole file has been read and checked.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from collections.abc import Callable
from typing import Any

import numpy as np

from symbinfo.refs.floats import from_hex
from symbinfo.refs.generate import CaseInput

MAX_FILE_BYTES = 64 * 2 ** 20
"""Largest input file read (bytes)."""
MAX_CASES = 100_000
"""Most cases in one input file."""
SUM_TOLERANCE = 1e-9
"""How far from 1 a probability vector may sum."""

_PAIR = {"p": "probabilities", "q": "probabilities"}
_LOGITS_AND_LABEL = {"z": "logits", "label": "label"}
_LOGITS_AND_SOFT = {"z": "logits", "y": "probabilities", "label_smoothing": "probability?"}
_BINARY = {"p": "probability", "x": "probability"}
_LOGIT_BINARY = {"s": "real", "x": "probability", "w": "positive"}

KERNEL_INPUTS: dict[str, dict[str, str]] = {
    "entropy": {"p": "probabilities"},
    "cross_entropy": _PAIR, "kl_divergence": _PAIR, "js_divergence": _PAIR,
    "perplexity": _PAIR,
    "mutual_information": {"joint": "table"},
    "binary_entropy": {"p": "probability"},
    "logsumexp": {"z": "logits"}, "log_softmax": {"z": "logits"}, "softmax": {"z": "logits"},
    "softmax_cross_entropy[labels]": _LOGITS_AND_LABEL,
    "softmax_cross_entropy_grad[labels]": _LOGITS_AND_LABEL,
    "softmax_cross_entropy[soft]": _LOGITS_AND_SOFT,
    "softmax_cross_entropy_grad[soft]": _LOGITS_AND_SOFT,
    "binary_cross_entropy": _BINARY, "focal_loss": _BINARY,
    "bce_with_logits": _LOGIT_BINARY, "bce_with_logits_grad": _LOGIT_BINARY,
}
"""Each kernel's inputs and their kinds: ``probabilities`` (a vector summing to 1),
``logits`` (a finite real vector), ``table`` (a 2-D joint distribution), ``label`` (a class
position, 0-based), ``probability`` (a scalar in [0, 1]), ``real``, ``positive``; a ``?``
marks an optional input."""


class InputError(ValueError):
    """A problem in an input file, located by file, row (case) and column (input)."""


def read_cases(path: str | Path, kernel: str) -> list[CaseInput]:
    """Read and check the cases of ``kernel`` from ``path`` (JSON, CSV, NPY or NPZ).

    Raises:
      InputError: an unreadable file, an unknown or missing input, a value that is not a
        number, NaN, a probability outside [0, 1], a vector that does not sum to 1, ragged or
        mismatched shapes, a label out of range; the message names file, row and column.
    """
    if kernel not in KERNEL_INPUTS:
        raise InputError(f"no input format is defined for kernel {kernel!r}")
    source = Path(path)
    try:
        size = source.stat().st_size
    except OSError as error:
        raise InputError(f"{source}: cannot read ({error.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise InputError(f"{source}: {size} bytes is larger than the {MAX_FILE_BYTES} allowed")
    readers = {".json": _json_rows, ".csv": _csv_rows, ".npy": _npy_rows, ".npz": _npz_rows}
    reader = readers.get(source.suffix.lower())
    if reader is None:
        raise InputError(f"{source}: unknown extension {source.suffix!r}; "
                         "expected .json, .csv, .npy or .npz")
    rows = reader(source, kernel)
    if not rows:
        raise InputError(f"{source}: no cases")
    if len(rows) > MAX_CASES:
        raise InputError(f"{source}: {len(rows)} cases is more than the {MAX_CASES} allowed")
    return [_check_case(source, number, row, kernel) for number, row in rows]


# --------------------------------------------------------------------------------------------
# Formats: each returns [(row number as the user counts it, {name: raw value})]
# --------------------------------------------------------------------------------------------

def _json_rows(source: Path, kernel: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = json.loads(source.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{source}: not valid JSON ({error})") from None
    cases = document.get("cases") if isinstance(document, dict) else document
    if not isinstance(cases, list):
        raise InputError(f"{source}: expected a list of cases or {{\"cases\": [...]}}")
    rows = []
    for number, case in enumerate(cases):
        if not isinstance(case, dict):
            raise InputError(f"{source}: case {number} is not an object of named inputs")
        rows.append((number, case))
    return rows


def _csv_rows(source: Path, kernel: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{source}: not UTF-8 text ({error})") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise InputError(f"{source}: empty file") from None
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"{source}: row {number} has {len(cells)} cells, "
                             f"the header has {len(header)}")
        rows.append((number, {name: _csv_cell(cell) for name, cell in zip(header, cells)}))
    return rows


def _csv_cell(cell: str) -> Any:
    parts = cell.replace(";", " ").split()
    return parts[0] if len(parts) == 1 else parts


def _npy_rows(source: Path, kernel: str) -> list[tuple[int, dict[str, Any]]]:
    names = [n for n, kind in KERNEL_INPUTS[kernel].items() if not kind.endswith("?")]
    if len(names) != 1:
        raise InputError(f"{source}: kernel {kernel} takes inputs {', '.join(names)}; "
                         "use .npz (one array per input), .json or .csv")
    array = _load_array(source)
    return [(number, {names[0]: row}) for number, row in enumerate(array)]


def _npz_rows(source: Path, kernel: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        with np.load(source, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise InputError(f"{source}: not a readable .npz archive ({error})") from None
    counts = {name: len(array) if array.ndim else 1 for name, array in arrays.items()}
    if len(set(counts.values())) > 1:
        raise InputError(f"{source}: the arrays hold different numbers of cases {counts}")
    count = next(iter(counts.values()), 0)
    return [(number, {name: array[number] for name, array in arrays.items()})
            for number in range(count)]


def _load_array(source: Path) -> np.ndarray:
    try:
        array = np.load(source, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InputError(f"{source}: not a readable .npy array ({error})") from None
    if array.ndim not in (1, 2):
        raise InputError(f"{source}: expected a 1-D or 2-D array, got shape {array.shape}")
    return array


# --------------------------------------------------------------------------------------------
# Checking one case
# --------------------------------------------------------------------------------------------

def _where(source: Path, number: int, name: str, entry: Any = None) -> str:
    place = f"{source}: row {number}, column {name!r}"
    return place if entry is None else f"{place}, entry {entry}"


def _number(value: Any, where: str) -> float:
    """One value: a JSON/NumPy number or a numeric/hex string; never evaluated."""
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{where}: {value!r} is a boolean, not a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lower().lstrip("+-").startswith("0x"):
            try:
                return from_hex(text, where)
            except ValueError as error:
                raise InputError(str(error)) from None
        if len(text) <= 40:
            try:
                return float(text)
            except ValueError:
                pass
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InputError(f"{where}: {shown!r} is not a number")
    raise InputError(f"{where}: {type(value).__name__} is not a number")


def _vector(value: Any, where: str) -> np.ndarray:
    items = value.tolist() if isinstance(value, np.ndarray) else value
    if not isinstance(items, list) or any(isinstance(v, list) for v in items):
        raise InputError(f"{where}: expected a vector of numbers")
    if not items:
        raise InputError(f"{where}: the vector is empty")
    return np.array([_number(v, f"{where}, entry {k}") for k, v in enumerate(items)])


def _table(value: Any, where: str) -> np.ndarray:
    rows = value.tolist() if isinstance(value, np.ndarray) else value
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise InputError(f"{where}: expected a table (a list of rows)")
    if len({len(r) for r in rows}) != 1:
        raise InputError(f"{where}: the table is ragged (row lengths "
                         f"{[len(r) for r in rows]})")
    return np.array([[_number(v, f"{where}, entry [{i}][{j}]") for j, v in enumerate(r)]
                     for i, r in enumerate(rows)])


def _check_entries(values: np.ndarray, where: str, valid: Callable[[float], bool],
                   what: str) -> None:
    """Raise at the first entry (in reading order) that is not ``valid``: it ``is not {what}``."""
    for k, v in enumerate(np.ravel(values).tolist()):
        if not valid(v):
            raise InputError(f"{where}, entry {k}: {v!r} is not {what}")


def _check_probabilities(values: np.ndarray, where: str) -> None:
    """Entries in [0, 1] (NaN fails the comparison) that sum to 1."""
    _check_entries(values, where, lambda v: 0.0 <= v <= 1.0, "a probability in [0, 1]")
    total = math.fsum(np.ravel(values))
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise InputError(f"{where}: the probabilities sum to {total!r}, not 1 "
                         f"(tolerance {SUM_TOLERANCE:g})")


def _read_input(kind: str, value: Any, where: str) -> Any:
    if kind == "probabilities":
        vector = _vector(value, where)
        _check_probabilities(vector, where)
        return vector
    if kind == "logits":
        vector = _vector(value, where)
        _check_entries(vector, where, math.isfinite, "finite")
        return vector
    if kind == "table":
        table = _table(value, where)
        _check_probabilities(table, where)
        return table
    if kind == "label":
        number = _number(value, where)
        if number != int(number):
            raise InputError(f"{where}: {value!r} is not an integer class label")
        return int(number)
    number = _number(value, where)
    if kind == "probability" and not 0.0 <= number <= 1.0:
        raise InputError(f"{where}: {number!r} is not a probability in [0, 1]")
    if kind == "positive" and not (number > 0 and math.isfinite(number)):
        raise InputError(f"{where}: {number!r} is not a positive finite number")
    if kind == "real" and not math.isfinite(number):
        raise InputError(f"{where}: {number!r} is not finite")
    return number


def _check_case(source: Path, number: int, row: dict[str, Any], kernel: str) -> CaseInput:
    kinds = KERNEL_INPUTS[kernel]
    unknown = sorted(set(row) - set(kinds))
    if unknown:
        raise InputError(f"{source}: row {number}: unknown input(s) {', '.join(unknown)} for "
                         f"{kernel} (its inputs: {', '.join(kinds)})")
    inputs: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name not in row:
            if kind.endswith("?"):
                continue
            raise InputError(f"{source}: row {number}: missing input {name!r} for {kernel}")
        inputs[name] = _read_input(kind.rstrip("?"), row[name], _where(source, number, name))
    lengths = {name: len(v) for name, v in inputs.items()
               if isinstance(v, np.ndarray) and v.ndim == 1}
    if len(set(lengths.values())) > 1:
        raise InputError(f"{source}: row {number}: vectors of different lengths {lengths}")
    if "label" in inputs and not 0 <= inputs["label"] < len(inputs["z"]):
        raise InputError(f"{_where(source, number, 'label')}: label {inputs['label']} is out "
                         f"of range for {len(inputs['z'])} classes")
    return CaseInput(f"inputs file row {number}", inputs)
