r"""Many reference values per call: the definitions' ball arithmetic run by a compiled loop.

:mod:`symbinfo.refs.evaluate` compiles a definition into Python code over python-flint balls
(the *fast code*: plain ball arithmetic, tried before the careful code with the conventions).
Each ball operation there costs a Python call, and a reference value's digits and certified
roundings a dozen more; for a scalar loss, the Python around the arithmetic costs five times
the arithmetic. This module runs the same fast code for a whole batch of cases in one call:

1. the fast code's Python source is translated, node by node, into a small *program* of
   ball and integer instructions (:func:`translate`): the same operations on the same
   operands in the same order, hence the same balls, bit for bit;
2. one numba-compiled interpreter (:func:`_run`, cached on disk) executes the program for
   every case, calling FLINT's arb functions directly (:mod:`symbinfo.refs.arblib`), and
   turns each result into a reference value right there: the midpoint's digits
   (``arb_get_str``, as ``arb.str`` makes them), and the float64/float32 roundings that both
   ends of the ball share;
3. a case whose values are not all finite, accurate to ``dps`` digits and certified, or whose
   roundings fall outside the normal ranges of float64 and float32 (where FLINT's conversion
   to ``double`` is not documented as correctly rounded), is *not* given a value: the caller
   evaluates it the usual way, which raises the precision, applies the conventions, or
   rounds subnormals exactly.

So the values are those the Python evaluation gives (the tests compare whole files byte for
byte), only faster: about 2 us per scalar BCE value instead of 15.

See :func:`evaluate_bindings` for an example.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import sympy
from flint import arb
from numba import njit

from symbinfo.refs import arblib
from symbinfo.refs.arblib import ARB_STR_NO_RADIUS, ARF_RND_NEAR, BALL_BYTES, c_call
from symbinfo.refs.evaluate import (CompiledDefinition, _ball_value, _target_bits,
                                    compile_definition, starting_precision, working_precision)
from symbinfo.refs.files import ReferenceValue

# --------------------------------------------------------------------------------------------
# The instructions
# --------------------------------------------------------------------------------------------
# Each instruction is a row (opcode, a, b, c, d) of an int64 array. Integer registers hold
# loop counters, lengths and labels; ball registers hold arb balls. Ball operations take the
# working precision; integers meeting a ball become exact balls first (as python-flint makes
# them).

INT_CONSTANT = 0      # ints[a] = b
INT_ADD = 1           # ints[a] = ints[b] + ints[c]
INT_MUL = 2           # ints[a] = ints[b] * ints[c]
INT_EQUAL = 3         # ints[a] = ints[b] == ints[c]
LOAD = 4              # balls[a] = entry (ints[c], ints[d]) of float input b (d < 0: one index)
FROM_INT = 5          # balls[a] = ints[b], exactly
FROM_FLOAT = 6        # balls[a] = the float constant b, exactly
ZERO = 7              # balls[a] = 0
ADD, SUB, MUL, DIV, POW = 8, 9, 10, 11, 12   # balls[a] = balls[b] (op) balls[c]
NEG, LOG, EXP = 13, 14, 15                   # balls[a] = f(balls[b])
CONST_E, CONST_PI = 16, 17                   # balls[a] = e, pi
LOOP = 18             # if ints[a] >= ints[b]: jump to c
NEXT = 19             # ints[a] += 1; jump to b
EMIT = 20             # the next output value is balls[a]
COPY_INT = 21         # ints[a] = ints[b]

_BINARY = {ast.Add: ADD, ast.Sub: SUB, ast.Mult: MUL, ast.Div: DIV, ast.Pow: POW}
_INT_BINARY = {ast.Add: INT_ADD, ast.Mult: INT_MUL}
_METHODS = {"log": LOG, "exp": EXP}
_CONSTANTS = {"_e": CONST_E, "_pi": CONST_PI}


class Untranslatable(Exception):
    """The fast code uses a construct the interpreter does not have (the caller then evaluates
    with the Python code)."""


@dataclass
class Program:
    """A translated definition: instructions, register counts and the input layout.

    ``vectors`` are the definition's ``vector`` and ``number`` arguments in order (the float
    inputs, a number being a vector of one entry); ``integers`` its ``integer`` arguments,
    which occupy the first integer registers, followed by the number of outputs.
    """

    code: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    balls: int = 0
    ints: int = 0
    floats: list[float] = field(default_factory=list)
    vectors: list[int] = field(default_factory=list)
    integers: list[int] = field(default_factory=list)

    def emit(self, opcode: int, a: int = 0, b: int = 0, c: int = 0, d: int = 0) -> int:
        self.code.append((opcode, a, b, c, d))
        return len(self.code) - 1

    def ball(self) -> int:
        self.balls += 1
        return self.balls - 1

    def int(self) -> int:
        self.ints += 1
        return self.ints - 1


# A translated expression: ("int", register) or ("ball", register).
Value = tuple[str, int]


class _Translator:
    """Translates the fast code of :func:`symbinfo.refs.evaluate.compile_definition` (see its
    ``_CodeWriter``) into a :class:`Program`, mirroring Python's evaluation: left to right,
    ``int`` arithmetic kept exact, an ``int`` meeting a ball converted exactly, the loops of
    comprehensions and ``sum(..., _A(0))`` with their accumulator first."""

    def __init__(self, kinds: Sequence[str]) -> None:
        self.program = Program()
        self.names: dict[str, Any] = {}
        for position, kind in enumerate(kinds):
            name = f"a{position}"
            if kind == "integer":
                self.program.integers.append(position)
                self.names[name] = ("int", self.program.int())
            else:
                self.program.vectors.append(position)
                self.names[name] = ("vector", len(self.program.vectors) - 1, kind)
        self.outputs = self.program.int()  # the number of outputs, after the integer inputs
        numbers = [(name, entry) for name, entry in self.names.items()
                   if entry[0] == "vector" and entry[2] == "number"]
        for name, (_, vector, _) in numbers:  # read once, as the Python code does
            self.names[name] = ("ball", self._load(vector, [self._int_constant(1)]))

    def translate(self, source: str) -> Program:
        function = ast.parse(source).body[0]
        if not isinstance(function, ast.FunctionDef):
            raise Untranslatable("not a function")
        *assignments, result = function.body
        for statement in assignments:
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and
                    isinstance(statement.targets[0], ast.Name)):
                raise Untranslatable(ast.dump(statement))
            self.names[statement.targets[0].id] = self.value(statement.value)
        if not isinstance(result, ast.Return) or result.value is None:
            raise Untranslatable("no return")
        if isinstance(result.value, ast.ListComp):  # one value per output
            self._loops(result.value.generators,
                        lambda: self.program.emit(EMIT, self.ball(result.value.elt)))
        else:
            self.program.emit(EMIT, self.ball(result.value))
        return self.program

    # values ----------------------------------------------------------------------------------

    def value(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return "int", self._int_constant(node.value)
        if isinstance(node, ast.Name):
            entry = self.names.get(node.id)
            if entry is None or entry[0] == "vector":
                raise Untranslatable(f"name {node.id}")
            return entry
        if isinstance(node, ast.Subscript):
            return "ball", self._entry(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            kind, register = self.value(node.operand)
            if kind == "int":
                return "int", self._int_binary(INT_MUL, register, self._int_constant(-1))
            return "ball", self._ball_op(NEG, register)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.IfExp):
            return "int", self._kronecker(node)
        if isinstance(node, ast.Call):
            return "ball", self._call(node)
        raise Untranslatable(ast.dump(node))

    def ball(self, node: ast.expr) -> int:
        """The register of ``node``'s value as a ball (an ``int`` converted exactly)."""
        kind, register = self.value(node)
        return register if kind == "ball" else self._ball_op(FROM_INT, register)

    def _int_constant(self, value: int) -> int:
        register = self.program.int()
        self.program.emit(INT_CONSTANT, register, value)
        return register

    def _int_binary(self, opcode: int, left: int, right: int) -> int:
        register = self.program.int()
        self.program.emit(opcode, register, left, right)
        return register

    def _ball_op(self, opcode: int, b: int = 0, c: int = 0) -> int:
        register = self.program.ball()
        self.program.emit(opcode, register, b, c)
        return register

    def _binary(self, node: ast.BinOp) -> Value:
        left, right = self.value(node.left), self.value(node.right)
        operator = type(node.op)
        if left[0] == right[0] == "int":
            if operator not in _INT_BINARY:  # int / int, int ** int: floats in Python
                raise Untranslatable(ast.dump(node))
            return "int", self._int_binary(_INT_BINARY[operator], left[1], right[1])
        if operator not in _BINARY:
            raise Untranslatable(ast.dump(node))
        balls = [r if kind == "ball" else self._ball_op(FROM_INT, r) for kind, r in (left, right)]
        return "ball", self._ball_op(_BINARY[operator], *balls)

    def _kronecker(self, node: ast.IfExp) -> int:
        """``(1 if a == b else 0)``."""
        test, one, zero = node.test, node.body, node.orelse
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and
                isinstance(test.ops[0], ast.Eq) and isinstance(one, ast.Constant) and
                one.value == 1 and isinstance(zero, ast.Constant) and zero.value == 0):
            raise Untranslatable(ast.dump(node))
        left, right = self.value(test.left), self.value(test.comparators[0])
        if left[0] != "int" or right[0] != "int":
            raise Untranslatable(ast.dump(node))
        return self._int_binary(INT_EQUAL, left[1], right[1])

    def _entry(self, node: ast.Subscript) -> int:
        indices: list[ast.expr] = []
        while isinstance(node, ast.Subscript):
            indices.insert(0, node.slice)
            node = node.value  # type: ignore[assignment]
        entry = self.names.get(node.id) if isinstance(node, ast.Name) else None
        if entry is None or entry[0] != "vector" or not 1 <= len(indices) <= 2:
            raise Untranslatable(ast.dump(node))
        registers = []
        for index in indices:
            kind, register = self.value(index)
            if kind != "int":
                raise Untranslatable(ast.dump(index))
            registers.append(register)
        return self._load(entry[1], registers)

    def _load(self, vector: int, indices: list[int]) -> int:
        register = self.program.ball()
        self.program.emit(LOAD, register, vector, indices[0], indices[1] if len(indices) > 1
                          else -1)
        return register

    def _call(self, node: ast.Call) -> int:
        function, arguments = node.func, node.args
        if isinstance(function, ast.Attribute) and function.attr in _METHODS and not arguments:
            return self._ball_op(_METHODS[function.attr], self.ball(function.value))
        if not isinstance(function, ast.Name):
            raise Untranslatable(ast.dump(node))
        if function.id == "_A" and len(arguments) == 1:
            argument = arguments[0]
            if isinstance(argument, ast.Constant) and type(argument.value) is float:
                self.program.floats.append(argument.value)
                return self._ball_op(FROM_FLOAT, len(self.program.floats) - 1)
            return self.ball(argument)  # arb(ball) is the same ball; arb(int) is exact
        if function.id in _CONSTANTS and not arguments:
            return self._ball_op(_CONSTANTS[function.id])
        if function.id == "sum" and len(arguments) == 2 and \
                isinstance(arguments[0], ast.GeneratorExp) and \
                ast.dump(arguments[1]) == ast.dump(ast.parse("_A(0)", mode="eval").body):
            total = self._ball_op(ZERO)
            terms = arguments[0]
            self._loops(terms.generators, lambda: self.program.emit(
                ADD, total, total, self.ball(terms.elt)))
            return total
        raise Untranslatable(ast.dump(node))

    def _loops(self, generators: list[ast.comprehension], body: Any) -> None:
        """Nested loops over ``range(start, stop)`` (or the outputs ``1 .. K``), the inner
        ranges evaluated on each pass of the outer loop, as Python does."""
        if not generators:
            body()
            return
        generator, *inner = generators
        if generator.ifs or not isinstance(generator.target, ast.Name):
            raise Untranslatable(ast.dump(generator))
        start, stop = self._range(generator.iter)
        counter = self._int_binary(COPY_INT, start, 0)
        self.names[generator.target.id] = ("int", counter)
        check = self.program.emit(LOOP, counter, stop)
        self._loops(inner, body)
        self.program.emit(NEXT, counter, check)
        self.program.code[check] = (LOOP, counter, stop, len(self.program.code), 0)

    def _range(self, node: ast.expr) -> tuple[int, int]:
        if isinstance(node, ast.Name) and node.id == "_outputs":
            return self._int_constant(1), self._int_binary(INT_ADD, self.outputs,
                                                           self._int_constant(1))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "range" and len(node.args) == 2:
            bounds = [self.value(a) for a in node.args]
            if all(kind == "int" for kind, _ in bounds):
                return bounds[0][1], bounds[1][1]
        raise Untranslatable(ast.dump(node))


