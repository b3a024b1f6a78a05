"""Settings, read from the environment (12-factor).

Two modes, chosen by ``SAFEGUARDING_MODE``:

* ``development`` (the default): with nothing else set the app runs on an embedded SQLite
  file and Celery runs tasks in-process, so ``make run`` works on a machine with no services.
  Tests and CI set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` to PostgreSQL and Redis.
* ``production``: every secret and service must be given explicitly, ``DEBUG`` is off, and
  the deployment checks (``manage.py check --deploy``) pass with no warnings. Demo users are
  never created in this mode.
"""

from datetime import timedelta
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
# Database roles (README, "Database roles and the audit"): the app connects as a role that owns
# nothing (the user of DATABASE_URL). Migrations run as the owner of the tables: the compose
# file's migrate service gets MIGRATION_DATABASE_URL as its DATABASE_URL, then runs
# `manage.py grant_runtime_role --create`, which gives DATABASE_RUNTIME_ROLE its rights (and
# creates it, with DATABASE_RUNTIME_PASSWORD, if it does not exist yet).
DATABASE_RUNTIME_ROLE = env.str("DATABASE_RUNTIME_ROLE", default="")
DATABASE_RUNTIME_PASSWORD = env.str("DATABASE_RUNTIME_PASSWORD", default="")
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
    "drf_spectacular_sidecar",  # Swagger UI, served from our own static files
    "guardian",
    "auditlog",
    "csp",  # Content-Security-Policy (the policy: CONTENT_SECURITY_POLICY below)
    # Sign-in: second factors (TOTP apps, one-time recovery codes) and lockout after wrong
    # passwords (safeguarding/accounts/mfa.py, README "Security").
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # The shared layer
    "safeguarding.accounts",
    "safeguarding.subjects",
    "safeguarding.audit",
    "safeguarding.notifications",
    "safeguarding.api",
    "safeguarding.dataprotection",  # the data protection officer's pages
    "safeguarding.subject_access",  # subject access requests (UK GDPR Art. 15), the officer's
    "safeguarding.retention",  # the retention schedule, legal holds, disposal
    "safeguarding.approvals",  # sign-off (requested → approved / returned), for any record
    # The domain
    "cases",
    "contexts",
    "peers",
]

MIDDLEWARE = [
    # X-Forwarded-Proto/-Host/-Port are believed only from TRUSTED_PROXIES: from anyone else
    # they are dropped before Django reads them (safeguarding/proxies.py).
    "safeguarding.proxies.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Nothing Django answers is kept by browsers or proxies (Cache-Control: no-store), redirects
    # and refusals of the middleware below included; static files are served before this
    # (whitenoise is inserted above it in production) and keep their caching
    # (safeguarding/headers.py).
    "safeguarding.headers.NoStoreMiddleware",
    # Security headers on every response from Django: Content-Security-Policy (with a nonce for
    # the pages that ask for one) and Permissions-Policy; the policies are below.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A query parameter holding NUL is a 400 before any view (safeguarding/text.py).
    "safeguarding.text.RefuseNullCharactersMiddleware",
    # request.user.is_verified(): whether this session passed its second factor.
    "django_otp.middleware.OTPMiddleware",
    # Signs out a session idle for SESSION_IDLE_TIMEOUT_MINUTES or older than SESSION_COOKIE_AGE.
    "safeguarding.accounts.middleware.SessionTimeoutMiddleware",
    # The one place a second factor is enforced: a signed-in session that has not passed it
    # reaches only the sign-in, sign-out and second-factor pages.
    "safeguarding.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Couples every audit row written during a request to the signed-in user and the client's
    # address (taken from X-Forwarded-For only behind TRUSTED_PROXIES: safeguarding/proxies.py).
    "safeguarding.audit.middleware.AuditlogMiddleware",
    # A partner agency's pages show only the fields it may read (accounts/disclosure.py).
    "safeguarding.accounts.disclosure.DisclosureMiddleware",
    # A service's RecordNotFound that no view answered is a 404, its NotAllowed a 403
    # (safeguarding/errors.py): the pages' bases and the API answer them themselves.
    "safeguarding.errors.DomainErrorMiddleware",
    # Answers a locked-out sign-in attempt with templates/registration/locked_out.html. Last.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files straight from gunicorn, compressed and cache-busted; in development the
    # staticfiles app serves them and there is no collected STATIC_ROOT to serve from.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

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
            # {% load pagination %}: the tag behind templates/includes/pagination.html;
            # {% load govuk %}: GOV.UK components such as {% summary_row %}.
            "libraries": {
                "pagination": "safeguarding.pagination",
                "govuk": "safeguarding.templatetags.govuk",
            },
        },
    },
]

