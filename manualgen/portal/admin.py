"""The Django admin, for NSNY admins only (the gate answers 404 to anybody else): people,
companies and memberships, with the company scope lifted for these pages."""

from django.contrib import admin

from manualgen.portal import audit
from manualgen.portal import models as m


@admin.register(m.User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "nsny_role", "is_active", "date_joined")
    search_fields = ("email", "name")
    exclude = ("password", "user_permissions", "groups")

    def save_model(self, request, obj, form, change) -> None:
        """An NSNY role given or taken here goes in the audit trail."""
        super().save_model(request, obj, form, change)
        if "nsny_role" in form.changed_data:
            audit.record(request, audit.What.ROLE_CHANGED, target=obj.email,
                         note=f"NSNY: {obj.get_nsny_role_display()} (in the admin)")


@admin.register(m.Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "folder", "created")
    search_fields = ("name",)
    readonly_fields = ("folder",)


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role")

    def save_model(self, request, obj, form, change) -> None:
        """Who joined a company, or changed role, by the admin's hand: in the audit trail."""
        super().save_model(request, obj, form, change)
        if not change or form.changed_data:
            audit.record(request, audit.What.ROLE_CHANGED, company=obj.company,
                         target=obj.user.email,
                         note=f"{obj.get_role_display()} (in the admin)")

    def delete_model(self, request, obj) -> None:
        audit.record(request, audit.What.MEMBER_REMOVED, company=obj.company,
                     target=obj.user.email, note=f"{obj.get_role_display()} (in the admin)")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset.select_related("user", "company"):
            audit.record(request, audit.What.MEMBER_REMOVED, company=obj.company,
                         target=obj.user.email,
                         note=f"{obj.get_role_display()} (in the admin)")
        super().delete_queryset(request, queryset)


@admin.register(m.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "state", "updated")
    readonly_fields = ("state",)
