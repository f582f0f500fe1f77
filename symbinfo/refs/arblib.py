r"""FLINT's arb functions called from numba-compiled code.

python-flint wraps the FLINT C library one Python call per operation; the batched evaluator
(:mod:`symbinfo.refs.batch`) calls the same library from a numba loop instead, with no Python
in between. The library is the one python-flint itself loaded (its wheel ships it), so both
compute with the same code: the same operations give the same balls, bit for bit.

Compiled code calls a function by name through :func:`c_call`, whose C signatures are listed
in :data:`SIGNATURES`; the name stays a symbol in the compiled code (not an address), so numba
can cache that code on disk, and the symbol is resolved in each process once :func:`load` has
made the library's symbols visible to numba's linker.

The layout of FLINT's structures is fixed on 64-bit platforms: an ``arb_struct`` is 48 bytes
(a 32-byte ``arf_struct`` midpoint, then a 16-byte ``mag_struct`` radius), so that an array of
balls is a NumPy buffer of ``48 n`` bytes. :func:`load` checks the library against python-flint
before anything uses it (:mod:`symbinfo.refs.batch` runs a self-test too).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import flint
import llvmlite.binding
import numba
from llvmlite import ir
from numba.core import cgutils
from numba.extending import intrinsic

BALL_BYTES = 48
"""``sizeof(arb_struct)`` on 64-bit platforms."""
ARF_RND_NEAR = 4
"""``ARF_RND_NEAR``: round to nearest, ties to even."""
ARB_STR_NO_RADIUS = 2
"""The ``arb_get_str`` flag python-flint's ``arb.str(n, radius=False)`` passes."""

SIGNATURES = {
    # name: "result:parameters", each letter a C type: v void, p pointer, l slong (or size_t),
    # i int, d double
    "arb_init": "v:p", "arb_clear": "v:p", "arb_zero": "v:p", "arb_set": "v:pp",
    "arb_set_d": "v:pd", "arb_set_si": "v:pl",
    "arb_add": "v:pppl", "arb_sub": "v:pppl", "arb_mul": "v:pppl", "arb_div": "v:pppl",
    "arb_pow": "v:pppl", "arb_neg_round": "v:ppl", "arb_log": "v:ppl", "arb_exp": "v:ppl",
    "arb_const_e": "v:pl", "arb_const_pi": "v:pl",
    "arb_is_finite": "i:p", "arb_is_exact": "i:p", "arb_rel_accuracy_bits": "l:p",
    "arb_get_str": "p:pll", "arb_get_lbound_arf": "v:ppl", "arb_get_ubound_arf": "v:ppl",
    "arf_init": "v:p", "arf_clear": "v:p", "arf_get_d": "d:pi", "arf_set_round": "i:ppli",
    "arf_is_zero": "i:p", "flint_free": "v:p",
    # the decimal digits (symbinfo.refs.batch._write_decimal)
    "arb_one": "v:p", "arb_mul_2exp_si": "v:ppl", "arb_ui_pow_ui": "v:plll",
    "arb_get_fmpz_mid_rad_10exp": "v:ppppl", "arf_cmpabs_mag": "i:pp",
    "arf_abs_bound_lt_2exp_si": "l:p", "arf_sgn": "i:p", "arf_get_fmpz_fixed_si": "i:ppl",
    "arf_set_mag": "v:pp", "fmpz_add_ui": "v:ppl", "fmpz_abs": "v:pp", "fmpz_get_str": "p:pip",
    "fmpz_is_zero": "i:p", "fmpz_get_si": "l:p", "fmpz_clear": "v:p",
    "strlen": "l:p", "memcpy": "p:ppl",  # the C library's, already in the process
}
"""The C functions compiled code may call, with their signatures."""

_LLVM_TYPES = {"v": ir.VoidType(), "p": ir.IntType(64), "l": ir.IntType(64),
               "i": ir.IntType(32), "d": ir.DoubleType()}
_NUMBA_TYPES = {"v": numba.types.none, "p": numba.types.int64, "l": numba.types.int64,
                "i": numba.types.int32, "d": numba.types.float64}


@intrinsic(prefer_literal=True)
def _c_call(typing_context: Any, name: Any, arguments: Any) -> Any:
    """``c_call("arb_log", (result, x, prec))``: a call of the C function ``name`` (a string
    constant, one of :data:`SIGNATURES`) with a tuple of arguments, converted to its C types
    (pointers are addresses, as int64)."""
    result, parameters = SIGNATURES[name.literal_value].split(":")
    if len(parameters) != len(arguments):
        raise numba.TypingError(f"{name.literal_value} takes {len(parameters)} arguments")

    def codegen(context: Any, builder: Any, signature: Any, values: Any) -> Any:
        function_type = ir.FunctionType(_LLVM_TYPES[result],
                                        [_LLVM_TYPES[p] for p in parameters])
        function = cgutils.get_or_insert_function(builder.module, function_type,
                                                  name.literal_value)
        arguments_in = cgutils.unpack_tuple(builder, values[1])
        converted = [context.cast(builder, value, given, _NUMBA_TYPES[p])
                     for value, given, p in zip(arguments_in, signature.args[1], parameters)]
        returned = builder.call(function, converted)
        return context.get_dummy_value() if result == "v" else returned

    return _NUMBA_TYPES[result](name, arguments), codegen


c_call: Callable[..., Any] = _c_call
"""``_c_call`` under the name compiled code uses (typed loosely for type checkers, which see
the intrinsic's typing function, not the call)."""


def _candidates() -> list[str]:
    """Where python-flint's FLINT library may be: bundled by its wheel (Linux and Windows:
    ``python_flint.libs``; macOS: ``flint/.dylibs``), else the system's."""
    package = os.path.dirname(flint.__file__)
    patterns = [os.path.join(os.path.dirname(package), "python_flint.libs", "*flint*"),
                os.path.join(package, ".dylibs", "libflint*")]
    found = sorted(path for pattern in patterns for path in glob.glob(pattern))
    system = ctypes.util.find_library("flint")
    return found + ([system] if system else [])


def _flint_version(path: str) -> str | None:
    """The version string of the FLINT library at ``path`` (``char flint_version[]``)."""
    try:
        text = ctypes.c_char.in_dll(ctypes.CDLL(path), "flint_version")
    except (OSError, ValueError):
        return None
    return ctypes.string_at(ctypes.addressof(text)).decode()


@cache
def load() -> str | None:
    """Make the arb functions callable from compiled code: the path of the FLINT library
    loaded (the same version as python-flint's), or None where there is none (a 32-bit
    platform, or a python-flint built some other way), and the batched evaluator is then not
    used."""
    if sys.maxsize < 1 << 62:
        return None
    wanted = getattr(flint, "__FLINT_VERSION__", None)
    for path in _candidates():
        if _flint_version(path) == wanted:
            llvmlite.binding.load_library_permanently(path)
            return path
    return None
