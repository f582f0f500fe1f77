r"""symbinfo: the mathematics of information theory for machine learning, symbolically.

Information content, entropy, cross-entropy, KL and JS divergence, mutual information,
perplexity and the ML losses built on them, defined once as SymPy expressions.

>>> from sympy import Rational, latex
>>> P = distribution([Rational(1, 5), Rational(4, 5)], "P")
>>> Q = distribution([Rational(1, 2), Rational(1, 2)], "Q")
>>> cross_entropy(P, Q) == entropy(P) + kl_divergence(P, Q)
True
>>> latex(CrossEntropy(P, Q))
'H(P, Q)'
"""

from symbinfo.definitions import *  # noqa: F401,F403  (the public definitions, listed in __all__)
from symbinfo.definitions import __all__ as _definitions
from symbinfo.distributions import Distribution
from symbinfo.distributions import FiniteDistribution
from symbinfo.distributions import JointDistribution
from symbinfo.distributions import NormalDistribution
from symbinfo.distributions import SymbolicDistribution
from symbinfo.distributions import bernoulli
from symbinfo.distributions import binomial
from symbinfo.distributions import distribution
from symbinfo.distributions import joint_distribution
from symbinfo.distributions import normal
from symbinfo.distributions import symbolic_distribution
from symbinfo.distributions import symbolic_joint_distribution
from symbinfo.distributions import symbolic_probabilities
from symbinfo.distributions import uniform
from symbinfo.units import convert_units
from symbinfo.units import log_base
from symbinfo.units import to_bits
from symbinfo.units import to_nats
from symbinfo.vectors import SymbolicVector
from symbinfo.vectors import symbolic_vector

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``symbinfo.check``, the hand-proof checker, is imported on first use: it builds the
    grammar and the verification engine, which plain uses of the definitions do not need."""
    if name == "check":
        from symbinfo.checker import check
        return check
    raise AttributeError(f"module 'symbinfo' has no attribute {name!r}")


__all__ = [
    *_definitions,
    "check", "Distribution", "FiniteDistribution", "JointDistribution", "NormalDistribution",
    "SymbolicDistribution", "SymbolicVector", "bernoulli", "binomial", "convert_units", "distribution",
    "joint_distribution", "log_base", "normal", "symbolic_distribution",
    "symbolic_joint_distribution", "symbolic_probabilities", "symbolic_vector", "to_bits",
    "to_nats", "uniform",
]
