from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Accounts, companies, reviews, letters and reminders of the hosted mode."""

    name = "manualgen.portal"
    label = "portal"
    verbose_name = "NSNY portal"
    default_auto_field = "django.db.models.BigAutoField"
