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

from symbinfo.definitions.activations import softmax
from symbinfo.distributions import (INDEX, Distribution, FiniteDistribution, NormalDistribution,
                                    SymbolicDistribution)
from symbinfo.vectors import SymbolicVector

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


def declaration(law: Any) -> str:
    r"""A distribution as an ``% assume:`` declaration the proof parser reads back.

    >>> from symbinfo import distribution
    >>> declaration(distribution(["0.2", "0.8"], name="P"))
    'P = \\left(\\frac{1}{5}, \\frac{4}{5}\\right)'
    """
    if isinstance(law, NormalDistribution):
        mean, std = law.args[1:]
        return rf"{law.name} = \mathcal{{N}}\left({expression(mean)}, {expression(std ** 2)}\right)"
    if isinstance(law, SymbolicDistribution):
        logits = _softmax_logits(law)
        return (rf"{logits} \in \mathbb{{R}}^{{{expression(law.length)}}}, "
                rf"{law.name} = \mathrm{{softmax}}({logits})")
    entries = ", ".join(expression(p) for p in law.probabilities)
    return rf"{law.name} = \left({entries}\right)"


def _softmax_logits(law: SymbolicDistribution) -> str | None:
    r"""The logits' name when the entries of ``law`` are :math:`\mathrm{softmax}(z)_i`."""
    entry = law.probability(INDEX)
    for base in sorted(entry.atoms(sympy.IndexedBase), key=str):
        if entry == softmax(SymbolicVector(base, law.length), INDEX):
            return expression(base)
    return None


def _declared(law: Any) -> bool:
    """Whether the chain's text shows ``law`` by name only, with a meaning of its own."""
    if isinstance(law, SymbolicDistribution):
        return _softmax_logits(law) is not None
    return isinstance(law, (FiniteDistribution, NormalDistribution))


def declarations(chain: Any, reports: Any) -> str:
    r"""The ``% assume:`` line declaring the distributions a chain uses that are printed by
    name only (``H(P)``) but are not the default :math:`p_i`: explicit (``P = (0.2, 0.8)``),
    Gaussian, or a softmax of logits; so that the file reads back with the same meaning.
    Empty when the chain uses none."""
    laws: dict[str, Any] = {}
    for expr in [chain.start, *(report.step.expr for report in reports)]:
        for law in sorted(sympy.S(expr).atoms(Distribution), key=str):
            if _declared(law):
                laws.setdefault(law.name, law)
    return f"% assume: {', '.join(declaration(law) for law in laws.values())}" if laws else ""


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
        if declared := declarations(chain, reports):
            lines.append(declared)
        lines.append(align(chain, reports))
    return "\n".join(lines) + "\n"


def _section(result: Any) -> str:
    derivation = result.derivation
    labels = ", ".join(f"${label}$" for label in derivation.assumptions.labels())
    name = escape_text(derivation.name)
    parts = [rf"\subsection*{{{escape_text(derivation.title)}}}",
             rf"\texttt{{{name}}}. Assumptions: {labels or 'none'}. "
             rf"Verdict: \textbf{{{result.verdict.value}}} (expected: {derivation.expected})."]
    if derivation.assumptions.labels():  # for `symbinfo check`, which reads each section
        parts.append(f"% assumptions: {', '.join(derivation.assumptions.labels())}")
    if derivation.note:
        parts.append(derivation.note)
    for chain, reports in result.chains:
        if chain.caption:
            parts.append(chain.caption)
        if declared := declarations(chain, reports):
            parts.append(declared)
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
