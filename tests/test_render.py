"""Tests of the renderers: a reviewed golden LaTeX file, Markdown, the Jupyter hooks, the
repository's derivations/ directory being fresh, and the standalone document compiling."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sympy import Symbol, log

from symbinfo.assumptions import Assumptions, positive
from symbinfo.derive.chain import Derivation
from symbinfo.derive.library import build, verify_library
from symbinfo.render import latex_fragment, markdown
from symbinfo.render.files import DOCUMENT, library_files

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def test_latex_fragment_matches_the_reviewed_golden_file():
    result = build("cross_entropy_decomposition").verify()
    expected = (GOLDEN / "cross_entropy_decomposition.tex").read_text(encoding="utf-8")
    assert latex_fragment(result) == expected


def _refuted_example():
    x, y = Symbol("x"), Symbol("y")
    d = Derivation("wrong_log", "A wrong log rule", Assumptions(positive(x), positive(y)))
    return d.start(log(x + y)).equals(log(x) + log(y), "not a log rule")


def test_latex_and_markdown_show_each_step_verdict():
    d = _refuted_example()
    tex, md = latex_fragment(d.verify()), markdown(d.verify())
    assert r"\begin{align*}" in tex and r"\text{not a log rule}\quad [\textsf{refuted}]" in tex
    assert "% verdict: refuted" in tex
    assert md.count("$$") == 2 and r"\begin{aligned}" in md
    assert "| (1) | not a log rule | refuted |" in md


def test_jupyter_hooks_render_the_verified_derivation():
    d = _refuted_example()
    latex = d._repr_latex_()
    assert latex.startswith(r"\begin{align*}") and latex.endswith(r"\end{align*}")
    assert latex in latex_fragment(d.result())
    assert d._repr_markdown_().startswith("### A wrong log rule")


def test_derivations_directory_is_fresh():
    """Fails when derivations/ is stale: regenerate with `symbinfo derive`."""
    files = library_files(verify_library())
    on_disk = {path.name for path in (ROOT / "derivations").iterdir() if path.is_file()}
    assert set(files) <= on_disk, f"missing: {sorted(set(files) - on_disk)}"
    stale = [name for name, content in files.items()
             if (ROOT / "derivations" / name).read_text(encoding="utf-8") != content]
    assert not stale, f"stale (run `symbinfo derive`): {stale}"


def test_standalone_document_compiles_with_pdflatex(tmp_path):
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is required in CI (texlive-latex-base, "
                        "texlive-latex-recommended)")
        pytest.skip("pdflatex is not installed")
    (tmp_path / DOCUMENT).write_text(library_files(verify_library())[DOCUMENT], encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", DOCUMENT],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0 and not errors, "\n".join(errors) or run.stdout[-2000:]
    assert (tmp_path / "derivations.pdf").stat().st_size > 10_000
