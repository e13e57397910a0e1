"""Passwords and session tokens as the database keeps them: argon2id hashes and sha256 digests, never the text.

Apart from etl/accounts.py and etl/sessions.py so that the one choice of hash
and cost, and the dummy hash that makes an unknown name take as long as a
wrong password, sit in one short file a reviewer can check.
"""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id minimum (19 MiB, 2 passes): ~40 ms a hash here, so tests and sign-ins stay quick.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY = _hasher.hash("不是任何人的密码")  # verified for unknown names, so both answers take as long


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(hashed: str, password: str) -> bool:
    """True when `password` is the one `hashed` was made from; False for a wrong one or a damaged hash."""
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def verify_nobody(password: str) -> None:
    """The work of a verification for a name that has no account, so the refusal takes as long as a wrong password."""
    verify(_DUMMY, password)


def needs_rehash(hashed: str) -> bool:
    """True for a hash made with weaker settings than today's (it is replaced at the next sign-in)."""
    return _hasher.check_needs_rehash(hashed)


def token_hash(token: str) -> str:
    """What the sessions table keeps of a browser's token: a copy of the database signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()
