"""The portal's addresses: the employer's pages of `manualgen serve` (the same views, on
the chosen company's workspace), plus accounts, reviews, NSNY's pages and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from manualgen.portal.views import common, employer, library, members, staff
from manualgen.web import urls as local

urlpatterns = [
    path("", common.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("invite/<str:token>/", common.accept, name="portal-accept"),
    path("companies/", common.companies, name="portal-companies"),
    path("overview/", employer.overview, name="portal-overview"),
    path("reviews/send/", employer.send, name="portal-send"),
    path("reviews/<int:pk>/", employer.detail, name="portal-review"),
    path("reviews/<int:pk>/files/<int:number>/<path:name>", employer.round_file,
         name="portal-round-file"),
    path("reviews/<int:pk>/letter.pdf", employer.letter, name="portal-letter"),
    path("tasks/<int:pk>/done/", employer.task_done, name="portal-task-done"),
    path("library/take/", employer.take_library, name="portal-library-take"),
    path("library/own/<slug:policy_id>/", employer.own_policy, name="portal-library-own"),
    path("people/", members.members, name="members"),
    path("crew/<str:token>/", members.crew_open, name="portal-crew"),
    path("nsny/", staff.dashboard, name="nsny-dashboard"),
    path("nsny/invite/", staff.invite, name="nsny-invite"),
    path("nsny/audit/", staff.audit_trail, name="nsny-audit"),
    path("nsny/letter/", staff.letter_template, name="nsny-letter"),
    path("nsny/profile/", staff.profile, name="nsny-profile"),
    path("nsny/builds/", staff.builds, name="nsny-builds"),
    path("nsny/library/", library.index, name="nsny-library"),
    path("nsny/library/rules/", library.rules, name="nsny-library-rules"),
    path("nsny/library/policies/<slug:policy_id>/", library.policy, name="nsny-library-policy"),
    path("nsny/library/policies/<slug:policy_id>/owner/", library.owner,
         name="nsny-library-owner"),
    path("nsny/library/forms/<slug:form_id>/", library.form, name="nsny-library-form"),
    path("nsny/library/drafts/<int:pk>/", library.draft, name="nsny-library-draft"),
    path("nsny/library/drafts/<int:pk>/decide/", library.decide, name="nsny-library-decide"),
    path("nsny/library/publish/", library.publish, name="nsny-library-publish"),
    path("nsny/companies/<int:pk>/", staff.company, name="nsny-company"),
    path("nsny/reviews/<int:pk>/", staff.review, name="nsny-review"),
    path("nsny/reviews/<int:pk>/act/", staff.act, name="nsny-act"),
    path("nsny/reviews/<int:pk>/files/<int:number>/<path:name>", staff.round_file,
         name="nsny-round-file"),
    path("nsny/reviews/<int:pk>/letter.pdf", staff.letter, name="nsny-letter-pdf"),
    path("admin/", admin.site.urls),
    *[p for p in local.urlpatterns if str(p.pattern) != ""],
]

handler400 = local.handler400
handler403 = local.handler403
handler404 = local.handler404
handler500 = local.handler500
handler429 = "manualgen.portal.views.common.too_many"       # read by allauth's throttling
