r"""Rigorous high-precision evaluation of a symbolic definition with ball arithmetic.

A definition from :mod:`symbinfo.definitions` (un-rewritten: the formula the texts write) is
compiled once into a Python function over python-flint ``arb`` balls, then evaluated at the
exact values of a case's inputs. Every result is a ball :math:`[m \pm r]` that contains the
true value, so the number of correct digits is known, not hoped for:

* the precision starts at the requested digits plus guard bits and doubles until the ball's
  relative accuracy covers ``dps`` digits (up to :data:`MAX_PRECISION` bits), so an expression
  such as :math:`\log(1 + e^{-10^4})` gets its :math:`10^{-4343}` right instead of rounding to 0;
* the float64/float32 roundings are *certified* when the whole ball rounds to one float
  (both ends of the ball round to the same float; :func:`~symbinfo.refs.floats.round_dyadic`);
* exact zeros (``KL(P || P)``) are recognised as exact balls of radius 0.

The definitions' conventions are applied by the compiled code exactly as in
:mod:`symbinfo.definitions.conventions` and :mod:`symbinfo.accuracy`: a product with an exactly
zero factor is 0 (:math:`0 \log 0 = 0`). Results that are not finite (:math:`+\infty` where
:math:`q = 0 < p`) are not representable as arb balls here; the caller falls back to the mpmath
evaluator for them (:func:`evaluate_case`).

Why arb (python-flint) and not mpmath's ``iv``: arb's balls track the error of every operation
rigorously at roughly ten times mpmath's speed, and the same balls certify the roundings.

>>> from sympy import Symbol, log
>>> p = Symbol("p", positive=True)
>>> compiled = compile_definition(-p * log(p), [p])
>>> value = evaluate(compiled, {p: 0.5}, dps=30)
>>> value.decimal
'0.346573590279972654708616060729'
>>> value.float64 == 0.34657359027997264, value.certified
(True, True)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import Any

import mpmath
import numpy as np
import sympy
from flint import arb, ctx, fmpq
from sympy import Expr

from symbinfo.definitions.activations import Sigmoid, Softplus
from symbinfo.refs.files import ReferenceValue
from symbinfo.refs.floats import (BINARY32, BINARY64, FloatFormat,
                                  binary32_of_binary64_interval, round_dyadic, round_to_float)

WORKING_PRECISIONS = threading.Lock()
"""Held by code that sets python-flint's or mpmath's working precision, which are settings of
the whole process: in an executor of threads, the cases evaluated in Python take turns (they
hold the GIL anyway), so that threads give the values processes give. The batched evaluator
(:mod:`symbinfo.refs.batch`) passes its precision explicitly and runs in parallel."""



@contextmanager
def working_precision(bits: int) -> Iterator[None]:
    """Run with arb's working precision at ``bits``, holding :data:`WORKING_PRECISIONS`, then
    restore it."""
    with WORKING_PRECISIONS:
        saved = ctx.prec
        ctx.prec = bits
        try:
            yield
        finally:
            ctx.prec = saved


MAX_PRECISION = 1 << 16
"""Most bits the adaptive evaluation tries before reporting a value as uncertified."""

GUARD_BITS = 32


# --------------------------------------------------------------------------------------------
# The operations of the compiled code: the definitions' conventions on arb balls
# --------------------------------------------------------------------------------------------

class NotFinite(Exception):
    """The value is infinite by the definitions' conventions (log 0, x / 0 for x > 0)."""


class _Infinity:
    """An exact infinity (from log 0 or x / 0); only a zero factor can absorb it."""


_INFINITY = _Infinity()

# Values are exact rationals (flint ``fmpq``; the inputs are binary floats, hence rational) for
# as long as the operations keep them exact, and arb balls from the first transcendental
# operation on. Exact arithmetic makes exact results exact: log(p / q) with p = q is 0, not a
# ball around 0 that no precision can pin down.


def _is_exact(x: Any) -> bool:
    return isinstance(x, (int, fmpq))


def _is_exact_zero(x: Any) -> bool:
    if isinstance(x, _Infinity):
        return False
    return x == 0 if _is_exact(x) else x.is_zero()


