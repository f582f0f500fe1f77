"""Tests of the hand-proof checker's API: assumptions, notation, pmfs, rounding claims, limits."""

from __future__ import annotations

import time

import mpmath
import pytest

from symbinfo.checker import check, translate_assumptions, written_precision
from symbinfo.parse import ProofSyntaxError, parse_proof
from symbinfo.verify import Verdict

FAST = 3.0
"""Seconds per symbolic stage in these tests (every step here needs far less)."""


def _verdicts(text: str, **kwargs: float) -> list[str]:
    return [step.verdict.value for step in check(text, time_limit=FAST, **kwargs).steps]


# --------------------------------------------------------------------------------------------
# MATH-NOTES worked examples, written by hand at 4 decimals
# --------------------------------------------------------------------------------------------

COIN = r"% assume: P = (0.2, 0.8), Q = (0.5, 0.5)"
SOFTMAX = r"% assume: z = (2.0, 1.0, 0.1)"
WORKED = {
    # name: (declarations, expression, the value to 4 decimals, mpmath's value)
    "KL": (COIN, r"D_{KL}(P \| Q)", "0.1927",
           0.2 * mpmath.log(0.4) + 0.8 * mpmath.log(1.6)),
    "cross-entropy": (COIN, r"H(P, Q)", "0.6931", mpmath.log(2)),
    "entropy": (COIN, r"H(P)", "0.5004",
                -0.2 * mpmath.log(0.2) - 0.8 * mpmath.log(0.8)),
    "entropy in bits": (r"% assume: P = (0.99, 0.01)", r"H_2(P)", "0.0808",
                        -(0.99 * mpmath.log(0.99) + 0.01 * mpmath.log(0.01)) / mpmath.log(2)),
    "information in bits": ("", r"-\log_2 0.01", "6.6439", -mpmath.log(0.01) / mpmath.log(2)),
    "softmax": (SOFTMAX, r"\mathrm{softmax}(z)_1", "0.6590",
                mpmath.exp(2) / (mpmath.exp(2) + mpmath.exp(1) + mpmath.exp(0.1))),
    "softmax CE": (SOFTMAX, r"-\log \mathrm{softmax}(z)_1", "0.4170",
                   -mpmath.log(mpmath.exp(2) / (mpmath.exp(2) + mpmath.e + mpmath.exp(0.1)))),
    "one-hot CE": (r"% assume: P = (0, 0, 1), Q = (0.3, 0.3, 0.4)", r"H(P, Q)", "0.9163",
                   -mpmath.log(0.4)),
}


@pytest.mark.parametrize("name", sorted(WORKED))
def test_worked_example_to_4_decimals_and_a_4th_decimal_slip(name: str) -> None:
    declarations, expression, value, exact = WORKED[name]
    assert f"{float(exact):.4f}" == value  # the table's digits, checked with mpmath
    slip = f"{float(value) + 0.0001:.4f}"
    text = "\n".join([declarations, rf"\[ {expression} \approx {value} \]",
                      rf"\[ {expression} \approx {slip} \]"])
    report = check(text, time_limit=FAST)
    right, wrong = report.steps
    assert right.verdict is Verdict.PROVED, right.detail
    assert wrong.verdict is Verdict.REFUTED, wrong.detail
    assert wrong.counterexample is not None
    assert wrong.counterexample["true_value"] == value
    assert wrong.counterexample["rhs"] == slip
    assert f"to the written precision it is {value}" in wrong.detail
    assert report.exit_code == 1


def test_written_precision_rounds_half_to_even_on_the_digits() -> None:
    assert written_precision("0.69314718", "0.69") == "0.69"
    assert written_precision("6.64385", "6.6") == "6.6"
    assert written_precision("0.125", "0.12") == "0.12"


# --------------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------------

def test_assumptions_become_conditions() -> None:
    document = parse_proof(r"""% assume: 0 < p_i < 1, \sum_{i=1}^{n} p_i = 1, n \ge 2
% assume: x_i \in \{0, 1\}, \tau > 0, 0 \le u \le 1, 1 \le c \le K, w \in (0, 1)
\[ p_c + x_1 + \tau + u + w = \sum_{k=1}^{K} z_k \]""")
    conditions, notes = translate_assumptions(document)
    assert set(conditions.labels()) == {
        r"p_i > 0,\ \sum_{i=1}^{n} p_i = 1", r"n \ge 2", r"x_i \in \{0, 1\}", r"\tau > 0",
        r"0 \le u \le 1", r"1 \le c \le K", "0 < w < 1"}
    assert notes == ()