def translate(source: str, kinds: Sequence[str]) -> Program:
    """The program of a fast-code function ``source`` whose arguments are of ``kinds``
    (``"vector"``, ``"integer"`` or ``"number"``).

    Raises:
      Untranslatable: the source uses something the interpreter does not have.
    """
    return _Translator(kinds).translate(source)


# --------------------------------------------------------------------------------------------
# The interpreter
# --------------------------------------------------------------------------------------------

_BOUND_BITS = 128
"""Precision of the ball's ends as the interpreter reads them, rounded outwards: where these
wider ends share a rounding, so do the exact ends (rounding is monotone), and the value is the
one the exact Python rounding gives; where they do not (an end within :math:`2^{-128}` of a
rounding boundary), the case is left to the Python rounding."""
_TINY_BINARY64 = 2.0 ** -1021
_HUGE_BINARY64 = 2.0 ** 1023
_TINY_BINARY32 = 2.0 ** -125
_HUGE_BINARY32 = 2.0 ** 127
"""Roundings accepted from the interpreter: normal numbers with a margin (or an exact zero);
the others are left to the exact Python rounding."""


@njit(cache=True, nogil=True)
def _shared_rounding(low: int, high: int, scratch: int, bits: int) -> tuple[bool, float]:
    """The rounding to ``bits`` significant bits (53, or 24 for float32) shared by the exact
    ends ``low``, ``high`` (``arf`` addresses), read as a double; ``scratch`` is an ``arf``."""
    c_call("arf_set_round", (scratch, low, bits, ARF_RND_NEAR))
    below = c_call("arf_get_d", (scratch, ARF_RND_NEAR))
    c_call("arf_set_round", (scratch, high, bits, ARF_RND_NEAR))
    above = c_call("arf_get_d", (scratch, ARF_RND_NEAR))
    return below == above, below


