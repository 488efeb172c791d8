"""Production: gunicorn workers behind a reverse proxy. Refuses to start without a secret or an audit key."""

from config.env import audit_keyring_file, env_bool, env_required
from config.settings.base import *  # noqa: F403

SECRET_KEY = env_required("SECRET_KEY")
# The HMAC keys sealing the audit chain, in a file outside the database (docs/audit.md).
AUDIT_KEYRING = audit_keyring_file(env_required("AUDIT_KEYRING_FILE"))
DEBUG = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
