r"""Verification of one step ``lhs R rhs`` under stated side conditions.

:func:`verify_step` works on plain SymPy expressions (sums of symbolic length over indexed
symbols, integrals, the unevaluated measures of :mod:`symbinfo.definitions`, derivatives) and
knows nothing of how the step was produced. It returns one verdict, strongest first:

=============  ===============================================================================
``proved``     the difference is shown to be 0 (or of the right sign) symbolically, under the
               stated conditions, for every length :math:`n`
``checked``    for a symbolic length :math:`n`, the claim holds exactly for
               :math:`n = 1, \dots, N` (``checked_up_to`` = N), with no general proof found
``numeric``    both sides agree to at least :data:`DIGITS` significant digits at ``points``
               sampled points satisfying the conditions (edge points included); evidence only
``refuted``    a point satisfying the conditions where the claim fails (``counterexample``)
``undecided``  an unsupported construct, or the time limit; never silently upgraded
=============  ===============================================================================

How. The symbolic work runs in a separate process under a real time limit per stage
(SymPy simplification can run for ever): the notation is expanded to definitions, then a
normal form made of targeted rewrites (log rules only where the conditions show positivity,
linearity of sums, :math:`\sum_i p_i = 1`, canonical index names) and a zero test,
``simplify`` last. Inequalities are proved from sign rules under the conditions, after bounding
logarithms with :math:`\ln x \le x - 1` and :math:`\ln x \ge 1 - 1/x` where the
coefficient's sign allows it. Every step is also evaluated with mpmath at sampled points; a
failing point refutes it whatever the symbolic attempt found (this also guards the rewrites).
If no general proof is found for a symbolic length, the normal form is tried for each
:math:`n = 1..N`. A rounding claim ``lhs ≈ "0.5002"`` is decided with interval arithmetic.

>>> from sympy import Symbol, log
>>> from symbinfo.assumptions import Assumptions, probability
>>> p, q = Symbol("p"), Symbol("q")
>>> A = Assumptions(probability(p), probability(q))
>>> verify_step(log(p * q), "=", log(p) + log(q), A).verdict
<Verdict.PROVED: 'proved'>
>>> verify_step(log(p + q), "=", log(p) + log(q), A).verdict
<Verdict.REFUTED: 'refuted'>
"""

from __future__ import annotations

import enum
import multiprocessing
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy
from sympy import (Abs, Add, Expr, Indexed, IndexedBase, Integral, KroneckerDelta, Max, Min,
                   Mul, Pow, Product, Sum, Symbol, exp, log)

from symbinfo.assumptions import Assumptions, IndexedValues, Normalised, index_tuples
from symbinfo.derive import rules

DIGITS = 40
"""Significant digits both sides must share at every sampled point for ``numeric``."""
WORKING_DPS = 60
"""Decimal precision of the sampled evaluations (raised to :data:`CONFIRM_DPS` on a mismatch)."""
CONFIRM_DPS = 110
REFUTE_DIGITS = 25
"""A mismatch in the first this many digits, at both precisions, refutes the step."""
DEFAULT_POINTS = 12
QUADRATURE_POINTS = 4
"""At most this many points for steps with integrals (magnitudes kept within [0.1, 10])."""
DEFAULT_CHECK_UP_TO = 4
DEFAULT_TIME_LIMIT = 5.0
EXPANSION_TIME_LIMIT = 30.0
"""Seconds allowed for expanding the definitions (a Gaussian measure integrates its density)."""
RELATIONS = ("=", "<=", ">=", "≈")
"""``≈`` claims the digits written: the right side is a decimal string such as ``"0.5002"``."""
_DECIMAL = re.compile(r"^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,4}))?$")
INEQUALITY_LEMMA = r"\ln x \le x - 1\ (x > 0)"


class Verdict(enum.Enum):
    """A step's verdict; :func:`weakest` orders them."""

    PROVED = "proved"
    CHECKED = "checked"
    NUMERIC = "numeric"
    UNDECIDED = "undecided"
    REFUTED = "refuted"

    @property
    def strength(self) -> int:
        """4 for ``proved`` down to 0 for ``refuted``."""
        return len(Verdict) - 1 - list(Verdict).index(self)


def weakest(verdicts: Iterator[Verdict] | list[Verdict]) -> Verdict:
    """The weakest verdict (a derivation's verdict is its weakest step's).

    >>> weakest([Verdict.PROVED, Verdict.NUMERIC]).value
    'numeric'
    """
    return min(verdicts, key=lambda v: v.strength, default=Verdict.PROVED)


