"""Users and groups in the admin: names in Vietnamese order (họ và tên đệm,
then tên) and permissions in words."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from units.people import full_name, permission_label

User = get_user_model()


def _permission_field(field):
    field.queryset = field.queryset.select_related("content_type")
    field.label_from_instance = permission_label
    return field


class VietnameseUserAdmin(UserAdmin):
    list_display = ["username", "person", "email", "is_staff", "is_active"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["last_name", "first_name", "email"]}),
        *UserAdmin.fieldsets[2:],
    ]

    @admin.display(description=_("full name"), ordering="last_name")
    def person(self, user):
        return full_name(user)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _permission_field(field) if db_field.name == "user_permissions" else field


class VietnameseGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _permission_field(field) if db_field.name == "permissions" else field


admin.site.unregister(User)
admin.site.register(User, VietnameseUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, VietnameseGroupAdmin)
