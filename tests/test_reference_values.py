"""Reference values: rigorous evaluation of the definitions, against mpmath computed
independently in the tests, plus determinism across executors."""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from sympy import IndexedBase, Symbol, exp, log

from symbinfo import accuracy, kernels, symbolic_distribution
from symbinfo import kl_divergence as kl_definition
from symbinfo.refs import files
from symbinfo.refs.evaluate import compile_definition, definition_arguments, evaluate
from symbinfo.refs.floats import BINARY32, BINARY64, round_to_float
from symbinfo.refs.generate import (case_inputs, kernel_names, reference_set,
                                    resolve_kernels)

x = Symbol("x", real=True)


def mp_digits(value: str, truth: mpmath.mpf, digits: int) -> bool:
    with mpmath.workdps(digits + 20):
        return abs(mpmath.mpf(value) - truth) <= abs(truth) * mpmath.mpf(10) ** (1 - digits)


def test_log1p_of_a_tiny_exponential_is_not_rounded_to_zero():
    compiled = compile_definition(log(1 + exp(-x)), [x])
    value = evaluate(compiled, {x: 10000.0}, dps=50)
    with mpmath.workdps(80):
        truth = mpmath.log1p(mpmath.exp(-10000))
    assert mp_digits(value.decimal, truth, 50)
    assert value.certified and value.float64 == 0.0  # the truth underflows binary64


def test_entropy_with_zero_probabilities_uses_zero_log_zero():
    P = symbolic_distribution("P")
    from symbinfo import entropy
    definition = entropy(P)
    compiled = compile_definition(definition, definition_arguments(definition))
    p, n = IndexedBase("p", positive=True), Symbol("n", integer=True, positive=True)
    value = evaluate(compiled, {p: np.array([0.0, 0.25, 0.75]), n: 3}, dps=60)
    with mpmath.workdps(80):
        truth = -(mpmath.mpf("0.25") * mpmath.log(mpmath.mpf("0.25"))
                  + mpmath.mpf("0.75") * mpmath.log(mpmath.mpf("0.75")))
    assert mp_digits(value.decimal, truth, 60) and value.certified


def compiled_kl():
    """The KL definition of symbolic length compiled, and its symbols p, q, n."""
    definition = kl_definition(symbolic_distribution("P"), symbolic_distribution("Q"))
    compiled = compile_definition(definition, definition_arguments(definition))
    p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)
    return compiled, p, q, Symbol("n", integer=True, positive=True)


def test_exact_zero_is_exact_and_certified():
    compiled, p, q, n = compiled_kl()
    same = np.array([0.125, 0.375, 0.5])
    value = evaluate(compiled, {p: same, q: same.copy(), n: 3}, dps=50)
    assert value.decimal == "0" and value.float64 == 0.0 and value.certified


def test_infinite_values_are_left_to_the_conventions():
    compiled, p, q, n = compiled_kl()
    assert evaluate(compiled, {p: np.array([0.5, 0.5]), q: np.array([0.0, 1.0]), n: 2}) is None
    refs = reference_set("kl_divergence", "adversarial", long=False)
    infinite = [c for c in refs.cases if c.case_class == "q = 0 < p (infinite)"]
    assert infinite and infinite[0].output.float64 == math.inf and infinite[0].output.certified


def test_a_value_just_below_a_binary64_midpoint_is_rounded_correctly():
    # 1 - 0.3 (binary) is exactly a binary64 midpoint; sigma(1000) - 1 ~ -e^-1000 lies below it.
    s, t, w = kernels.LOGIT, kernels.TARGET, kernels.POS_WEIGHT
    spec = accuracy.kernel_specs()["bce_with_logits_grad"]
    compiled = compile_definition(spec.definition, definition_arguments(spec.definition))
    value = evaluate(compiled, {s: 1000.0, t: 0.3, w: 3.0}, dps=50)
    with mpmath.workdps(1000):
        sigma = 1 / (1 + mpmath.exp(-1000))
        xx = mpmath.mpf(0.3)
        truth = (1 - xx) * sigma - 3 * xx * (1 - sigma)  # d/ds of the definition
        mantissa, exponent = truth.man_exp
        exact = Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
    assert value.certified
    assert value.float64 == round_to_float(exact, BINARY64)
    assert value.float32 == round_to_float(exact, BINARY32)
    assert value.float64 != 0.7000000000000001  # the tie-to-even answer of the midpoint itself