def _ball(x: Any) -> Any:
    if isinstance(x, _Infinity):
        raise NotFinite
    return arb(x) if _is_exact(x) else x


def _add(*terms: Any) -> Any:
    if all(_is_exact(t) for t in terms):
        return sum(terms, fmpq(0))
    total = arb(0)
    for term in terms:
        total += _ball(term)
    return total


def _mul(*factors: Any) -> Any:
    """A product, 0 when any factor is exactly 0 (the convention :math:`0 \\log 0 = 0`)."""
    if any(_is_exact_zero(f) for f in factors):
        return fmpq(0)
    if all(_is_exact(f) for f in factors):
        product = fmpq(1)
        for factor in factors:
            product *= factor
        return product
    ball = arb(1)
    for factor in factors:
        ball *= _ball(factor)
    return ball


def _pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, _Infinity) or isinstance(exponent, _Infinity):
        raise NotFinite
    if _is_exact_zero(base) and exponent < 0:
        return _INFINITY  # x / 0
    if isinstance(exponent, int) and _is_exact(base):
        return fmpq(base) ** exponent
    if isinstance(exponent, int):
        return base ** exponent if exponent >= 0 else 1 / base ** (-exponent)
    return _ball(base) ** _ball(exponent)


def _log(x: Any) -> Any:
    if _is_exact_zero(x):
        return _INFINITY  # log 0
    if _is_exact(x) and x == 1:
        return fmpq(0)
    return _ball(x).log()


def _exp(x: Any) -> Any:
    if _is_exact_zero(x):
        return fmpq(1)
    return _ball(x).exp()


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + (-_ball(x)).exp())


def _softplus(x: Any) -> Any:
    return (1 + _ball(x).exp()).log()


def _exact_float(x: float) -> Any:
    numerator, denominator = float(x).as_integer_ratio()
    return fmpq(numerator, denominator)


_OPERATIONS = {"_add": _add, "_mul": _mul, "_pow": _pow, "_log": _log, "_exp": _exp,
               "_sigmoid": _sigmoid, "_softplus": _softplus, "_rational": fmpq,
               "_float": _exact_float, "_e": lambda: arb.const_e(), "_pi": lambda: arb.pi(),
               "_A": arb}

_FUNCTIONS = {sympy.log: "_log", sympy.exp: "_exp", Sigmoid: "_sigmoid", Softplus: "_softplus"}
_FAST_FUNCTIONS = {sympy.log: "{}.log()", sympy.exp: "{}.exp()",
                   Sigmoid: "(1 / (1 + (-{}).exp()))", Softplus: "(1 + {}.exp()).log()"}
"""The fast code's calls on a ball argument: arb's own methods, written inline (a sum over a
long vector makes :math:`10^5` of them), and the sigmoid and softplus in arb's operations (so
that the fast code is arb operations only, which :mod:`symbinfo.refs.batch` translates).
The fast code is plain ball arithmetic, without the conventions: it is used first, and trusted
only for finite, certified results (a convention that matters, log 0 or x / 0, makes a ball
non-finite)."""


# --------------------------------------------------------------------------------------------
# Compiling a definition
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompiledDefinition:
    """A definition compiled to a function of arb balls (and integers).

    ``arguments`` are the symbols and ``IndexedBase`` objects in the order the function takes
    them; ``per_output`` is the symbol (a class index) the outputs run over, if any.
    """

    definition: Expr
    arguments: tuple[Any, ...]
    per_output: sympy.Symbol | None
    function: Callable[..., Any]
    """With the conventions and exact rationals (see the operations above)."""
    fast_function: Callable[..., Any]
    """Plain ball arithmetic, tried first."""
    source: str
    """The Python source of ``function``."""
    fast_source: str
    """The Python source of ``fast_function`` (arb operations only: see
    :mod:`symbinfo.refs.batch`, which runs it over batches of cases)."""

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        """How each argument's value is read: ``"vector"``, ``"integer"`` or ``"number"``."""
        return tuple(map(_argument_kind, self.arguments))


def _argument_kind(argument: Any) -> str:
    """``"vector"`` (an ``IndexedBase``), ``"integer"`` or ``"number"``."""
    if isinstance(argument, sympy.IndexedBase):
        return "vector"
    return "integer" if argument.is_integer else "number"


