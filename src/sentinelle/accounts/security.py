"""Password hashing (argon2id) and API token generation."""

from __future__ import annotations

import hashlib
import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's recommended (RFC 9106) parameters. The test suite sets
# SENTINELLE_TEST_CHEAP_HASH to use argon2-cffi's own CHEAPEST profile, made for tests.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("SENTINELLE_TEST_CHEAP_HASH") == "1"
    else PasswordHasher()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store; the token itself is shown once."""
    token = "stl_" + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
