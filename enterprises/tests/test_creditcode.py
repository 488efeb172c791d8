"""The GB 32100-2015 check character, with plain data (no database)."""

from hypothesis import given
from hypothesis import strategies as st

from enterprises.creditcode import ALPHABET, check_character, credit_code_problem, make_credit_code, normalise

# A code printed on a real business licence sample (GB 32100-2015 annex example).
KNOWN_VALID = "91350100M000100Y43"


def test_known_code_is_valid():
    assert credit_code_problem(KNOWN_VALID) is None


def test_wrong_check_character_names_position_18_and_the_expected_one():
    problem = credit_code_problem(KNOWN_VALID[:17] + "4")
    assert problem is not None
    assert (problem.kind, problem.position, problem.expected) == ("check", 18, "3")


def test_length_characters_and_division():
    assert credit_code_problem("9135").kind == "length"
    bad = credit_code_problem("91350100MI00100Y43")
    assert (bad.kind, bad.position) == ("character", 10)
    assert (credit_code_problem("9135A100M000100Y43").kind, credit_code_problem("9135A100M000100Y43").position) == (
        "division",
        5,
    )


def test_normalise_drops_spaces_and_upper_cases():
    assert normalise(" 91350100m000 100y43 ") == KNOWN_VALID


@given(st.integers(min_value=0, max_value=31**9 - 1))
def test_generated_codes_are_valid(serial):
    assert credit_code_problem(make_credit_code(serial)) is None


@given(st.integers(min_value=0, max_value=31**9 - 1), st.integers(min_value=0, max_value=16), st.sampled_from(ALPHABET))
def test_any_single_wrong_character_is_caught(serial, position, char):
    code = make_credit_code(serial)
    if code[position] == char:
        return
    changed = code[:position] + char + code[position + 1 :]
    assert credit_code_problem(changed) is not None
    assert check_character(changed[:17]) != changed[17]
