r"""Accuracy of the kernels against mpmath evaluating the *original* definitions.

For every kernel of :mod:`symbinfo.kernels`, on a suite of inputs (``"typical"`` or
``"adversarial"``) and for float64 and float32, :func:`check_kernels` evaluates the
un-rewritten definition from :mod:`symbinfo.definitions` (the same SymPy expression the kernel
was built from, before the stable-rewrite pass) with mpmath at :data:`DIGITS` digits on the
exact values of the (dtype-rounded) inputs, and reports

* the error of each output in ULPs of the output dtype,
  :math:`|\hat y - y| / \operatorname{ulp}(\mathrm{fl}(y))`: max and median;
* for kernels that are differences of nearly equal quantities, the error relative to the
  bound :math:`(2 + 2 \log_2 n)\, \varepsilon \sum_i |t_i|`, :math:`t_i` the exact terms of
  the definition (a ratio :math:`\le 1` meets it);
* every non-finite output where the truth is finite, and every output whose infinity or NaN
  differs from the truth's;
* for kernels whose terms can be written so that none cancels when the inputs are exactly
  normalised (the KL divergence: :math:`\sum_i p_i = \sum_i q_i` exactly in floating point),
  the max ULP error on those inputs, whose target is the 4 ULP of the other kernels.

The conventions of the definitions are those of :mod:`symbinfo.definitions.conventions`:
:math:`0 \cdot \log y = 0` for every :math:`y` (so :math:`p = q = 0` contributes 0), and
:math:`\log(p/0) = +\infty` for :math:`p > 0`.

>>> reports = check_kernels("typical", kernels=["binary_entropy"], dtypes=["float64"])
>>> reports[0].max_ulp <= 4 and reports[0].nonfinite == []
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy
from numpy.typing import NDArray
from sympy import Expr

from symbinfo import definitions as d
from symbinfo import kernels
from symbinfo.definitions.activations import Sigmoid, Softplus
from symbinfo.distributions import INDEX, bernoulli

DIGITS = 50
"""Starting precision of the reference values (decimal digits)."""
MAX_DIGITS = 20000
r"""Highest precision tried when a definition cancels beyond :data:`DIGITS` (such as
:math:`\log(1 - \sigma(10^4))`, which needs over 4343 digits)."""
AGREEMENT = 30
"""Two evaluations at doubled precision must agree to this many digits."""
INFINITY_DIGITS = 2500
r"""An infinite value is confirmed only at this precision (a finite value that cancels at a
lower precision can look infinite there: :math:`\log(1 - \sigma(710))`)."""

SUITES = ("typical", "adversarial")
DTYPES = ("float64", "float32")
ULP_MEDIAN_TARGET = 1.0
ULP_MAX_TARGET = 4.0


# --------------------------------------------------------------------------------------------
# The reference: the original definition, evaluated with mpmath
# --------------------------------------------------------------------------------------------

Value = Any  # an mpmath mpf


class Reference:
    r"""Evaluate a definition with mpmath on exact inputs.

    ``bindings`` give each symbol a number and each ``IndexedBase`` an array (entries are
    1-based, as in the definitions); ``indices`` are further symbols (a class index) given
    per call in ``env``. Sums run over their bounds; sub-expressions that do not
    depend on a sum's index are evaluated once, and a sum whose term depends on its index only
    through entries :math:`x_i` is evaluated once per distinct row of entries, times its count
    (exact regrouping, so long vectors built from a pool of values stay cheap).

    >>> from sympy import Symbol, log
    >>> p = Symbol("p")
    >>> with mpmath.workdps(30):
    ...     print(Reference(-p*log(p), {p: 0.5}).value())
    0.346573590279972654708616060729
    """

    def __init__(self, definition: Expr, bindings: dict[Any, Any],
                 indices: tuple[sympy.Symbol, ...] = ()) -> None:
        self.definition = definition
        self.arrays = {base: np.asarray(v) for base, v in bindings.items()
                       if isinstance(base, sympy.IndexedBase)}
        self.numbers = {s: _exact(v) for s, v in bindings.items()
                        if not isinstance(s, sympy.IndexedBase)}
        self._memo: dict[tuple[Any, ...], Value] = {}
        self._free: dict[int, tuple[Expr, tuple[sympy.Symbol, ...]]] = {}
        """By ``id``: sympy's ``==`` is too slow for a lookup per term (the expression is kept
        in the value, so its ``id`` stays valid)."""
        self._indices = _bound_indices(definition) | set(indices)
        self._row_cache: dict[tuple[Any, ...], tuple[sympy.Sum, Expr, list[Any]]] = {}

    def value(self, expr: Expr | None = None, env: dict[sympy.Symbol, int] | None = None) \
            -> Value:
        """The value of ``expr`` (default: the definition) with summation indices ``env``."""
        expr = self.definition if expr is None else expr
        env = env or {}
        key = (mpmath.mp.prec, id(expr), *[env.get(s) for s in self._free_indices(expr)])
        if key not in self._memo:
            self._memo[key] = self._evaluate(expr, env)
        return self._memo[key]

    def magnitude(self) -> tuple[Value, int]:
        r""":math:`\sum_i |t_i|` and the number of terms :math:`t_i` of the definition: the
        summands of its outer sums and additions."""
        return self._magnitude(self.definition, {})

    # internals -----------------------------------------------------------------------------
    def _free_indices(self, expr: Expr) -> tuple[sympy.Symbol, ...]:
        if id(expr) not in self._free:
            free = expr.free_symbols & self._indices
            self._free[id(expr)] = (expr, tuple(sorted(free, key=str)))
        return self._free[id(expr)][1]

    def _evaluate(self, e: Expr, env: dict[sympy.Symbol, int]) -> Value:
        if e.is_Number or e is sympy.E or e is sympy.pi:
            return _exact(e)
        if isinstance(e, sympy.Symbol):
            return env[e] if e in env else self.numbers[e]
        if isinstance(e, sympy.Indexed):
            position = tuple(int(self.value(i, env)) - 1 for i in e.indices)
            return _exact(self.arrays[e.base][position])
        if isinstance(e, sympy.Sum):
            return self._sum(e, env)
        if e.is_Mul and any(_is_reciprocal(a) for a in e.args):
            return self._quotient(e, env)
        args = [self.value(a, env) for a in e.args]
        if e.is_Add:
            return mpmath.fsum(args)
        if e.is_Mul:
            if any(a == 0 for a in args):  # 0 * log y = 0, the definitions' convention
                return mpmath.mpf(0)
            return mpmath.fprod(args)
        if e.is_Pow:
            base, exponent = args
            if base == 0 and exponent < 0:
                return mpmath.inf  # x / 0 for x > 0, as in log(p / 0) = +inf
            return mpmath.power(base, exponent)
        if isinstance(e, sympy.KroneckerDelta):
            return mpmath.mpf(int(args[0] == args[1]))
        functions: dict[type, Callable[..., Value]] = {
            sympy.log: mpmath.log, sympy.exp: mpmath.exp,
            Sigmoid: lambda x: 1 / (1 + mpmath.exp(-x)),
            Softplus: lambda x: mpmath.log(1 + mpmath.exp(x))}
        for kind, function in functions.items():
            if isinstance(e, kind):
                return function(*args)
        raise NotImplementedError(f"no mpmath evaluation of {type(e).__name__}: {e}")

    def _quotient(self, e: Expr, env: dict[sympy.Symbol, int]) -> Value:
        """A product with factors :math:`1/y` as one division (correctly rounded, so that
        :math:`x/y` is exactly 1 where :math:`x = y` and :math:`\\log(x/y)` exactly 0), with
        the conventions of the other branches: a zero factor gives 0, a zero divisor
        :math:`+\\infty` (times the sign of the rest)."""
        numerator = [self.value(a, env) for a in e.args if not _is_reciprocal(a)]
        if any(a == 0 for a in numerator):
            return mpmath.mpf(0)
        denominator = [self.value(a.base, env) for a in e.args if _is_reciprocal(a)]
        if any(a == 0 for a in denominator):
            return mpmath.fprod([*numerator, *[mpmath.sign(a) or 1 for a in denominator]]) \
                * mpmath.inf
        return mpmath.fprod(numerator) / mpmath.fprod(denominator)

    def _sum(self, e: sympy.Sum, env: dict[sympy.Symbol, int]) -> Value:
        term, rows = self._rows(e, env)
        return mpmath.fsum(count * self.value(term, row) for row, count in rows)

    def _rows(self, e: sympy.Sum, env: dict[sympy.Symbol, int]) \
            -> tuple[Expr, list[tuple[dict[sympy.Symbol, int], int]]]:
        """The term of the outer sum and ``(env, count)`` for each distinct term (cached: the
        rows do not depend on the precision)."""
        key = (id(e), *sorted(env.items(), key=lambda item: str(item[0])))
        if key not in self._row_cache or self._row_cache[key][0] is not e:
            self._row_cache[key] = (e, *self._distinct_rows(e, env))
        _, term, rows = self._row_cache[key]
        return term, rows

    def _distinct_rows(self, e: sympy.Sum, env: dict[sympy.Symbol, int]) \
            -> tuple[Expr, list[tuple[dict[sympy.Symbol, int], int]]]:
        (index, low, high), *rest = e.limits
        term = sympy.Sum(e.function, *rest) if rest else e.function
        lo, hi = int(self.value(low, env)), int(self.value(high, env))
        vectors = self._entries_of(term, index)
        if vectors is None:
            return term, [({**env, index: k}, 1) for k in range(lo, hi + 1)]
        table = np.stack([self.arrays[base][lo - 1:hi] for base in vectors], axis=-1)
        _, first, counts = np.unique(table, axis=0, return_index=True, return_counts=True)
        return term, [({**env, index: lo + int(k)}, int(n)) for k, n in zip(first, counts)]

    def _entries_of(self, term: Expr, index: sympy.Symbol) -> list[sympy.IndexedBase] | None:
        """The vectors whose entries at ``index`` are all the term depends on ``index`` by, or
        None (nested sums, tables, the index itself)."""
        entries = [e for e in term.atoms(sympy.Indexed) if index in e.free_symbols]
        if term.has(sympy.Sum) or any(e.indices != (index,) for e in entries):
            return None
        outside = term.subs({e: sympy.Dummy() for e in entries})
        if index in outside.free_symbols:
            return None
        return sorted({e.base for e in entries}, key=str)

    def _magnitude(self, e: Expr, env: dict[sympy.Symbol, int]) -> tuple[Value, int]:
        if e.is_Add:
            parts = [self._magnitude(a, env) for a in e.args]
            return mpmath.fsum(p for p, _ in parts), sum(n for _, n in parts)
        coefficient, rest = e.as_coeff_Mul()
        if coefficient != 1 and rest is not e:
            size, count = self._magnitude(rest, env)
            return abs(_exact(coefficient)) * size, count
        if isinstance(e, sympy.Sum):
            term, rows = self._rows(e, env)
            parts = [(self._magnitude(term, row), count) for row, count in rows]
            return (mpmath.fsum(count * size for (size, _), count in parts),
                    sum(count * n for (_, n), count in parts))
        return abs(self.value(e, env)), 1


def converged(evaluate: Callable[[], Value], digits: int = DIGITS) -> tuple[Value, int]:
    r"""Evaluate at ``digits``, then at doubled precision until two successive values agree
    to :data:`AGREEMENT` digits (or are the same infinity); return the value and the digits.

    A definition evaluated literally may cancel far beyond 50 digits:
    :math:`1 - \sigma(710)` is :math:`e^{-710} \approx 10^{-308}`.

    >>> from sympy import Symbol, log, exp
    >>> s = Symbol("s")
    >>> value, digits = converged(Reference(log(1 - 1/(1 + exp(-s))), {s: 710.0}).value)
    >>> mpmath.nstr(value, 10), digits
    ('-710.0', 800)
    >>> converged(Reference(log(s), {s: 0.0}).value)
    (mpf('-inf'), 3200)
    >>> converged(Reference(log(1 - s), {s: 1e-300}).value)[0]  # fooled: both miss -1e-300
    mpf('0.0')

    which is why :func:`check_kernel` starts at :func:`starting_digits` of the inputs.
    """
    with mpmath.workdps(digits):
        previous = evaluate()
    while digits < MAX_DIGITS:
        digits *= 2
        with mpmath.workdps(digits):
            current = evaluate()
            if _agree(previous, current) and (mpmath.isfinite(current)
                                              or digits >= INFINITY_DIGITS):
                return current, digits
        previous = current
    raise ArithmeticError(f"the reference did not converge at {MAX_DIGITS} digits")


def starting_digits(arrays: Iterable[Any]) -> int:
    r""":data:`DIGITS` plus the digits that the inputs can cancel in the literal definition:
    :math:`1 - p` keeps :math:`p` only with :math:`\log_{10}(1/p)` more digits, and
    :math:`1 + e^{-x}` keeps :math:`e^{-x}` only with :math:`x / \ln 10` more.

    >>> starting_digits([np.array([0.5, 1e-300]), np.array([-1000.0])])
    485
    """
    extra = 0.0
    for values in arrays:
        magnitudes = np.abs(np.asarray(values, dtype=np.float64).ravel())
        magnitudes = magnitudes[np.isfinite(magnitudes) & (magnitudes > 0)]
        if magnitudes.size:
            extra = max(extra, -math.log10(magnitudes.min()), magnitudes.max() / math.log(10))
    return min(DIGITS + math.ceil(extra), MAX_DIGITS // 2)


def _agree(a: Value, b: Value) -> bool:
    if mpmath.isnan(a) or mpmath.isnan(b):
        return bool(mpmath.isnan(a) and mpmath.isnan(b))
    if mpmath.isinf(a) or mpmath.isinf(b):
        return bool(a == b)
    return bool(abs(a - b) <= abs(b) * mpmath.mpf(10) ** -AGREEMENT)


def _is_reciprocal(e: Expr) -> bool:
    return bool(e.is_Pow and e.exp == -1)


def _bound_indices(expr: Expr) -> set[sympy.Symbol]:
    return {limit[0] for s in expr.atoms(sympy.Sum) for limit in s.limits} \
        | ({limit[0] for limit in expr.limits} if isinstance(expr, sympy.Sum) else set())


def _exact(value: Any) -> Value:
    """An exact mpmath number: floats keep their binary value, rationals are rounded at the
    working precision."""
    if isinstance(value, (np.floating, float)):
        return mpmath.mpf(float(value))
    if isinstance(value, (np.integer, int)):
        return mpmath.mpf(int(value))
    if value is sympy.E:
        return mpmath.e
    if value is sympy.pi:
        return mpmath.pi
    return mpmath.mpf(sympy.Rational(value).p) / sympy.Rational(value).q \
        if isinstance(value, sympy.Rational) else mpmath.mpf(str(sympy.Float(value, DIGITS)))


# --------------------------------------------------------------------------------------------
# Errors in ULPs
# --------------------------------------------------------------------------------------------

def ulp_error(got: float, truth: Value, dtype: np.dtype[Any]) -> float:
    r""":math:`|\hat y - y| / \operatorname{ulp}(\mathrm{fl}(y))` in ``dtype``; 0 when both are
    the same infinity, ``inf`` for any other mismatch of non-finite values.

    >>> ulp_error(1.0 + 2.0 ** -52, mpmath.mpf(1), np.dtype(np.float64))
    1.0
    """
    with np.errstate(over="ignore"):
        rounded = dtype.type(float(truth)) if mpmath.isfinite(truth) else None
    if rounded is not None and not math.isfinite(rounded):  # the truth rounds to infinity
        return 0.0 if got == rounded else math.inf
    if not mpmath.isfinite(truth) or not math.isfinite(got):
        same = (mpmath.isinf(truth) and math.isinf(got) and (truth > 0) == (got > 0)) or \
            (mpmath.isnan(truth) and math.isnan(got))
        return 0.0 if same else math.inf
    spacing = np.spacing(np.abs(rounded))
    return float(abs(mpmath.mpf(float(got)) - truth) / mpmath.mpf(float(spacing)))


# --------------------------------------------------------------------------------------------
# Kernel specifications: the call and the definition
# --------------------------------------------------------------------------------------------

Case = tuple[str, dict[str, Any]]
"""A labelled input: ``(description, keyword arrays)``."""


@dataclass(frozen=True)
class KernelSpec:
    """How to call one kernel and how to evaluate its original definition."""

    name: str
    call: Callable[..., NDArray[Any]]
    definition: Expr
    bindings: Callable[[dict[str, Any], int | None], dict[Any, Any]]
    """Bindings of the definition's symbols for one case (and class ``k`` where the output
    has one value per class)."""
    shape: str
    """``"scalar"``, ``"per_class"`` (a vector per sample) or ``"elementwise"``."""
    difference: bool = False
    exact_when_normalised: bool = False
    """A difference whose terms do not cancel where ``p`` and ``q`` are exactly normalised
    (:func:`exactly_normalised`): the ULP target holds on those inputs."""


_P_ENTRIES = kernels.P.probability(INDEX).base
_Q_ENTRIES = kernels.Q.probability(INDEX).base
# Built once: evaluating the entries' Lambda per case costs more than a reference value.


def _probabilities(case: dict[str, Any], k: int | None) -> dict[Any, Any]:
    bindings: dict[Any, Any] = {_P_ENTRIES: case["p"], kernels.P.length: len(case["p"])}
    if "q" in case:
        bindings[_Q_ENTRIES] = case["q"]
    return bindings


def _logits(case: dict[str, Any], k: int | None) -> dict[Any, Any]:
    bindings: dict[Any, Any] = {kernels.Z.base: case["z"], kernels.Z.length: len(case["z"])}
    if k is not None:
        bindings[kernels.CLASS] = k + 1
    if "label" in case:
        bindings[kernels.LABEL] = int(case["label"]) + 1
    if "y" in case:
        bindings[kernels.Y.base] = case["y"]
        bindings[kernels.SMOOTHING] = case.get("label_smoothing", 0.0)
    return bindings


@dataclass(frozen=True)
class InputSymbols:
    """Bindings that are the inputs themselves (the elementwise kernels'): the input named
    ``name`` is the value of ``symbols[name]``. Callable as a :class:`KernelSpec`'s
    ``bindings``; the reference generator also reads whole columns of inputs through it."""

    symbols: tuple[tuple[str, sympy.Symbol], ...]

    def __call__(self, case: dict[str, Any], k: int | None = None) -> dict[Any, Any]:
        return {symbol: case[name] for name, symbol in self.symbols if name in case}


def _binary(names: dict[str, sympy.Symbol]) -> InputSymbols:
    return InputSymbols(tuple(names.items()))


def _specs() -> dict[str, KernelSpec]:
    P, Q, Z, Y = kernels.P, kernels.Q, kernels.Z, kernels.Y
    J = kernels.JOINT
    s, x, w, p = kernels.LOGIT, kernels.TARGET, kernels.POS_WEIGHT, kernels.PROBABILITY
    k, c, eps = kernels.CLASS, kernels.LABEL, kernels.SMOOTHING
    target = d.smooth_labels(Y, eps)(k)
    specs = [
        KernelSpec("entropy", lambda a: kernels.entropy(a["p"]), d.entropy(P),
                   _probabilities, "scalar"),
        KernelSpec("cross_entropy", lambda a: kernels.cross_entropy(a["p"], a["q"]),
                   d.cross_entropy(P, Q), _probabilities, "scalar"),
        KernelSpec("kl_divergence", lambda a: kernels.kl_divergence(a["p"], a["q"]),
                   d.kl_divergence(P, Q), _probabilities, "scalar", difference=True,
                   exact_when_normalised=True),
        KernelSpec("js_divergence", lambda a: kernels.js_divergence(a["p"], a["q"]),
                   d.js_divergence(P, Q), _probabilities, "scalar", difference=True),
        KernelSpec("perplexity", lambda a: kernels.perplexity(a["p"], a["q"]),
                   d.perplexity(P, Q), _probabilities, "scalar"),
        KernelSpec("mutual_information", lambda a: kernels.mutual_information(a["joint"]),
                   d.mutual_information(J),
                   lambda case, _: {kernels._JOINT_ENTRIES: case["joint"],
                                    J.shape[0]: case["joint"].shape[0],
                                    J.shape[1]: case["joint"].shape[1]},
                   "scalar", difference=True),
        KernelSpec("binary_entropy", lambda a: kernels.binary_entropy(a["p"]),
                   d.entropy(bernoulli(p)), _binary({"p": p}), "elementwise"),
        KernelSpec("logsumexp", lambda a: kernels.logsumexp(a["z"]), d.logsumexp(Z),
                   _logits, "scalar", difference=True),
        KernelSpec("log_softmax", lambda a: kernels.log_softmax(a["z"]),
                   d.log_softmax(Z, k), _logits, "per_class"),
        KernelSpec("softmax", lambda a: kernels.softmax(a["z"]), d.softmax(Z, k),
                   _logits, "per_class"),
        KernelSpec("softmax_cross_entropy[labels]",
                   lambda a: kernels.softmax_cross_entropy(a["z"], np.asarray(a["label"])),
                   d.softmax_cross_entropy(Z, c), _logits, "scalar"),
        KernelSpec("softmax_cross_entropy[soft]",
                   lambda a: kernels.softmax_cross_entropy(
                       a["z"], a["y"], label_smoothing=a.get("label_smoothing", 0.0)),
                   d.softmax_cross_entropy(Z, Y, label_smoothing=eps), _logits, "scalar"),
        KernelSpec("softmax_cross_entropy_grad[labels]",
                   lambda a: kernels.softmax_cross_entropy_grad(a["z"],
                                                                np.asarray(a["label"])),
                   d.softmax(Z, k) - sympy.KroneckerDelta(k, c), _logits, "per_class",
                   difference=True),
        KernelSpec("softmax_cross_entropy_grad[soft]",
                   lambda a: kernels.softmax_cross_entropy_grad(
                       a["z"], a["y"], label_smoothing=a.get("label_smoothing", 0.0)),
                   d.softmax(Z, k) - target, _logits, "per_class", difference=True),
        KernelSpec("binary_cross_entropy",
                   lambda a: kernels.binary_cross_entropy(a["p"], a["x"], reduction="none"),
                   d.binary_cross_entropy(p, x), _binary({"p": p, "x": x}), "elementwise"),
        KernelSpec("bce_with_logits",
                   lambda a: kernels.bce_with_logits(a["s"], a["x"], pos_weight=a["w"],
                                                     reduction="none"),
                   d.bce_with_logits(s, x, pos_weight=w), _binary({"s": s, "x": x, "w": w}),
                   "elementwise"),
        KernelSpec("bce_with_logits_grad",
                   lambda a: kernels.bce_with_logits_grad(a["s"], a["x"], pos_weight=a["w"]),
                   sympy.diff(d.bce_with_logits(s, x, pos_weight=w), s),
                   _binary({"s": s, "x": x, "w": w}), "elementwise", difference=True),
        KernelSpec("focal_loss",
                   lambda a: kernels.focal_loss(a["p"], a["x"], gamma=2.0, alpha=0.25,
                                                reduction="none"),
                   d.focal_loss(p, x, gamma=2, alpha=sympy.Rational(1, 4)),
                   _binary({"p": p, "x": x}), "elementwise"),
    ]
    return {spec.name: spec for spec in specs}


# --------------------------------------------------------------------------------------------
# Suites
# --------------------------------------------------------------------------------------------

POOL = 10 ** 5
"""Distinct entries of the longest vectors (see :func:`_long_vector`)."""
LONG = (10 ** 5, 10 ** 7)
"""The lengths of the long vectors of the adversarial suite."""

ADVERSARIAL_PROBABILITIES = (0.0, 5e-324, 1e-300, 1e-30, 1e-17, 1.0 - 2.0 ** -53, 1.0)
"""Probabilities at and near the edges of [0, 1]."""
ADVERSARIAL_LOGITS = tuple(sign * m for m in (1e-8, 1.0, 17.0, 37.0, 40.0, 100.0, 710.0,
                                              1000.0, 1e4) for sign in (1.0, -1.0))
"""Logit magnitudes from 1e-8 to 1e4, both signs."""


def _dirichlet(rng: np.random.Generator, size: int, concentration: float = 1.0) \
        -> NDArray[np.float64]:
    draw = rng.gamma(concentration, size=size)
    return draw / draw.sum()


def _distribution_cases(suite: str, rng: np.random.Generator, *, pair: bool,
                        long: Sequence[int]) -> list[Case]:
    def case(label: str, p: Sequence[float], q: Sequence[float] | None = None) -> Case:
        arrays = {"p": np.array(p, dtype=np.float64)}
        if pair:
            arrays["q"] = np.array(q if q is not None else p[::-1], dtype=np.float64)
        return label, arrays

    if suite == "typical":
        return [case(f"dirichlet n={n}", _dirichlet(rng, n), _dirichlet(rng, n))
                for n in (2, 3, 10, 100, 1000) for _ in range(4)]
    long = tuple(long)
    cases = [case(f"p = {v!r}", [v, 1.0 - v, 0.5], [0.25, 0.25, 0.5])
             for v in ADVERSARIAL_PROBABILITIES]
    cases += [case(f"q = {v!r}", [0.25, 0.25, 0.5], [v, 1.0 - v, 0.5])
              for v in ADVERSARIAL_PROBABILITIES if v > 0]
    cases += [case("p = q = 0 entry", [0.0, 0.5, 0.5], [0.0, 0.25, 0.75]),
              case("q = 5e-324 < p = 1", [1.0, 0.0], [5e-324, 1.0]),
              case("p ~ q to 1e-9", [0.5, 0.5], [0.5 * (1 + 1e-9), 0.5 * (1 - 1e-9)]),
              case("exactly normalised", [0.25, 0.75], [0.5, 0.5]),
              case("p = q", [0.125, 0.375, 0.5], [0.125, 0.375, 0.5])]
    near = _dirichlet(rng, 256)
    cases.append(case("p ~ q to 1e-9, n=256", near,
                      near * (1 + 1e-9 * rng.standard_normal(256))))
    if pair:
        cases.append(case("q = 0 < p (infinite)", [0.5, 0.5], [0.0, 1.0]))
        cases += [(f"exactly normalised: {kind} n={n}",
                   dict(zip("pq", exactly_normalised_pair(rng, n, kind))))
                  for kind, n in (("dyadic", 3), ("dyadic", 64), ("near", 2), ("near", 64),
                                  ("wide", 40), ("permuted", 40))]
    for n in long:
        cases.append(case(f"long n={n:.0e}", *_long_vector(rng, n)))
    return cases


NORMALISED_KINDS = ("dyadic", "near", "wide", "permuted")
"""The kinds of :func:`exactly_normalised_pair`."""


def _dyadic(rng: np.random.Generator, n: int) -> NDArray[np.int64]:
    """``n`` positive integers drawn around a Dirichlet(1/2) sample, summing to exactly
    :math:`2^{52}`."""
    total = 2 ** 52
    counts = np.floor(_dirichlet(rng, n, 0.5) * (total - n)).astype(np.int64) + 1
    counts[np.argmax(counts)] += total - int(counts.sum())
    return counts


def _chain(rng: np.random.Generator, smallest: float = 1e-300) -> list[float]:
    r"""Positive floats from ``smallest`` to about :math:`\tfrac12` that sum to exactly 1: each
    entry :math:`T - s` brings the sum :math:`s` so far up to a power of two :math:`T` at most
    :math:`2^{50}` times larger (so :math:`T - s` is exact), and the last entry is
    :math:`1 - T`."""
    entries = [smallest * (1 + rng.uniform())]
    total = entries[0]
    while total < 2.0 ** -60:
        target = 2.0 ** (math.frexp(total)[1] + int(rng.integers(30, 50)))
        target = min(target, 2.0 ** -8)
        entries.append(target - total)
        assert entries[-1] + total == target  # exact
        total = target
    entries.append(0.5)
    entries.append(0.5 - total)
    assert math.fsum(entries) == 1.0
    return entries


def exactly_normalised(p: NDArray[Any], q: NDArray[Any]) -> bool:
    """Whether ``p`` and ``q`` are finite, non-negative and have exactly the same sum (as the
    real numbers their floats stand for)."""
    values = [np.asarray(p, dtype=np.float64).ravel(), np.asarray(q, dtype=np.float64).ravel()]
    if not all(np.all(np.isfinite(v)) and np.all(v >= 0) for v in values):
        return False
    return math.fsum(np.concatenate([values[0], -values[1]]).tolist()) == 0.0


def exactly_normalised_pair(rng: np.random.Generator, n: int, kind: str = "dyadic") \
        -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Two probability vectors of length ``n`` whose float64 entries sum to exactly 1 each.

    ``kind``: ``"dyadic"``, independent multiples of :math:`2^{-52}`; ``"near"``, ``q`` a
    multiple of :math:`2^{-52}` within about :math:`10^{-9}` (relative) of ``p`` entry by entry;
    ``"wide"``, entries from :math:`10^{-300}` to :math:`\tfrac12` (:func:`_chain`, each entry
    split in two halves), ``q`` moving an exact amount of up to :math:`10^{-7}` of an entry
    between the two halves; ``"permuted"``, the wide entries and a permutation of them.
    ``n`` is a hint for ``"wide"`` and ``"permuted"`` (their length is set by the chain, at
    least 8)."""
    if kind in ("dyadic", "near"):
        n = max(n, 2)
        a = _dyadic(rng, n)
        if kind == "dyadic":
            b = _dyadic(rng, n)
        else:
            b = a + np.rint(a * 1e-9 * rng.standard_normal(n)).astype(np.int64)
            b = np.maximum(b, 1)
            b[np.argmax(b)] += 2 ** 52 - int(b.sum())
        p, q = np.ldexp(a.astype(np.float64), -52), np.ldexp(b.astype(np.float64), -52)
    elif kind in ("wide", "permuted"):
        halves = np.repeat(np.array(_chain(rng)) / 2, 2)
        p = halves.copy()
        if kind == "permuted":
            q = rng.permutation(p)
        else:
            q = p.copy()
            for i in range(0, len(p), 2):
                unit = np.spacing(p[i]) * 2.0 ** -1  # an exact step inside the binade below
                step = unit * float(rng.integers(0, 2 ** 24))
                if p[i] + step - p[i] == step and p[i] - (p[i] - step) == step \
                        and step < p[i] / 4:
                    q[i], q[i + 1] = p[i] + step, p[i] - step
    else:
        raise ValueError(f"kind={kind!r}; expected one of {', '.join(NORMALISED_KINDS)}")
    assert exactly_normalised(p, q) and math.fsum(p) == 1.0
    return p, q


def _long_vector(rng: np.random.Generator, n: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """Two long probability-like vectors (normalised in float64); beyond :data:`POOL` entries
    their values are drawn from a pool of :data:`POOL` pairs, so that the reference sums one
    term per distinct pair times its count."""
    if n <= POOL:
        return _dirichlet(rng, n, 0.5), _dirichlet(rng, n, 0.5)
    pool = rng.gamma(0.5, size=(POOL, 2))
    rows = pool[rng.integers(0, POOL, size=n)]
    rows /= rows.sum(axis=0)
    return rows[:, 0].copy(), rows[:, 1].copy()


def _logit_cases(suite: str, rng: np.random.Generator) -> list[dict[str, Any]]:
    if suite == "typical":
        return [{"z": rng.standard_normal(n) * scale}
                for n in (2, 5, 10, 100) for scale in (1.0, 5.0, 20.0)]
    cases = [{"z": np.array([m, 0.0, 0.0, 0.0, 0.0])} for m in ADVERSARIAL_LOGITS]
    cases += [{"z": np.array([m, m / 3, -m])} for m in ADVERSARIAL_LOGITS]
    cases += [{"z": np.array([1000.0, 299.7, -400.1, 999.9])},
              {"z": np.array([1.0, 1.0 + 2e-16, 1.0 - 2e-16, 1.0])},
              {"z": np.full(6, 3.0)}, {"z": np.full(4, -800.0)},
              {"z": rng.standard_normal(256) * 30}]
    return cases


def _logit_label_cases(suite: str, rng: np.random.Generator, *, soft: bool) -> list[Case]:
    cases = []
    for arrays in _logit_cases(suite, rng):
        z = arrays["z"]
        labels = {int(np.argmin(z)), int(np.argmax(z))}
        for label in sorted(labels):
            if soft:  # every case names label_smoothing: one set of columns in a CSV file
                y = np.full(len(z), 1e-12)
                y[label] = 1.0 - 1e-12 * (len(z) - 1)
                cases.append((f"z={_short(z)} soft y~e{label}",
                              {"z": z, "y": y, "label_smoothing": 0.0}))
                y = _dirichlet(rng, len(z))
                cases.append((f"z={_short(z)} smoothing 0.1",
                              {"z": z, "y": y, "label_smoothing": 0.1}))
            else:
                cases.append((f"z={_short(z)} label {label}", {"z": z, "label": label}))
    return cases


def _short(z: NDArray[Any]) -> str:
    return np.array2string(z[:4], precision=3, separator=",") + ("..." if len(z) > 4 else "")


def _binary_cases(suite: str, rng: np.random.Generator, names: Sequence[str]) -> list[Case]:
    if suite == "typical":
        n = 200
        columns = {"p": rng.uniform(0.001, 0.999, n), "x": rng.uniform(0, 1, n),
                   "s": rng.standard_normal(n) * 5, "w": rng.uniform(0.5, 3, n)}
    else:
        probabilities = np.array(ADVERSARIAL_PROBABILITIES[1:-1] + (0.5, 1e-8, 0.25))
        labels = np.array([0.0, 1e-20, 1e-8, 0.3, 0.5, 1 - 1e-8, 1.0])
        logits = np.array(ADVERSARIAL_LOGITS + (0.0, -33.0, 33.0, -33.5))
        grid = np.meshgrid(probabilities, labels, logits[:8], indexing="ij")
        columns = {"p": grid[0].ravel(), "x": grid[1].ravel(),
                   "s": np.resize(logits, grid[0].size),
                   "w": np.resize([1.0, 0.5, 3.0], grid[0].size)}
    return [(f"{suite} grid", {name: columns[name] for name in names})]


def cases(name: str, suite: str, *, seed: int = 0, long: Sequence[int] = LONG) -> list[Case]:
    """The inputs of ``suite`` for the kernel ``name`` (a key of :func:`kernel_specs`)."""
    if suite not in SUITES:
        raise ValueError(f"suite={suite!r}; expected one of {', '.join(SUITES)}")
    rng = np.random.default_rng(seed)
    if name == "entropy":
        return _distribution_cases(suite, rng, pair=False, long=long)
    if name in ("cross_entropy", "kl_divergence", "js_divergence", "perplexity"):
        return _distribution_cases(suite, rng, pair=True, long=long)
    if name == "mutual_information":
        tables = [_dirichlet(rng, 12).reshape(3, 4), _dirichlet(rng, 100).reshape(10, 10)]
        if suite == "adversarial":
            tables += [np.outer([0.5, 0.5], [0.25, 0.75]), np.array([[0.5, 0.0], [0.0, 0.5]]),
                       np.array([[1e-300, 0.5], [0.25, 0.25]])]
        return [(f"table {t.shape}", {"joint": t}) for t in tables]
    if name in ("logsumexp", "log_softmax", "softmax"):
        return [(f"z={_short(c['z'])}", c) for c in _logit_cases(suite, rng)]
    if name.startswith("softmax_cross_entropy"):
        return _logit_label_cases(suite, rng, soft=name.endswith("[soft]"))
    names = {"binary_entropy": ("p",), "binary_cross_entropy": ("p", "x"),
             "focal_loss": ("p", "x"), "bce_with_logits": ("s", "x", "w"),
             "bce_with_logits_grad": ("s", "x", "w")}[name]
    return _binary_cases(suite, rng, names)


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------

@dataclass
class KernelReport:
    """The errors of one kernel in one dtype over one suite."""

    kernel: str
    dtype: str
    suite: str
    outputs: int = 0
    max_ulp: float = 0.0
    median_ulp: float = 0.0
    difference: bool = False
    max_bound_ratio: float | None = None
    """For difference kernels: max of error / ((2 + 2 log2 n) eps sum|t_i|)."""
    normalised_max_ulp: float | None = None
    """For kernels exact when normalised: the max ULP error on the exactly normalised inputs
    of the suite (None if there are none)."""
    nonfinite: list[str] = field(default_factory=list)
    """Non-finite outputs where the truth is finite, or the wrong infinity."""
    worst: str = ""
    """The input of the largest ULP error."""

    @property
    def meets_targets(self) -> bool:
        """The issue's targets: no wrong non-finite value, and median <= 1 ULP and max <= 4
        ULP, or for differences the error bound (and max <= 4 ULP on exactly normalised inputs
        where :attr:`KernelSpec.exact_when_normalised`)."""
        if self.nonfinite:
            return False
        if self.normalised_max_ulp is not None and self.normalised_max_ulp > ULP_MAX_TARGET:
            return False
        if self.difference:
            return self.max_bound_ratio is not None and self.max_bound_ratio <= 1.0
        return self.median_ulp <= ULP_MEDIAN_TARGET and self.max_ulp <= ULP_MAX_TARGET

    def as_record(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"kernel": self.kernel, "dtype": self.dtype, "suite": self.suite,
                "outputs": self.outputs, "max_ulp": self.max_ulp,
                "median_ulp": self.median_ulp, "difference": self.difference,
                "max_bound_ratio": self.max_bound_ratio,
                "normalised_max_ulp": self.normalised_max_ulp, "nonfinite": self.nonfinite,
                "worst": self.worst, "meets_targets": self.meets_targets}


def kernel_specs() -> dict[str, KernelSpec]:
    """Every checked kernel, by name."""
    return _specs()


def _outputs(spec: KernelSpec, case: dict[str, Any], got: NDArray[Any]) \
        -> Iterable[tuple[str, float, Any, int]]:
    """``(where, got, reference, starting digits)`` for every output of one case."""
    if spec.shape == "elementwise":
        for n, value in enumerate(np.ravel(got)):
            row = {key: np.ravel(v)[n] for key, v in case.items()}
            yield (f" at {_describe(row)}", float(value),
                   Reference(spec.definition, spec.bindings(row, None)),
                   starting_digits(row.values()))
        return
    start = starting_digits(v for v in case.values() if isinstance(v, np.ndarray))
    if spec.shape == "scalar":
        yield "", float(got), Reference(spec.definition, spec.bindings(case, None)), start
        return
    reference = Reference(spec.definition, spec.bindings(case, None), (kernels.CLASS,))
    for k, value in enumerate(np.ravel(got)):
        yield f"[{k}]", float(value), _AtClass(reference, k + 1), start


@dataclass(frozen=True)
class _AtClass:
    """A per-class reference evaluated at one class (1-based), sharing the class-independent
    sub-expressions (the normaliser) between classes."""

    reference: Reference
    k: int

    def value(self) -> Value:
        return self.reference.value(None, {kernels.CLASS: self.k})

    def magnitude(self) -> tuple[Value, int]:
        return self.reference._magnitude(self.reference.definition, {kernels.CLASS: self.k})


def _describe(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={float(v)!r}" for k, v in row.items())


def check_kernel(spec: KernelSpec, suite: str, dtype: str, *, seed: int = 0,
                 long: Sequence[int] = LONG) -> KernelReport:
    """Compare ``spec``'s kernel with its definition on ``suite`` in ``dtype``."""
    np_dtype = np.dtype(dtype)
    report = KernelReport(spec.name, dtype, suite, difference=spec.difference)
    errors: list[float] = []
    ratios: list[float] = []
    normalised_errors: list[float] = []
    worst = -1.0
    eps = float(np.finfo(np_dtype).eps)
    tiny = float(np.finfo(np_dtype).smallest_subnormal)  # no bound below the format's grid
    for label, arrays in cases(spec.name, suite, seed=seed, long=long):
        cast = {k: v.astype(np_dtype) if isinstance(v, np.ndarray)
                and np.issubdtype(v.dtype, np.floating) else v for k, v in arrays.items()}
        with np.errstate(all="ignore"):
            got = spec.call(cast)
        if np.asarray(got).dtype != np_dtype:
            report.nonfinite.append(f"{label}: returned {np.asarray(got).dtype}, not {dtype}")
        normalised = spec.exact_when_normalised and exactly_normalised(cast["p"], cast["q"])
        for where, value, reference, start in _outputs(spec, cast, got):
            truth, digits = converged(reference.value, start)
            error = ulp_error(value, truth, np_dtype)
            if error == math.inf:
                with mpmath.workdps(20):
                    shown = mpmath.nstr(+truth, 17)  # rounded first: truth may hold 1e4 digits
                report.nonfinite.append(f"{label}{where}: got {value!r}, true {shown}")
                continue
            errors.append(error)
            if normalised:
                normalised_errors.append(error)
            if error > worst:
                worst, report.worst = error, f"{label}{where}"
            if spec.difference and mpmath.isfinite(truth):
                with mpmath.workdps(digits):
                    size, terms = reference.magnitude()
                bound = max((2 + 2 * math.log2(max(terms, 1))) * eps * size, tiny)
                difference = abs(mpmath.mpf(value) - truth)
                ratios.append(0.0 if difference == 0 else
                              float(difference / bound) if bound > 0 else math.inf)
    report.outputs = len(errors)
    if errors:
        report.max_ulp = float(np.max(errors))
        report.median_ulp = float(np.median(errors))
    if spec.difference:
        report.max_bound_ratio = float(max(ratios)) if ratios else 0.0
    if normalised_errors:
        report.normalised_max_ulp = float(max(normalised_errors))
    return report


def check_kernels(suite: str = "adversarial", *, kernels: Sequence[str] | None = None,
                  dtypes: Sequence[str] = DTYPES, seed: int = 0,
                  long: Sequence[int] = LONG,
                  progress: Callable[[int, int, KernelReport], None] | None = None) \
        -> list[KernelReport]:
    """Check the kernels named in ``kernels`` (default: all) on ``suite`` in each dtype.

    Args:
      suite: ``"typical"`` or ``"adversarial"``.
      kernels: names from :func:`kernel_specs`.
      dtypes: ``"float64"`` and/or ``"float32"``.
      seed: seed of the random inputs.
      long: the lengths of the long vectors of the adversarial suite (distribution
        measures); ``()`` leaves them out.
      progress: called as ``progress(done, total, report)`` after each kernel and dtype.
    """
    specs = kernel_specs()
    names = list(specs) if kernels is None else list(kernels)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ValueError(f"unknown kernel(s) {', '.join(unknown)}; known: {', '.join(specs)}")
    jobs = [(n, dt) for n in names for dt in dtypes]
    reports = []
    for done, (name, dtype) in enumerate(jobs, start=1):
        reports.append(check_kernel(specs[name], suite, dtype, seed=seed, long=long))
        if progress is not None:
            progress(done, len(jobs), reports[-1])
    return reports
