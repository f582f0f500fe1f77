r"""The hand-proof checker: every step of a LaTeX proof, verified by the engine.

:func:`check` reads a proof with :func:`~symbinfo.parse.parse_proof`, turns its ``% assume:``
lines and declared distributions into :mod:`symbinfo.assumptions` conditions, substitutes its
``% define:`` lines, gives a pmf written as a function (``p(x)``, ``p(x, y)``,
``p(x \mid y)``) a table of symbolic size, and runs :func:`~symbinfo.verify.verify_step` on
every step of every chain. Verdicts are the engine's; the checker only translates:

* ``<`` and ``>`` are checked as ``\le`` and ``\ge``: a refutation of the weak form refutes
  the strict one, anything else leaves the strict claim ``undecided``;
* ``\approx 0.5002`` claims the digits written (decided by interval arithmetic); a refuted
  claim reports the true value to the written precision;
* an assumption the checker cannot use is reported, and a step refuted while it is in force
  is ``undecided`` (the failing point might violate it), never ``refuted``.

A pmf written as a function is an entry of a table normalised over alphabets of symbolic
size (``n_x``): ``p(x, y)`` a joint table, ``p(x)`` its marginal (or a vector of its own when
there is no joint), ``p(x \mid y) = p(x, y) / p(y)``; the engine proves the claim for every
size, or checks it exactly for several sizes, sampling tables that satisfy the conditions.

A file whose lines start with ``\\section{...}`` holds several proofs (:func:`proofs`): each
section is checked with its own assumptions and those before the first section.

Limits: each symbolic stage of a step has ``time_limit`` seconds; a whole step runs in a
process group of its own and is killed after ``4 * time_limit + 2`` seconds (evaluating a sum
of 10^8 terms at sampled points is not a symbolic stage); the file has ``file_time_limit``
seconds, which a step overruns by at most 2 s, and steps not started by then are
``undecided``.

>>> report = check(r'''
... % assume: 0 < p < 1
... \[ -\log(p^2) = -2 \log p \]''', time_limit=2)
>>> [(s.line, s.relation, s.verdict.value) for s in report.steps]
[(3, '=', 'proved')]
>>> report.exit_code
0
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import sympy
from sympy import Eq, Expr, Indexed, IndexedBase, KroneckerDelta, Piecewise, Sum, Symbol
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.sets import Contains

from symbinfo.assumptions import (
    Assumptions,
    Condition,
    Normalised,
    at_least,
    definition,
    index_range,
    normalised,
    one_of,
    positive,
    probability,
    real,
    unit_interval,
)
from symbinfo.distributions import FiniteDistribution
from symbinfo.parse import ProofDocument, Step, parse_proof
from symbinfo.parse.notation import Conditional
from symbinfo.parse.source import SourceText
from symbinfo.verify import (
    Counterexample,
    StepResult,
    Verdict,
    rounding_interval,
    run_with_time_limit,
    verify_step,
)

DEFAULT_TIME_LIMIT = 5.0
"""Seconds for each symbolic stage of a step (expansion, proof, exact check for n = 1..N)."""
DEFAULT_FILE_TIME_LIMIT = 120.0
"""Seconds for the whole file; steps not started by then are ``undecided``."""

_ENGINE_RELATIONS = {"=": "=", "<=": "<=", ">=": ">=", "<": "<=", ">": ">=", "approx": "≈"}
_SHOWN_RELATIONS = {"<=": "\\le", ">=": "\\ge", "approx": "\\approx"}


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepReport:
    """One step's verdict: where it is, what it claims, what the engine found."""

    line: int
    column: int
    relation: str
    source_text: str
    verdict: Verdict
    detail: str
    counterexample: dict[str, Any] | None = None
    """For ``refuted``: ``values`` (the variables), ``lhs`` and ``rhs``; for a rounding claim
    also ``true_value`` (the value to the written precision)."""
    conditions: tuple[str, ...] = ()
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The record of the ``--json`` output."""
        return {"line": self.line, "relation": self.relation, "verdict": self.verdict.value,
                "detail": self.detail, "counterexample": self.counterexample}


@dataclass(frozen=True)
class ChainReport:
    """The steps of one chain, starting at ``line``."""

    line: int
    steps: tuple[StepReport, ...]

    def to_json(self) -> dict[str, Any]:
        """The record of the ``--json`` output."""
        return {"line": self.line, "steps": [s.to_json() for s in self.steps]}


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check` found in one file."""

    file: str
    chains: tuple[ChainReport, ...]
    notes: tuple[str, ...] = ()
    """Assumptions the checker could not use, each with its line."""
    seconds: float = 0.0

    @property
    def steps(self) -> tuple[StepReport, ...]:
        """All steps, in source order."""
        return tuple(step for chain in self.chains for step in chain.steps)

    @property
    def exit_code(self) -> int:
        """0 every step proved, checked or numeric; 1 some step refuted; 2 some undecided."""
        verdicts = {step.verdict for step in self.steps}
        return 1 if Verdict.REFUTED in verdicts else 2 if Verdict.UNDECIDED in verdicts else 0

    def to_json(self) -> dict[str, Any]:
        """``{"file": ..., "chains": [{"line": L, "steps": [...]}]}``."""
        return {"file": self.file, "chains": [c.to_json() for c in self.chains]}


