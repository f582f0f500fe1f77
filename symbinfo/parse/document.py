r"""A hand proof read into SymPy: chains of steps, assumptions and definitions.

:func:`parse_proof` reads a LaTeX file as people write proofs on paper:

.. code-block:: latex

    % assume: 0 < p_i < 1, \sum_{i=1}^{n} p_i = 1
    \begin{align*}
      H(P) &= -\sum_{i=1}^{n} p_i \log p_i \\
           &\le \log n
    \end{align*}

Every ``align``/``align*``/``equation``/``equation*`` environment (and ``\[ \]``) holds one or
more chains ``e0 R1 e1 R2 e2 ...``; a line that begins with a relation continues the chain, a
line that begins with ``& +`` or ``& -`` (an alignment mark, then the sign) continues the
previous line's expression, any other line starts a new chain. ``% assume:`` (or
``% assumptions:``) and ``% define:`` comment lines hold LaTeX assumptions and definitions
(a declared distribution or vector, ``P = (0.2, 0.8)``, holds from its line until the name
is declared again; other assumptions and definitions hold for the whole file);
all other text is ignored, and so are ``\text{...}`` annotations and the annotation column
after ``&&`` up to the end of the row.

The verdict of each step is the engine's business (:mod:`symbinfo.verify`); this module only
reads, and every failure is a :class:`~symbinfo.parse.errors.ProofSyntaxError` at a line and
column.

>>> document = parse_proof(r'''
... \begin{align*}
...   H(P) &= -\sum_{i=1}^{n} p_i \log p_i
... \end{align*}''')
>>> step = document.chains[0].steps[0]
>>> step.line, step.relation, step.rhs == Entropy(symbolic_distribution("P")).doit()
(3, '=', True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, \
    UnexpectedToken, VisitError
from sympy import Expr, Indexed, Lambda, Symbol, Tuple
from sympy.core.function import AppliedUndef

from symbinfo.distributions import Distribution
from symbinfo.parse.errors import ProofSyntaxError
from symbinfo.parse.source import DEFAULT_LIMITS, ParseLimits, SourceText
from symbinfo.parse.symbols import SymbolTable
from symbinfo.parse.transformer import BuildError, ProofTransformer
from symbinfo.parse.values import RowValue

STEP_RELATIONS = ("=", "<=", ">=", "<", ">", "approx")
"""The relations a chain step may use (``approx`` is ``\\approx``: claims the digits written)."""

ENVIRONMENTS = ("align", "align*", "equation", "equation*")
"""Math environments whose content is read; ``\\[ ... \\]`` is read too."""


# --------------------------------------------------------------------------------------------
# The data model
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One claim ``lhs relation rhs`` of a chain, at the line and column of its relation."""

    line: int
    column: int
    relation: str
    lhs: Expr
    rhs: Expr
    lhs_text: str
    rhs_text: str

    @property
    def source_text(self) -> str:
        """The step as written (both sides, normalised spacing)."""
        return f"{self.lhs_text} {self.relation} {self.rhs_text}"


@dataclass(frozen=True)
class Chain:
    """A chain of steps ``e0 R1 e1 R2 e2 ...`` starting at ``line``:``column``."""

    line: int
    column: int
    environment: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Assumption:
    """One condition of a ``% assume:`` line (``0 < p_i < 1`` gives two)."""

    line: int
    column: int
    source_text: str
    condition: Any


@dataclass(frozen=True)
class Definition:
    r"""A ``% define:`` line: ``target`` (``L``, ``\delta_{ik}``, ``p(x)``) stands for ``body``."""

    line: int
    column: int
    source_text: str
    target: Expr
    body: Expr

    @property
    def parameters(self) -> tuple[Expr, ...]:
        """The variables of an indexed or function target (``(i, k)``, ``(x,)``)."""
        if isinstance(self.target, Indexed):
            return tuple(self.target.indices)
        if isinstance(self.target, AppliedUndef):
            return tuple(self.target.args)
        return ()

    def apply(self, expr: Expr) -> Expr:
        """Replace every use of the target in ``expr`` by the body (one level)."""
        if isinstance(self.target, Symbol):
            return expr.xreplace({self.target: self.body})
        rule = Lambda(self.parameters, self.body)
        if isinstance(self.target, Indexed):
            base = self.target.base
            return expr.replace(lambda e: isinstance(e, Indexed) and e.base == base
                                and len(e.indices) == len(self.parameters),
                                lambda e: rule(*e.indices))
        function = self.target.func
        return expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func == function
                            and len(e.args) == len(self.parameters), lambda e: rule(*e.args))