@dataclass(frozen=True)
class Counterexample:
    """A point satisfying the conditions where the step fails: values and both sides."""

    values: dict[str, str]
    """Each variable (``p[2]`` for an entry) as shown: exact when short, else 20 digits."""
    lhs: str
    rhs: str
    exact: dict[str, Any] = field(default_factory=dict)
    """The same variables as exact SymPy numbers, to reproduce the failure."""

    def __str__(self) -> str:
        point = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        return f"at {point}: lhs = {self.lhs}, rhs = {self.rhs}"


@dataclass(frozen=True)
class StepResult:
    """What :func:`verify_step` found."""

    verdict: Verdict
    detail: str
    conditions_used: tuple[str, ...] = ()
    counterexample: Counterexample | None = None
    points: int = 0
    """How many sampled points were evaluated."""
    checked_up_to: int | None = None
    """N of a ``checked`` verdict (the claim holds for n = 1..N)."""
    seconds: float = 0.0


class Unsupported(Exception):
    """A construct the verifier cannot evaluate."""


# --------------------------------------------------------------------------------------------
# Preparation: notation -> definitions
# --------------------------------------------------------------------------------------------

def expand_notation(expr: Expr, assumptions: Assumptions) -> rules.Rewrite:
    """Measures to their definitions, activations to exp/log, stated definitions substituted,
    derivatives carried out: the expression the step is *about*."""
    expr = sympy.S(expr)
    used: list[str] = []
    for rule in (rules.expand_definition, rules.expand_activations, rules.apply_definitions,
                 rules.evaluate_derivatives, rules.apply_definitions):
        result = rule(expr, assumptions)
        expr = result.expr
        used.extend(c for c in result.conditions if c not in used)
    return rules.Rewrite(expr, tuple(used))


# --------------------------------------------------------------------------------------------
# Numeric evaluation (mpmath, a tree walk: no code generation from expressions)
# --------------------------------------------------------------------------------------------

_FUNCTIONS = {log: "log", exp: "exp", Abs: "fabs"}
"""Functions evaluated by name in the mpmath context (``mpmath.mp``, or ``mpmath.iv``)."""


def evaluate(expr: Expr, values: dict[Any, Any], ctx: Any = mpmath.mp) -> Any:
    """Evaluate ``expr`` in the mpmath context ``ctx`` at its current precision: ``mpmath.mp``
    (numbers) or ``mpmath.iv`` (intervals that enclose the exact value). ``values`` maps
    symbols to exact numbers and indexed symbols to
    :class:`~symbinfo.assumptions.IndexedValues`; indices and bounds are evaluated exactly.

    >>> from sympy import Symbol, log, Rational
    >>> x = Symbol("x")
    >>> evaluate(log(x) + 1, {x: Rational(1)})
    mpf('1.0')
    """
    if expr.is_Rational:
        return ctx.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Float:
        return ctx.mpf(mpmath.mpf(expr))
    if expr is sympy.pi or expr is sympy.E:
        return ctx.mpf(ctx.pi if expr is sympy.pi else ctx.e)
    if expr in (sympy.oo, -sympy.oo):
        return ctx.mpf(mpmath.inf if expr is sympy.oo else -mpmath.inf)
    if isinstance(expr, Symbol):
        if expr not in values:
            raise Unsupported(f"no value for {expr}")
        return evaluate(sympy.S(values[expr]), {}, ctx)
    if isinstance(expr, Indexed):
        indices = tuple(_integer(i, values) for i in expr.indices)
        entry = values[expr.base][indices if len(indices) > 1 else indices[0]]
        return evaluate(sympy.S(entry), {}, ctx)
    if isinstance(expr, (Add, Mul)):
        terms = [evaluate(a, values, ctx) for a in expr.args]
        return ctx.fsum(terms) if isinstance(expr, Add) else ctx.fprod(terms)
    if isinstance(expr, Pow):
        return evaluate(expr.base, values, ctx) ** evaluate(expr.exp, values, ctx)
    if isinstance(expr, KroneckerDelta):
        first, second = (_integer(a, values) for a in expr.args)
        return ctx.mpf(1 if first == second else 0)
    if isinstance(expr, (Sum, Product)):
        return _evaluate_series(expr, values, ctx)
    if isinstance(expr, Integral) and ctx is mpmath.mp:
        return _evaluate_integral(expr, values)
    if isinstance(expr, (Max, Min)) and ctx is mpmath.mp:  # intervals have no total order
        return (max if isinstance(expr, Max) else min)(evaluate(a, values) for a in expr.args)
    for kind, name in _FUNCTIONS.items():
        if isinstance(expr, kind):
            return getattr(ctx, name)(*[evaluate(a, values, ctx) for a in expr.args])
    raise Unsupported(f"cannot evaluate {type(expr).__name__}")


