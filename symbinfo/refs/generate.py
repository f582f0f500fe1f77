r"""Generating reference values: the kernels' definitions evaluated rigorously, case by case.

For a kernel of :mod:`symbinfo.kernels`, the inputs come from the accuracy suites of
:mod:`symbinfo.accuracy` (or from a user's file, :mod:`symbinfo.refs.inputs`) and the values
from the kernel's *un-rewritten* definition, compiled for ball arithmetic
(:mod:`symbinfo.refs.evaluate`). A value the conventions make infinite (:math:`+\infty` where
:math:`q = 0 < p`) is evaluated by the mpmath evaluator of :mod:`symbinfo.accuracy`, which
implements the conventions on the extended reals.

Work is split into chunks of cases and mapped over any ``concurrent.futures.Executor``: the
current process (``workers=1``), a local process pool, or a Dask cluster's executor. Cases are
evaluated independently and reassembled in order, so the result does not depend on the
executor or the number of workers.

>>> refs = reference_set("entropy", "typical", dps=45, long=False)
>>> refs.cases[0].output.certified
True
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib import metadata as importlib_metadata
from typing import Any

import flint
import mpmath
import numpy as np
import sympy

from symbinfo import __version__, accuracy, kernels
from symbinfo.refs.evaluate import (CompiledDefinition, compile_definition,
                                    definition_arguments, evaluate, starting_precision)
from symbinfo.refs.files import ReferenceCase, ReferenceSet, ReferenceValue, with_text
from symbinfo.refs.floats import BINARY32, BINARY64, round_to_float

SUITES = ("typical", "adversarial", "all")
CHUNK_SIZE = 16
"""Fewest cases per task sent to an executor (many small cases are sent in about
:func:`_task_count` tasks, so that pickling does not dominate)."""
TASKS = 64
"""Tasks for an executor whose number of workers is unknown (a Dask cluster's)."""
TASKS_PER_WORKER = 8
"""Tasks per worker of a local pool: enough to even out the workers' loads, few enough that
the pool's own cost per task (0.1 to 0.2 ms of the gathering process's time, as much as a few
values) stays small."""
LONG_LENGTHS = (10 ** 5,)
"""Lengths of the long vectors in reference suites (the accuracy check also uses 10**7, which
is too long to evaluate rigorously in reasonable time)."""

Progress = Callable[[int, int], None]
"""A callback ``progress(done, total)``."""


@dataclass(frozen=True)
class CaseInput:
    """One reference case before evaluation: its class and its inputs (NumPy arrays for
    vectors, Python numbers for scalars)."""

    case_class: str
    inputs: dict[str, Any]


@lru_cache(maxsize=None)
def _kernel_specs() -> dict[str, accuracy.KernelSpec]:
    """:func:`accuracy.kernel_specs`, built once per process (it builds every kernel's SymPy
    definition: tens of milliseconds, more than a thousand reference values take)."""
    return accuracy.kernel_specs()


def kernel_names() -> list[str]:
    """The kernels that have reference values (the names of :func:`accuracy.kernel_specs`)."""
    return list(_kernel_specs())


def resolve_kernels(names: Sequence[str]) -> list[str]:
    """Expand function names to reference kernels: ``softmax_cross_entropy`` means both its
    integer-label and soft-target variants (``softmax_cross_entropy[labels]``, ``[soft]``).

    >>> resolve_kernels(["kl_divergence", "softmax_cross_entropy"])
    ['kl_divergence', 'softmax_cross_entropy[labels]', 'softmax_cross_entropy[soft]']
    """
    known = kernel_names()
    resolved: list[str] = []
    for name in names:
        matches = [k for k in known if k == name or k.startswith(name + "[")]
        if not matches:
            raise ValueError(f"unknown kernel {name!r}; known: {', '.join(known)}")
        resolved += [m for m in matches if m not in resolved]
    return resolved


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------

INPUT_DTYPES = ("float64", "float32")


def _exact_inputs(arrays: dict[str, Any], input_dtype: str = "float64") -> dict[str, Any]:
    """Inputs as stored: floats rounded to ``input_dtype`` (held as float64), labels as ints.

    Rounding is idempotent, so inputs rounded once (:func:`case_inputs`) may be rounded again.
    """
    stored: dict[str, Any] = {}
    for name, value in arrays.items():
        if isinstance(value, float):  # a scalar (elementwise kernels): no array needed
            stored[name] = _rounded(value, input_dtype)
            continue
        array = np.asarray(value)
        if array.dtype.kind in "iu":  # np.issubdtype(array.dtype, np.integer)
            stored[name] = array.astype(np.int64) if array.ndim else int(array)
            continue
        rounded = _rounded(array, input_dtype)
        stored[name] = rounded if rounded.ndim else float(rounded)
    return stored


def _rounded(value: Any, input_dtype: str) -> Any:
    """A float, or a new array of floats, rounded to ``input_dtype`` and held as float64."""
    if input_dtype == "float64" and isinstance(value, float):
        return float(value)
    if input_dtype == "float64" and value.dtype == np.float64:
        return value.copy()
    with np.errstate(over="ignore", under="ignore"):
        if isinstance(value, float):
            return float(np.float32(value))
        return value.astype(input_dtype).astype(np.float64)


def case_inputs(kernel: str, suite: str, *, seed: int = 0, long: bool = True,
                input_dtype: str = "float64") -> list[CaseInput]:
    """The reference cases of ``kernel`` on ``suite``: one per accuracy case, and one per element
    for elementwise kernels (whose accuracy cases are grids). With ``input_dtype="float32"`` the
    inputs are rounded to float32 first, so that float32 implementations see exactly them."""
    suites = ("typical", "adversarial") if suite == "all" else (suite,)
    spec = _kernel_specs()[kernel]
    expanded = []
    for name in suites:
        lengths = LONG_LENGTHS if long else ()
        for label, arrays in accuracy.cases(kernel, name, seed=seed, long=lengths):
            if spec.shape != "elementwise":
                expanded.append(CaseInput(label, _exact_inputs(arrays, input_dtype)))
                continue
            columns = {k: np.ravel(v) for k, v in arrays.items()}
            for row in zip(*columns.values()):
                inputs = _exact_inputs(dict(zip(columns, row)), input_dtype)
                description = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
                expanded.append(CaseInput(f"{label}: {description}", inputs))
    return expanded


# --------------------------------------------------------------------------------------------
# Evaluation (runs in workers)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _compiled(kernel: str) -> tuple[accuracy.KernelSpec, CompiledDefinition]:
    spec = _kernel_specs()[kernel]
    per_output = kernels.CLASS if spec.shape == "per_class" else None
    arguments = definition_arguments(spec.definition, per_output)
    return spec, compile_definition(spec.definition, arguments, per_output)


def _mpmath_value(value: Any, dps: int) -> ReferenceValue:
    """A value from the mpmath evaluator: infinities and NaN are exact by the conventions; a
    finite value has no error bound, so its roundings are given but not certified."""
    if mpmath.isnan(value):
        return ReferenceValue("nan", math.nan, math.nan, True)
    if mpmath.isinf(value):
        infinity = math.inf if value > 0 else -math.inf
        return ReferenceValue("inf" if value > 0 else "-inf", infinity, infinity, True)
    mantissa, exponent = value.man_exp
    exact = Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
    return ReferenceValue(mpmath.nstr(value, dps, strip_zeros=False),
                          round_to_float(exact, BINARY64), round_to_float(exact, BINARY32),
                          certified=False)


def _evaluate_case(kernel: str, inputs: dict[str, Any], dps: int) \
        -> ReferenceValue | list[ReferenceValue]:
    """Ball arithmetic first; the mpmath evaluator where a value is not finite."""
    spec, compiled = _compiled(kernel)
    bindings = spec.bindings(inputs, None)
    outputs = None
    if compiled.per_output is not None:
        outputs = list(range(1, len(inputs["z"]) + 1))
    value = evaluate(compiled, bindings, dps=dps, outputs=outputs)
    if value is not None:
        return value
    with mpmath.workdps(dps + 20):
        if outputs is None:
            return _mpmath_value(accuracy.Reference(spec.definition, bindings).value(), dps)
        reference = accuracy.Reference(spec.definition, bindings, (kernels.CLASS,))
        return [_mpmath_value(reference.value(None, {kernels.CLASS: k}), dps)
                for k in outputs]


Task = tuple[str, int, str, Iterable[tuple[str, dict[str, Any]]], bool]
"""A chunk of work: ``(kernel, dps, input_dtype, [(case class, inputs), ...], texts)`` (the
cases a list, or :class:`_Columns`; ``texts``: make each case's JSON text too)."""


@dataclass(frozen=True)
class _Columns:
    """A chunk of cases as columns, for another process: per input, one 2-D array of its float
    vectors (a row per case), or the list of its values. An array pickles as one buffer, where
    a list per case pickles and unpickles a Python float per entry. Iterating gives the cases
    back, each float vector a row of its array (the same floats, bit for bit)."""

    classes: list[str]
    columns: dict[str, Any]

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        columns = self.columns.items()
        for row, case_class in enumerate(self.classes):
            yield case_class, {name: column[row] for name, column in columns}


def _as_columns(cases: Sequence[CaseInput]) -> _Columns | None:
    """The cases as :class:`_Columns`, or None unless they name the same inputs in the same
    order and each input is, in every case, a float vector (:func:`_is_float_vector`) of
    one length, or, in every case, not an array."""
    names = list(cases[0].inputs)
    if any(list(case.inputs) != names for case in cases):
        return None
    columns: dict[str, Any] = {}
    for name in names:
        values = [case.inputs[name] for case in cases]
        if all(map(_is_float_vector, values)) and len({len(v) for v in values}) == 1:
            columns[name] = np.array(values)
        elif any(isinstance(v, np.ndarray) for v in values):
            return None
        else:
            columns[name] = values
    return _Columns([case.case_class for case in cases], columns)


def _task_case(case: CaseInput, crossing: bool) -> tuple[str, dict[str, Any]]:
    """A case as put in a task: a tuple, and where the task goes to another process
    (``crossing``), float vectors as lists; these pickle several times faster than the
    dataclass and NumPy arrays, and ``np.asarray`` reads the lists back exactly."""
    if not crossing:
        return case.case_class, case.inputs
    return case.case_class, {name: value.tolist() if _is_float_vector(value) else value
                             for name, value in case.inputs.items()}


def _is_float_vector(value: Any) -> bool:
    """A plain 1-D float64 array (not a subclass: a masked array's list would differ)."""
    return type(value) is np.ndarray and value.ndim == 1 and value.dtype.char == "d"


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building many small objects (cases, values, and
    their unpickling) otherwise triggers full collections of the whole heap (SymPy's included)
    that cost more than the objects. What is built here has no reference cycles, and
    reference counting frees it as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _precision(bits: int) -> Iterator[None]:
    """Run with arb's working precision at ``bits``, then restore it."""
    saved = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield
    finally:
        flint.ctx.prec = saved


def evaluate_chunk(task: Task) -> list[ReferenceCase]:
    """The reference cases of a chunk of cases, in order: inputs rounded to ``input_dtype``
    and stored, values evaluated, and with ``texts`` each case's JSON text made
    (:func:`~symbinfo.refs.files.with_text`). A module-level function, so executors can pickle
    it; the cases come back whole, so the process that gathers them (and writes the file) only
    concatenates."""
    kernel, dps, input_dtype, cases, texts = task
    reference_cases = []
    with _without_cyclic_gc(), _precision(starting_precision(dps)):
        for case_class, raw_inputs in cases:
            inputs = _exact_inputs(raw_inputs, input_dtype)
            case = ReferenceCase(case_class, _stored(inputs), _evaluate_case(kernel, inputs, dps))
            reference_cases.append(with_text(case) if texts else case)
    return reference_cases


# --------------------------------------------------------------------------------------------
# Reference sets
# --------------------------------------------------------------------------------------------

def _chunks(items: Sequence[CaseInput], size: int, crossing: bool) \
        -> Iterator[Iterable[tuple[str, dict[str, Any]]]]:
    """The cases of each task: as columns where the task goes to another process
    (``crossing``) and they allow it, else as a list of :func:`_task_case` tuples."""
    for start in range(0, len(items), size):
        chunk = items[start:start + size]
        columns = _as_columns(chunk) if crossing else None
        yield columns if columns is not None else [_task_case(case, crossing) for case in chunk]


def _task_count(executor: Executor | None) -> int:
    """About how many tasks to split the cases into: :data:`TASKS_PER_WORKER` per worker of a
    local pool (``concurrent.futures`` pools record their size), else :data:`TASKS`."""
    workers = getattr(executor, "_max_workers", None)
    return TASKS_PER_WORKER * workers if isinstance(workers, int) else TASKS


@lru_cache(maxsize=None)
def _definition_texts(kernel: str) -> dict[str, str]:
    """The kernel's definition as LaTeX and as SymPy text (printed once per process: it
    takes about a millisecond)."""
    definition = _kernel_specs()[kernel].definition
    return {"definition_latex": sympy.latex(definition),
            "definition_sympy": sympy.sstr(definition)}


@lru_cache(maxsize=None)
def _versions() -> dict[str, str]:
    """The versions of the packages the values depend on (read once per process: the
    package metadata lookup takes a fraction of a millisecond)."""
    return {"symbinfo_version": __version__, "mpmath_version": mpmath.__version__,
            "flint_version": flint.__version__, "numpy_version": np.__version__,
            "sympy_version": importlib_metadata.version("sympy")}


def metadata(kernel: str, *, dps: int, seed: int, suite: str,
             input_dtype: str = "float64") -> dict[str, Any]:
    """The metadata of a reference set (no times or host names: files are reproducible)."""
    spec, compiled = _compiled(kernel)
    return {**_versions(), "dps": dps, "seed": seed, "suite": suite,
            "input_dtype": input_dtype, **_definition_texts(kernel),
            "output": {"scalar": "one value per case",
                       "per_class": "one value per class (a list per case)",
                       "elementwise": "one value per case (per element of the grid)"}[
                spec.shape],
            "evaluation": "the un-rewritten definition in arb ball arithmetic (python-flint) "
                          "at adaptive precision; infinite values by the conventions in mpmath"}


def reference_set(kernel: str, suite: str = "adversarial", *, dps: int = 50, seed: int = 0,
                  long: bool = True, input_dtype: str = "float64",
                  cases: Sequence[CaseInput] | None = None,
                  executor: Executor | None = None, progress: Progress | None = None,
                  texts: bool = False) -> ReferenceSet:
    """The reference values of ``kernel`` on ``suite`` (or on the given ``cases``).

    Args:
      kernel: a name from :func:`kernel_names`.
      suite: ``"typical"``, ``"adversarial"`` or ``"all"``.
      dps: significant decimal digits of the outputs (at least 40).
      seed: seed of the suites' random inputs.
      long: include the long vectors (:math:`10^5` entries).
      input_dtype: ``"float64"``, or ``"float32"`` to round the inputs to float32 first (the
        references a float32 implementation is compared with).
      cases: inputs to use instead of the suite (see :mod:`symbinfo.refs.inputs`).
      executor: where to evaluate; None evaluates in this process.
      progress: called with ``(done, total)`` as cases complete.
      texts: also make each case's JSON text where it is evaluated (in the executor's workers),
        for a JSON or NPZ file: the texts cost about as much as the values, and the process
        that writes the file would otherwise make them all, alone.
    """
    if kernel not in kernel_names():
        raise ValueError(f"unknown kernel {kernel!r}; known: {', '.join(kernel_names())}")
    if suite not in SUITES:
        raise ValueError(f"suite={suite!r}; expected one of {', '.join(SUITES)}")
    if dps < 40:
        raise ValueError(f"dps={dps} is below 40, the digits reference values must carry")
    if input_dtype not in INPUT_DTYPES:
        raise ValueError(f"input_dtype={input_dtype!r}; expected one of {', '.join(INPUT_DTYPES)}")
    inputs = list(cases) if cases is not None else \
        case_inputs(kernel, suite, seed=seed, long=long, input_dtype=input_dtype)
    size = max(CHUNK_SIZE, math.ceil(len(inputs) / _task_count(executor)))
    reference_cases: list[ReferenceCase] = []
    with _without_cyclic_gc():  # the tasks too: thousands of small dicts and lists
        tasks = [(kernel, dps, input_dtype, chunk, texts)
                 for chunk in _chunks(inputs, size, crossing=executor is not None)]
        results_iter = executor.map(evaluate_chunk, tasks) if executor is not None else \
            map(evaluate_chunk, tasks)
        for chunk_result in results_iter:  # in the order of the tasks, whatever the executor
            reference_cases += chunk_result
            if progress is not None:
                progress(len(reference_cases), len(inputs))
    suite_name = "inputs file" if cases is not None else suite
    return ReferenceSet(kernel, metadata(kernel, dps=dps, seed=seed, suite=suite_name,
                                         input_dtype=input_dtype), reference_cases)


def _stored(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