def test_per_class_outputs_share_the_normaliser_and_match_mpmath():
    spec = accuracy.kernel_specs()["log_softmax"]
    compiled = compile_definition(spec.definition,
                                  definition_arguments(spec.definition, kernels.CLASS),
                                  kernels.CLASS)
    assert "_h" in compiled.source  # the normaliser is computed once
    z = np.array([100.0, 0.0, 0.0, 0.0, 0.0])
    values = evaluate(compiled, spec.bindings({"z": z}, None), dps=50, outputs=[1, 2])
    with mpmath.workdps(200):
        normaliser = mpmath.log(mpmath.exp(100) + 4)
        truths = [100 - normaliser, -normaliser]
    assert all(mp_digits(v.decimal, t, 50) and v.certified for v, t in zip(values, truths))
    assert values[0].float64 == pytest.approx(-1.4880303904083344e-43, rel=1e-15)


@pytest.mark.parametrize("kernel", kernel_names())
def test_every_kernel_agrees_with_the_independent_mpmath_evaluator(kernel):
    refs = reference_set(kernel, "typical", dps=50, long=False)
    spec = accuracy.kernel_specs()[kernel]
    for case in refs.cases[:6]:
        inputs = {k: np.asarray(v) if isinstance(v, list) else v for k, v in case.inputs.items()}
        bindings = spec.bindings(inputs, None)
        outputs = case.output if isinstance(case.output, list) else [case.output]
        with mpmath.workdps(80):
            if spec.shape == "per_class":
                reference = accuracy.Reference(spec.definition, bindings, (kernels.CLASS,))
                truths = [reference.value(None, {kernels.CLASS: k + 1})
                          for k in range(len(outputs))]
            else:
                truths = [accuracy.Reference(spec.definition, bindings).value()]
            for output, truth in zip(outputs, truths):
                assert output.certified
                assert mp_digits(output.decimal, truth, 40), (case.case_class, output, truth)


def test_resolving_function_names():
    assert resolve_kernels(["softmax_cross_entropy_grad"]) == [
        "softmax_cross_entropy_grad[labels]", "softmax_cross_entropy_grad[soft]"]
    with pytest.raises(ValueError, match="unknown kernel 'nope'"):
        resolve_kernels(["nope"])


def test_bad_arguments():
    with pytest.raises(ValueError, match="dps=30 is below 40"):
        reference_set("entropy", "typical", dps=30)
    with pytest.raises(ValueError, match="suite='huge'"):
        reference_set("entropy", "huge")


def test_same_arguments_give_identical_bytes_on_any_executor():
    inline = files.to_json_bytes(reference_set("kl_divergence", "adversarial", long=False))
    again = files.to_json_bytes(reference_set("kl_divergence", "adversarial", long=False))
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = files.to_json_bytes(reference_set("kl_divergence", "adversarial", long=False,
                                                   executor=pool))
    assert inline == again == pooled


def test_dask_local_cluster_gives_identical_bytes():
    distributed = pytest.importorskip("distributed")
    inline = files.to_json_bytes(reference_set("log_softmax", "typical", long=False))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        clustered = files.to_json_bytes(reference_set("log_softmax", "typical", long=False,
                                                      executor=client.get_executor()))
    assert clustered == inline


def test_case_inputs_store_labels_as_integers():
    cases = case_inputs("softmax_cross_entropy[labels]", "typical", long=False)
    assert all(isinstance(c.inputs["label"], int) for c in cases)
