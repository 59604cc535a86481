"""The unified social credit code (统一社会信用代码) of GB 32100-2015."""

import random

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_character(first17: str) -> str:
    """Return the 18th character that GB 32100-2015 computes from the first 17."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """Tell whether a code has 18 allowed characters and the right check character."""
    return (
        len(code) == 18
        and all(char in CHARSET for char in code)
        and check_character(code[:17]) == code[17]
    )


def normalize(code: str) -> str:
    return code.strip().upper()


def generate(division_code: str, rng: random.Random) -> str:
    """Make a valid code for a company (91) registered in the given division."""
    body = "91" + division_code + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + check_character(body)
