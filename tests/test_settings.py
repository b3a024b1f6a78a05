"""The two settings modes, checked the way they are used: in a fresh process, from the shell.

Each test starts ``manage.py`` or ``python -c`` in a subprocess with an environment made for it,
because settings are read once per process. None of them needs the test database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from safeguarding import health

ROOT = Path(__file__).resolve().parent.parent

# Everything settings.py reads that could leak in from the shell, CI or `make test`.
SETTINGS_VARIABLES = (
    "SAFEGUARDING_MODE",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "API_THROTTLE_RATE",
    "API_ANON_THROTTLE_RATE",
    "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_AGE",
    "SESSION_IDLE_TIMEOUT_MINUTES",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "API_FAILED_TOKEN_RATE",
    "OTP_TOTP_ISSUER",
    "LOG_LEVEL",
    "SITE_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "WEBHOOKS_ALLOW_INTERNAL",
    "NOTIFICATION_MAX_ATTEMPTS",
    "NOTIFICATION_RETRY_BASE_SECONDS",
    "NOTIFICATION_RETRY_MAX_SECONDS",
    "NOTIFICATION_LEASE_SECONDS",
    "NOTIFICATION_SWEEP_SECONDS",
    "NOTIFICATION_MESSAGE_ID_DOMAIN",
    "WEBHOOK_ENDPOINTS_PER_ORGANISATION",
    "GOVUK_NOTIFY_API_KEY",
    "GOVUK_NOTIFY_TEMPLATE_ID",
    "GOVUK_NOTIFY_BASE_URL",
    "FIELD_ENCRYPTION_KEYS",
)

PRODUCTION = {
    "SAFEGUARDING_MODE": "production",
    "SECRET_KEY": "test-production-key-4rT9xQ2mL7vB1nK8sW3zY6pD0fH5jC9gE2aU7iO4",
    "ALLOWED_HOSTS": "safeguarding.example.org",
    "DATABASE_URL": "postgres://safeguarding:unused@db.invalid:5432/safeguarding",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
    "SITE_URL": "https://safeguarding.example.org",
    "EMAIL_URL": "smtp+tls://notifications:unused@smtp.invalid:587",
    "DEFAULT_FROM_EMAIL": "notifications@safeguarding.example.org",
    "FIELD_ENCRYPTION_KEYS": "Y2hlY2stZGVwbG95LW9ubHktbm90LWEtc2VjcmV0LSE=",
}

READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "NAME": str(s.DATABASES["default"]["NAME"]),
    "CELERY_TASK_ALWAYS_EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "SECURE_SSL_REDIRECT": getattr(s, "SECURE_SSL_REDIRECT", False),
    "SECURE_REDIRECT_EXEMPT": getattr(s, "SECURE_REDIRECT_EXEMPT", []),
    "CACHE_BACKEND": s.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": s.CACHES["default"].get("LOCATION", ""),
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
}))
"""


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "safeguarding.settings"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(values)
    return env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Our own interpreter and fixed arguments, never outside input.
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def read_settings(env: dict[str, str]) -> dict:
    result = run("-c", READ_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- development mode: the embedded defaults -------------------------------------------------


def test_embedded_defaults_need_no_services():
    values = read_settings(clean_env())
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(ROOT / "var" / "safeguarding.sqlite3")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://localhost/"


def test_embedded_defaults_pass_the_system_checks():
    result = run("manage.py", "check", "--fail-level", "WARNING", env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_sqlite_migrates_from_scratch(tmp_path):
    # The same code path as the default file in var/, pointed at a throwaway file.
    db = tmp_path / "embedded.sqlite3"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}")
    result = run("manage.py", "migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert db.exists()
    result = run("manage.py", "migrate", "--check", env=env)
    assert result.returncode == 0, "unapplied migrations after migrate:\n" + result.stdout


def test_a_broker_url_turns_off_eager_tasks():
    values = read_settings(clean_env(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"))
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"


def test_the_cache_is_redis_when_there_is_one_and_memory_otherwise():
    # The API's rate-limit counters live in the cache: every worker must share them.
    assert read_settings(clean_env())["CACHE_BACKEND"].endswith("LocMemCache")
    broker = read_settings(clean_env(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"))
    assert broker["CACHE_BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert broker["CACHE_LOCATION"] == "redis://127.0.0.1:6379/0"
    own = read_settings(clean_env(REDIS_URL="redis://127.0.0.1:6379/3"))
    assert own["CACHE_LOCATION"] == "redis://127.0.0.1:6379/3"


# --- production mode --------------------------------------------------------------------------


def test_production_passes_the_deployment_checks_with_no_warnings():
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=clean_env(**PRODUCTION)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in output


def test_production_is_secure_but_lets_health_checks_through_on_http():
    values = read_settings(clean_env(**PRODUCTION))
    assert values["DEBUG"] is False
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SITE_URL",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "FIELD_ENCRYPTION_KEYS",
    ],
)
def test_production_refuses_to_start_without_a_required_value(missing):
    env = clean_env(**{k: v for k, v in PRODUCTION.items() if k != missing})
    result = run("manage.py", "check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


READ_SIGN_IN_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    name: str(getattr(s, name, None))
    for name in [
        "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH", "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_IDLE_TIMEOUT_MINUTES", "SESSION_COOKIE_AGE",
        "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME",
    ]
} | {"first_backend": s.AUTHENTICATION_BACKENDS[0], "last_middleware": s.MIDDLEWARE[-1]}))
"""


@pytest.mark.parametrize("mode", ["development", "production"])
def test_sign_in_settings_in_each_mode(mode):
    env = clean_env(**PRODUCTION) if mode == "production" else clean_env()
    values = json.loads(run("-c", READ_SIGN_IN_SETTINGS, env=env).stdout.strip().splitlines()[-1])
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] == "True"
    assert values["SESSION_IDLE_TIMEOUT_MINUTES"] == "30"
    assert values["SESSION_COOKIE_AGE"] == str(8 * 60 * 60)
    assert values["AXES_FAILURE_LIMIT"] == "5"
    assert values["AXES_COOLOFF_TIME"] == "0:15:00"
    assert values["first_backend"] == "axes.backends.AxesStandaloneBackend"
    assert values["last_middleware"] == "axes.middleware.AxesMiddleware"
    if mode == "production":
        # __Host- cookies: Secure, path /, no Domain.
        assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
        assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
        for cookie in ("SESSION", "CSRF"):
            assert values[f"{cookie}_COOKIE_SECURE"] == "True"
            assert values[f"{cookie}_COOKIE_PATH"] == "/"
            assert values[f"{cookie}_COOKIE_DOMAIN"] == "None"
    else:
        assert values["SESSION_COOKIE_NAME"] == "sessionid"


def test_sign_in_limits_come_from_the_environment():
    env = clean_env(
        SESSION_IDLE_TIMEOUT_MINUTES="10", AXES_FAILURE_LIMIT="7", AXES_COOLOFF_MINUTES="60"
    )
    values = json.loads(run("-c", READ_SIGN_IN_SETTINGS, env=env).stdout.strip().splitlines()[-1])
    assert values["SESSION_IDLE_TIMEOUT_MINUTES"] == "10"
    assert values["AXES_FAILURE_LIMIT"] == "7"
    assert values["AXES_COOLOFF_TIME"] == "1:00:00"


@pytest.mark.parametrize(
    ("keys", "error"),
    [
        ("ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQtISE=", "encryption.E002"),  # the dev key
        ("not-a-fernet-key", "encryption.E001"),
    ],
)
def test_production_refuses_the_development_or_a_malformed_encryption_key(keys, error):
    result = run(
        "manage.py", "check", env=clean_env(**PRODUCTION | {"FIELD_ENCRYPTION_KEYS": keys})
    )
    assert result.returncode != 0
    assert error in result.stdout + result.stderr


def test_an_unknown_mode_is_refused():
    result = run("manage.py", "check", env=clean_env(SAFEGUARDING_MODE="staging"))
    assert result.returncode != 0
    assert "SAFEGUARDING_MODE" in result.stderr


# --- the health view --------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_says_ok_when_the_database_answers():
    response = health.healthz(RequestFactory().get("/healthz"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_says_503_when_the_database_does_not_answer():
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch.object(health, "connection", broken):
        response = health.healthz(RequestFactory().get("/healthz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "error"}


def test_health_needs_no_login_and_only_answers_reads():
    assert health.healthz.login_required is False
    assert health.healthz(RequestFactory().post("/healthz")).status_code == 405


# --- email: SMTP, or GOV.UK Notify --------------------------------------------------------------


def test_production_sends_email_through_notify_when_its_key_is_set():
    notify = {
        "GOVUK_NOTIFY_API_KEY": "council-live-00000000-0000-0000-0000-000000000000-"
        "11111111-1111-1111-1111-111111111111",
        "GOVUK_NOTIFY_TEMPLATE_ID": "22222222-2222-2222-2222-222222222222",
    }
    without_smtp = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    values = read_settings(clean_env(**without_smtp, **notify))
    assert values["EMAIL_BACKEND"] == "safeguarding.notifications.notify.NotifyEmailBackend"
    assert read_settings(clean_env(**PRODUCTION))["EMAIL_BACKEND"] == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
    del notify["GOVUK_NOTIFY_TEMPLATE_ID"]
    result = run("manage.py", "check", env=clean_env(**without_smtp, **notify))
    assert result.returncode != 0 and "GOVUK_NOTIFY_TEMPLATE_ID" in result.stderr