# --------------------------------------------------------------------------------------------
# Assumptions: parsed relations to conditions
# --------------------------------------------------------------------------------------------

@dataclass
class _Bounds:
    """What the assumption lines say about one target (a symbol or an indexed base)."""

    lower: tuple[Expr, bool] | None = None  # (value, strict)
    upper: tuple[Expr, bool] | None = None
    lines: list[str] = field(default_factory=list)


@dataclass
class _Translation:
    conditions: list[Condition] = field(default_factory=list)
    bounds: dict[Any, _Bounds] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _target(expr: Expr) -> Any:
    """The symbol, the indexed base of an entry with symbolic indices (``p_i``), the entry
    itself for numbered indices (``\\sigma_1``), or None."""
    if isinstance(expr, Symbol):
        return expr
    if isinstance(expr, Indexed) and all(isinstance(i, Symbol) for i in expr.indices):
        return expr.base
    if isinstance(expr, Indexed) and all(i.is_Integer for i in expr.indices):
        return expr
    return None


def _record_bound(translation: _Translation, relation: Relational, text: str) -> bool:
    """``0 < p_i``, ``p_i < 1``, ``n \\ge 2``, ``c \\le K``: a bound on a target by a number
    (or, for an integer index, by a length)."""
    lhs, rhs, op = relation.lhs, relation.rhs, relation.rel_op
    if _target(lhs) is None:
        lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
    target = _target(lhs)
    bound = (rhs.is_number and rhs.is_extended_real) or (
        isinstance(rhs, Symbol) and rhs.is_integer and getattr(target, "is_integer", False))
    if target is None or not bound or op not in ("<", "<=", ">", ">="):
        return False
    bounds = translation.bounds.setdefault(target, _Bounds())
    side = "lower" if op.startswith(">") else "upper"
    setattr(bounds, side, (rhs, not op.endswith("=")))
    bounds.lines.append(text)
    return True


def _normalisation(relation: Relational) -> Condition | None:
    r""":math:`\sum_{i=1}^{n} p_i = 1` (or over a table) as a :func:`normalised` condition."""
    if not isinstance(relation, Eq) or relation.rhs != 1 or not isinstance(relation.lhs, Sum):
        return None
    total = relation.lhs
    entry = total.function
    if not isinstance(entry, Indexed):
        return None
    ranges = {var: (lo, hi) for var, lo, hi in total.limits}
    if len(ranges) != len(entry.indices) or any(
            i not in ranges or ranges[i][0] != 1 for i in entry.indices):
        return None
    return normalised(entry.base, *(ranges[i][1] for i in entry.indices))


def _membership(condition: Contains) -> Condition | None:
    r""":math:`x \in \{0, 1\}`, :math:`x \in (0, 1)`, :math:`x \in [0, 1]`,
    :math:`x \in \mathbb{R}`."""
    element, domain = condition.args
    target = _target(element)
    if target is None:
        return None
    if domain == sympy.S.Reals:
        return real(target)
    if isinstance(domain, sympy.FiniteSet) and all(v.is_Rational for v in domain.args):
        return one_of(target, domain.args)
    if isinstance(domain, sympy.Interval) and (domain.start, domain.end) == (0, 1):
        if domain.left_open and domain.right_open:
            return probability(target)
        if not (domain.left_open or domain.right_open):
            return unit_interval(target)
    return None


