r"""The stable-rewrite pass: rules that turn a definition into a numerically stable expression.

A definition is written as the texts write it (:math:`-\sum_i p_i \log p_i`,
:math:`-\log \frac{e^{z_c}}{\sum_j e^{z_j}}`); evaluated literally in floating point it gives NaN
at :math:`p = 0`, overflows above :math:`z = 709` and cancels where two nearly equal quantities
are subtracted. The pass replaces such sub-expressions by *nodes*, small SymPy ``Function``
subclasses that mean exactly the same thing (each rewrites back to its definition with
``.rewrite(log)``) and that the kernel printer prints as calls to the stable primitives of
:mod:`symbinfo.kernels.primitives`.

Rules are objects (:class:`sympy.codegen.rewriting.ReplaceOptim`) kept in plain tuples and applied
in order by :func:`optimize`, as in :mod:`sympy.codegen.rewriting`; :data:`STABLE_REWRITES` is
the default tuple and users may pass their own (add a rule, or build a kernel from their own
expression with :func:`symbinfo.kernels.build.lambdify_stable`).

=============================  ===========================================================
rule                           rewrite
=============================  ===========================================================
:data:`logsumexp_opt`          :math:`\log \sum_j e^{b_j} \to \operatorname{LSE}_j(b)`, max shift
:data:`log_softmax_opt`        :math:`\log \frac{e^{a}}{\sum_j e^{b_j}} \to (a - m) - \operatorname{log1p}(s)`
:data:`softmax_opt`            :math:`\frac{e^{a}}{\sum_j e^{b_j}} \to \mathrm{softmax}` with max shift
:data:`softmax_onehot_opt`     :math:`\mathrm{softmax}(z)_k - [k = c] \to` non-cancelling form
:data:`log_sigmoid_opt`        :math:`\log \sigma(x) \to -\operatorname{softplus}(-x)`,
                               :math:`\log(1 - \sigma(x)) \to -\operatorname{softplus}(x)`
:data:`one_minus_sigmoid_opt`  :math:`1 - \sigma(x) \to \sigma(-x)`
:data:`softplus_opt`           :math:`\log(1 + e^{x}) \to \operatorname{softplus}(x)`
:data:`rel_entr_opt`           :math:`x \log(x / y) \to \operatorname{rel\_entr}(x, y)` with :math:`x - y` simplified
:data:`rel_entr_sum_opt`       :math:`\sum_i \operatorname{rel\_entr}(x_i, y_i) \to` non-cancelling form where
                               :math:`\sum_i x_i = \sum_i y_i` exactly
:data:`xlogy_opt`              :math:`x \log y \to \operatorname{xlogy}(x, y)`, :math:`0 \log 0 = 0`
:data:`xlog1py_opt`            :math:`\operatorname{xlogy}(x, 1 + y) \to \operatorname{xlog1py}(x, y)`
:data:`exp_xlogy_sum_opt`      :math:`\exp(\pm\sum_j x_j \log y_j)` with the sum in double-double
=============================  ===========================================================

>>> from sympy import Symbol, log
>>> p = Symbol("p", positive=True)
>>> optimize(-p*log(p) - (1 - p)*log(1 - p))
XLog1pY(p - 1, -p) - XLogY(p, p)
>>> _.rewrite(log)
-p*log(p) + (p - 1)*log(1 - p)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy
from sympy import Add, Expr, Function, Mul, Sum, Tuple, exp, log
from sympy.codegen.rewriting import Optimization, ReplaceOptim

from symbinfo.definitions.activations import Sigmoid, Softplus

# --------------------------------------------------------------------------------------------
# Nodes: stable forms that mean the same as their definitions
# --------------------------------------------------------------------------------------------


class XLogY(Function):
    r""":math:`x \log y` with :math:`0 \log y = 0` (so :math:`0 \log 0 = 0`)."""

    nargs = 2

    def _eval_rewrite_as_log(self, x: Expr, y: Expr, **kwargs: Any) -> Expr:
        return x * log(y)


class XLog1pY(Function):
    r""":math:`x \log(1 + y)`, through ``log1p``, with :math:`0 \log(1 + y) = 0`."""

    nargs = 2

    def _eval_rewrite_as_log(self, x: Expr, y: Expr, **kwargs: Any) -> Expr:
        return x * log(1 + y)


class RelEntr(Function):
    r"""The KL term :math:`x \log(x / y)`; the third argument is :math:`x - y` written so that it
    does not cancel (the primitive uses :math:`x \operatorname{log1p}((x - y)/y)` near
    :math:`x = y`). :math:`0 \log(0/y) = 0`, :math:`+\infty` where :math:`y = 0 < x`."""

    nargs = 3

    def _eval_rewrite_as_log(self, x: Expr, y: Expr, difference: Expr, **kwargs: Any) -> Expr:
        return x * log(x / y)


class RelEntrSum(Function):
    r""":math:`\sum_i x_i \log(x_i / y_i)` along one index, the KL divergence; arguments
    ``(x, y, x - y, (i, 1, n))`` with the summand's entries as functions of ``i`` and the
    difference written without cancellation (as for :class:`RelEntr`).

    One node for the whole sum, not a rule splitting it into
    :math:`\sum_i \psi(x_i, y_i) + \sum_i x_i - \sum_i y_i`,
    :math:`\psi(x, y) = x \log(x/y) - x + y \ge 0`, because which of the two forms is accurate
    depends on the whole row: where :math:`\sum x = \sum y` exactly (normalised float inputs)
    the split form is a sum of non-negative terms and has full relative precision, while the
    terms :math:`x_i \log(x_i/y_i)` can cancel to :math:`10^{-19}`; elsewhere the :math:`\psi`
    can be far larger than the result (:math:`x = 10^{-300}` against :math:`y = \tfrac12` gives
    :math:`\psi \approx \tfrac12` for a term of :math:`7 \cdot 10^{-298}`), and three separate
    sums would cancel where the terms do not. The primitive
    (:func:`~symbinfo.kernels.primitives.rel_entr_sum`) decides per row, from an exact test of
    :math:`\sum x - \sum y = 0`."""

    nargs = 4

    @property
    def limits(self) -> Tuple:
        return self.args[-1]  # type: ignore[no-any-return]

    def _eval_rewrite_as_log(self, x: Expr, y: Expr, difference: Expr, limits: Tuple,
                             **kwargs: Any) -> Expr:
        return Sum(x * log(x / y), tuple(limits))


class ExpXLogYSum(Function):
    r""":math:`\exp(\sigma \sum_j \operatorname{xlogy}(x_j, y_j))`, :math:`\sigma = \pm 1`,
    with the sum carried in double-double (the exponential turns the sum's absolute error into
    a relative one: the perplexity :math:`e^{H}` would lose :math:`H` ULPs). Arguments
    ``(x, y, sign, (j, 1, n))``."""

    nargs = 4

    @property
    def limits(self) -> Tuple:
        return self.args[-1]  # type: ignore[no-any-return]

    def _eval_rewrite_as_log(self, x: Expr, y: Expr, sign: Expr, limits: Tuple,
                             **kwargs: Any) -> Expr:
        return exp(sign * Sum(x * log(y), tuple(limits)))


class _SoftmaxNode(Function):
    """Base of the nodes over one class axis: ``(a, b, (j, 1, K))`` with ``b`` the summand's
    exponent as a function of the summation index ``j``."""

    @property
    def limits(self) -> Tuple:
        """The summation limits ``(j, 1, K)`` of the normaliser."""
        return self.args[-1]  # type: ignore[no-any-return]

    def _normaliser(self) -> Expr:
        return Sum(exp(self.args[-2]), tuple(self.limits))


class LogSumExp(_SoftmaxNode):
    r""":math:`\log \sum_j e^{b_j}`, evaluated as :math:`m + \operatorname{log1p}(\sum_{j \ne
    j^*} e^{b_j - m})` with :math:`m = \max_j b_j`."""

    nargs = 2

    def _eval_rewrite_as_log(self, b: Expr, limits: Tuple, **kwargs: Any) -> Expr:
        return log(self._normaliser())


class LogSoftmax(_SoftmaxNode):
    r""":math:`\log \frac{e^{a}}{\sum_j e^{b_j}}`, evaluated as
    :math:`(a - m) - \operatorname{log1p}(\sum_{j \ne j^*} e^{b_j - m})`."""

    nargs = 3

    def _eval_rewrite_as_log(self, a: Expr, b: Expr, limits: Tuple, **kwargs: Any) -> Expr:
        return log(exp(a) / self._normaliser())


class Softmax(_SoftmaxNode):
    r""":math:`\frac{e^{a}}{\sum_j e^{b_j}}`, evaluated with the max shift."""

    nargs = 3

    def _eval_rewrite_as_log(self, a: Expr, b: Expr, limits: Tuple, **kwargs: Any) -> Expr:
        return exp(a) / self._normaliser()


class SoftmaxMinusOneHot(_SoftmaxNode):
    r""":math:`\mathrm{softmax}(z)_k - [k = c]` for the class index :math:`k` and the label
    :math:`c`; arguments ``(z[k], c, (k, 1, K))``. At :math:`k = c` it is evaluated as
    :math:`-\sum_{j \ne c} \mathrm{softmax}(z)_j`, which does not cancel."""

    nargs = 3

    def _eval_rewrite_as_log(self, zk: Expr, label: Expr, limits: Tuple, **kwargs: Any) -> Expr:
        k = limits[0]
        zj = zk.subs(k, JOINT_INDEX)
        return (exp(zk) / Sum(exp(zj), (JOINT_INDEX, *limits[1:]))
                - sympy.KroneckerDelta(k, label))


JOINT_INDEX = sympy.Symbol("j", integer=True, positive=True)
"""The summation index of a normaliser restored by :meth:`SoftmaxMinusOneHot.rewrite`."""

REDUCING_NODES = (_SoftmaxNode, ExpXLogYSum, RelEntrSum)
"""The node classes that sum over an axis (their arguments include summation limits)."""

def reductions(expr: Expr) -> list[Expr]:
    """The outermost sums and reducing nodes inside ``expr``, in a fixed order."""
    found: list[Expr] = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (Sum, *REDUCING_NODES)) and node is not expr \
                and not any(node.has(f) or f.has(node) for f in found):
            found.append(node)
    return sorted(found, key=sympy.default_sort_key)


def elementwise_arrays(summand: Expr, indices: tuple[sympy.Symbol, ...]) \
        -> list[sympy.IndexedBase]:
    """The arrays of a summand that is elementwise in the summation indices, in axis order
    (every entry is indexed by exactly ``indices``, and nothing in it reduces), in a fixed
    order; an empty list for any other summand. Such a sum is printed as
    :func:`~symbinfo.kernels.primitives.sum_terms` of a function of those arrays, which
    computes the terms chunk by chunk.

    >>> from sympy import IndexedBase, Symbol, log
    >>> i = Symbol("i", integer=True)
    >>> p, q = IndexedBase("p"), IndexedBase("q")
    >>> elementwise_arrays(p[i] * log(q[i]), (i,))
    [p, q]
    """
    entries = summand.atoms(sympy.Indexed)
    if not entries or any(e.indices != indices for e in entries) or reductions(summand):
        return []
    return sorted({e.base for e in entries}, key=sympy.default_sort_key)


NODES = (XLogY, XLog1pY, RelEntr, RelEntrSum, LogSumExp, LogSoftmax, Softmax,
         SoftmaxMinusOneHot, ExpXLogYSum)
"""The node classes the printer knows (with :class:`Softplus` and :class:`Sigmoid`)."""


# --------------------------------------------------------------------------------------------
# Matching helpers
# --------------------------------------------------------------------------------------------

def _single_log_factor(e: Expr) -> tuple[Expr, Expr] | None:
    """For a product ``c * x * log(y)`` with exactly one ``log`` factor: ``(c * x, y)``."""
    if not e.is_Mul:
        return None
    logs = [f for f in e.args if isinstance(f, log)]
    if len(logs) != 1:
        return None
    rest = Mul(*[f for f in e.args if f is not logs[0]])
    return rest, logs[0].args[0]


def _split_coefficient(e: Expr) -> tuple[Expr, Expr]:
    """``(numeric coefficient, the rest)`` of a product."""
    coefficient, rest = e.as_coeff_Mul()
    return coefficient, rest


def _exp_over_sum(e: Expr) -> tuple[Expr, Sum] | None:
    """For :math:`e^{a} / \\sum_j e^{b_j}`: ``(a, the Sum)``."""
    if not isinstance(e, Expr) or not e.is_Mul:
        return None
    numerator, denominator = sympy.fraction(e)
    if isinstance(numerator, exp) and _is_sum_of_exp(denominator):
        return numerator.args[0], denominator  # type: ignore[return-value]
    return None


def _softmax_arguments(e: Expr) -> tuple[Expr, Expr, Tuple]:
    """``(a, b, (j, 1, K))`` of :math:`e^{a} / \\sum_j e^{b_j}`."""
    a, normaliser = _exp_over_sum(e)  # type: ignore[misc]
    return a, normaliser.function.args[0], Tuple(*normaliser.limits[0])


def _is_sum_of_exp(e: Expr) -> bool:
    return isinstance(e, Sum) and len(e.limits) == 1 and isinstance(e.function, exp)


def _is_one_minus_sigmoid(e: Expr) -> bool:
    return e.is_Add and len(e.args) == 2 and sympy.S.One in e.args and any(
        isinstance(t, Mul) and t.args[0] == -1 and isinstance(t.args[1], Sigmoid)
        and len(t.args) == 2 for t in e.args)


def _sigmoid_argument(e: Expr) -> Expr:
    """The ``x`` of ``1 - sigmoid(x)``."""
    (term,) = [t for t in e.args if t != sympy.S.One]
    return term.args[1].args[0]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------

logsumexp_opt = ReplaceOptim(
    lambda e: isinstance(e, log) and _is_sum_of_exp(e.args[0]),
    lambda e: LogSumExp(e.args[0].function.args[0], Tuple(*e.args[0].limits[0])))
r""":math:`\log \sum_j e^{b_j} \to \operatorname{LogSumExp}`: the max shift keeps
:math:`e^{b_j}` from overflowing above 709."""

log_softmax_opt = ReplaceOptim(
    lambda e: isinstance(e, log) and _exp_over_sum(e.args[0]) is not None,
    lambda e: LogSoftmax(*_softmax_arguments(e.args[0])))
r""":math:`\log \frac{e^{a}}{\sum_j e^{b_j}} \to \operatorname{LogSoftmax}`: accurate at a
dominant maximum, where :math:`a - \operatorname{LSE}(b)` rounds to 0."""

softmax_opt = ReplaceOptim(
    lambda e: _exp_over_sum(e) is not None,
    lambda e: Softmax(*_softmax_arguments(e)))
r""":math:`\frac{e^{a}}{\sum_j e^{b_j}} \to \operatorname{Softmax}`, with the max shift."""


def _softmax_onehot_match(e: Expr) -> tuple[Softmax, Expr, Expr] | None:
    """``softmax(z)_k - KroneckerDelta(k, c)``: ``(the Softmax node, k, c)``."""
    if not isinstance(e, Add) or len(e.args) != 2:
        return None
    softmaxes = [t for t in e.args if isinstance(t, Softmax)]
    deltas = [-t for t in e.args if isinstance(-t, sympy.KroneckerDelta)]
    if len(softmaxes) != 1 or len(deltas) != 1:
        return None
    (node,), (delta,) = softmaxes, deltas
    j = node.limits[0]
    for k, label in (delta.args, delta.args[::-1]):
        if node.args[0] == node.args[1].subs(j, k):
            return node, k, label
    return None


def _softmax_minus_onehot(e: Expr) -> Expr:
    node, k, label = _softmax_onehot_match(e)  # type: ignore[misc]
    return SoftmaxMinusOneHot(node.args[0], label, Tuple(k, *node.limits[1:]))


softmax_onehot_opt = ReplaceOptim(lambda e: _softmax_onehot_match(e) is not None,
                                  _softmax_minus_onehot)
r""":math:`\mathrm{softmax}(z)_k - [k = c]`: the entry at the label is
:math:`-\sum_{j \ne c}\mathrm{softmax}(z)_j` instead of the cancelling
:math:`\mathrm{softmax}(z)_c - 1`."""

log_sigmoid_opt = ReplaceOptim(
    lambda e: isinstance(e, log) and (isinstance(e.args[0], Sigmoid)
                                      or _is_one_minus_sigmoid(e.args[0])),
    lambda e: -Softplus(-e.args[0].args[0]) if isinstance(e.args[0], Sigmoid)
    else -Softplus(_sigmoid_argument(e.args[0])))
r""":math:`\log \sigma(x) = -\operatorname{softplus}(-x)` and
:math:`\log(1 - \sigma(x)) = -\operatorname{softplus}(x)`, softplus through
:math:`\max(x, 0) + \operatorname{log1p}(e^{-|x|})`: no overflow, and no
:math:`\log(1 - \sigma)` that rounds to :math:`\log 0`."""

one_minus_sigmoid_opt = ReplaceOptim(_is_one_minus_sigmoid,
                                     lambda e: Sigmoid(-_sigmoid_argument(e)))
r""":math:`1 - \sigma(x) = \sigma(-x)`, which keeps its relative precision for large :math:`x`."""

softplus_opt = ReplaceOptim(
    lambda e: isinstance(e, log) and e.args[0].is_Add and len(e.args[0].args) == 2
    and sympy.S.One in e.args[0].args and any(isinstance(t, exp) for t in e.args[0].args),
    lambda e: Softplus([t for t in e.args[0].args if isinstance(t, exp)][0].args[0]))
r""":math:`\log(1 + e^{x}) \to \operatorname{softplus}(x)`."""


def _rel_entr(e: Expr) -> Expr | None:
    """``c * x * log(x / y)`` as ``c * RelEntr(x, y, x - y)`` with ``x - y`` simplified."""
    match = _single_log_factor(e)
    if match is None:
        return None
    rest, argument = match
    coefficient, x = _split_coefficient(rest)
    numerator, y = sympy.fraction(sympy.together(argument))
    if x.is_number or y == 1:
        return None
    scale = sympy.simplify(numerator / x)
    if not scale.is_number or scale.is_zero:
        return None
    # argument = scale * x / y = x / (y / scale)
    y = y / scale
    difference = sympy.factor(sympy.cancel(x - y))
    return coefficient * RelEntr(x, y, difference)


rel_entr_opt = ReplaceOptim(lambda e: _rel_entr(e) is not None, _rel_entr)
r""":math:`x \log(x/y) \to \operatorname{rel\_entr}(x, y)` with :math:`x - y` simplified
symbolically (for the JS mixture :math:`x - \frac{x + y}{2} = \frac{x - y}{2}`), so that the
term is computed as :math:`x \operatorname{log1p}((x - y)/y)` without cancelling near
:math:`x = y`; :math:`0 \log(0/y) = 0` and :math:`+\infty` where :math:`y = 0 < x`."""


def _is_elementwise_rel_entr_sum(e: Expr) -> bool:
    """A ``Sum`` over one index of a single :class:`RelEntr` whose entries are all indexed by
    exactly that index (and that contains no other sum)."""
    if not isinstance(e, Sum) or len(e.limits) != 1 or not isinstance(e.function, RelEntr):
        return False
    return bool(elementwise_arrays(e.function, (e.limits[0][0],)))


rel_entr_sum_opt = ReplaceOptim(
    _is_elementwise_rel_entr_sum,
    lambda e: RelEntrSum(*e.function.args, Tuple(*e.limits[0])))
r""":math:`\sum_i \operatorname{rel\_entr}(x_i, y_i) \to \operatorname{RelEntrSum}` (applied
after :data:`rel_entr_opt`): the KL divergence as :math:`\sum_i \psi(x_i, y_i)`,
:math:`\psi(x, y) = x \log(x/y) - x + y \ge 0`, wherever :math:`\sum x = \sum y` exactly, a sum
of non-negative terms with full relative precision (the terms :math:`x \log(x/y)` of two
distributions that agree to :math:`10^{-9}` cancel to :math:`10^{-19}`); the sum of the
:math:`\operatorname{rel\_entr}` terms elsewhere (see :class:`RelEntrSum`)."""


def _xlogy(e: Expr) -> Expr | None:
    match = _single_log_factor(e)
    if match is None:
        return None
    rest, argument = match
    coefficient, x = _split_coefficient(rest)
    if x.is_number:
        return None
    return coefficient * XLogY(x, argument)


xlogy_opt = ReplaceOptim(lambda e: _xlogy(e) is not None, _xlogy)
r""":math:`c\, x \log y \to c \operatorname{xlogy}(x, y)`, with :math:`0 \log y = 0`
(:math:`0 \log 0 = 0`; the literal product is NaN)."""

xlog1py_opt = ReplaceOptim(
    lambda e: isinstance(e, XLogY) and e.args[1].is_Add and sympy.S.One in e.args[1].args,
    lambda e: XLog1pY(e.args[0], e.args[1] - 1))
r""":math:`\operatorname{xlogy}(x, 1 + y) \to x \operatorname{log1p}(y)`: for tiny :math:`y`,
:math:`1 + y` rounds to 1 (binary entropy at :math:`p = 10^{-17}` is 2.5 % low without it)."""



def _exp_xlogy_sum(e: Expr) -> Expr | None:
    """``exp(±Sum(XLogY(x, y), (j, 1, n)))`` as an :class:`ExpXLogYSum`, or None."""
    if not isinstance(e, exp):
        return None
    sign, total = e.args[0].as_coeff_Mul()
    if sign not in (1, -1) or not isinstance(total, Sum) or len(total.limits) != 1 \
            or not isinstance(total.function, XLogY):
        return None
    return ExpXLogYSum(*total.function.args, sign, Tuple(*total.limits[0]))


exp_xlogy_sum_opt = ReplaceOptim(lambda e: _exp_xlogy_sum(e) is not None, _exp_xlogy_sum)
r""":math:`\exp(\pm\sum_j x_j \log y_j)` with the sum in double-double, so that the
perplexity :math:`e^{H(P,Q)}` keeps full relative precision (applied after :data:`xlogy_opt`)."""

STABLE_REWRITES: tuple[Optimization, ...] = (
    logsumexp_opt, log_softmax_opt, softmax_opt, softmax_onehot_opt, log_sigmoid_opt,
    one_minus_sigmoid_opt, softplus_opt, rel_entr_opt, rel_entr_sum_opt, xlogy_opt,
    xlog1py_opt, exp_xlogy_sum_opt)
"""The default rules, in the order :func:`optimize` applies them."""


def optimize(expr: Expr, rules: Iterable[Optimization] = STABLE_REWRITES) -> Expr:
    r"""Apply ``rules`` in order, each once over the whole expression
    (:func:`sympy.codegen.rewriting.optimize` applies them by priority and cost instead; here
    the order is part of each rule's contract, e.g. log-softmax before xlogy).

    >>> from sympy import Symbol, log
    >>> x, y = Symbol("x", positive=True), Symbol("y", positive=True)
    >>> optimize(x*log(x/(x/2 + y/2)))
    RelEntr(x, x/2 + y/2, (x - y)/2)
    """
    for rule in rules:
        expr = rule(expr)
    return expr


def expand_nodes(expr: Expr) -> Expr:
    """Rewrite every node back to its definition (the inverse of :func:`optimize`).

    >>> from sympy import Symbol
    >>> x = Symbol("x")
    >>> expand_nodes(XLogY(x, x) + Softplus(x))
    x*log(x) + log(exp(x) + 1)
    """
    for node in (*NODES, Softplus):
        expr = expr.replace(lambda e, node=node: isinstance(e, node),
                            lambda e: e.rewrite(log))
    return expr
