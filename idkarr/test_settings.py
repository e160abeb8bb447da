"""Settings for the test suite: PostgreSQL/Redis when IDKARR_TEST_* URLs are set, SQLite otherwise."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_tmp = Path(os.environ.setdefault("IDKARR_DATA_DIR", tempfile.mkdtemp(prefix="idkarr-test-")))
os.environ.setdefault("IDKARR_SECRETS_KEY", "Y2hhbmdlLW1lLXRoaXMtaXMtYS10ZXN0LWtleS0wMDA=")

from .settings import *  # noqa: E402,F403
from .settings import DATABASES, database_from_url  # noqa: E402

_db_url = os.environ.get("IDKARR_TEST_DATABASE_URL")
if _db_url:
    DATABASES["default"] = database_from_url(_db_url)
else:
    # A file, not :memory:, so a worker subprocess can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}

_redis = os.environ.get("IDKARR_TEST_REDIS_URL")
CELERY_BROKER_URL = _redis or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600} if _redis else {}
CELERY_TASK_ALWAYS_EAGER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HEALTH_CHECK_INTERVAL = 60
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns when it is missing)