class _CodeWriter:
    """Turns an expression tree into Python source over the operations above.

    The source contains only names this class makes (``a0``, ``_i0``, ``_h0``), operation names,
    and numbers printed from SymPy integers and floats: no text from symbol names or users.
    """

    def __init__(self, names: dict[Any, str], per_output: sympy.Symbol | None,
                 fast: bool = False, balls: frozenset[Any] = frozenset()) -> None:
        self.names = dict(names)
        self.per_output = per_output
        self.fast = fast
        self.balls = balls
        """The symbols whose values are balls in the fast code (the ``number`` arguments)."""
        self.hoisted: dict[Expr, str] = {}
        self.hoisted_lines: list[str] = []
        self.loop_variables: set[sympy.Symbol] = set()
        if per_output is not None:
            self.names[per_output] = "_k"

    def write(self, e: Expr) -> str:
        """Source for ``e``, hoisting loop-invariant sub-expressions (:meth:`_hoistable`)."""
        if not self._hoistable(e):
            return self._write(e)
        if e not in self.hoisted:
            name = f"_h{len(self.hoisted)}"
            source = _CodeWriter(self.names, None, self.fast, self.balls)._write(e)
            self.hoisted[e] = name
            self.hoisted_lines.append(f"    {name} = {source}")
        return self.hoisted[e]

    def _hoistable(self, e: Expr) -> bool:
        """Inside a loop (a sum, or the outputs), a compound expression that depends on none
        of the loop variables: computed once, before the loops."""
        varying = set(self.loop_variables)
        if self.per_output is not None:
            varying.add(self.per_output)
        if not varying or e.is_Atom or isinstance(e, sympy.Indexed):
            return False
        return not (e.free_symbols & varying)

    def _write(self, e: Expr) -> str:
        if e.is_Integer:
            return str(int(e))
        if e.is_Rational:
            return f"_rational({int(e.p)}, {int(e.q)})" if not self.fast else \
                f"(_A({int(e.p)}) / {int(e.q)})"
        if e.is_Float:
            return f"_float({float(e)!r})" if not self.fast else f"_A({float(e)!r})"
        if e is sympy.E:
            return "_e()"
        if e is sympy.pi:
            return "_pi()"
        if isinstance(e, sympy.Symbol):
            if e in self.names:
                return self.names[e]
            raise NotImplementedError(f"the symbol {e} has no value")
        if isinstance(e, sympy.Indexed):
            return self.names[e.base] + "".join(f"[{self.write(i)}]" for i in e.indices)
        if isinstance(e, sympy.Sum):
            return self._write_sum(e)
        if isinstance(e, sympy.KroneckerDelta):
            a, b = (self.write(x) for x in e.args)
            return f"(1 if {a} == {b} else 0)"
        parts = [self.write(a) for a in e.args]
        if self.fast and (e.is_Add or e.is_Mul):
            return "(" + (" + " if e.is_Add else " * ").join(parts) + ")"
        if self.fast and e.is_Pow:  # a ball base: int ** -1 would be an inexact float
            return f"({self._as_ball(e.args[0], parts[0])} ** {parts[1]})"
        args = ", ".join(parts)
        if e.is_Add:
            return f"_add({args})"
        if e.is_Mul:
            return f"_mul({args})"
        if e.is_Pow:
            return f"_pow({args})"
        for kind, name in _FUNCTIONS.items():
            if isinstance(e, kind):
                if not self.fast:
                    return f"{name}({args})"
                return _FAST_FUNCTIONS[kind].format(self._as_ball(e.args[0], args))
        raise NotImplementedError(f"no arb evaluation of {type(e).__name__}: {e}")

    def _as_ball(self, e: Expr, source: str) -> str:
        """Fast code for ``e`` as a ball: ``source`` itself where it is one already (copying a
        ball with ``_A`` gives the same ball, at a cost: the fast code of a sum over a long
        vector would make :math:`10^5` copies), else ``_A(source)``."""
        return source if self._is_ball(e) else f"_A({source})"

    def _is_ball(self, e: Expr) -> bool:
        """Whether the fast code of ``e`` certainly evaluates to a ball rather than an int: a
        vector entry, a ``number`` argument, a ``Sum``, a function, a power, a non-integer
        constant, or an addition or product with one of these. Anything else (integers,
        lengths, indices, Kronecker deltas) counts as not a ball."""
        if e.is_Integer:
            return False
        if isinstance(e, sympy.Symbol):
            return e in self.balls
        if e.is_Number or e in (sympy.E, sympy.pi) or e.is_Pow or \
                isinstance(e, (sympy.Indexed, sympy.Sum, *_FUNCTIONS)):
            return True
        if e.is_Add or e.is_Mul:
            return any(self._is_ball(a) for a in e.args)
        return False

    def _write_sum(self, e: sympy.Sum) -> str:
        loops = []
        for index, low, high in e.limits:
            self.names[index] = f"_i{len(self.names)}"
            loops.append(f"for {self.names[index]} in range({self.write(low)}, "
                         f"{self.write(high)} + 1)")
            self.loop_variables.add(index)
        term = self.write(e.function)
        for index, _, _ in e.limits:
            self.loop_variables.discard(index)
        if self.fast:
            return f"sum(({term} {' '.join(loops)}), _A(0))"
        return f"_add(*({term} {' '.join(loops)}))"


