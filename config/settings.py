"""Handwritten settings: everything that varies between machines comes from the environment.

No environment at all gives a local SQLite site with tasks run in-process (``make run``
sets DEBUG=1). DEBUG unset or false is production, which refuses to start without
SECRET_KEY.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    """Unset or empty is ``default``; a value that is neither true nor false is an error,
    so a typo such as DEBUG=ture cannot quietly turn a setting off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value; use one of "
        f"{', '.join(sorted(_TRUE))} or {', '.join(sorted(_FALSE))}."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
TESTING = env_bool("HANDWRITTEN_TESTING")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG unset) refuses to start without one; "
            "for a local run use DEBUG=1 (make run does)."
        )
    # A fresh key per process is fine locally: it only costs a sign-in after a restart.
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if TESTING:
    ALLOWED_HOSTS += ["testserver", "localhost", "127.0.0.1"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.admin_app.AdminConfig",  # its modules found by the URLconf, not at start-up
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "csp",
    "people",
    "annotation",
    "review",
    "exports",
    "django_filters",
    "demo",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.errors.TooLargeMiddleware",
    "config.errors.FormOnlyMiddleware",
    "config.encoding.FormEncodingMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotation.context_processors.roles",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# SQLite: IMMEDIATE transactions take the write lock at BEGIN, which is how claims stay
# exclusive without SELECT ... FOR UPDATE.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Index reads cost little more than sequential ones on SSD or cached data, and JIT
        # compilation costs a short query more than it saves: with PostgreSQL's defaults a
        # filtered count over 1M pairs took 469 ms, with these 193 ms (tests/bench/search.py).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = env_str(
            "DATABASE_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes first: it refuses a locked-out user + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "annotation:home"
LOGOUT_REDIRECT_URL = "login"
# Long sessions: contributors write in bursts over days; autosave keeps drafts regardless.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)

# Reverse proxies in front of the app (compose's included). Each appends the address it
# got the request from to X-Forwarded-For, so the client is the TRUSTED_PROXY_COUNT-th
# address from the right; anything further left was written by the client. 0 (no proxy)
# uses REMOTE_ADDR. Sign-in throttling (axes) and allauth's rate limits both use it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Accounts (django-allauth): sign-in by username; an account acts only once its email
# address is verified; sign-up does not tell whether an address already has an account.
ACCOUNT_ADAPTER = "people.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "people.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "people.signup_form.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Handwritten] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Names nobody may sign up with, compared after NFKC + case folding (people.accounts).
ACCOUNT_USERNAME_BLACKLIST = [
    "importer", "system", "admin", "administrator", "root", "superuser", "staff",
    "support", "help", "security", "moderator", "reviewer", "contributor", "handwritten",
    "postmaster", "webmaster", "hostmaster", "abuse", "noreply", "no-reply", "anonymous",
    "nobody", "null", "owner", "api", "bot",
]  # fmt: skip
# allauth's default limits (sign-ups, sign-ins per address, confirmation and reset mails)
# count in the cache. Failed sign-ins are axes' alone (below): one lock, one page, one reset.
# The suite turns them off so tests may sign up freely; a test turns them on.
ACCOUNT_RATE_LIMITS: dict | bool = {"login_failed": None}
if TESTING:
    ACCOUNT_RATE_LIMITS = False

# Self sign-up is off unless email domains are listed.
SIGNUP_EMAIL_DOMAINS = [d.lower().lstrip("@") for d in env_list("SIGNUP_EMAIL_DOMAINS")]

# Optional company single sign-on through OpenID Connect, off unless OIDC_SERVER_URL is set
# (the issuer; its /.well-known/openid-configuration is read). The button reads OIDC_NAME.
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
SOCIALACCOUNT_PROVIDERS: dict = {}
if OIDC_SERVER_URL:
    if not env_str("OIDC_CLIENT_ID") or not env_str("OIDC_CLIENT_SECRET"):
        raise ImproperlyConfigured("OIDC_SERVER_URL needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "company"),
                "name": env_str("OIDC_NAME", "Company sign-in"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
# An address the provider marks verified needs no mail; any other is verified like a
# sign-up's. A matching address never signs anyone in to an existing account.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# Login rate limiting: the lock is on the username + client address pair, so a stranger's
# bad passwords lock neither the account for others nor others out of their accounts.
AXES_ENABLED = env_bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "people.accounts.login_name"
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# axes' ipware settings cannot say "the N-th address from the right": its strict chain
# check answers None for the one-proxy chain compose has. One rule (people/proxies.py)
# serves axes, and allauth applies the same one to ALLAUTH_TRUSTED_PROXY_COUNT.
AXES_CLIENT_IP_CALLABLE = "people.proxies.client_ip"

# Mail (verification, invitations, password resets) goes through Django's email settings.
# Under DEBUG, or without EMAIL_HOST, mail is printed to the console; admins also see
# invitation links to copy.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not env_str("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Handwritten <handwritten@localhost>")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# 24-hour times everywhere (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Release files: on the local disk under MEDIA_ROOT, or, with RELEASES_BUCKET, in any
# S3-compatible object store that web and workers on separate hosts both reach.
RELEASES_BUCKET = env_str("RELEASES_BUCKET")
RELEASES_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RELEASES_BUCKET,
            "endpoint_url": env_str("RELEASES_ENDPOINT_URL") or None,
            "access_key": env_str("RELEASES_ACCESS_KEY_ID") or None,
            "secret_key": env_str("RELEASES_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("RELEASES_REGION") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "signature_version": "s3v4",
            # A download link is good for this long once an admin has been let through.
            "querystring_expire": env_int("RELEASES_LINK_SECONDS", 300),
        },
    }
    if RELEASES_BUCKET
    else {"BACKEND": "exports.storage.DurableFileSystemStorage"}
)
# Where admins' browsers reach the store, when not at RELEASES_ENDPOINT_URL (download links
# are signed for it).
RELEASES_PUBLIC_ENDPOINT_URL = env_str("RELEASES_PUBLIC_ENDPOINT_URL")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "releases": RELEASES_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Only self-hosted scripts and styles; htmx is served from django-htmx's static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Production hardening.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise to browsers' built-in lists that is slow to take back and binds
# every subdomain: a deployment opts in; Django's deploy check then has nothing to say.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Requests larger than this are refused before a view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 512 * 1024)

# Celery: with REDIS_URL a real worker runs tasks; without it they run in-process.
REDIS_URL = env_str("REDIS_URL")
# allauth's rate limits count in the cache, which every web process must share.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Every request reads its session: from the shared cache it costs no query (the database
# keeps the sessions too, so a flushed cache signs nobody out). A per-process cache would
# let a session deleted in one process live on in another, so only with Redis.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL and not TESTING
    else "django.contrib.sessions.backends.db"
)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Deployments (and test runs) sharing one Redis database keep apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# Without a broker (make run) a release is built on a thread of the web process after the
# request, so the page shows its progress as under a worker; tests build in the request.
HANDWRITTEN_BUILD_IN_BACKGROUND = env_bool(
    "RELEASE_BUILD_IN_BACKGROUND", not REDIS_URL and not TESTING
)
# A release build is killed after this long; the broker hands an unacknowledged task to
# another worker after its visibility timeout, which must therefore be longer (or a live
# build would be delivered twice), and short enough that a build whose worker was killed
# is redelivered and finished without a person.
HANDWRITTEN_RELEASE_TIME_LIMIT = env_int("RELEASE_TIME_LIMIT_SECONDS", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CELERY_VISIBILITY_TIMEOUT", HANDWRITTEN_RELEASE_TIME_LIMIT + 300
    ),
    # How often a worker looks for such tasks, every time it looks (kombu scans only every
    # tenth look by default, ten times slower).
    "unacked_restore_interval": env_int("CELERY_RESTORE_SECONDS", 60),
    "unacked_restore_throttle": 1,
}
# Where builds keep their files until they are stored; one directory per build, removed
# by the next build of the release or by the sweep at the start of any build. Test runs,
# each with a database of its own, must not sweep each other's: a directory per process.
HANDWRITTEN_BUILD_DIR = Path(
    env_str("RELEASE_BUILD_DIR")
    or Path(tempfile.gettempdir())
    / (f"handwritten-builds-test-{os.getpid()}" if TESTING else "handwritten-builds")
)

