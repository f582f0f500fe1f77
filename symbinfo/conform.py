r"""Conformance: how far an implementation is from the reference values, in ULPs.

An implementation runs on every case of a reference file (:mod:`symbinfo.refs`), in float64
or float32, and each output is compared with the exact reference value:

.. math:: \mathrm{err} = \frac{|\hat y - y|}{\operatorname{ulp}(\mathrm{fl}(y))}

in the dtype under test (:func:`symbinfo.accuracy.ulp_error`). A non-finite output where the
reference is finite (or the wrong infinity) counts as an infinite error and is listed.

The adapter protocol, for ``--impl MODULE:CALLABLE`` and :func:`conform`: an implementation
is a callable ``implementation(kernel, inputs)`` that takes the reference kernel's name
(``"kl_divergence"``, ``"softmax_cross_entropy[labels]"``, ...) and a dict of its named inputs
(NumPy arrays and scalars already in the dtype under test; labels as ints; see
:mod:`symbinfo.adapters` for the names), and returns the value (a scalar, or a vector for
per-class kernels). It raises ``NotImplementedError`` for kernels it does not provide.

>>> from symbinfo.refs.generate import reference_set
>>> report = conform(built_in("scipy"), reference_set("entropy", "typical", long=False),
...                  "float64", name="scipy")
>>> report.cases > 0 and report.max_ulp < 16
True
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from symbinfo.accuracy import ulp_error
from symbinfo.adapters import BUILT_IN
from symbinfo.refs.files import ReferenceCase, ReferenceSet, ReferenceValue

Implementation = Callable[[str, Mapping[str, Any]], Any]


@dataclass
class ConformanceReport:
    """The errors of one implementation on one reference set, in one dtype."""

    implementation: str
    kernel: str
    dtype: str
    cases: int = 0
    max_ulp: float = 0.0
    median_ulp: float = 0.0
    worst: str = ""
    """The class and inputs of the case with the largest error."""
    nonfinite: list[str] = field(default_factory=list)
    """Outputs that are not finite where the reference is (or the wrong infinity)."""
    failures: list[str] = field(default_factory=list)
    """Cases on which the implementation raised an exception."""
    exceeding: list[str] = field(default_factory=list)
    """With a ``max_ulp``: the first :data:`MAX_EXCEEDING` outputs beyond it, each with its
    case, the expected and returned values and the error."""
    implemented: bool = True

    def as_record(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"implementation": self.implementation, "kernel": self.kernel,
                "dtype": self.dtype, "implemented": self.implemented, "cases": self.cases,
                "max_ulp": self.max_ulp, "median_ulp": self.median_ulp, "worst": self.worst,
                "nonfinite": self.nonfinite, "failures": self.failures}


def built_in(name: str) -> Implementation:
    """A built-in implementation by name (``numpy``, ``scipy``, ``torch``, ``jax``, ``symbinfo``)."""
    if name not in BUILT_IN:
        raise ValueError(f"unknown implementation {name!r}; built in: {', '.join(BUILT_IN)}, "
                         "or MODULE:CALLABLE")
    kernels = BUILT_IN[name]()

    def implementation(kernel: str, inputs: Mapping[str, Any]) -> Any:
        if kernel not in kernels:
            raise NotImplementedError(kernel)
        return kernels[kernel](inputs)
    return implementation


def load_implementation(spec: str) -> Implementation:
    """A built-in name, or ``MODULE:CALLABLE`` importing the user's own adapter."""
    if ":" not in spec:
        return built_in(spec)
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    implementation = getattr(module, attribute, None)
    if not callable(implementation):
        raise ValueError(f"{spec}: {attribute!r} is not a callable of module {module_name}")
    return implementation  # type: ignore[no-any-return]


def _cast(inputs: Mapping[str, Any], dtype: np.dtype[Any]) -> dict[str, Any]:
    cast: dict[str, Any] = {}
    for name, value in inputs.items():
        if isinstance(value, int):
            cast[name] = value
        elif isinstance(value, list):
            cast[name] = np.asarray(value, dtype=np.float64).astype(dtype)
        else:
            cast[name] = dtype.type(value)
    return cast


def _first_inexact_input(reference: ReferenceSet, dtype: np.dtype[Any]) -> str | None:
    """The first float input of ``reference`` that ``dtype`` cannot hold exactly, described."""
    for case in reference.cases:
        for name, value in case.inputs.items():
            values = np.ravel(np.asarray(value, dtype=np.float64))
            with np.errstate(over="ignore", under="ignore"):
                exact = values.astype(dtype).astype(np.float64)
            bad = np.flatnonzero((exact != values) & ~np.isnan(values))
            if bad.size:
                return f"{name}={float(values[bad[0]])!r} of case {case.case_class!r}"
    return None


