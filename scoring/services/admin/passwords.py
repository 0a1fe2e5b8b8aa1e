"""Password hashing (Argon2id via argon2-cffi) and the password policy of government systems."""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from scoring.core.i18n import Msg, msg

_hasher = PasswordHasher()
# Verifying against the hash of a throwaway password lets an unknown username cost the same time as a
# wrong password. Computed on first use (an Argon2 hash costs ~0.15 s, not to be paid at start-up) and
# again for another hasher, so that it always costs what a real hash of the current parameters costs.
_DUMMY_PASSWORD = "dummy-password-for-timing-1A!"
_dummy_hash: tuple[PasswordHasher, str] | None = None


@contextmanager
def fast_hashing() -> Iterator[None]:
    """Cheaper parameters while seeding demo accounts (their passwords are printed anyway)."""
    global _hasher
    saved = _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        _hasher = saved


def use_fast_hashing() -> None:
    """Cheaper Argon2 parameters for the test suite and the demo seed only; never in production."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _dummy_hash = None


def _dummy() -> str:
    global _dummy_hash
    hasher = _hasher
    if _dummy_hash is None or _dummy_hash[0] is not hasher:
        _dummy_hash = (hasher, hasher.hash(_DUMMY_PASSWORD))
    return _dummy_hash[1]


MIN_LENGTH = 8
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> Msg | None:
    """At least 8 characters with 3 of the 4 classes: upper, lower, digit, symbol."""
    if len(password) < MIN_LENGTH:
        return msg("must be at least %(min)s characters long", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return msg("must be at most %(max)s characters long", max=MAX_LENGTH)
    classes = sum(
        (
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if classes < 3:
        return msg(
            "must contain at least 3 of these 4: upper-case letters, lower-case letters, digits, symbols"
        )
    return None
