"""`django-admin portal_remind`: the reminders that are due, each sent once (the same job
as `manualgen portal remind DATA_DIR`, for a deployment that runs django-admin)."""

from django.core.management.base import BaseCommand

from manualgen.portal.mail import send_reminders
from manualgen.portal.server import application_from_environment


class Command(BaseCommand):
    help = "Send the SECOR reminders that are due (each once)."

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        from manualgen.portal.settings import SITE_KEY

        if not hasattr(settings, SITE_KEY):
            application_from_environment()
        sent = send_reminders(getattr(settings, SITE_KEY))
        self.stdout.write(f"{len(sent)} reminder(s) sent")
