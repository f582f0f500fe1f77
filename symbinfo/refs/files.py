r"""Reference-value files: the data model, and its JSON, NPZ and CSV forms.

A *reference set* is one kernel's test vectors: metadata, then cases. Each case stores its
inputs exactly (binary64 hex strings, with the decimal ``repr`` beside them; integer labels as
integers), its output as a decimal string of at least 40 significant digits, and the output's
correctly rounded binary64 and binary32 values (hex and decimal). Vector-valued outputs are a
list of such objects. The JSON layout (``schema_version`` |version|) is described by the JSON
Schema ``symbinfo/refs/schema.json`` shipped with the package:

.. code-block:: text

    {"schema_version": 1, "kernel": "kl_divergence",
     "metadata": {"symbinfo_version": ..., "dps": 50, "seed": 0, "definition_latex": ...,
                  "payload_sha256": ...},
     "cases": [{"class": "typical",
                "inputs": {"p": ["0x1.999999999999ap-3", ...], ...},
                "inputs_decimal": {"p": ["0.2", ...], ...},
                "output": {"decimal": "0.19274...", "float64_hex": "0x1.8ab...p-3",
                           "float64": "0.19274475702175743", "float32_hex": "0x1.8ab0dp-3",
                           "float32": "0.19274476", "certified": true}}]}

Files are written atomically (a temporary file in the target directory, then ``os.replace``),
so an interrupted run leaves either the old file or the new one, never a partial file. The
same reference set always gives the same bytes: keys are sorted, the NPZ archive has fixed
timestamps, and nothing depends on time or host.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union

import numpy as np

from symbinfo.refs.floats import float32_hex, from_hex

SCHEMA_VERSION = 1
"""Version of the JSON layout; incremented on any incompatible change."""

FORMATS = ("json", "npz", "csv")

Nested = Union[float, int, list["Nested"]]
"""An input: a scalar, or a (nested) list of them."""


@dataclass(slots=True)
class ReferenceValue:
    """One output value: exact decimal digits and its correctly rounded floats.

    ``float64``/``float32`` are None when the rounding could not be certified at the working
    precision (the decimal digits are still given); ``certified`` says whether a rigorous error
    bound confirmed the roundings.

    Values and cases are plain records (not frozen dataclasses: a frozen one costs 0.7 us to
    make, a third of the time a batch of scalar reference values takes per value).
    """

    decimal: str
    float64: float | None
    float32: float | None
    certified: bool

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as a call of the class (what the generator's workers send back, thousands
        at a time, loads twice as fast as the dataclass's default state)."""
        return ReferenceValue, (self.decimal, self.float64, self.float32, self.certified)

    def json_text(self) -> str:
        """The canonical JSON text (sorted keys, no spaces) of the schema's ``output``."""
        float64_text = float64_decimal = float32_text = float32_decimal = "null"
        if self.float64 is not None:
            float64_text, float64_decimal = f'"{self.float64.hex()}"', f'"{self.float64!r}"'
        if self.float32 is not None:
            float32_text = f'"{float32_hex(self.float32)}"'
            float32_decimal = f'"{str(np.float32(self.float32))}"'  # its shortest repr
        return (f'{{"certified":{"true" if self.certified else "false"},'
                f'"decimal":{_string(self.decimal)},"float32":{float32_decimal},'
                f'"float32_hex":{float32_text},"float64":{float64_decimal},'
                f'"float64_hex":{float64_text}}}')

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the schema's ``output`` (read from :meth:`json_text`)."""
        return json.loads(self.json_text())

    @classmethod
    def from_json(cls, record: dict[str, Any], where: str) -> "ReferenceValue":
        """Read the schema's ``output`` object back (floats from their hex strings)."""
        def read(key: str) -> float | None:
            text = record.get(key)
            return None if text is None else from_hex(text, f"{where}.{key}")
        return cls(str(record["decimal"]), read("float64_hex"), read("float32_hex"),
                   bool(record["certified"]))


@dataclass(slots=True)
class ReferenceCase:
    """One case: its class (``typical``, ``q=0``, ``subnormal`` ...), inputs, output(s)."""

    case_class: str
    inputs: dict[str, Nested]
    output: ReferenceValue | list[ReferenceValue]
    text: str | None = field(default=None, compare=False, repr=False)
    """The case's canonical JSON text, where it was made with the case (:func:`with_text`)."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as a call of the class (see :meth:`ReferenceValue.__reduce__`)."""
        return ReferenceCase, (self.case_class, self.inputs, self.output, self.text)


def with_text(case: ReferenceCase) -> ReferenceCase:
    """``case`` with its canonical JSON text made now: the generator's workers make it, since
    the texts cost more than the values (about 29 us for a KL case of n = 10, most of it
    the inputs' float ``repr`` and ``hex``), and the process that writes the file then only
    joins them."""
    return replace(case, text=_case_text(case))