def compile_definition(definition: Expr, arguments: Sequence[Any],
                       per_output: sympy.Symbol | None = None) -> CompiledDefinition:
    r"""Compile ``definition`` into a function of ``arguments`` (symbols, and ``IndexedBase``
    objects whose values are 1-based sequences) over arb balls.

    With ``per_output`` (a class index :math:`k`), the function takes the list of its values
    last and returns one ball per value; sub-expressions that do not depend on :math:`k` (a
    softmax's normaliser) are computed once.
    """
    careful = _function_source(definition, arguments, per_output, fast=False)
    fast = _function_source(definition, arguments, per_output, fast=True)
    namespace: dict[str, Any] = dict(_OPERATIONS)
    fast_namespace: dict[str, Any] = dict(_OPERATIONS)
    # The sources are written by _CodeWriter from the package's own definitions (see its
    # docstring); no user text reaches them.
    exec(compile(careful, "<symbinfo.refs definition>", "exec"), namespace)  # noqa: S102
    exec(compile(fast, "<symbinfo.refs definition>", "exec"), fast_namespace)  # noqa: S102
    return CompiledDefinition(sympy.S(definition), tuple(arguments), per_output,
                              namespace["_definition"], fast_namespace["_definition"], careful,
                              fast)


def _function_source(definition: Expr, arguments: Sequence[Any],
                     per_output: sympy.Symbol | None, *, fast: bool) -> str:
    balls = frozenset(a for a in arguments if _argument_kind(a) == "number")
    writer = _CodeWriter({a: f"a{n}" for n, a in enumerate(arguments)}, per_output, fast, balls)
    body = writer.write(sympy.S(definition))
    parameters = [f"a{n}" for n in range(len(arguments))]
    if per_output is not None:
        parameters.append("_outputs")
        result = f"    return [{body} for _k in _outputs]"
    else:
        result = f"    return {body}"
    return "\n".join([f"def _definition({', '.join(parameters)}):", *writer.hoisted_lines,
                      result])


# --------------------------------------------------------------------------------------------
# Evaluating
# --------------------------------------------------------------------------------------------

def _input_value(x: Any) -> Any:
    """An input number, exactly: an int, or the rational value of a binary float."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError("boolean input")
    if isinstance(x, (int, np.integer)):
        return int(x)
    return _exact_float(float(x))


def _one_based(values: Any, convert: Callable[[float], Any]) -> list[Any]:
    """A 1-based (padded) nested list of ``convert``-ed entries of a NumPy array."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        return [None, *map(convert, array.tolist())]
    return [None] + [_one_based(row, convert) for row in array]


# How each kind of argument is read: exactly (rationals) for the careful evaluation, as balls
# (exact too: a binary float is one ball of radius 0) for the fast path.
_READERS = {"vector": lambda v: _one_based(v, _exact_float), "integer": int,
            "number": _input_value}
