"""What makes a password acceptable here (OWASP ASVS level 2, NCSC password guidance).

Length, not composition rules: at least 12 characters, never only spaces. Guessability is
judged by zxcvbn (Dropbox's estimator, kept as the ``zxcvbn`` package): its dictionaries of
common passwords, names and words, keyboard patterns, dates and repeats catch ``password1234``
and ``qwertyuiop12`` that a list alone would miss, and the person's own username and name are
added to what it guesses from.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 12
#: Long enough for any passphrase; a limit keeps the estimator and the hash cheap.
MAX_LENGTH = 256
#: zxcvbn's scores run 0 to 4; 3 is "safely unguessable: moderate protection from offline
#: slow-hash scenario" (about 10^8 guesses or more).
MIN_SCORE = 3
#: What the estimator reads of a long passphrase (it is quadratic in the length).
ESTIMATED = 100


def password_problem(password: str, *, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` will not do, in words for the person choosing it; None if it will."""
    if not password.strip():
        return "Enter a password that is not only spaces"
    if len(password) < MIN_LENGTH:
        return f"Enter a password of at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Enter a password of {MAX_LENGTH} characters or fewer"
    inputs = [word for value in user_inputs if value for word in _words(value)]
    estimate = zxcvbn(password[:ESTIMATED], user_inputs=inputs)
    if estimate["score"] >= MIN_SCORE:
        return None
    warning = (estimate["feedback"].get("warning") or "").rstrip(".")
    reason = warning or "It would be easy to guess"
    return (f"Choose a password that is harder to guess. {reason}. A few unrelated words "
            f"together are strong and easy to remember")


def _words(value: str) -> list[str]:
    """A username like ``sam.worker`` is guessed from as a whole and by its parts."""
    text = value.casefold()
    parts = [p for p in text.replace("@", " ").replace(".", " ").replace("_", " ").split() if p]
    return [text, *parts]
