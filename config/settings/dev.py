"""Laptop default: `make run`. DEBUG on, a generated secret and audit key kept under var/."""

import secrets
from datetime import date

from config.env import audit_keyring_file, env_bool, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR

DEBUG = env_bool("DEBUG", True)


def _dev_file(name: str, make) -> str:
    # Generated once and kept, so sessions survive a restart and the audit log stays verifiable.
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return str(path)


def _dev_secret() -> str:
    with open(_dev_file("secret_key", lambda: secrets.token_urlsafe(50))) as f:
        return f.read().strip()


SECRET_KEY = env_str("SECRET_KEY") or _dev_secret()
AUDIT_KEYRING = audit_keyring_file(
    env_str("AUDIT_KEYRING_FILE")
    or _dev_file("audit-keyring", lambda: f"dev-{date.today():%Y%m%d} {secrets.token_urlsafe(48)}\n")
)