def _from_bounds(target: Any, bounds: _Bounds) -> Condition | None:
    """The interval condition two bounds describe, or None if it is not one we sample."""
    lower, upper = bounds.lower, bounds.upper
    if isinstance(target, Symbol) and target.is_integer and lower is not None \
            and lower[0].is_Integer:
        least = int(lower[0]) + (1 if lower[1] else 0)
        if upper is None:
            return at_least(target, least)
        if least == 1 and isinstance(upper[0], Symbol) and not upper[1]:
            return index_range(target, upper[0])
    if lower == (0, True) and upper == (1, True):
        return probability(target)
    if lower == (0, False) and upper == (1, False):
        return unit_interval(target)
    if lower == (0, True) and upper is None:
        return positive(target)
    return None


def _nonnegative_only(target: Any, bounds: _Bounds) -> bool:
    """``x \\ge 0``: the parser makes the symbol nonnegative; sampling keeps it positive."""
    return bounds.lower == (0, False) and bounds.upper is None \
        and bool(getattr(target, "is_nonnegative", False))


def _definition(relation: Eq, text: str) -> Condition | None:
    r""":math:`y_i = \delta_{ic}` or :math:`m = \max_j z_j`: the target stands for the
    right side (which must not mention it)."""
    target = _target(relation.lhs)
    if target is None or isinstance(target, Indexed) or relation.rhs.has(target):
        return None
    if isinstance(target, IndexedBase):
        indices = relation.lhs.indices
        body = relation.rhs
        return definition(target, lambda *index: body.xreplace(dict(zip(indices, index))),
                          text)
    return definition(target, relation.rhs, text)


def _by_base(translation: _Translation, document: ProofDocument) -> None:
    r"""Bounds on numbered entries (:math:`\sigma_1 > 0`, :math:`\sigma_2 > 0`) become one
    bound on the indexed symbol when every entry the proof uses has the same bounds."""
    used = {e for step in document.steps for side in (step.lhs, step.rhs)
            for e in side.atoms(Indexed)}
    entries = [t for t in translation.bounds if isinstance(t, Indexed)]
    for base in {e.base for e in entries}:
        mine = [e for e in entries if e.base == base]
        shapes = {(translation.bounds[e].lower, translation.bounds[e].upper) for e in mine}
        if len(shapes) == 1 and base not in translation.bounds and \
                {e for e in used if e.base == base} <= set(mine):
            merged = _Bounds(*shapes.pop())
            for entry in mine:
                merged.lines.extend(translation.bounds.pop(entry).lines)
            translation.bounds[base] = merged


def translate_assumptions(document: ProofDocument) -> tuple[Assumptions, tuple[str, ...]]:
    r"""The conditions of a document's ``% assume:`` lines and declared distributions, and a
    note for each assumption that has no condition the engine can use.

    >>> doc = parse_proof("% assume: 0 < q_i < 1, \\sum_{i=1}^{n} q_i = 1, n \\ge 2, x > 3\n"
    ...                   "\\[ q_1 = q_1 \\]")
    >>> conditions, notes = translate_assumptions(doc)
    >>> conditions.labels(), notes
    (('q_i > 0,\\ \\sum_{i=1}^{n} q_i = 1', 'n \\ge 2'), ('line 1: x > 3 is not used',))
    """
    translation = _Translation()
    for assumption in document.assumptions:
        condition = assumption.condition
        text = f"line {assumption.line}: {assumption.source_text}"
        found = (_normalisation(condition) or _definition(condition, assumption.source_text)) \
            if isinstance(condition, Eq) else \
            _membership(condition) if isinstance(condition, Contains) else None
        if found is not None:
            translation.conditions.append(found)
        elif not (isinstance(condition, Relational)
                  and _record_bound(translation, condition, text)):
            translation.notes.append(f"{text} is not used")
    _by_base(translation, document)
    normalised_bases = {c.base for c in translation.conditions if isinstance(c, Normalised)}
    for target, bounds in translation.bounds.items():
        condition = None if isinstance(target, Indexed) else _from_bounds(target, bounds)
        if condition is not None and target in normalised_bases:
            translation.conditions.extend(_two_entries_at_least(translation, target, bounds))
        elif condition is not None:
            translation.conditions.append(condition)
        elif condition is None and not _nonnegative_only(target, bounds):
            translation.notes.extend(f"{line} is not used" for line in bounds.lines)
    translation.conditions.extend(_declared_tables(document, normalised_bases))
    return (Assumptions(*dict.fromkeys(translation.conditions)),
            tuple(dict.fromkeys(translation.notes)))


