"""The app's addresses: one page per job of the employer, plus downloads and progress."""

from __future__ import annotations

from django.urls import path

from manualgen.web.views import (
    common,
    company,
    manual,
    phone_app,
    phone_forms,
    status,
    submission,
)

urlpatterns = [
    path("", common.home, name="home"),
    path("static/<path:name>", common.static, name="static"),
    path("jobs/<str:job_id>/", common.job, name="job"),
    # Company profile
    path("company/", company.overview, name="company"),
    path("company/review/", company.review, name="company-review"),
    path("company/save/", company.save, name="company-save"),
    path("company/discard/", company.discard, name="company-discard"),
    path("company/history/", company.history, name="company-history"),
    path("company/history/<str:version>/", company.version, name="company-version"),
    path("company/logo/", company.logo, name="company-logo"),
    path("company/<str:section>/", company.section, name="company-section"),
    # Manual and forms
    path("manual/", manual.page, name="manual"),
    path("manual/build/", manual.build, name="manual-build"),
    path("manual/download/<str:name>", manual.download, name="manual-download"),
    path("manual/page/<int:number>.png", manual.picture, name="manual-page"),
    # The phone app (issue 26): its page, service worker and manifest
    path("forms/", phone_app.shell, name="phone"),
    path("forms/sw.js", phone_app.service_worker, name="phone-sw"),
    path("forms/app.webmanifest", phone_app.manifest, name="phone-manifest"),
    # ... and its server side: the forms, a completed form sent, its fate, a paper form
    path("forms/app.json", phone_forms.app_json, name="phone-app-json"),
    path("forms/submit/", phone_forms.submit, name="phone-submit"),
    path("forms/sent/", phone_forms.sent, name="phone-sent"),
    path("forms/paper/", phone_forms.paper, name="phone-paper"),
    # Status
    path("status/", status.page, name="status"),
    path("status/calendar.ics", status.calendar, name="status-ics"),
    # Submission
    path("submission/", submission.index, name="submissions"),
    path("submission/start/", submission.start, name="submission-start"),
    path("submission/<str:name>/", submission.page, name="submission"),
    path("submission/<str:name>/upload/", submission.upload, name="submission-upload"),
    path("submission/<str:name>/sample/", submission.sample, name="submission-sample"),
    path("submission/<str:name>/thumb/", submission.thumbnail, name="submission-thumb"),
    path("submission/<str:name>/records/<str:table>/", submission.records,
         name="submission-records"),
    path("submission/<str:name>/build/", submission.build, name="submission-build"),
    path("submission/<str:name>/download/<str:kind>", submission.download,
         name="submission-download"),
]

handler400 = "manualgen.web.views.common.bad_request"
handler403 = "manualgen.web.views.common.forbidden"
handler404 = "manualgen.web.views.common.not_found"
handler500 = "manualgen.web.views.common.server_error"
