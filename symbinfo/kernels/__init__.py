r"""Numerically stable NumPy kernels, generated from the symbolic definitions.

Each function here takes its definition from :mod:`symbinfo.definitions` (for example
``Entropy(symbolic_distribution("P")).doit()``, i.e. :math:`-\sum_{i=1}^{n} p_i \log p_i`), runs
the stable-rewrite pass of :mod:`symbinfo.kernels.rewrite` on it and ``lambdify``-s the result
(:func:`symbinfo.kernels.build.lambdify_stable`); nothing here restates a formula in NumPy.
The printed code runs as numba's compiled loops where numba is installed (the ``fast`` extra,
:mod:`symbinfo.kernels.compiled`), else on NumPy; :func:`symbinfo.kernels.build.use_backend`
chooses, and both meet the same accuracy targets.
``symbinfo kernels --check`` (:mod:`symbinfo.accuracy`) compares every kernel with mpmath at
50 digits evaluating the *un-rewritten* definition.

NumPy conventions: arguments broadcast; distributions and logits run along ``axis`` (default
the last); float32 in gives float32 out (arithmetic is float64 inside); losses take
``reduction='mean' | 'sum' | 'none'``; sums are compensated along any axis. Conventions at the
edges follow SciPy: :math:`0 \log 0 = 0`, ``xlogy(0, nan) = nan``,
:math:`D_{\mathrm{KL}} = +\infty` where :math:`q = 0 < p`, and :math:`p = q = 0` contributes 0.

>>> import numpy as np
>>> from symbinfo import kernels
>>> float(kernels.entropy([0.5, 0.5], base="bits"))
1.0
>>> float(kernels.log_softmax(np.array([100.0, 0, 0, 0, 0]))[0])
-1.4880303904083344e-43
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray
from sympy import IndexedBase, Symbol

from symbinfo import definitions as d
from symbinfo.distributions import (INDEX, bernoulli, symbolic_distribution,
                                    symbolic_joint_distribution)
from symbinfo.kernels.build import (apply_along_axis, lambdify_stable, reduce_losses,
                                    result_dtype)
from symbinfo.kernels.primitives import checked_labels
from symbinfo.units import BaseLike, log_base
from symbinfo.vectors import symbolic_vector

Kernel = Callable[..., Any]

# --------------------------------------------------------------------------------------------
# The symbols the definitions are instantiated with
# --------------------------------------------------------------------------------------------

P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
"""Distributions :math:`(p_i)`, :math:`(q_i)` of symbolic length :math:`n`."""
JOINT = symbolic_joint_distribution()
"""A joint table :math:`p_{ij}`."""
Z = symbolic_vector("z", "K")
"""Logits :math:`(z_1, \\dots, z_K)`."""
Y = symbolic_vector("y", Z.length, nonnegative=True)
"""A soft target :math:`(y_1, \\dots, y_K)`."""
CLASS = Symbol("k", integer=True, positive=True)
"""The class index of the per-class outputs."""
LABEL = Symbol("c", integer=True, nonnegative=True)
"""An integer label."""
PROBABILITY = Symbol("p", positive=True)
LOGIT = Symbol("s", real=True)
TARGET = Symbol("x", nonnegative=True)
POS_WEIGHT = Symbol("w", positive=True)
SMOOTHING = Symbol("epsilon", nonnegative=True)
GAMMA = Symbol("gamma", nonnegative=True)
ALPHA = Symbol("alpha", positive=True)


def _base_of(v: IndexedBase | Any) -> IndexedBase:
    """The ``IndexedBase`` of a distribution's entries."""
    return v.probability(INDEX).base if hasattr(v, "probability") else v.base


def _check_probability_vectors(**arrays: ArrayLike) -> None:
    for name, values in arrays.items():
        if np.ndim(values) == 0:
            raise ValueError(f"{name} must be an array of probabilities, not a scalar")


@lru_cache(maxsize=None)
def _measure(name: str, base: sympy.Expr) -> Kernel:
    """The kernel of a two-distribution (or one-distribution) measure in ``base``."""
    measures = {"entropy": lambda: d.Entropy(P, base),
                "cross_entropy": lambda: d.CrossEntropy(P, Q, base),
                "kl_divergence": lambda: d.KLDivergence(P, Q, base),
                "js_divergence": lambda: d.JSDivergence(P, Q, base),
                "perplexity": lambda: d.Perplexity(P, Q),
                "perplexity_of": lambda: d.Perplexity(P)}
    measure = measures[name]()
    args = [_base_of(m) for m in measure.distributions]
    return lambdify_stable(args, measure.doit())