_BALL_READERS = {"vector": lambda v: _one_based(v, arb), "integer": int,
                 "number": lambda v: arb(float(v))}


def _inputs(compiled: CompiledDefinition, bindings: dict[Any, Any],
            kinds: Sequence[str], readers: dict[str, Callable[[Any], Any]]) -> list[Any]:
    values = []
    for argument, kind in zip(compiled.arguments, kinds):
        try:
            value = bindings[argument]
        except KeyError:
            raise ValueError(f"no value for {argument} of the definition") from None
        values.append(readers[kind](value))
    return values


def _call(function: Callable[..., Any], arguments: list[Any],
          outputs: Sequence[int] | None) -> list[Any]:
    if outputs is not None:
        return list(function(*arguments, list(outputs)))
    return [function(*arguments)]


def _fast_values(compiled: CompiledDefinition, bindings: dict[Any, Any], dps: int,
                 outputs: Sequence[int] | None) -> list[ReferenceValue] | None:
    """Plain ball arithmetic at the starting precision; None unless every value is finite
    and certified."""
    try:
        arguments = _inputs(compiled, bindings, compiled.kinds, _BALL_READERS)
        results = _call(compiled.fast_function, arguments, outputs)
    except (ZeroDivisionError, ValueError, TypeError):
        return None
    values = []
    for result in results:
        if not (isinstance(result, arb) and result.is_finite()):
            return None
        value = _ball_value(result, dps)
        if not value.certified:
            return None
        values.append(value)
    return values


def _fraction(x: Any) -> Fraction:
    if isinstance(x, fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, int):
        return Fraction(x)
    mantissa, exponent = (int(part) for part in x.man_exp())
    return Fraction(mantissa << exponent) if exponent >= 0 else Fraction(mantissa, 1 << -exponent)


@cache
def _target_bits(dps: int) -> int:
    return math.ceil(dps * math.log2(10)) + 4


def starting_precision(dps: int) -> int:
    """The bits :func:`evaluate_values` starts at for ``dps`` digits; a caller evaluating many
    values sets ``ctx.prec`` to it once, and the evaluations then leave it alone."""
    return _target_bits(dps) + GUARD_BITS


def _exact_decimal(exact: Fraction, dps: int) -> str:
    """``dps`` significant digits of an exact rational (``"0"`` for zero)."""
    if exact == 0:
        return "0"
    with mpmath.workdps(dps + 10):
        return mpmath.nstr(mpmath.mpf(exact.numerator) / exact.denominator, dps,
                           strip_zeros=False)


def _dyadic_bounds(ball: Any) -> tuple[int, int, int]:
    """The ends :math:`m \\pm r` of a ball as exact dyadic numbers ``low, high`` times
    :math:`2^{exponent}`: ``(low, high, exponent)``."""
    mid_mantissa, mid_exponent = ball.mid().man_exp()
    rad_mantissa, rad_exponent = ball.rad().man_exp()
    middle, mid_exponent = int(mid_mantissa), int(mid_exponent)
    if not rad_mantissa:
        return middle, middle, mid_exponent
    radius, rad_exponent = int(rad_mantissa), int(rad_exponent)
    exponent = min(mid_exponent, rad_exponent)
    middle <<= mid_exponent - exponent
    radius <<= rad_exponent - exponent
    return middle - radius, middle + radius, exponent


def _shared_rounding(low: int, high: int, exponent: int, fmt: FloatFormat) -> float | None:
    """The rounding to ``fmt`` of every number in :math:`[low, high] \\cdot 2^{exponent}`, or
    None when the ends round apart."""
    below = round_dyadic(low, exponent, fmt)
    return below if below == round_dyadic(high, exponent, fmt) else None


def _shared_roundings(low: int, high: int, exponent: int) -> tuple[float | None, float | None]:
    """The binary64 and binary32 roundings shared by :math:`[low, high] \\cdot 2^{exponent}`
    (:func:`_shared_rounding`); the binary32 one read off a shared binary64 one where that
    decides it (:func:`~symbinfo.refs.floats.binary32_of_binary64_interval`, cheaper than
    rounding both ends to binary32)."""
    double = _shared_rounding(low, high, exponent, BINARY64)
    single = None if double is None else binary32_of_binary64_interval(double)
    if single is None:
        single = _shared_rounding(low, high, exponent, BINARY32)
    return double, single


