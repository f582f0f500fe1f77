"""The batched evaluator (symbinfo.refs.batch): it must give exactly the reference values the
Python evaluation gives (the same digits and roundings, case by case and file by file), leave
to that evaluation every case it cannot certify, and never read outside a case's inputs."""

from __future__ import annotations

import dataclasses
import pickle
from concurrent.futures import ProcessPoolExecutor

import mpmath
import numpy as np
import pytest
import sympy

numba = pytest.importorskip("numba")  # symbinfo[refs]; in CI a skip fails the run (conftest)

from symbinfo.refs import arblib, batch, files, generate  # noqa: E402
from symbinfo.refs.arblib import ARB_STR_NO_RADIUS, BALL_BYTES, c_call  # noqa: E402
from symbinfo.refs.evaluate import (compile_definition, evaluate,  # noqa: E402
                                    starting_precision)


def python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluate without the batched evaluator, as where numba is not installed."""
    monkeypatch.setattr(generate, "batch", None)


def chunk(kernel: str, input_dtype: str = "float64", long: bool = False) -> generate.Task:
    cases = generate.case_inputs(kernel, "all", long=long, input_dtype=input_dtype)
    return kernel, 50, input_dtype, [(c.case_class, c.inputs) for c in cases], False


def texts(result) -> list[str]:
    """The JSON text of each case: what a file holds, byte for byte."""
    return [files._case_text(case) for case in result.cases()]


def test_the_interpreter_runs_here_and_takes_every_kernel():
    assert batch.available()
    for kernel in generate.kernel_names():
        compiled = generate._compiled(kernel)[1]
        assert batch._compiled_program(compiled.fast_source, compiled.kinds) is not None, kernel


@pytest.mark.parametrize("kernel", generate.kernel_names())
def test_batched_cases_are_the_python_ones_byte_for_byte(kernel, monkeypatch):
    task = chunk(kernel)
    spec, compiled = generate._compiled(kernel)
    pairs = [generate._bindings(kernel, generate._exact_inputs(inputs)) for _, inputs in task[3]]
    batched = batch.evaluate_bindings(compiled, [b for b, _ in pairs],
                                      [None if o is None else len(o) for _, o in pairs], dps=50)
    # the suites mix ordinary cases (batched) with ones only the Python code can certify
    assert sum(v is not None for v in batched) >= len(batched) // 2
    with_batch = texts(generate.evaluate_chunk(task))
    python_only(monkeypatch)
    assert with_batch == texts(generate.evaluate_chunk(task))


@pytest.mark.parametrize("kernel", ["binary_cross_entropy", "focal_loss", "softmax"])
def test_float32_inputs_give_the_python_cases(kernel, monkeypatch):
    task = chunk(kernel, "float32")
    with_batch = texts(generate.evaluate_chunk(task))
    python_only(monkeypatch)
    assert with_batch == texts(generate.evaluate_chunk(task))


def test_a_long_vector_gives_the_python_value():
    spec, compiled = generate._compiled("kl_divergence")
    rng = np.random.default_rng(1)
    inputs = {"p": rng.dirichlet(np.ones(10 ** 5)), "q": rng.dirichlet(np.ones(10 ** 5))}
    bindings, _ = generate._bindings("kl_divergence", inputs)
    [value] = batch.evaluate_bindings(compiled, [bindings], [None], dps=50)
    assert value is not None and value == evaluate(compiled, bindings, dps=50)


def test_batched_values_agree_with_mpmath():
    """Independently of python-flint: BCE at 60 digits in mpmath."""
    rng = np.random.default_rng(2)
    p, x = rng.uniform(0.001, 0.999, 200), rng.uniform(0, 1, 200)
    compiled = generate._compiled("binary_cross_entropy")[1]
    names = [str(a) for a in compiled.arguments]
    made = batch.evaluate_columns(compiled, [{"p": p, "x": x}[n] for n in names], dps=50)
    assert made is not None and all(made.done)
    with mpmath.workdps(60):
        for k in range(200):
            a, b = mpmath.mpf(p[k]), mpmath.mpf(x[k])
            exact = -(b * mpmath.log(a) + (1 - b) * mpmath.log(1 - a))
            assert abs(mpmath.mpf(made.decimals[k]) / exact - 1) < mpmath.mpf(10) ** -48
            assert made.float64s[k] == float(exact)  # mpmath's float() rounds to nearest
            assert made.float32s[k] == float(np.float32(mpmath.mpf(made.decimals[k])))


def test_cases_it_cannot_certify_are_left_to_python():
    compiled = generate._compiled("binary_entropy")[1]
    # a subnormal result; an exact zero; an input outside the definition's domain (log of < 0)
    made = batch.evaluate_columns(compiled, [np.array([1e-320, 0.0, -0.5, 0.5])], dps=50)
    assert made is not None and made.done == [False, False, False, True]


def test_an_index_outside_the_vector_is_not_read():
    spec, compiled = generate._compiled("softmax_cross_entropy[labels]")
    z = np.array([0.5, -1.0, 2.0])
    inside = spec.bindings({"z": z, "label": 2}, None)
    outside = spec.bindings({"z": z, "label": 3}, None)  # the 4th class of 3
    first, second = batch.evaluate_bindings(compiled, [inside, outside], [None, None], dps=50)
    assert first == evaluate(compiled, inside, dps=50) and second is None


@pytest.mark.parametrize("body", ["a0.sin()", "(2 / 3)", "[a0 for _k in _outputs][0]",
                                  "sum((a0 for _i in range(1, 3)), 0)", "abs(a0)",
                                  "(a0 if 1 == 1 else 0)", "(1 if 1 == 1 else a0)",
                                  "(1 if a0 == 1 else 0)"])
def test_what_the_interpreter_has_not_is_refused(body):
    with pytest.raises(batch.Untranslatable):
        batch.translate(f"def _definition(a0):\n    return {body}", ["number"])


def test_a_definition_it_cannot_run_is_left_to_python_whole():
    x = sympy.Symbol("x", positive=True)
    compiled = compile_definition(sympy.log(x), [x])
    untranslatable = dataclasses.replace(
        compiled, fast_source="def _definition(a0):\n    return a0.sin()")
    assert batch._compiled_program(untranslatable.fast_source, compiled.kinds) is None
    assert batch.evaluate_bindings(untranslatable, [{x: 0.5}], [None], dps=50) == [None]
    assert batch.evaluate_bindings(compiled, [{x: 0.5}], [None], dps=50) == \
        [evaluate(compiled, {x: 0.5}, dps=50)]


def test_without_the_flint_library_nothing_is_batched(monkeypatch):
    monkeypatch.setattr(arblib, "load", lambda: None)
    batch.available.cache_clear()
    try:
        assert not batch.available()
        compiled = generate._compiled("binary_entropy")[1]
        assert batch.evaluate_columns(compiled, [np.array([0.5])], dps=50) is None
    finally:
        monkeypatch.undo()
        batch.available.cache_clear()
    assert batch.available()


def test_columns_travel_and_give_the_same_cases():
    task = chunk("binary_cross_entropy")
    result = generate.evaluate_chunk(task)
    assert result.counts is None and len(result.decimals) == len(task[3])
    assert pickle.loads(pickle.dumps(result)).cases() == result.cases()


def test_a_pool_gives_the_process_cases_for_an_elementwise_kernel():
    rng = np.random.default_rng(4)
    cases = [generate.CaseInput("c", {"p": float(p), "x": float(x)})
             for p, x in zip(rng.uniform(0, 1, 3000), rng.uniform(0, 1, 3000))]
    inline = generate.reference_set("binary_cross_entropy", cases=cases)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = generate.reference_set("binary_cross_entropy", cases=cases, executor=pool)
    assert files.to_json_bytes(pooled) == files.to_json_bytes(inline)


@numba.njit
def _digits_both_ways(values, dps, prec, memory, state, text, fast, slow):
    """For ball k of each value (7 balls a value: see the kinds below), the digits of
    batch._write_decimal (fast[k], its length; -1 where it leaves the ball to arb_get_str)
    and arb_get_str's (slow[k])."""
    base = memory.ctypes.data
    ball, other = base, base + BALL_BYTES
    scratch = base + 2 * BALL_BYTES
    for register in range(memory.size // BALL_BYTES):
        c_call("arb_init", (base + register * BALL_BYTES,))
    lengths = np.zeros(fast.shape[0], np.int64)
    for k in range(fast.shape[0]):
        x, kind = values[k // 7], k % 7
        c_call("arb_set_d", (ball, x))
        if kind == 1:  # an inexact ball
            c_call("arb_log", (ball, ball, prec))
        elif kind == 2:  # a thirtieth: a repeating decimal
            c_call("arb_set_si", (other, 30))
            c_call("arb_div", (ball, ball, other, prec))
        elif kind == 3:  # just below a power of ten: the rounding carries
            c_call("arb_set_d", (other, 3e-60 * x))
            c_call("arb_sub", (ball, ball, other, prec))
        elif kind == 4:  # fewer correct digits than asked (a wide radius)
            c_call("arb_exp", (ball, ball, prec - 60))
        elif kind == 5:
            c_call("arb_const_pi", (other, prec))
            c_call("arb_mul", (ball, ball, other, prec))
        elif kind == 6:  # just enough correct digits: the radius decides how many are kept
            c_call("arb_log", (ball, ball, np.int64(3.3219 * dps) - 2))
        lengths[k] = batch._write_decimal(ball, dps, scratch, scratch + 3 * BALL_BYTES, state,
                                          text, fast[k])
        printed = c_call("arb_get_str", (ball, dps, ARB_STR_NO_RADIUS))
        size = c_call("strlen", (printed,))
        c_call("memcpy", (slow[k].ctypes.data, printed, min(size, slow.shape[1])))
        c_call("flint_free", (printed,))
    for register in range(memory.size // BALL_BYTES):
        c_call("arb_clear", (base + register * BALL_BYTES,))
    for integer in range(batch._SCALES):
        c_call("fmpz_clear", (state.ctypes.data + 8 * integer,))
    return lengths


@pytest.mark.parametrize("dps", [40, 50, 77])
def test_the_digits_are_arb_get_str_s(dps):
    """The interpreter's digits, without arb_get_str's costly first step, are its digits:
    on exact and inexact balls, repeating decimals, roundings that carry into a new power of
    ten, balls with fewer correct digits than asked, across the exponents of doubles."""
    assert batch.available()  # loads the FLINT library the compiled code calls
    rng = np.random.default_rng(dps)
    values = np.concatenate([
        rng.uniform(-1, 1, 2000) * 10.0 ** rng.integers(-300, 300, 2000),
        [1.0, -1.0, 10.0, 1e22, 1e-5, 0.5, 2.0 ** -1000, 9.999999999999999e299, 123456.0,
         1e6, 1234567.0, 0.1, 0.001, 0.0001, 0.00001, 3.0, -7.5e-8]])
    count = 7 * len(values)
    memory = np.zeros((5 + batch.scratch_registers(dps)) * BALL_BYTES, np.uint8)
    fast = np.zeros((count, dps + 32), np.uint8)
    slow = np.zeros((count, dps + 32), np.uint8)
    lengths = _digits_both_ways(values, dps, starting_precision(dps), memory,
                                batch.decimal_state(dps),
                                np.zeros(2 * dps + 64, np.uint8), fast, slow)
    decided = lengths >= 0
    assert decided.mean() > 0.7  # the fast way decides most
    kept = [len(slow[k].tobytes().rstrip(b"\0").lstrip(b"-0.").split(b"e")[0].replace(b".", b""))
            for k in np.flatnonzero(decided)]
    assert min(kept) < dps <= max(kept)  # some with fewer digits than asked
    for k in np.flatnonzero(decided):
        assert fast[k, :lengths[k]].tobytes() == slow[k].tobytes().rstrip(b"\0"), \
            (values[k // 7], k % 7, slow[k].tobytes().rstrip(b"\0"))


def test_threads_give_the_process_cases_where_python_evaluates_many():
    """The adversarial suites send many cases to the Python evaluation, which sets the
    process-wide working precisions; threads must still give the process's cases."""
    from concurrent.futures import ThreadPoolExecutor
    for kernel in ("log_softmax", "binary_entropy"):
        inline = generate.reference_set(kernel, "all", long=False)
        with ThreadPoolExecutor(max_workers=4) as threads:
            threaded = generate.reference_set(kernel, "all", long=False, executor=threads)
        assert files.to_json_bytes(threaded) == files.to_json_bytes(inline)


@pytest.mark.parametrize("dps", [40, 120])
@pytest.mark.parametrize("kernel", ["kl_divergence", "binary_cross_entropy", "softmax"])
def test_other_precisions_give_the_python_cases(kernel, dps, monkeypatch):
    cases = generate.case_inputs(kernel, "all", long=False)
    task = (kernel, dps, "float64", [(c.case_class, c.inputs) for c in cases], False)
    with_batch = texts(generate.evaluate_chunk(task))
    python_only(monkeypatch)
    assert with_batch == texts(generate.evaluate_chunk(task))
