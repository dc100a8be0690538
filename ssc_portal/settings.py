"""Settings for the SSC Portal, read from the environment.

One file for every environment: the quickstart (`make run`) and the test suite (`make test`) set
their variables in the Makefile; production sets them in docker-compose.yml. A bad value stops the
process at start-up rather than running with a surprising default.
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF's throttles read it: "120/minute" (second, minute, hour, day)."""
    raw = env(name, default).strip()
    count, _slash, period = raw.partition("/")
    if not (count.isdigit() and period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(f"{name} must look like 120/minute, not {raw!r}.")
    return raw


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Addresses or networks (CIDR), comma-separated; a typo stops the start-up."""
    entries = env_list(name)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list addresses or networks (10.0.0.1, 172.16.0.0/12), not {entry!r}."
            ) from None
    return entries


DEBUG = env_bool("DEBUG", False)
# Demo accounts and demo data are only ever created with DEBUG on (see demo/loader.py).
SECRET_KEY = env("SECRET_KEY")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters when DEBUG is off.")
# Rotating the key: the old one goes here (comma-separated) for as long as the sessions, password
# reset links and signed values made with it should keep working; then it is removed.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "axes",
    "accounts",
    "activities",
    "finance",
    "knowledge",
    "results",
    "counterparts",
    "standards",
    "demo",
]

# What the apps above activities add to its pages and rules, by dotted path: activities may not
# import them, so it loads these by name where it uses them (activities/extensions.py says what
# each kind's entries must be). An app removed from INSTALLED_APPS leaves this list too.
ACTIVITY_EXTENSIONS = {
    "list_filters": ["finance.list_filters.MONEY_LIST_FILTERS"],
    "merge_facts": ["finance.merges.ledger_facts", "results.services.merges.results_facts"],
    "partner_reach": ["knowledge.access.readable_authors"],
    "approved_results": ["results.progress.activities_with_approved_results"],
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ssc_portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ssc_portal.middleware.FormNewlinesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    # After the session check: an expired session's user is anonymous, and gets the cookie's
    # language (accounts.language says why the profile is applied on every request).
    "accounts.language.UserLanguageMiddleware",
    "ssc_portal.middleware.SecurityLogMiddleware",
    "ssc_portal.middleware.FinanceNoStoreMiddleware",
    "ssc_portal.errors.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns its lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ssc_portal.urls"
WSGI_APPLICATION = "ssc_portal.wsgi.application"

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
            ],
        },
    },
]

# Django's form renderer, with the commonest widgets written in Python (ssc_portal/form_renderer).
FORM_RENDERER = "ssc_portal.form_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else None),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A read replica of the primary (PostgreSQL streaming replication): the reads that tolerate a
# second's lag go there (ssc_portal.db_router). Without it there is one database, and no router.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # A test database standing for the replica is a copy of the primary's (as replication makes
    # one: tests/ops/test_read_replica.py), so the test run does not migrate it.
    DATABASES["replica"]["TEST"] = {"MIGRATE": False}
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a replica of the DATABASE_URL database "
            "(the same database engine)."
        )
    DATABASE_ROUTERS = ["ssc_portal.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
# A language is offered once its catalogue is in the repository (locale/<code>/LC_MESSAGES/
# django.po, which the tests hold complete). Until then a browser asking for it gets English
# throughout: offering it earlier mixed Django's own strings, translated, with ours.
LANGUAGES = [("en", _("English"))] + [
    (code, name)
    for code, name in (("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic")))
    if (BASE_DIR / "locale" / code / "LC_MESSAGES" / "django.po").is_file()
]
# The switcher's choice, for the pages before sign-in. Like the session cookie: HTTPS only in
# production, never read by scripts, sent on links from other sites (a language is no secret).
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
# Our own date and number formats over Django's, per language (accounts/formatting.py).
FORMAT_MODULE_PATH = ["ssc_portal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]


def file_storage() -> dict[str, object]:
    """The storage of uploaded and built files, from the environment: this machine's disk under
    MEDIA_ROOT unless a bucket is named.

    Setting AWS_STORAGE_BUCKET_NAME moves every uploaded and built file (knowledge attachments,
    workbook uploads, report exports) to that bucket, so that any web node or worker reads what
    another wrote. A half-given set stops the start-up: a node that quietly fell back to its own
    disk would write files the others never find.
    """
    bucket = env("AWS_STORAGE_BUCKET_NAME", "").strip()
    endpoint = env("AWS_S3_ENDPOINT_URL", "").strip()
    region = env("AWS_S3_REGION_NAME", "").strip()
    style = env("AWS_S3_ADDRESSING_STYLE", "").strip().lower()
    access_key = env("AWS_ACCESS_KEY_ID", "").strip()
    secret_key = env("AWS_SECRET_ACCESS_KEY", "").strip()
    if not bucket:
        given = [
            name
            for name, value in (
                ("AWS_S3_ENDPOINT_URL", endpoint),
                ("AWS_S3_REGION_NAME", region),
                ("AWS_S3_ADDRESSING_STYLE", style),
            )
            if value
        ]
        if given:
            raise ImproperlyConfigured(
                f"{', '.join(given)} set without AWS_STORAGE_BUCKET_NAME: name the bucket too, "
                "or unset them to keep files on this machine's disk."
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"AWS_S3_ENDPOINT_URL must start with http:// or https://, not {endpoint!r}."
        )
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (then boto3 finds "
            "the credentials itself, e.g. the machine's role)."
        )
    # Servers other than AWS are mostly reached by a plain host name (minio:9000) that cannot
    # carry the bucket as a subdomain: path-style addressing unless told otherwise.
    style = style or ("path" if endpoint else "auto")
    if style not in ("auto", "path", "virtual"):
        raise ImproperlyConfigured(
            f"AWS_S3_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}."
        )
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "addressing_style": style,
        # Private objects (the bucket's own default): files are only ever streamed through the
        # views that check who asks, never linked to; a URL, were one ever made, is signed and
        # short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        # A download is read from the bucket before it is streamed: past this size it is spooled
        # to a temporary file rather than held in the web worker's memory.
        "max_memory_size": 2 * 1024 * 1024,
        # Two uploads of one name (the same document attached twice) keep two objects: removing
        # one must not take the other's file away.
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": file_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Local disk storage only (no bucket named): where the files are kept.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# Knowledge asset files (PDF, office documents, images): each upload at most this size.
KNOWLEDGE_MAX_UPLOAD_MB = env_int("KNOWLEDGE_MAX_UPLOAD_MB", 20)

# Password-reset mail: printed to the console in development, sent over SMTP in production.
MAILERS = {
    "default": (
        {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if DEBUG and not env("EMAIL_HOST", "")
        else {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            },
        }
    )
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ssc-portal@localhost")

# Security: production (DEBUG off) runs behind TLS; these pass `check --deploy`.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# A session lasts a working day from sign-in (SESSION_COOKIE_AGE, seconds) and ends sooner after
# SESSION_IDLE_TIMEOUT seconds without a request: accounts.middleware checks both. The idle clock
# is written to the session at most every few minutes, not on every request as
# SESSION_SAVE_EVERY_REQUEST would (a database write per page view, API call and fragment).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 3600)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy: only our own scripts, styles and images (pages carry no inline script
# or style attribute; data is passed with json_script). Charts draw on canvas, and the map's
# shapes are fetched from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses, refused to the pages and anything they embed
# (ssc_portal.middleware.PermissionsPolicyMiddleware sends it on every response).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# The proxies whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated;
# docker-compose: the gateway its TLS proxy connects through). Empty: every request is taken to
# come straight from the client, whatever headers it wrote (accounts.security.client_address).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is locked out for AXES_COOLOFF_MINUTES. Keyed on the pair, so an attacker
# guessing someone's password cannot lock that person out from their own address, nor lock out
# everyone behind a shared address by trying names. A success clears the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Sign-ins are already in the security log (accounts.signals); no second copy in the database.
AXES_DISABLE_ACCESS_LOG = True
# Its own start-up banner and lines would repeat ours (accounts.signals logs the lockout).
AXES_VERBOSE = False
# The client's address as the API throttle reads it: REMOTE_ADDR, or behind a trusted proxy the
# address that proxy saw (accounts.security.client_address).
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_address"
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite lets one writer in at a time. A second one waits for the lock up to `timeout`
    # seconds (Python's default, 5, is shorter than a workbook import's chunk); IMMEDIATE takes
    # the write lock when a transaction begins, so a transaction that read first cannot be
    # refused at once when it comes to write (a wait would not help it). A wait still too long
    # answers 409 (ssc_portal.errors.database_busy).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # The quickstart's SQLite builds the ledger's roll-up index without its included columns
    # (finance.FinancialEntry.Meta): the same index, only less useful there.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# No task result is ever read (progress and outcomes live in the database: RollupRun,
# ReportExport, PendingImport). Storing none also keeps the web process from subscribing to the
# result store when it queues a task: with Redis down, that subscription's retries end in an
# error that breaks queueing from the process until it restarts.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The queue tasks are sent to and the worker reads: lets several portals, or test runs, share one
# Redis without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
# Give up quickly on an unreachable broker when queueing from a web request: the work it would
# queue is recorded in the database first (see finance.rollups), so nothing waits on Redis.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Fiscal years a full roll-up rebuild computes at once, each on its own database connection (one
# core of PostgreSQL each): the machine's cores, two by default (finance.rollups.rebuild_workers).
ROLLUP_REBUILD_WORKERS = env_int("ROLLUP_REBUILD_WORKERS", 2)
# A first build (finance.rollups.first_build) sets the roll-up tables' indexes aside and builds
# them after the rows only for a ledger of this many lines or more: over a small one, dropping
# and building nine indexes again costs more than keeping them up (benchmarks/README.md).
ROLLUP_INDEXES_ASIDE_FROM_ENTRIES = env_int("ROLLUP_INDEXES_ASIDE_FROM_ENTRIES", 20_000)
CELERY_BEAT_SCHEDULE = {
    # The safety net for refreshes queued while Redis or the worker was down.
    "drain-rollup-refreshes": {
        "task": "finance.tasks.drain_rollups_task",
        "schedule": 60.0,
    },
    "rebuild-rollups-nightly": {
        "task": "finance.tasks.rebuild_rollups_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Notifications not mailed when they happened (Redis, the worker or the mail server down).
    "send-counterpart-mail": {
        "task": "counterparts.tasks.sweep_mail_task",
        "schedule": 300.0,
    },
    # The results dashboard's stored rows, checked against results.progress and repaired.
    "rebuild-period-figures-nightly": {
        "task": "results.tasks.rebuild_period_figures_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Sides that have not confirmed for COUNTERPART_REMINDER_DAYS get one digest of reminders.
    "remind-counterparts": {
        "task": "counterparts.tasks.remind_task",
        "schedule": crontab(hour=6, minute=0),
    },
}

# Days a side may leave a confirmation waiting before it is reminded (and between reminders).
COUNTERPART_REMINDER_DAYS = env_int("COUNTERPART_REMINDER_DAYS", 7)

# --- REST API (/api/v1/, README "API") -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["ssc_portal.api.ApiFilterBackend"],
    # JSON and CSV only: no browsable API (its pages need inline scripts the CSP forbids); the
    # human documentation is /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ssc_portal.api.NewlinesJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ssc_portal.api.FormatNegotiation",
    "DEFAULT_PAGINATION_CLASS": "ssc_portal.api.CursorPage",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["ssc_portal.api.CallerThrottle"],
    "EXCEPTION_HANDLER": "ssc_portal.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ssc_portal.api_schema.ApiSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests allowed per API token, per browser session and per anonymous address (the public
# IATI file): "number/period" with period second, minute, hour or day.
API_THROTTLE_RATES = {
    "token": env_rate("API_THROTTLE_TOKEN", "120/minute"),
    "session": env_rate("API_THROTTLE_SESSION", "240/minute"),
    "anonymous": env_rate("API_THROTTLE_ANONYMOUS", "30/minute"),
}
# Every key this portal writes to the shared Redis starts with this, so that several portals (or
# a portal and its staging copy) on one Redis keep their own throttle counters and dashboard
# figures. By default the database's name: one portal, one database.
CACHE_KEY_PREFIX = env(
    "CACHE_KEY_PREFIX", "ssc-" + Path(str(DATABASES["default"].get("NAME") or "portal")).name
)
# Throttling counts every web process's requests together, so its counters live in Redis.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:api",
        # Short timeouts: when Redis is down the API serves unthrottled rather than hanging.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
    # The dashboard's figures (finance.dashboard.Selection): shared by every web process and
    # warmed by the worker after each roll-up refresh; when Redis is down the page computes
    # them. With eager tasks (the quickstart: one process, no worker) in the process's memory.
    "dashboard": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboard"}
        if CELERY_TASK_ALWAYS_EAGER
        else {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:dashboard",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SSC Portal API",
    "DESCRIPTION": _(
        "Read and write South-South and triangular cooperation activities, their partners and "
        "their money. Authenticate with `Authorization: Bearer <token>` (create tokens on the "
        "API tokens page) or a logged-in browser session. Lists are paginated with cursors; "
        "add `format=csv` for CSV. The IATI 2.03 file of public activities needs no token."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # A PATCH body is read by its own serializer (activities.serializers.ActivityPatchInput:
    # every field optional but the version), not in DRF's partial mode, which would make the
    # version optional too: its schema says what that serializer requires.
    "COMPONENT_SPLIT_PATCH": False,
    "ENUM_NAME_OVERRIDES": {
        "CountryRoleEnum": "activities.models.CountryRole",
        "PartnerRoleEnum": "activities.models.PartnerRole",
        "StageEnum": "finance.models.Stage",
        # Two choice sets are named "kind": a ledger line's and a knowledge file's.
        "ContributionKindEnum": "finance.models.ContributionKind",
        "FileKindEnum": "knowledge.models.FileKind",
        # An indicator's kind and an update's status share their names with others too.
        "StatusEnum": "activities.models.Status",
        "IndicatorKindEnum": "results.models.IndicatorKind",
        "UpdateStatusEnum": "results.models.UpdateStatus",
        "StandardsExportKindEnum": "standards.models.ExportKind",
        # An activity's texts are in one of the agency's four languages; an asset in any.
        "ContentLanguageEnum": "activities.texts.ContentLanguage",
        # The name it had before the asset's versions (ContentLanguage) made it ambiguous.
        "KnowledgeAssetLanguageEnum": "knowledge.models.Language",
    },
}

# The organisation that publishes (IATI reporting-org) and runs the portal.
ORGANISATION_NAME = env("ORGANISATION_NAME", "International Fund for Agricultural Development")
ORGANISATION_IATI_ID = env("ORGANISATION_IATI_ID", "XM-DAC-988")
# IATI OrganisationType code of the publisher: 40 is multilateral.
ORGANISATION_IATI_TYPE = env("ORGANISATION_IATI_TYPE", "40")

LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ssc_portal.logs.JsonFormatter"},
    },
    # JSON lines in production (one object per line for the log collector), plain text locally.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates each step of each PDF at INFO (and at import); its warnings stay.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