# What a pair may hold, in characters.
HANDWRITTEN_LIMITS = {
    "instruction": (env_int("LIMIT_INSTRUCTION_MIN", 10), env_int("LIMIT_INSTRUCTION_MAX", 4000)),
    "context": (env_int("LIMIT_CONTEXT_MIN", 20), env_int("LIMIT_CONTEXT_MAX", 30000)),
    "response": (env_int("LIMIT_RESPONSE_MIN", 1), env_int("LIMIT_RESPONSE_MAX", 30000)),
}
HANDWRITTEN_MAX_SKIPS_PER_DAY = env_int("MAX_SKIPS_PER_DAY", 5)
HANDWRITTEN_ASSIGNMENT_HOURS = env_int("ASSIGNMENT_HOURS", 24)
HANDWRITTEN_CLAIM_MINUTES = env_int("CLAIM_MINUTES", 15)
HANDWRITTEN_PAGE_SIZE = env_int("PAGE_SIZE", 25)
# A building release whose heartbeat is older than this is taken over by the next attempt.
HANDWRITTEN_RELEASE_STALE_SECONDS = env_int("RELEASE_STALE_SECONDS", 300)
# Insights figures older than this are recomputed by a worker (the page shows their age).
HANDWRITTEN_INSIGHTS_STALE_SECONDS = env_int("INSIGHTS_STALE_SECONDS", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs a banner at INFO on every start, which drowns command output.
    "loggers": {"axes": {"level": "WARNING"}},
}

if TESTING:
    # The suite creates hundreds of users; a deliberately slow hash would dominate its time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