def _integer(expr: Expr, values: dict[Any, Any]) -> int:
    """An index or a bound, exactly."""
    value = sympy.S(expr).xreplace({k: sympy.S(v) for k, v in values.items()
                                    if isinstance(k, Symbol)})
    if not value.is_Integer:
        raise Unsupported(f"index or bound {expr} is not an integer here")
    return int(value)


def _evaluate_series(expr: Sum | Product, values: dict[Any, Any], ctx: Any) -> Any:
    *rest, (var, lo, hi) = expr.limits  # SymPy lists the innermost limit first
    inner = expr.func(expr.function, *rest) if rest else expr.function
    terms = [evaluate(inner, {**values, var: sympy.Integer(k)}, ctx)
             for k in range(_integer(lo, values), _integer(hi, values) + 1)]
    return ctx.fsum(terms) if isinstance(expr, Sum) else ctx.fprod(terms)


def _evaluate_integral(expr: Integral, values: dict[Any, Any]) -> mpmath.mpf:
    if len(expr.limits) != 1 or len(expr.limits[0]) != 3:
        raise Unsupported("only single definite integrals are evaluated")
    var, lo, hi = expr.limits[0]
    a, b = evaluate(lo, values), evaluate(hi, values)
    value, error = mpmath.quad(_integrand(expr.function, var, values),
                               [a, 0, b] if a < 0 < b else [a, b], error=True)
    if error > abs(value) * mpmath.mpf(10) ** (-DIGITS - 5):
        raise ArithmeticError(f"quadrature error estimate {mpmath.nstr(error, 3)} too large")
    return value


def _integrand(expr: Expr, var: Symbol, values: dict[Any, Any]) -> Callable[[Any], Any]:
    """``expr`` as a function of the integration variable, for quadrature: the parts free of
    the variable are evaluated once, the rest is a tree of mpmath operations (built from the
    expression's structure; no code is generated)."""
    if var not in expr.free_symbols:
        constant = evaluate(expr, values)
        return lambda t: constant
    if expr == var:
        return lambda t: t
    parts = [_integrand(a, var, values) for a in expr.args]
    if isinstance(expr, Add):
        return lambda t: mpmath.fsum(f(t) for f in parts)
    if isinstance(expr, Mul):
        return lambda t: mpmath.fprod(f(t) for f in parts)
    if isinstance(expr, Pow):
        base, power = parts
        return lambda t: base(t) ** power(t)
    for kind, name in _FUNCTIONS.items():
        if isinstance(expr, kind):
            function = getattr(mpmath.mp, name)
            return lambda t: function(*(f(t) for f in parts))
    return lambda t: evaluate(expr, {**values, var: sympy.Float(t, mpmath.mp.dps)})


# --------------------------------------------------------------------------------------------
# The numeric stage
# --------------------------------------------------------------------------------------------

@dataclass
class _NumericOutcome:
    points: int = 0
    digits: float = float("inf")
    counterexample: Counterexample | None = None
    failure: str = ""


def _free_targets(*exprs: Expr) -> list[Any]:
    """The indexed symbols and the scalar symbols to sample (a scalar ``x`` and the entries
    ``x_i`` of an indexed symbol of the same name are distinct targets)."""
    found: set[Any] = set()
    for expr in exprs:
        found |= expr.atoms(IndexedBase) | (_outside_labels(expr) & expr.free_symbols)
    return sorted(found, key=str)


def _outside_labels(expr: Expr) -> set[Symbol]:
    """Symbols of ``expr`` that occur other than as the label of an indexed symbol."""
    found: set[Symbol] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Symbol):
            found.add(node)
        elif not isinstance(node, IndexedBase):
            stack.extend(node.args)
    return found


def _compare(relation: str, lhs: mpmath.mpf, rhs: mpmath.mpf) -> float:
    """Digits of agreement (equalities), or +inf / -inf for an inequality that holds / fails
    by more than the rounding of the evaluation."""
    scale = max(abs(lhs), abs(rhs), mpmath.mpf(10) ** (-WORKING_DPS + 5))
    gap = (lhs - rhs) / scale
    if mpmath.isnan(gap):  # e.g. both sides infinite: the point says nothing
        raise ArithmeticError("a side is not a number at this point")
    if relation == "=":
        return float("inf") if gap == 0 else float(-mpmath.log10(abs(gap)))
    signed = gap if relation == ">=" else -gap
    tolerance = mpmath.mpf(10) ** (-DIGITS)
    return float("inf") if signed >= -tolerance else float(-mpmath.log10(abs(gap)))


