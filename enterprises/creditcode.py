"""统一社会信用代码 (unified social credit code, GB 32100-2015): check and build. Pure: no Django import.

18 characters from 31 symbols (digits and capital letters without I, O, Z, S, V):
position 1 the registering authority, 2 the organisation type, 3-8 the administrative division
(digits), 9-17 the organisation code, 18 the check character:
    c18 = ALPHABET[(31 - Σ value(ci) × W[i] mod 31) mod 31]
A problem names the first wrong position (1-based), so the message can say where the code is wrong.
Every weight is non-zero modulo the prime 31, so any single wrong character changes the check.
"""

from __future__ import annotations

from typing import NamedTuple

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class CodeProblem(NamedTuple):
    """kind: length | character | division | check; position 1-based (0 for length); expected: the check char."""

    kind: str
    position: int = 0
    expected: str = ""


def normalise(code: str) -> str:
    """Spaces dropped, letters upper-cased: people copy codes from licences and PDFs."""
    return "".join(code.split()).upper()


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> CodeProblem | None:
    """None for a valid (normalised) code, else the first problem and its position."""
    if len(code) != LENGTH:
        return CodeProblem("length", 0)
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            return CodeProblem("character", position)
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            return CodeProblem("division", position)
    expected = check_character(code[:17])
    if code[17] != expected:
        return CodeProblem("check", 18, expected)
    return None


def make_credit_code(serial: int, *, prefix: str = "91410103") -> str:
    """A valid code for generated (demo) firms: prefix (企业, 郑州市二七区) + 9 characters from `serial` + check."""
    body = []
    n = serial
    for _ in range(9):
        n, digit = divmod(n, 31)
        body.append(ALPHABET[digit])
    first17 = prefix + "".join(reversed(body))
    return first17 + check_character(first17)
