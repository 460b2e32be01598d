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

from config.env import env_bool, env_int, env_list, env_optional, env_path, env_str

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
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as local static files: no CDN
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
    "django.middleware.security.SecurityMiddleware",
    # Before everything that reads the session or the database: a cached public page for an
    # anonymous visitor is answered from memory (public/page_cache.py).
    "public.middleware.PublicPageCacheMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.AuditorReadOnlyMiddleware",
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
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ifdi"),
        }
    }
else:
    # The embedded default: a real worker process on kombu's filesystem transport, for one
    # machine only (the folders are not shared between machines; config/celery.py makes them).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # else "./control" in the cwd
        "store_processed": False,
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
    # Every morning: officers whose deadline is three days away and who have not submitted.
    "remind-deadlines": {"task": "submissions.tasks.remind_deadlines_task",
                         "schedule": crontab(hour=8, minute=0)},
    # Versions or submissions whose message was lost (a broker restart, say) are re-queued.
    "sweep-stuck-validations": {"task": "submissions.tasks.sweep_stuck_task",
                                "schedule": 60.0},
}

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"  # never served directly: downloads go through permission-checked views
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Bulk files (import_values, administrators only) are larger: a county-level cycle.
BULK_MAX_BYTES = env_int("BULK_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
BULK_MAX_ROWS = env_int("BULK_MAX_ROWS", 1_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
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
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # A deliberately slow hash costs 0.3 s a user; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

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
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
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
    # The client's address is the connection's unless a proxy in front is declared: an
    # X-Forwarded-For header sent by the client itself must not reset its rate limit.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0, minimum=0),
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

# The platform's own knobs.
VALIDATION_OUTLIER_THRESHOLD = 3.5
VALIDATION_STUCK_AFTER_SECONDS = env_int("VALIDATION_STUCK_AFTER_SECONDS", 600, minimum=30)
UNCERTAINTY_REPLICATIONS = env_int("UNCERTAINTY_REPLICATIONS", 1000, minimum=10)
UNCERTAINTY_SPREAD = 0.2
