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
import itertools
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
                                    definition_arguments, evaluate, starting_precision,
                                    working_precision)
from symbinfo.refs.files import ReferenceCase, ReferenceSet, ReferenceValue, with_text
from symbinfo.refs.floats import BINARY32, BINARY64, round_to_float

try:  # the batched evaluator needs numba (in the refs extra: pip install 'symbinfo[refs]')
    from symbinfo.refs import batch
except ImportError:
    batch = None  # type: ignore[assignment]

SUITES = ("typical", "adversarial", "all")
CHUNK_SIZE = 32
"""Fewest cases per task sent to an executor (many small cases are sent in about
:func:`_task_count` tasks, so that pickling does not dominate), and per chunk evaluated in
this process: at least :data:`BATCH_MIN_CASES`."""
TASKS = 64
"""Tasks for an executor whose number of workers is unknown (a Dask cluster's)."""
BATCH_MIN_CASES = 16
"""Fewest cases in a chunk for the batched evaluator (:mod:`symbinfo.refs.batch`), which
gives the same values: its start in a process (importing numba and loading the compiled
interpreter, about half a second) is not worth it for a handful of cases."""
TASKS_PER_WORKER = 4
"""Tasks per worker of a local pool: enough to even out the workers' loads, few enough that
the pool's own cost per task (about 0.2 ms of the gathering process's time, as much as 60
scalar values) stays small: 4 rather than 8 makes 5 to 10 % more values per second with 2
worker processes (bench_refs), and the suites, whose time a few long cases decide, take as
long."""
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


def _bindings(kernel: str, inputs: dict[str, Any]) -> tuple[dict[Any, Any], list[int] | None]:
    """The bindings of the definition's symbols for a case, and its outputs (the classes
    ``1 .. K``, for a kernel with a value per class; else None)."""
    spec, compiled = _compiled(kernel)
    outputs = None
    if compiled.per_output is not None:
        outputs = list(range(1, len(inputs["z"]) + 1))
    return spec.bindings(inputs, None), outputs


def _evaluate_case(kernel: str, inputs: dict[str, Any], dps: int) \
        -> ReferenceValue | list[ReferenceValue]:
    """Ball arithmetic first; the mpmath evaluator where a value is not finite."""
    spec, compiled = _compiled(kernel)
    bindings, outputs = _bindings(kernel, inputs)
    with working_precision(starting_precision(dps)):
        value = evaluate(compiled, bindings, dps=dps, outputs=outputs)
        if value is not None:
            return value
        return _mpmath_values(spec, bindings, outputs, dps)


def _mpmath_values(spec: accuracy.KernelSpec, bindings: dict[Any, Any],
                   outputs: list[int] | None, dps: int) -> ReferenceValue | list[ReferenceValue]:
    """The value (or the values, per output) of the mpmath evaluator, which applies the
    conventions on the extended reals."""
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


def evaluate_chunk(task: Task) -> _CaseColumns:
    """The reference cases of a chunk of cases, in order: inputs rounded to ``input_dtype``
    and stored, values evaluated, and with ``texts`` each case's JSON text made
    (:func:`~symbinfo.refs.files.with_text`). A module-level function, so executors can pickle
    it. The cases come back as :class:`_CaseColumns`, which travel faster than the cases; the
    process that gathers them (and writes the file) makes them into cases and concatenates."""
    kernel, dps, input_dtype, cases, texts = task
    with _without_cyclic_gc():
        columns = _elementwise_cases(kernel, dps, input_dtype, cases)
        if columns is not None and not texts:
            return columns
        reference_cases = columns.cases() if columns is not None else \
            _cases(kernel, dps, input_dtype, cases)
        if texts:
            reference_cases = [with_text(case) for case in reference_cases]
        return _CaseColumns.of(reference_cases)


@dataclass(frozen=True)
class _CaseColumns:
    """A chunk's reference cases, a column per field, as they travel back from a worker:
    lists of strings and floats pickle in one go (about 0.1 us a value), where case and value
    objects pickle one by one (1.7 us a value, about what a scalar value takes to compute);
    the gathering process makes the objects again (:meth:`cases`, about 0.4 us a value)."""

    classes: list[str]
    inputs: list[dict[str, Any]] | dict[str, list[Any]]
    """Each case's inputs, or (an elementwise chunk's) a column per input."""
    counts: list[int] | None
    """Per case, its number of values, where each case has a list of them (one per class)."""
    decimals: list[str]
    float64s: list[float | None]
    float32s: list[float | None]
    certified: list[bool]
    texts: list[str | None]

    @classmethod
    def of(cls, cases: list[ReferenceCase]) -> _CaseColumns:
        outputs = [case.output for case in cases]
        listed = [o for o in outputs if isinstance(o, list)]
        if listed and len(listed) != len(outputs):
            raise ValueError("a chunk mixes cases with one value and with a list of values")
        values: list[ReferenceValue] = [v for o in listed for v in o] if listed else \
            outputs  # type: ignore[assignment]
        return cls([case.case_class for case in cases], [case.inputs for case in cases],
                   [len(o) for o in listed] if listed else None,
                   [v.decimal for v in values], [v.float64 for v in values],
                   [v.float32 for v in values], [v.certified for v in values],
                   [case.text for case in cases])

    def cases(self) -> list[ReferenceCase]:
        values = list(map(ReferenceValue, self.decimals, self.float64s, self.float32s,
                          self.certified))
        outputs: list[Any] = values
        if self.counts is not None:
            starts = itertools.accumulate(self.counts, initial=0)
            outputs = [values[start:start + count] for start, count in zip(starts, self.counts)]
        inputs = self.inputs
        if isinstance(inputs, dict):
            names = list(inputs)
            inputs = [dict(zip(names, row)) for row in zip(*inputs.values())]
        return list(map(ReferenceCase, self.classes, inputs, outputs, self.texts))