@njit(cache=True, nogil=True)
def _in_range(value: float, low: int, high: int, tiny: float, huge: float) -> bool:
    if value == 0.0:  # only an exactly zero ball
        return c_call("arf_is_zero", (low,)) != 0 and c_call("arf_is_zero", (high,)) != 0
    return tiny <= abs(value) <= huge


# The decimal digits: arb_get_str(x, dps, ARB_STR_NO_RADIUS), less its costly first step.
# arb_get_str scales the ball by 10^m (m from the ball's binary exponent e: about dps + 5
# - e log10 2) and prints the integer part of the midpoint, then keeps the digits the radius
# allows and rounds. Computing m and 10^m is two thirds of its time (0.8 of 1.2 us); both
# depend on e alone, so the interpreter keeps them per batch and does the rest of the work
# with the same FLINT calls, in the same order. A value this does not decide (a zero
# midpoint, an exponent out of the cached range) gets arb_get_str itself.

_EXPONENTS = 2400
r"""Binary exponents whose decimal scale is kept: :math:`-1200 \le e < 1200`."""
_EXPONENT_OFFSET = 1200
_MID, _RADIUS, _PROXY = 0, 1, 2
"""The integer (``fmpz``) slots of ``state``: the scaled midpoint and radius, then the three
of the scale's computation (:func:`_decimal_scale`)."""
_SCALES = 5
"""Where the scales ``m`` start in ``state`` (one per exponent, :data:`_UNKNOWN` until made),
followed by one flag per power of ten ``10^|m|`` made."""
_UNKNOWN = -(1 << 62)
_POWERS_OF_TEN = 400
r"""Powers :math:`10^{|m|}` kept beyond ``dps`` (:math:`|m| \le dps + 5 + 1200 \log_{10} 2`)."""