@dataclass(frozen=True)
class ProofDocument:
    """A parsed hand proof.

    Attributes:
      name: the file name.
      chains: the chains, in source order.
      assumptions: the conditions of the ``% assume:`` lines, in source order.
      definitions: the ``% define:`` lines, in source order.
      distributions: distributions declared in assumptions (``P = (0.2, 0.8)``,
        ``P = \\mathcal{N}(\\mu, \\sigma^2)``).
      vectors: explicit vectors declared in assumptions (``z = (2, 1, 0.1)``).
    """

    name: str
    chains: tuple[Chain, ...]
    assumptions: tuple[Assumption, ...] = ()
    definitions: tuple[Definition, ...] = ()
    distributions: dict[str, Distribution] = field(default_factory=dict)
    vectors: dict[str, tuple[Expr, ...]] = field(default_factory=dict)

    @property
    def steps(self) -> tuple[Step, ...]:
        """All steps of all chains, in source order."""
        return tuple(step for chain in self.chains for step in chain.steps)

    def expand(self, expr: Expr) -> Expr:
        """Substitute the definitions into ``expr`` until none applies (at most one pass per
        definition, so a circular definition cannot loop)."""
        for _ in range(len(self.definitions) + 1):
            expanded = expr
            for definition in self.definitions:
                expanded = definition.apply(expanded)
            if expanded == expr:
                return expr
            expr = expanded
        return expr


# --------------------------------------------------------------------------------------------
# The grammar
# --------------------------------------------------------------------------------------------

START_SYMBOLS = ("body", "assumptions", "definition", "formula")


@lru_cache(maxsize=1)
def grammar() -> Lark:
    """The LALR(1) parser of :file:`proof.lark` (built once)."""
    return Lark.open("proof.lark", rel_to=__file__, parser="lalr", start=list(START_SYMBOLS),
                     propagate_positions=True, maybe_placeholders=True)


_DESCRIPTIONS = {
    "LETTER": "a letter", "NUMBER": "a number", "GREEK": "a Greek letter",
    "ROMAN": "\\mathrm{...}", "KL": "KL", "CALLIGRAPHIC": "\\mathcal{N}",
    "LPAR": "'('", "RPAR": "')'", "LBRACK": "'['", "RBRACK": "']'", "LSET": "'\\{'",
    "RSET": "'\\}'", "LBRACE": "'{'", "RBRACE": "'}'", "LVERT": "\\lvert", "RVERT": "\\rvert",
    "PLUS": "'+'", "MINUS": "'-'", "MULOP": "\\cdot", "DIV": "'/'", "SUB_MARK": "'_'",
    "SUP_MARK": "'^'", "EQ": "'='", "LE": "\\le", "GE": "\\ge", "LT": "'<'", "GT": "'>'",
    "APPROX": "\\approx", "IN": "\\in", "NE": "\\ne", "SEP": "a separator (; | \\|)",
    "COMMA": "','", "ROWSEP": "'\\\\'", "BIGOP": "\\sum, \\prod or \\int",
    "FUNC": "\\log, \\ln, \\exp, \\max or \\min", "FRAC": "\\frac", "SQRT": "\\sqrt",
    "PARTIAL": "\\partial", "PARTIAL_ALONE": "\\partial", "INFTY": "\\infty",
    "BB_E": "\\mathbb{E}", "BB_R": "\\mathbb{R}", "SUBSTACK": "\\substack",
    "TEXT_IF": "\\text{ if }", "TEXT_ELSE": "\\text{ else }",
    "TEXT_OTHERWISE": "\\text{ otherwise }", "$END": "the end of the formula"}

_COMMAND = re.compile(r"\\[a-zA-Z]+|\\.?")


def _describe(expected: Iterable[str]) -> tuple[str, ...]:
    names = sorted(set(expected), key=lambda n: (n not in _DESCRIPTIONS, n))
    return tuple(dict.fromkeys(_DESCRIPTIONS.get(n, n) for n in names))


# --------------------------------------------------------------------------------------------
# Scanning the file
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Snippet:
    """A piece of the source to parse: an environment's content or a comment directive."""

    start_symbol: str
    start: int
    end: int
    environment: str = ""


_DIRECTIVE = re.compile(r"%\s*(assume|assumptions|define)\s*:")
_BEGIN = re.compile(r"\\begin\s*\{\s*(align\*?|equation\*?)\s*\}|\\\[")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)(?:\\\\)*%")