def _two_entries_at_least(translation: _Translation, base: IndexedBase,
                          bounds: _Bounds) -> list[Condition]:
    r""":math:`p_i < 1` with :math:`\sum_{i=1}^{n} p_i = 1` says :math:`n \ge 2` (the
    normalisation already gives :math:`0 < p_i \le 1`)."""
    if bounds.upper != (1, True):
        return []
    lengths = [c.shape[0] for c in translation.conditions if isinstance(c, Normalised)
               and c.base == base and len(c.shape) == 1 and isinstance(c.shape[0], Symbol)]
    stated = {t for c in translation.conditions for t in c.targets()}
    return [at_least(n, 2) for n in lengths[:1] if n not in stated]


def _declared_tables(document: ProofDocument, known: set[Any]) -> list[Condition]:
    """``P = (p_1, p_2)``: the entries of a declared distribution are normalised."""
    found: list[Condition] = []
    for law in document.distributions.values():
        entries = law.probabilities if isinstance(law, FiniteDistribution) else ()
        bases = {e.base for e in entries if isinstance(e, Indexed)}
        if len(bases) != 1 or len(entries) < 1:
            continue
        base = bases.pop()
        if base not in known and [e.indices for e in entries] == \
                [(sympy.Integer(k),) for k in range(1, len(entries) + 1)]:
            found.append(normalised(base, len(entries)))
            known.add(base)
    return found


# --------------------------------------------------------------------------------------------
# Notation: definitions, deltas, pmfs written as functions
# --------------------------------------------------------------------------------------------

def _deltas(expr: Expr) -> Expr:
    r"""``1 if i = k else 0`` (a ``% define:`` of :math:`\delta_{ik}`) as a Kronecker delta."""
    def is_delta(e: Any) -> bool:
        return isinstance(e, Piecewise) and len(e.args) == 2 and e.args[0][0] == 1 \
            and isinstance(e.args[0][1], Eq) and e.args[1] == (0, True)
    return expr.replace(is_delta, lambda e: KroneckerDelta(*e.args[0][1].args))


PMF_NAMES = frozenset("pqfgh")
"""Functions read as pmfs over finite alphabets when no ``% define:`` line defines them."""


class _Unsupported(Exception):
    """A construct the checker cannot give a meaning to (the step is ``undecided``)."""


