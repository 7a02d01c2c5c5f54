"""The NSNY portal (`manualgen portal`): the employer's web app hosted for many companies.

The same pages as `manualgen serve`, each request working on the workspace of the
signed-in person's company (`site.PortalSite.workspace_for`), plus what hosting adds:
accounts by invitation (django-allauth), companies with members, NSNY's reviewers and
admins, the review workflow ending in a Letter of Good Standing, readiness and reminders.
Every company-owned row is reached only through a django-scopes manager, so a query
without the signed-in company's scope is refused rather than answered for everybody.
"""
