"""Settings of the platform, read from the environment (see README, "Configuration").

One file for every environment: development, CI and production differ only by variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_optional,
    env_path,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Test mode comes from the environment: pytest sets TESTING=1 (pyproject.toml, through
# pytest-env) before these settings are read.
TESTING = env_bool("TESTING", False)

DEBUG = env_bool("DEBUG", False)
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")

_DEV_SECRET = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if (DEBUG or TESTING) else None)
if SECRET_KEY == _DEV_SECRET and not (DEBUG or TESTING):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "import_export",
    "simple_history",
    "config.apps.LoginLockoutsConfig",  # axes, django_otp's plugins: named in both languages
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as local static files: no CDN
    "django_otp",
    "config.apps.AuthenticatorsConfig",  # django_otp.plugins.otp_totp
    "config.apps.RecoveryCodesConfig",  # django_otp.plugins.otp_static
    "common",
    "indicators",
    "accounts",
    "audit",
    "submissions",
    "scoring",
    "national",
    "public",
    "api",
    "demo",
]

MIDDLEWARE = [
    # First: a body longer than REQUEST_MAX_BYTES is refused before anything reads it.
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    # Before everything that reads the session or the database: a cached public page for an
    # anonymous visitor is answered from memory (public/page_cache.py).
    "public.middleware.PublicPageCacheMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.BadParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session's second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Timeouts, the second factor and a due password change, before any view runs.
    "accounts.middleware.SessionSecurityMiddleware",
    "config.middleware.AuditorReadOnlyMiddleware",
    # The login's response sets the language cookie to the person's language.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it answers locked-out logins before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Nothing here makes a folder: DATA_DIR and the folders under it are made where they are first
# needed (config/folders.py).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except Exception as exc:  # dj-database-url raises plain ValueErrors of several kinds
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
# A connection that died with the database (a restart, a failover) is replaced at the next
# request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker processes share the file: wait on a lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery and cache -----------------------------------------------------------------------
REDIS_URL = env_optional("REDIS_URL")
BROKER_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # How long a message taken by a worker that then died whole stays invisible before Redis
    # hands it out again. It must stay above the longest task's time limit (bulk_import_file:
    # 1900 s), or a running bulk load is handed to a second worker; a lost validation is
    # re-queued by the sweep long before (VALIDATION_STUCK_AFTER_SECONDS).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
    CACHES = {
        "default": {
            "BACKEND": "common.cache.PrefixedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ifdi"),
        }
    }
else:
    # The embedded default: a real worker process on kombu's filesystem transport, for one
    # machine only (the folders are not shared between machines; config/celery.py makes them).
    CELERY_BROKER_URL = "filesystem://"
    # Served by kombu's filesystem transport with whole-message writes (config/broker.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # else "./control" in the cwd
        "store_processed": False,
        # kombu looks into the folder once a second by default: a message written just after a
        # look waits up to a second, and a worker that acks one waits as long for the next (on a
        # deadline day, a queue of 20 took 10 s to drain). A folder listing costs microseconds.
        "polling_interval": env_float("EMBEDDED_BROKER_POLL_SECONDS", 0.1, minimum=0.01),
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
# How long the public pages of a published run are cached (they never change; a new
# publication starts the cache over); 0 turns the cache off.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 24 * 3600, minimum=0)
if TESTING:
    # Parallel test processes share the cache server (or folder) as they share the broker;
    # each keeps to its own keys, as their databases hold different rows under the same ids.
    _test_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if REDIS_URL:
        CACHES["default"]["KEY_PREFIX"] = f"{CACHES['default']['KEY_PREFIX']}-test-{_test_worker}"
    else:
        CACHES["default"]["LOCATION"] = str(DATA_DIR / "cache" / _test_worker)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
# Parallel test processes share one broker; each gets its own queue so that a worker never
# runs another process's task against the wrong test database.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "ifdi") + (
    f"-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}" if TESTING else ""
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    # Every morning: officers whose deadline is 7, 3 or 1 days away (or a threshold the task
    # missed) and who have not submitted; each submission hears of each threshold once.
    "remind-deadlines": {"task": "submissions.tasks.remind_deadlines_task",
                         "schedule": crontab(hour=8, minute=0)},
    # Reviewers: submissions newly awaiting review, at most one digest an hour each.
    "review-digest": {"task": "submissions.tasks.review_digest_task",
                      "schedule": crontab(minute="*/10")},
    # Versions or submissions whose message was lost (a broker restart, a worker killed) are
    # re-queued: every 30 s, so that a lost validation is back within
    # VALIDATION_STUCK_AFTER_SECONDS + 30 s (under two minutes; docs/reliability.md).
    "sweep-stuck-validations": {"task": "submissions.tasks.sweep_stuck_task",
                                "schedule": 30.0},
}

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"  # never served directly: downloads go through permission-checked views
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Bulk files (import_values, administrators only) are larger: a county-level cycle.
BULK_MAX_BYTES = env_int("BULK_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
BULK_MAX_ROWS = env_int("BULK_MAX_ROWS", 1_000_000, minimum=1)
# An officer's file has one row per element of the model; a file with far more rows (249,000
# duplicates in 3 MB, found by a probe) is refused whole before its rows are checked. The
# bound leaves room for any honest file: blank or repeated header rows, notes, subtotals.
UPLOAD_ROWS_PER_ELEMENT = env_int("UPLOAD_ROWS_PER_ELEMENT", 10, minimum=1)
UPLOAD_EXTRA_ROWS = env_int("UPLOAD_EXTRA_ROWS", 100, minimum=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# The largest request body, refused by its Content-Length before it is read
# (config.middleware.RequestBodyLimitMiddleware): an upload at the limit plus its form (the
# multipart boundaries, the CSRF token, a note). Paths that take more, by prefix (an
# administrators' bulk upload page: BULK_MAX_BYTES + 1 MB).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", UPLOAD_MAX_BYTES + 1024 * 1024, minimum=1024)
# URL name → bytes: the administrators' bulk load page takes what import_values takes.
REQUEST_MAX_BYTES_BY_URL_NAME: dict[str, int] = {
    "submissions:bulk_import": BULK_MAX_BYTES + 1024 * 1024}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # made at start (config/folders.py): WhiteNoise warns if missing
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Language -------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Security -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Never authenticates: slows guessing at one account from many addresses
    # (accounts/login_throttle.py), after axes' lock-out and before the password check.
    "accounts.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.UsernameNotContainedValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"remembered": 5}},
]
# Argon2id at OWASP's parameters first; PBKDF2 (Django's 1,000,000 iterations) still checks the
# hashes made before, and a login with one re-hashes it with Argon2id.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
if TESTING:
    # A deliberately slow hash costs tens of milliseconds a user; tests create hundreds.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Days a password lasts before its owner must change it; 0: it never expires.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
# The second factor (TOTP, recovery codes): always for national staff; for officers when on.
OTP_REQUIRED_FOR_OFFICERS = env_bool("OTP_REQUIRED_FOR_OFFICERS", False)
OTP_TOTP_ISSUER = "IFDI"
# The admin's device pages never show a secret, a QR code or a recovery code: the security
# administrator resets a second factor, the person enrols their own.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
# Locked per user name AND client address: a stranger locks only themselves. Behind a proxy
# the client address comes from X-Forwarded-For through TRUSTED_PROXY_COUNT proxies
# (common/client_address.py; docs/operations.md), never from a header nobody vouches for.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# A locked-out login gets the site's page in the person's language (accounts.views.lockout).
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# A form from an expired page gets the site's page, not Django's English one.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# A session ends after SESSION_IDLE_TIMEOUT seconds without a request and SESSION_ABSOLUTE_TIMEOUT
# seconds after its login, whatever happens (accounts/middleware.py); a staff account keeps at
# most SESSION_MAX_PER_STAFF sessions (a new login ends the oldest).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 1800, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 43200, minimum=60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_MAX_PER_STAFF = env_int("SESSION_MAX_PER_STAFF", 1, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Behind HTTPS, plain HTTP is redirected and browsers are told to use HTTPS only (a year) — but
# a load balancer's health probe speaks plain HTTP to the process: /healthz and /readyz answer.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Browser features no page of the platform uses (config.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), payment=(), usb=()")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ifdi@localhost")

# --- The public site's footer (common/templatetags/site.py) -----------------------------------
# Who answers the public's questions: a sentence in each language (the office, its telephone)
# and an e-mail address.
PUBLIC_CONTACT_ZH = env_str("PUBLIC_CONTACT_ZH", "")
PUBLIC_CONTACT_EN = env_str("PUBLIC_CONTACT_EN", "")
PUBLIC_CONTACT_EMAIL = env_str("PUBLIC_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusal_without_traceback": {"()": "common.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # A 403 or 404 is one line, not a traceback (common/log_filters.py).
    "loggers": {"axes": {"level": "WARNING"},
                "django.request": {"filters": ["refusal_without_traceback"]}},
}

# --- The machine API (api/) ------------------------------------------------------------------
# Provincial systems authenticate with an API token (``Authorization: Bearer``); everyone else
# reads the published data anonymously. A browser session is not an API credential: no cookie
# can make an API call on someone's behalf, so the API needs no CSRF token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "api.renderers.ProblemJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle",
                                 "api.throttling.AnonymousRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token and per anonymous client (DRF's "N/second|minute|hour|day"). Tests run
# hundreds of calls from one address: there the limits are set by the tests that check them.
API_RATE_TOKEN = env_str("API_RATE_TOKEN", "100000/min" if TESTING else "600/min")
API_RATE_ANONYMOUS = env_str("API_RATE_ANONYMOUS", "100000/min" if TESTING else "120/min")
# How long a new API token lives unless ``api_token create --days`` says otherwise.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 180, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "IFDI platform API",
    "DESCRIPTION": "Published rankings, results, index models and national targets for "
                   "everyone; submission of provincial data for systems holding an API token. "
                   "Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "api.schema.dimension_keys"],
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# --- Audit and health ------------------------------------------------------------------------
# The hash of the audit log's chain for new entries; each entry records its own (audit/hashing.py).
AUDIT_HASH = env_choice("AUDIT_HASH", ("sha256", "sm3"), "sha256")
# /readyz: a worker's heartbeat no older than this, and this much free disk under DATA_DIR.
READYZ_WORKER_MAX_AGE = env_int("READYZ_WORKER_MAX_AGE", 60, minimum=5)
READYZ_MIN_FREE_MB = env_int("READYZ_MIN_FREE_MB", 500, minimum=0)

# The platform's own knobs.
VALIDATION_OUTLIER_THRESHOLD = 3.5
# A version queued this long ago (or re-queued) and not started is re-queued by the sweep: its
# message was lost (a broker restart) or sits behind a worker that died. Validating one takes
# about a second; on deadline day the queue held at most 5 messages (docs/benchmarks.md).
VALIDATION_STUCK_AFTER_SECONDS = env_int("VALIDATION_STUCK_AFTER_SECONDS", 60, minimum=10)
# The hard time limit of one validation (the soft one 10 s earlier): a validation "running"
# for longer died with its worker, and the sweep re-queues it.
VALIDATION_TIME_LIMIT = env_int("VALIDATION_TIME_LIMIT", 60, minimum=20)
# Runs of one version that never finished before the sweep gives up and marks it "failed"
# for an operator (python manage.py retry_validations).
VALIDATION_MAX_ATTEMPTS = env_int("VALIDATION_MAX_ATTEMPTS", 5, minimum=1)
UNCERTAINTY_REPLICATIONS = env_int("UNCERTAINTY_REPLICATIONS", 1000, minimum=10)
UNCERTAINTY_SPREAD = 0.2