def test_numbered_entries_with_one_bound_are_one_condition() -> None:
    text = r"""% assume: \sigma_1 > 0, \sigma_2 > 0
\[ \log(\sigma_1 \sigma_2) = \log \sigma_1 + \log \sigma_2 \]"""
    conditions, notes = translate_assumptions(parse_proof(text))
    assert conditions.labels() == (r"\sigma_i > 0",) and notes == ()
    assert _verdicts(text) == ["proved"]


def test_binary_labels_are_sampled_at_0_and_1_only() -> None:
    # true for x in {0, 1}, false for x = 1/2: sampling [0, 1] would refute it
    assert _verdicts("% assume: x \\in \\{0, 1\\}\n\\[ x^2 = x \\]") in (["numeric"], ["proved"])
    assert _verdicts("% assume: 0 \\le x \\le 1\n\\[ x^2 = x \\]") == ["refuted"]


def test_a_definition_in_an_assumption_is_substituted() -> None:
    text = r"""% assume: q_i > 0, \sum_{i=1}^{n} q_i = 1, 1 \le c \le n, y_i = \delta_{ic}
\[ -\sum_{i=1}^{n} y_i \log q_i = -\log q_c \]"""
    assert _verdicts(text) == ["proved"]


def test_a_refutation_under_an_unused_assumption_is_undecided() -> None:
    text = "% assume: 0 < p < 1, p > 2 q\n\\[ \\log(p + q) = \\log p + \\log q \\]"
    report = check(text, time_limit=FAST)
    assert report.notes == ("line 1: p > 2 q is not used",)
    step = report.steps[0]
    assert step.verdict is Verdict.UNDECIDED and step.counterexample is None
    assert "could not use every assumption" in step.detail and "p > 2 q" in step.detail


def test_without_the_assumption_the_slip_is_refuted() -> None:
    report = check("% assume: 0 < p < 1, 0 < q < 1\n\\[ \\log(p + q) = \\log p + \\log q \\]",
                   time_limit=FAST)
    step = report.steps[0]
    assert step.verdict is Verdict.REFUTED
    values = step.counterexample["values"]
    assert set(values) == {"p", "q"}
    assert all(0 < float(sympy_value(v)) < 1 for v in values.values())
    left, right = (mpmath.mpf(step.counterexample[side]) for side in ("lhs", "rhs"))
    p, q = (mpmath.mpf(sympy_value(values[name])) for name in ("p", "q"))
    assert mpmath.almosteq(left, mpmath.log(p + q), rel_eps=1e-15)
    assert mpmath.almosteq(right, mpmath.log(p) + mpmath.log(q), rel_eps=1e-15)


def sympy_value(text: str) -> str:
    """A shown value ('1/3' or a decimal) as a decimal string mpmath reads."""
    if "/" in text:
        numerator, denominator = text.split("/")
        return str(mpmath.mpf(numerator) / mpmath.mpf(denominator))
    return text


# --------------------------------------------------------------------------------------------
# Relations and notation
# --------------------------------------------------------------------------------------------

def test_strict_inequalities_are_refuted_or_undecided_never_proved() -> None:
    text = r"""% assume: 0 < p < 1
\[ -\log p > 0 \]
\[ \log p > 0 \]"""
    report = check(text, time_limit=FAST)
    held, failed = report.steps
    assert held.verdict is Verdict.UNDECIDED and "strict inequality" in held.detail
    assert failed.verdict is Verdict.REFUTED


def test_gibbs_inequality_with_its_notation() -> None:
    text = r"""% assume: p_i > 0, q_i > 0, \sum_{i=1}^{n} p_i = 1, \sum_{i=1}^{n} q_i = 1
\begin{align*}
D_{\mathrm{KL}}(P \| Q) &= \sum_{i=1}^{n} p_i \log \frac{p_i}{q_i} \\
  &\ge 0
\end{align*}"""
    assert _verdicts(text) == ["proved", "proved"]


def test_a_define_line_with_cases_is_a_kronecker_delta() -> None:
    text = r"""% define: \delta_{ik} = 1 \text{ if } i = k, \text{ else } 0
% assume: 1 \le k \le n
\[ \sum_{i=1}^{n} \delta_{ik} x_i = x_k \]"""
    assert _verdicts(text) == ["proved"]


