r"""Assertions for users' own test suites: compare a function with symbinfo's reference values.

>>> import numpy as np
>>> from symbinfo.refs.generate import reference_set
>>> refs = reference_set("kl_divergence", "typical", long=False)
>>> report = assert_matches_reference(
...     lambda p, q: np.sum(p * np.log(p / q)), refs, max_ulp=64)
>>> report.cases
20
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Union

from symbinfo.conform import ConformanceReport, conform
from symbinfo.refs.files import ReferenceSet, load

MAX_SHOWN = 10
"""How many failing cases an assertion message lists."""


def assert_matches_reference(function: Callable[..., Any],
                             references: Union[ReferenceSet, str, os.PathLike[str]], *,
                             max_ulp: float, dtype: str = "float64") -> ConformanceReport:
    r"""Assert that ``function`` is within ``max_ulp`` ULPs of the reference values.

    Args:
      function: called with the case's inputs as keyword arguments (``p=..., q=...``; see
        :mod:`symbinfo.adapters` for the names) in ``dtype``; returns the value (a scalar, or
        a vector for per-class kernels).
      references: a :class:`~symbinfo.refs.files.ReferenceSet` or the path of a JSON reference
        file written by ``symbinfo refs``.
      max_ulp: the largest error allowed, in units in the last place of ``dtype``.
      dtype: ``"float64"`` or ``"float32"`` (then use references made with
        ``--input-dtype float32``).

    Returns:
      The :class:`~symbinfo.conform.ConformanceReport`, when every case passes.

    Raises:
      AssertionError: listing up to :data:`MAX_SHOWN` failing cases with their inputs, the
        expected value, the value returned and the error in ULPs; non-finite results where the
        reference is finite and exceptions raised by ``function`` fail too.
    """
    reference = references if isinstance(references, ReferenceSet) else load(references)

    def implementation(kernel: str, inputs: Mapping[str, Any]) -> Any:
        return function(**inputs)

    report = conform(implementation, reference, dtype,
                     name=getattr(function, "__name__", "fn"), max_ulp=max_ulp)
    if report.max_ulp <= max_ulp:
        return report
    lines = [f"{report.implementation} is not within {max_ulp} ULP of the {reference.kernel} "
             f"references in {dtype}: max {report.max_ulp:.4g} ULP, median "
             f"{report.median_ulp:.4g} ULP over {len(reference.cases)} cases"]
    lines += [f"  raised: {failure}" for failure in report.failures[:MAX_SHOWN]]
    lines += [f"  {line}" for line in report.exceeding[:MAX_SHOWN - len(lines) + 1]]
    raise AssertionError("\n".join(lines))


__all__ = ["assert_matches_reference"]