# --------------------------------------------------------------------------------------------
# Distribution measures
# --------------------------------------------------------------------------------------------

def entropy(p: ArrayLike, *, axis: int = -1, base: BaseLike = "nats") -> NDArray[Any]:
    r"""Shannon entropy :math:`H(P) = -\sum_i p_i \log_b p_i` along ``axis``, with
    :math:`0 \log 0 = 0`.

    Args:
      p: probabilities, any shape; the distribution runs along ``axis``.
      axis: the outcome axis.
      base: ``"nats"`` (default), ``"bits"``, ``"hartleys"`` or a number.

    Returns:
      ``p``'s shape without ``axis``.

    >>> from symbinfo import kernels
    >>> kernels.entropy([[0.5, 0.5], [1.0, 0.0]], base="bits").tolist()
    [1.0, 0.0]
    """
    _check_probability_vectors(p=p)
    return apply_along_axis(_measure("entropy", log_base(base)), {"p": p}, axes=(axis,))


def cross_entropy(p: ArrayLike, q: ArrayLike, *, axis: int = -1,
                  base: BaseLike = "nats") -> NDArray[Any]:
    r"""Cross-entropy :math:`H(P, Q) = -\sum_i p_i \log_b q_i`; :math:`+\infty` where
    :math:`q_i = 0 < p_i`.

    >>> from symbinfo import kernels
    >>> float(kernels.cross_entropy([0.2, 0.8], [0.5, 0.5]))
    0.6931471805599453
    """
    _check_probability_vectors(p=p, q=q)
    return apply_along_axis(_measure("cross_entropy", log_base(base)), {"p": p, "q": q},
                            axes=(axis,))


def kl_divergence(p: ArrayLike, q: ArrayLike, *, axis: int = -1,
                  base: BaseLike = "nats") -> NDArray[Any]:
    r"""KL divergence :math:`D_{\mathrm{KL}}(P \,\|\, Q) = \sum_i p_i \log_b (p_i / q_i)`:
    :math:`p = 0` contributes 0 (also where :math:`q = 0`), :math:`q = 0 < p` gives
    :math:`+\infty`. Each term is :math:`p \operatorname{log1p}((p - q)/q)` near
    :math:`p = q`, so nothing cancels inside a term.

    >>> from symbinfo import kernels
    >>> float(kernels.kl_divergence([0.5, 0.5], [0.5 * (1 + 1e-9), 0.5 * (1 - 1e-9)]))
    -5.5011151156652186e-17

    (negative: these two floats sum to :math:`1 + 5.55 \cdot 10^{-17}`, not 1.) Where both
    rows sum to exactly 1, the divergence is summed as :math:`\sum_i (p_i \log(p_i/q_i) - p_i +
    q_i)`, non-negative terms, to full relative precision:

    >>> float(kernels.kl_divergence([0.5, 0.5], [0.5 + 2.0 ** -31, 0.5 - 2.0 ** -31]))
    4.336808689942018e-19
    """
    _check_probability_vectors(p=p, q=q)
    return apply_along_axis(_measure("kl_divergence", log_base(base)), {"p": p, "q": q},
                            axes=(axis,))


def js_divergence(p: ArrayLike, q: ArrayLike, *, axis: int = -1,
                  base: BaseLike = "nats") -> NDArray[Any]:
    r"""Jensen-Shannon divergence :math:`\tfrac12 D_{\mathrm{KL}}(P \| M) + \tfrac12
    D_{\mathrm{KL}}(Q \| M)`, :math:`M = \tfrac12 (P + Q)`; its terms are computed from
    :math:`p - m = (p - q)/2` (simplified symbolically by the rewrite), without cancellation.

    >>> from symbinfo import kernels
    >>> float(kernels.js_divergence([1.0, 0.0], [0.0, 1.0], base="bits"))
    1.0
    """
    _check_probability_vectors(p=p, q=q)
    return apply_along_axis(_measure("js_divergence", log_base(base)), {"p": p, "q": q},
                            axes=(axis,))


def perplexity(p: ArrayLike, q: ArrayLike | None = None, *, axis: int = -1) -> NDArray[Any]:
    r"""Perplexity :math:`e^{H(P, Q)}` (or :math:`e^{H(P)}` without ``q``); the value does not
    depend on the log base.

    >>> from symbinfo import kernels
    >>> float(kernels.perplexity([0.25] * 4))
    4.0
    """
    if q is None:
        _check_probability_vectors(p=p)
        return apply_along_axis(_measure("perplexity_of", sympy.E), {"p": p}, axes=(axis,))
    _check_probability_vectors(p=p, q=q)
    return apply_along_axis(_measure("perplexity", sympy.E), {"p": p, "q": q}, axes=(axis,))


