r"""LaTeX output: one ``align*`` per chain, one step per line, the justification as
``\text{...}`` and the step's verdict visible beside it.

Justifications are LaTeX text (they may contain inline math such as ``$\sum_i p_i = 1$``).
The standalone document loads only ``amsmath``, ``amssymb`` and ``geometry`` and compiles
with ``pdflatex``.

>>> from sympy import Symbol, log
>>> from symbinfo.assumptions import Assumptions, probability
>>> from symbinfo.derive.chain import Derivation
>>> from symbinfo.derive import rules
>>> a, b = Symbol("a"), Symbol("b")
>>> d = Derivation("additivity", "Additivity", Assumptions(probability(a), probability(b)))
>>> print(latex_fragment(d.start(-log(a * b)).apply(rules.LOG_RULES).verify()))
% additivity: Additivity
% assumptions: 0 < a < 1, 0 < b < 1
% verdict: proved
\begin{align*}
- \log{\left(a b \right)} &= - \log{\left(a \right)} - \log{\left(b \right)}
    && \text{log of a product / quotient / power}\quad [\textsf{proved}]
\end{align*}
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Expr

RELATION_LATEX = {"=": "=", "<=": r"\le", ">=": r"\ge"}

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,landscape,margin=1.5cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
"""


_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                 "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                 "^": r"\textasciicircum{}"}


def escape_text(text: str) -> str:
    """Plain text (a title, a name) made safe for LaTeX.

    >>> print(escape_text("2^H in bits_and 50%"))
    2\\textasciicircum{}H in bits\\_and 50\\%
    """
    return "".join(_TEXT_ESCAPES.get(char, char) for char in text)


def expression(expr: Expr) -> str:
    """An expression as papers write it (:math:`\\log`, indexed :math:`p_i`, sums with bounds)."""
    return sympy.latex(expr)


def verdict_tag(result: Any) -> str:
    """The verdict as shown beside a step: ``proved``, ``checked (n <= N)``, ``numeric (K
    points)``, ``refuted``, ``undecided``."""
    verdict = result.verdict.value
    if verdict == "checked":
        return f"{verdict}, n \\le {result.checked_up_to}"
    if verdict == "numeric":
        return f"{verdict}, {result.points} points"
    return verdict


def _tag(result: Any) -> str:
    text = verdict_tag(result)
    if "\\le" in text:
        name, bound = text.split(", ")
        return rf"[\textsf{{{name}}}, ${bound}$]"
    return rf"[\textsf{{{text}}}]"


def align(chain: Any, reports: Any) -> str:
    """One chain as an ``align*`` environment."""
    rows = []
    for k, report in enumerate(reports):
        left = expression(chain.start) + " " if k == 0 else ""
        relation = RELATION_LATEX[report.step.relation]
        rows.append(f"{left}&{relation} {expression(report.step.expr)} && "
                    rf"\text{{{report.step.justification}}}\quad {_tag(report.result)}")
    return "\n".join([r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"])


def latex_math(result: Any) -> str:
    """The derivation's ``align*`` environments only (what Jupyter's MathJax displays)."""
    return "\n".join(align(chain, reports) for chain, reports in result.chains)


def latex_fragment(result: Any) -> str:
    """The derivation as ``align*`` environments, with its name, assumptions and verdict as
    comments above."""
    derivation = result.derivation
    lines = [f"% {derivation.name}: {derivation.title}",
             f"% assumptions: {', '.join(derivation.assumptions.labels()) or 'none'}",
             f"% verdict: {result.verdict.value}"]
    for chain, reports in result.chains:
        if chain.caption:
            lines.append(f"% {chain.caption}")
        lines.append(align(chain, reports))
    return "\n".join(lines) + "\n"


def _section(result: Any) -> str:
    derivation = result.derivation
    labels = ", ".join(f"${label}$" for label in derivation.assumptions.labels())
    name = escape_text(derivation.name)
    parts = [rf"\subsection*{{{escape_text(derivation.title)}}}",
             rf"\texttt{{{name}}}. Assumptions: {labels or 'none'}. "
             rf"Verdict: \textbf{{{result.verdict.value}}} (expected: {derivation.expected})."]
    if derivation.note:
        parts.append(derivation.note)
    for chain, reports in result.chains:
        if chain.caption:
            parts.append(chain.caption)
        parts.append(align(chain, reports))
    return "\n\n".join(parts) + "\n"


def latex_document(results: list[Any], title: str = "symbinfo derivations") -> str:
    """A standalone document with every derivation, one subsection each."""
    body = "\n".join(_section(result) for result in results)
    return (PREAMBLE + rf"\title{{{title}}}" + "\n\\date{}\n\\begin{document}\n\\maketitle\n"
            "Each step is verified independently: \\textsf{proved} (symbolically, under the "
            "stated assumptions), \\textsf{checked} (exactly for $n = 1..N$), "
            "\\textsf{numeric} (agreement to at least 40 digits at sampled points; evidence, "
            "not proof), \\textsf{refuted}, \\textsf{undecided}.\n\n"
            + body + "\\end{document}\n")
