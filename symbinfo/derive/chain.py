r"""Derivations: titled chains :math:`e_0 \mathrel{R_1} e_1 \mathrel{R_2} e_2 \cdots` of verified
steps, and the public API to write new ones.

A :class:`Derivation` holds one or more chains. Each chain starts from an expression; each
step is normally *produced* by applying a named rule (:mod:`symbinfo.derive.rules`) to the
previous expression, or states its target expression; either way it is then verified on its
own by :func:`symbinfo.verify.verify_step` under the derivation's assumptions. A derivation's
verdict is its weakest step's.

>>> from sympy import Symbol, log
>>> from symbinfo.assumptions import Assumptions, probability
>>> from symbinfo.derive import rules
>>> a, b = Symbol("a"), Symbol("b")
>>> d = Derivation("additivity", "Information of independent events adds",
...                Assumptions(probability(a), probability(b)))
>>> _ = d.start(-log(a * b)).apply(rules.LOG_RULES).equals(-log(a) - log(b), "expand")
>>> result = d.verify()
>>> result.verdict.value, [s.result.verdict.value for s in result.steps()]
('proved', ['proved', 'proved'])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Expr

from symbinfo.assumptions import Assumptions, Condition
from symbinfo.derive.rules import Rewrite, Rule

RELATIONS = ("=", "<=", ">=")


@dataclass(frozen=True)
class Step:
    """One step: ``relation`` to the previous expression, the new ``expr``, and why. (The
    conditions a step relies on are those its verification reports, not the producing
    rule's.)"""

    relation: str
    expr: Expr
    justification: str


@dataclass
class Chain:
    """A start expression and its steps."""

    start: Expr
    steps: list[Step] = field(default_factory=list)
    caption: str = ""

    @property
    def last(self) -> Expr:
        """The latest expression of the chain."""
        return self.steps[-1].expr if self.steps else self.start


class Derivation:
    """A titled, verifiable derivation (one or more chains) under stated assumptions.

    Args:
      name: a short identifier (``"ce_equals_h_plus_kl"``), used for file names.
      title: the human title.
      assumptions: the side conditions of every step.
      expected: the verdict the derivation is expected to reach (``"proved"`` by default);
        the library command fails if a derivation falls below it.
      note: a sentence printed under the title (e.g. why a step is only ``numeric``).
    """

    def __init__(self, name: str, title: str, assumptions: Assumptions | None = None, *,
                 expected: str = "proved", note: str = "") -> None:
        from symbinfo.verify import Verdict  # the verifier imports the rules of this package

        if not name.replace("_", "").isalnum():
            raise ValueError(f"derivation name {name!r} must be letters, digits and '_'")
        if expected not in {v.value for v in Verdict}:
            raise ValueError(f"expected verdict {expected!r} is not one of "
                             f"{', '.join(v.value for v in Verdict)}")
        self.name = name
        self.title = title
        self.assumptions = assumptions if assumptions is not None else Assumptions()
        self.expected = expected
        self.note = note
        self.chains: list[Chain] = []
        self._result: Any = None

    # building ------------------------------------------------------------------------------
    def assume(self, *conditions: Condition) -> "Derivation":
        """Add side conditions (:mod:`symbinfo.assumptions`) to every step."""
        self.assumptions = self.assumptions + Assumptions(*conditions)
        self._result = None
        return self

    def start(self, expr: Any, caption: str = "") -> "Derivation":
        """Begin a (new) chain at ``expr``."""
        self.chains.append(Chain(sympy.S(expr), caption=caption))
        self._result = None
        return self

    def _chain(self) -> Chain:
        if not self.chains:
            raise ValueError(f"derivation {self.name!r}: call start(expr) before adding steps")
        return self.chains[-1]

    def _add(self, relation: str, expr: Any, justification: str) -> "Derivation":
        if relation not in RELATIONS:
            raise ValueError(f"relation {relation!r} is not one of {', '.join(RELATIONS)}")
        if not justification:
            raise ValueError("every step needs a justification")
        self._chain().steps.append(Step(relation, sympy.S(expr), justification))
        self._result = None
        return self

    def apply(self, rule: Rule | Callable[[Expr, Assumptions], Rewrite | Expr],
              justification: str | None = None) -> "Derivation":
        """Add an ``=`` step produced by ``rule`` from the previous expression.

        ``rule`` is a :class:`~symbinfo.derive.rules.Rule` (its justification is the default)
        or a function ``(expr, assumptions) -> Rewrite | Expr``.
        """
        produced = rule(self._chain().last, self.assumptions)
        rewrite = produced if isinstance(produced, Rewrite) else Rewrite(sympy.S(produced))
        why = justification or (rule.justification if isinstance(rule, Rule) else "")
        if not why:
            raise ValueError("a plain function as a rule needs a justification")
        return self._add("=", rewrite.expr, why)

    def equals(self, expr: Any, justification: str) -> "Derivation":
        """Add an ``=`` step to a stated expression (verified like any other)."""
        return self._add("=", expr, justification)

    def le(self, expr: Any, justification: str) -> "Derivation":
        r"""Add a :math:`\le` step to a stated expression."""
        return self._add("<=", expr, justification)

    def ge(self, expr: Any, justification: str) -> "Derivation":
        r"""Add a :math:`\ge` step to a stated expression."""
        return self._add(">=", expr, justification)

    # verifying -----------------------------------------------------------------------------
    def verify(self, **options: Any) -> "DerivationResult":
        """Verify every step (options go to :func:`~symbinfo.verify.verify_step`)."""
        from symbinfo.verify import verify_step  # the verifier imports the rules of this package

        begin = time.perf_counter()
        chains = []
        for chain in self.chains:
            previous, reports = chain.start, []
            for step in chain.steps:
                result = verify_step(previous, step.relation, step.expr, self.assumptions,
                                     **options)
                reports.append(StepReport(step, result))
                previous = step.expr
            chains.append((chain, tuple(reports)))
        self._result = DerivationResult(self, tuple(chains), time.perf_counter() - begin)
        return self._result

    def result(self) -> "DerivationResult":
        """The latest verification (verifying now if the derivation changed since)."""
        return self._result if self._result is not None else self.verify()

    def _repr_latex_(self) -> str:
        from symbinfo.render import latex_math
        return latex_math(self.result())

    def _repr_markdown_(self) -> str:
        from symbinfo.render import markdown
        return markdown(self.result())

    def __repr__(self) -> str:
        return f"Derivation({self.name!r}, {self.title!r}, {len(self.chains)} chain(s))"


@dataclass(frozen=True)
class StepReport:
    """A step with its verification result."""

    step: Step
    result: Any  # symbinfo.verify.StepResult


@dataclass(frozen=True)
class DerivationResult:
    """A verified derivation: every step's result, the overall verdict and the time taken."""

    derivation: Derivation
    chains: tuple[tuple[Chain, tuple[StepReport, ...]], ...]
    seconds: float

    def steps(self) -> Iterator[StepReport]:
        """Every step report, chain after chain."""
        for _, reports in self.chains:
            yield from reports

    @property
    def verdict(self) -> Any:
        """The weakest step verdict."""
        from symbinfo.verify import weakest
        return weakest([report.result.verdict for report in self.steps()])

    @property
    def meets_expectation(self) -> bool:
        """Whether the verdict is at least the derivation's expected one."""
        from symbinfo.verify import Verdict
        return self.verdict.strength >= Verdict(self.derivation.expected).strength

    def slowest_step(self) -> tuple[int, StepReport] | None:
        """The (1-based number, report) of the step that took longest."""
        numbered = list(enumerate(self.steps(), start=1))
        return max(numbered, key=lambda item: item[1].result.seconds, default=None)

    def to_json(self) -> dict[str, Any]:
        """The record ``symbinfo derive --json`` prints for this derivation."""
        return {
            "name": self.derivation.name,
            "title": self.derivation.title,
            "verdict": self.verdict.value,
            "expected": self.derivation.expected,
            "seconds": round(self.seconds, 3),
            "assumptions": list(self.derivation.assumptions.labels()),
            "steps": [{
                "relation": report.step.relation,
                "expression": sympy.latex(report.step.expr),
                "verdict": report.result.verdict.value,
                "justification": report.step.justification,
                "conditions": list(report.result.conditions_used),
                "detail": report.result.detail,
                "seconds": round(report.result.seconds, 3),
            } for report in self.steps()],
        }
