"""The ``symbinfo`` command line: subcommands, JSON output, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess

import mpmath
import pytest

from symbinfo.cli import ExitCode, main
from tests.reference import agree, mp_kl


def test_help_exits_zero_and_documents_exit_codes(capsys):
    assert main(["--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "exit codes" in out and "1  findings" in out


def test_no_command_and_bad_usage_exit_two(capsys):
    assert main([]) == ExitCode.ERROR
    assert main(["no-such-command"]) == ExitCode.ERROR


def test_list_json_has_every_catalog_entry_with_its_definition(capsys):
    assert main(["list", "--json"]) == ExitCode.OK
    records = json.loads(capsys.readouterr().out)["definitions"]
    by_name = {r["name"]: r for r in records}
    assert by_name["entropy"]["notation"] == "H(P)"
    assert by_name["entropy"]["definition"] == "-Sum(log(p[i])*p[i], (i, 1, n))"
    assert by_name["kl_divergence"]["notation"] == r"D_{\mathrm{KL}}(P \,\|\, Q)"
    assert {"softmax_cross_entropy", "info_nce", "focal_loss", "mutual_information"} <= set(by_name)


def test_examples_json_values_match_mpmath(capsys):
    assert main(["examples", "--json", "--digits", "40"]) == ExitCode.OK
    records = {r["title"]: r for r in json.loads(capsys.readouterr().out)["examples"]}
    kl = records["D_KL(P || Q), P = (0.2, 0.8), Q = (0.5, 0.5)"]["value"]
    assert agree(kl, mp_kl(["0.2", "0.8"], ["0.5", "0.5"]), digits=38)
    with mpmath.workdps(50):
        expected_bits = -mpmath.log(mpmath.mpf("0.01"), 2)
    assert agree(records["information of an event of probability 0.01"]["value"],
                 expected_bits, digits=38)


def test_examples_table_is_human_readable(capsys):
    assert main(["examples", "--digits", "10"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "H(0.99, 0.01)" in out and "0.08079313590" in out


@pytest.mark.skipif(shutil.which("symbinfo") is None, reason="console script not installed")
def test_console_script_runs():
    result = subprocess.run(["symbinfo", "--version"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.startswith("symbinfo ")
