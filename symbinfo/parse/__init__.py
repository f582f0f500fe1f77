r"""The hand-proof reader: LaTeX proofs to SymPy, through a real grammar.

:func:`parse_proof` reads a ``.tex`` file into a :class:`ProofDocument` of chains of steps
(each with its line, column, relation and both sides as SymPy expressions), the assumptions
of its ``% assume:`` lines and the definitions of its ``% define:`` lines.
:func:`parse_formula` reads one expression. Neither ever evaluates text as Python: the
grammar (:file:`proof.lark`, LALR(1), conflict-free) and the transformer build SymPy objects
directly, and input is bounded (:class:`ParseLimits`) before SymPy sees it.

Reading rules, where notation could mean two things:

* ``p_i`` is the entry ``p[i]`` of an ``IndexedBase``; ``p_{ij}`` has two indices ``i, j``;
  ``x^{(i)}`` is ``x[i]``; ``q_{\mathrm{true}}`` is a plain symbol; ``\delta_{ij}`` is the
  Kronecker delta unless a ``% define:`` line defines it.
* ``e`` is Euler's number (``e^{x}`` is ``exp(x)``), ``i`` is an index (never the imaginary
  unit); ``\log`` and ``\ln`` are natural logs, ``\log_2`` and ``\log_{b}`` are not.
* Factors side by side multiply. An unparenthesised function argument is one factor with its
  scripts: ``\log p_i`` is ``log(p_i)``; ``\log p_i q_i`` is an error listing both readings;
  ``\log \sum_j e^{z_j}`` is the log of the whole sum; braces delimit an argument, so
  ``\log{x}^{2}`` (SymPy's printing) is ``log(x)**2``.
* ``name(...)`` is a call when ``name`` is defined by a ``% define:`` line, an operator
  (``H``, ``I``, ``D_{KL}``, ``KL``, ``\mathrm{PP}``), ``\sigma``, a roman function
  (``\mathrm{softmax}``, ``\operatorname{softplus}``), ``\mathcal{N}``, a distribution
  (``P``, ``Q`` or any capital used as one: ``P(x_i)`` is ``p_i``), or one of ``p q f g h``
  applied to plain outcomes (``p(x, y)``, ``p(x \mid y)``); otherwise it is a product
  (``x(1 - x)``, ``(1-p)\log(1-p)``).
* ``X``, ``Y``, ``Z`` used together (``H(X, Y)``, ``H(X \mid Y)``, ``I(X; Y)``) are random
  variables with one joint table; any other capital is a distribution whose entries are its
  lower-case letter (``H(P, Q)`` is a cross-entropy). ``% assume: P = (0.2, 0.8)`` or
  ``P = \mathcal{N}(\mu, \sigma^2)`` declares a distribution.
* A big operator's body is the rest of its term: ``\sum_i a_i b_i - c`` is
  ``(\sum_i a_i b_i) - c``. ``\sum_i`` without limits runs from 1 to the length of what it
  indexes: ``n`` (``m`` for a table's second index, ``K`` for logits), or ``n_x`` for the
  alphabet of a pmf argument.
* Symbols are real; a name used as an index or a sum variable anywhere is an integer
  everywhere in the proof (positive unless a sum over it starts below 1); a sum's upper limit
  is a positive integer; the entries of distributions are positive; ``% assume:`` lines
  refine this (``0 < x``, ``x \ge 0``, ``x \in \{0, 1\}``, ``x \in (0, 1)``).
* A line of an environment that starts with a relation continues the chain; one that starts
  with ``&`` and then ``+`` or ``-`` continues the previous expression; any other line starts
  a new chain. The column after ``&&`` is an annotation and is ignored.

>>> doc = parse_proof(r"\[ D_{KL}(P \| Q) = \sum_i p_i \log \frac{p_i}{q_i} \]")
>>> step = doc.steps[0]
>>> step.lhs.doit() == step.rhs
True
"""

from symbinfo.parse.document import Assumption
from symbinfo.parse.document import Chain
from symbinfo.parse.document import Definition
from symbinfo.parse.document import ProofDocument
from symbinfo.parse.document import Step
from symbinfo.parse.document import parse_formula
from symbinfo.parse.document import parse_proof
from symbinfo.parse.errors import ProofLimitError
from symbinfo.parse.errors import ProofSyntaxError
from symbinfo.parse.notation import Conditional
from symbinfo.parse.source import ParseLimits

__all__ = [
    "Assumption", "Chain", "Conditional", "Definition", "ParseLimits", "ProofDocument",
    "ProofLimitError", "ProofSyntaxError", "Step", "parse_formula", "parse_proof",
]