def decimal_state(dps: int) -> np.ndarray:
    """The integer state :func:`_write_decimal` keeps for a batch at ``dps`` digits."""
    state = np.zeros(_SCALES + _EXPONENTS + dps + _POWERS_OF_TEN, np.int64)
    state[_SCALES:_SCALES + _EXPONENTS] = _UNKNOWN
    return state


@njit(cache=True, nogil=True)
def _decimal_scale(exponent: int, dps: int, proxy: int, state: Any) -> int:
    """The ``m`` arb_get_str scales a ball of binary exponent ``exponent`` by, made once per
    exponent: that of the ball :math:`2^{exponent - 1}` (``proxy``, an arb register), which
    has that exponent."""
    slot = _SCALES + exponent + _EXPONENT_OFFSET
    if state[slot] == _UNKNOWN:
        integers = state.ctypes.data + 8 * _PROXY
        c_call("arb_one", (proxy,))
        c_call("arb_mul_2exp_si", (proxy, proxy, exponent - 1))
        c_call("arb_get_fmpz_mid_rad_10exp", (integers, integers + 8, integers + 16, proxy, dps))
        state[slot] = -c_call("fmpz_get_si", (integers + 16,))
    return state[slot]


@njit(cache=True, nogil=True)
def _integer_digits(integer: int, text: Any, start: int) -> int:
    """Write the decimal digits of the ``fmpz`` at ``integer`` to ``text[start:]``; their
    number, or -1 where they do not fit."""
    digits = c_call("fmpz_get_str", (0, 10, integer))
    length = c_call("strlen", (digits,))
    fits = start + length <= text.size
    if fits:
        c_call("memcpy", (text.ctypes.data + start, digits, length))
    c_call("flint_free", (digits,))
    return length if fits else -1


@njit(cache=True, nogil=True)
def _kept_digits(text: Any, length: int, dps: int, radius: int) -> int:
    """How many of the midpoint's ``length`` digits (``text[:length]``) arb_get_str keeps: at
    most ``dps``, fewer where the scaled radius (an ``fmpz``, its digits written after the
    midpoint's) reaches them; 0 where it reaches them all."""
    if c_call("fmpz_is_zero", (radius,)) != 0:
        return dps
    radius_length = _integer_digits(radius, text, length)
    if radius_length < 1 or length <= radius_length:
        return 0
    kept = length - radius_length
    first_omitted = text[kept] - 48
    error = first_omitted + 1 if first_omitted < 5 else 10 - first_omitted
    if error + (text[length] - 48) + 1 > 10:  # more than one unit in the last place
        kept -= 1
    return min(dps, kept)


@njit(cache=True, nogil=True)
def _round_digits(text: Any, length: int, kept: int) -> tuple[int, int]:
    """Round the digits ``text[:length]`` to ``kept`` of them, to nearest with ties up (as
    arb's ``_arb_digits_round_inplace``): their new number and the power of ten dropped."""
    if length <= kept:
        return length, 0
    shift = length - kept
    if text[kept] >= 53:  # '5': add one unit in the last kept place
        position = kept - 1
        while position >= 0 and text[position] == 57:  # '9' carries
            text[position] = 48
            position -= 1
        if position >= 0:
            text[position] += 1
        else:
            text[0] = 49  # all nines: 10...0, one more power of ten
            shift += 1
    return kept, shift


