"""The Django admin, for NSNY admins only (the gate answers 404 to anybody else): people,
companies and memberships, with the company scope lifted for these pages."""

from django.contrib import admin

from manualgen.portal import models as m


@admin.register(m.User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "nsny_role", "is_active", "date_joined")
    search_fields = ("email", "name")
    exclude = ("password", "user_permissions", "groups")


@admin.register(m.Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "folder", "created")
    search_fields = ("name",)
    readonly_fields = ("folder",)


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role")


@admin.register(m.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "state", "updated")
    readonly_fields = ("state",)