# Forms render as GOV.UK markup from our templates/ (templates/govuk/forms/), before Django's own.
FORM_RENDERER = "safeguarding.forms.GovukFormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a username and address that are locked out before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Messages (banners after an action) are kept in the session, on the server, not in a cookie:
# one shows a new webhook signing secret once, and a cookie would carry it to the browser.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Password reset (safeguarding/accounts/passwords.py): a link, emailed through the outbox, works
# once and for PASSWORD_RESET_TIMEOUT seconds (default a day: an administrator's link to a new
# user must survive until they read it); another email to the same person is not sent within
# PASSWORD_RESET_INTERVAL_SECONDS of the last (nobody floods a colleague's inbox).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 60 * 60)
PASSWORD_RESET_INTERVAL_SECONDS = env.int("PASSWORD_RESET_INTERVAL_SECONDS", default=300)
# After someone else changes an account's email address, no reset link is sent for it for this
# many hours, and its old address is told (accounts/separation.py): changing an address and then
# sending a link is not a way into someone's account.
PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE = env.int(
    "PASSWORD_RESET_HOLD_AFTER_EMAIL_CHANGE", default=72
)

# Brute force (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that username is locked out from that address for AXES_COOLOFF_MINUTES (the same
# username elsewhere, and colleagues behind the same address, still sign in). The address is
# REMOTE_ADDR only: a client's own X-Forwarded-For is never believed here.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "safeguarding.accounts.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
# A GOV.UK page (templates/registration/locked_out.html), status 429.
AXES_LOCKOUT_CALLABLE = "safeguarding.accounts.views.locked_out"
# Second factor (django-otp): the name authenticator apps show, and the wait after each wrong
# code (1, 2, 4, 8... seconds times the factor; django-otp's own throttling, never off).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Contextual Safeguarding")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# How many one-time recovery codes a person is given (each works once).
MFA_RECOVERY_CODES = 10
# Failed API token attempts from one address (REMOTE_ADDR): past this rate the address gets 429
# before its token is even looked at (safeguarding/api/throttling.py).
API_FAILED_TOKEN_RATE = env.str("API_FAILED_TOKEN_RATE", default="10/min")

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

# The reverse proxies and load balancers in front of the app (IP addresses or CIDR networks,
# comma-separated). X-Forwarded-For is believed only when the request comes from one of them,
# and then the client is the right-most address in it that is not one of them
# (safeguarding/proxies.py: the audit's client address, the API's anonymous rate limit). Empty
# (the default): the header is ignored and the client is the connection's own address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Content-Security-Policy (django-csp): everything from this site only, no inline script or
# style anywhere (no 'unsafe-inline', no 'unsafe-eval'), no plugins, no <base>, forms post only
# here, and no site may frame a page. A view that needs more says so with django-csp's
# decorators (the API's Swagger UI allows data: images: safeguarding/api/docs.py). Templates
# have {{ request.csp_nonce }} for a script that truly must be inline; none needs one today.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Permissions-Policy (django-permissions-policy): browser features no page here uses are off
# for this site and anything it could embed. (Passkeys, publickey-credentials-*, stay allowed
# for this site by the browser's default.)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

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
# Documents attached to subjects and case notes (cases.casework.models.Document): kept outside
# the web root and served only through their download view (the rule; every download audited),
# never under MEDIA_URL. DOCUMENTS_STORAGE=filesystem (the default) keeps them under
# DOCUMENTS_ROOT; DOCUMENTS_STORAGE=s3 keeps them in an S3-compatible bucket through
# django-storages (DOCUMENTS_S3_BUCKET, and optionally DOCUMENTS_S3_ENDPOINT_URL,
# DOCUMENTS_S3_REGION; credentials from the usual AWS_* variables or the instance's role).
DOCUMENTS_STORAGE = env.str("DOCUMENTS_STORAGE", default="filesystem")
DOCUMENTS_ROOT = env.path("DOCUMENTS_ROOT", default=BASE_DIR / "var" / "documents")
#: The largest document accepted, in bytes (default 10 MB).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
if DOCUMENTS_STORAGE == "s3":
    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTS_S3_REGION", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif DOCUMENTS_STORAGE == "filesystem":
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # base_url: nothing serves this directory; a document's link is its download view.
        "OPTIONS": {"location": str(DOCUMENTS_ROOT), "base_url": "/no-direct-access/"},
    }