def reference_value(value: Any, dps: int) -> ReferenceValue:
    """Digits and float64/float32 roundings of an exact value or a finite ball; certified when
    the digits are all correct (``dps`` of them) and every point of the ball rounds alike."""
    if _is_exact(value):
        return _exact_value(_fraction(value), dps)
    return _ball_value(value, dps)


def _exact_value(exact: Fraction, dps: int) -> ReferenceValue:
    """An exact rational's digits and roundings, certified (nothing is unknown)."""
    return ReferenceValue(_exact_decimal(exact, dps), round_to_float(exact, BINARY64),
                          round_to_float(exact, BINARY32), certified=True)


def _ball_value(ball: Any, dps: int) -> ReferenceValue:
    """A finite ball's digits (of its midpoint) and the roundings all its points share."""
    accurate = ball.is_exact() or ball.rel_accuracy_bits() >= _target_bits(dps)
    double, single = _shared_roundings(*_dyadic_bounds(ball))
    return ReferenceValue(ball.str(dps, radius=False), double, single,
                          certified=accurate and double is not None and single is not None)


def evaluate_values(compiled: CompiledDefinition, bindings: dict[Any, Any], *, dps: int = 50,
                    outputs: Sequence[int] | None = None) -> list[ReferenceValue]:
    """Evaluate to reference values with ``dps`` correct digits and certified roundings,
    raising the precision as needed up to :data:`MAX_PRECISION` bits (values still short of
    that are returned uncertified).

    Raises:
      NotFinite: a value is infinite by the conventions (log 0, or x / 0 for x > 0), or not
        finite at the highest precision.
    """
    precision = starting_precision(dps)
    kinds = compiled.kinds
    outputs = list(outputs or ()) if compiled.per_output is not None else None
    saved = ctx.prec
    try:
        if saved != precision:  # changing it costs more than reading it
            ctx.prec = precision
        fast = _fast_values(compiled, bindings, dps, outputs)
        if fast is not None:
            return fast
        while True:
            ctx.prec = precision
            arguments = _inputs(compiled, bindings, kinds, _READERS)
            results = [r if _is_exact(r) else _ball(r)
                       for r in _call(compiled.function, arguments, outputs)]
            if all(_is_exact(r) or r.is_finite() for r in results):
                values = [reference_value(r, dps) for r in results]
                if all(v.certified for v in values) or precision >= MAX_PRECISION:
                    return values
            elif precision >= MAX_PRECISION:
                raise NotFinite
            precision = min(2 * precision, MAX_PRECISION)
    finally:
        if ctx.prec != saved:
            ctx.prec = saved


def definition_arguments(definition: Expr, per_output: sympy.Symbol | None = None) \
        -> tuple[Any, ...]:
    """The inputs of a definition: its ``IndexedBase`` vectors and its free symbols (the
    lengths among them), sorted by name; ``per_output`` is left out.

    >>> from symbinfo.distributions import symbolic_distribution
    >>> definition_arguments(entropy(symbolic_distribution("P")))
    (p, n)
    """
    bases = {e.base for e in definition.atoms(sympy.Indexed)}
    labels = {b.label for b in bases}
    symbols = {s for s in definition.free_symbols
               if isinstance(s, sympy.Symbol) and s not in labels and s != per_output}
    return (*sorted(bases, key=str), *sorted(symbols, key=str))


def evaluate(compiled: CompiledDefinition, bindings: dict[Any, Any], *, dps: int = 50,
             outputs: Sequence[int] | None = None) \
        -> ReferenceValue | list[ReferenceValue] | None:
    """The reference value(s) of a compiled definition at ``bindings``: one
    :class:`~symbinfo.refs.files.ReferenceValue`, or a list with ``outputs``; None when a
    value is not finite (the caller evaluates those cases another way)."""
    try:
        values = evaluate_values(compiled, bindings, dps=dps, outputs=outputs)
    except NotFinite:
        return None
    return values if compiled.per_output is not None else values[0]