def _numeric(lhs: Expr, relation: str, rhs: Expr, assumptions: Assumptions, count: int,
             seed: int) -> _NumericOutcome:
    outcome = _NumericOutcome()
    quadrature = lhs.has(Integral) or rhs.has(Integral)
    if quadrature:  # each point needs two quadratures at 60 digits: fewer, moderate points
        count = min(count, QUADRATURE_POINTS)
    try:
        points = assumptions.sample(_free_targets(lhs, rhs), count, seed=seed,
                                    moderate=quadrature)
    except ValueError as error:
        outcome.failure = str(error)
        return outcome
    for point in points:
        try:
            with mpmath.workdps(WORKING_DPS):
                digits = _compare(relation, evaluate(lhs, point), evaluate(rhs, point))
            if digits < REFUTE_DIGITS:
                with mpmath.workdps(CONFIRM_DPS):
                    left, right = evaluate(lhs, point), evaluate(rhs, point)
                    digits = _compare(relation, left, right)
                    if digits < REFUTE_DIGITS:
                        outcome.counterexample = _counterexample(point, left, right)
                        return outcome
        except Unsupported as error:
            outcome.failure = str(error)
            return outcome
        except (ArithmeticError, LookupError, ValueError, TypeError):
            continue  # a point where a side is undefined says nothing either way
        outcome.points += 1
        outcome.digits = min(outcome.digits, digits)
    return outcome


def _shown(value: Any) -> str:
    """An exact value as written when short, else to 20 significant digits."""
    text = str(value)
    return text if len(text) <= 24 else mpmath.nstr(evaluate(sympy.S(value), {}), 20)


def _counterexample(point: dict[Any, Any], lhs: mpmath.mpf, rhs: mpmath.mpf) -> Counterexample:
    exact: dict[str, Any] = {}
    for target, value in sorted(point.items(), key=lambda item: str(item[0])):
        if isinstance(value, IndexedValues):
            for index, entry in value.items():
                exact[f"{target}[{', '.join(map(str, index))}]"] = entry
        else:
            exact[str(target)] = value
    return Counterexample({name: _shown(value) for name, value in exact.items()},
                          mpmath.nstr(lhs, 30), mpmath.nstr(rhs, 30), exact)


# --------------------------------------------------------------------------------------------
# The symbolic stage: normal form, zero test, signs
# --------------------------------------------------------------------------------------------

def _canonical_indices(expr: Expr) -> Expr:
    """Rename the index of each single-limit sum after its nesting depth, so equal sums with
    different index names compare equal."""
    def visit(e: Expr, depth: int) -> Expr:
        if isinstance(e, (Sum, Product)) and len(e.limits) == 1:
            (var, lo, hi), = e.limits
            fresh = Symbol(f"ι{depth}", integer=True)
            body = visit(e.function.xreplace({var: fresh}), depth + 1)
            return e.func(body, (fresh, lo, hi))
        if not e.args or isinstance(e, (Indexed, IndexedBase)):
            return e
        return e.func(*[visit(a, depth) for a in e.args])
    return visit(expr, 0)


def _targeted_rewrites(expr: Expr, assumptions: Assumptions) -> Expr:
    r"""Rewrites that make equal things look equal: :math:`b^{x} = e^{x \ln b}` for a number
    :math:`b > 0`, a logarithm's argument over one denominator, and
    :math:`\log(1 + e^{u}) = \log(1 + e^{-u}) + u` for real :math:`u` with a minus sign."""
    def power(e: Pow) -> Expr:
        return exp(e.exp * log(e.base))

    expr = expr.replace(lambda e: isinstance(e, Pow) and e.base.is_number and e.base.is_positive
                        and e.base is not sympy.E and not e.exp.is_number, power)

    def softplus_flip(e: log) -> Expr:
        (u,) = e.args[0].args[1].args
        return log(1 + exp(-u)) + u

    expr = expr.replace(
        lambda e: isinstance(e, log) and isinstance(e.args[0], Add)
        and any(t.is_Pow and t.exp.is_negative for a in e.args[0].args for t in Mul.make_args(a)),
        lambda e: log(sympy.factor_terms(sympy.together(e.args[0]))))
    return expr.replace(
        lambda e: isinstance(e, log) and isinstance(e.args[0], Add) and len(e.args[0].args) == 2
        and e.args[0].args[0] == 1 and isinstance(e.args[0].args[1], exp)
        and e.args[0].args[1].args[0].could_extract_minus_sign()
        and assumptions.is_real(e.args[0].args[1].args[0]), softplus_flip)