@njit(cache=True, nogil=True)
def _format_digits(text: Any, length: int, exponent: int, negative: bool, fixed_up_to: int,
                   out: Any) -> int:
    """Write ``-``, then the digits ``text[:length]`` whose first has the decimal exponent
    ``exponent``, as arb prints them (``_arb_digits_as_float_str``): in fixed point for
    exponents from -4 to ``fixed_up_to`` with a fractional part, else as ``d.ddde+X``; the
    number of characters written to ``out``."""
    at = 0
    if negative:
        out[0] = 45  # '-'
        at = 1
    if -4 <= exponent <= fixed_up_to and exponent < length - 1:
        if exponent < 0:  # 0.000ddd
            out[at], out[at + 1] = 48, 46
            at += 2
            for _ in range(-1 - exponent):
                out[at] = 48
                at += 1
            out[at:at + length] = text[:length]
            return at + length
        out[at:at + exponent + 1] = text[:exponent + 1]  # ddd.ddd
        at += exponent + 1
        out[at] = 46
        out[at + 1:at + 1 + length - exponent - 1] = text[exponent + 1:length]
        return at + length - exponent
    out[at] = text[0]
    at += 1
    if length > 1:
        out[at] = 46
        out[at + 1:at + length] = text[1:length]
        at += length
    out[at], out[at + 1] = 101, 43 if exponent >= 0 else 45  # e+ or e-
    at += 2
    magnitude, width = abs(exponent), 1
    while magnitude >= 10 ** width:
        width += 1
    for place in range(width - 1, -1, -1):
        out[at + place] = 48 + magnitude % 10
        magnitude //= 10
    return at + width


@njit(cache=True, nogil=True)
def _write_decimal(ball: int, dps: int, work: int, tens: int, state: Any, text: Any,
                   out: Any) -> int:
    """Write ``arb_get_str(ball, dps, ARB_STR_NO_RADIUS)`` to ``out``: its length, or -1
    where this does not decide it (the caller calls arb_get_str). ``work`` is the address of
    two arb registers and an arf, ``tens`` of the cached powers of ten; ``state``
    (:func:`decimal_state`) and ``text`` (room for two integers of ``dps`` + 30 digits) are
    kept between calls."""
    if c_call("arf_is_zero", (ball,)) != 0 or c_call("arf_cmpabs_mag", (ball, ball + 32)) <= 0:
        return -1
    if np.int64(float(c_call("arb_rel_accuracy_bits", (ball,))) * 0.30102999566398119521
                + 2.0) < dps:  # arb_get_str would print fewer digits
        return -1
    exponent = c_call("arf_abs_bound_lt_2exp_si", (ball,))
    if not -_EXPONENT_OFFSET <= exponent < _EXPONENTS - _EXPONENT_OFFSET:
        return -1
    scale = _decimal_scale(exponent, dps, work + BALL_BYTES, state)
    power = abs(scale)
    flag = _SCALES + _EXPONENTS + power
    if flag >= state.size:
        return -1
    prec = np.int64(float(dps) * 3.32192809488736 + 30.0)
    ten = tens + power * BALL_BYTES
    if state[flag] == 0:
        c_call("arb_ui_pow_ui", (ten, 10, power, prec))
        state[flag] = 1
    scaled = work
    if scale >= 0:
        c_call("arb_mul", (scaled, ball, ten, prec))
    else:
        c_call("arb_div", (scaled, ball, ten, prec))
    integers = state.ctypes.data
    mid, radius, rounding = integers + 8 * _MID, integers + 8 * _RADIUS, work + 2 * BALL_BYTES
    rounded_mid = c_call("arf_get_fmpz_fixed_si", (mid, scaled, 0))
    c_call("arf_set_mag", (rounding, scaled + 32))
    rounded_radius = c_call("arf_get_fmpz_fixed_si", (radius, rounding, 0))
    c_call("fmpz_add_ui", (radius, radius, rounded_mid + rounded_radius))
    negative = c_call("arf_sgn", (ball,)) < 0
    c_call("fmpz_abs", (mid, mid))
    length = _integer_digits(mid, text, 0)
    kept = _kept_digits(text, length, dps, radius) if length > 0 else 0
    if kept < 1 or text[0] == 48:
        return -1
    length, shift = _round_digits(text, length, kept)
    return _format_digits(text, length, -scale + shift + length - 1, negative, max(6, dps - 1),
                          out)


