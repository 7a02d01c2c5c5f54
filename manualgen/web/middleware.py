"""The app's gates: the token, the request's workspace, and errors in plain words.

`TokenGate` lets a request through only with the site's token, given once in the printed
address and then carried by an HttpOnly, SameSite=Strict cookie, so another local user or
a web page in the same browser cannot drive the app. `PlainErrors` turns every error into
a page in plain words (a `ManualgenError` says what to fix; anything else is called a bug
and its traceback goes to the terminal), never a traceback in the browser.
"""

from __future__ import annotations

import hmac
import traceback
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParser
from django.shortcuts import render

from manualgen import api
from manualgen.web.settings import SITE_KEY, TOKEN_COOKIE_KEY

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
       "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def site_of(request: HttpRequest):
    return getattr(settings, SITE_KEY)


def error_page(request: HttpRequest, title: str, message: str, *, status: int,
               fix: str | None = None, lines: list[str] | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message,
                                              "fix": fix, "lines": lines or []},
                  status=status)


class TokenGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.get_host()          # first of all, the Host header (DNS rebinding): 400
        site = site_of(request)
        name = getattr(settings, TOKEN_COOKIE_KEY)
        given = request.GET.get("token")
        if given is not None and hmac.compare_digest(given.encode(), site.token.encode()):
            rest = {k: v for k, v in request.GET.items() if k != "token"}
            target = request.path + (f"?{urlencode(rest)}" if rest else "")
            response = HttpResponseRedirect(target)
            response.set_cookie(name, site.token, httponly=True, samesite="Strict",
                                max_age=30 * 24 * 3600)
            return response
        cookie = request.COOKIES.get(name, "")
        if not hmac.compare_digest(cookie.encode(), site.token.encode()):
            return error_page(
                request, "Open the app from its address",
                "This page needs the address manualgen printed when it started (the one "
                "ending in ?token=...).",
                fix="Copy that whole line from the terminal into the browser's address bar.",
                status=403)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Cache-Control", "no-store")
        return response


class _NamesKept(MultiPartParser):
    """Django's parser, noting each upload's name as the browser sent it (Django keeps
    only its last part), so a name reaching out of its folder can be refused."""

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names

    def sanitize_file_name(self, file_name):
        self.names.append(str(file_name))
        return super().sanitize_file_name(file_name)


class UploadGate:
    """Before anything reads a form's body: refuse one larger than the site allows (a
    message, and nothing parsed or written), and keep the uploads' names as sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            limits = site_of(request).limits
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limits.request_bytes:
                if request.path_info.endswith("/upload/"):        # back to its own page
                    return HttpResponseRedirect("../?" + urlencode({"error": (
                        "Those files are too large: one upload may carry at most "
                        f"{limits.request_bytes // 1048576} MB in all; nothing was saved. "
                        "Send fewer files at once, or smaller scans (200 dpi is plenty).")}))
                return error_page(
                    request, "Those files are too large",
                    f"One upload may carry at most {limits.request_bytes // 1048576} MB in "
                    "all; nothing was saved.",
                    fix="Send fewer files at once, or smaller scans (200 dpi is plenty).",
                    status=413)
            names: list[str] = []
            request.upload_names = names

            def parse(META, post_data):
                from django.utils.datastructures import ImmutableList

                request.upload_handlers = ImmutableList(request.upload_handlers)
                return _NamesKept(META, post_data, request.upload_handlers, request.encoding,
                                  names=names).parse()

            request.parse_file_upload = parse
        return self.get_response(request)


class WorkspaceForRequest:
    """`request.site` and `request.workspace`: the views' only way to the company folder."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.site = site_of(request)
        request.workspace = request.site.workspace_for(request)
        return self.get_response(request)


class PlainErrors:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, api.InputError):
            return error_page(request, "Something in the files needs fixing",
                              exc.title or "manualgen found problems:",
                              lines=[str(p) for p in exc.problems], status=400)
        if isinstance(exc, api.ToolError):
            return error_page(request, "A helper program failed", str(exc), status=503)
        if isinstance(exc, api.ManualgenError):
            return error_page(request, "That cannot be done", str(exc), status=400)
        from django.core.exceptions import PermissionDenied, SuspiciousOperation
        from django.http import Http404

        if isinstance(exc, Http404 | PermissionDenied | SuspiciousOperation):
            return None                     # Django's own handlers (plain pages below)
        site_of(request).log("".join(traceback.format_exception(exc)))
        return error_page(
            request, "Something went wrong inside manualgen",
            f"manualgen failed with an internal error ({type(exc).__name__}). This is a bug "
            "in manualgen, not in your files; nothing was changed.",
            fix="The details are in the terminal running the app; please send them to "
                "NSNY.", status=500)