@dataclass
class _PmfTables:
    r"""Tables for pmfs written as functions: ``p(x, y)`` is the entry of a joint table
    normalised over its alphabets, ``p(x)`` (no joint) an entry of a normalised vector, and
    with a joint ``p(x)``, ``p(y)`` are its marginals and ``p(x \mid y)`` the joint over the
    marginal. The alphabets keep their symbolic sizes (``n_x``): the engine proves the claim
    or checks it exactly for several sizes, with tables drawn to satisfy the conditions."""

    lengths: dict[Symbol, Expr]
    conditions: list[Condition] = field(default_factory=list)
    joints: dict[str, tuple[IndexedBase, tuple[Symbol, ...]]] = field(default_factory=dict)
    alphabets: dict[tuple[str, int], Expr] = field(default_factory=dict)

    def rewrite(self, expr: Expr) -> Expr:
        """``expr`` with every pmf replaced by table entries (conditions in
        :attr:`conditions`)."""
        expr = _outcome_symbols(expr)
        conditionals = sorted(expr.atoms(Conditional), key=str)
        calls = _calls(expr.xreplace({c: sympy.Dummy() for c in conditionals}))
        # p(x | y) is read as the joint p(x, y) over the marginal p(y)
        joints = [c.args[0].func(*c.args[0].args, *c.args[1:]) for c in conditionals]
        for applied in calls + joints:
            self._check_arguments(applied)
            self._joint(applied)
        for applied in calls:  # a conditional's variables are matched by name
            self._check_alphabets(applied)
        expr = expr.xreplace({c: self._conditional(c) for c in conditionals})
        return expr.xreplace({call: self._entry(call) for call in calls})

    def _check_arguments(self, applied: AppliedUndef) -> None:
        name = str(applied.func)
        if name not in PMF_NAMES:
            raise _Unsupported(f"{name}(...) is a function the checker does not know; define "
                               "it with a % define: line")
        if not all(isinstance(a, Symbol) and a.is_integer for a in applied.args) \
                or len(applied.args) > 2:
            raise _Unsupported(f"{applied}: a function with no % define: line is read as a "
                               "pmf, and this one is not applied to at most two outcomes of "
                               "finite alphabets")

    def _check_alphabets(self, applied: AppliedUndef) -> None:
        """Each argument position of a pmf ranges over one alphabet: ``\\sum_x p(x, y)`` and
        ``\\sum_a p(a, b)`` must run over the same sizes (the parser names the size of an
        unnamed alphabet after the variable: ``n_x``, ``n_a``)."""
        name = str(applied.func)
        if name in self.joints and len(applied.args) == 1:
            return  # a marginal: summed over the joint table's own alphabet
        for position, argument in enumerate(applied.args):
            size = self._length(argument)
            first = self.alphabets.setdefault((name, position), size)
            if size != first:
                raise _Unsupported(f"{applied}: argument {position + 1} of {name} runs over "
                                   f"{size} outcomes here, over {first} elsewhere; write the "
                                   "same limits")

    def _length(self, variable: Symbol) -> Expr:
        return self.lengths.get(variable, Symbol(f"n_{variable.name}", integer=True,
                                                 positive=True))

    def _joint(self, applied: AppliedUndef) -> None:
        name = str(applied.func)
        if name in self.joints or len(applied.args) != 2:
            return
        base = IndexedBase(f"{name}_joint", positive=True)
        self.joints[name] = (base, tuple(applied.args))
        self.conditions.append(normalised(base, *(self._length(a) for a in applied.args)))

    def _marginal(self, name: str, variable: Symbol) -> Expr:
        base, (first, second) = self.joints[name]
        if variable == first:
            other = Symbol(f"{second.name}_m", integer=True, positive=True)
            return Sum(base[variable, other], (other, 1, self._length(second)))
        if variable == second:
            other = Symbol(f"{first.name}_m", integer=True, positive=True)
            return Sum(base[other, variable], (other, 1, self._length(first)))
        raise _Unsupported(f"{name}({variable}) is neither marginal of {name}{(first, second)}")

    def _conditional(self, conditional: Conditional) -> Expr:
        head, *given = conditional.args
        name = str(head.func)
        if name not in self.joints or len(head.args) != 1 or len(given) != 1:
            raise _Unsupported(f"the conditional pmf {conditional} has no joint table")
        base, variables = self.joints[name]
        outcome, condition = head.args[0], given[0]
        if variables == (outcome, condition):
            joint = base[outcome, condition]
        elif variables == (condition, outcome):
            joint = base[condition, outcome]
        else:
            raise _Unsupported(f"{conditional} does not name the variables of {name}"
                               f"{variables}")
        return joint / self._marginal(name, condition)

    def _entry(self, applied: AppliedUndef) -> Expr:
        name = str(applied.func)
        if name in self.joints:
            base = self.joints[name][0]
            if len(applied.args) == 2:
                return base[applied.args]
            return self._marginal(name, applied.args[0])
        base = IndexedBase(f"{name}_pmf", positive=True)
        condition = normalised(base, self._length(applied.args[0]))
        if condition not in self.conditions:
            self.conditions.append(condition)
        return base[applied.args[0]]