@dataclass(frozen=True)
class ReferenceSet:
    """A kernel's reference cases with their metadata."""

    kernel: str
    metadata: dict[str, Any]
    cases: list[ReferenceCase] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------

_string = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
"""A JSON string literal, escaped as the ``json`` encoder escapes it (``ensure_ascii``)."""


def _input_text(value: Nested, as_hex: bool) -> str:
    """The JSON text of an input: its floats as hex (or decimal ``repr``) strings, its
    integers as numbers, nested lists as nested arrays."""
    if type(value) is float:  # the common case first: a scalar input
        return f'"{value.hex()}"' if as_hex else f'"{value!r}"'
    if isinstance(value, list):
        if value and all(type(v) is float for v in value):  # a vector (long ones: 10**5)
            return '["' + '","'.join(map(float.hex if as_hex else float.__repr__, value)) + '"]'
        return "[" + ",".join(_input_text(v, as_hex) for v in value) + "]"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("boolean inputs are not supported")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f'"{float(value).hex()}"' if as_hex else f'"{float(value)!r}"'


def _decode(value: Any, where: str) -> Nested:
    if isinstance(value, list):
        return [_decode(v, f"{where}[{k}]") for k, v in enumerate(value)]
    if isinstance(value, bool):
        raise ValueError(f"{where} = {value!r} is a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return from_hex(value, where)
    raise ValueError(f"{where} = {value!r} is neither a hex float string nor an integer")


def _case_text(case: ReferenceCase) -> str:
    """The canonical JSON text of a case (sorted keys, no spaces): the one definition of a
    case's layout in the files, written directly (the ``json`` encoder takes three times as
    long on the same object, :func:`_case_json`)."""
    inputs, decimals = [], []
    for name in sorted(case.inputs):
        key, value = _string(name) + ":", case.inputs[name]
        inputs.append(key + _input_text(value, True))
        decimals.append(key + _input_text(value, False))
    output = case.output
    output_text = "[" + ",".join(v.json_text() for v in output) + "]" \
        if isinstance(output, list) else output.json_text()
    return (f'{{"class":{_string(case.case_class)},"inputs":{{{",".join(inputs)}}},'
            f'"inputs_decimal":{{{",".join(decimals)}}},"output":{output_text}}}')


def _case_json(case: ReferenceCase) -> dict[str, Any]:
    """The JSON object of a case (read from :func:`_case_text`)."""
    return json.loads(_case_text(case))


def _case_texts(cases: Sequence[ReferenceCase]) -> list[str]:
    return [c.text if c.text is not None else _case_text(c) for c in cases]


def payload_sha256(cases: Sequence[ReferenceCase]) -> str:
    """sha256 of the canonical JSON of the cases (the payload the metadata vouches for)."""
    return _payload_sha256(_case_texts(cases))


def _payload_sha256(case_texts: list[str]) -> str:
    """:func:`payload_sha256` from the cases' canonical texts: the canonical JSON of a list is
    its items' texts, comma-separated, in brackets (each case is serialised once)."""
    return hashlib.sha256(("[" + ",".join(case_texts) + "]").encode()).hexdigest()


def _head(reference: ReferenceSet, case_texts: list[str]) -> dict[str, Any]:
    """The JSON document without its cases; the metadata with ``payload_sha256``."""
    metadata = dict(reference.metadata, payload_sha256=_payload_sha256(case_texts))
    return {"schema_version": SCHEMA_VERSION, "kernel": reference.kernel, "metadata": metadata}


def to_json_document(reference: ReferenceSet) -> dict[str, Any]:
    """The JSON document of a reference set, ``payload_sha256`` included in its metadata."""
    texts = _case_texts(reference.cases)
    return {**_head(reference, texts), "cases": [json.loads(text) for text in texts]}


def to_json_bytes(reference: ReferenceSet) -> bytes:
    """Deterministic JSON: sorted keys, the metadata indented, then one compact case per line
    (long vectors stay one line, and a diff shows the cases that changed)."""
    lines = _case_texts(reference.cases)
    head = json.dumps(_head(reference, lines), sort_keys=True, indent=1, allow_nan=False)
    body = ",\n".join(lines)
    return (head[:-2] + ',\n "cases": [\n' + body + "\n ]\n}\n").encode()


def to_csv_bytes(reference: ReferenceSet) -> bytes:
    """One row per output value: case index, element index, class, inputs (hex, vectors as
    space-separated hex), then the output's decimal digits and its float64/float32 hex."""
    names = list(reference.cases[0].inputs) if reference.cases else []
    for index, case in enumerate(reference.cases):
        if list(case.inputs) != names:
            raise ValueError(f"case {index} has inputs {list(case.inputs)}, case 0 has {names}; "
                             "a CSV file needs the same inputs in every case")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["case", "element", "class", *names,
                     "decimal", "float64_hex", "float32_hex", "certified"])
    for index, case in enumerate(reference.cases):
        outputs = case.output if isinstance(case.output, list) else [case.output]
        cells = [" ".join(map(str, np.ravel(json.loads(_input_text(case.inputs[n], True)))))
                 for n in names]
        for element, output in enumerate(outputs):
            record = output.to_json()
            writer.writerow([index, element, case.case_class, *cells, record["decimal"],
                             record["float64_hex"] or "", record["float32_hex"] or "",
                             str(output.certified).lower()])
    return buffer.getvalue().encode()


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def to_npz_bytes(reference: ReferenceSet) -> bytes:
    """An NPZ archive (loadable with ``numpy.load``, no pickles): per case ``case00000/NAME``
    input arrays; ``output_float64``/``output_float32`` (NaN where not certified) and
    ``output_decimal`` (strings), flattened in case order with ``output_case`` giving each
    value's case; ``metadata`` as a JSON string. Timestamps are fixed, so bytes are
    deterministic."""
    arrays: dict[str, np.ndarray] = {}
    owners, decimals, doubles, singles = [], [], [], []
    for index, case in enumerate(reference.cases):
        for name, value in case.inputs.items():
            arrays[f"case{index:05d}/{name}"] = np.asarray(value)
        for output in (case.output if isinstance(case.output, list) else [case.output]):
            owners.append(index)
            decimals.append(output.decimal)
            doubles.append(np.nan if output.float64 is None else output.float64)
            singles.append(np.nan if output.float32 is None else output.float32)
    arrays["output_case"] = np.asarray(owners, dtype=np.int64)
    arrays["output_decimal"] = np.asarray(decimals, dtype=str)
    arrays["output_float64"] = np.asarray(doubles, dtype=np.float64)
    arrays["output_float32"] = np.asarray(singles, dtype=np.float32)
    head = _head(reference, _case_texts(reference.cases))
    arrays["metadata"] = np.asarray(json.dumps(head, sort_keys=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _npy_bytes(arrays[name]))
    return buffer.getvalue()


ENCODERS = {"json": to_json_bytes, "npz": to_npz_bytes, "csv": to_csv_bytes}


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------

def atomic_write(path: Union[str, os.PathLike[str]], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never part.

    The bytes go to a temporary file in the same directory, are flushed to disk, and replace
    ``path`` in one ``os.replace``; on any error the temporary file is removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                         dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(temporary, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write(reference: ReferenceSet, path: Union[str, os.PathLike[str]],
          file_format: str = "json") -> None:
    """Write a reference set atomically in ``file_format`` (``json``, ``npz`` or ``csv``)."""
    if file_format not in ENCODERS:
        raise ValueError(f"format {file_format!r} is not one of {', '.join(FORMATS)}")
    atomic_write(path, ENCODERS[file_format](reference))


def load(path: Union[str, os.PathLike[str]]) -> ReferenceSet:
    """Load a JSON reference file written by ``symbinfo refs`` (or by hand, per the schema).

    Checks the schema version and the payload's sha256; inputs come back as exact floats (and
    integers), outputs as :class:`ReferenceValue`.

    Raises:
      ValueError: not JSON, another schema version, a missing key, a bad hex string, or a
        payload that does not match its sha256; the message names the file and the entry.
    """
    source = Path(path)
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{source}: not a readable JSON reference file ({error})") from None
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{source}: schema_version must be {SCHEMA_VERSION}")
    try:
        cases = [_read_case(record, f"{source}: cases[{k}]")
                 for k, record in enumerate(document["cases"])]
        reference = ReferenceSet(str(document["kernel"]), dict(document["metadata"]), cases)
    except (KeyError, TypeError) as error:
        raise ValueError(f"{source}: missing or malformed entry {error}") from None
    expected = reference.metadata.get("payload_sha256")
    if expected != payload_sha256(cases):
        raise ValueError(f"{source}: the cases do not match metadata.payload_sha256 "
                         "(the file was modified or truncated)")
    return reference


def _read_case(record: dict[str, Any], where: str) -> ReferenceCase:
    inputs = {name: _decode(value, f"{where}.inputs.{name}")
              for name, value in record["inputs"].items()}
    raw = record["output"]
    output: ReferenceValue | list[ReferenceValue]
    if isinstance(raw, list):
        output = [ReferenceValue.from_json(o, f"{where}.output[{k}]") for k, o in enumerate(raw)]
    else:
        output = ReferenceValue.from_json(raw, f"{where}.output")
    return ReferenceCase(str(record["class"]), inputs, output)