@njit(cache=True, nogil=True)
def _reference_value(ball: int, scratch: int, slot: int, target_bits: int, dps: int,
                     state: Any, text: Any, digits: Any, lengths: Any, doubles: Any,
                     singles: Any) -> bool:
    """Write the reference value of ``ball`` to output ``slot``: the digits of its midpoint,
    and the float64/float32 roundings both its ends share; False (nothing usable written)
    unless the ball is finite, accurate to ``target_bits`` and its roundings are certified
    normal numbers. ``scratch`` is the address of the scratch registers (:func:`_run`)."""
    if c_call("arb_is_finite", (ball,)) == 0:
        return False
    if c_call("arb_is_exact", (ball,)) == 0 and \
            c_call("arb_rel_accuracy_bits", (ball,)) < target_bits:
        return False
    low, high, rounding = scratch, scratch + BALL_BYTES, scratch + 2 * BALL_BYTES
    c_call("arb_get_lbound_arf", (low, ball, _BOUND_BITS))  # rounded down
    c_call("arb_get_ubound_arf", (high, ball, _BOUND_BITS))  # rounded up
    shared, double = _shared_rounding(low, high, rounding, 53)
    if not shared or not _in_range(double, low, high, _TINY_BINARY64, _HUGE_BINARY64):
        return False
    shared, single = _shared_rounding(low, high, rounding, 24)
    if not shared or not _in_range(single, low, high, _TINY_BINARY32, _HUGE_BINARY32):
        return False
    out = digits[slot]
    length = _write_decimal(ball, dps, scratch + 3 * BALL_BYTES, scratch + _SCRATCH * BALL_BYTES,
                            state, text, out)
    if length < 0:
        printed = c_call("arb_get_str", (ball, dps, ARB_STR_NO_RADIUS))
        length = c_call("strlen", (printed,))
        if length <= out.size:
            c_call("memcpy", (out.ctypes.data, printed, length))
        c_call("flint_free", (printed,))
    doubles[slot], singles[slot], lengths[slot] = double, single, length
    return length <= out.size


@njit(cache=True, nogil=True)
def _run_case(code: Any, balls: int, scratch: int, ints: Any, vectors: Any, floats: Any,
              entries: Any, prec: int, slot: int, target_bits: int, dps: int, state: Any,
              text: Any, digits: Any, lengths: Any, doubles: Any, singles: Any) -> bool:
    """Run the program for one case (its float inputs ``entries``; its integer inputs already
    in ``ints``), writing its values from output ``slot`` on; False as soon as an index is out
    of range or a value is not usable (:func:`_reference_value`)."""
    pc = 0
    while pc < code.shape[0]:
        op, a, b, c, d = code[pc, 0], code[pc, 1], code[pc, 2], code[pc, 3], code[pc, 4]
        pc += 1
        x = balls + a * BALL_BYTES
        y = balls + b * BALL_BYTES
        z = balls + c * BALL_BYTES
        if op == INT_CONSTANT:
            ints[a] = b
        elif op == INT_ADD:
            ints[a] = ints[b] + ints[c]
        elif op == INT_MUL:
            ints[a] = ints[b] * ints[c]
        elif op == INT_EQUAL:
            ints[a] = 1 if ints[b] == ints[c] else 0
        elif op == COPY_INT:
            ints[a] = ints[b]
        elif op == LOAD:
            offset, rows, columns = vectors[b, 0], vectors[b, 1], vectors[b, 2]
            row, column = ints[c], ints[d] if d >= 0 else 1
            if (2 if d >= 0 else 1) != vectors[b, 3] or not (1 <= row <= rows and
                                                              1 <= column <= columns):
                return False
            c_call("arb_set_d", (x, entries[offset + (row - 1) * columns + column - 1]))
        elif op == FROM_INT:
            c_call("arb_set_si", (x, ints[b]))
        elif op == FROM_FLOAT:
            c_call("arb_set_d", (x, floats[b]))
        elif op == ZERO:
            c_call("arb_zero", (x,))
        elif op == ADD:
            c_call("arb_add", (x, y, z, prec))
        elif op == SUB:
            c_call("arb_sub", (x, y, z, prec))
        elif op == MUL:
            c_call("arb_mul", (x, y, z, prec))
        elif op == DIV:
            c_call("arb_div", (x, y, z, prec))
        elif op == POW:
            c_call("arb_pow", (x, y, z, prec))
        elif op == NEG:
            c_call("arb_neg_round", (x, y, prec))
        elif op == LOG:
            c_call("arb_log", (x, y, prec))
        elif op == EXP:
            c_call("arb_exp", (x, y, prec))
        elif op == CONST_E:
            c_call("arb_const_e", (x, prec))
        elif op == CONST_PI:
            c_call("arb_const_pi", (x, prec))
        elif op == LOOP:
            if ints[a] >= ints[b]:
                pc = c
        elif op == NEXT:
            ints[a] += 1
            pc = b
        elif op == EMIT:
            if not _reference_value(x, scratch, slot, target_bits, dps, state, text, digits,
                                    lengths, doubles, singles):
                return False
            slot += 1
    return True


_SCRATCH = 6
"""Scratch registers after a program's: three for a ball's ends (:func:`_reference_value`),
three for its digits (:func:`_write_decimal`); then the powers of ten of the digits."""


