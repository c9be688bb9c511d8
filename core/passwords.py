"""Password policy in the spirit of 等保 (MLPS) 2.0: length, complexity, not guessable."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def _classes(password: str) -> int:
    upper = any(c.isascii() and c.isupper() for c in password)
    lower = any(c.isascii() and c.islower() for c in password)
    digit = any(c.isascii() and c.isdigit() for c in password)
    symbol = any(not (c.isascii() and c.isalnum()) for c in password)
    return upper + lower + digit + symbol


def policy_errors(password: str, username: str) -> list[str]:
    password = password or ""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(f"密码长度至少{MIN_LENGTH}位（当前{len(password)}位）")
    user = (username or "").strip().lower()
    if user and password.lower() == user:
        errors.append("密码不能与用户名相同")
    elif user and user in password.lower():
        errors.append("密码不能包含用户名")
    if _classes(password) < 3:
        errors.append("密码须包含大写字母、小写字母、数字、符号中的至少3类")
    if password.lower() in common_passwords():
        errors.append("该密码属于常见弱口令，容易被猜中，请更换")
    return errors


# No look-alikes (0/O, 1/l/I) so a password read out over the phone survives.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "!@#$%^&*-_+?"


def generate_password(length: int = 14) -> str:
    if length < MIN_LENGTH:
        raise ValueError(f"length must be at least {MIN_LENGTH}")
    pool = _UPPER + _LOWER + _DIGITS + _SYMBOLS
    rng = secrets.SystemRandom()
    while True:
        chars = [secrets.choice(s) for s in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
        chars += [secrets.choice(pool) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        pw = "".join(chars)
        if not policy_errors(pw, ""):
            return pw