@lru_cache(maxsize=None)
def _binary_entropy(base: sympy.Expr) -> Kernel:
    return lambdify_stable([PROBABILITY], d.Entropy(bernoulli(PROBABILITY), base).doit())


def binary_entropy(p: ArrayLike, *, base: BaseLike = "nats") -> NDArray[Any]:
    r"""Binary entropy :math:`h(p) = -p \log_b p - (1 - p) \log_b (1 - p)`, elementwise; the
    second term goes through ``log1p(-p)`` (so :math:`h(10^{-17})` is not 2.5 % low).

    >>> from symbinfo import kernels
    >>> float(kernels.binary_entropy(0.5, base="bits"))
    1.0
    """
    return apply_along_axis(_binary_entropy(log_base(base)), {"p": p}, axes=())


@lru_cache(maxsize=None)
def _mutual_information(base: sympy.Expr) -> Kernel:
    return lambdify_stable([_JOINT_ENTRIES], d.MutualInformation(JOINT, base).doit())


_JOINT_ENTRIES = JOINT.probability(INDEX, JOINT.COLUMN).base


def mutual_information(joint: ArrayLike, *, axes: tuple[int, int] = (-2, -1),
                       base: BaseLike = "nats") -> NDArray[Any]:
    r"""Mutual information :math:`I(X; Y) = \sum_{i,j} p_{ij} \log_b \frac{p_{ij}}{p_{i\cdot}
    p_{\cdot j}}` of joint tables whose two variables run along ``axes``.

    >>> from symbinfo import kernels
    >>> float(kernels.mutual_information([[0.5, 0.0], [0.0, 0.5]], base="bits"))
    1.0
    """
    if np.ndim(joint) < 2:
        raise ValueError("joint must be a table (at least 2 dimensions)")
    return apply_along_axis(_mutual_information(log_base(base)), {"joint": joint},
                            axes=tuple(axes))


# --------------------------------------------------------------------------------------------
# Logits: logsumexp and the softmax family
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _logits_kernel(name: str) -> Kernel:
    definitions = {"logsumexp": (d.logsumexp(Z), ()),
                   "log_softmax": (d.log_softmax(Z, CLASS), (CLASS,)),
                   "softmax": (d.softmax(Z, CLASS), (CLASS,))}
    definition, bound = definitions[name]
    return lambdify_stable([Z.base], definition, bound=bound)


def logsumexp(z: ArrayLike, *, axis: int = -1) -> NDArray[Any]:
    r""":math:`\log \sum_j e^{z_j}` along ``axis``, with the max shift (no overflow above 709).

    >>> from symbinfo import kernels
    >>> float(kernels.logsumexp([1000.0, 1000.0]))
    1000.6931471805599
    """
    return apply_along_axis(_logits_kernel("logsumexp"), {"z": z}, axes=(axis,))


def log_softmax(z: ArrayLike, *, axis: int = -1) -> NDArray[Any]:
    r""":math:`\log \mathrm{softmax}(z)_k = (z_k - m) - \operatorname{log1p}(\sum_{j \ne j^*}
    e^{z_j - m})`, accurate at a dominant maximum (the tiny non-zero value, not 0).

    >>> from symbinfo import kernels
    >>> kernels.log_softmax([0.0, 0.0]).tolist()
    [-0.6931471805599453, -0.6931471805599453]
    """
    return apply_along_axis(_logits_kernel("log_softmax"), {"z": z}, axes=(axis,),
                            keep_axes=True)


