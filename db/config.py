"""One place for configuration: environment first, then a git-ignored file made on first start."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CAREDESK_DATA_DIR", ROOT / "data"))
SECRETS_FILE = DATA_DIR / "secrets.json"


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    database_url: str
    cookie_key: str
    cookie_name: str
    cookie_expiry_hours: int
    idle_timeout_min: int
    absolute_timeout_hours: int
    lockout_failures: int
    lockout_minutes: int
    demo: bool
    demo_people: int
    backup_dir: Path
    audit_retention_days: int
    cache_ttl_s: int
    # Peers (reverse proxies) whose X-Forwarded-For is believed; empty: the peer address is
    # the client (components/auth.py client_address). Addresses or networks (CIDR).
    trusted_proxies: tuple[str, ...] = ()
    # The app is served over HTTPS (through the proxy): the sign-in cookie is written Secure.
    https: bool = False


def _secrets() -> dict:
    """Secrets are generated once per installation and never committed."""
    if SECRETS_FILE.exists():
        return json.loads(SECRETS_FILE.read_text("utf-8"))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    data = {"cookie_key": secrets.token_urlsafe(48)}
    tmp = SECRETS_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(SECRETS_FILE)
    return data


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'caredesk.db'}"


def load() -> Settings:
    cookie_key = os.environ.get("CAREDESK_COOKIE_KEY") or _secrets()["cookie_key"]
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        cookie_key=cookie_key,
        cookie_name=os.environ.get("CAREDESK_COOKIE_NAME", "caredesk_auth"),
        cookie_expiry_hours=_int("CAREDESK_COOKIE_HOURS", 8),
        idle_timeout_min=_int("CAREDESK_IDLE_MINUTES", 30),
        absolute_timeout_hours=_int("CAREDESK_ABSOLUTE_HOURS", 10),
        lockout_failures=_int("CAREDESK_LOCKOUT_FAILURES", 5),
        lockout_minutes=_int("CAREDESK_LOCKOUT_MINUTES", 15),
        demo=os.environ.get("CAREDESK_DEMO", "1") not in ("0", "false", "no"),
        demo_people=_int("CAREDESK_DEMO_PEOPLE", 12000),
        backup_dir=Path(os.environ.get("CAREDESK_BACKUP_DIR", DATA_DIR / "backups")),
        audit_retention_days=_int("CAREDESK_AUDIT_RETENTION_DAYS", 180),
        cache_ttl_s=_int("CAREDESK_CACHE_TTL", 60),
        trusted_proxies=tuple(x.strip() for x in os.environ.get("CAREDESK_TRUSTED_PROXIES", "").split(",") if x.strip()),
        https=os.environ.get("CAREDESK_HTTPS", "0") not in ("0", "false", "no", ""),
    )
