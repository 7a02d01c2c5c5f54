"""Django's settings for the hosted portal, every one read from the environment.

This module is the portal's edge: `portal_settings(environ)` turns the environment into
a settings dict (the CLI's `manualgen portal ...` commands configure Django with it), and
imported as `DJANGO_SETTINGS_MODULE=manualgen.portal.settings` it does the same with
`os.environ` (for `django-admin check --deploy`, or a WSGI server of NSNY's choosing).

Variables (all optional but the first):

- MANUALGEN_PORTAL_DATA: the data root (database if SQLite, companies' folders, frozen
  copies). Required.
- MANUALGEN_PORTAL_SECRET_KEY: Django's secret key; default: the one `portal init` wrote
  to DATA/secret.key.
- MANUALGEN_PORTAL_HOSTS: the names the portal answers to, comma separated; default
  localhost,127.0.0.1.
- MANUALGEN_PORTAL_ORIGIN: the public address as in invitation links
  (https://secor.example.ca); default: http(s):// and the first host.
- MANUALGEN_PORTAL_HTTPS: 1 (default): behind an HTTPS reverse proxy (secure cookies,
  HSTS, redirect to HTTPS); 0: plain HTTP on loopback, to try it out or test it.
- MANUALGEN_PORTAL_DATABASE: `sqlite` (default) or postgresql://user:password@host:5432/name.
- MANUALGEN_PORTAL_SMTP_HOST, _SMTP_PORT (587), _SMTP_USER, _SMTP_PASSWORD, _SMTP_TLS (1):
  the mail server; without a host, mail is printed on the console.
- MANUALGEN_PORTAL_FROM: the sender; default SECOR portal <no-reply@first host>.
- MANUALGEN_PORTAL_STAFF_MFA: `required` (default): NSNY staff set up an authenticator app
  (TOTP) before they reach any other page; `optional`.
- MANUALGEN_PORTAL_LOGIN_FAILURES: failed sign-ins allowed per address in 5 minutes (5).
- MANUALGEN_PORTAL_LOGINS_PER_MINUTE: sign-ins per minute from one IP address (30).
- MANUALGEN_PORTAL_HSTS_PRELOAD: 1 (default): the HSTS header asks for preloading.
- MANUALGEN_PORTAL_QUEUE: `database` (default): builds wait in the database for
  `manualgen portal worker`; redis://host:6379/0: in Redis, for workers on several
  machines.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from manualgen.errors import UsageError

PREFIX = "MANUALGEN_PORTAL_"
SECRET_FILE = "secret.key"
DATABASE_FILE = "portal.sqlite3"
SITE_KEY = "MANUALGEN_SITE"             # the same key the local app's views look up
QUEUE = "builds"                        # the task queue the workers take builds from
LOGS, LOG_FILE = "logs", "portal.log"   # under the data root


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def data_root(environ: Mapping[str, str]) -> Path:
    raw = environ.get(PREFIX + "DATA", "").strip()
    if not raw:
        raise UsageError(f"{PREFIX}DATA is not set",
                         fix="name the portal's data folder (the one `manualgen portal init` "
                             "made)")
    return Path(raw).expanduser().resolve()


def secret_key(environ: Mapping[str, str], root: Path) -> str:
    given = environ.get(PREFIX + "SECRET_KEY", "").strip()
    if given:
        return given
    path = root / SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    raise UsageError(f"there is no secret key: {PREFIX}SECRET_KEY is not set and {path} "
                     "does not exist", fix="run `manualgen portal init` on the data folder")


def new_secret_key() -> str:
    return secrets.token_urlsafe(64)


def database(environ: Mapping[str, str], root: Path) -> dict[str, Any]:
    raw = environ.get(PREFIX + "DATABASE", "").strip() or "sqlite"
    if raw == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(root / DATABASE_FILE),
                # Threads writing at once wait for each other instead of failing.
                "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA journal_mode=WAL; "
                                            "PRAGMA synchronous=NORMAL;"},
                "TEST": {"NAME": str(root / ("test-" + DATABASE_FILE))}}
    url = urlsplit(raw)
    if url.scheme not in ("postgres", "postgresql") or not url.path.strip("/"):
        raise UsageError(f"{PREFIX}DATABASE={raw.split('@')[-1]!r} is not understood",
                         fix="give `sqlite` or postgresql://user:password@host:5432/name")
    return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(url.path.strip("/")),
            "USER": unquote(url.username or ""), "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "", "PORT": str(url.port or ""),
            "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}


def email(environ: Mapping[str, str], host: str) -> dict[str, Any]:
    smtp = environ.get(PREFIX + "SMTP_HOST", "").strip()
    sender = environ.get(PREFIX + "FROM", "").strip() or f"SECOR portal <no-reply@{host}>"
    out: dict[str, Any] = {"DEFAULT_FROM_EMAIL": sender, "SERVER_EMAIL": sender,
                           "EMAIL_SUBJECT_PREFIX": "[SECOR portal] "}
    if not smtp:
        out["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
        return out
    out.update({
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": smtp,
        "EMAIL_PORT": int(environ.get(PREFIX + "SMTP_PORT", "") or 587),
        "EMAIL_HOST_USER": environ.get(PREFIX + "SMTP_USER", ""),
        "EMAIL_HOST_PASSWORD": environ.get(PREFIX + "SMTP_PASSWORD", ""),
        "EMAIL_USE_TLS": _flag(environ.get(PREFIX + "SMTP_TLS"), True),
        "EMAIL_TIMEOUT": 20,
    })
    return out


def queue_url(environ: Mapping[str, str]) -> str | None:
    """Redis's address when builds wait in Redis (MANUALGEN_PORTAL_QUEUE), else None:
    they wait in the database."""
    raw = environ.get(PREFIX + "QUEUE", "").strip() or "database"
    if raw == "database":
        return None
    if urlsplit(raw).scheme in ("redis", "rediss"):
        import importlib.util

        if importlib.util.find_spec("django_tasks_rq") is None:
            raise UsageError(f"{PREFIX}QUEUE names Redis, but manualgen was installed "
                             "without its Redis support",
                             fix="pip install 'manualgen[redis]' into the portal's Python")
        return raw
    raise UsageError(f"{PREFIX}QUEUE={raw!r} is not understood",
                     fix="give `database`, or redis://host:6379/0")


def tasks(url: str | None) -> dict[str, Any]:
    """Where the background jobs wait for a worker: the database (the default, SQLite or
    PostgreSQL alike), or Redis at `url` (MANUALGEN_PORTAL_QUEUE=redis://host:6379/0)."""
    if url is None:
        return {"TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                      "QUEUES": [QUEUE]}}}
    return {"TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [QUEUE]}},
            "RQ_QUEUES": {QUEUE: {"URL": url, "DEFAULT_TIMEOUT": 3600}}}


def logging_config(root: Path) -> dict[str, Any]:
    """Request errors, failed jobs and security warnings to stderr and to
    DATA/logs/portal.log (reopened when logrotate moves it)."""
    (root / LOGS).mkdir(parents=True, exist_ok=True)
    handlers = ["stderr", "file"]
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s "
                                           "[pid %(process)d] %(message)s"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
            "file": {"class": "logging.handlers.WatchedFileHandler", "formatter": "plain",
                     "filename": str(root / LOGS / LOG_FILE), "encoding": "utf-8",
                     "delay": True},
        },
        "loggers": {
            "django.request": {"handlers": handlers, "level": "ERROR", "propagate": False},
            "django.security": {"handlers": handlers, "level": "WARNING",
                                "propagate": False},
            "manualgen": {"handlers": handlers, "level": "INFO", "propagate": False},
            "django_tasks": {"handlers": handlers, "level": "WARNING", "propagate": False},
            "django_tasks_db": {"handlers": handlers, "level": "WARNING",
                                "propagate": False},
        },
    }


