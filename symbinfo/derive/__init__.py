"""Derivations: named transformations (:mod:`.rules`), chains of verified steps
(:mod:`.chain`) and the library of derivations (:mod:`.library`).

>>> from symbinfo.derive import build
>>> build("entropy_bounds").verify().verdict.value
'proved'
"""

from symbinfo.derive import rules
from symbinfo.derive.chain import Derivation
from symbinfo.derive.chain import DerivationResult
from symbinfo.derive.library import LIBRARY
from symbinfo.derive.library import build
from symbinfo.derive.library import verify_library

__all__ = ["Derivation", "DerivationResult", "LIBRARY", "build", "rules", "verify_library"]