def _cases(kernel: str, dps: int, input_dtype: str,
           cases: Iterable[tuple[str, dict[str, Any]]]) -> list[ReferenceCase]:
    """The reference cases of a chunk, case by case (the values of many of them from the
    batched evaluator, :func:`_batched_values`)."""
    rounded = [(case_class, _exact_inputs(raw_inputs, input_dtype))
               for case_class, raw_inputs in cases]
    batched = _batched_values(kernel, [inputs for _, inputs in rounded], dps)
    return [ReferenceCase(case_class, _stored(inputs),
                          value if value is not None else _evaluate_case(kernel, inputs, dps))
            for (case_class, inputs), value in zip(rounded, batched)]


def _batched_values(kernel: str, inputs: list[dict[str, Any]], dps: int) \
        -> list[ReferenceValue | list[ReferenceValue] | None]:
    """The values the batched evaluator (:mod:`symbinfo.refs.batch`) certifies for a chunk of
    at least :data:`BATCH_MIN_CASES` cases, None for the others (and for all where there is no
    batched evaluator: numba not installed)."""
    if batch is None or len(inputs) < BATCH_MIN_CASES:
        return [None] * len(inputs)
    pairs = [_bindings(kernel, case) for case in inputs]
    return batch.evaluate_bindings(_compiled(kernel)[1], [b for b, _ in pairs],
                                   [None if o is None else len(o) for _, o in pairs], dps=dps)


def _elementwise_cases(kernel: str, dps: int, input_dtype: str,
                       cases: Iterable[tuple[str, dict[str, Any]]]) -> _CaseColumns | None:
    """The reference cases of an elementwise kernel's chunk whose inputs are all floats, read
    as columns: rounded and evaluated by the batched evaluator a column at a time, with no
    work per case until the cases are made (a scalar value is cheap enough that this work
    would cost as much as the value). None where the chunk does not allow it (the caller
    then takes it case by case)."""
    spec, compiled = _compiled(kernel)
    if batch is None or not isinstance(spec.bindings, accuracy.InputSymbols):
        return None
    classes, columns = _float_columns(cases)
    names = dict((symbol, name) for name, symbol in spec.bindings.symbols)
    if len(classes) < BATCH_MIN_CASES or \
            any(names.get(argument) not in columns for argument in compiled.arguments):
        return None
    rounded = {name: _rounded(np.array(column, np.float64), input_dtype)
               for name, column in columns.items()}
    made = batch.evaluate_columns(compiled, [rounded[names[a]] for a in compiled.arguments],
                                  dps=dps)
    if made is None:
        return None
    columns = {name: column.tolist() for name, column in rounded.items()}
    decimals, certified = made.decimals, made.done
    float64s: list[float | None] = [*made.float64s]
    float32s: list[float | None] = [*made.float32s]
    for case in [k for k, done in enumerate(made.done) if not done]:
        value = _evaluate_case(kernel, {name: column[case] for name, column in columns.items()},
                               dps)
        assert isinstance(value, ReferenceValue)  # an elementwise kernel has one value a case
        decimals[case], float64s[case], float32s[case], certified[case] = \
            value.decimal, value.float64, value.float32, value.certified
    return _CaseColumns(list(classes), columns, None, decimals, float64s, float32s, certified,
                        [None] * len(decimals))


def _float_columns(cases: Iterable[tuple[str, dict[str, Any]]]) \
        -> tuple[list[str], dict[str, list[float]]]:
    """The cases' classes, and their inputs as columns where every case has the same inputs and
    each is a Python float (else no columns: ``{}``)."""
    if isinstance(cases, _Columns):
        classes, columns = cases.classes, cases.columns
    else:
        listed = list(cases)
        classes = [case_class for case_class, _ in listed]
        names = list(listed[0][1]) if listed else []
        if any(list(inputs) != names for _, inputs in listed):
            return classes, {}
        columns = {name: [inputs[name] for _, inputs in listed] for name in names}
    if any(set(map(type, column)) != {float} for column in columns.values()):
        return classes, {}
    return classes, columns


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
            reference_cases += chunk_result.cases()
            if progress is not None:
                progress(len(reference_cases), len(inputs))
    suite_name = "inputs file" if cases is not None else suite
    return ReferenceSet(kernel, metadata(kernel, dps=dps, seed=seed, suite=suite_name,
                                         input_dtype=input_dtype), reference_cases)


def _stored(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
