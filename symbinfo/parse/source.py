r"""Reading untrusted proof text: decoding, size limits, positions.

Everything here runs *before* the grammar and SymPy see the text, so hostile input is
rejected while it is still cheap: invalid UTF-8, a file or line that is too long, too many
lines, and brackets nested too deeply are reported with their line and column.

Positions are 0-based character offsets internally; :meth:`SourceText.error` turns an offset
into a :class:`~symbinfo.parse.errors.ProofSyntaxError` at a 1-based line and column.

>>> source = SourceText.read(b"a &= b\n\xff", name="p.tex")
Traceback (most recent call last):
...
symbinfo.parse.errors.ProofSyntaxError: p.tex:2:1: invalid UTF-8: byte 0xff cannot be decoded
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from symbinfo.parse.errors import ProofLimitError, ProofSyntaxError


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on untrusted input, checked before any SymPy object is built.

    Attributes:
      max_bytes: size of the whole input.
      max_lines: number of lines.
      max_line_length: characters in one line.
      max_nesting: depth of nested ``{ ( [`` and ``\\left`` groups.
      max_tree_depth: depth of the parse tree of one environment or comment line.
      max_number_digits: digits in one numeric literal.
      max_power_bits: bits of an exact numeric power :math:`a^b` evaluated while parsing
        (``10^{10^{10}}`` is rejected, not computed).
    """

    max_bytes: int = 256 * 1024
    max_lines: int = 5000
    max_line_length: int = 4000
    max_nesting: int = 50
    max_tree_depth: int = 400
    max_number_digits: int = 100
    max_power_bits: int = 100_000


DEFAULT_LIMITS = ParseLimits()
"""The limits :func:`~symbinfo.parse.document.parse_proof` uses unless given others."""

_OPENERS = {"{": "}", "(": ")", "[": "]"}


class SourceText:
    """Decoded proof text with its name, and conversion of offsets to line and column."""

    def __init__(self, text: str, name: str = "<stdin>") -> None:
        self.text = text
        self.name = name
        self._line_starts = [0] + [k + 1 for k, char in enumerate(text) if char == "\n"]

    @classmethod
    def read(cls, data: str | bytes, name: str = "<stdin>",
             limits: ParseLimits = DEFAULT_LIMITS) -> "SourceText":
        """Decode ``data`` (strict UTF-8 for bytes) and check the size limits.

        >>> SourceText.read("x" * 10, limits=ParseLimits(max_bytes=5))
        Traceback (most recent call last):
        ...
        symbinfo.parse.errors.ProofLimitError: <stdin>:1:1: the input has 10 bytes; the limit is 5
        """
        size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
        if size > limits.max_bytes:
            raise ProofLimitError(f"the input has {size} bytes; the limit is {limits.max_bytes}",
                                  name=name)
        if isinstance(data, bytes):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                good = data[:exc.start].decode("utf-8")
                source = cls(good, name)
                byte = data[exc.start]
                raise source.error(f"invalid UTF-8: byte 0x{byte:02x} cannot be decoded",
                                   len(good)) from None
        else:
            text = data
        source = cls(text, name)
        source._check_lines(limits)
        return source

    def _check_lines(self, limits: ParseLimits) -> None:
        count = len(self._line_starts)
        if count > limits.max_lines:
            raise self.error(f"the input has {count} lines; the limit is {limits.max_lines}",
                             self._line_starts[limits.max_lines], limit=True)
        for number, start in enumerate(self._line_starts):
            end = self._line_starts[number + 1] - 1 if number + 1 < count else len(self.text)
            if end - start > limits.max_line_length:
                raise self.error(f"line {number + 1} has {end - start} characters; the limit is "
                                 f"{limits.max_line_length}", start + limits.max_line_length,
                                 limit=True)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based ``(line, column)`` of a character offset.

        >>> SourceText("ab\\ncd").position(4)
        (2, 2)
        """
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of the 1-based ``line``, without its newline."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end]

    def error(self, message: str, offset: int, text: str = "", expected: tuple[str, ...] = (),
              *, limit: bool = False) -> ProofSyntaxError:
        """A :class:`ProofSyntaxError` (or :class:`ProofLimitError`) at ``offset``."""
        offset = min(max(offset, 0), len(self.text))
        line, column = self.position(offset)
        kind = ProofLimitError if limit else ProofSyntaxError
        return kind(message, name=self.name, line=line, column=column, text=text,
                    expected=expected, source_line=self.line_text(line))

    def check_nesting(self, start: int, end: int, limits: ParseLimits) -> None:
        """Reject ``{ ( [`` groups nested deeper than ``limits.max_nesting`` in a slice.

        Counting is lexical (escaped ``\\{`` counts as a bracket too) and runs before parsing,
        so 10\\ :sup:`4` nested braces cost one linear scan, not a recursion.
        """
        depth = 0
        for offset in range(start, end):
            char = self.text[offset]
            if char in _OPENERS:
                depth += 1
                if depth > limits.max_nesting:
                    raise self.error(f"brackets are nested more than {limits.max_nesting} deep",
                                     offset, char, limit=True)
            elif char in "})]":
                depth = max(depth - 1, 0)
