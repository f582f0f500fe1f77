"""The fast ball code without redundant copies, the arb precision around chunks, how many
tasks a pool gets and how their cases travel: the same balls, the same precision afterwards,
the same inputs bit for bit, the same cases."""

from __future__ import annotations

import pickle
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from flint import ctx

from symbinfo.refs import evaluate, files, generate
from symbinfo.refs.evaluate import (_BALL_READERS, _CodeWriter, _inputs, compile_definition,
                                    starting_precision)
from symbinfo.refs.inputs import KERNEL_INPUTS


def sample_inputs(kernel: str) -> dict:
    """Inputs of ``kernel`` (by :data:`KERNEL_INPUTS`): vectors, labels and scalars."""
    rng = np.random.default_rng(3)
    vector = rng.dirichlet(np.ones(4))
    values = {"probabilities": vector, "logits": rng.standard_normal(4) * 3, "label": 2,
              "table": rng.dirichlet(np.ones(6)).reshape(2, 3), "probability": 0.3,
              "probability?": 0.1, "real": -1.5, "positive": 2.0}
    return {name: values[kind] for name, kind in KERNEL_INPUTS[kernel].items()}


def copying_every_ball(kernel: str) -> evaluate.CompiledDefinition:
    """The kernel's definition compiled as before: every operand of a power or a function
    copied into a fresh ball with ``_A``, whether it was one already or not."""
    spec, compiled = generate._compiled(kernel)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_CodeWriter, "_is_ball", lambda self, e: False)
        return compile_definition(spec.definition, compiled.arguments, compiled.per_output)


@pytest.mark.parametrize("kernel", generate.kernel_names())
def test_dropping_copies_of_balls_gives_the_same_balls(kernel):
    spec, compiled = generate._compiled(kernel)
    inputs = generate._exact_inputs(sample_inputs(kernel))
    bindings = spec.bindings(inputs, None)
    outputs = [list(range(1, len(inputs["z"]) + 1))] if compiled.per_output is not None else []
    saved = ctx.prec
    ctx.prec = starting_precision(50)
    try:
        arguments = _inputs(compiled, bindings, compiled.kinds, _BALL_READERS)
        fast = compiled.fast_function(*arguments, *outputs)
        reference = copying_every_ball(kernel).fast_function(*arguments, *outputs)
    finally:
        ctx.prec = saved
    fast, reference = (v if isinstance(v, list) else [v] for v in (fast, reference))
    assert all(b.is_finite() for b in fast)
    assert [b.mid().man_exp() + b.rad().man_exp() for b in fast] == \
        [b.mid().man_exp() + b.rad().man_exp() for b in reference]


def fast_source(kernel: str) -> str:
    """The source of the kernel's fast ball code."""
    compiled = generate._compiled(kernel)[1]
    return evaluate._function_source(compiled.definition, compiled.arguments,
                                     compiled.per_output, fast=True)


def test_fast_code_copies_integers_into_balls_but_not_balls():
    assert "_A(a" not in fast_source("kl_divergence")
    # a2 is the number of classes, an int: it must become a ball before ** -1
    assert "(_A(a2) ** -1)" in fast_source("softmax_cross_entropy[soft]")


def test_a_chunk_leaves_the_arb_precision_as_it_found_it():
    saved = ctx.prec
    try:
        ctx.prec = 77
        inputs = [("c", {"p": 0.3, "x": 0.7})] * 3
        cases = generate.evaluate_chunk(("binary_cross_entropy", 50, "float64", inputs,
                                         False)).cases()
        assert ctx.prec == 77 and all(c.output.certified for c in cases)
        assert evaluate.evaluate(generate._compiled("binary_cross_entropy")[1],
                                 generate._compiled("binary_cross_entropy")[0].bindings(
                                     {"p": 0.3, "x": 0.7}, None)).decimal == \
            cases[0].output.decimal
        assert ctx.prec == 77
    finally:
        ctx.prec = saved


@pytest.mark.parametrize("executor, tasks", [
    (None, generate.TASKS),
    (ThreadPoolExecutor(max_workers=3), 3 * generate.TASKS_PER_WORKER),
])
def test_a_local_pool_gets_a_few_tasks_per_worker(executor: Executor | None, tasks: int):
    assert generate._task_count(executor) == tasks
    if executor is not None:
        executor.shutdown()


def test_a_pool_gives_the_same_cases_as_the_process_whatever_the_chunks():
    rng = np.random.default_rng(5)
    cases = [generate.CaseInput("c", {"p": rng.dirichlet(np.ones(3)),
                                      "q": rng.dirichlet(np.ones(3))}) for _ in range(300)]
    inline = generate.reference_set("kl_divergence", cases=cases).cases
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert generate._task_count(pool) == 2 * generate.TASKS_PER_WORKER
        assert generate.reference_set("kl_divergence", cases=cases, executor=pool).cases == inline


def bits(inputs: dict) -> dict:
    """Each input's exact bits (arrays and lists alike), and its type where not a vector."""
    return {name: np.asarray(value).tobytes() if isinstance(value, (list, np.ndarray))
            else (type(value), value) for name, value in inputs.items()}


def test_cases_sent_as_columns_come_back_bit_for_bit():
    vectors = [np.array([0.0, -0.0, 5e-324, 1e308]), np.array([np.inf, np.nan, 0.1, -2.5])]
    cases = [generate.CaseInput(f"c{k}", {"z": vector, "label": k, "s": 0.5 * k})
             for k, vector in enumerate(vectors)]
    columns = pickle.loads(pickle.dumps(generate._as_columns(cases)))
    assert isinstance(columns.columns["z"], np.ndarray) and columns.columns["z"].shape == (2, 4)
    sent = list(columns)
    assert [name for name, _ in sent] == ["c0", "c1"]
    assert [bits(inputs) for _, inputs in sent] == \
        [bits(generate._task_case(case, crossing=True)[1]) for case in cases]


@pytest.mark.parametrize("second", [
    {"p": np.ones(3) / 3},  # another length
    {"p": np.ma.masked_array([0.5, 0.5])},  # not a plain array
    {"p": np.full((1, 2), 0.5)},  # not a vector
    {"q": np.array([0.5, 0.5])},  # another input
    {"p": [0.5, 0.5]},  # a list where the other case has an array
])
def test_cases_that_do_not_line_up_are_sent_one_by_one(second):
    cases = [generate.CaseInput("a", {"p": np.array([0.5, 0.5])}), generate.CaseInput("b", second)]
    assert generate._as_columns(cases) is None
    (chunk,) = generate._chunks(cases, 2, crossing=True)
    assert isinstance(chunk, list) and [name for name, _ in chunk] == ["a", "b"]


def test_case_texts_made_in_the_workers_give_the_same_files():
    plain = generate.reference_set("kl_divergence", "typical", long=False)
    with ProcessPoolExecutor(max_workers=2) as pool:
        with_texts = generate.reference_set("kl_divergence", "typical", long=False,
                                            executor=pool, texts=True)
    assert all(case.text is not None for case in with_texts.cases)
    assert all(case.text is None for case in plain.cases)
    assert files.to_json_bytes(with_texts) == files.to_json_bytes(plain)
    assert files.to_npz_bytes(with_texts) == files.to_npz_bytes(plain)