def _truth(value: ReferenceValue) -> Any:
    return mpmath.mpf(value.decimal)


def short_decimal(value: ReferenceValue, digits: int = 20) -> str:
    """A reference value's decimal digits, shortened to ``digits`` significant digits.

    >>> short_decimal(ReferenceValue("-1.4880303904083343851838e-43", None, None, True), 5)
    '-1.488e-43'
    """
    with mpmath.workdps(digits + 5):
        return mpmath.nstr(mpmath.mpf(value.decimal), digits)


def describe(case: ReferenceCase, limit: int = 120) -> str:
    """A case's class and (shortened) inputs, for reports."""
    parts = []
    for name, value in case.inputs.items():
        shown = repr(value) if not isinstance(value, list) else \
            "[" + ", ".join(repr(v) for v in value[:4]) + (", ..." if len(value) > 4 else "") \
            + "]"
        parts.append(f"{name}={shown}")
    text = f"{case.case_class} ({', '.join(parts)})"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def case_errors(implementation: Implementation, reference: ReferenceSet, case: ReferenceCase,
                dtype: np.dtype[Any]) -> list[tuple[float, float, ReferenceValue]]:
    """``(ulp error, got, expected)`` for every output of one case; raises what the
    implementation raises."""
    expected = case.output if isinstance(case.output, list) else [case.output]
    with np.errstate(all="ignore"):
        got = np.ravel(np.asarray(implementation(reference.kernel, _cast(case.inputs, dtype)),
                                  dtype=np.float64))
    if got.size != len(expected):
        raise ValueError(f"returned {got.size} values, expected {len(expected)}")
    digits = int(reference.metadata.get("dps", 50)) + 10
    with mpmath.workdps(digits):
        return [(ulp_error(float(g), _truth(e), dtype), float(g), e)
                for g, e in zip(got, expected)]


MAX_EXCEEDING = 10
"""How many outputs beyond ``max_ulp`` a report describes."""


def _exceeding_line(case: ReferenceCase, error: float, got: float, expected: ReferenceValue,
                    dtype: str) -> str:
    rounded = expected.float64 if dtype == "float64" else expected.float32
    return (f"{describe(case)}: expected {short_decimal(expected)} (float: {rounded!r}), "
            f"got {got!r}, error {error:.4g} ULP")


def conform(implementation: Implementation, reference: ReferenceSet, dtype: str = "float64",
            *, name: str = "implementation", max_ulp: float | None = None) -> ConformanceReport:
    """Run ``implementation`` on every case of ``reference`` in ``dtype`` and report the errors;
    with ``max_ulp``, also describe the first outputs beyond it (``report.exceeding``).

    >>> from symbinfo.refs.generate import reference_set
    >>> refs = reference_set("logsumexp", "adversarial", long=False)
    >>> print(conform(built_in("numpy"), refs, name="numpy").nonfinite[0])  # exp overflows
    z=[710.,  0.,  0.,  0.]... (z=[710.0, 0.0, 0.0, 0.0, ...]): got inf, expected 710.0
    """
    np_dtype = np.dtype(dtype)
    inexact = _first_inexact_input(reference, np_dtype)
    if inexact is not None:
        raise ValueError(f"{reference.kernel}: the input {inexact} is not exactly representable "
                         f"in {dtype}, so a {dtype} implementation would solve another problem; "
                         f"compare with references made by 'symbinfo refs --input-dtype {dtype}'")
    report = ConformanceReport(name, reference.kernel, dtype)
    errors: list[float] = []
    worst = -1.0
    for case in reference.cases:
        try:
            results = case_errors(implementation, reference, case, np_dtype)
        except NotImplementedError:
            report.implemented = False
            return report
        except Exception as error:  # the implementation's own failure, reported per case
            report.failures.append(f"{describe(case)}: {type(error).__name__}: {error}")
            continue
        for error, got, expected in results:
            if max_ulp is not None and error > max_ulp and len(report.exceeding) < MAX_EXCEEDING:
                report.exceeding.append(_exceeding_line(case, error, got, expected, dtype))
            if error == math.inf:
                report.nonfinite.append(f"{describe(case)}: got {got!r}, expected "
                                        f"{short_decimal(expected)}")
                continue
            errors.append(error)
            if error > worst:
                worst, report.worst = error, describe(case)
    report.cases = len(reference.cases)
    if errors:
        report.max_ulp = float(np.max(errors))
        report.median_ulp = float(np.median(errors))
    if report.nonfinite or report.failures:
        report.max_ulp = math.inf
    return report