def normal_form(expr: Expr, assumptions: Assumptions, *, logs: bool = True) -> rules.Rewrite:
    """The verifier's normal form: targeted rewrites to a fixed point (at most 5 rounds)."""
    integrated = rules.evaluate_integrals(expr, assumptions)
    expr, used = integrated.expr, list(integrated.conditions)
    steps = [rules.split_log] if logs else []
    steps += [rules.expand, rules.split_sums, rules.apply_normalisation]
    for _ in range(5):
        before = expr
        for step in steps:
            result = step(expr, assumptions)
            expr = result.expr
            used.extend(c for c in result.conditions if c not in used)
        expr = _targeted_rewrites(_canonical_indices(expr), assumptions)
        if expr == before:
            break
    return rules.Rewrite(expr, tuple(used))


def _is_zero(expr: Expr, assumptions: Assumptions, used: list[str], *, final: bool) -> bool:
    result = normal_form(expr, assumptions)
    if result.expr == 0:
        used.extend(c for c in result.conditions if c not in used)
        return True
    candidates = [lambda: sympy.cancel(sympy.together(result.expr))]
    if final and not result.expr.has(Sum, Product) and assumptions.is_real(result.expr):
        # a real d is 0 iff e^d = 1, and e^d is often a rational function of exponentials
        candidates.append(lambda: sympy.cancel(sympy.expand(exp(result.expr), log=False)) - 1)
    if final:
        candidates.append(lambda: sympy.simplify(result.expr))
    for candidate in candidates:
        value = candidate()
        if value == 0 or normal_form(value, assumptions).expr == 0:
            # these general methods may rely on any condition on the symbols involved
            labels = result.conditions + assumptions.conditions_on(result.expr)
            used.extend(c for c in labels if c not in used)
            return True
    return False


def _relax_logs(expr: Expr, assumptions: Assumptions, lower: bool) -> Expr | None:
    r"""A bound of ``expr`` from below (``lower``) or above with every :math:`\log u` replaced
    by :math:`1 - 1/u \le \log u \le u - 1`; None where a coefficient's sign is unknown."""
    if not expr.has(log):
        return expr
    if isinstance(expr, log):
        u = expr.args[0]
        if not (u.is_positive or assumptions.is_positive(u)):
            return None
        return 1 - 1 / u if lower else u - 1
    if isinstance(expr, Add):
        parts = [_relax_logs(a, assumptions, lower) for a in expr.args]
        return None if any(p is None for p in parts) else Add(*parts)
    if isinstance(expr, Sum):
        body = _relax_logs(expr.function, assumptions, lower)
        return None if body is None else Sum(body, *expr.limits)
    if isinstance(expr, Mul):
        with_log = [f for f in expr.args if f.has(log)]
        if len(with_log) != 1:
            return None
        coefficient = Mul(*[f for f in expr.args if not f.has(log)])
        if assumptions.is_nonnegative(coefficient):
            inner = _relax_logs(with_log[0], assumptions, lower)
        elif assumptions.is_nonnegative(-coefficient):
            inner = _relax_logs(with_log[0], assumptions, not lower)
        else:
            return None
        return None if inner is None else coefficient * inner
    return None


def _is_nonnegative(expr: Expr, assumptions: Assumptions, used: list[str]) -> bool:
    prepared = normal_form(expr, assumptions, logs=False)
    labels = list(prepared.conditions)
    for form in (prepared.expr, normal_form(expr, assumptions).expr):
        if form == 0 or assumptions.is_nonnegative(form):
            used.extend(c for c in labels + list(assumptions.conditions_on(form)) if c not in used)
            return True
    bound = _relax_logs(prepared.expr, assumptions, lower=True)
    if bound is None:
        return False
    for form in (bound, normal_form(bound, assumptions).expr):
        if form == 0 or assumptions.is_nonnegative(form):
            labels += [INEQUALITY_LEMMA, *assumptions.conditions_on(prepared.expr)]
            used.extend(c for c in labels if c not in used)
            return True
    return False


def _holds(lhs: Expr, relation: str, rhs: Expr, assumptions: Assumptions, used: list[str],
           *, final: bool = True) -> bool:
    if relation == "=":
        return _is_zero(lhs - rhs, assumptions, used, final=final)
    difference = rhs - lhs if relation == "<=" else lhs - rhs
    return _is_nonnegative(difference, assumptions, used)


def _lengths(expr: Expr, assumptions: Assumptions) -> list[Symbol]:
    """Symbolic lengths: upper bounds of sums and products, and stated lengths."""
    found = [s for s in assumptions.lengths() if s in expr.free_symbols]
    for series in expr.atoms(Sum, Product):
        for _, _, hi in series.limits:
            found.extend(s for s in hi.free_symbols
                         if s not in found and s.is_integer and s in expr.free_symbols)
    return found