def portal_settings(environ: Mapping[str, str], *, site: Any = None) -> dict[str, Any]:
    """The settings dict of the portal, from `environ` (and the running `site`)."""
    root = data_root(environ)
    https = _flag(environ.get(PREFIX + "HTTPS"), True)
    hosts = [h.strip() for h in (environ.get(PREFIX + "HOSTS") or
                                 "localhost,127.0.0.1").split(",") if h.strip()]
    origin = (environ.get(PREFIX + "ORIGIN", "").strip().rstrip("/") or
              f"{'https' if https else 'http'}://{hosts[0]}")
    failures = int(environ.get(PREFIX + "LOGIN_FAILURES", "") or 5)
    per_minute = int(environ.get(PREFIX + "LOGINS_PER_MINUTE", "") or 30)
    mfa = (environ.get(PREFIX + "STAFF_MFA", "") or "required").strip().lower()
    if mfa not in ("required", "optional"):
        raise UsageError(f"{PREFIX}STAFF_MFA={mfa!r}", fix="give required or optional")
    cookie_prefix = "__Host-" if https else ""
    queue = queue_url(environ)
    settings: dict[str, Any] = {
        "DEBUG": False,
        "SECRET_KEY": secret_key(environ, root),
        "ALLOWED_HOSTS": hosts,
        "CSRF_TRUSTED_ORIGINS": [origin],
        "ROOT_URLCONF": "manualgen.portal.urls",
        "WSGI_APPLICATION": "manualgen.portal.wsgi.application",
        "INSTALLED_APPS": [
            "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
            "django.contrib.messages", "django.contrib.admin", "django.contrib.staticfiles",
            "django_htmx",
            "manualgen.portal",          # before allauth: its templates wear the app's look
            "allauth", "allauth.account", "allauth.mfa", "manualgen.web",
            "django_tasks", "django_tasks_db",
            *(["django_rq", "django_tasks_rq"] if queue else []),
        ],
        **tasks(queue),
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
            "manualgen.web.middleware.PlainErrors",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "manualgen.web.middleware.UploadGate",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "allauth.account.middleware.AccountMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "django_htmx.middleware.HtmxMiddleware",
            "manualgen.portal.middleware.PortalGate",
            "manualgen.web.middleware.WorkspaceForRequest",
        ],
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.csrf",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "manualgen.web.views.common.page_context",
                "manualgen.portal.views.common.portal_context",
            ]},
        }],
        "DATABASES": {"default": database(environ, root)},
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                               "LOCATION": str(root / "cache")}},
        "AUTH_USER_MODEL": "portal.User",
        "AUTHENTICATION_BACKENDS": ["allauth.account.auth_backends.AuthenticationBackend"],
        "PASSWORD_HASHERS": ["manualgen.portal.hashers.Argon2",
                             "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation."
                     "UserAttributeSimilarityValidator"},
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
             "OPTIONS": {"min_length": 10}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        "LOGIN_URL": "account_login",
        "LOGIN_REDIRECT_URL": "/",
        "ACCOUNT_LOGIN_METHODS": {"email"},
        "ACCOUNT_SIGNUP_FIELDS": ["email*", "password1*", "password2*"],
        "ACCOUNT_USER_MODEL_USERNAME_FIELD": None,
        "ACCOUNT_EMAIL_VERIFICATION": "none",       # the invitation went to that address
        "ACCOUNT_ADAPTER": "manualgen.portal.adapter.InvitationOnly",
        "ACCOUNT_SESSION_REMEMBER": False,
        "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE": False,
        "ACCOUNT_LOGIN_ON_PASSWORD_RESET": False,
        "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED": False,
        "ACCOUNT_RATE_LIMITS": {"login": f"{per_minute}/m/ip",
                                "login_failed": f"{max(per_minute, 10)}/m/ip,"
                                                f"{failures}/300s/key"},
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https" if https else "http",
        "MFA_SUPPORTED_TYPES": ["totp", "recovery_codes"],
        "MFA_TOTP_ISSUER": "SECOR portal",
        "PORTAL_STAFF_MFA_REQUIRED": mfa == "required",
        "PORTAL_ORIGIN": origin,
        "PORTAL_DATA_ROOT": str(root),
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_COOKIE_NAME": f"{cookie_prefix}portal_session",
        "SESSION_COOKIE_AGE": 12 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",      # the invitation link arrives from a mail app
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_NAME": f"{cookie_prefix}portal_csrf",
        "CSRF_COOKIE_SECURE": https,
        "CSRF_COOKIE_HTTPONLY": False,
        "CSRF_COOKIE_SAMESITE": "Strict",
        "CSRF_FAILURE_VIEW": "manualgen.web.views.common.csrf_failure",
        "SECURE_SSL_REDIRECT": https,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if https else None,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600 if https else 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": https,
        "SECURE_HSTS_PRELOAD": https and _flag(environ.get(PREFIX + "HSTS_PRELOAD"), True),
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "USE_X_FORWARDED_HOST": False,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 2 * 1024 * 1024,
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": 5000,
        "DATA_UPLOAD_MAX_NUMBER_FILES": 20,
        "FILE_UPLOAD_HANDLERS": ["django.core.files.uploadhandler.MemoryFileUploadHandler"],
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 60 * 1024 * 1024,
        "STATIC_URL": "/static/",
        "STATIC_ROOT": str(root / "static"),
        "WHITENOISE_USE_FINDERS": False,
        "STORAGES": {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                 "OPTIONS": {"location": str(root / "media")}},
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage."
                                                "StaticFilesStorage"}},
        "USE_TZ": True,
        "TIME_ZONE": "America/Whitehorse",
        "LANGUAGE_CODE": "en-ca",
        "USE_I18N": True,
        "APPEND_SLASH": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "MESSAGE_STORAGE": "django.contrib.messages.storage.session.SessionStorage",
        "LOGGING": logging_config(root),
    }
    settings.update(email(environ, hosts[0]))
    if site is not None:
        settings[SITE_KEY] = site
    return settings


if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:          # pragma: no cover
    globals().update(portal_settings(os.environ))
