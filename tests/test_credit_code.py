"""The unified social credit code and its GB 32100-2015 check character."""

import random

import pytest

from checklist import credit_code
from checklist.models import Enterprise


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", "91140702MA0K000013"])
def test_real_and_generated_codes_are_valid(code):
    assert credit_code.is_valid(code)


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",  # wrong check character
    "91350100M000100Y4",  # too short
    "91350100I000100Y43",  # I is not in the character set
    "",
])
def test_wrong_codes_are_refused(code):
    assert not credit_code.is_valid(code)


def test_generated_codes_are_valid_and_carry_their_division():
    rng = random.Random(1)
    for _ in range(200):
        code = credit_code.generate("140702", rng)
        assert credit_code.is_valid(code) and code[2:8] == "140702"


def test_an_enterprise_cannot_hold_an_invalid_code():
    with pytest.raises(ValueError, match="credit code"):
        Enterprise(name="x", credit_code="91350100M000100Y44")


def test_an_enterprise_code_is_stored_upper_case():
    assert Enterprise(name="x", credit_code=" 91110000802100433b ").credit_code == "91110000802100433B"
