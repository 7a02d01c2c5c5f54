"""A WSGI application for a server of NSNY's choosing:
`DJANGO_SETTINGS_MODULE=manualgen.portal.settings` with the portal's variables set
(`manualgen portal serve` does the same with waitress)."""

from manualgen.portal.server import application_from_environment

application = application_from_environment()
