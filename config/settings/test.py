"""Test settings: fast password hashing, fixed secret, files in a temporary folder."""

import tempfile
from pathlib import Path

from audit.chain import parse_keyring
from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
AUDIT_KEYRING = parse_keyring("test-1 test-only-not-secret-audit-key-0123456789")
# No anchoring unless a test asks for it (into its own tmp_path): the file would outlive the
# rolled-back test database and contradict the next test's chain.
AUDIT_ANCHOR_FILE = ""
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="luoshi-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="luoshi-test-static-"))
# Serve app static files straight from the finders, so browser tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
# No rollup cache: its invalidation runs on commit, which never comes inside a test's rolled-back
# transaction. reports/tests/test_rollup_cache.py switches a real cache on and commits.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
