"""Production: gunicorn workers behind a reverse proxy that terminates HTTPS. Refuses to start without a
secret or an audit key.

HTTPS settings (README "HTTPS in production"): the proxy must set `X-Forwarded-Proto` (nginx:
`proxy_set_header X-Forwarded-Proto $scheme;`) and strip any value a client sends; Django then redirects
plain HTTP to HTTPS, marks cookies Secure and sends HSTS.
"""

from config.env import audit_keyring_file, env_bool, env_int, env_required
from config.settings.base import *  # noqa: F403

SECRET_KEY = env_required("SECRET_KEY")
# The HMAC keys sealing the audit chain, in a file outside the database (docs/audit.md).
AUDIT_KEYRING = audit_keyring_file(env_required("AUDIT_KEYRING_FILE"))
DEBUG = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's and the monitor's plain-HTTP health check
if env_bool("SECURE_PROXY_SSL_HEADER", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: a year by default; HSTS_SECONDS=0 switches it off (e.g. while HTTPS is first tried out).
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # An intranet host name is not for browsers' public preload list; HSTS itself is on.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405  (from STORAGE_URL: local folder or object storage)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