else:
    raise environ.ImproperlyConfigured("DOCUMENTS_STORAGE must be filesystem or s3")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents_storage,
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
        {
            "name": "plans",
            "description": "Safety plans that ask your organisation for something: your "
            "actions in them, and the measures you record.",
        },
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
        "PlanStatusEnum": "cases.models.Plan.Status",
        "PlanKindEnum": "cases.models.Plan.Kind",
        "MeasureKindEnum": "cases.models.Measure.Kind",
        "MeasureDirectionEnum": "cases.models.Measure.Direction",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "safeguarding.api.schema.postprocess",
    ],
    # Swagger UI from the drf-spectacular-sidecar package: no CDN. (No Redoc: api/docs.py.)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
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
# Queues: housekeeping (beat's tasks, figures) on the default queue; each notification channel on
# a queue of its own, each consumed by its own worker (docker-compose.yml: `worker`,
# `worker-email`, `worker-webhooks`), so a partner's endpoint that hangs for its whole timeout
# holds only webhook workers, never staff email or housekeeping (safeguarding/notifications/).
CELERY_TASK_DEFAULT_QUEUE = "celery"
NOTIFICATION_QUEUES = {"email": "email", "webhook": "webhooks"}
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
    # Records due for review under the retention schedule (safeguarding/retention/listing.py).
    "list-records-due-for-retention-review": {
        "task": "safeguarding.retention.tasks.list_records_due",
        "schedule": env.int("RETENTION_LISTING_SECONDS", default=24 * 60 * 60),
    },
    # Hotspots and themes count the whole borough ahead of time (cases/figures.py).
    "refresh-borough-figures": {
        "task": "cases.tasks.refresh_borough_figures",
        "schedule": env.int("BOROUGH_FIGURES_REFRESH_SECONDS", default=600),
    },
}

# Retention (safeguarding/retention/): how long each record type is kept, until an authority's
# data protection officer sets its own schedule: (years, months, counted from, then).
# Sources: the practice notes, PRACTICE.md ("Warning notes, sign-off, retention"), which give
# examples seen in council schedules; where it gives no number, the number is our setting.
RETENTION_DEFAULTS = {
    # "child protection records 35 years after last contact" (PRACTICE.md). A young person
    # with a strategy discussion (the start of a child protection enquiry) is in this class.
    "young_person_protection": (35, 0, "last_activity", "delete"),
    # "children in need to the 18th birthday plus some years of inactivity" (PRACTICE.md):
    # "some" is ours, 7 years, counted from the 18th birthday or the last activity if later.
    "young_person": (7, 0, "eighteenth_birthday", "anonymise"),
    # "No published rule exists for place and group records: their period is a setting"
    # (PRACTICE.md): ours, 7 years after the last concern, case or note about them.
    "place": (7, 0, "last_activity", "anonymise"),
    "peer_group": (7, 0, "last_activity", "delete"),
    # Referrals that never became a case (decided "no further action"): no published rule;
    # ours, 2 years after the decision.
    "nfa_referral": (2, 0, "closure", "delete"),
}
# How far ahead the listing looks: records due within this many days are listed now.
RETENTION_LOOKAHEAD_DAYS = env.int("RETENTION_LOOKAHEAD_DAYS", default=30)

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
# How long a partner's endpoint may take to answer before the delivery is retried later.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
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

# Local policy: a team manager may reopen a case closed at most this many days ago (with a
# reason); after that, new work is a new case (cases.casework.models.Case).
CASE_REOPEN_DAYS = env.int("CASE_REOPEN_DAYS", default=28)

# An assessment (cases.assessments) is due this many working days after it is started
# (weekends and English bank holidays skipped: safeguarding/working_days.py), unless its kind
# declares its own. 45 working days is the limit of child-and-family assessments (Working
# Together to Safeguard Children 2023); no Contextual Safeguarding toolkit sets one for context
# assessments, and councils reuse it (../shared/PRACTICE.md).
ASSESSMENT_DUE_WORKING_DAYS = env.int("ASSESSMENT_DUE_WORKING_DAYS", default=45)