def _blank_comments(source: SourceText) -> tuple[str, list[_Snippet]]:
    """The text with comments replaced by spaces, and the ``% assume:``/``% define:`` lines."""
    text = source.text
    chars = list(text)
    directives: list[_Snippet] = []
    start = 0
    for line in text.split("\n"):
        match = _UNESCAPED_PERCENT.search(line)
        if match is not None:
            comment = match.end() - 1
            directive = _DIRECTIVE.match(line, comment)
            if directive is not None and line[directive.end():].strip() not in ("", "none"):
                kind = "definition" if directive.group(1) == "define" else "assumptions"
                directives.append(_Snippet(kind, start + directive.end(), start + len(line)))
            chars[start + comment:start + len(line)] = " " * (len(line) - comment)
        start += len(line) + 1
    return "".join(chars), directives


def _environments(source: SourceText, math: str) -> list[_Snippet]:
    snippets = []
    position = 0
    while (begin := _BEGIN.search(math, position)) is not None:
        environment = begin.group(1) or "\\["
        closing = "\\]" if environment == "\\[" else None
        if closing is None:
            end = re.compile(r"\\end\s*\{\s*" + re.escape(environment) + r"\s*\}").search(
                math, begin.end())
        else:
            index = math.find(closing, begin.end())
            end = None if index < 0 else re.compile(re.escape(closing)).match(math, index)
        if end is None:
            raise source.error(f"\\begin{{{environment}}} is never closed", begin.start(),
                               begin.group(0))
        snippets.append(_Snippet("body", begin.end(), end.start(), environment))
        position = end.end()
    return snippets


_ANNOTATION_COLUMN = re.compile(r"&&.*?(?=\\\\|\Z)", re.DOTALL)


def _blank_annotations(math: str, snippets: list[_Snippet]) -> str:
    """Blank the annotation column of every row: from ``&&`` to the end of the row
    (``a &= b && \\text{reason, $x > 0$} [\\textsf{proved}] \\\\``), whatever it contains."""
    chars = list(math)
    for snippet in snippets:
        for match in _ANNOTATION_COLUMN.finditer(math, snippet.start, snippet.end):
            for offset in range(match.start(), match.end()):
                if chars[offset] != "\n":
                    chars[offset] = " "
    return "".join(chars)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

def _parse_tree(source: SourceText, math: str, snippet: _Snippet, limits: ParseLimits) -> Tree:
    source.check_nesting(snippet.start, snippet.end, limits)
    # Environments are read from the text with comments blanked; directives are comments.
    text = (math if snippet.start_symbol == "body" else source.text)[snippet.start:snippet.end]
    try:
        tree = grammar().parse(text, start=snippet.start_symbol)
    except UnexpectedInput as exc:
        raise _syntax_error(source, text, snippet, exc) from None
    _check_depth(source, tree, snippet, limits)
    return tree


def _syntax_error(source: SourceText, text: str, snippet: _Snippet,
                  exc: UnexpectedInput) -> ProofSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        offset = int(exc.pos_in_stream or 0)
        found = _COMMAND.match(text, offset)
        word = found.group(0) if found is not None and text[offset] == "\\" else text[offset]
        message = f"unknown command {word}" if word.startswith("\\") and len(word) > 1 \
            else f"unexpected character {word!r}"
        return source.error(message, snippet.start + offset, word, _describe(exc.allowed))
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token: Token = exc.token
        return source.error(f"unexpected {str(token)!r}", snippet.start + (token.start_pos or 0),
                            str(token), _describe(exc.expected))
    expected = exc.expected if isinstance(exc, (UnexpectedEOF, UnexpectedToken)) else ()
    return source.error("the formula ends too early", snippet.end, "", _describe(expected))


_CHAINED = frozenset({"add", "sub", "mul", "div", "body", "assumptions"})
"""Left-recursive rules: a long sum a + b + c + ... is a long list, not deep nesting."""


