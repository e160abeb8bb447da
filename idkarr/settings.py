"""Django settings, all from ``IDKARR_*`` environment variables (docs/configuration.md)."""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

from . import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.get("DATA_DIR", str(BASE_DIR / "data"))).resolve()


def _secret_key() -> str:
    key = env.get("SECRET_KEY")
    if key:
        return key
    # Embedded default: generate once and keep it in the data dir.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env.get_bool("DEBUG", False)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
IDKARR_SECRETS_KEY = env.get("SECRETS_KEY")
INSTANCE_NAME = env.get("INSTANCE_NAME", "idkarr")
APPLICATION_URL = env.get("APPLICATION_URL", "")
HEALTH_CHECK_INTERVAL = env.get_int("HEALTH_CHECK_INTERVAL", 60)
HEALTH_CHECK_CONCURRENCY = env.get_int("HEALTH_CHECK_CONCURRENCY", 32)
INDEXER_HEALTH_INTERVAL = env.get_int("INDEXER_HEALTH_INTERVAL", 900)  # seconds
METADATA_HEALTH_INTERVAL = env.get_int("METADATA_HEALTH_INTERVAL", 3600)  # seconds
IMPORT_LIST_HEALTH_INTERVAL = env.get_int("IMPORT_LIST_HEALTH_INTERVAL", 21600)  # seconds
# What becomes of titles no adding list holds any more (importlists.clean).
IMPORT_LIST_CLEAN_LEVEL = env.get("IMPORT_LIST_CLEAN_LEVEL", "disabled")
IMPORT_LIST_CLEAN_TAG = env.get("IMPORT_LIST_CLEAN_TAG", "unlisted")
INDEXER_RSS_INTERVAL = env.get_int("INDEXER_RSS_INTERVAL", 15)  # minutes
INDEXER_RELEASE_RETENTION_DAYS = env.get_int("INDEXER_RELEASE_RETENTION_DAYS", 14)
INDEXER_MAX_RESPONSE_BYTES = env.get_int("INDEXER_MAX_RESPONSE_BYTES", 10 * 1024 * 1024)
PROWLARR_SYNC_INTERVAL = env.get_int("PROWLARR_SYNC_INTERVAL", 60)  # minutes
DELIVERY_MAX_ATTEMPTS = env.get_int("DELIVERY_MAX_ATTEMPTS", 8)
DELIVERY_CONCURRENCY = env.get_int("DELIVERY_CONCURRENCY", 64)  # sender threads per worker
DELIVERY_STALE_SECONDS = env.get_int("DELIVERY_STALE_SECONDS", 300)
IDKARR_SCRIPTS_DIR = env.get(
    "SCRIPTS_DIR", str(DATA_DIR / "scripts")
)  # custom scripts run only from here
DELIVERY_SWEEP_GRACE_SECONDS = env.get_int("DELIVERY_SWEEP_GRACE_SECONDS", 60)
# A media server scans a changed folder this long after the change, so that a burst
# (a season pack's imports) makes one scan.
MEDIA_SERVER_UPDATE_DELAY_SECONDS = env.get_int("MEDIA_SERVER_UPDATE_DELAY_SECONDS", 5)

INSTALLED_APPS = [
    "idkarr.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "idkarr.library",
    "idkarr.accounts",
    "integrations",
    "integrations.downloadclients",
    "integrations.indexers",
    "integrations.mediaservers",
    "integrations.metadata",
    "notifications",
    "importlists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "idkarr.urls"
WSGI_APPLICATION = "idkarr.wsgi.application"

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
            ],
        },
    }
]

_SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_from_url(url: str | None) -> dict:
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "idkarr.sqlite3"),
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    db = environ.Env.db_url_config(url)
    if db["ENGINE"].endswith("sqlite3"):
        db["OPTIONS"] = dict(_SQLITE_OPTIONS)
    else:
        db.setdefault("CONN_MAX_AGE", 60)
        db["CONN_HEALTH_CHECKS"] = True
    return db


DATABASES = {"default": database_from_url(env.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "/admin/login/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the console's fetch() reads it for API writes

# -- Celery ------------------------------------------------------------------
REDIS_URL = env.get("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.1,  # the file broker polls; 0.5 s made every batch of tasks wait
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "integrations.dispatch_health_checks": {
        "task": "integrations.dispatch_health_checks",
        "schedule": env.get_int("HEALTH_DISPATCH_SECONDS", 10),
    },
    "downloadclients.poll_queues": {
        "task": "downloadclients.poll_queues",
        "schedule": env.get_int("QUEUE_DISPATCH_SECONDS", 10),
    },
    "indexers.sync_rss": {
        "task": "indexers.sync_rss",
        "schedule": env.get_int("RSS_DISPATCH_SECONDS", 60),
    },
    "indexers.sync_prowlarr": {
        "task": "indexers.sync_prowlarr",
        "schedule": env.get_int("PROWLARR_SYNC_SECONDS", 300),
    },
    "notifications.sweep_deliveries": {
        "task": "notifications.sweep_deliveries",
        "schedule": env.get_int("DELIVERY_SWEEP_SECONDS", 30),
    },
    "importlists.dispatch_syncs": {
        "task": "importlists.dispatch_syncs",
        "schedule": env.get_int("IMPORT_LIST_DISPATCH_SECONDS", 300),
    },
    "mediaservers.sweep_updates": {
        "task": "mediaservers.sweep_updates",
        "schedule": env.get_int("DELIVERY_SWEEP_SECONDS", 30),
    },
}

# -- Logging -----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "idkarr.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {"urllib3": {"level": "WARNING"}},
}
