"""Settings, read from the environment (12-factor).

Two modes, chosen by ``SAFEGUARDING_MODE``:

* ``development`` (the default): with nothing else set the app runs on an embedded SQLite
  file and Celery runs tasks in-process, so ``make run`` works on a machine with no services.
  Tests and CI set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` to PostgreSQL and Redis.
* ``production``: every secret and service must be given explicitly, ``DEBUG`` is off, and
  the deployment checks (``manage.py check --deploy``) pass with no warnings. Demo users are
  never created in this mode.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

MODE = env.str("SAFEGUARDING_MODE", default="development")
if MODE not in {"development", "production"}:
    raise environ.ImproperlyConfigured(
        f"SAFEGUARDING_MODE must be 'development' or 'production', not {MODE!r}"
    )
PRODUCTION = MODE == "production"

if PRODUCTION:
    # No defaults in production: a missing secret must stop the app, not weaken it.
    SECRET_KEY = env.str("SECRET_KEY")
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-not-a-secret")
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    DATABASES = {
        "default": env.db_url(
            "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'safeguarding.sqlite3'}"
        )
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query to machine code when its plan looks expensive enough. Pages
    # here run many small queries whose plans only look expensive (index probes the planner
    # prices high): compiling cost more than running them (BENCHMARKS.md). Off unless asked.
    _jit = env.bool("POSTGRES_JIT", default=False)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _flags = [_options.get("options", ""), f"-c jit={'on' if _jit else 'off'}"]
    # A web worker gives up on a request after WEB_TIMEOUT seconds (safeguarding/gunicorn.py
    # sets this to match): its query must not run on in the database after it has gone.
    # Unset (no limit) for migrations, seeding and Celery tasks.
    _statement_timeout = env.int("DATABASE_STATEMENT_TIMEOUT", default=0)
    if _statement_timeout > 0:
        _flags.append(f"-c statement_timeout={_statement_timeout * 1000}")
    _options["options"] = " ".join(flag for flag in _flags if flag)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc, served from our own static files
    "guardian",
    "auditlog",
    # The shared layer
    "safeguarding.accounts",
    "safeguarding.subjects",
    "safeguarding.audit",
    "safeguarding.notifications",
    "safeguarding.api",
    # The domain
    "cases",
    "contexts",
    "peers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Couples every audit row written during a request to the signed-in user.
    "auditlog.middleware.AuditlogMiddleware",
    # A partner agency's pages show only the fields it may read (accounts/disclosure.py).
    "safeguarding.accounts.disclosure.DisclosureMiddleware",
]

if PRODUCTION:
    # Static files straight from gunicorn, compressed and cache-busted; in development the
    # staticfiles app serves them and there is no collected STATIC_ROOT to serve from.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

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
                "safeguarding.navigation.navigation",
            ],
            # {% load pagination %}: the tag behind templates/includes/pagination.html.
            "libraries": {"pagination": "safeguarding.pagination"},
        },
    },
]

# Forms render as GOV.UK markup from our templates/ (templates/govuk/forms/), before Django's own.
FORM_RENDERER = "safeguarding.forms.GovukFormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian stores our object-level grants. We never grant anything to anonymous users,
# and every access decision goes through safeguarding.accounts.visibility, so guardian's
# anonymous user and its authentication backend are not used.
ANONYMOUS_USER_NAME = None
SILENCED_SYSTEM_CHECKS = [
    # guardian.W001 asks for guardian's authentication backend. We do not use it on purpose:
    # user.has_perm(obj) would be a second way to decide access, beside the one rule.
    "guardian.W001",
    # Covering indexes (INCLUDE columns, cases.ConcernAudience) are PostgreSQL's; the embedded
    # SQLite database of `make run` builds the same indexes without them, which is all it needs.
    "models.W040",
]

# django-auditlog records reads and changes of young people's records. Its rows are made
# append-only by a database trigger (safeguarding/audit/migrations).
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_INCLUDE_ALL_MODELS = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Our own files (static/, with static/build/app.css compiled by `npm run build`), and the npm
# packages' distributions under their own prefixes: /static/govuk/, /static/moj/ and so on
# (`make assets` installs and builds them). A folder that is not there yet is left out, so
# settings load and the system checks pass before the first `npm ci`.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    entry
    for entry in [
        BASE_DIR / "static",
        ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
        ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
        ("cytoscape", NODE_MODULES / "cytoscape" / "dist"),
        ("chartjs", NODE_MODULES / "chart.js" / "dist"),
        ("autocomplete", NODE_MODULES / "accessible-autocomplete" / "dist"),
    ]
    if (entry[1] if isinstance(entry, tuple) else entry).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The partner API (safeguarding/api/): partner systems send a bearer token, staff may use their
# session. JSON only; every error is an RFC 9457 problem; lists are paginated and filtered.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a request without credentials is a 401 with WWW-Authenticate: Bearer.
        "safeguarding.api.authentication.PartnerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["safeguarding.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "safeguarding.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "safeguarding.api.errors.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "safeguarding.api.pagination.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": ["safeguarding.api.filters.FilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["safeguarding.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api": env.str("API_THROTTLE_RATE", default="120/min"),  # per token (or person)
        "anon": env.str("API_ANON_THROTTLE_RATE", default="60/min"),  # schema and docs
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Contextual Safeguarding partner API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Referrals in; decisions and actions out.",  # the full text: api/schema.py
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "referrals", "description": "Send referrals; learn what was decided."},
        {"name": "actions", "description": "Actions assigned to your organisation."},
        {"name": "contexts", "description": "Known places you may name in a referral."},
        {"name": "reference data", "description": "Harm categories."},
        {
            "name": "webhooks",
            "description": "Register your system's endpoints to be told of events, signed per "
            "the Standard Webhooks specification.",
        },
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "cases.models.Referral.Status",
        "ActionStatusEnum": "cases.models.Action.Status",
        "ActionProgressStatusEnum": "cases.api.serializers.ACTION_PROGRESS_CHOICES",
        "ContextKindEnum": "contexts.models.Context.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "safeguarding.api.schema.postprocess",
    ],
    # Swagger UI and Redoc from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_AUTHENTICATION": [],
}

# The cache holds the API's rate-limit counters, which every worker must share: Redis when one
# is configured (REDIS_URL, or a redis:// Celery broker), otherwise this process's memory.
_CACHE_REDIS_URL = env.str(
    "REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_REDIS_URL,
            "KEY_PREFIX": "safeguarding",
            # A Redis that stops answering must not hold up requests (rate limits fail open).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
        if _CACHE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery. With no broker configured (the embedded default) tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than its hard limit, and the broker redelivers an unacknowledged message
# only after the visibility timeout, which is far longer: a slow task is never run twice at once.
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_TIME_LIMIT = 120
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 1}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# Queuing a task from a web request gives up quickly when the broker is down (the outbox row is
# already committed; the sweep sends it later), so a request never hangs on Redis.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = TIME_ZONE
# Celery beat (the `beat` service of docker-compose.yml) runs housekeeping on a schedule.
CELERY_BEAT_SCHEDULE = {
    # Idempotency keys are honoured for 24 hours; after that their rows are deleted.
    "purge-idempotency-keys": {
        "task": "safeguarding.api.tasks.purge_idempotency_keys",
        "schedule": 60 * 60,
    },
    # Notifications that are due (not queued when they were made, retries, expired leases).
    "dispatch-due-notifications": {
        "task": "safeguarding.notifications.tasks.dispatch_due_notifications",
        "schedule": env.int("NOTIFICATION_SWEEP_SECONDS", default=60),
    },
    "notify-overdue-actions": {
        "task": "cases.tasks.notify_overdue_actions",
        "schedule": 60 * 60,
    },
    # Hotspots and themes count the whole borough ahead of time (cases/figures.py).
    "refresh-borough-figures": {
        "task": "cases.tasks.refresh_borough_figures",
        "schedule": env.int("BOROUGH_FIGURES_REFRESH_SECONDS", default=600),
    },
}

# Notifications (safeguarding/notifications/). Links in them are made absolute with SITE_URL.
SITE_URL = (
    env.str("SITE_URL") if PRODUCTION else env.str("SITE_URL", default="http://127.0.0.1:8000")
)
# Email goes through Django's email backend: EMAIL_URL is e.g. smtp+tls://user:pass@host:587.
# The embedded default prints each email on the console of `make run`.
# Optional: GOV.UK Notify instead of SMTP (safeguarding/notifications/notify.py), when its API key
# is set. The template has subject ((subject)) and body ((body)).
GOVUK_NOTIFY_API_KEY = env.str("GOVUK_NOTIFY_API_KEY", default="")
vars().update(
    env.email_url("EMAIL_URL")
    if PRODUCTION and not GOVUK_NOTIFY_API_KEY
    else env.email_url("EMAIL_URL", default="consolemail://")
)
EMAIL_TIMEOUT = 20
GOVUK_NOTIFY_TEMPLATE_ID = env.str("GOVUK_NOTIFY_TEMPLATE_ID", default="")
GOVUK_NOTIFY_BASE_URL = env.str(
    "GOVUK_NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
)
if GOVUK_NOTIFY_API_KEY:
    if not GOVUK_NOTIFY_TEMPLATE_ID:
        raise environ.ImproperlyConfigured(
            "Set GOVUK_NOTIFY_TEMPLATE_ID: the Notify template for notification emails"
        )
    EMAIL_BACKEND = "safeguarding.notifications.notify.NotifyEmailBackend"
DEFAULT_FROM_EMAIL = (
    env.str("DEFAULT_FROM_EMAIL")
    if PRODUCTION
    else env.str("DEFAULT_FROM_EMAIL", default="notifications@safeguarding.invalid")
)
# Emails' Message-IDs are <event id>@this: the site's own host name unless set.
NOTIFICATION_MESSAGE_ID_DOMAIN = env.str(
    "NOTIFICATION_MESSAGE_ID_DOMAIN", default=urlsplit(SITE_URL).hostname or "localhost"
)
# A delivery is tried this many times, the n-th retry after up to BASE * 2**(n-1) seconds (full
# jitter, at most MAX): up to about 4 hours in all with the defaults. Then it is dead-lettered.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=10)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
NOTIFICATION_RETRY_MAX_SECONDS = env.int("NOTIFICATION_RETRY_MAX_SECONDS", default=6 * 60 * 60)
# A retry due within this many seconds is queued with a countdown; later ones wait for the sweep.
NOTIFICATION_QUEUE_RETRY_WITHIN = 15 * 60
# How long a worker holds a notification it is sending; if it dies, the sweep takes it back then.
# Longer than the task's hard time limit, so a live worker never loses its claim.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=300)
WEBHOOK_TIMEOUT_SECONDS = 10
# Every event is sent to each endpoint an organisation registers: a limit keeps that bounded.
WEBHOOK_ENDPOINTS_PER_ORGANISATION = env.int("WEBHOOK_ENDPOINTS_PER_ORGANISATION", default=20)
# Webhooks go only to https and public addresses; on one's own machine (development), http and
# loopback are allowed unless WEBHOOKS_ALLOW_INTERNAL=false. Never in production.
WEBHOOKS_ALLOW_INTERNAL = False if PRODUCTION else env.bool("WEBHOOKS_ALLOW_INTERNAL", default=True)
# Keys that encrypt secrets at rest (webhook signing secrets, stored API answers that carry
# them): Fernet keys, comma-separated; the first encrypts, all decrypt (rotation: put a new key
# first, run `manage.py reencrypt_fields`, then drop the old one). Required in production;
# development uses a fixed key that is published in the code and so is no secret
# (safeguarding/encryption.py).
if PRODUCTION:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
else:
    # DEVELOPMENT ONLY: base64 of "development-only-not-a-secret-!!" (refused in production).
    FIELD_ENCRYPTION_KEYS = env.list(
        "FIELD_ENCRYPTION_KEYS", default=["ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQtISE="]
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    # Health checks come from the load balancer and the compose file over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# A place with at least this many concerns per 30 days in the chosen window (scaled to the
# window) that was below it in the previous window is flagged as an emerging hotspot.
HOTSPOT_CONCERNS_PER_30_DAYS = env.float("HOTSPOT_CONCERNS_PER_30_DAYS", default=3.0)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # a working day
