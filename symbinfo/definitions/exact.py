"""Bounded tidying of exact numeric results.

Exact values of the measures are sums of logarithms of rationals. Splitting those logarithms
into logarithms of primes makes equal values compare equal (``log(65536)/log(2) == 16``), but
factoring a large integer can take arbitrarily long, so this is done only when every integer
involved is below :data:`MAX_FACTORED`; otherwise the value is returned as it is.
"""

from __future__ import annotations

import sympy
from sympy import Expr

MAX_FACTORED = 2 ** 64
"""Largest numerator or denominator inside a logarithm that :func:`tidy` factors."""


def tidy(expr: Expr) -> Expr:
    """Split logarithms of small exact rationals into logarithms of primes; leave all else.

    A number computed from floats is evaluated to a float (at the floats' precision).

    >>> from sympy import log, Rational
    >>> tidy(log(65536) / log(2))
    16
    >>> tidy(log(Rational(4, 5)))
    -log(5) + 2*log(2)
    >>> tidy(log(0.5) / log(2))
    -1.00000000000000
    """
    expr = sympy.S(expr)
    if not expr.is_number:
        return expr
    if expr.has(sympy.Float):
        return expr.evalf()
    logs = expr.atoms(sympy.log)
    if not logs or not all(_small_rational(term.args[0]) for term in logs):
        return expr
    return sympy.expand_log(expr, factor=True)


def _small_rational(value: Expr) -> bool:
    return bool(value.is_Rational and value.is_positive
                and abs(value.p) < MAX_FACTORED and value.q < MAX_FACTORED)
