"""Typed readers for settings that come from the environment.

Each reader fails loudly (ImproperlyConfigured) on a value it cannot parse, so a
typo in a deployment stops the process at start instead of running with a
silently different configuration.
"""

import os
from typing import overload

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} is required in this configuration.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def email_settings(url: str | None) -> dict[str, object]:
    """Django e-mail settings from EMAIL_URL.

    smtp://user:password@host:port?tls=1 | smtps://… (implicit TLS) | console:// | memory://
    Unset means the console backend, so a laptop never tries to reach a mail server.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not one of smtp, smtps, console, memory.")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL has no host.")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError as exc:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port.") from exc
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0").lower() in _TRUE,
    }


def audit_keyring_file(path: str):
    """The audit chain's keyring (audit.chain.parse_keyring) from a file kept outside the database.

    Refused when missing, malformed, or readable by every local account: the key is what stops someone
    with database access from re-sealing an edited audit log (docs/audit.md).
    """
    from pathlib import Path

    from audit.chain import KeyringError, parse_keyring

    file = Path(path)
    try:
        if file.stat().st_mode & 0o004:
            raise ImproperlyConfigured(f"The audit keyring {path} is readable by every user: chmod o-r it.")
        return parse_keyring(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImproperlyConfigured(f"The audit keyring {path} cannot be read: {exc.strerror}.") from exc
    except KeyringError as exc:
        raise ImproperlyConfigured(f"The audit keyring {path} is not valid: {exc}.") from exc