def _check_small_lengths(lhs: Expr, relation: str, rhs: Expr, assumptions: Assumptions,
                         lengths: list[Symbol], up_to: int, used: list[str]) -> bool:
    """The claim for every common value n = m..up_to of the lengths (m the smallest value
    the conditions allow), sums written out and each normalisation used to eliminate the last
    entry."""
    for n in range(_first_length(assumptions, lengths), up_to + 1):
        sizes = {s: sympy.Integer(n) for s in lengths}
        left, right = (_write_out(e.xreplace(sizes)) for e in (lhs, rhs))
        left, right = (normal_form(e, assumptions).expr for e in (left, right))
        eliminate = _last_entries(assumptions, sizes)
        left, right = left.xreplace(eliminate), right.xreplace(eliminate)
        if not _holds(left, relation, right, assumptions, used, final=False):
            return False
    return True


def _first_length(assumptions: Assumptions, lengths: list[Symbol]) -> int:
    return max(assumptions.minimum(s) for s in lengths)


def _write_out(expr: Expr) -> Expr:
    """Sums and products with integer bounds written out term by term (outermost first)."""
    def expand_series(series: Sum | Product) -> Expr:
        *rest, (var, lo, hi) = series.limits
        if not (lo.is_Integer and hi.is_Integer):
            return series
        inner = series.func(series.function, *rest) if rest else series.function
        terms = [_write_out(inner.xreplace({var: sympy.Integer(k)}))
                 for k in range(int(lo), int(hi) + 1)]
        return Add(*terms) if isinstance(series, Sum) else Mul(*terms)
    return expr.replace(lambda e: isinstance(e, (Sum, Product)), expand_series)


def _last_entries(assumptions: Assumptions, sizes: dict[Symbol, Expr]) -> dict[Expr, Expr]:
    """:math:`p_n = 1 - \\sum_{i<n} p_i` for each normalised symbol of known size."""
    mapping: dict[Expr, Expr] = {}
    for condition in assumptions.of_type(Normalised):
        shape = [sympy.S(s).xreplace(sizes) for s in condition.shape]
        if not all(size.is_Integer for size in shape):
            continue
        entries = [condition.base[key] for key in index_tuples([int(s) for s in shape])]
        mapping[entries[-1]] = 1 - Add(*entries[:-1])
    return mapping


# --------------------------------------------------------------------------------------------
# Running the symbolic stage under a time limit
# --------------------------------------------------------------------------------------------

def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _worker(connection: Any, task: Callable[..., None], args: tuple) -> None:
    try:
        task(*args, send=connection.send)
    except Exception as error:  # reported to the parent, which decides the verdict
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


@dataclass(frozen=True)
class WorkerReport:
    """What a task run by :func:`run_with_time_limit` sent, by message kind, and why it
    stopped early (``note``: the time limit, an error, an abnormal exit; empty if it ended)."""

    messages: dict[str, tuple[Any, ...]]
    note: str = ""