def softmax(z: ArrayLike, *, axis: int = -1) -> NDArray[Any]:
    r""":math:`\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}`, with the max shift and the
    rounding of :math:`z_k - m` compensated.

    >>> from symbinfo import kernels
    >>> kernels.softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    return apply_along_axis(_logits_kernel("softmax"), {"z": z}, axes=(axis,), keep_axes=True)


def _is_labels(target: ArrayLike) -> bool:
    return np.issubdtype(np.asarray(target).dtype, np.integer)


def _one_hot(labels: ArrayLike, logits_shape: tuple[int, ...], axis: int) -> NDArray[Any]:
    k = logits_shape[axis]
    return np.moveaxis(np.eye(k)[checked_labels(labels, k)], -1, axis)


@lru_cache(maxsize=None)
def _softmax_ce(kind: str) -> Kernel:
    if kind == "labels":
        return lambdify_stable([Z.base, LABEL], d.softmax_cross_entropy(Z, LABEL))
    definition = d.softmax_cross_entropy(Z, Y, label_smoothing=SMOOTHING)
    return lambdify_stable([Z.base, Y.base, SMOOTHING, Z.length], definition)


def softmax_cross_entropy(logits: ArrayLike, target: ArrayLike, *, axis: int = -1,
                          label_smoothing: float = 0.0,
                          reduction: str = "mean") -> NDArray[Any]:
    r"""Softmax cross-entropy :math:`-\sum_k y_k \log \mathrm{softmax}(z)_k`, i.e.
    :math:`-\log \mathrm{softmax}(z)_c` for an integer label :math:`c`; with label smoothing the
    target is :math:`(1 - \varepsilon) y + \varepsilon / K`.

    Args:
      logits: ``(..., K)`` logits (classes along ``axis``).
      target: integer labels of shape ``(...)``, or soft targets shaped like ``logits``.
      label_smoothing: :math:`\varepsilon \in [0, 1]`.
      reduction: ``'mean'`` (default), ``'sum'`` or ``'none'`` (per-sample losses).

    >>> from symbinfo import kernels
    >>> float(kernels.softmax_cross_entropy([[2.0, 1.0, 0.1]], np.array([0])))
    0.41703001627783354
    """
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"label_smoothing={label_smoothing} must lie in [0, 1]")
    if _is_labels(target) and label_smoothing == 0:
        labels = np.asarray(target)
        losses = apply_along_axis(_softmax_ce("labels"), {"logits": logits}, axes=(axis,),
                                  per_sample=(labels,))
        return reduce_losses(losses, reduction)
    if _is_labels(target):
        target = _one_hot(target, np.shape(logits), axis).astype(result_dtype(logits))
    k = np.shape(logits)[axis]
    losses = apply_along_axis(_softmax_ce("soft"), {"logits": logits, "target": target},
                              axes=(axis,), scalars=(label_smoothing, k))
    return reduce_losses(losses, reduction)


@lru_cache(maxsize=None)
def _softmax_ce_grad(kind: str) -> Kernel:
    if kind == "labels":
        definition = d.softmax(Z, CLASS) - sympy.KroneckerDelta(CLASS, LABEL)
        return lambdify_stable([Z.base, LABEL], definition, bound=(CLASS,))
    target = d.smooth_labels(Y, SMOOTHING)(CLASS)
    definition = d.softmax(Z, CLASS) - target
    return lambdify_stable([Z.base, Y.base, SMOOTHING, Z.length], definition, bound=(CLASS,))


def softmax_cross_entropy_grad(logits: ArrayLike, target: ArrayLike, *, axis: int = -1,
                               label_smoothing: float = 0.0) -> NDArray[Any]:
    r"""Gradient of the per-sample softmax cross-entropy with respect to the logits,
    :math:`\partial \ell / \partial z_k = \mathrm{softmax}(z)_k - y_k` (for targets that sum to
    1). For an integer label the entry at the label is computed as
    :math:`-\sum_{j \ne c} \mathrm{softmax}(z)_j`, which does not cancel.

    >>> from symbinfo import kernels
    >>> kernels.softmax_cross_entropy_grad([0.0, 0.0], np.array(1)).tolist()
    [0.5, -0.5]
    """
    if _is_labels(target) and label_smoothing == 0:
        return apply_along_axis(_softmax_ce_grad("labels"), {"logits": logits}, axes=(axis,),
                                per_sample=(np.asarray(target),), keep_axes=True)
    if _is_labels(target):
        target = _one_hot(target, np.shape(logits), axis).astype(result_dtype(logits))
    k = np.shape(logits)[axis]
    return apply_along_axis(_softmax_ce_grad("soft"), {"logits": logits, "target": target},
                            axes=(axis,), scalars=(label_smoothing, k), keep_axes=True)


# --------------------------------------------------------------------------------------------
# Binary losses (elementwise, then reduced)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _binary_loss(name: str) -> Kernel:
    if name == "binary_cross_entropy":
        return lambdify_stable([PROBABILITY, TARGET],
                               d.binary_cross_entropy(PROBABILITY, TARGET))
    if name == "focal_loss":
        return lambdify_stable([PROBABILITY, TARGET, GAMMA],
                               d.focal_loss(PROBABILITY, TARGET, gamma=GAMMA))
    if name == "focal_loss_alpha":
        return lambdify_stable([PROBABILITY, TARGET, GAMMA, ALPHA],
                               d.focal_loss(PROBABILITY, TARGET, gamma=GAMMA, alpha=ALPHA))
    loss = d.bce_with_logits(LOGIT, TARGET, pos_weight=POS_WEIGHT)
    if name == "bce_with_logits_grad":
        return lambdify_stable([LOGIT, TARGET, POS_WEIGHT], sympy.diff(loss, LOGIT))
    return lambdify_stable([LOGIT, TARGET, POS_WEIGHT], loss)


def binary_cross_entropy(probabilities: ArrayLike, labels: ArrayLike, *,
                         reduction: str = "mean") -> NDArray[Any]:
    r"""Binary cross-entropy :math:`-[x \log y + (1 - x) \log(1 - y)]` of probabilities
    :math:`y` and (soft) labels :math:`x`, with :math:`0 \log 0 = 0` and
    :math:`\log(1 - y)` through ``log1p(-y)``.

    >>> from symbinfo import kernels
    >>> float(kernels.binary_cross_entropy([0.5, 0.25], [1.0, 0.0]))
    0.4904146265058631
    """
    losses = apply_along_axis(_binary_loss("binary_cross_entropy"),
                              {"probabilities": probabilities, "labels": labels}, axes=())
    return reduce_losses(losses, reduction)


def bce_with_logits(logits: ArrayLike, labels: ArrayLike, *, pos_weight: ArrayLike = 1.0,
                    reduction: str = "mean") -> NDArray[Any]:
    r"""Binary cross-entropy on logits,
    :math:`-[w x \log \sigma(s) + (1 - x) \log(1 - \sigma(s))]
    = w x \operatorname{softplus}(-s) + (1 - x) \operatorname{softplus}(s)`: two non-negative
    terms, so soft labels do not cancel, and softplus never overflows.

    >>> from symbinfo import kernels
    >>> float(kernels.bce_with_logits([0.0], [1.0]))
    0.6931471805599453
    """
    losses = apply_along_axis(_binary_loss("bce_with_logits"),
                              {"logits": logits, "labels": labels, "pos_weight": pos_weight},
                              axes=())
    return reduce_losses(losses, reduction)


def bce_with_logits_grad(logits: ArrayLike, labels: ArrayLike, *,
                         pos_weight: ArrayLike = 1.0) -> NDArray[Any]:
    r"""Derivative of the per-sample :func:`bce_with_logits` with respect to the logit,
    obtained by ``sympy.diff`` of the definition:
    :math:`(1 - x)\,\sigma(s) - w x\,\sigma(-s)`, which is :math:`\sigma(s) - x` for
    :math:`w = 1`.

    >>> from symbinfo import kernels
    >>> kernels.bce_with_logits_grad([0.0], [1.0]).tolist()
    [-0.5]
    """
    return apply_along_axis(_binary_loss("bce_with_logits_grad"),
                            {"logits": logits, "labels": labels, "pos_weight": pos_weight},
                            axes=())


def focal_loss(probabilities: ArrayLike, labels: ArrayLike, *, gamma: float = 2.0,
               alpha: float | None = None, reduction: str = "mean") -> NDArray[Any]:
    r"""Binary focal loss :math:`-[\alpha x (1 - y)^{\gamma} \log y + (1 - \alpha)(1 - x)
    y^{\gamma} \log(1 - y)]` (no :math:`\alpha` weights when ``alpha`` is None); with
    :math:`\gamma = 0` it is :func:`binary_cross_entropy`.

    >>> from symbinfo import kernels
    >>> float(kernels.focal_loss([0.5], [1.0], gamma=1.0))
    0.34657359027997264
    """
    if gamma < 0:
        raise ValueError(f"gamma={gamma} must be >= 0")
    arrays = {"probabilities": probabilities, "labels": labels}
    if alpha is None:
        losses = apply_along_axis(_binary_loss("focal_loss"), arrays, axes=(),
                                  scalars=(gamma,))
    else:
        if not 0 <= alpha <= 1:
            raise ValueError(f"alpha={alpha} must lie in [0, 1]")
        losses = apply_along_axis(_binary_loss("focal_loss_alpha"), arrays, axes=(),
                                  scalars=(gamma, alpha))
    return reduce_losses(losses, reduction)


__all__ = [
    "binary_cross_entropy", "binary_entropy", "bce_with_logits", "bce_with_logits_grad",
    "cross_entropy", "entropy", "focal_loss", "js_divergence", "kl_divergence",
    "log_softmax", "logsumexp", "mutual_information", "perplexity", "softmax",
    "softmax_cross_entropy", "softmax_cross_entropy_grad",
]
