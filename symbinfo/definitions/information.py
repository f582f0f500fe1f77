r"""Information content (self-information) of an event.

Three requirements pin the definition down: a certain event carries no information, a less
likely event carries more, and the information of independent events adds,
:math:`f(P(x_1) P(x_2)) = f(P(x_1)) + f(P(x_2))`. The continuous decreasing solutions are

.. math:: I(x) = -\log_b P(x),

with the base :math:`b` fixing the unit (:mod:`symbinfo.units`). An impossible event
(:math:`P(x) = 0`) carries :math:`+\infty`.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Expr

from symbinfo.definitions.exact import tidy
from symbinfo.distributions import as_probability
from symbinfo.units import BaseLike, log_in_base


def information(p: Any, *, base: BaseLike = "nats") -> Expr:
    r"""Information content :math:`I = -\log_b p` of an event of probability ``p``.

    Args:
      p: the probability, in :math:`[0, 1]` (a number, numeric string or symbol).
      base: ``"nats"`` (default), ``"bits"``, ``"hartleys"`` or a number.

    Returns:
      The information in the chosen unit; :math:`+\infty` for :math:`p = 0`.

    >>> information("1/8", base="bits")
    3
    >>> information(2**-16, base="bits")
    16.0000000000000
    """
    probability = as_probability(p, "p")
    if probability.is_zero:
        return sympy.oo
    return tidy(-log_in_base(probability, base))
