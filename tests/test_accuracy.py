"""The accuracy checker, and the issue's accuracy targets for every kernel on the adversarial
suite (float64 and float32): median <= 1 ULP and max <= 4 ULP, or for differences
|error| <= (2 + 2 log2 n) eps sum|t_i|; no non-finite value where the truth is finite."""

from __future__ import annotations

import dataclasses
import json
import math

import mpmath
import numpy as np
import pytest
from sympy import Symbol, exp, log

from symbinfo import definitions as d
from symbinfo import kernels
from symbinfo.accuracy import (KernelSpec, Reference, cases, check_kernel, check_kernels,
                               converged, kernel_specs, starting_digits, ulp_error)
from symbinfo.cli import main
from symbinfo.kernels import primitives

pytestmark = pytest.mark.usefixtures("kernel_backend")  # each test on each backend

F64, F32 = np.dtype(np.float64), np.dtype(np.float32)


# --------------------------------------------------------------------------------------------
# The pieces
# --------------------------------------------------------------------------------------------

def test_ulp_error():
    assert ulp_error(1.0, mpmath.mpf(1), F64) == 0.0
    assert ulp_error(1.0 + 2 ** -52, mpmath.mpf(1), F64) == 1.0
    assert ulp_error(1.0 + 2 ** -23, mpmath.mpf(1), F32) == 1.0
    assert ulp_error(math.inf, mpmath.inf, F64) == 0.0
    assert ulp_error(math.inf, mpmath.mpf(1), F64) == math.inf
    assert ulp_error(0.0, mpmath.mpf(1), F64) == 2.0 ** 52
    assert ulp_error(math.inf, mpmath.mpf("1e400"), F64) == 0.0  # the truth rounds to inf


def test_reference_evaluates_the_definition_with_its_conventions():
    P = kernels.P
    p = np.array([0.0, 0.25, 0.75])
    reference = Reference(d.entropy(P), {P.probability(kernels.INDEX).base: p, P.length: 3})
    with mpmath.workdps(50):
        truth = -(mpmath.mpf("0.25") * mpmath.log("0.25") + mpmath.mpf("0.75") * mpmath.log("0.75"))
        assert reference.value() == truth  # and 0 log 0 = 0
    x, y = Symbol("x"), Symbol("y")
    with mpmath.workdps(50):
        assert Reference(x * log(x / y), {x: 0.5, y: 0.0}).value() == mpmath.inf


def test_reference_regroups_repeated_entries():
    P = kernels.P
    p = np.tile([0.125, 0.375, 0.5], 1000)
    reference = Reference(d.entropy(P), {P.probability(kernels.INDEX).base: p, P.length: 3000})
    with mpmath.workdps(50):
        one = -mpmath.fsum(mpmath.mpf(v) * mpmath.log(v) for v in (0.125, 0.375, 0.5))
        assert abs(reference.value() - 1000 * one) < mpmath.mpf(10) ** -45


def test_reference_precision_grows_until_the_definition_stops_cancelling():
    s = Symbol("s")
    value, digits = converged(Reference(log(1 - 1 / (1 + exp(-s))), {s: 710.0}).value)
    assert digits > 300 and mpmath.isfinite(value)
    with mpmath.workdps(50):
        assert abs(value + 710 + mpmath.log1p(mpmath.exp(-710))) < mpmath.mpf(10) ** -45
    assert starting_digits([np.array([5e-324])]) == 50 + 324


def test_the_check_can_fail():
    """A naive log-softmax (the textbook formula) misses the target: the check is real."""
    naive = KernelSpec(
        "log_softmax",
        lambda a: a["z"] - np.log(np.sum(np.exp(a["z"]))),
        kernel_specs()["log_softmax"].definition,
        kernel_specs()["log_softmax"].bindings, "per_class")
    report = check_kernel(naive, "adversarial", "float64", long=())
    assert not report.meets_targets
    assert report.nonfinite  # exp overflows above 709


# --------------------------------------------------------------------------------------------
# The targets, per kernel
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(kernel_specs()))
def test_adversarial_suite_meets_the_targets(name):
    for report in check_kernels("adversarial", kernels=[name], long=()):
        assert report.nonfinite == [], report.nonfinite
        if report.normalised_max_ulp is not None:
            assert report.normalised_max_ulp <= 4.0, report.as_record()
        if report.difference:
            assert report.max_bound_ratio <= 1.0, report.as_record()
        else:
            assert report.median_ulp <= 1.0, report.as_record()
            assert report.max_ulp <= 4.0, report.as_record()


def test_exactly_normalised_inputs_meet_the_ulp_target():
    """KL of exactly normalised inputs (a sum of non-negative terms): 4 ULP, not only the
    difference bound; the case class is in the adversarial suite."""
    labels = [label for label, _ in cases("kl_divergence", "adversarial", long=())]
    assert sum(label.startswith("exactly normalised") for label in labels) >= 7
    (report,) = check_kernels("adversarial", kernels=["kl_divergence"], dtypes=["float64"],
                              long=())
    assert report.normalised_max_ulp is not None and report.normalised_max_ulp <= 4.0
    assert report.as_record()["normalised_max_ulp"] == report.normalised_max_ulp


def test_the_normalised_target_can_fail():
    """The sum of the rel_entr terms alone meets the difference bound but not 4 ULP on the
    exactly normalised inputs."""
    spec = kernel_specs()["kl_divergence"]
    terms_only = dataclasses.replace(spec, call=lambda a: primitives.sum_terms(
        lambda p, q: primitives.rel_entr(p, q, p - q), a["p"], a["q"])[..., 0])
    report = check_kernel(terms_only, "adversarial", "float64", long=())
    assert report.max_bound_ratio <= 1.0
    assert report.normalised_max_ulp > 4.0 and not report.meets_targets


def test_long_vectors_meet_the_targets():
    """(The command checks 1e5 and 1e7 entries; 2e4 keeps the test fast.)"""
    for report in check_kernels("adversarial", kernels=["kl_divergence"], dtypes=["float64"],
                                long=(2 * 10 ** 4,)):
        assert report.meets_targets, report.as_record()


def test_typical_suite_meets_the_targets():
    names = ["entropy", "softmax_cross_entropy[labels]", "bce_with_logits"]
    assert all(r.meets_targets for r in check_kernels("typical", kernels=names))


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------

def test_command_json(capsys, kernel_backend):
    code = main(["kernels", "--check", "--suite", "adversarial", "--kernel", "entropy",
                 "--dtype", "float32", "--no-long", "--json", "--backend", kernel_backend])
    records = json.loads(capsys.readouterr().out)
    assert code == 0
    assert records["backend"] == kernel_backend
    (record,) = records["kernels"]
    assert record["kernel"] == "entropy" and record["dtype"] == "float32"
    assert record["meets_targets"] and record["max_ulp"] <= 4


def test_command_table_and_usage(capsys, kernel_backend):
    assert main(["kernels", "--check", "--kernel", "binary_entropy", "--no-long"]) == 0
    out = capsys.readouterr().out
    assert "binary_entropy" in out and "target met" in out
    assert f"backend: {kernel_backend}" in out
    assert main(["kernels"]) == 2
    assert main(["kernels", "--check", "--kernel", "nonexistent"]) == 2
