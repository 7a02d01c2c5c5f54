"""Django's settings, made in code from a `Site` (no project folder on disk).

Django's security defaults stay on; on top: the Host header must be one of the site's
names (DNS rebinding), cookies are HttpOnly and SameSite=Strict and named per port,
uploads are held in memory up to the site's limit (nothing is written to a temporary
folder outside the company's), and the database is an SQLite file inside the company
folder's `.manualgen/` that the local app never needs to open (sessions are signed
cookies; the company's files are the source of truth).
"""

from __future__ import annotations

from typing import Any

from manualgen.web.site import Site

SITE_KEY = "MANUALGEN_SITE"
TOKEN_COOKIE_KEY = "MANUALGEN_TOKEN_COOKIE"


def settings_for(site: Site) -> dict[str, Any]:
    port = site.port
    hosts = [h.strip("[]") if h.startswith("[") else h for h in site.hosts]
    hosts += [f"[{h}]" for h in hosts if ":" in h]
    return {
        "DEBUG": False,
        "SECRET_KEY": site.secret,
        "ALLOWED_HOSTS": hosts,
        "ROOT_URLCONF": "manualgen.web.urls",
        "INSTALLED_APPS": ["django.contrib.staticfiles", "django_htmx", "manualgen.web"],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "manualgen.web.middleware.PlainErrors",
            "manualgen.web.middleware.TokenGate",
            "manualgen.web.middleware.UploadGate",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "django_htmx.middleware.HtmxMiddleware",
            "manualgen.web.middleware.WorkspaceForRequest",
        ],
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.csrf",
                                               "django.template.context_processors.request",
                                               "manualgen.web.views.common.page_context"]},
        }],
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3",
                                  "NAME": str(site.folder / ".manualgen" / "web.sqlite3")}},
        "SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies",
        "SESSION_COOKIE_NAME": f"manualgen_session_{port}",
        "SESSION_COOKIE_SAMESITE": "Strict",
        "CSRF_COOKIE_NAME": f"manualgen_csrf_{port}",
        "CSRF_COOKIE_SAMESITE": "Strict",
        "CSRF_COOKIE_HTTPONLY": False,
        "CSRF_FAILURE_VIEW": "manualgen.web.views.common.csrf_failure",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 2 * 1024 * 1024,
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": 5000,
        # Django's own cap, a guard well above the app's: an upload of a few files too
        # many gets the submission page's own message (the view counts them).
        "DATA_UPLOAD_MAX_NUMBER_FILES": 4 * site.limits.files,
        "FILE_UPLOAD_HANDLERS": ["django.core.files.uploadhandler.MemoryFileUploadHandler"],
        "FILE_UPLOAD_MAX_MEMORY_SIZE": site.limits.request_bytes,
        "STATIC_URL": "/static/",
        "USE_TZ": True,
        "TIME_ZONE": "America/Whitehorse",
        "LANGUAGE_CODE": "en-ca",
        "USE_I18N": False,
        "APPEND_SLASH": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
        "LOGGING": {"version": 1, "disable_existing_loggers": False,
                    "handlers": {"null": {"class": "logging.NullHandler"}},
                    "loggers": {"django.security": {"handlers": ["null"],
                                                    "propagate": False},
                                "django.request": {"handlers": ["null"],
                                                   "propagate": False}}},
        TOKEN_COOKIE_KEY: f"manualgen_token_{port}",
        SITE_KEY: site,
    }


def configure(site: Site) -> None:
    """Configure Django for `site` once per process (tests swap the site per test)."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(**settings_for(site))
        django.setup()
    else:
        setattr(settings, SITE_KEY, site)
