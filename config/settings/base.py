"""Settings shared by every configuration (dev, test, prod).

Everything a deployment changes is read from the environment through config.env.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from audit.chain import Keyring
from config.env import email_settings, env_bool, env_int, env_list, env_str
from config.storage import storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("LUOSHI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Covering indexes (Index(include=…)) are for PostgreSQL; SQLite builds the same index on its key
# columns alone, which is all a laptop needs, so its warning says nothing to act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "core",
    "org",
    "accounts",
    "audit",
    "plans",
    "reports",
    "decomposition",
    "notifications",
    "supervision",
    "indicators",
    "projects",
    "enterprises",
    "evaluation",
    "portal",
    "maps",
    "scale",
    "workbench",
]

MIDDLEWARE = [
    "core.metrics.RequestMetricsMiddleware",  # first: the whole request's latency (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.replica.PrimaryAfterWriteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.PasswordChangeRequiredMiddleware",
    "workbench.middleware.KioskMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.AsOfMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workbench.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'luoshi.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take SQLite's write lock when a transaction starts, so row-locking services (approve, claim a
    # version, append to the audit chain) serialise as SELECT … FOR UPDATE does on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner costs for SSD storage (PostgreSQL's default 4.0 assumes spinning disks): with it the
    # city's task list joined its 20 000 plan nodes by a full scan (6 ms) instead of 155 index probes
    # (1.4 ms). PG_RANDOM_PAGE_COST="" leaves the server's own setting alone.
    # Server-side binding with prepared statements: a query run twice on a connection is prepared, and
    # PostgreSQL stops planning it on every request (the task list's page query planned in 1.7 ms and
    # ran in 1.3 ms; docs/performance.md). Persistent connections (DB_CONN_MAX_AGE) keep the plans.
    # PG_PREPARED_STATEMENTS=0 behind a pooler in transaction mode (prepared statements are per session).
    if env_str("PG_PREPARED_STATEMENTS", "1") == "1":
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
    cost = env_str("PG_RANDOM_PAGE_COST", "1.1")
    if cost:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c random_page_cost={float(cost)}".strip()
# Optional read replica (core/replica.py, docs/deployment.md): cockpit, rollups, exports, bulletins and the
# public portal read it; everything else, and every read within REPLICA_STICKY_SECONDS of the browser's
# own write, reads the primary.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            env_str("DATABASE_REPLICA_URL", ""), conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 15)
# /metrics (core/metrics.py): this bearer token, or requests made directly on the machine itself.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend first: it refuses locked-out accounts before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 2}},
    {"NAME": "accounts.validators.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire after 30 minutes without a request (idle timeout, MLPS 2.0).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Login throttling (accounts/lockout.py, README "Logins and lockouts"): 5 wrong passwords lock an account
# from that address for 15 minutes; LOCKOUT_ADDRESS_LIMIT failures from one address on any accounts throttle
# the address (spraying); LOCKOUT_ACCOUNT_LIMIT failures on one account from anywhere lock it everywhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "accounts.lockout.LuoshiAxesHandler"
LUOSHI_LOCKOUT_ADDRESS_LIMIT = env_int("LOCKOUT_ADDRESS_LIMIT", 20)
LUOSHI_LOCKOUT_ACCOUNT_LIMIT = env_int("LOCKOUT_ACCOUNT_LIMIT", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Stored files: the local folder by default, S3-compatible object storage (MinIO) when STORAGE_URL says
# so (config/env.py storage_settings, docs/files.md "Object storage").
STORAGES = {
    "default": storage_settings(env_str("STORAGE_URL")),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Request bodies: uploads are limited per feature; this caps everything else.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files (core/uploads.py, docs/files.md): one size limit for every uploaded file (evidence, photos,
# attachments, plan documents, ledgers); an image's pixels, read from its header, are checked against
# the pixel limit before anything decodes it (Pillow's own MAX_IMAGE_PIXELS is set to it too). files_gc
# leaves files younger than the grace period alone: they may belong to a request still running.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 50_000_000)
UPLOAD_GC_GRACE_SECONDS = env_int("UPLOAD_GC_GRACE_SECONDS", 6 * 3600)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# core.middleware.SecurityHeadersMiddleware; {nonce} is per request. Everything is served from our own
# origin (vendored ECharts and htmx, no CDN); images may be data:/blob: (chart export, upload previews).
LUOSHI_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# No page uses these browser features; photos are taken through the file picker, which needs none.
LUOSHI_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()"
)

for _key, _value in email_settings(env_str("EMAIL_URL")).items():
    globals()[_key] = _value
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "luoshi@localhost")

# The audit log (docs/audit.md). AUDIT_KEYRING (the HMAC keys that seal the chain, read from a file
# outside the database) is set per configuration: generated into var/ in dev, required in prod.
AUDIT_KEYRING: Keyring | None = None
# The append-only file the chain head is anchored to by `audit_anchor` and the nightly sweep
# ("" switches anchoring off). Copy it off the box: docs/audit.md.
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchor.log"))
# How many audit chains writers spread over (docs/audit.md): a transaction takes the first chain head
# no other transaction holds. SQLite serialises writers anyway, so one chain there.
AUDIT_CHAINS = env_int("AUDIT_CHAINS", 8 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 1)

# Background queue (django-tasks, database backend): e-mails and robot messages are sent by
# `manage.py db_worker`, never in a request; the queue is a table, so SQLite and PostgreSQL alike.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Notifications (docs/notifications.md): links in e-mails and robot messages start with this address.
LUOSHI_SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
LUOSHI_NOTIFY_EMAIL = env_bool("NOTIFY_EMAIL", True)
LUOSHI_NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
LUOSHI_NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)  # 1, 2, 4, 8, 16 minutes …
LUOSHI_NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)
LUOSHI_NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 10)
# An attempt in progress holds its delivery this long, so a second worker does not send it again.
LUOSHI_NOTIFY_LEASE_SECONDS = 120
# Late reports climb the chain of responsibility (SPEC §8): working days late → who is reminded.
LUOSHI_REMINDER_ESCALATION = {"reporter": 1, "unit_head": 3, "leader": 5}

# The working-day calendar answers for dates from January of the first year to December of today's
# year plus the years ahead; any other date (a due date in 9999) is refused with a message.
WORK_CALENDAR_FIRST_YEAR = env_int("WORK_CALENDAR_FIRST_YEAR", 2004)
WORK_CALENDAR_YEARS_AHEAD = env_int("WORK_CALENDAR_YEARS_AHEAD", 10)

# Supervision orders (督办单, docs/supervision.md): numbered <prefix>〔year〕n号, gap-free per year; the
# response is due this many working days after issue unless the office types a date.
SUPERVISION_ORDER_PREFIX = env_str("SUPERVISION_ORDER_PREFIX", "二七督")
SUPERVISION_ISSUER_NAME = env_str("SUPERVISION_ISSUER_NAME", "二七区委区政府督查室")
# The issuer printed on the 督查通报 bulletin (issue 17); defaults to the supervision office.
BULLETIN_ISSUER_NAME = env_str("BULLETIN_ISSUER_NAME", SUPERVISION_ISSUER_NAME)
SUPERVISION_RESPONSE_WORKDAYS = env_int("SUPERVISION_RESPONSE_WORKDAYS", 5)
# A response sent back is due again this many working days later.
SUPERVISION_RETURN_WORKDAYS = env_int("SUPERVISION_RETURN_WORKDAYS", 3)
# Late responses (SPEC §8), in working days after the due date: from when each rung of the chain is
# reminded, and from when the order becomes at least 督办 / 通报; `due_reminder`: working days before
# the due date that the unit is reminded. Checked at start-up (supervision.escalation.Thresholds).
SUPERVISION_ESCALATION = {
    "reporter": 1,
    "unit_head": 3,
    "leader": 5,
    "office": 8,
    "to_order": 3,
    "to_notice": 8,
    "due_reminder": 1,
}

# API bearer tokens live this long after they are issued, die after this long unused (like sessions),
# and a user holds at most this many live ones (issuing another revokes the oldest).
API_TOKEN_TTL = timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 12))
API_TOKEN_IDLE = timedelta(minutes=env_int("API_TOKEN_IDLE_MINUTES", 30))
API_TOKEN_MAX_PER_USER = env_int("API_TOKEN_MAX_PER_USER", 5)

LUOSHI_DISTRICT_NAME = _("Erqi District")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
