r"""The conventions that make information sums well defined at zero probabilities.

They are applied where a definition builds a term, and only to entries that are *exactly*
zero; a symbolic entry keeps the plain formula (symbolic probabilities are positive).

* :math:`0 \cdot \log 0 = 0` and more generally :math:`0 \cdot \log y = 0` (:func:`xlogy`);
* :math:`x \log 0 = -\infty` for :math:`x > 0`, so cross-entropy is :math:`+\infty` where
  :math:`q = 0 < p`;
* :math:`0 \log(0/q) = 0` and :math:`p \log(p/0) = +\infty` for :math:`p > 0`, so KL is
  :math:`+\infty` where :math:`q = 0 < p` (:func:`rel_entr`).

These match SciPy's ``scipy.special.xlogy`` and ``rel_entr``.
"""

from __future__ import annotations

import sympy
from sympy import Expr, log, oo


def xlogy(x: Expr, y: Expr) -> Expr:
    r""":math:`x \log y`, with :math:`0 \log y = 0` (so :math:`0 \log 0 = 0`).

    >>> from sympy import Rational, Symbol
    >>> xlogy(0, 0), xlogy(Rational(1, 2), 0), xlogy(Symbol("p"), 2)
    (0, -oo, p*log(2))
    """
    x, y = sympy.S(x), sympy.S(y)
    if x.is_zero:
        return sympy.S.Zero
    if y.is_zero and x.is_positive:
        return -oo
    return x * log(y)


def rel_entr(p: Expr, q: Expr) -> Expr:
    r"""The KL term :math:`p \log(p/q)`, with :math:`0 \log(0/q) = 0` and
    :math:`p \log(p/0) = +\infty` for :math:`p > 0`.

    >>> from sympy import Rational
    >>> rel_entr(0, 0), rel_entr(Rational(1, 2), 0), rel_entr(1, Rational(1, 2))
    (0, oo, log(2))
    """
    p, q = sympy.S(p), sympy.S(q)
    if p.is_zero:
        return sympy.S.Zero
    if q.is_zero and p.is_positive:
        return oo
    return p * log(p / q)