def scratch_registers(dps: int) -> int:
    """How many registers :func:`_run` needs beyond the program's."""
    return _SCRATCH + dps + _POWERS_OF_TEN


@njit(cache=True, nogil=True)
def _run(code: Any, memory: Any, ball_count: int, int_count: int, vectors: Any, floats: Any,
         entries: Any, integers: Any, slots: Any, prec: int, target_bits: int, dps: int,
         state: Any, text: Any, digits: Any, lengths: Any, doubles: Any, singles: Any,
         done: Any) -> None:
    """Run the program for each case ``k`` (float inputs ``entries[k]``, integer inputs
    ``integers[k]``), its values from output ``slots[k]`` on; ``done[k]`` says whether they
    are all usable. ``memory`` holds the program's ``ball_count`` ball registers, then the
    scratch registers (:func:`scratch_registers`), :data:`BALL_BYTES` each; ``state`` and
    ``text`` are the digits' (:func:`_write_decimal`). The caller allocates them, so that they
    outlive every use of their addresses (numba would free an array of its own after the last
    use of the array itself)."""
    registers = memory.size // BALL_BYTES
    balls = memory.ctypes.data
    for register in range(registers):
        c_call("arb_init", (balls + register * BALL_BYTES,))
    ints = np.zeros(int_count, np.int64)
    for case in range(entries.shape[0]):
        ints[:integers.shape[1]] = integers[case]
        done[case] = _run_case(code, balls, balls + ball_count * BALL_BYTES, ints, vectors,
                               floats, entries[case], prec, slots[case], target_bits, dps,
                               state, text, digits, lengths, doubles, singles)
    for register in range(registers):
        c_call("arb_clear", (balls + register * BALL_BYTES,))
    for integer in range(_SCALES):
        c_call("fmpz_clear", (state.ctypes.data + 8 * integer,))


# --------------------------------------------------------------------------------------------
# Batches of cases
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Compiled:
    """A program as the interpreter takes it."""

    program: Program
    code: np.ndarray
    floats: np.ndarray


@cache
def _compiled_program(fast_source: str, kinds: tuple[str, ...]) -> _Compiled | None:
    """The program of a fast-code function, or None where it uses what the interpreter does
    not have."""
    try:
        program = translate(fast_source, kinds)
    except Untranslatable:
        return None
    return _Compiled(program, np.array(program.code, np.int64).reshape(-1, 5),
                     np.array(program.floats, np.float64))


def _vector_layout(values: Sequence[Any], positions: list[int]) -> np.ndarray:
    """Per float input (an argument at one of ``positions``, whose value in a case is
    ``values[position]``): its offset among the case's float entries, its numbers of rows
    and columns, and its number of indices (a number is read as the one entry of a vector)."""
    layout = np.zeros((len(positions), 4), np.int64)
    offset = 0
    for row, position in enumerate(positions):
        shape = np.shape(values[position])
        rows, columns = (shape + (1, 1))[:2]
        layout[row] = offset, rows, columns, max(len(shape), 1)
        offset += rows * columns
    return layout


@dataclass(frozen=True)
class Outputs:
    """What the interpreter made of a batch: per output slot its digits and roundings (read
    only where its case is ``done``), per case whether all its values are usable."""

    decimals: list[str]
    float64s: list[float]
    float32s: list[float]
    done: list[bool]


def _run_outputs(compiled: _Compiled, entries: np.ndarray, integers: np.ndarray,
                 layout: np.ndarray, outputs: list[int], dps: int) -> Outputs:
    """Run the interpreter on cases of one layout (:func:`_vector_layout`): per case, its
    float entries (a row of ``entries``), its integer inputs then its number of outputs (a
    row of ``integers``), and its number of outputs again (``outputs``)."""
    program = compiled.program
    slots = np.cumsum([0, *outputs[:-1]], dtype=np.int64)
    total, width = sum(outputs), dps + 32
    digits, lengths = np.zeros((total, width), np.uint8), np.zeros(total, np.int64)
    doubles, singles = np.zeros(total), np.zeros(total)
    done = np.zeros(len(outputs), np.bool_)
    memory = np.empty((program.balls + scratch_registers(dps)) * BALL_BYTES, np.uint8)
    _run(compiled.code, memory, program.balls, program.ints, layout, compiled.floats,
         np.ascontiguousarray(entries, np.float64), integers, slots, starting_precision(dps),
         _target_bits(dps), dps, decimal_state(dps), np.zeros(2 * dps + 64, np.uint8), digits,
         lengths, doubles, singles, done)
    text = digits.tobytes().decode("ascii")
    decimals = [text[start:start + length]
                for start, length in zip(range(0, total * width, width), lengths.tolist())]
    return Outputs(decimals, doubles.tolist(), singles.tolist(), done.tolist())


