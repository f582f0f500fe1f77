"""Rendering verified derivations: a LaTeX ``align*`` fragment, a standalone LaTeX document,
Markdown with ``$$`` math (GitHub renders it), and the Jupyter ``_repr_*_`` hooks of
:class:`~symbinfo.derive.chain.Derivation`."""

from symbinfo.render.latex import latex_document
from symbinfo.render.latex import latex_fragment
from symbinfo.render.latex import latex_math
from symbinfo.render.latex import verdict_tag
from symbinfo.render.markdown import markdown

__all__ = ["latex_document", "latex_fragment", "latex_math", "markdown", "verdict_tag"]
