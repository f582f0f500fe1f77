"""Conformance of implementations against reference values, and the pytest assertion."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from symbinfo.cli import main
from symbinfo.conform import built_in, conform, load_implementation
from symbinfo.refs import files
from symbinfo.refs.generate import reference_set
from symbinfo.testing import assert_matches_reference


@pytest.fixture(scope="module")
def log_softmax_refs():
    return reference_set("log_softmax", "adversarial", long=False)


def test_naive_formula_overflows_where_the_reference_is_finite(log_softmax_refs):
    report = conform(built_in("numpy"), log_softmax_refs, name="numpy")
    assert any("z=[710.0" in line and "got -inf" in line for line in report.nonfinite)
    assert report.max_ulp == math.inf


def test_symbinfo_log_softmax_is_within_four_ulp(log_softmax_refs):
    report = conform(built_in("symbinfo"), log_softmax_refs, "float64", name="symbinfo")
    assert report.implemented and not report.nonfinite and not report.failures
    assert report.max_ulp <= 4


def test_torch_cpu_log_softmax_loses_the_dominant_maximum(log_softmax_refs):
    torch = pytest.importorskip("torch")  # installed by .ci/run: must not skip in CI
    torch.set_num_threads(1)
    report = conform(built_in("torch"), log_softmax_refs, "float64", name="torch")
    # log_softmax([100, 0, 0, 0, 0])[0] is -1.49e-43; PyTorch returns exactly 0.
    assert report.implemented and report.max_ulp > 1e6
    assert "z=[100" in report.worst or "z=[1000" in report.worst or "e+" in report.worst \
        or report.max_ulp > 1e15


def test_float32_conformance_needs_float32_inputs():
    refs = reference_set("entropy", "adversarial", long=False)
    with pytest.raises(ValueError, match="not exactly representable in float32"):
        conform(built_in("numpy"), refs, "float32")
    refs32 = reference_set("entropy", "adversarial", long=False, input_dtype="float32")
    report = conform(built_in("symbinfo"), refs32, "float32", name="symbinfo")
    assert report.max_ulp <= 4 and refs32.metadata["input_dtype"] == "float32"


def test_unsupported_kernels_are_reported_not_failed():
    refs = reference_set("focal_loss", "typical", long=False)
    assert not conform(built_in("scipy"), refs).implemented


def test_exceptions_are_reported_per_case():
    refs = reference_set("entropy", "typical", long=False)

    def broken(kernel, inputs):
        raise RuntimeError("boom")
    report = conform(broken, refs)
    assert len(report.failures) == len(refs.cases) and "RuntimeError: boom" in report.failures[0]
    assert report.max_ulp == math.inf


def test_assert_matches_reference_passes_and_fails_readably(tmp_path):
    refs = reference_set("logsumexp", "adversarial", long=False)
    path = tmp_path / "logsumexp.json"
    files.write(refs, path)
    from scipy.special import logsumexp
    assert assert_matches_reference(lambda z: logsumexp(z), path, max_ulp=4).cases == len(refs.cases)
    with pytest.raises(AssertionError) as failure:
        assert_matches_reference(lambda z: np.log(np.sum(np.exp(z))), path, max_ulp=4)
    message = str(failure.value)
    assert "not within 4 ULP of the logsumexp references in float64" in message
    assert "z=[710.0" in message and "expected 710" in message and "got inf" in message


def test_conform_command_with_a_user_adapter(tmp_path, monkeypatch, capsys):
    refs_dir = tmp_path / "refs"
    assert main(["refs", "logsumexp", "--no-long", "--workers", "1",
                 "--out", str(refs_dir)]) == 0
    module = tmp_path / "my_adapter.py"
    module.write_text(textwrap.dedent("""
        import numpy as np
        def implementation(kernel, inputs):
            if kernel != "logsumexp":
                raise NotImplementedError(kernel)
            z = inputs["z"]
            m = np.max(z)
            return m + np.log(np.sum(np.exp(z - m)))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    capsys.readouterr()
    assert main(["conform", "--impl", "my_adapter:implementation", str(refs_dir), "--json",
                 "--max-ulp", "1e9"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["reports"]
    assert record["kernel"] == "logsumexp" and record["nonfinite"] == []
    assert main(["conform", "--impl", "numpy", str(refs_dir), "--max-ulp", "4"]) == 1
    assert main(["conform", "--impl", "nope", str(refs_dir)]) == 2
    assert main(["conform", "--impl", "numpy", str(tmp_path / "missing")]) == 2
    sys.modules.pop("my_adapter", None)


def test_load_implementation_rejects_non_callables(tmp_path, monkeypatch):
    (tmp_path / "not_callable.py").write_text("value = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match="'value' is not a callable"):
        load_implementation("not_callable:value")


@pytest.fixture(scope="module")
def typical_refs():
    from symbinfo.refs.generate import kernel_names
    return {k: reference_set(k, "typical", long=False) for k in kernel_names()}


def wiring_errors(implementation, typical_refs):
    """What is wrong with an adapter on typical inputs, where every library is accurate: a
    median beyond a few ULPs, or any failure, means it passes the wrong inputs."""
    adapter = built_in(implementation)
    problems, implemented = [], 0
    for kernel, refs in typical_refs.items():
        report = conform(adapter, refs, name=implementation)
        if not report.implemented:
            continue
        implemented += 1
        if report.failures or report.nonfinite or report.median_ulp > 8:
            problems.append((kernel, report.median_ulp, (report.failures + report.nonfinite)[:1]))
    return implemented, problems


@pytest.mark.parametrize("implementation", ["numpy", "scipy", "torch", "symbinfo"])
def test_every_adapter_is_wired_right_on_typical_inputs(implementation, typical_refs):
    if implementation == "torch":
        pytest.importorskip("torch")  # installed by .ci/run: nothing skips in CI
    implemented, problems = wiring_errors(implementation, typical_refs)
    assert implemented >= 16 and not problems


def test_jax_adapter_is_wired_right_on_typical_inputs():
    """In a subprocess: JAX is multithreaded, and the engine's forked workers must never run
    in a process that has imported it."""
    pytest.importorskip("jax")  # installed by .ci/run: nothing skips in CI
    code = ("from tests.test_conform import wiring_errors\n"
            "from symbinfo.refs.generate import kernel_names, reference_set\n"
            "refs = {k: reference_set(k, 'typical', long=False) for k in kernel_names()}\n"
            "print(repr(wiring_errors('jax', refs)))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600, check=False, cwd=str(Path(__file__).parent.parent))
    assert result.returncode == 0, result.stderr[-2000:]
    implemented, problems = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert implemented == 18 and problems == []
