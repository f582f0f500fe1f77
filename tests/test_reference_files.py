"""Reference files: deterministic bytes, atomic writes, schema, load round trip, tampering."""

from __future__ import annotations

import csv
import io
import json
import os
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from symbinfo.refs import files, generate
from symbinfo.refs.files import ReferenceCase, ReferenceSet, ReferenceValue
from symbinfo.refs.floats import float32_hex


def sample() -> ReferenceSet:
    cases = [
        ReferenceCase("typical", {"p": [0.2, 0.8], "q": [0.5, 0.5], "label": 0},
                      ReferenceValue("0.19274475702175742988404418256" + "0" * 15,
                                     0.19274475702175743, float(np.float32(0.19274476)), True)),
        ReferenceCase("q=0", {"p": [1.0, 0.0], "q": [0.0, 1.0], "label": 0},
                      ReferenceValue("inf", float("inf"), float("inf"), True)),
        ReferenceCase("vector", {"p": [1.0, 5e-324], "q": [0.5, 0.5], "label": 1},
                      [ReferenceValue("1.5", 1.5, 1.5, True),
                       ReferenceValue("0.1", None, None, False)]),
    ]
    return ReferenceSet("kl_divergence", {"symbinfo_version": "0.1.0", "dps": 50, "seed": 0},
                        cases)


def test_json_is_deterministic_and_valid_against_the_shipped_schema():
    first, second = files.to_json_bytes(sample()), files.to_json_bytes(sample())
    assert first == second
    schema = json.loads(resources.files("symbinfo.refs").joinpath("schema.json").read_text())
    jsonschema.validate(json.loads(first), schema)


def test_json_stores_inputs_exactly_and_loads_back(tmp_path):
    path = tmp_path / "kl.json"
    files.write(sample(), path, "json")
    document = json.loads(path.read_text())
    assert document["cases"][0]["inputs"]["p"] == ["0x1.999999999999ap-3", "0x1.999999999999ap-1"]
    assert document["cases"][0]["inputs_decimal"]["p"] == ["0.2", "0.8"]
    assert document["cases"][2]["inputs"]["p"][1] == "0x0.0000000000001p-1022"
    assert document["cases"][2]["inputs"]["label"] == 1
    loaded = files.load(path)
    assert loaded.cases == sample().cases
    assert loaded.metadata["payload_sha256"] == files.payload_sha256(sample().cases)


def test_tampered_or_broken_files_are_rejected(tmp_path):
    path = tmp_path / "kl.json"
    files.write(sample(), path, "json")
    document = json.loads(path.read_text())
    document["cases"][0]["output"]["decimal"] = "0.2"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="do not match metadata.payload_sha256"):
        files.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="kl.json: not a readable JSON reference file"):
        files.load(path)
    document["schema_version"] = 99
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="schema_version must be 1"):
        files.load(path)
    document["schema_version"] = 1
    document["cases"][0]["inputs"]["p"][0] = "__import__('os')"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"cases\[0\].inputs.p\[0\] = .* is not a hex float"):
        files.load(path)


def test_npz_is_deterministic_and_loads_without_pickles(tmp_path):
    assert files.to_npz_bytes(sample()) == files.to_npz_bytes(sample())
    path = tmp_path / "kl.npz"
    files.write(sample(), path, "npz")
    with np.load(path, allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["case00000/p"], [0.2, 0.8])
        assert archive["output_case"].tolist() == [0, 1, 2, 2]
        assert archive["output_float64"][0] == 0.19274475702175743
        assert np.isnan(archive["output_float64"][3])
        assert archive["output_float32"].dtype == np.float32
        assert json.loads(str(archive["metadata"]))["kernel"] == "kl_divergence"


def test_csv_has_one_row_per_output_value():
    rows = list(csv.reader(io.StringIO(files.to_csv_bytes(sample()).decode())))
    assert rows[0] == ["case", "element", "class", "p", "q", "label", "decimal", "float64_hex",
                       "float32_hex", "certified"]
    assert rows[3][2:4] == ["vector", "0x1.0000000000000p+0 0x0.0000000000001p-1022"]
    assert rows[1][3] == "0x1.999999999999ap-3 0x1.999999999999ap-1"
    assert len(rows) == 1 + 1 + 1 + 2


def test_atomic_write_leaves_old_file_and_no_partial_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "out.json"
    path.write_bytes(b"old")

    def failing_replace(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        files.atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_unknown_format_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="format 'xml' is not one of json, npz, csv"):
        files.write(sample(), Path(tmp_path) / "x.xml", "xml")


def canonical(case: ReferenceCase) -> str:
    """The case's JSON as the json module writes it (sorted keys, no spaces), from a layout
    written out here independently of symbinfo's text writer."""
    def encode(value, as_hex):
        if isinstance(value, list):
            return [encode(v, as_hex) for v in value]
        if isinstance(value, int):
            return value
        return value.hex() if as_hex else repr(value)

    def output(value):
        def text(x, form):
            return None if x is None else form(x)
        return {"decimal": value.decimal, "certified": value.certified,
                "float64_hex": text(value.float64, float.hex),
                "float64": text(value.float64, repr),
                "float32_hex": text(value.float32, float32_hex),
                "float32": text(value.float32, lambda x: str(np.float32(x)))}
    record = {"class": case.case_class,
              "inputs": {k: encode(v, True) for k, v in case.inputs.items()},
              "inputs_decimal": {k: encode(v, False) for k, v in case.inputs.items()},
              "output": [output(o) for o in case.output] if isinstance(case.output, list)
              else output(case.output)}
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize("kernel", ["mutual_information", "softmax_cross_entropy[labels]",
                                    "log_softmax", "binary_entropy", "kl_divergence"])
def test_case_texts_are_the_canonical_json(kernel):
    reference = generate.reference_set(kernel, "all", long=False)
    assert [files._case_text(c) for c in reference.cases] == \
        [canonical(c) for c in reference.cases]


def test_case_texts_escape_what_json_escapes():
    value = ReferenceValue("1.5", 1.5, None, False)
    case = ReferenceCase('row "3" \u00e9\\', {"p": [0.5, 0.25], "label": 2}, value)
    assert files._case_text(case) == canonical(case)
    assert json.loads(files._case_text(case))["class"] == 'row "3" \u00e9\\'
