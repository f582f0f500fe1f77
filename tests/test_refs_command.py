"""``symbinfo refs``: files, determinism, inputs files, certification, exit codes."""

from __future__ import annotations

import json

import mpmath

from symbinfo.cli import main
from symbinfo.refs import files


def test_refs_writes_loadable_deterministic_files(tmp_path, capsys):
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert main(["refs", "softmax_cross_entropy", "--no-long", "--workers", "1",
                 "--out", str(first)]) == 0
    assert main(["refs", "softmax_cross_entropy", "--no-long", "--threads", "3",
                 "--out", str(third)]) == 0
    capsys.readouterr()
    assert main(["refs", "softmax_cross_entropy", "--no-long", "--workers", "2",
                 "--out", str(second), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)["references"]
    names = sorted(p.name for p in first.iterdir())
    assert names == ["softmax_cross_entropy-labels.json", "softmax_cross_entropy-soft.json"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert (first / name).read_bytes() == (third / name).read_bytes()
        loaded = files.load(first / name)
        assert loaded.kernel.startswith("softmax_cross_entropy[")
    assert [r["kernel"] for r in records] == ["softmax_cross_entropy[labels]",
                                              "softmax_cross_entropy[soft]"]


def test_refs_from_an_inputs_file_and_formats(tmp_path):
    inputs = tmp_path / "cases.csv"
    inputs.write_text("p,q\n0.2 0.8,0.5 0.5\n")
    out = tmp_path / "kl.npz"
    assert main(["refs", "kl_divergence", "--inputs", str(inputs), "--format", "npz",
                 "--out", str(out), "--workers", "1"]) == 0
    assert out.exists()
    csv_out = tmp_path / "kl.csv"
    assert main(["refs", "kl_divergence", "--inputs", str(inputs), "--format", "csv",
                 "--out", str(csv_out), "--workers", "1"]) == 0
    # The file's 0.2 is the binary float 0.2000000000000000111...: the reference is for it.
    with mpmath.workdps(60):
        p, q = [mpmath.mpf(0.2), mpmath.mpf(0.8)], [mpmath.mpf(0.5), mpmath.mpf(0.5)]
        truth = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(p, q))
    decimal = csv_out.read_text().splitlines()[1].split(",")[5]
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(decimal) - truth) < mpmath.mpf(10) ** -48


def test_bad_inputs_file_writes_nothing(tmp_path, capsys):
    inputs = tmp_path / "cases.csv"
    inputs.write_text("p,q\n0.2 nan,0.5 0.5\n")
    out = tmp_path / "out"
    assert main(["refs", "kl_divergence", "--inputs", str(inputs), "--out", str(out)]) == 2
    assert "row 2, column 'p', entry 1: nan is not a probability" in capsys.readouterr().err
    assert not out.exists()


def test_usage_errors_exit_two(tmp_path, capsys):
    assert main(["refs", "--out", str(tmp_path)]) == 2
    assert main(["refs", "nope", "--out", str(tmp_path)]) == 2
    assert main(["refs", "entropy", "--dps", "20", "--out", str(tmp_path)]) == 2
    assert main(["refs", "entropy", "kl_divergence", "--inputs", "x.csv",
                 "--out", str(tmp_path)]) == 2


def test_certify_passes_when_every_value_is_certified(tmp_path, capsys):
    assert main(["refs", "binary_entropy", "--certify", "--workers", "1", "--json",
                 "--out", str(tmp_path)]) == 0
    (record,) = json.loads(capsys.readouterr().out)["references"]
    assert record["uncertified"] == 0 and record["cases"] > 400


def test_every_kernel_writes_csv_on_the_whole_suite(tmp_path, capsys):
    """Every case of a suite names the same inputs (the soft-target cross-entropy's included,
    whose label smoothing is optional), so each kernel's cases fit one CSV table."""
    assert main(["refs", "--all", "--suite", "all", "--no-long", "--format", "csv",
                 "--workers", "1", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "softmax_cross_entropy-soft.csv" in written and len(written) >= 17
    header = (tmp_path / "softmax_cross_entropy-soft.csv").read_text().splitlines()[0]
    assert "label_smoothing" in header.split(",")


def test_cases_with_different_inputs_cannot_share_a_csv_table(tmp_path, capsys):
    inputs = tmp_path / "cases.json"
    inputs.write_text(json.dumps({"cases": [
        {"z": [1.0, 2.0], "y": [0.5, 0.5]},
        {"z": [1.0, 2.0], "y": [0.5, 0.5], "label_smoothing": 0.1}]}))
    out = tmp_path / "soft.csv"
    assert main(["refs", "softmax_cross_entropy[soft]", "--inputs", str(inputs),
                 "--format", "csv", "--out", str(out), "--workers", "1"]) == 2
    error = capsys.readouterr().err
    assert "a CSV file needs the same inputs in every case" in error
    assert not out.exists()
    json_out = tmp_path / "soft.json"  # JSON holds them
    assert main(["refs", "softmax_cross_entropy[soft]", "--inputs", str(inputs),
                 "--format", "json", "--out", str(json_out), "--workers", "1"]) == 0


def test_refs_refuses_no_workers_and_both_kinds(tmp_path, capsys):
    assert main(["refs", "entropy", "--threads", "0", "--out", str(tmp_path)]) == 2
    assert "at least 1" in capsys.readouterr().err
    assert main(["refs", "entropy", "--workers", "-2", "--out", str(tmp_path)]) == 2
    capsys.readouterr()
    assert main(["refs", "entropy", "--threads", "2", "--workers", "2",
                 "--out", str(tmp_path)]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
