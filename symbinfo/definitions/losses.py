r"""Machine-learning losses as SymPy expressions, one function per loss.

Each function returns the loss's *definition*: no stabilising rewrite (that is the kernels'
job), so derivations and reference values start from the formula the texts write.

Shapes. Scalar arguments give the loss of one sample. Explicit sequences (or
:class:`~symbinfo.vectors.SymbolicVector` of symbolic length :math:`N`) of per-sample values
give the sample mean :math:`\frac{1}{N}\sum_{i=1}^{N} \ell_i`. For the softmax losses the
vector is the :math:`K` logits of one sample; average over samples with :func:`sample_mean`.

Conventions: :math:`0 \log 0 = 0` for exact zero labels or targets
(:func:`~symbinfo.definitions.conventions.xlogy`); integer class labels are 0-based positions
for explicit logits.

>>> binary_cross_entropy("0.5", 1)
log(2)
>>> softmax_cross_entropy([0, 0, 0], 2)
log(3)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import sympy
from sympy import Expr, Sum, exp, log

from symbinfo.definitions.activations import Sigmoid, softmax
from symbinfo.definitions.conventions import xlogy
from symbinfo.definitions.exact import tidy
from symbinfo.distributions import INDEX, as_number, as_probability, distribution
from symbinfo.vectors import SymbolicVector, as_vector, vector_length, vector_sum

CLASS_INDEX = sympy.Symbol("k", integer=True, positive=True)
"""The summation index over classes of a symbolic-length target."""


# --------------------------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------------------------

def sample_mean(term: Expr, index: sympy.Symbol, count: Any) -> Expr:
    r"""The sample mean :math:`\frac{1}{N} \sum_{i=1}^{N} \ell_i` of a per-sample term.

    Args:
      term: the loss of sample ``index``, e.g. ``binary_cross_entropy(y[i], x[i])``.
      index: the sample index symbol :math:`i`.
      count: the number of samples :math:`N` (a positive integer or symbol).

    >>> from sympy import IndexedBase, Symbol
    >>> i, N = Symbol("i", integer=True), Symbol("N", integer=True, positive=True)
    >>> sample_mean(IndexedBase("l")[i], i, N)
    Sum(l[i], (i, 1, N))/N
    """
    n = sympy.S(count)
    if n.is_positive is False or n.is_integer is False:
        raise ValueError(f"count = {count} must be a positive integer")
    return Sum(term, (index, 1, n)) / n


def _per_sample_mean(name: str, loss: Callable[..., Expr], *columns: Any) -> Expr:
    """Apply a scalar ``loss`` per sample: to scalars directly, to equal-length vectors as the
    sample mean (symbolic vectors summed over :math:`i = 1..N`)."""
    if not any(isinstance(c, (SymbolicVector, list, tuple)) for c in columns):
        return tidy(loss(*columns))
    vectors = [as_vector(c, f"{name}: argument {n}") for n, c in enumerate(columns)]
    lengths = {vector_length(v) for v in vectors}
    if len(lengths) != 1:
        raise ValueError(f"{name}: the per-sample arguments have different lengths "
                         f"{sorted(map(str, lengths))}")
    (count,) = lengths
    if all(isinstance(v, SymbolicVector) for v in vectors):
        return sample_mean(loss(*[v[INDEX] for v in vectors]), INDEX, count)
    if any(isinstance(v, SymbolicVector) for v in vectors):
        raise TypeError(f"{name}: mix of symbolic-length and explicit vectors")
    return tidy(sympy.Add(*[loss(*row) for row in zip(*vectors)]) / count)


# --------------------------------------------------------------------------------------------
# Binary losses
# --------------------------------------------------------------------------------------------

def binary_cross_entropy(probability: Any, label: Any) -> Expr:
    r"""Binary cross-entropy of predicted probabilities and (possibly soft) labels:

    .. math:: \ell(y, x) = -\left[x \log y + (1 - x) \log(1 - y)\right],

    the negative log-likelihood of a Bernoulli label :math:`x` under :math:`P(x=1) = y`.

    Args:
      probability: predicted :math:`y \in [0, 1]`; scalar, sequence of :math:`N`, or
        symbolic vector.
      label: target :math:`x \in [0, 1]`, same shape.

    Returns:
      The loss (scalar inputs) or its mean over the :math:`N` samples.

    >>> binary_cross_entropy(["0.5", "0.25"], [1, 0])
    -log(3)/2 + 3*log(2)/2
    """
    def loss(y: Any, x: Any) -> Expr:
        y = as_probability(y, "binary_cross_entropy: probability")
        x = as_probability(x, "binary_cross_entropy: label")
        return -(xlogy(x, y) + xlogy(1 - x, 1 - y))
    return _per_sample_mean("binary_cross_entropy", loss, probability, label)


def bce_with_logits(logit: Any, label: Any, *, pos_weight: Any = 1) -> Expr:
    r"""Binary cross-entropy on a logit :math:`s`, with an optional weight :math:`w` on
    positives (PyTorch's ``pos_weight``):

    .. math:: \ell(s, x) = -\left[w\, x \log \sigma(s) + (1 - x) \log(1 - \sigma(s))\right].

    Args:
      logit: :math:`s \in \mathbb{R}`; scalar, sequence of :math:`N`, or symbolic vector.
      label: :math:`x \in [0, 1]`, same shape.
      pos_weight: :math:`w > 0`.

    >>> from sympy import Symbol
    >>> s, x = Symbol("s", real=True), Symbol("x", positive=True)
    >>> bce_with_logits(s, x)
    -x*log(sigmoid(s)) - (1 - x)*log(1 - sigmoid(s))
    """
    w = as_number(pos_weight, "bce_with_logits: pos_weight")
    if w.is_positive is False:
        raise ValueError(f"bce_with_logits: pos_weight = {pos_weight!r} must be positive")

    def loss(s: Any, x: Any) -> Expr:
        s = as_number(s, "bce_with_logits: logit")
        x = as_probability(x, "bce_with_logits: label")
        return -(w * xlogy(x, Sigmoid(s)) + xlogy(1 - x, 1 - Sigmoid(s)))
    return _per_sample_mean("bce_with_logits", loss, logit, label)


def focal_loss(probability: Any, label: Any, *, gamma: Any = 2, alpha: Any = None) -> Expr:
    r"""Binary focal loss (Lin et al., 2017), which down-weights easy examples:

    .. math:: \ell(y, x) = -\left[\alpha\, x (1 - y)^{\gamma} \log y
              + (1 - \alpha)(1 - x)\, y^{\gamma} \log(1 - y)\right],

    without the :math:`\alpha` weights when ``alpha`` is None. With :math:`\gamma = 0` and no
    :math:`\alpha` it is :func:`binary_cross_entropy`.

    Args:
      probability: predicted :math:`y \in [0, 1]`; scalar, sequence or symbolic vector.
      label: :math:`x \in [0, 1]`, same shape.
      gamma: focusing parameter :math:`\gamma \ge 0`.
      alpha: class weight :math:`\alpha \in [0, 1]`, or None.

    References:
      T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollar, "Focal Loss for Dense Object
      Detection", ICCV 2017, https://arxiv.org/abs/1708.02002

    >>> focal_loss("0.5", 1, gamma=1)
    log(2)/2
    """
    g = as_number(gamma, "focal_loss: gamma")
    if g.is_negative:
        raise ValueError(f"focal_loss: gamma = {gamma!r} must be >= 0")
    a = None if alpha is None else as_probability(alpha, "focal_loss: alpha")

    def loss(y: Any, x: Any) -> Expr:
        y = as_probability(y, "focal_loss: probability")
        x = as_probability(x, "focal_loss: label")
        positive = x * (1 - y) ** g
        negative = (1 - x) * y ** g
        if a is not None:
            positive, negative = a * positive, (1 - a) * negative
        return -(xlogy(positive, y) + xlogy(negative, 1 - y))
    return _per_sample_mean("focal_loss", loss, probability, label)


# --------------------------------------------------------------------------------------------
# Multi-class losses
# --------------------------------------------------------------------------------------------

def smooth_labels(target: Any, epsilon: Any, num_classes: Any = None) -> Callable[[Any], Expr]:
    r"""Label smoothing: the target :math:`(1 - \varepsilon) y_k + \varepsilon / K`.

    Returns a function of the class ``k`` (a position for explicit targets, an index for
    symbolic ones). ``target`` is a probability vector, a symbolic vector, or an integer label
    (with ``num_classes``).

    >>> [smooth_labels(1, "0.1", 2)(k) for k in range(2)]
    [1/20, 19/20]
    """
    eps = as_probability(epsilon, "label_smoothing")
    weight = _target_weights(target, num_classes)
    K = sympy.S(num_classes) if num_classes is not None else _target_length(target)
    return lambda k: (1 - eps) * weight(k) + eps / K


def _is_integer_label(target: Any) -> bool:
    return isinstance(target, (numbers.Integral, sympy.Integer)) and not isinstance(target, bool)


def _check_label(label: int, num_classes: int) -> None:
    if not 0 <= label < num_classes:
        raise ValueError(f"label {label} is out of range for {num_classes} classes "
                         f"(expected 0 <= label < {num_classes})")


def _target_length(target: Any) -> Expr:
    if isinstance(target, SymbolicVector):
        return target.length
    return sympy.Integer(len(target))


def _target_weights(target: Any, num_classes: Any) -> Callable[[Any], Expr]:
    """The target as a function of the class: one-hot for an integer label."""
    if isinstance(target, SymbolicVector):
        return lambda k: target[k]
    if _is_integer_label(target):
        label = int(target)
        if num_classes is not None:
            _check_label(label, int(num_classes))
        return lambda k: sympy.S.One if k == label else sympy.S.Zero
    probabilities = distribution(target, "target").probabilities
    return lambda k: probabilities[k]


def softmax_cross_entropy(logits: Any, target: Any, *, label_smoothing: Any = 0,
                          class_weights: Any = None) -> Expr:
    r"""Softmax cross-entropy of one sample with :math:`K` classes:

    .. math:: \ell(z, y) = -\sum_{k} w_k\, y_k \log \mathrm{softmax}(z)_k,

    which for an integer label :math:`c` is :math:`-w_c \log \mathrm{softmax}(z)_c`; without
    class weights :math:`w_k = 1`. With label smoothing :math:`\varepsilon` the target is
    :math:`(1 - \varepsilon) y + \varepsilon / K`.

    Args:
      logits: :math:`K` logits, an explicit sequence or a symbolic vector.
      target: an integer label (0-based for explicit logits; an integer symbol for symbolic
        logits), a one-hot or soft probability vector of length :math:`K`, or a symbolic
        vector :math:`(y_1, \dots, y_K)` (its normalisation is the caller's side condition).
      label_smoothing: :math:`\varepsilon \in [0, 1]`.
      class_weights: :math:`w_k \ge 0` per class (PyTorch's ``weight``), a sequence of
        :math:`K` or a symbolic vector; None for none.

    Returns:
      The scalar loss of the sample (a weighted batch mean divides the sum of these by the sum
      of the samples' :math:`w_c`).

    Raises:
      ValueError: a label out of range, a target or weights of the wrong length, a target that
        is not a distribution, a negative weight.

    >>> softmax_cross_entropy([0, 0], [0, 1])
    log(2)
    >>> softmax_cross_entropy([0, 0], 1, class_weights=[1, 3])
    3*log(2)
    """
    z = as_vector(logits, "logits")
    K = vector_length(z)
    eps = as_probability(label_smoothing, "label_smoothing")
    weight_of_class = _class_weights(class_weights, z)
    if _is_integer_label(target):
        if isinstance(z, SymbolicVector):
            raise TypeError("an integer label needs explicit logits; use an integer symbol "
                            "as the label of symbolic logits")
        _check_label(int(target), int(K))
    if (_is_integer_label(target) or isinstance(target, sympy.Symbol)) and eps == 0:
        return tidy(-weight_of_class(target) * log(softmax(z, target)))
    if isinstance(target, (list, tuple)) and len(target) != K:
        raise ValueError(f"target has {len(target)} entries but there are {K} logits")
    target_of_class = _target_weights(target, K) if eps == 0 else smooth_labels(target, eps, K)

    def term(k: Any) -> Expr:
        return weight_of_class(k) * target_of_class(k)
    if isinstance(z, SymbolicVector):
        return -Sum(term(CLASS_INDEX) * log(softmax(z, CLASS_INDEX)), (CLASS_INDEX, 1, K))
    return tidy(-sympy.Add(*[xlogy(term(k), softmax(z, k)) for k in range(int(K))]))


def _class_weights(weights: Any, logits: Any) -> Callable[[Any], Expr]:
    """The class weights as a function of the class (1 for every class when None)."""
    if weights is None:
        return lambda k: sympy.S.One
    w = as_vector(weights, "class_weights")
    if isinstance(w, SymbolicVector):
        return lambda k: w[k]
    if len(w) != vector_length(logits):
        raise ValueError(f"class_weights has {len(w)} entries but there are "
                         f"{vector_length(logits)} logits")
    for k, value in enumerate(w):
        if value.is_negative:
            raise ValueError(f"class_weights[{k}] = {value} is negative")
    return lambda k: w[k]


def hinge_loss(score: Any, label: Any) -> Expr:
    r"""Hinge loss :math:`\max(0, 1 - y s)` of a score :math:`s` and a label :math:`y \in \{-1, 1\}`;
    sequences give the sample mean.

    >>> hinge_loss(["0.5", -2], [1, -1])
    1/4
    """
    def loss(s: Any, y: Any) -> Expr:
        s, y = as_number(s, "hinge_loss: score"), as_number(y, "hinge_loss: label")
        if y.is_number and y not in (1, -1):
            raise ValueError(f"hinge_loss: label = {y} must be -1 or 1")
        return sympy.Max(0, 1 - y * s)
    return _per_sample_mean("hinge_loss", loss, score, label)


def info_nce(positive: Any, negatives: Any, *, temperature: Any = 1) -> Expr:
    r"""The InfoNCE contrastive loss (van den Oord et al., 2018) for one anchor:

    .. math:: \ell = -\log \frac{e^{s^{+}/\tau}}{e^{s^{+}/\tau} + \sum_{k} e^{s^{-}_k/\tau}},

    a softmax cross-entropy over the similarity logits :math:`s/\tau` with the positive as the
    label. Similarities are usually cosine similarities (:func:`cosine_similarity`).

    Args:
      positive: the similarity :math:`s^{+}` of the anchor to its positive.
      negatives: the similarities :math:`s^{-}_k` to the negatives; a sequence or a symbolic
        vector.
      temperature: :math:`\tau > 0`.

    References:
      A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive
      Coding", 2018, https://arxiv.org/abs/1807.03748

    >>> info_nce(0, [0, 0, 0])
    2*log(2)
    """
    tau = as_number(temperature, "info_nce: temperature")
    if tau.is_positive is False:
        raise ValueError(f"info_nce: temperature = {temperature!r} must be positive")
    s = as_number(positive, "info_nce: positive")
    others = as_vector(negatives, "info_nce: negatives")
    numerator = exp(s / tau)
    return tidy(-log(numerator / (numerator + vector_sum(others, lambda v: exp(v / tau)))))


def cosine_similarity(u: Any, v: Any) -> Expr:
    r"""Cosine similarity :math:`\frac{u \cdot v}{\lVert u \rVert\, \lVert v \rVert}` of two
    explicit vectors.

    >>> cosine_similarity([1, 0], [1, 1])
    sqrt(2)/2
    """
    a, b = as_vector(u, "u"), as_vector(v, "v")
    if isinstance(a, SymbolicVector) or isinstance(b, SymbolicVector):
        raise TypeError("cosine_similarity takes explicit vectors")
    if len(a) != len(b):
        raise ValueError(f"u has {len(a)} entries but v has {len(b)}")
    dot = sympy.Add(*[x * y for x, y in zip(a, b)])
    return dot / (sympy.sqrt(sympy.Add(*[x ** 2 for x in a]))
                  * sympy.sqrt(sympy.Add(*[y ** 2 for y in b])))


def mean_absolute_error(predictions: Any, targets: Any) -> Expr:
    r"""Mean absolute error (L1) :math:`\frac{1}{N} \sum_{i=1}^{N} |\hat y_i - y_i|`.

    >>> mean_absolute_error([1, 2], [1, 4])
    1
    """
    return _per_sample_mean("mean_absolute_error",
                            lambda y_hat, y: sympy.Abs(as_number(y_hat, "prediction")
                                                       - as_number(y, "target")),
                            predictions, targets)


def mean_squared_error(predictions: Any, targets: Any) -> Expr:
    r"""Mean squared error :math:`\frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2`.

    >>> mean_squared_error([1, 2], [1, 4])
    2
    """
    return _per_sample_mean("mean_squared_error",
                            lambda y_hat, y: (as_number(y_hat, "prediction")
                                              - as_number(y, "target")) ** 2,
                            predictions, targets)