def _check_depth(source: SourceText, tree: Tree, snippet: _Snippet, limits: ParseLimits) -> None:
    """Reject nesting deeper than ``limits.max_tree_depth`` (``\\log\\log\\log ... x``)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_tree_depth:
            offset = node.meta.start_pos if not node.meta.empty else 0
            raise source.error(f"the formula is nested more than {limits.max_tree_depth} levels "
                               "deep", snippet.start + offset, limit=True)
        for position, child in enumerate(node.children):
            if isinstance(child, Tree):
                chained = position == 0 and child.data in _CHAINED and node.data in _CHAINED
                stack.append((child, depth if chained else depth + 1))


def _transform(source: SourceText, math: str, tree: Tree, snippet: _Snippet,
               table: SymbolTable, limits: ParseLimits) -> tuple[Any, ProofTransformer]:
    transformer = ProofTransformer(table, snippet.start, math, limits)
    try:
        return transformer.transform(tree), transformer
    except VisitError as exc:
        raise _build_error(source, snippet, exc) from None
    except BuildError as exc:
        raise source.error(exc.message, exc.offset if exc.offset is not None
                           else snippet.start) from None


def _build_error(source: SourceText, snippet: _Snippet, exc: VisitError) -> ProofSyntaxError:
    original = exc.orig_exc
    offset = snippet.start
    node = exc.obj
    if isinstance(node, Tree) and not node.meta.empty:
        offset += node.meta.start_pos
    elif isinstance(node, Token) and node.start_pos is not None:
        offset += node.start_pos
    if isinstance(original, BuildError):
        return source.error(original.message, original.offset
                            if original.offset is not None else offset)
    return source.error(f"cannot build this formula ({type(original).__name__}: "
                        f"{str(original)[:200]})", offset)


def _defined_name(tree: Tree) -> str | None:
    """``p`` when a definition's left side is ``p(x)`` (so that it reads as a call everywhere),
    ``delta`` when it is ``\\delta_{ik}`` (so that it is not the Kronecker delta)."""
    target = tree.children[0]
    while isinstance(target, Tree) and target.data == "juxt" and len(target.children) == 1:
        target = target.children[0]
    if isinstance(target, Tree) and target.data == "scripted" and len(target.children) >= 2:
        head, last = target.children[0], target.children[-1]
        if isinstance(head, Tree) and head.data == "name" and isinstance(last, Tree) \
                and last.data in ("call_op", "sub_op"):
            token = head.children[0]
            if isinstance(token, Token) and token.type in ("LETTER", "GREEK"):
                return str(token).lstrip("\\")
    return None


def _text(source: SourceText, start: int, end: int) -> str:
    return " ".join(source.text[start:end].replace("&", " ").split())


def _chains(source: SourceText, rows: list[RowValue], snippet: _Snippet,
            transformer: ProofTransformer) -> list[Chain]:
    """Group the rows of an environment into chains."""
    chains: list[tuple[int, Expr, str, list[Step]]] = []
    for row in rows:
        if row.lead is not None:
            lead = transformer.expr(row.lead)
            lead_end = row.steps[0].relation_offset if row.steps else row.end
            lead_text = _text(source, row.start, lead_end)
            if row.continues and chains:
                _continue_expression(chains[-1], lead, lead_text)
            else:
                chains.append((row.start, lead, lead_text, []))
        for value in row.steps:
            if not chains:
                raise source.error("this line starts with a relation, but there is no "
                                   "expression before it", value.relation_offset)
            if value.relation not in STEP_RELATIONS:
                raise source.error(f"'{value.relation}' is not a step relation; use =, \\le, "
                                   "\\ge, <, > or \\approx", value.relation_offset)
            start, first, first_text, steps = chains[-1]
            lhs, lhs_text = (steps[-1].rhs, steps[-1].rhs_text) if steps else (first, first_text)
            line, column = source.position(value.relation_offset)
            steps.append(Step(line, column, value.relation, lhs, transformer.expr(value.value),
                              lhs_text, _text(source, value.start, value.end)))
    result = []
    for start, _, _, steps in chains:
        if not steps:
            raise source.error("this expression has no relation (=, \\le, ...) to check", start)
        line, column = source.position(start)
        result.append(Chain(line, column, snippet.environment, tuple(steps)))
    return result


def _continue_expression(chain: tuple[int, Expr, str, list[Step]], term: Expr,
                         text: str) -> None:
    """A line starting with + or - adds to the last expression of the chain."""
    start, first, first_text, steps = chain
    if not steps:
        raise ValueError("unreachable: a chain with no steps is continued by its own row")
    last = steps[-1]
    steps[-1] = Step(last.line, last.column, last.relation, last.lhs, last.rhs + term,
                     last.lhs_text, f"{last.rhs_text} {text}")


class _Reading:
    """One reading of all snippets with one symbol table."""

    def __init__(self, source: SourceText, math: str, trees: list[tuple[_Snippet, Tree]],
                 table: SymbolTable, limits: ParseLimits) -> None:
        self.source, self.math, self.table, self.limits = source, math, table, limits
        self.assumptions: list[Assumption] = []
        self.definitions: list[Definition] = []
        self.chains: list[Chain] = []
        # Definitions first; assumption lines and environments in source order, so that a
        # declaration (P = (0.2, 0.8)) holds from its line on, until the name is declared again
        # (symbol facts such as 0 < p_i hold everywhere: they come from the recording pass).
        for snippet, tree in sorted(trees, key=lambda t: (t[0].start_symbol != "definition",
                                                          t[0].start)):
            getattr(self, "_read_" + snippet.start_symbol)(snippet, tree)

    def _read_assumptions(self, snippet: _Snippet, tree: Tree) -> None:
        conditions, _ = _transform(self.source, self.math, tree, snippet, self.table,
                                   self.limits)
        for condition, start, end in conditions:
            line, column = self.source.position(start)
            if isinstance(condition, (Distribution, Tuple)):
                continue  # declarations are kept in the table (distributions, vectors)
            self.assumptions.append(Assumption(line, column, _text(self.source, start, end),
                                               condition))

    def _read_definition(self, snippet: _Snippet, tree: Tree) -> None:
        (target, body, start, end), _ = _transform(self.source, self.math, tree, snippet,
                                                   self.table, self.limits)
        line, column = self.source.position(start)
        self.definitions.append(Definition(line, column, _text(self.source, start, end),
                                           target, body))

    def _read_body(self, snippet: _Snippet, tree: Tree) -> None:
        rows, transformer = _transform(self.source, self.math, tree, snippet, self.table,
                                       self.limits)
        try:
            self.chains.extend(_chains(self.source, rows, snippet, transformer))
        except BuildError as exc:
            raise self.source.error(exc.message, exc.offset if exc.offset is not None
                                    else snippet.start) from None


def parse_proof(text: str | bytes, *, name: str = "<stdin>",
                limits: ParseLimits = DEFAULT_LIMITS) -> ProofDocument:
    """Read a hand proof written in LaTeX into a :class:`ProofDocument`.

    Args:
      text: the file's content (bytes are decoded as strict UTF-8).
      name: the file name used in error messages.
      limits: bounds on the untrusted input (:class:`~symbinfo.parse.source.ParseLimits`).

    Returns:
      The chains (in source order), assumptions, definitions and declared distributions.

    Raises:
      ProofSyntaxError: unreadable input, at its line and column, with what was expected;
        :class:`~symbinfo.parse.errors.ProofLimitError` when a limit is exceeded.

    >>> doc = parse_proof("% assume: 0 < p < 1\\n\\\\[ h = -p \\\\log p \\\\]", name="h.tex")
    >>> doc.assumptions[0].condition, doc.chains[0].steps[0].rhs
    (0 < p, -p*log(p))
    """
    source = SourceText.read(text, name, limits)
    math, directives = _blank_comments(source)
    environments = _environments(source, math)
    math = _blank_annotations(math, environments)
    snippets = sorted(directives + environments, key=lambda s: s.start)
    trees = [(snippet, _parse_tree(source, math, snippet, limits)) for snippet in snippets]
    recording = SymbolTable()
    for snippet, tree in trees:
        if snippet.start_symbol == "definition" and (defined := _defined_name(tree)):
            recording.record_function(defined)
    _Reading(source, math, trees, recording, limits)
    table = SymbolTable(recording.facts)
    reading = _Reading(source, math, trees, table, limits)
    return ProofDocument(name, tuple(sorted(reading.chains, key=lambda c: (c.line, c.column))),
                         tuple(sorted(reading.assumptions, key=lambda a: (a.line, a.column))),
                         tuple(sorted(reading.definitions, key=lambda d: (d.line, d.column))),
                         dict(table.declared_laws), dict(table.vectors))


def parse_formula(text: str, *, name: str = "<formula>",
                  limits: ParseLimits = DEFAULT_LIMITS) -> Expr:
    r"""Read one LaTeX expression (no environment) with the rules of :func:`parse_proof`.

    >>> from sympy import Symbol
    >>> k = Symbol("k", integer=True, positive=True)
    >>> written = parse_formula(r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}")
    >>> written == softmax(symbolic_vector("z"), k)
    True
    """
    source = SourceText.read(text, name, limits)
    snippet = _Snippet("formula", 0, len(source.text))
    tree = _parse_tree(source, source.text, snippet, limits)
    recording = SymbolTable()
    _transform(source, source.text, tree, snippet, recording, limits)
    value, _ = _transform(source, source.text, tree, snippet, SymbolTable(recording.facts),
                          limits)
    return value  # type: ignore[no-any-return]
