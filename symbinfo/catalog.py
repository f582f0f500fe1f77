r"""The catalog of definitions: every quantity symbinfo defines, instantiated symbolically.

Each entry builds the quantity on symbolic arguments (a distribution :math:`P` of length
:math:`n`, logits :math:`z_1..z_K`, a joint table :math:`p_{ij}`, ...) so that ``symbinfo list``
can show the notation and the defining formula exactly as the definitions produce them.

>>> entry = CATALOG["entropy"]
>>> entry.definition()
-Sum(log(p[i])*p[i], (i, 1, n))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy import Expr, Symbol

from symbinfo import definitions as d
from symbinfo.distributions import (normal, symbolic_distribution, symbolic_joint_distribution)
from symbinfo.vectors import symbolic_vector


@dataclass(frozen=True)
class CatalogEntry:
    """One defined quantity: its name, a one-line summary, and symbolic instances."""

    name: str
    summary: str
    definition: Callable[[], Expr]
    """Builds the defining expression on symbolic arguments."""
    notation: Callable[[], Expr] | None = None
    """Builds the unevaluated object (for measures), printed in standard notation."""


_P = symbolic_distribution("P")
_Q = symbolic_distribution("Q")
_J = symbolic_joint_distribution()
_p = Symbol("p", positive=True)
_x = Symbol("x", nonnegative=True)
_s = Symbol("s", real=True)
_c = Symbol("c", integer=True, positive=True)
_z = symbolic_vector("z", "K")
_y = symbolic_vector("y", "K", nonnegative=True)
_gaussians = (normal(Symbol("mu_1", real=True), Symbol("sigma_1", positive=True), "P"),
              normal(Symbol("mu_2", real=True), Symbol("sigma_2", positive=True), "Q"))

_ENTRIES = (
    CatalogEntry("information", "information content of an event, -log p",
                 lambda: d.information(_p)),
    CatalogEntry("entropy", "Shannon entropy H(P)",
                 lambda: d.entropy(_P), lambda: d.Entropy(_P)),
    CatalogEntry("cross_entropy", "cross-entropy H(P, Q)",
                 lambda: d.cross_entropy(_P, _Q), lambda: d.CrossEntropy(_P, _Q)),
    CatalogEntry("kl_divergence", "Kullback-Leibler divergence D_KL(P || Q)",
                 lambda: d.kl_divergence(_P, _Q), lambda: d.KLDivergence(_P, _Q)),
    CatalogEntry("kl_divergence_gaussian", "KL divergence of two univariate Gaussians",
                 lambda: d.kl_divergence(*_gaussians), lambda: d.KLDivergence(*_gaussians)),
    CatalogEntry("js_divergence", "Jensen-Shannon divergence D_JS(P || Q)",
                 lambda: d.js_divergence(_P, _Q), lambda: d.JSDivergence(_P, _Q)),
    CatalogEntry("joint_entropy", "joint entropy H(X, Y)",
                 lambda: d.joint_entropy(_J), lambda: d.JointEntropy(_J)),
    CatalogEntry("conditional_entropy", "conditional entropy H(X | Y)",
                 lambda: d.conditional_entropy(_J), lambda: d.ConditionalEntropy(_J)),
    CatalogEntry("mutual_information", "mutual information I(X; Y)",
                 lambda: d.mutual_information(_J), lambda: d.MutualInformation(_J)),
    CatalogEntry("perplexity", "perplexity exp(H(P, Q))",
                 lambda: d.perplexity(_P, _Q), lambda: d.Perplexity(_P, _Q)),
    CatalogEntry("f_divergence", "f-divergence sum_i q_i f(p_i/q_i), KL for f(t) = t log t",
                 lambda: d.f_divergence(_P, _Q, sympy.Function("f"))),
    CatalogEntry("sigmoid", "logistic sigmoid", lambda: d.Sigmoid(_s).rewrite(sympy.exp)),
    CatalogEntry("softplus", "softplus log(1 + e^s)", lambda: d.Softplus(_s).rewrite(sympy.log)),
    CatalogEntry("logsumexp", "log-sum-exp of K logits", lambda: d.logsumexp(_z)),
    CatalogEntry("softmax", "softmax entry k of K logits", lambda: d.softmax(_z, _c)),
    CatalogEntry("log_softmax", "log-softmax entry k", lambda: d.log_softmax(_z, _c)),
    CatalogEntry("binary_cross_entropy", "binary cross-entropy on a probability",
                 lambda: d.binary_cross_entropy(_p, _x)),
    CatalogEntry("bce_with_logits", "binary cross-entropy on a logit",
                 lambda: d.bce_with_logits(_s, _x)),
    CatalogEntry("softmax_cross_entropy", "softmax cross-entropy with a soft target",
                 lambda: d.softmax_cross_entropy(_z, _y)),
    CatalogEntry("label_smoothing", "softmax cross-entropy with label smoothing",
                 lambda: d.softmax_cross_entropy(
                     _z, _y, label_smoothing=Symbol("epsilon", positive=True))),
    CatalogEntry("focal_loss", "binary focal loss",
                 lambda: d.focal_loss(_p, _x, gamma=Symbol("gamma", positive=True))),
    CatalogEntry("info_nce", "InfoNCE contrastive loss",
                 lambda: d.info_nce(_s, symbolic_vector("n", "K"),
                                    temperature=Symbol("tau", positive=True))),
    CatalogEntry("class_weighted_cross_entropy", "softmax cross-entropy with class weights",
                 lambda: d.softmax_cross_entropy(_z, _c, class_weights=symbolic_vector("w", "K"))),
    CatalogEntry("hinge_loss", "hinge loss max(0, 1 - y s)",
                 lambda: d.hinge_loss(_s, Symbol("y", real=True))),
    CatalogEntry("mean_absolute_error", "mean absolute error (L1) over N samples",
                 lambda: d.mean_absolute_error(symbolic_vector("yhat", "N"),
                                               symbolic_vector("y", "N"))),
    CatalogEntry("mean_squared_error", "mean squared error over N samples",
                 lambda: d.mean_squared_error(symbolic_vector("yhat", "N"),
                                              symbolic_vector("y", "N"))),
)

CATALOG: dict[str, CatalogEntry] = {entry.name: entry for entry in _ENTRIES}
"""The entries by name, in presentation order."""