# Meetings' clocks (cases/meetings/clocks.py), in working days (safeguarding/working_days.py)
# from the day the meeting was held. A strategy discussion's record is circulated within one
# working day, and an initial child protection conference it decides on is held within 15 working
# days of it (Working Together to Safeguard Children 2023, chapter 4). Other meetings' minutes are
# circulated within 2 working days (one pilot's standard, ../shared/PRACTICE.md "Meetings").
STRATEGY_RECORD_CIRCULATED_WORKING_DAYS = env.int(
    "STRATEGY_RECORD_CIRCULATED_WORKING_DAYS", default=1
)
ICPC_DUE_WORKING_DAYS = env.int("ICPC_DUE_WORKING_DAYS", default=15)
MINUTES_CIRCULATED_WORKING_DAYS = env.int("MINUTES_CIRCULATED_WORKING_DAYS", default=2)
# A context conference is reviewed like a child protection conference: the first review within
# 3 months of the initial conference, then at most every 6 months (no Contextual Safeguarding
# interval is published: ../shared/PRACTICE.md "Meetings"; Working Together 2023 for the CP one).
CONTEXT_CONFERENCE_FIRST_REVIEW_MONTHS = env.int(
    "CONTEXT_CONFERENCE_FIRST_REVIEW_MONTHS", default=3
)
CONTEXT_CONFERENCE_REVIEW_MONTHS = env.int("CONTEXT_CONFERENCE_REVIEW_MONTHS", default=6)
# Safety plans (cases/plans/): a new plan's first review is due PLAN_FIRST_REVIEW_MONTHS after it
# starts, and a review sets the next at most PLAN_REVIEW_MAX_MONTHS ahead. These follow the
# child protection conference cadence that context conferences reuse (first review within 3
# months, then at most every 6: Working Together to Safeguard Children 2023); no Contextual
# Safeguarding source publishes a plan-specific interval (../shared/PRACTICE.md, "Meetings").
PLAN_FIRST_REVIEW_MONTHS = env.int("PLAN_FIRST_REVIEW_MONTHS", default=3)
PLAN_REVIEW_MAX_MONTHS = env.int("PLAN_REVIEW_MAX_MONTHS", default=6)
# Restricted young people (cases/restrictions/): a restriction is reviewed this many months after
# it is set or last kept. Our default: no statute or guidance sets an interval for reviewing
# who may see a restricted record; six months matches the plan and conference cadence above.
RESTRICTION_REVIEW_MONTHS = env.int("RESTRICTION_REVIEW_MONTHS", default=6)
# Break-glass (cases/restrictions/breakglass.py): how long an out-of-hours manager's emergency
# access to a record they are not named on lasts. Our default: long enough to handle one
# out-of-hours call; a longer need is for the holding team's manager to name them next day.
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", default=60)

# Sessions (safeguarding/accounts/middleware.py, SessionTimeoutMiddleware): the cookie ends with
# the browser; a session is signed out after SESSION_IDLE_TIMEOUT_MINUTES without a request, and
# SESSION_COOKIE_AGE seconds after signing in however busy it is (the absolute limit).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
if PRODUCTION:
    # __Host- cookies: sent only over HTTPS, only to this exact host, for every path; a
    # neighbouring subdomain can neither read nor plant them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_PATH = "/"
    CSRF_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    CSRF_COOKIE_DOMAIN = None

# The data protection officer's unusual-access report (safeguarding/dataprotection/access.py):
# a person is listed for a day when they opened more than UNUSUAL_ACCESS_RECORDS_PER_DAY
# distinct young people's records outside their team's caseload (our default, 10: no published
# figure; a practitioner's own caseload is typically 15-20, and looking beyond it is rare), made
# an export of at least UNUSUAL_ACCESS_EXPORT_ROWS rows (our default), or read or listed
# records in the night hours, from UNUSUAL_ACCESS_NIGHT_HOURS' first hour to before its second
# (local time; our default 22:00 to 06:00). Any break-glass access and any read of a restricted
# record is listed whatever these say.
UNUSUAL_ACCESS_RECORDS_PER_DAY = env.int("UNUSUAL_ACCESS_RECORDS_PER_DAY", default=10)
UNUSUAL_ACCESS_EXPORT_ROWS = env.int("UNUSUAL_ACCESS_EXPORT_ROWS", default=500)
UNUSUAL_ACCESS_NIGHT_HOURS = tuple(
    env.list("UNUSUAL_ACCESS_NIGHT_HOURS", cast=int, default=[22, 6])
)