def run_with_time_limit(task: Callable[..., None], args: tuple, time_limit: float, *,
                        first_limit: float | None = None, daemon: bool = True,
                        on_stop: Callable[[int], None] | None = None) -> WorkerReport:
    """Run ``task(*args, send=...)`` in a child process, each stage under ``time_limit``.

    The task reports with ``send((kind, *values))``, one message per stage; a stage that
    takes more than ``time_limit`` seconds (from the start or from the previous message) ends
    the run: the child is terminated and the messages received so far are kept. The first
    stage may have its own limit ``first_limit``. SymPy simplification can run for ever: this
    is what keeps a verification from hanging. A task that starts workers of its own runs
    with ``daemon=False``; ``on_stop(pid)`` is then called when it is ended early (to end
    its workers too) and after it ends.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(sender, task, args), daemon=daemon)
    process.start()
    sender.close()
    deadline = time.perf_counter() + (time_limit if first_limit is None else first_limit)
    messages: dict[str, tuple[Any, ...]] = {}
    note = ""
    try:
        while True:
            if not receiver.poll(max(deadline - time.perf_counter(), 0)):
                note = f"time limit of {time_limit:g} s reached"
                break
            try:
                kind, *values = receiver.recv()
            except EOFError:
                break
            messages[kind] = tuple(values)
            deadline = time.perf_counter() + time_limit
            if kind == "error":
                note = values[0]
    finally:
        receiver.close()
        if on_stop is not None and process.pid is not None:
            on_stop(process.pid)
        if process.is_alive():
            process.terminate()
        process.join()
    return WorkerReport(messages, note)


def _prove_task(lhs: Expr, relation: str, rhs: Expr, assumptions: Assumptions, *,
                send: Callable[[tuple], None]) -> None:
    """Expand the notation (reported first: the numeric stage needs it), then try a proof."""
    left, right = (expand_notation(e, assumptions) for e in (lhs, rhs))
    send(("expanded", left.expr, right.expr,
          tuple(dict.fromkeys(left.conditions + right.conditions))))
    used: list[str] = []
    proved = _holds(left.expr, relation, right.expr, assumptions, used)
    send(("proved", proved, tuple(used)))


def _check_task(lhs: Expr, relation: str, rhs: Expr, assumptions: Assumptions,
                lengths: list[Symbol], up_to: int, *, send: Callable[[tuple], None]) -> None:
    used: list[str] = []
    checked = _check_small_lengths(lhs, relation, rhs, assumptions, lengths, up_to, used)
    send(("checked", checked, tuple(used)))


# --------------------------------------------------------------------------------------------
# The public entry point
# --------------------------------------------------------------------------------------------

@dataclass
class _Budget:
    limit: float
    start: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        return time.perf_counter() - self.start


def verify_step(lhs: Any, relation: str, rhs: Any, assumptions: Assumptions | None = None, *,
                time_limit: float = DEFAULT_TIME_LIMIT, points: int = DEFAULT_POINTS,
                check_up_to: int = DEFAULT_CHECK_UP_TO, seed: int = 0,
                expansion_time_limit: float = EXPANSION_TIME_LIMIT) -> StepResult:
    """Verify ``lhs relation rhs`` under ``assumptions``; see the module docstring.

    Args:
      lhs, rhs: SymPy expressions (measures, sums, integrals, derivatives allowed).
      relation: ``"="``, ``"<="``, ``">="``, or ``"≈"`` with ``rhs`` a decimal string
        (the claim: ``lhs`` rounds to the digits written).
      assumptions: the side conditions (default: none beyond SymPy's own symbol assumptions).
      time_limit: seconds for each symbolic stage (the general proof, the exact check for
        n = 1..N); a stage that runs out falls back to the next level. Expanding the
        definitions gets at least ``expansion_time_limit``; if even that runs out, the
        step is ``undecided``.
      points: how many sampled points the numeric stage evaluates.
      check_up_to: how many lengths the ``checked`` level tries: n = 1..N with N =
        ``check_up_to`` (from the smallest length the conditions allow).
      seed: the sampling seed (results are reproducible).
      expansion_time_limit: the least time allowed for expanding the definitions (default
        :data:`EXPANSION_TIME_LIMIT`; the hand-proof checker passes its own step limit).

    Returns:
      A :class:`StepResult`.
    """
    if relation not in RELATIONS:
        raise ValueError(f"relation {relation!r} is not one of {', '.join(RELATIONS)}")
    assumptions = assumptions if assumptions is not None else Assumptions()
    budget = _Budget(time_limit)
    if relation == "≈":
        return _verify_rounding(sympy.S(lhs), rhs, assumptions,
                                max(time_limit, expansion_time_limit), budget)
    attempt = run_with_time_limit(_prove_task, (sympy.S(lhs), relation, sympy.S(rhs),
                                                assumptions), time_limit,
                                  first_limit=max(time_limit, expansion_time_limit))
    if "expanded" not in attempt.messages:
        return StepResult(Verdict.UNDECIDED, f"expanding the definitions: {attempt.note}",
                          seconds=budget.seconds())
    left, right, definitions = attempt.messages["expanded"]

    def result(verdict: Verdict, detail: str, used: tuple[str, ...] = (), **extra: Any) \
            -> StepResult:
        conditions = tuple(dict.fromkeys(definitions + used))
        return StepResult(verdict, detail, conditions, seconds=budget.seconds(), **extra)

    # a concrete failing point outranks any symbolic argument (it also guards the rewrites)
    numeric = _numeric(left, relation, right, assumptions, points, seed)
    if numeric.counterexample is not None:
        return result(Verdict.REFUTED, f"fails {numeric.counterexample}",
                      assumptions.conditions_on(left + right),
                      counterexample=numeric.counterexample, points=numeric.points)
    proved, used = attempt.messages.get("proved", (False, ()))
    if proved:
        return result(Verdict.PROVED, "shown symbolically", used, points=numeric.points)
    notes = [f"general proof: {attempt.note}"] if attempt.note else []
    lengths = _lengths(left + right, assumptions)
    if lengths and not numeric.failure:
        first = _first_length(assumptions, lengths)
        last = first + check_up_to - 1  # check_up_to values, from the smallest allowed
        check = run_with_time_limit(
            _check_task, (left, relation, right, assumptions, lengths, last), time_limit)
        checked, used = check.messages.get("checked", (False, ()))
        span = f"{', '.join(map(str, lengths))} = {first}..{last}"
        if checked:
            return result(Verdict.CHECKED, f"holds exactly for {span}; no general proof found",
                          used, points=numeric.points, checked_up_to=last)
        notes.append(f"{span}: {check.note}" if check.note else
                     f"not shown exactly for every {span}")
    note = "; ".join(notes) or "no symbolic proof found"
    if numeric.failure:
        return result(Verdict.UNDECIDED, f"{numeric.failure}; {note}")
    if numeric.points and numeric.digits >= DIGITS:
        agreement = "holds" if relation != "=" else \
            f"agrees to >= {DIGITS} digits" if numeric.digits == float("inf") else \
            f"agrees to {min(numeric.digits, WORKING_DPS - 5):.0f} digits"
        return result(Verdict.NUMERIC, f"{agreement} at {numeric.points} sampled points; {note}",
                      points=numeric.points)
    return result(Verdict.UNDECIDED, f"numeric agreement at {numeric.points} points below "
                  f"{DIGITS} digits; {note}", points=numeric.points)


def rounding_interval(decimal: str) -> tuple[sympy.Rational, sympy.Rational]:
    r"""The values that round to the decimal as written: :math:`[d - h, d + h]` with
    :math:`h` half a unit of its last digit.

    >>> rounding_interval("0.50")
    (99/200, 101/200)
    """
    match = _DECIMAL.match(decimal.strip()) if isinstance(decimal, str) else None
    if match is None:
        raise ValueError(f"{decimal!r} is not a decimal number such as '0.5002'")
    places = len(match.group(2) or "") - int(match.group(3) or 0)
    value = sympy.Rational(Fraction(decimal.strip()))
    half = sympy.Rational(1, 2) * sympy.Rational(10) ** (-places)
    return value - half, value + half


def _end_points(enclosure: Any) -> tuple[sympy.Rational, sympy.Rational]:
    """The end points of an mpmath interval, exactly (binary floating-point numbers)."""
    def exact(raw: tuple) -> sympy.Rational:
        sign, mantissa, exponent, _ = raw
        if not mantissa and exponent:  # an infinity or nan: no claim can be settled
            raise ArithmeticError("the enclosure is not finite")
        return (-1) ** sign * sympy.Integer(int(mantissa)) * sympy.Integer(2) ** int(exponent)
    low, high = enclosure._mpi_
    return exact(low), exact(high)


def _enclose_task(lhs: Expr, assumptions: Assumptions, *, send: Callable[[tuple], None]) -> None:
    expanded = expand_notation(lhs, assumptions).expr
    if expanded.free_symbols:
        send(("free", tuple(sorted(map(str, expanded.free_symbols)))))
        return
    previous, mpmath.iv.dps = mpmath.iv.dps, WORKING_DPS  # the interval context has no workdps
    try:
        enclosure = evaluate(expanded, {}, mpmath.iv)
    finally:
        mpmath.iv.dps = previous
    send(("enclosure", *_end_points(enclosure)))


def _verify_rounding(lhs: Expr, decimal: str, assumptions: Assumptions, time_limit: float,
                     budget: _Budget) -> StepResult:
    r"""``lhs ≈ decimal``: proved when an interval enclosure of ``lhs`` (mpmath's interval
    arithmetic at :data:`WORKING_DPS` digits) lies strictly inside :func:`rounding_interval`,
    refuted when it lies outside, undecided when it touches a boundary (a tie rounds either
    way) or for an expression with free symbols."""
    lower, upper = rounding_interval(decimal)
    report = run_with_time_limit(_enclose_task, (lhs, assumptions), time_limit)
    seconds = budget.seconds()
    if "free" in report.messages:
        return StepResult(Verdict.UNDECIDED, "a rounding claim needs a closed number; free: "
                          + ", ".join(report.messages["free"][0]), seconds=seconds)
    if "enclosure" not in report.messages:
        return StepResult(Verdict.UNDECIDED, f"evaluating the left side: {report.note}",
                          seconds=seconds)
    low, high = report.messages["enclosure"]
    with mpmath.workdps(WORKING_DPS):
        shown = mpmath.nstr(mpmath.mpf(int(low.p)) / int(low.q), 30)
    if lower < low and high < upper:  # a value on the boundary rounds either way
        return StepResult(Verdict.PROVED, f"the value {shown}... rounds to {decimal} "
                          "(interval arithmetic)", seconds=seconds)
    if high < lower or low > upper:
        return StepResult(Verdict.REFUTED, f"the value {shown}... does not round to {decimal}",
                          counterexample=Counterexample({}, shown, decimal), seconds=seconds)
    return StepResult(Verdict.UNDECIDED, f"the value {shown}... lies on a rounding boundary of "
                      f"{decimal}", seconds=seconds)


__all__ = ["Counterexample", "DIGITS", "StepResult", "Unsupported", "Verdict", "WorkerReport",
           "evaluate", "expand_notation", "normal_form", "rounding_interval", "run_with_time_limit",
           "verify_step", "weakest"]
