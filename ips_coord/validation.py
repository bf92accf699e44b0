"""Rules for what users type that are shared by web forms, the API and the CLI."""

import re
from decimal import Decimal

MIN_PASSWORD = 12


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"The password must have at least {MIN_PASSWORD} characters."
    if password.lower() == password or password.upper() == password or not any(c.isdigit() for c in password):
        return "The password must mix upper and lower case letters and contain a digit."
    return None


# --- Numbers a person or a client sends ------------------------------------------------------
# Every id and number from a URL, a query string or a form goes through whole_number: only ASCII
# digits (str.isdigit() also accepts "²", which int() refuses, and int() accepts "٣" and "５"), and
# only values the column holds, so nothing reaches PostgreSQL as an out-of-range parameter.
INT4_MAX = 2**31 - 1  # PostgreSQL integer: every id column and the counts
INT8_MAX = 2**63 - 1  # PostgreSQL bigint: the change feed's cursor
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")


def whole_number(text: object, *, minimum: int = -INT4_MAX - 1, maximum: int = INT4_MAX) -> int | None:
    """The integer `text` spells, if it lies in [minimum, maximum]; None for anything else."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    elif isinstance(text, str) and _WHOLE_NUMBER.fullmatch(text.strip()):
        value = int(text.strip())
    else:
        return None
    return value if minimum <= value <= maximum else None


def record_id(text: object) -> int | None:
    """A database id (1 to 2^31-1) or None."""
    return whole_number(text, minimum=1, maximum=INT4_MAX)


_DECIMAL = re.compile(r"-?[0-9]{1,12}(?:[.,][0-9]{1,6})?")


def decimal_number(text: object) -> Decimal | None:
    """A decimal number in ASCII digits with "." or a Danish "," (7,5): never NaN, an infinity or
    an exponent, which decimal.Decimal would accept and comparisons then choke on."""
    if isinstance(text, str) and _DECIMAL.fullmatch(text.strip()):
        return Decimal(text.strip().replace(",", "."))
    return None
