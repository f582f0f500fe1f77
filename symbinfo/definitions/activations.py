r"""Activations that turn logits into probabilities: sigmoid, softplus, softmax, logsumexp.

:class:`Sigmoid` and :class:`Softplus` are SymPy ``Function`` subclasses, so they stay
unevaluated, print as :math:`\sigma(x)` and :math:`\operatorname{softplus}(x)`, differentiate,
and rewrite to their definitions with ``.rewrite(sympy.exp)``. ``softmax``, ``log_softmax`` and
``logsumexp`` return their defining expressions directly; logits are explicit sequences
(0-based positions) or a :class:`~symbinfo.vectors.SymbolicVector` (1-based, symbolic length
:math:`K`, sums over :math:`j`).

>>> from sympy import exp, Symbol
>>> s = Symbol("s", real=True)
>>> Sigmoid(s).diff(s)
(1 - sigmoid(s))*sigmoid(s)
>>> Sigmoid(s).rewrite(exp)
1/(1 + exp(-s))
"""

from __future__ import annotations

import numbers
from typing import Any

import sympy
from sympy import Expr, Function, exp, log
from sympy.core.function import ArgumentIndexError

from symbinfo.distributions import as_number
from symbinfo.vectors import SymbolicVector, Vector, as_vector, vector_sum


class Sigmoid(Function):
    r"""The logistic sigmoid :math:`\sigma(x) = \frac{1}{1 + e^{-x}}`.

    >>> Sigmoid(0)
    1/2
    """

    @classmethod
    def eval(cls, x: Expr) -> Expr | None:
        if x.is_zero:
            return sympy.Rational(1, 2)
        if x is sympy.oo:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        r""":math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`."""
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, x: Expr, **kwargs: Any) -> Expr:
        return 1 / (1 + exp(-x))

    def _eval_evalf(self, prec: int) -> Expr:
        return self.rewrite(exp)._eval_evalf(prec)  # type: ignore[no-any-return]

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_extended_real  # type: ignore[no-any-return]

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _latex(self, printer: Any, exp: Any = None) -> str:
        tex = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"  # a power: the printer passes exp

    def _sympystr(self, printer: Any) -> str:
        return f"sigmoid({printer._print(self.args[0])})"


class Softplus(Function):
    r"""The softplus :math:`\operatorname{softplus}(x) = \log(1 + e^{x})`, a smooth
    :math:`\max(x, 0)` with derivative :math:`\sigma(x)`.

    >>> Softplus(0)
    log(2)
    """

    @classmethod
    def eval(cls, x: Expr) -> Expr | None:
        if x.is_zero:
            return log(2)
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        r""":math:`\operatorname{softplus}'(x) = \sigma(x)`."""
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return Sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x: Expr, **kwargs: Any) -> Expr:
        return log(1 + exp(x))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_evalf(self, prec: int) -> Expr:
        return self.rewrite(log)._eval_evalf(prec)  # type: ignore[no-any-return]

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_extended_real  # type: ignore[no-any-return]

    def _latex(self, printer: Any, exp: Any = None) -> str:
        tex = rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

    def _sympystr(self, printer: Any) -> str:
        return f"softplus({printer._print(self.args[0])})"


def sigmoid(x: Any) -> Expr:
    r"""The logistic sigmoid :math:`\sigma(x)` (unevaluated :class:`Sigmoid`).

    >>> sigmoid("0")
    1/2
    """
    return Sigmoid(as_number(x, "x"))


def softplus(x: Any) -> Expr:
    r""":math:`\log(1 + e^{x})` (unevaluated :class:`Softplus`)."""
    return Softplus(as_number(x, "x"))


def logsumexp(logits: Any) -> Expr:
    r""":math:`\operatorname{logsumexp}(z) = \log \sum_{j} e^{z_j}`.

    Args:
      logits: an explicit sequence, or a :class:`~symbinfo.vectors.SymbolicVector`.

    >>> logsumexp([0, 0])
    log(2)
    """
    z = as_vector(logits, "logits")
    return log(vector_sum(z, exp))


def _entry(z: Vector, k: Any) -> Expr:
    """The logit :math:`z_k`, checking an explicit position against the length."""
    if isinstance(z, SymbolicVector):
        return z[k]
    if isinstance(k, bool) or not isinstance(k, (numbers.Integral, sympy.Integer)):
        raise TypeError(f"class index k = {k!r} must be an integer position for explicit logits")
    if not 0 <= int(k) < len(z):
        raise ValueError(f"class index k = {k} is out of range for {len(z)} classes "
                         f"(expected 0 <= k < {len(z)})")
    return z[int(k)]


def softmax(logits: Any, k: Any = None) -> Expr | tuple[Expr, ...]:
    r"""Softmax :math:`\mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}`.

    Args:
      logits: an explicit sequence of :math:`K` logits, or a
        :class:`~symbinfo.vectors.SymbolicVector`.
      k: the class: a 0-based position for explicit logits, a (1-based) index or symbol for
        symbolic ones. Without ``k``, explicit logits give the whole vector.

    >>> softmax([0, 0])
    (1/2, 1/2)
    """
    z = as_vector(logits, "logits")
    denominator = vector_sum(z, exp)
    if k is None:
        if isinstance(z, SymbolicVector):
            raise ValueError("softmax of a symbolic-length vector needs a class index k")
        return tuple(exp(entry) / denominator for entry in z)
    return exp(_entry(z, k)) / denominator


def log_softmax(logits: Any, k: Any = None) -> Expr | tuple[Expr, ...]:
    r"""Log-softmax :math:`\log \mathrm{softmax}(z)_k`, by definition the log of :func:`softmax`.

    >>> log_softmax([0, 0], 1)
    -log(2)
    """
    probabilities = softmax(logits, k)
    if isinstance(probabilities, tuple):
        return tuple(log(p) for p in probabilities)
    return log(probabilities)