def _outcome_symbols(expr: Expr) -> Expr:
    r"""A variable used only as a pmf's argument (``y`` in :math:`\sum_x p(x \mid y)`) names an
    outcome: an integer symbol, like a sum variable (the parser read it as a real number).

    >>> from symbinfo.parse import parse_formula
    >>> _outcome_symbols(parse_formula(r"p(y)")).args[0].is_integer
    True
    """
    conditionals = expr.atoms(Conditional)
    calls = _calls(expr.xreplace({c: sympy.Dummy() for c in conditionals}))
    arguments = {a for call in calls for a in call.args} | {
        a for c in conditionals for a in c.args[0].args + c.args[1:]}
    elsewhere = expr.xreplace({call: sympy.Dummy() for call in [*conditionals, *calls]})
    names = {s.name for s in elsewhere.free_symbols if isinstance(s, Symbol)}
    clashes = sorted(a.name for a in arguments if isinstance(a, Symbol) and a.name in names
                     and a not in elsewhere.free_symbols)
    if clashes:
        raise _Unsupported(f"{', '.join(clashes)} is both an outcome of a pmf and a number")
    return expr.xreplace({a: Symbol(a.name, integer=True, positive=True) for a in arguments
                          if isinstance(a, Symbol) and not a.is_integer
                          and a not in elsewhere.free_symbols})


def _calls(expr: Expr) -> list[AppliedUndef]:
    """The applied undefined functions (``p(x, y)``), in a stable order."""
    return sorted(expr.atoms(AppliedUndef), key=str)


def _sum_lengths(exprs: list[Expr]) -> dict[Symbol, Expr]:
    """The upper limit of each sum variable (``\\sum_x`` runs to ``n_x``)."""
    return {var: hi for e in exprs for s in e.atoms(Sum) for var, _, hi in s.limits}


def _index_ranges(expr: Expr, assumptions: Assumptions) -> list[Condition]:
    r"""A free index of an entry, :math:`z_k` with no sum over :math:`k`, ranges over the
    length of what it indexes (:math:`1 \le k \le K`), found from a sum over the same
    position of the same symbol or from a normalisation; an index whose length is not
    determined that way is left as it is.

    >>> from symbinfo.parse import parse_formula
    >>> _index_ranges(parse_formula(r"z_k - \sum_{j=1}^{K} z_j"), Assumptions())
    [IndexRange(index=k, length=K)]
    """
    constrained = {t for c in assumptions.conditions for t in c.targets()}
    lengths: dict[tuple[Any, int], set[Expr]] = {}
    for series in expr.atoms(Sum):
        ranges = {var: hi for var, lo, hi in series.limits if lo == 1}
        for entry in series.function.atoms(Indexed):
            for position, index in enumerate(entry.indices):
                if index in ranges:
                    lengths.setdefault((entry.base, position), set()).add(ranges[index])
    for condition in assumptions.of_type(Normalised):
        for position, size in enumerate(condition.shape):
            lengths.setdefault((condition.base, position), set()).add(size)
    found: dict[Symbol, set[Expr]] = {}
    for entry in expr.atoms(Indexed):
        for position, index in enumerate(entry.indices):
            if isinstance(index, Symbol) and index in expr.free_symbols \
                    and index not in constrained:
                found.setdefault(index, set()).update(lengths.get((entry.base, position), ()))
    return [index_range(index, sizes.pop()) for index, sizes in
            sorted(found.items(), key=lambda item: str(item[0])) if len(sizes) == 1]


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------

def _counterexample(found: Counterexample | None, decimal: str | None) -> dict[str, Any] | None:
    if found is None:
        return None
    record: dict[str, Any] = {"values": dict(found.values), "lhs": found.lhs, "rhs": found.rhs}
    if decimal is not None:
        record["true_value"] = written_precision(found.lhs, decimal)
    return record


def written_precision(value: str, decimal: str) -> str:
    """``value`` (a decimal string with more digits) rounded to the places of ``decimal``.

    >>> written_precision("0.192744757021757", "0.1928")
    '0.1927'
    """
    places = int(Decimal(decimal.strip()).as_tuple().exponent)
    try:
        return str(Decimal(value.strip()).quantize(Decimal(1).scaleb(places),
                                                   rounding=ROUND_HALF_EVEN))
    except InvalidOperation:
        return value


STAGES = 4
"""A step's symbolic stages (expansion, proof, exact check, rounding) bound its wall time:
at most ``STAGES`` times the step limit (and no more than the file's remaining time), plus
:data:`GRACE` seconds, whatever it runs."""
GRACE = 2.0


def _verify_task(lhs: Expr, relation: str, rhs: Any, assumptions: Assumptions, limit: float,
                 *, send: Callable[[tuple], None]) -> None:
    if hasattr(os, "setpgid"):  # its own process group: the verifier's workers go with it
        os.setpgid(0, 0)
    send(("result", verify_step(lhs, relation, rhs, assumptions, time_limit=limit,
                                expansion_time_limit=limit)))


