r"""Markdown output: each chain as a ``$$`` display of an ``aligned`` block (GitHub renders
it), steps numbered, then a table of justifications, verdicts and conditions used.

>>> from sympy import Symbol, log
>>> from symbinfo.assumptions import Assumptions, probability
>>> from symbinfo.derive.chain import Derivation
>>> from symbinfo.derive import rules
>>> a, b = Symbol("a"), Symbol("b")
>>> d = Derivation("additivity", "Additivity", Assumptions(probability(a), probability(b)))
>>> print(markdown(d.start(-log(a * b)).apply(rules.LOG_RULES).verify()))
### Additivity
<BLANKLINE>
`additivity` · assumptions: $0 < a < 1$, $0 < b < 1$ · verdict: **proved** (expected: proved)
<BLANKLINE>
$$
\begin{aligned}
- \log{\left(a b \right)} &= - \log{\left(a \right)} - \log{\left(b \right)} && (1)
\end{aligned}
$$
<BLANKLINE>
| step | justification | verdict | conditions used |
| --- | --- | --- | --- |
| (1) | log of a product / quotient / power | proved | $0 < a < 1$, $0 < b < 1$ |
<BLANKLINE>
"""

from __future__ import annotations

from typing import Any

from symbinfo.render.latex import RELATION_LATEX, expression, verdict_tag


def _math_list(labels: Any) -> str:
    return ", ".join(f"${label}$" for label in labels) or "none"


def markdown(result: Any) -> str:
    """The derivation as a Markdown section."""
    derivation = result.derivation
    lines = [f"### {derivation.title}", "",
             f"`{derivation.name}` · assumptions: {_math_list(derivation.assumptions.labels())}"
             f" · verdict: **{result.verdict.value}** (expected: {derivation.expected})", ""]
    if derivation.note:
        lines += [derivation.note, ""]
    number = 0
    for chain, reports in result.chains:
        if chain.caption:
            lines += [chain.caption, ""]
        rows, table = [], []
        for k, report in enumerate(reports):
            number += 1
            left = expression(chain.start) + " " if k == 0 else ""
            relation = RELATION_LATEX[report.step.relation]
            rows.append(f"{left}&{relation} {expression(report.step.expr)} && ({number})")
            verdict = verdict_tag(report.result).replace("\\le", "≤")
            table.append(f"| ({number}) | {report.step.justification} | {verdict} | "
                         f"{_math_list(report.result.conditions_used)} |")
        lines += ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", "",
                  "| step | justification | verdict | conditions used |",
                  "| --- | --- | --- | --- |", *table, ""]
    return "\n".join(lines)
