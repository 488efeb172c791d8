"""Production: gunicorn workers behind a reverse proxy. Refuses to start without a secret."""

from config.env import env_bool, env_required
from config.settings.base import *  # noqa: F403

SECRET_KEY = env_required("SECRET_KEY")
DEBUG = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