def _isolated(lhs: Expr, relation: str, rhs: Any, assumptions: Assumptions, limit: float,
              remaining: float) -> StepResult:
    """:func:`verify_step` in a child process under a hard wall-clock bound. The verifier
    limits its symbolic stages itself, but evaluating a side at sampled points (a sum of
    10^8 terms) is not; past the bound the child and its workers are killed and the step
    is ``undecided``."""
    bound = min(STAGES * limit, remaining) + GRACE
    began = time.perf_counter()
    report = run_with_time_limit(_verify_task, (lhs, relation, rhs, assumptions, limit), bound,
                                 daemon=False, on_stop=_kill_group)
    if "result" in report.messages:
        return report.messages["result"][0]  # type: ignore[no-any-return]
    reason = report.note or "the verifier stopped without a result"
    return StepResult(Verdict.UNDECIDED, f"{reason} for the whole step (evaluating it at "
                      f"sampled points did not finish)", seconds=time.perf_counter() - began)


def _kill_group(pid: int) -> None:
    """End a step's process group (the step and the verifier's workers it started)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


@dataclass
class _Checker:
    document: ProofDocument
    assumptions: Assumptions
    notes: tuple[str, ...]
    time_limit: float
    deadline: float

    def step(self, step: Step) -> StepReport:
        began = time.perf_counter()
        remaining = self.deadline - began
        if remaining <= 0:
            return self._report(step, Verdict.UNDECIDED, "the file time limit was reached "
                                "before this step", began=began)
        try:
            lhs, rhs, assumptions = self._prepare(step)
        except _Unsupported as error:
            return self._report(step, Verdict.UNDECIDED, str(error), began=began)
        limit = min(self.time_limit, remaining)
        if step.relation == "approx":
            return self._rounding(step, lhs, assumptions, limit, remaining, began)
        result = _isolated(lhs, _ENGINE_RELATIONS[step.relation], rhs, assumptions, limit,
                           remaining)
        return self._judged(step, result, began)

    def _prepare(self, step: Step) -> tuple[Expr, Expr, Assumptions]:
        lhs, rhs = (self.document.expand(e) for e in (step.lhs, step.rhs))
        assumptions = self.assumptions
        if lhs.atoms(AppliedUndef) or rhs.atoms(AppliedUndef):
            tables = _PmfTables(_sum_lengths([lhs, rhs]))
            lhs, rhs = tables.rewrite(sympy.Tuple(lhs, rhs))  # one reading of both sides
            assumptions = assumptions + Assumptions(*tables.conditions)
        return lhs, rhs, assumptions + Assumptions(*_index_ranges(lhs + rhs, assumptions))

    def _rounding(self, step: Step, lhs: Expr, assumptions: Assumptions, limit: float,
                  remaining: float, began: float) -> StepReport:
        decimal = step.rhs_text.strip()
        try:
            rounding_interval(decimal)
        except ValueError:
            return self._report(step, Verdict.UNDECIDED, f"\\approx {decimal}: a rounding "
                                "claim needs a decimal number such as 0.5002", began=began)
        result = _isolated(lhs, "≈", decimal, assumptions, limit, remaining)
        return self._judged(step, result, began, decimal)

    def _judged(self, step: Step, result: StepResult, began: float,
                decimal: str | None = None) -> StepReport:
        verdict, detail = result.verdict, result.detail
        if step.relation in ("<", ">") and verdict is not Verdict.REFUTED:
            weak = _SHOWN_RELATIONS[_ENGINE_RELATIONS[step.relation]]
            verdict, detail = Verdict.UNDECIDED, (
                f"strict inequality: only the weak form {weak} was examined "
                f"({result.verdict.value}: {result.detail})")
        if verdict is Verdict.REFUTED and self.notes:
            return self._report(step, Verdict.UNDECIDED, f"{detail}; but the checker could not "
                                f"use every assumption ({'; '.join(self.notes)}), so this point "
                                "may violate one", result=result, began=began)
        counterexample = _counterexample(result.counterexample, decimal) \
            if verdict is Verdict.REFUTED else None
        if counterexample is not None and decimal is not None:
            detail = f"{detail}; to the written precision it is {counterexample['true_value']}"
        return self._report(step, verdict, detail, counterexample, result, began)

    def _report(self, step: Step, verdict: Verdict, detail: str,
                counterexample: dict[str, Any] | None = None, result: StepResult | None = None,
                began: float = 0.0) -> StepReport:
        return StepReport(step.line, step.column, step.relation, step.source_text, verdict,
                          detail, counterexample,
                          result.conditions_used if result is not None else (),
                          time.perf_counter() - began)


def check(text: str | bytes, *, name: str = "<stdin>", time_limit: float = DEFAULT_TIME_LIMIT,
          file_time_limit: float = DEFAULT_FILE_TIME_LIMIT) -> CheckReport:
    """Check every step of a hand proof written in LaTeX.

    Args:
      text: the proof (bytes are decoded as strict UTF-8).
      name: the file name, for messages and the report.
      time_limit: seconds for each symbolic stage of a step.
      file_time_limit: seconds for the whole file; later steps are ``undecided``.

    Returns:
      A :class:`CheckReport` (``exit_code``, ``to_json()``).

    Raises:
      ProofSyntaxError: the input cannot be read (with its line, column and what was
        expected).
    """
    began = time.perf_counter()
    chains: list[ChainReport] = []
    notes: list[str] = []
    for document in proofs(text, name=name):  # every part is read before any is checked
        document = dataclasses.replace(document, definitions=tuple(
            dataclasses.replace(d, body=_deltas(d.body)) for d in document.definitions))
        assumptions, unused = translate_assumptions(document)
        checker = _Checker(document, assumptions, unused, time_limit, began + file_time_limit)
        chains.extend(ChainReport(chain.line, tuple(checker.step(s) for s in chain.steps))
                      for chain in document.chains)
        notes.extend(unused)
    return CheckReport(name, tuple(sorted(chains, key=lambda c: c.line)),
                       tuple(dict.fromkeys(notes)), time.perf_counter() - began)


MAX_SECTIONS = 100
"""More ``\\section`` lines than this in one file is an error (each is read on its own)."""
_SECTION = re.compile(r"[ \t]*\\(?:sub)*section\*?[ \t]*\{")


def proofs(text: str | bytes, *, name: str = "<stdin>") -> list[ProofDocument]:
    r"""The independent proofs of a file: the whole file, or, when lines start with
    ``\section{...}`` or ``\subsection{...}``, the text before the first of them and each
    section on its own. A section sees the comment lines before the first section
    (``% assume:``, ``% define:`` shared by all) and its own, not those of other sections:
    a file that collects several derivations, each with its assumptions, reads as they do
    one by one. Line numbers are those of the file.

    >>> parts = proofs("% assume: 0 < p < 1\n\\section{A}\n\\[ p = p \\]\n"
    ...                "\\section{B}\n% assume: P = (0.5, 0.5)\n\\[ H(P) = \\log 2 \\]")
    >>> [([s.line for s in d.steps], len(d.assumptions), list(d.distributions)) for d in parts]
    [([], 2, []), ([3], 2, []), ([6], 2, ['P'])]
    """
    source = SourceText.read(text, name)  # the whole file's limits, strict UTF-8
    lines = source.text.split("\n")
    starts = [k for k, line in enumerate(lines) if _SECTION.match(line)]
    if not starts:
        return [parse_proof(source.text, name=name)]
    if len(starts) > MAX_SECTIONS:
        offset = len("\n".join(lines[:starts[MAX_SECTIONS]])) + 1
        raise source.error(f"more than {MAX_SECTIONS} sections", offset, limit=True)
    shared = [line if line.lstrip().startswith("%") else "" for line in lines[:starts[0]]]
    parts = [lines[:starts[0]] + [""] * (len(lines) - starts[0])]
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        parts.append(shared + [""] * (begin - starts[0]) + lines[begin:end]
                     + [""] * (len(lines) - end))
    return [parse_proof("\n".join(part), name=name) for part in parts]


__all__ = [
    "DEFAULT_FILE_TIME_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "ChainReport",
    "CheckReport",
    "StepReport",
    "check",
    "proofs",
    "translate_assumptions",
    "written_precision",
]
