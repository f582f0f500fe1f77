r"""Units of information: the base of the logarithm.

The unit of an information quantity is fixed by the base :math:`b` of the logarithm
in its definition, :math:`I(x) = -\log_b P(x)`:

=============  ======  ===========================
name           base    also called
=============  ======  ===========================
``"nats"``     e       nits
``"bits"``     2       shannons
``"hartleys"`` 10      bans, dits
=============  ======  ===========================

Changing base is a constant factor, :math:`\log_b x = \ln x / \ln b`, so a value in
nats becomes bits by dividing by :math:`\ln 2`.

>>> from sympy import Rational
>>> convert_units(1, "bits", "nats")
log(2)
>>> log_base("hartleys")
10
"""

from __future__ import annotations

from typing import Union

import sympy
from sympy import E, Expr, log

BaseLike = Union[str, int, float, Expr]
"""What ``base=`` accepts: a unit name, or a positive number (or symbol) other than 1."""

UNIT_BASES: dict[str, Expr] = {
    "nats": E,
    "nits": E,
    "bits": sympy.Integer(2),
    "shannons": sympy.Integer(2),
    "hartleys": sympy.Integer(10),
    "bans": sympy.Integer(10),
    "dits": sympy.Integer(10),
}


def log_base(base: BaseLike) -> Expr:
    r"""Return the logarithm base :math:`b` that ``base`` names, as a SymPy expression.

    Args:
      base: a unit name from :data:`UNIT_BASES` (``"nats"``, ``"bits"``, ``"hartleys"``, ...),
        or the base itself: a positive number other than 1, or a positive SymPy symbol.

    Raises:
      ValueError: an unknown unit name, or a number that is not a valid base.
      TypeError: anything else.

    >>> log_base("bits"), log_base(2), log_base("nats")
    (2, 2, E)
    """
    if isinstance(base, str):
        try:
            return UNIT_BASES[base.strip().lower()]
        except KeyError:
            known = ", ".join(repr(name) for name in UNIT_BASES)
            raise ValueError(f"base={base!r} is not a unit; expected one of {known}, "
                             "or a positive number other than 1") from None
    if isinstance(base, bool) or not isinstance(base, (int, float, Expr)):
        raise TypeError(f"base must be a unit name or a number, not {type(base).__name__}")
    value = sympy.Float(base) if isinstance(base, float) else sympy.S(base)
    if value.is_positive is False or value.is_extended_real is False or value == 1 \
            or value.is_finite is False:
        raise ValueError(f"base={base!r} is not a valid logarithm base; "
                         "it must be positive, finite and different from 1")
    return value


def log_in_base(x: Expr, base: BaseLike = "nats") -> Expr:
    r"""Return :math:`\log_b x = \ln x / \ln b` (just :math:`\ln x` in nats).

    >>> log_in_base(8, "bits")
    log(8)/log(2)
    """
    b = log_base(base)
    return log(x) if b == E else log(x) / log(b)


def convert_units(value: Expr | float, from_unit: BaseLike, to_unit: BaseLike) -> Expr:
    r"""Convert an information quantity between units: :math:`v \cdot \ln a / \ln b`.

    A quantity measured with logarithms of base :math:`a` equals :math:`\ln a / \ln b`
    times the same quantity with logarithms of base :math:`b`.

    >>> convert_units(3, "bits", "bits")
    3
    >>> convert_units(log(2), "nats", "bits")
    1
    """
    a, b = log_base(from_unit), log_base(to_unit)
    if a == b:
        return sympy.S(value)
    return sympy.S(value) * log(a) / log(b)


def to_bits(value: Expr | float, unit: BaseLike = "nats") -> Expr:
    """Express ``value``, measured in ``unit``, in bits.

    >>> to_bits(log(4))
    2
    """
    return sympy.expand_log(convert_units(value, unit, "bits"), factor=True)


def to_nats(value: Expr | float, unit: BaseLike = "bits") -> Expr:
    """Express ``value``, measured in ``unit``, in nats.

    >>> to_nats(1, "bits")
    log(2)
    """
    return convert_units(value, unit, "nats")
