"""Laptop default: `make run`. DEBUG on, a generated secret kept under var/."""

import secrets

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR

DEBUG = env_bool("DEBUG", True)


def _dev_secret() -> str:
    # Generated once and kept so sessions survive a restart of the dev server.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or _dev_secret()
