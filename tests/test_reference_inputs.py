"""Users' input files for reference values: good files read exactly, bad ones named precisely."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from symbinfo.refs.inputs import InputError, read_cases


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text) if isinstance(text, str) else path.write_bytes(text)
    return path


def test_json_cases_with_numbers_and_hex(tmp_path):
    path = write(tmp_path, "in.json", json.dumps(
        {"cases": [{"p": [0.2, "0x1.999999999999ap-1"], "q": [0.5, 0.5]}]}))
    (case,) = read_cases(path, "kl_divergence")
    assert case.inputs["p"].tolist() == [0.2, 0.8]
    assert case.case_class == "inputs file row 0"


def test_csv_vectors_and_labels(tmp_path):
    path = write(tmp_path, "in.csv", "z,label\n2 1 0.1,0\n1;2;3,2\n")
    cases = read_cases(path, "softmax_cross_entropy[labels]")
    assert [c.inputs["label"] for c in cases] == [0, 2]
    assert cases[1].inputs["z"].tolist() == [1.0, 2.0, 3.0]


def test_npy_rows_and_npz_columns(tmp_path):
    np.save(tmp_path / "z.npy", np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert len(read_cases(tmp_path / "z.npy", "logsumexp")) == 2
    np.savez(tmp_path / "b.npz", p=np.array([0.25, 0.5]), x=np.array([1.0, 0.0]))
    cases = read_cases(tmp_path / "b.npz", "binary_cross_entropy")
    assert [c.inputs["p"] for c in cases] == [0.25, 0.5]


@pytest.mark.parametrize("name, text, kernel, message", [
    ("a.csv", "p,q\n0.5 nan,0.5 0.5\n", "kl_divergence",
     "a.csv: row 2, column 'p', entry 1: nan is not a probability in [0, 1]"),
    ("a.csv", "p,q\n0.5 0.5\n", "kl_divergence", "a.csv: row 2 has 1 cells, the header has 2"),
    ("a.csv", "p,q\n0.5 0.5,0.2 0.3 0.5\n", "kl_divergence",
     "row 2: vectors of different lengths {'p': 2, 'q': 3}"),
    ("a.csv", "p\n0.5 abc\n", "entropy", "a.csv: row 2, column 'p', entry 1: 'abc' is not a number"),
    ("a.csv", "p\n0.5 0.6\n", "entropy", "row 2, column 'p': the probabilities sum to 1.1, not 1"),
    ("a.json", '{"cases": [{"p": [0.5, NaN]}]}', "entropy",
     "a.json: row 0, column 'p', entry 1: nan is not a probability"),
    ("a.json", '[{"p": ["__import__(\'os\')", 1]}]', "entropy", "is not a number"),
    ("a.json", '[{"p": [1.0], "r": [1]}]', "entropy", "unknown input(s) r for entropy"),
    ("a.json", '[{"z": [1, 2]}]', "softmax_cross_entropy[labels]", "missing input 'label'"),
    ("a.json", '[{"z": [1, 2], "label": 2}]', "softmax_cross_entropy[labels]",
     "label 2 is out of range for 2 classes"),
    ("a.json", '[{"joint": [[0.5, 0.5], [0.0]]}]', "mutual_information", "the table is ragged"),
    ("a.json", '[{"s": 1e999, "x": 0.5, "w": 1}]', "bce_with_logits", "inf is not finite"),
    ("a.json", "{broken", "entropy", "a.json: not valid JSON"),
    ("a.txt", "", "entropy", "unknown extension '.txt'"),
])
def test_bad_files_name_file_row_and_column(tmp_path, name, text, kernel, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError, match=re.escape(message)):
        read_cases(path, kernel)


def test_bad_arrays(tmp_path):
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match="expected a 1-D or 2-D array, got shape"):
        read_cases(tmp_path / "cube.npy", "entropy")
    with pytest.raises(InputError, match="takes inputs p, q; use .npz"):
        read_cases(tmp_path / "cube.npy", "kl_divergence")
    write(tmp_path, "bytes.csv", b"p\n\xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_cases(tmp_path / "bytes.csv", "entropy")
    with pytest.raises(InputError, match="cannot read"):
        read_cases(tmp_path / "missing.json", "entropy")
