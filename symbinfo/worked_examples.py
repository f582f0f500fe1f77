r"""The worked examples of the introductory texts, computed from the definitions.

Each example states its inputs exactly (decimal strings are read as exact decimals) and is
evaluated by the symbolic definition, then to as many digits as asked with SymPy's ``evalf``.
``symbinfo examples`` prints them.

>>> example = WORKED_EXAMPLES[0]
>>> example.title, example.exact()
('information of an event of probability 1/8', 3)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sympy import Expr

from symbinfo import definitions as d
from symbinfo.distributions import distribution, uniform


@dataclass(frozen=True)
class WorkedExample:
    """A titled computation, its unit, and the definition call that computes it."""

    title: str
    unit: str
    exact: Callable[[], Expr]

    def value(self, digits: int = 30) -> str:
        """The value to ``digits`` significant digits."""
        return str(self.exact().evalf(digits))


_P = distribution(["0.2", "0.8"], "P")
_Q = distribution(["0.5", "0.5"], "Q")

WORKED_EXAMPLES: tuple[WorkedExample, ...] = (
    WorkedExample("information of an event of probability 1/8", "bits",
                  lambda: d.information("1/8", base="bits")),
    WorkedExample("information of a uniformly random 16-bit word", "bits",
                  lambda: d.information(2 ** -16, base="bits")),
    WorkedExample("information of an event of probability 0.01", "bits",
                  lambda: d.information("0.01", base="bits")),
    WorkedExample("H(0.5, 0.5)", "bits", lambda: d.entropy(["0.5", "0.5"], base="bits")),
    WorkedExample("H(0.99, 0.01)", "bits", lambda: d.entropy(["0.99", "0.01"], base="bits")),
    WorkedExample("D_KL(P || Q), P = (0.2, 0.8), Q = (0.5, 0.5)", "nats",
                  lambda: d.kl_divergence(_P, _Q)),
    WorkedExample("H(P, Q), P = (0.2, 0.8), Q = (0.5, 0.5)", "nats",
                  lambda: d.cross_entropy(_P, _Q)),
    WorkedExample("H(P), P = (0.2, 0.8)", "nats", lambda: d.entropy(_P)),
    WorkedExample("softmax cross-entropy, logits (2, 1, 0.1), class 0", "nats",
                  lambda: d.softmax_cross_entropy([2, 1, "0.1"], 0)),
    WorkedExample("H(P, Q), P = (0, 0, 1), Q = (0.3, 0.3, 0.4)", "nats",
                  lambda: d.cross_entropy([0, 0, 1], ["0.3", "0.3", "0.4"])),
    WorkedExample("entropy of the uniform distribution on 8 outcomes", "bits",
                  lambda: d.entropy(uniform(8), base="bits")),
)
"""The examples, in the order the texts introduce them."""
