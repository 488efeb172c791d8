"""The audit key comes from a file outside the database: required in production, generated in development."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import audit_keyring_file

KEY = "k2021 " + "s" * 48 + "\n"


def test_a_private_keyring_file_is_read_with_its_last_key_current(tmp_path):
    path = tmp_path / "keyring"
    path.write_text(KEY + "k2022 " + "t" * 48 + "\n")
    path.chmod(0o600)
    assert audit_keyring_file(str(path)).current_id == "k2022"


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [(KEY, 0o644, "readable by every user"), ("k1 short\n", 0o600, "not valid"), (None, 0o600, "cannot be read")],
)
def test_a_world_readable_malformed_or_missing_keyring_is_refused(tmp_path, text, mode, message):
    path = tmp_path / "keyring"
    if text is not None:
        path.write_text(text)
        path.chmod(mode)
    with pytest.raises(ImproperlyConfigured, match=message):
        audit_keyring_file(str(path))


def _import_fresh(module: str):
    sys.modules.pop(module, None)
    try:
        return importlib.import_module(module)
    finally:
        sys.modules.pop(module, None)


def test_production_settings_refuse_to_start_without_an_audit_keyring(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("AUDIT_KEYRING_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEYRING_FILE"):
        _import_fresh("config.settings.prod")


def test_development_settings_generate_a_private_keyring_under_var(monkeypatch, tmp_path):
    monkeypatch.setenv("LUOSHI_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("AUDIT_KEYRING_FILE", raising=False)
    sys.modules.pop("config.settings.base", None)
    try:
        first = _import_fresh("config.settings.dev").AUDIT_KEYRING
        again = _import_fresh("config.settings.dev").AUDIT_KEYRING
    finally:
        sys.modules.pop("config.settings.base", None)
    assert (tmp_path / "audit-keyring").stat().st_mode & 0o777 == 0o600
    assert first == again and len(first.current_key) >= 32
