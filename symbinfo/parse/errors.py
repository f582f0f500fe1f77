r"""Errors of the proof parser: every failure names the source line and column.

A :class:`ProofSyntaxError` carries the file name, the 1-based line and column, the
offending text, what was expected there, and the source line, and prints like a compiler
message::

    proof.tex:3:14: unexpected ')'; expected one of: a letter, a number, '('
      H(P) &= -\sum_i )
                      ^

>>> error = ProofSyntaxError("unexpected ')'", name="proof.tex", line=1, column=6,
...                          text=")", expected=("a number",), source_line="a &= )")
>>> print(error)
proof.tex:1:6: unexpected ')'; expected one of: a number
  a &= )
       ^
"""

from __future__ import annotations

from collections.abc import Sequence


class ProofSyntaxError(ValueError):
    """A hand proof that cannot be read: bad syntax, an ambiguous reading, or a limit exceeded.

    Attributes:
      message: what is wrong, in words.
      name: the file name (``"<stdin>"`` for text).
      line, column: 1-based position of the offending text.
      text: the offending text (shortened when long).
      expected: descriptions of what would have been accepted there (may be empty).
      source_line: the source line containing the position (shortened when long).
    """

    def __init__(self, message: str, *, name: str = "<stdin>", line: int = 1, column: int = 1,
                 text: str = "", expected: Sequence[str] = (), source_line: str = "") -> None:
        self.message = message
        self.name = name
        self.line = line
        self.column = column
        self.text = shorten(text)
        self.expected = tuple(expected)
        self.source_line = source_line
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.name}:{self.line}:{self.column}: {self.message}"
        if self.expected:
            head += "; expected one of: " + ", ".join(self.expected)
        if not self.source_line:
            return head
        line, caret = excerpt(self.source_line, self.column)
        return f"{head}\n  {line}\n  {caret}"


class ProofLimitError(ProofSyntaxError):
    """The input exceeds a size, nesting or number limit
    (see :class:`~symbinfo.parse.source.ParseLimits`)."""


def shorten(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, for messages.

    >>> shorten("x" * 100, 10)
    'xxxxxxx...'
    """
    return text if len(text) <= width else text[:width - 3] + "..."


def excerpt(line: str, column: int, width: int = 100) -> tuple[str, str]:
    """The part of ``line`` around ``column`` (at most ``width`` characters) and a caret under it.

    >>> excerpt("abc", 2)
    ('abc', ' ^')
    """
    line = line.replace("\t", " ")
    start = max(0, column - 1 - width // 2) if len(line) > width else 0
    shown = line[start:start + width]
    return shown, " " * (column - 1 - start) + "^"
