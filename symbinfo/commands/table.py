"""Plain-text tables for the human-readable output of the subcommands."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell, a rule under the header.

    >>> print(format_table(["a", "bb"], [[1, 2]]))
    a  bb
    -  --
    1  2
    """
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip()
             for row in (header, ["-" * w for w in widths], *rows)]
    return "\n".join(lines)
