from django.apps import AppConfig


class WebConfig(AppConfig):
    """The app's templates and static files, as a Django app."""

    name = "manualgen.web"
    label = "manualgen_web"
    default_auto_field = "django.db.models.AutoField"