def _run_group(compiled: _Compiled, entries: np.ndarray, integers: np.ndarray,
               layout: np.ndarray, outputs: list[int], dps: int) \
        -> list[list[ReferenceValue] | None]:
    """:func:`_run_outputs`, as each case's values (None for a case not done)."""
    made = _run_outputs(compiled, entries, integers, layout, outputs, dps)
    values = list(map(ReferenceValue, made.decimals, made.float64s, made.float32s,
                      [True] * len(made.decimals)))
    starts = np.cumsum([0, *outputs[:-1]]).tolist()
    return [values[start:start + count] if finished else None
            for start, count, finished in zip(starts, outputs, made.done)]


def _program_of(compiled: CompiledDefinition) -> _Compiled | None:
    return _compiled_program(compiled.fast_source, compiled.kinds) if available() else None


def evaluate_bindings(compiled: CompiledDefinition, bindings: Sequence[dict[Any, Any]],
                      outputs: Sequence[int | None], *, dps: int) \
        -> list[ReferenceValue | list[ReferenceValue] | None]:
    """The reference values of many cases of a compiled definition (each case's bindings, and
    its number of outputs, None where the definition has no ``per_output``), as
    :func:`symbinfo.refs.evaluate.evaluate` gives them where its fast code certifies them; None
    for a case to evaluate with :func:`~symbinfo.refs.evaluate.evaluate` (for every case where
    the interpreter cannot run the definition).

    >>> from sympy import Symbol, log
    >>> from symbinfo.refs.evaluate import compile_definition, evaluate
    >>> p = Symbol("p", positive=True)
    >>> compiled = compile_definition(-p * log(p), [p])
    >>> [value] = evaluate_bindings(compiled, [{p: 0.5}], [None], dps=30)
    >>> value == evaluate(compiled, {p: 0.5}, dps=30)
    True
    """
    results: list[ReferenceValue | list[ReferenceValue] | None] = [None] * len(bindings)
    program = _program_of(compiled)
    if program is None:
        return results
    arguments, vectors = compiled.arguments, program.program.vectors
    values = [[case[argument] for argument in arguments] for case in bindings]
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for case, case_values in enumerate(values):  # getattr: np.shape costs 1 us a call
        groups[tuple(getattr(case_values[p], "shape", None) for p in vectors)].append(case)
    for members in groups.values():
        counts = [outputs[m] or 1 for m in members]
        try:
            entries = np.concatenate([np.asarray([values[m][p] for m in members], np.float64)
                                      .reshape(len(members), -1) for p in vectors], axis=1)
            integers = np.array([[values[m][p] for p in program.program.integers] + [count]
                                 for m, count in zip(members, counts)], np.int64)
        except (TypeError, ValueError, OverflowError):  # inputs the Python code rejects too
            continue
        group = _run_group(program, entries, integers,
                           _vector_layout(values[members[0]], vectors), counts, dps)
        for member, result in zip(members, group):
            if result is not None:
                results[member] = result if outputs[member] is not None else result[0]
    return results


def evaluate_columns(compiled: CompiledDefinition, columns: Sequence[np.ndarray], *,
                     dps: int) -> Outputs | None:
    """:func:`evaluate_bindings` for a definition of numbers only (an elementwise kernel's),
    the values of its ``k``-th argument in ``columns[k]`` (one entry per case), as columns of
    digits and roundings: the cases' packing is two NumPy calls instead of a loop over cases,
    and no object is made per case. None where the interpreter cannot run the definition.

    >>> import numpy as np
    >>> from sympy import Symbol, log
    >>> from symbinfo.refs.evaluate import compile_definition, evaluate
    >>> p = Symbol("p", positive=True)
    >>> compiled = compile_definition(-p * log(p), [p])
    >>> made = evaluate_columns(compiled, [np.array([0.5, 0.25])], dps=30)
    >>> made.done, made.float64s
    ([True, True], [0.34657359027997264, 0.34657359027997264])
    >>> made.decimals[1] == evaluate(compiled, {p: 0.25}, dps=30).decimal
    True
    """
    program = _program_of(compiled)
    if program is None or set(compiled.kinds) != {"number"} or compiled.per_output is not None:
        return None
    count = len(columns[0])
    layout = _vector_layout([0.0] * len(columns), program.program.vectors)
    return _run_outputs(program, np.column_stack(columns), np.ones((count, 1), np.int64),
                        layout, [1] * count, dps)


@cache
def available() -> bool:
    """Whether the interpreter runs here: FLINT's library is found
    (:func:`symbinfo.refs.arblib.load`) and a self-test gives the value python-flint gives."""
    if arblib.load() is None:
        return False
    x = sympy.Symbol("x")
    compiled = compile_definition(sympy.log(1 + sympy.exp(x)), [x])
    program = _compiled_program(compiled.fast_source, compiled.kinds)
    if program is None:
        return False
    [batched] = _run_group(program, np.array([[0.3]]), np.ones((1, 1), np.int64),
                           _vector_layout([0.3], [0]), [1], 50)
    with working_precision(starting_precision(50)):
        expected = _ball_value(compiled.fast_function(arb(0.3)), 50)
    return batched == [expected]