def test_pmfs_written_as_functions_get_tables() -> None:
    text = r"""\[ \sum_{x} p(x) = 1 \]
\[ \sum_x \sum_y p(x \mid y) p(y) = 1 \]
\[ \sum_x p(x \mid y) = 1 \]
\[ p(x \mid y) p(y) = p(x, y) \]
\[ \sum_{x} \sum_{y} p(x, y) \log \frac{p(x, y)}{p(x) p(y)} \ge 0 \]
\[ p(x \mid y) = p(y \mid x) \]
\[ \sum_x \sum_y p(x, y) = 2 \]"""
    assert _verdicts(text) == ["proved"] * 5 + ["refuted"] * 2


def test_a_pmf_outcome_that_is_also_a_number_is_undecided() -> None:
    report = check(r"\[ p(x) = x^2 \]", time_limit=FAST)
    assert report.steps[0].verdict is Verdict.UNDECIDED
    assert "pmf" in report.steps[0].detail


def test_a_pmf_over_two_unnamed_alphabets_is_undecided_not_refuted() -> None:
    # \sum_a runs to n_a, \sum_x to n_x: the same argument of p, two sizes
    unnamed = check(r"\[ \sum_a \sum_b p(a, b) = \sum_x \sum_y p(x, y) \]", time_limit=FAST)
    assert unnamed.steps[0].verdict is Verdict.UNDECIDED
    assert "write the same limits" in unnamed.steps[0].detail
    named = r"\[ \sum_{a=1}^{n} \sum_{b=1}^{m} p(a, b) = \sum_{x=1}^{n} \sum_{y=1}^{m} p(x, y) \]"
    assert _verdicts(named) == ["proved"]


def test_an_approx_claim_needs_a_decimal() -> None:
    report = check(r"\[ \log 2 \approx \frac{1}{2} \]", time_limit=FAST)
    assert report.steps[0].verdict is Verdict.UNDECIDED
    assert "decimal number" in report.steps[0].detail


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("time_limit", "file_time_limit"), [(0.5, 60), (5, 1)])
def test_a_step_too_long_to_evaluate_is_undecided_within_its_bound(
        time_limit: float, file_time_limit: float) -> None:
    start = time.perf_counter()
    report = check(r"\[ \sum_{i=1}^{100000000} x_i = 0 \]", time_limit=time_limit,
                   file_time_limit=file_time_limit)
    # at most 4 stages of time_limit, and the file's time, plus 2 s of grace
    assert time.perf_counter() - start < min(4 * time_limit, file_time_limit) + 4
    assert report.steps[0].verdict is Verdict.UNDECIDED
    assert "time limit" in report.steps[0].detail
    assert report.exit_code == 2


def test_steps_after_the_file_time_limit_are_undecided() -> None:
    text = "% assume: 0 < p < 1\n" + "\\[ \\log p^2 = 2 \\log p \\]\n" * 3
    report = check(text, time_limit=FAST, file_time_limit=0)
    assert [s.verdict for s in report.steps] == [Verdict.UNDECIDED] * 3
    assert all("file time limit" in s.detail for s in report.steps)


def test_unreadable_input_raises_with_line_and_column() -> None:
    with pytest.raises(ProofSyntaxError) as info:
        check(b"\\[ a = \\frac{1}{ \\]\n", name="bad.tex")
    assert (info.value.name, info.value.line) == ("bad.tex", 1)
    assert info.value.expected


def test_entries_below_1_that_sum_to_1_mean_at_least_two_of_them() -> None:
    document = parse_proof("% assume: 0 < p_i < 1, \\sum_{i=1}^{n} p_i = 1\n\\[ p_1 = p_1 \\]")
    assert translate_assumptions(document)[0].labels() == (
        r"p_i > 0,\ \sum_{i=1}^{n} p_i = 1", r"n \ge 2")


def test_sections_are_proofs_of_their_own_with_the_shared_preamble() -> None:
    text = r"""% assume: 0 < q_i < 1, \sum_{i=1}^{n} q_i = 1
\section{Symbolic}
% assume: 0 < p_i < 1, \sum_{i=1}^{n} p_i = 1
\[ H(P, Q) = H(P) + D_{KL}(P \| Q) \]
\section{A coin}
% assume: P = (0.2, 0.8), Q = (0.5, 0.5)
\[ H(P, Q) = \log 2 \]
\[ \sum_{i=1}^{n} q_i = 1 \]"""
    report = check(text, time_limit=FAST)
    assert [(s.line, s.verdict.value) for s in report.steps] == [
        (4, "proved"), (7, "proved"), (8, "proved")]


def test_too_many_sections_is_an_error() -> None:
    text = "\\section{A}\n\\[ x = x \\]\n" * 101
    with pytest.raises(ProofSyntaxError, match="more than 100 sections") as info:
        check(text)
    assert info.value.line == 201
